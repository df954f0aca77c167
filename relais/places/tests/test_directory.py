"""The directory's search logic: reading the URL, resolving "where" and "what", results and fallbacks."""

import datetime

import pytest

from relais.places import directory
from relais.places.models import Accessibility, PlaceStatus
from relais.testing import PlaceFactory, assert_french

pytestmark = pytest.mark.django_db

# A Tuesday at 10:30 in Paris: the factory's places (Mo-Fr 09:00-12:00,14:00-18:00) are open.
TUESDAY_MORNING = datetime.datetime(2026, 11, 24, 10, 30)


def search(**data):
    params, errors = directory.parse_params({k: str(v) for k, v in data.items()})
    return directory.run(params, errors, at=TUESDAY_MORNING)


def names(outcome):
    return [item.entry.name for item in outcome.items]


# --- Reading the URL ------------------------------------------------------------------------------


def test_parameters_are_read_and_written_back_the_same():
    params, errors = directory.parse_params(
        {"q": "  Fablab ", "where": "Aurillac", "radius": "20", "open_now": "1", "open_on": "2026-12-01"}
    )
    assert errors == {}
    assert (params.q, params.where, params.radius, params.open_now) == ("Fablab", "Aurillac", 20, True)
    assert params.open_on == datetime.date(2026, 12, 1)
    again, _ = directory.parse_params(params.as_query_dict())
    assert again == params


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"radius": "7"}, "radius", "Distance « 7 » non proposée"),
        ({"radius": "abc"}, "radius", "Distance « abc »"),
        ({"open_on": "31/12/2026"}, "open_on", "Date « 31/12/2026 » illisible : attendu AAAA-MM-JJ"),
        ({"lat": "abc", "lon": "2"}, "where", "La position reçue (lat=abc, lon=2) n'est pas lisible"),
        ({"lat": "51.5", "lon": "-0.12"}, "where", "hors de France"),
        ({"lat": "nan", "lon": "2"}, "where", "n'est pas lisible"),
    ],
)
def test_unreadable_values_are_reported_by_field_in_french(data, field, fragment):
    _, errors = directory.parse_params(data)
    assert fragment in errors[field]
    assert_french(errors[field])


def test_a_position_is_rounded_to_about_100_m():
    params, _ = directory.parse_params({"lat": "44.930321987", "lon": "2.444951234"})
    assert (params.lat, params.lon) == (44.93, 2.445)


def test_an_odd_page_number_becomes_the_first_page():
    for page in ("abc", "0", "-1"):
        assert directory.parse_params({"page": page})[0].page == 1


# --- Where ----------------------------------------------------------------------------------------


def where_of(**data):
    params, _ = directory.parse_params(data)
    return directory.resolve_where(params)


def test_a_commune_name_or_a_postal_code_of_one_commune_is_a_point_with_a_radius():
    by_name = where_of(where="aurillac")
    assert by_name.where.code == "15014"
    assert by_name.where.is_point and by_name.where.label == "Aurillac (15)"
    assert where_of(where="42000").where.code == "42218"  # Saint-Étienne's own postal code


def test_a_postal_code_shared_by_several_communes_asks_which_one():
    answer = where_of(where="15130")  # Arpajon-sur-Cère, Carlat, Giou-de-Mamou…
    assert answer.where is None
    assert len(answer.choices) > 1
    assert answer.message.startswith(f"Le code postal 15130 est partagé par {len(answer.choices)} communes")
    # The most populated first.
    populations = [c.population for c in answer.choices]
    assert populations == sorted(populations, reverse=True)


def test_a_chosen_commune_holds_while_the_field_shows_its_name():
    answer = where_of(where="Carlat", commune="15028")
    assert answer.where.code == "15028"
    # The user typed something else since: the new text wins.
    assert where_of(where="Aurillac", commune="15028").where.code == "15014"


def test_a_suggestion_with_its_postal_code_picks_that_homonym():
    answer = where_of(where="Saint-Étienne (42000)")
    assert answer.where.code == "42218"


def test_homonyms_are_listed_to_choose_from():
    answer = where_of(where="Saint-Martin")
    assert answer.where is None
    assert len(answer.choices) > 1
    assert "Plusieurs communes s'appellent « Saint-Martin »" in answer.message


def test_a_misspelt_commune_gets_suggestions():
    answer = where_of(where="st etiene")
    assert answer.where is None
    assert "42218" in [c.code_insee for c in answer.choices]
    assert answer.message == "Aucune commune ne s'appelle « st etiene ». Vouliez-vous dire :"


def test_an_unknown_commune_or_postal_code_is_a_clear_message():
    unknown = where_of(where="Zzyzxville")
    assert unknown.where is None and not unknown.choices
    assert unknown.message == (
        "Commune inconnue : « Zzyzxville ». Vérifiez l'orthographe ou indiquez le code postal."
    )
    assert "Code postal inconnu : « 99999 »" in where_of(where="99999").message


def test_a_departement_or_region_name_is_an_area():
    cantal = where_of(where="cantal").where
    assert (cantal.kind, cantal.code, cantal.is_point) == ("department", "15", False)
    region = where_of(where="Auvergne-Rhône-Alpes").where
    assert (region.kind, region.code) == ("region", "84")


def test_a_position_is_used_only_while_where_is_empty():
    assert where_of(lat="44.93", lon="2.44").where.kind == "position"
    assert where_of(lat="44.93", lon="2.44", where="Aurillac").where.kind == "commune"


# --- Search ---------------------------------------------------------------------------------------


def test_results_around_a_commune_are_sorted_by_distance_with_the_distance():
    PlaceFactory(name="Loin", latitude=44.99, longitude=2.44)  # ~6.6 km north
    PlaceFactory(name="Près")  # the factory's place, in Aurillac
    PlaceFactory(name="Hors rayon", latitude=45.2, longitude=2.44)  # ~30 km

    outcome = search(where="Aurillac")

    assert names(outcome) == ["Près", "Loin"]
    assert outcome.items[0].distance_km < outcome.items[1].distance_km < 10
    assert [item.open_now for item in outcome.items] == [True, True]
    assert names(search(where="Aurillac", radius=50)) == ["Près", "Loin", "Hors rayon"]


def test_what_naming_a_service_filters_on_it_otherwise_searches_names():
    PlaceFactory(name="Avec impression", services=["MACHINES_FABLAB"])
    PlaceFactory(name="Sans")
    service_name = directory.vocabulary_names()["service"]["MACHINES_FABLAB"]

    outcome = search(q=service_name.upper(), where="Aurillac")

    assert outcome.what == ("service", "MACHINES_FABLAB")
    assert names(outcome) == ["Avec impression"]
    assert names(search(q="sans", where="Aurillac")) == ["Sans"]


def test_filters_open_now_open_on_accessible_free_label_public():
    PlaceFactory(name="Tout", wheelchair=Accessibility.YES, fees=["GRATUIT"], labels=["FRANCE_SERVICES"])
    PlaceFactory(name="Week-end", opening_hours="Sa-Su 10:00-18:00", fees=["GRATUIT_SOUS_CONDITION"])
    PlaceFactory(name="Fermé", status=PlaceStatus.CLOSED)

    assert names(search(where="Aurillac")) == ["Tout", "Week-end"]
    assert names(search(where="Aurillac", open_now=1)) == ["Tout"]
    assert names(search(where="Aurillac", open_on="2026-11-28")) == ["Week-end"]  # a Saturday
    assert names(search(where="Aurillac", accessible=1)) == ["Tout"]
    assert names(search(where="Aurillac", free=1)) == ["Tout"]
    assert names(search(where="Aurillac", label="FRANCE_SERVICES")) == ["Tout"]


def test_no_result_near_the_point_suggests_wider_radii_and_the_nearest_places_anyway():
    PlaceFactory(name="Au nord", latitude=45.2, longitude=2.44)  # ~30 km from Aurillac

    outcome = search(where="Aurillac", radius=5)

    assert outcome.count == 0
    assert outcome.wider_radii == [10, 20, 50, 100]
    assert [item.entry.name for item in outcome.nearest] == ["Au nord"]
    assert 29 < outcome.nearest[0].distance_km < 32


def test_a_question_stops_the_search_until_answered():
    PlaceFactory()
    outcome = search(where="15130")
    assert not outcome.searched and outcome.where.choices
    unknown = search(where="Zzyzxville")
    assert not unknown.searched
    assert "Commune inconnue" in unknown.errors["where"]


def test_pages_of_20_nearest_first():
    for n in range(25):
        PlaceFactory(name=f"Lieu {n:02d}", latitude=44.93 + n * 0.001)
    first, second = search(where="Aurillac"), search(where="Aurillac", page=2)
    assert (first.count, first.pages, len(first.items), len(second.items)) == (25, 2, 20, 5)
    assert second.first_rank == 21
    assert search(where="Aurillac", page=99).page == 2


def test_the_map_payload_has_every_result_and_clusters_beyond_the_limit(monkeypatch):
    for n in range(30):
        PlaceFactory(name=f"Lieu {n:02d}", latitude=44.9 + n * 0.01)
    PlaceFactory(name="Sans position", latitude=None, longitude=None)

    payload = directory.map_payload(search(where="cantal"))

    assert payload["count"] == 31
    assert len(payload["points"]) == 30 and payload["clusters"] == []
    lat, lon, hex_id, name, approximate = payload["points"][0]
    assert (name, len(hex_id), approximate) == ("Lieu 00", 32, 0)

    monkeypatch.setattr(directory, "MAP_MAX_POINTS", 10)
    clustered = directory.map_payload(search(where="cantal"))
    assert clustered["points"] == []
    assert sum(cell[2] for cell in clustered["clusters"]) == 30
    assert len(clustered["clusters"]) < 30
