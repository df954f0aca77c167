"""GET /api/places: filters, search around a point, pagination, and French 4xx answers to bad input."""

import pytest

from relais.places.models import Accessibility, PlaceStatus, Public
from relais.territory.geo import haversine_km
from relais.territory.models import Commune
from relais.testing import PlaceFactory, assert_french

pytestmark = pytest.mark.django_db

URL = "/api/places"
AURILLAC = (44.93032, 2.44495)


def names(response):
    assert response.status_code == 200, response.content
    return [place["name"] for place in response.json()["results"]]


@pytest.fixture
def two_places():
    """Two places that differ on every filter: a coworking in Aurillac and a fablab in Paris."""
    grange = PlaceFactory(
        name="La Grange numérique",
        typologies=["COWORKING"],
        services=["DEMARCHES"],
        labels=["FRANCE_SERVICES"],
        wheelchair=Accessibility.YES,
        opening_hours="24/7",
    )
    grange.publics.set(Public.objects.filter(code="JEUNES"))
    paris = Commune.objects.get(code_insee="75056")
    faubourg = PlaceFactory(
        name="Atelier du Faubourg",
        commune=paris,
        postal_code="75011",
        latitude=48.8566,
        longitude=2.3800,
        typologies=["FABLAB"],
        services=["POSTE_TRAVAIL"],
        labels=["MICRO_FOLIE"],
        wheelchair=Accessibility.NO,
        opening_hours="off",
    )
    faubourg.publics.set(Public.objects.filter(code="SENIORS"))
    return grange, faubourg


def test_it_answers_the_count_the_page_and_each_place_with_its_commune(client, two_places):
    grange, _faubourg = two_places
    body = client.get(URL).json()

    assert body["count"] == 2
    assert body["page"] == 1
    assert body["page_size"] == 20
    first = next(p for p in body["results"] if p["id"] == str(grange.pk))
    assert first["name"] == "La Grange numérique"
    assert (first["latitude"], first["longitude"]) == AURILLAC
    assert first["commune"] == {"code_insee": "15014", "name": "Aurillac", "department": "15"}
    assert first["typologies"] == ["COWORKING"]
    assert first["services"] == ["DEMARCHES"]
    assert first["labels"] == ["FRANCE_SERVICES"]
    assert first["opening_hours"] == "24/7"
    assert first["open_now"] is True
    assert first["wheelchair"] == "yes"
    assert first["distance_km"] is None


def test_without_a_point_places_are_sorted_by_name(client, two_places):
    assert names(client.get(URL)) == ["Atelier du Faubourg", "La Grange numérique"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"typology": "COWORKING"}, ["La Grange numérique"]),
        ({"typology": "FABLAB"}, ["Atelier du Faubourg"]),
        ({"service": "DEMARCHES"}, ["La Grange numérique"]),
        ({"service": "POSTE_TRAVAIL"}, ["Atelier du Faubourg"]),
        ({"label": "FRANCE_SERVICES"}, ["La Grange numérique"]),
        ({"label": "MICRO_FOLIE"}, ["Atelier du Faubourg"]),
        ({"public": "JEUNES"}, ["La Grange numérique"]),
        ({"public": "SENIORS"}, ["Atelier du Faubourg"]),
        ({"department": "15"}, ["La Grange numérique"]),
        ({"department": "75"}, ["Atelier du Faubourg"]),
        ({"region": "84"}, ["La Grange numérique"]),
        ({"region": "11"}, ["Atelier du Faubourg"]),
        ({"commune": "15014"}, ["La Grange numérique"]),
        ({"commune": "75056"}, ["Atelier du Faubourg"]),
        ({"accessible": "true"}, ["La Grange numérique"]),
        ({"open_now": "true"}, ["La Grange numérique"]),
        ({"q": "grange"}, ["La Grange numérique"]),
        ({"q": "GRANGE Numerique"}, ["La Grange numérique"]),
        ({"q": "paris"}, ["Atelier du Faubourg"]),
        ({"q": "introuvable"}, []),
        ({"typology": "COWORKING", "department": "75"}, []),
    ],
)
def test_each_filter_keeps_only_the_matching_places(client, two_places, params, expected):
    assert names(client.get(URL, params)) == expected


def test_closed_places_are_left_out_unless_asked_for(client):
    PlaceFactory(name="Ouvert")
    PlaceFactory(name="Fermé pour de bon", status=PlaceStatus.CLOSED)

    assert names(client.get(URL)) == ["Ouvert"]
    assert names(client.get(URL, {"include_closed": "true"})) == ["Fermé pour de bon", "Ouvert"]


@pytest.fixture
def around_aurillac():
    return {
        "centre": PlaceFactory(name="Centre", latitude=AURILLAC[0], longitude=AURILLAC[1]),
        "ytrac": PlaceFactory(name="Ytrac", latitude=44.91566, longitude=2.36600),  # about 6.4 km
        "arpajon": PlaceFactory(name="Arpajon", latitude=44.90380, longitude=2.45730),  # about 3.1 km
        "saint-flour": PlaceFactory(name="Saint-Flour", latitude=45.03370, longitude=3.09310),  # about 52 km
    }


def test_around_a_point_places_within_10_km_come_nearest_first_with_their_distance(client, around_aurillac):
    body = client.get(URL, {"lat": AURILLAC[0], "lon": AURILLAC[1]}).json()

    assert [p["name"] for p in body["results"]] == ["Centre", "Arpajon", "Ytrac"]
    assert body["count"] == 3
    for result in body["results"]:
        expected = float(haversine_km(*AURILLAC, result["latitude"], result["longitude"]))
        assert result["distance_km"] == pytest.approx(expected, abs=0.001)
    assert body["results"][0]["distance_km"] == 0


def test_radius_widens_the_search(client, around_aurillac):
    response = client.get(URL, {"lat": AURILLAC[0], "lon": AURILLAC[1], "radius_km": 100})
    assert names(response) == ["Centre", "Arpajon", "Ytrac", "Saint-Flour"]


def test_radius_narrows_the_search(client, around_aurillac):
    response = client.get(URL, {"lat": AURILLAC[0], "lon": AURILLAC[1], "radius_km": 4})
    assert names(response) == ["Centre", "Arpajon"]


def test_point_search_combines_with_the_other_filters(client, around_aurillac):
    around_aurillac["ytrac"].typologies.set([])
    PlaceFactory(name="Fablab de Ytrac", latitude=44.91566, longitude=2.36600, typologies=["FABLAB"])

    response = client.get(URL, {"lat": AURILLAC[0], "lon": AURILLAC[1], "typology": "FABLAB"})
    assert names(response) == ["Fablab de Ytrac"]


@pytest.fixture
def five_places():
    return [PlaceFactory(name=f"Lieu {letter}") for letter in "ABCDE"]


def test_pages_cut_the_sorted_results(client, five_places):
    body = client.get(URL, {"page": 2, "page_size": 2}).json()

    assert body["count"] == 5
    assert (body["page"], body["page_size"]) == (2, 2)
    assert [p["name"] for p in body["results"]] == ["Lieu C", "Lieu D"]
    assert names(client.get(URL, {"page": 3, "page_size": 2})) == ["Lieu E"]


def test_a_page_beyond_the_last_is_empty_but_still_counts(client, five_places):
    body = client.get(URL, {"page": 9, "page_size": 2}).json()
    assert body["count"] == 5
    assert body["results"] == []


@pytest.mark.parametrize(
    ("params", "status", "field", "words"),
    [
        ({"lat": 44.9, "lon": 2.4, "radius_km": 0}, 400, "radius_km", "rayon"),
        ({"lat": 44.9, "lon": 2.4, "radius_km": 500}, 400, "radius_km", "rayon"),
        ({"lat": 44.9, "lon": 2.4, "radius_km": -3}, 400, "radius_km", "rayon"),
        ({"lat": 44.9, "lon": 2.4, "radius_km": "nan"}, 400, "radius_km", "rayon"),
        ({"radius_km": 5}, 400, "radius_km", "demande un point"),
        ({"lat": 44.9}, 400, "lat", "renseignez les deux"),
        ({"lon": 2.4}, 400, "lat", "renseignez les deux"),
        ({"lat": 95, "lon": 2.4}, 400, "lat", "hors de"),
        ({"lat": 44.9, "lon": 200}, 400, "lon", "hors de"),
        ({"lat": "abc", "lon": 2.4}, 422, "lat", "un nombre est attendu"),
        ({"page": 0}, 422, "page", "trop petite"),
        ({"page": "deux"}, 422, "page", "nombre entier"),
        ({"page_size": 1000}, 422, "page_size", "trop grande"),
        ({"open_now": "peut-être"}, 422, "open_now", "booléenne"),
    ],
)
def test_bad_parameters_get_a_french_json_error_naming_the_field(client, params, status, field, words):
    response = client.get(URL, params)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail.startswith(f"{field} : ")
    assert words in detail
    assert_french(detail)


def test_nearest_endpoint_returns_the_k_closest_with_their_distance(client):
    from relais.testing import PlaceFactory as Factory

    first = Factory(name="Premier", latitude=44.931, longitude=2.445)
    Factory(name="Second", latitude=45.2, longitude=2.445)
    body = client.get("/api/places/nearest", {"lat": 44.93, "lon": 2.445, "k": 1}).json()
    assert [r["id"] for r in body] == [str(first.pk)]
    assert body[0]["distance_km"] == pytest.approx(0.11, abs=0.01)
    error = client.get("/api/places/nearest", {"lat": 44.93, "lon": 2.445, "k": 500})
    assert error.status_code == 400
    assert "k" in error.json()["detail"]
