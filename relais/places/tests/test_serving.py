"""Which places serve a commune, a département, a région (relais.places.serving, no HTTP)."""

import numpy as np
import pytest

from relais.core.errors import DomainError
from relais.places import serving
from relais.places.models import PlaceStatus
from relais.territory.geo import SphereIndex, haversine_km
from relais.territory.models import Commune, Department, Region
from relais.testing import PlaceFactory, place_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    """Aurillac (15014) and around: Arpajon-sur-Cère 3.4 km away, Saint-Flour 52 km away (both in the
    Cantal); Montredon (Lot, Occitanie) 1.4 km from the nearest commune of the Cantal, Terrou (Lot) 15 km."""
    return {
        "aurillac": place_in(
            "15014", name="Fablab d'Aurillac", typologies=["FABLAB"], services=["DEMARCHES"]
        ),
        "aurillac_closed": place_in("15014", name="Ancien coworking", status=PlaceStatus.CLOSED),
        "arpajon": place_in("15012", name="Atelier d'Arpajon", typologies=["FABLAB", "COWORKING"]),
        "saint_flour": place_in("15187", name="Coworking de Saint-Flour", typologies=["COWORKING"]),
        "montredon": place_in("46207", name="Café de Montredon", typologies=["CAFE_ASSOCIATIF"]),
        "terrou": place_in("46314", name="Tiers-lieu de Terrou"),
    }


def ids(result):
    return [item.entry.id for item in result.places()]


def commune(code):
    return serving.commune_territory(Commune.objects.select_related("department").get(pk=code))


def test_commune_counts_places_in_it_and_within_the_radius_of_its_centre(places):
    result = serving.places_serving(commune("15014"), 10)
    assert ids(result) == [places["aurillac"].pk, places["arpajon"].pk]
    assert (result.inside_count, result.nearby_count) == (1, 1)
    inside, nearby = result.places()
    assert inside.inside and inside.distance_km == pytest.approx(0, abs=0.01)
    assert not nearby.inside and nearby.distance_km == pytest.approx(3.43, abs=0.01)


def test_a_wider_radius_takes_in_farther_places_nearest_first(places):
    result = serving.places_serving(commune("15014"), 50)
    assert [i.entry.commune_code for i in result.places()][:2] == ["15014", "15012"]
    distances = [i.distance_km for i in result.places() if not i.inside]
    assert distances == sorted(distances)
    assert places["saint_flour"].pk not in ids(result)  # 52 km


def test_radius_zero_keeps_only_the_places_located_in_the_territory(places):
    result = serving.places_serving(commune("15014"), 0)
    assert ids(result) == [places["aurillac"].pk]


def test_closed_places_never_serve(places):
    for territory in (
        commune("15014"),
        serving.department_territory(Department.objects.get(pk="15")),
        serving.region_territory(Region.objects.get(pk="84")),
    ):
        assert places["aurillac_closed"].pk not in ids(serving.places_serving(territory, 50))


def test_department_serves_its_places_and_those_near_any_of_its_communes(places):
    result = serving.places_serving(serving.department_territory(Department.objects.get(pk="15")), 10)
    assert set(ids(result)[:3]) == {places["aurillac"].pk, places["arpajon"].pk, places["saint_flour"].pk}
    assert ids(result)[3:] == [places["montredon"].pk]  # Terrou is 15 km away
    assert result.places()[3].distance_km == pytest.approx(1.43, abs=0.01)
    assert result.places()[0].distance_km is None  # no distance inside a département
    wider = serving.places_serving(result.territory, 20)
    assert ids(wider)[3:] == [places["montredon"].pk, places["terrou"].pk]


def test_region_nearby_distance_is_the_minimum_over_its_communes(places):
    region = serving.region_territory(Region.objects.get(pk="84"))
    result = serving.places_serving(region, 20)
    assert result.inside_count == 3
    terrou = next(i for i in result.places() if i.entry.id == places["terrou"].pk)
    rows = Commune.objects.with_coordinates().filter(region_id="84").values_list("latitude", "longitude")
    lat, lon = np.array(list(rows)).T
    expected = haversine_km(places["terrou"].latitude, places["terrou"].longitude, lat, lon).min()
    assert terrou.distance_km == pytest.approx(expected)


def test_counts_by_typology_split_inside_and_nearby(places):
    result = serving.places_serving(commune("15014"), 10)
    rows = {r["code"]: r for r in result.typology_counts()}
    assert rows["FABLAB"] == {**rows["FABLAB"], "inside": 1, "nearby": 1, "total": 2}
    assert (
        rows["COWORKING"]["inside"] == 0 and rows["COWORKING"]["nearby"] == 1
    )  # the closed one is not counted
    assert rows["JARDIN_PARTAGE"]["total"] == 0  # every tiers-lieux typology is listed, zeros included
    assert "BIB" not in rows  # not a tiers-lieux typology
    services = result.service_counts()
    assert [(r["code"], r["inside"], r["nearby"]) for r in services] == [("DEMARCHES", 1, 0)]


def test_typology_filter_and_nearest_for_the_widget(places):
    result = serving.places_serving(commune("15014"), 10, typology="COWORKING")
    assert ids(result) == [places["arpajon"].pk]
    nearest = serving.places_serving(commune("15014"), 50).nearest(2)
    assert [i.entry.id for i in nearest] == [places["aurillac"].pk, places["arpajon"].pk]


def test_place_of_the_commune_without_position_is_in_it_without_distance():
    place = PlaceFactory(latitude=None, longitude=None)
    result = serving.places_serving(commune("15014"), 10)
    assert [(i.entry.id, i.inside, i.distance_km) for i in result.places()] == [(place.pk, True, None)]


def test_commune_without_coordinates_still_lists_its_places():
    territory = commune("15031")  # Celles: no reference point
    place = PlaceFactory(commune=territory.obj, latitude=None, longitude=None)
    assert ids(serving.places_serving(territory, 10)) == [place.pk]


def test_inside_counts_by_sub_territory(places):
    region = serving.places_serving(serving.region_territory(Region.objects.get(pk="84")), 10)
    assert region.inside_counts_by("department") == {"15": 3}
    department = serving.places_serving(serving.department_territory(Department.objects.get(pk="15")), 10)
    assert department.inside_counts_by("commune") == {"15012": 1, "15014": 1, "15187": 1}


@pytest.mark.parametrize(
    ("text", "expected"), [(None, 10.0), ("", 10.0), ("0", 0.0), ("7,5", 7.5), (" 50 ", 50.0)]
)
def test_parse_radius(text, expected, settings):
    settings.TERRITORY_SERVING_RADIUS_KM = 10
    assert serving.parse_radius(text) == expected


@pytest.mark.parametrize("text", ["-1", "51", "abc", "nan", "inf", "1e400"])
def test_parse_radius_refuses_with_a_french_message(text):
    with pytest.raises(DomainError) as exc:
        serving.parse_radius(text)
    assert "le rayon doit être un nombre de kilomètres compris entre 0 et 50" in exc.value.message


def test_default_radius_comes_from_the_setting(places, settings):
    settings.TERRITORY_SERVING_RADIUS_KM = 2
    assert ids(serving.places_serving(commune("15014"))) == [places["aurillac"].pk]


def test_nearest_distances_match_a_brute_force_scan():
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(42, 51, 300), rng.uniform(-4, 8, 300)
    qlat, qlon = rng.uniform(42, 51, 200), rng.uniform(-4, 8, 200)
    brute = haversine_km(qlat[:, None], qlon[:, None], lat[None, :], lon[None, :]).min(axis=1)
    got = SphereIndex(lat, lon).nearest_distances(qlat, qlon)
    assert np.allclose(got, brute)
    bounded = SphereIndex(lat, lon).nearest_distances(qlat, qlon, 20)
    assert np.array_equal(np.isfinite(bounded), brute <= 20)
    assert np.allclose(bounded[brute <= 20], brute[brute <= 20])
