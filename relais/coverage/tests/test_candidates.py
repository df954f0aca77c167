"""Issue 11 §4: the person restricts where recommended sites may go (minimum population, a list of communes,
communes already covered left out); the restriction is honoured and the proven bound still holds."""

import csv
import io
import itertools
import re

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.core.errors import DomainError
from relais.coverage import engine
from relais.coverage.candidates import split_communes
from relais.coverage.models import CoverageRun
from relais.coverage.services import CoverageParams, run_coverage
from relais.territory.geo import haversine_km
from relais.territory.models import Commune
from relais.testing import PlaceFactory

from .test_engine import random_instance


def brute_force_among(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, allowed):
    """The best weight k of the allowed candidates can cover (no existing place)."""
    reach = [haversine_km(demand_lat, demand_lon, cand_lat[j], cand_lon[j]) <= radius for j in allowed]
    best = 0.0
    for combo in itertools.combinations(range(len(allowed)), min(k, len(allowed))):
        covered = np.zeros(len(weights), dtype=bool)
        for j in combo:
            covered |= reach[j]
        best = max(best, float(weights[covered].sum()))
    return best


# --- The engine: a candidate mask ---------------------------------------------------------------------


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 3),
    radius=st.sampled_from([4.0, 8.0, 12.0]),
    data=st.data(),
)
def test_the_engine_picks_only_allowed_candidates_and_its_bound_holds_for_them(seed, k, radius, data):
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(seed, n_candidates=10)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=10, max_size=10)), dtype=bool)
    if mask.sum() < k:
        mask[:k] = True
    allowed = np.flatnonzero(mask)
    result = engine.recommend_sites(
        demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, candidate_mask=mask
    )
    assert set(result.chosen) <= set(allowed.tolist())
    optimum = brute_force_among(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, allowed)
    # The answer never beats the best restricted choice, and the bound is never below it.
    assert result.covered_weight <= optimum + 1e-6 <= result.upper_bound + 2e-6
    if result.exact:
        assert result.covered_weight == pytest.approx(optimum)


def test_a_mask_that_allows_everything_changes_nothing():
    instance = random_instance(3, n_candidates=12)
    plain = engine.recommend_sites(*instance, 8.0, 3)
    masked = engine.recommend_sites(*instance, 8.0, 3, candidate_mask=np.ones(12, dtype=bool))
    assert masked.chosen == plain.chosen and masked.upper_bound == plain.upper_bound


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (np.ones(3, dtype=bool), "one value per candidate"),
        (np.ones(12), "booleans"),
        (np.zeros(12, dtype=bool), "k must be"),
    ],
)
def test_a_bad_mask_is_refused(mask, message):
    with pytest.raises(ValueError, match=message):
        engine.recommend_sites(*random_instance(3, n_candidates=12), 8.0, 2, candidate_mask=mask)


def test_lists_of_communes_are_split_on_lines_commas_and_semicolons():
    assert split_communes(" 15014, Saint-Flour\n\nMurat ;15014\r\nMauriac ") == (
        "15014",
        "Saint-Flour",
        "Murat",
        "Mauriac",
    )
    assert split_communes("") == ()


# --- The analysis: the person's restrictions ------------------------------------------------------------


def aurillac_place():
    aurillac = Commune.objects.get(code_insee="15014")
    return PlaceFactory(commune=aurillac, latitude=aurillac.latitude, longitude=aurillac.longitude)


def populations(result):
    return dict(Commune.objects.filter(department_id="15").values_list("code_insee", "population"))


@pytest.mark.django_db
def test_a_minimum_population_keeps_hamlets_out_of_the_recommendation():
    aurillac_place()
    anywhere = run_coverage(CoverageParams(territory="dep:15", recommend=5))
    towns = run_coverage(CoverageParams(territory="dep:15", recommend=5, candidate_min_population=500))
    population = populations(towns)
    assert any(population[r["code_insee"]] < 500 for r in anywhere.recommended)  # hamlets, by default
    assert len(towns.recommended) == 5
    assert all(population[r["code_insee"]] >= 500 for r in towns.recommended)
    eligible = Commune.objects.filter(department_id="15", population__gte=500, latitude__isnull=False)
    rec = towns.recommendation
    assert rec["candidates"] == eligible.count() < anywhere.recommendation["candidates"] == 246
    # The bound is proven for the restricted choice: the answer stays below it and the unrestricted one.
    assert rec["covered_after"] <= rec["upper_bound"]
    assert rec["covered_after"] <= anywhere.recommendation["upper_bound"]


@pytest.mark.django_db
def test_a_list_of_communes_by_code_or_name_is_the_only_choice():
    aurillac_place()
    listed = ("15138", "Saint-Flour", "mauriac", "Riom-ès-Montagnes (15162)", "Allanche")
    result = run_coverage(CoverageParams(territory="dep:15", recommend=3, candidate_communes=listed))
    allowed = {"15138", "15187", "15120", "15162", "15001"}
    assert {r["code_insee"] for r in result.recommended} <= allowed
    assert len(result.recommended) == 3
    assert result.recommendation["candidates"] == 5
    assert result.recommendation["covered_after"] <= result.recommendation["upper_bound"]


@pytest.mark.django_db
def test_communes_already_covered_can_be_left_out():
    aurillac_place()
    result = run_coverage(CoverageParams(territory="dep:15", recommend=3, candidate_exclude_covered=True))
    distance = {c["code_insee"]: c["nearest_km"] for c in result.communes}
    assert all(distance[r["code_insee"]] > 10 for r in result.recommended)
    uncovered = sum(1 for c in result.communes if c["nearest_km"] > 10)
    assert result.recommendation["candidates"] == uncovered


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"candidate_min_population": -1}, "candidate_min_population", "population minimale"),
        ({"candidate_min_population": None}, "candidate_min_population", "un nombre entier entre 0"),
        ({"candidate_communes": ("Atlantide",)}, "candidate_communes", "aucune commune « Atlantide »"),
        ({"candidate_communes": ("69123",)}, "candidate_communes", "Lyon (69123) est hors du territoire"),
        ({"candidate_communes": ("99999",)}, "candidate_communes", "code INSEE 99999 inconnu"),
        ({"candidate_communes": ("15031",)}, "candidate_communes", "15031 n'a pas de coordonnées"),
        (
            {"candidate_communes": ("Atlantide", "Murat", "Lemurie")},
            "candidate_communes",
            "2 communes non reconnues",
        ),
        ({"candidate_min_population": 2_000_000}, "candidate_min_population", "aucune commune candidate"),
        (
            {"candidate_communes": ("15014", "15138")},
            "recommend",
            "impossible de recommander 3 sites parmi 2",
        ),
    ],
)
def test_bad_restrictions_get_a_french_message_naming_the_field(params, field, message):
    aurillac_place()
    with pytest.raises(DomainError, match=re.escape(message)) as caught:
        run_coverage(CoverageParams(territory="dep:15", recommend=3, **params))
    assert caught.value.field == field


@pytest.mark.django_db
def test_a_name_shared_by_two_communes_asks_for_the_code():
    aurillac_place()
    with pytest.raises(DomainError, match="plusieurs communes s'appellent « Ally » : donnez son code INSEE"):
        run_coverage(CoverageParams(territory="reg:84", recommend=1, candidate_communes=("Ally",)))


@pytest.mark.django_db
def test_the_api_takes_the_restrictions_and_states_their_limits(client):
    aurillac_place()
    body = client.get(
        "/api/coverage",
        {"territory": "dep:15", "recommend": 2, "candidate_min_population": 500},
    ).json()
    population = populations(None)
    assert all(population[r["code_insee"]] >= 500 for r in body["recommended"])
    listed = client.get(
        "/api/coverage",
        {"territory": "dep:15", "recommend": 1, "candidate_communes": "Murat, 15187"},
    ).json()
    assert listed["recommended"][0]["code_insee"] in {"15138", "15187"}
    bad = client.get(
        "/api/coverage", {"territory": "dep:15", "recommend": 1, "candidate_communes": "Atlantide"}
    )
    assert bad.status_code == 400
    assert "aucune commune « Atlantide »" in bad.json()["detail"]
    negative = client.get("/api/coverage", {"territory": "dep:15", "candidate_min_population": -5})
    assert negative.status_code == 400 and "population minimale" in negative.json()["detail"]
    parameters = {
        p["name"]: p["schema"]
        for p in client.get("/api/openapi.json").json()["paths"]["/api/coverage"]["get"]["parameters"]
    }
    assert parameters["candidate_min_population"]["minimum"] == 0
    assert parameters["candidate_min_population"]["maximum"] == 3_000_000
    assert parameters["candidate_communes"]["maxLength"] == 40_000
    assert parameters["candidate_exclude_covered"]["type"] == "boolean"
    assert CoverageRun.objects.count() == 0


@pytest.mark.django_db
def test_the_command_takes_the_restrictions(tmp_path):
    aurillac_place()
    out = io.StringIO()
    call_command(
        "coverage",
        territory="dep:15",
        recommend=3,
        candidate_min_population=500,
        candidate_exclude_covered=True,
        output=str(tmp_path),
        stdout=out,
        verbosity=0,
    )
    with open(tmp_path / "recommended.csv", encoding="utf-8") as handle:
        picks = [row["code_insee"] for row in csv.DictReader(handle, delimiter=";")]
    population = populations(None)
    assert len(picks) == 3 and all(population[code] >= 500 for code in picks)
    run = CoverageRun.objects.get()
    assert run.parameters["candidate_min_population"] == 500
    assert run.parameters["candidate_exclude_covered"] is True
    assert "candidates=" in out.getvalue()
    with pytest.raises(CommandError, match="aucune commune « Atlantide »"):
        call_command(
            "coverage",
            territory="dep:15",
            recommend=1,
            candidate_communes="Atlantide",
            output=str(tmp_path),
            stdout=io.StringIO(),
            verbosity=0,
        )


@pytest.mark.django_db
def test_the_page_offers_the_restrictions_and_says_which_apply(client):
    aurillac_place()
    query = {
        "territory": "dep:15",
        "recommend": "3",
        "candidate_min_population": "500",
        "candidate_communes": "Murat\nSaint-Flour, Mauriac, Pleaux, 15162",
    }
    response = client.get("/maillage/", query)
    html = response.content.decode()
    assert '<label for="candidate_min_population">Population minimale de la commune</label>' in html
    assert 'id="candidate_min_population" name="candidate_min_population"' in html and 'value="500"' in html
    assert ">Murat\nSaint-Flour\nMauriac\nPleaux\n15162</textarea>" in html
    assert 'name="candidate_exclude_covered" value="1">' in html
    assert "5 communes candidates (au moins 500 habitants ; parmi les 5 communes de la liste)." in html
    result = response.context["result"]
    assert {r["code_insee"] for r in result.recommended} <= {"15138", "15187", "15120", "15153", "15162"}
    fields = dict(response.context["keep_fields"])
    assert fields["candidate_min_population"] == 500
    assert fields["candidate_communes"] == "Murat, Saint-Flour, Mauriac, Pleaux, 15162"
    map_url = response.context["map_url"]
    assert "candidate_min_population=500" in map_url and "candidate_communes=Murat" in map_url
    unreadable = client.get("/maillage/", {**query, "candidate_min_population": "beaucoup"})
    assert "population minimale des communes candidates" in unreadable.content.decode()
    assert CoverageRun.objects.count() == 0
