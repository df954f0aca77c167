"""Coverage analyses on the registry: the command, the API, stored runs and bad input."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from odf.opendocument import load as load_ods
from odf.table import Table, TableRow

from relais.core.errors import DomainError, NotFound
from relais.coverage import exact as exact_mip
from relais.coverage.figures import map_data
from relais.coverage.models import CoverageRun
from relais.coverage.services import CoverageParams, parse_territory, run_coverage
from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def place_at(code, **kwargs):
    commune = Commune.objects.get(code_insee=code)
    return PlaceFactory(commune=commune, latitude=commune.latitude, longitude=commune.longitude, **kwargs)


def test_a_commune_hosting_a_place_is_at_zero_km_and_far_ones_are_white_zones():
    place_at("15014", labels=["FRANCE_SERVICES"])
    result = run_coverage(CoverageParams(territory="dep:15", radius_km=10))
    by_code = {c["code_insee"]: c for c in result.communes}
    assert by_code["15014"]["nearest_km"] == 0
    assert by_code["15014"]["white_zone"] is False
    assert by_code["15138"]["white_zone"] is True  # Murat, ~45 km from Aurillac
    assert by_code["15138"]["minutes_approx"] == round(by_code["15138"]["road_km_approx"] / 50 * 60)
    head = result.summary[0]
    assert head["scope"] == "territoire" and head["name"] == "Cantal"
    covered = sum(c["population"] for c in result.communes if c["nearest_km"] <= 10)
    assert head["covered_10km"] == covered
    assert head["population"] == sum(c["population"] for c in result.communes)


def test_communes_without_coordinates_are_reported_excluded_and_counted():
    place_at("15014")
    result = run_coverage(CoverageParams(territory="dep:15"))
    assert result.excluded == ["15031", "15035", "15047", "15171"]
    assert all(c["code_insee"] not in result.excluded for c in result.communes)


def test_a_recommendation_is_explained_and_bounded_and_the_run_is_stored():
    place_at("15014")
    result = run_coverage(CoverageParams(territory="dep:15", radius_km=10, recommend=3), save=True)
    assert [r["rank"] for r in result.recommended] == [1, 2, 3]
    gains = [r["newly_covered"] for r in result.recommended]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    rec = result.recommendation
    assert rec["covered_before"] + sum(gains) == rec["covered_after"] <= rec["upper_bound"]
    run = CoverageRun.objects.get()
    assert run.parameters["territory"] == "dep:15"
    assert run.place_count == 1
    assert run.recommended == result.recommended


def test_filters_restrict_the_places_counted():
    place_at("15014", labels=["FRANCE_SERVICES"])
    place_at("15138")
    everything = run_coverage(CoverageParams(territory="dep:15"), save=False)
    france_services = run_coverage(CoverageParams(territory="dep:15", label="FRANCE_SERVICES"), save=False)
    assert france_services.place_count == 1
    assert everything.summary[0]["covered_10km"] > france_services.summary[0]["covered_10km"]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"territory": "dep:99"}, NotFound, "département inconnu"),
        ({"territory": "canton:1"}, DomainError, "mal écrit"),
        ({"radius_km": 0}, DomainError, "rayon"),
        ({"radius_km": 500}, DomainError, "rayon"),
        ({"recommend": -1}, DomainError, "positif"),
        ({"territory": "epci:200066637", "recommend": 10_000}, DomainError, "impossible de recommander"),
    ],
)
def test_bad_parameters_get_a_french_message(params, error, message):
    place_at("15014")
    with pytest.raises(error, match=message):
        run_coverage(CoverageParams(**params))


def test_no_place_in_the_registry_is_a_clear_error():
    with pytest.raises(DomainError, match="aucun lieu"):
        run_coverage(CoverageParams(territory="dep:15"))


def test_territory_parsing_accepts_regions_and_epci():
    assert parse_territory("reg:84").name == "Auvergne-Rhône-Alpes"
    assert parse_territory("epci:200066637").kind == "epci"
    assert parse_territory("").label == "France"


def test_the_command_writes_the_three_files(tmp_path):
    place_at("15014")
    out = io.StringIO()
    call_command(
        "coverage",
        territory="dep:15",
        radius_km=10,
        recommend=2,
        output=str(tmp_path),
        stdout=out,
        stderr=io.StringIO(),
        verbosity=0,
    )
    assert "territory=Cantal" in out.getvalue()
    with open(tmp_path / "communes.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == 246 and {"code_insee", "nearest_km"} <= set(rows[0])
    assert (tmp_path / "summary.csv").exists()
    with open(tmp_path / "recommended.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle, delimiter=";"))) == 2
    sheets = load_ods(str(tmp_path / "coverage.ods")).spreadsheet.getElementsByType(Table)
    assert [t.getAttribute("name") for t in sheets] == ["communes", "summary", "recommended"]
    assert len(sheets[0].getElementsByType(TableRow)) == 246 + 1
    geojson = json.loads((tmp_path / "communes.geojson").read_text(encoding="utf-8"))
    assert len(geojson["features"]) == 246
    assert sum(1 for f in geojson["features"] if f["properties"]["recommended_rank"]) == 2


def test_the_command_fails_with_the_reason(tmp_path):
    with pytest.raises(CommandError, match="aucun lieu"):
        call_command("coverage", output=str(tmp_path), stdout=io.StringIO(), verbosity=0)


def test_the_api_answers_with_the_summary_and_refuses_bad_input_in_french(client):
    place_at("15014")
    body = client.get("/api/coverage", {"territory": "dep:15", "recommend": 2}).json()
    assert body["territory"] == "Cantal"
    assert body["summary"][0]["covered_10km"] > 0
    assert len(body["recommended"]) == 2
    assert "approximations" in body["approximations"]
    bad = client.get("/api/coverage", {"territory": "dep:15", "radius_km": 500})
    assert bad.status_code == 400
    assert "rayon" in bad.json()["detail"]
    unknown = client.get("/api/coverage", {"territory": "reg:99"})
    assert unknown.status_code == 404


def test_exact_mode_proves_the_optimum_on_a_small_territory():
    place_at("15014")
    result = run_coverage(
        CoverageParams(territory="epci:200066637", recommend=2, exact=True, time_limit_s=20)
    )
    rec = result.recommendation
    assert rec["proven_optimal"] is True
    assert rec["solver"] == "cbc"
    assert rec["covered_after"] == rec["upper_bound"]


def test_exact_mode_falls_back_to_highs_where_cbc_cannot_run(monkeypatch):
    place_at("15014")
    monkeypatch.setattr(exact_mip, "available", lambda: False)
    result = run_coverage(
        CoverageParams(territory="epci:200066637", recommend=2, exact=True, time_limit_s=20), save=False
    )
    assert result.recommendation["solver"] == "highs"
    assert result.recommendation["proven_optimal"] is True


def test_exact_mode_and_spacing_do_not_go_together():
    place_at("15014")
    with pytest.raises(DomainError, match="espacement"):
        run_coverage(CoverageParams(territory="dep:15", recommend=2, exact=True, min_spacing_km=5))


def test_the_distance_to_each_typology_matches_an_analysis_restricted_to_it():
    place_at("15014", typologies=["FABLAB", "COWORKING"])
    place_at("15138", typologies=["COWORKING"])
    place_at("15187", typologies=["EPN"])  # Saint-Flour: an EPN is not a tiers-lieux typology
    result = run_coverage(CoverageParams(territory="dep:15", radius_km=10), save=False)
    rows = {row["code"]: row for row in result.by_typology}
    assert rows["FABLAB"]["places"] == 1 and rows["COWORKING"]["places"] == 2
    assert rows["EPN"]["places"] == 1  # EPN is one of the tiers-lieux typologies of the vocabulary
    assert rows["GARAGE_SOLIDAIRE"] == {
        "code": "GARAGE_SOLIDAIRE",
        "name": "Garage solidaire",
        "places": 0,
        "mean_km": None,
        "covered": 0,
        "share": 0.0,
        # Issue 11 §4: how many places of the typology the territory holds and within reach of it.
        "places_in_territory": 0,
        "places_nearby": 0,
        "few": True,
    }
    for code in ("FABLAB", "COWORKING"):
        only = run_coverage(CoverageParams(territory="dep:15", radius_km=10, typology=code), save=False)
        head = only.summary[0]
        assert rows[code]["mean_km"] == head["mean_km"]
        assert rows[code]["covered"] == head["covered_10km"]
        assert rows[code]["share"] == head["share_10km"]
    assert rows["COWORKING"]["covered"] > rows["FABLAB"]["covered"]
    # Every place, whatever the typology: the same as the analysis itself when it is not filtered.
    assert result.summary[0]["covered_10km"] >= rows["COWORKING"]["covered"]


def test_the_analysis_can_be_restricted_to_a_typology_or_a_service():
    place_at("15014", typologies=["FABLAB"], services=["DEMARCHES"])
    place_at("15138", typologies=["COWORKING"])
    assert run_coverage(CoverageParams(territory="dep:15", typology="FABLAB"), save=False).place_count == 1
    assert run_coverage(CoverageParams(territory="dep:15", service="DEMARCHES"), save=False).place_count == 1
    with pytest.raises(DomainError, match="aucun lieu ouvert et positionné au registre avec ces filtres"):
        run_coverage(CoverageParams(territory="dep:15", typology="JARDIN_PARTAGE"), save=False)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"typology": "PISCINE"}, "typologie inconnue : « PISCINE »"),
        ({"service": "NAGE"}, "service inconnu : « NAGE »"),
        ({"label": "ETOILE"}, "label inconnu : « ETOILE »"),
    ],
)
def test_unknown_filter_codes_are_named_in_french(filters, message):
    place_at("15014")
    with pytest.raises(DomainError, match=message):
        run_coverage(CoverageParams(territory="dep:15", **filters), save=False)


def test_the_api_filters_by_typology_and_gives_the_breakdown(client):
    place_at("15014", typologies=["FABLAB"])
    place_at("15138", typologies=["COWORKING"])
    body = client.get("/api/coverage", {"territory": "dep:15", "typology": "FABLAB"}).json()
    assert body["place_count"] == 1
    rows = {row["code"]: row for row in body["by_typology"]}
    assert rows["FABLAB"]["places"] == 1 and rows["COWORKING"]["places"] == 1
    assert sum(b["population"] for b in body["bands"]) == body["summary"][0]["population"]
    bad = client.get("/api/coverage", {"territory": "dep:15", "service": "NAGE"})
    assert bad.status_code == 400
    assert "service inconnu : « NAGE »." in bad.json()["detail"]


def test_the_map_of_all_france_opens_on_metropolitan_france_but_keeps_the_outre_mer():
    place_at("15014")
    result = run_coverage(CoverageParams(territory=""), save=False)
    data = map_data(result)
    (south, west), (north, east) = data["bounds"]
    assert 41.3 < south < 41.5 and -5.2 < west < -5.0 and 51.0 < north < 51.2 and 9.5 < east < 9.6
    assert len(data["communes"]) == len(result.communes)
    assert any(row[0].startswith("974") for row in data["communes"])  # La Réunion is drawn all the same


def test_the_api_answers_without_storing_a_run(client):
    place_at("15014")
    for _ in range(3):
        body = client.get("/api/coverage", {"territory": "dep:15", "recommend": 2}).json()
        assert body["run"] is None
    assert CoverageRun.objects.count() == 0


def test_an_analysis_is_stored_only_when_asked():
    place_at("15014")
    shown = run_coverage(CoverageParams(territory="dep:15", recommend=2))
    assert shown.run is None and CoverageRun.objects.count() == 0
    kept = run_coverage(CoverageParams(territory="dep:15", recommend=2), save=True)
    run = CoverageRun.objects.get()
    assert kept.run == run and run.kept_by is None
    assert run.summary["territory"] == kept.summary[0]
    assert run.summary["recommendation"] == kept.recommendation
    assert run.parameters["thresholds_km"] == [5, 10, 20]
    assert run.parameters["distance_source"] == "great-circle"
    assert run.commune_count == len(kept.communes) == 246
    assert run.excluded_communes == kept.excluded


def test_the_command_stores_its_run_and_says_its_number(tmp_path):
    place_at("15014")
    out = io.StringIO()
    call_command("coverage", territory="dep:15", output=str(tmp_path), stdout=out, verbosity=0)
    run = CoverageRun.objects.get()
    assert f"run={run.pk}" in out.getvalue()
    assert run.kept_by is None
