import numpy as np
import pytest

from relais.core.errors import DomainError, NotFound
from relais.core.text import normalize_name
from relais.territory.geo import haversine_km
from relais.territory.models import Commune
from relais.territory.services import (
    DbCommuneLookup,
    communes_for_postal_code,
    communes_within,
    get_commune,
    memory_commune_lookup,
    nearest_communes,
    resolve_commune,
    search_communes,
)

pytestmark = pytest.mark.django_db


def test_saint_etienne_typed_without_accents_finds_the_prefecture_first():
    results = search_communes("saint etienne")
    assert results[0].code_insee == "42218"


def test_abbreviated_saint_finds_the_same_commune():
    assert search_communes("st-etienne")[0].code_insee == "42218"


def test_postal_code_shared_by_several_communes_lists_them_by_population():
    communes = communes_for_postal_code("15300")
    assert len(communes) > 1
    assert [c.population for c in communes] == sorted((c.population for c in communes), reverse=True)


def test_arrondissement_code_leads_to_the_current_commune():
    assert get_commune("75101").code_insee == "75056"


def test_unknown_insee_code_is_reported_in_french():
    with pytest.raises(NotFound, match="code INSEE inconnu"):
        get_commune("99999")


def test_postal_code_that_does_not_match_the_commune_is_refused():
    with pytest.raises(DomainError, match="ne correspond pas à la commune Aurillac"):
        resolve_commune(code_insee="15014", postal_code="75001")


# --- Postal codes --------------------------------------------------------------------------------------


def test_a_postal_code_of_one_commune_gives_that_commune():
    assert [c.code_insee for c in communes_for_postal_code("42000")] == ["42218"]
    assert [c.code_insee for c in communes_for_postal_code(" 97400 ")] == ["97411"]


def test_a_shared_postal_code_puts_the_largest_commune_first():
    assert [c.code_insee for c in communes_for_postal_code("15000")] == ["15014", "15267"]  # Aurillac, Ytrac


def test_every_arrondissement_postal_code_of_paris_leads_to_paris():
    for arrondissement in range(1, 21):
        assert [c.code_insee for c in communes_for_postal_code(f"750{arrondissement:02d}")] == ["75056"]


@pytest.mark.parametrize("text", ["1500", "150000", "15OOO", "", "2A004"])
def test_a_malformed_postal_code_is_refused_with_a_french_message(text):
    with pytest.raises(DomainError, match="n'est pas un code postal \\(5 chiffres\\)") as caught:
        communes_for_postal_code(text)
    assert caught.value.field == "code_postal"


def test_an_unknown_postal_code_is_reported_as_not_found():
    with pytest.raises(NotFound, match="code postal inconnu : « 00000 »"):
        communes_for_postal_code("00000")


def test_a_shared_postal_code_alone_does_not_pick_a_commune():
    with pytest.raises(DomainError, match="partagé par 2 communes : précisez le code INSEE"):
        resolve_commune(postal_code="15000")


def test_a_shared_postal_code_and_a_name_pick_the_commune():
    assert resolve_commune(postal_code="15000", name="ytrac").code_insee == "15267"


def test_a_name_that_does_not_match_the_postal_code_is_refused():
    with pytest.raises(DomainError, match="ne correspond pas au code postal 15000") as caught:
        resolve_commune(postal_code="15000", name="Murat")
    assert caught.value.field == "commune"


def test_a_postal_code_of_the_commune_is_accepted_with_its_insee_code():
    assert resolve_commune(code_insee="42218", postal_code="42100").code_insee == "42218"


# --- Codes and names -------------------------------------------------------------------------------


def test_a_corsican_insee_code_is_found_whatever_its_case():
    assert get_commune("2a004").name == "Ajaccio"
    assert search_communes("2a004")[0].code_insee == "2A004"


def test_an_old_commune_code_leads_to_the_current_commune():
    # 01003 (Nivollet-Montgriffon) merged into Valromey-sur-Séran (01165).
    assert get_commune("01003").code_insee == "01165"


def test_a_malformed_insee_code_is_refused():
    with pytest.raises(DomainError, match="n'est pas un code INSEE de commune") as caught:
        resolve_commune(code_insee="4221")
    assert caught.value.field == "code_insee"


def test_a_postal_code_typed_in_the_search_finds_its_communes():
    assert [c.code_insee for c in search_communes("15000")] == ["15014", "15267"]


def test_homonyms_come_first_largest_first_and_show_their_departement():
    results = search_communes("Saint Denis", limit=10)
    exact = [c for c in results if c.search_name == "saint denis"]
    assert results[: len(exact)] == exact, "exact names before longer ones"
    assert [str(c) for c in exact] == [
        "Saint-Denis (974)",
        "Saint-Denis (93)",
        "Saint-Denis (11)",
        "Saint-Denis (30)",
    ]


def test_a_homonym_alone_is_not_enough_to_pick_a_commune():
    with pytest.raises(DomainError, match="plusieurs communes s'appellent « Saint-Denis »"):
        resolve_commune(name="Saint-Denis")
    assert resolve_commune(name="Saint-Denis", postal_code="93200").code_insee == "93066"


def _rank(search_name, needle):
    if search_name == needle:
        return 0
    if search_name.startswith(needle + " "):
        return 1
    if search_name.startswith(needle):
        return 2
    return 3


@pytest.mark.parametrize("query", ["Lyon", "saint etienne", "Aurillac", "st-denis", "ville"])
def test_name_search_ranks_exact_then_prefix_then_contained_names(query):
    needle = normalize_name(query)
    results = search_communes(query, limit=200)
    assert results, query
    assert all(needle in c.search_name for c in results)
    keys = [(_rank(c.search_name, needle), -c.population, c.code_insee) for c in results]
    assert keys == sorted(keys)


def test_lyon_itself_comes_before_lyons_la_foret_and_sainte_foy_les_lyon():
    names = [c.name for c in search_communes("lyon", limit=20)]
    assert names[0] == "Lyon"
    assert names.index("Lyons-la-Forêt") < names.index("Sainte-Foy-lès-Lyon")


def test_an_empty_or_punctuation_only_search_finds_nothing():
    assert search_communes("") == []
    assert search_communes(" - ' ") == []


def test_unknown_name_is_reported_in_french():
    with pytest.raises(NotFound, match="commune inconnue : « Trifouilly-les-Oies »"):
        resolve_commune(name="Trifouilly-les-Oies")


def test_memory_lookups_resolve_addresses_like_the_database_ones():
    memory, database = memory_commune_lookup(), DbCommuneLookup()
    cases = [
        {"code_insee": "15014", "postal_code": "15000"},
        {"code_insee": "75101"},
        {"code_insee": "01003"},
        {"postal_code": "15000", "name": "Ytrac"},
        {"postal_code": "42000"},
        {"name": "Saint-Étienne"},
        {"code_insee": "15014", "postal_code": "75001"},
        {"postal_code": "15000"},
        {"name": "Saint-Denis"},
        {"code_insee": "99999"},
    ]

    def outcome(case, lookup):
        try:
            return resolve_commune(**case, lookup=lookup).code_insee
        except DomainError as exc:
            return (type(exc).__name__, exc.field, exc.message)

    for case in cases:
        assert outcome(case, memory) == outcome(case, database), case


# --- Spatial lookups -----------------------------------------------------------------------------


def _brute_force_within(lat, lon, radius_km):
    rows = list(Commune.objects.with_coordinates().values_list("code_insee", "latitude", "longitude"))
    distances = haversine_km(lat, lon, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    return sorted((float(d), r[0]) for r, d in zip(rows, distances, strict=True) if d <= radius_km)


@pytest.mark.parametrize(
    ("lat", "lon", "radius_km"),
    [(44.93032, 2.44495, 12), (45.43959, 4.38748, 5), (-20.87897, 55.44863, 15), (45.10, 2.80, 20)],
    ids=["aurillac", "saint-etienne", "saint-denis-reunion", "cantal-without-coordinates"],
)
def test_communes_within_a_radius_are_those_a_full_scan_finds_nearest_first(lat, lon, radius_km):
    found = communes_within(lat, lon, radius_km)
    expected = _brute_force_within(lat, lon, radius_km)
    assert [code for code, _ in found] == [code for _, code in expected]
    assert [d for _, d in found] == pytest.approx([d for d, _ in expected], abs=1e-6)
    assert len(found) >= 3


def test_the_nearest_commune_to_a_town_hall_is_its_commune():
    (code, distance), *_ = nearest_communes(44.93032, 2.44495, k=3)
    assert (code, distance) == ("15014", pytest.approx(0, abs=1e-6))


def test_nearest_communes_are_sorted_and_match_a_full_scan():
    found = nearest_communes(45.10, 2.80, k=8)
    expected = _brute_force_within(45.10, 2.80, 50)[:8]
    assert [code for code, _ in found] == [code for _, code in expected]
    assert [d for _, d in found] == sorted(d for _, d in found)


def test_communes_without_coordinates_are_never_found_by_distance():
    without = {"15031", "15035", "15047", "15171"}
    assert not without & {code for code, _ in communes_within(45.10, 2.80, 60)}
