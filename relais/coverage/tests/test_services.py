"""Coverage analyses on the registry: the command, the API, stored runs and bad input."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from odf.opendocument import load as load_ods
from odf.table import Table, TableRow

from relais.core.errors import DomainError, NotFound
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
    result = run_coverage(CoverageParams(territory="dep:15", radius_km=10, recommend=3))
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
    assert rec["covered_after"] == rec["upper_bound"]


def test_exact_mode_and_spacing_do_not_go_together():
    place_at("15014")
    with pytest.raises(DomainError, match="espacement"):
        run_coverage(CoverageParams(territory="dep:15", recommend=2, exact=True, min_spacing_km=5))
