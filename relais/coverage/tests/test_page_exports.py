"""Issue 11 §4: the coverage page offers the files the `coverage` command writes, for the analysis shown, to
anyone who can see the page; nothing is stored."""

import html as html_lib
import io
import json
import re

import pytest
from odf.opendocument import load as load_ods
from odf.table import Table, TableRow

from relais.coverage import views
from relais.coverage.exports import write_exports
from relais.coverage.models import CoverageRun
from relais.coverage.services import run_coverage
from relais.coverage.views import params_from_query
from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

QUERY = {"territory": "dep:15", "radius_km": "10", "recommend": "2", "candidate_min_population": "500"}


@pytest.fixture
def aurillac():
    commune = Commune.objects.get(code_insee="15014")
    return PlaceFactory(commune=commune, latitude=commune.latitude, longitude=commune.longitude)


def download_urls(client, query):
    page = client.get("/maillage/", query).content.decode()
    paragraph = re.search(r'<p class="coverage-downloads">(.*?)</p>', page, re.S).group(1)
    return paragraph, {
        html_lib.unescape(url).split("?")[0].rsplit("/", 1)[1]: html_lib.unescape(url)
        for url in re.findall(r'<a href="([^"]+)" download>', paragraph)
    }


def test_the_page_links_to_each_file_with_its_current_parameters(client, aurillac):
    paragraph, urls = download_urls(client, QUERY)
    assert paragraph.startswith("Télécharger : ")
    assert list(urls) == [
        "communes.csv",
        "summary.csv",
        "recommended.csv",
        "coverage.ods",
        "communes.geojson",
    ]
    for url in urls.values():
        assert url.endswith("?territory=dep%3A15&radius_km=10&recommend=2&candidate_min_population=500")
    assert ">CSV des communes</a>" in paragraph and ">ODS (tous les tableaux)</a>" in paragraph
    assert ">GeoJSON des communes</a>" in paragraph
    # Without a recommendation there is no recommended.csv to offer.
    _, plain = download_urls(client, {"territory": "dep:15"})
    assert "recommended.csv" not in plain


def test_the_files_are_those_the_command_writes_and_nothing_is_stored(client, aurillac, tmp_path):
    _, urls = download_urls(client, QUERY)
    write_exports(run_coverage(params_from_query(QUERY)), tmp_path)
    for name in ("communes.csv", "summary.csv", "recommended.csv"):
        response = client.get(urls[name])
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="maillage-dep-15-{name}"'
        assert response.content == (tmp_path / name).read_bytes()

    ods = client.get(urls["coverage.ods"])
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    sheets = load_ods(io.BytesIO(ods.content)).spreadsheet.getElementsByType(Table)
    written = load_ods(str(tmp_path / "coverage.ods")).spreadsheet.getElementsByType(Table)
    assert [t.getAttribute("name") for t in sheets] == ["communes", "summary", "recommended"]
    for got, expected in zip(sheets, written, strict=True):
        assert [str(r) for r in got.getElementsByType(TableRow)] == [
            str(r) for r in expected.getElementsByType(TableRow)
        ]
    assert len(sheets[0].getElementsByType(TableRow)) == 246 + 1

    geojson = client.get(urls["communes.geojson"])
    assert geojson["Content-Type"] == "application/geo+json"
    features = json.loads(geojson.content)["features"]
    assert features == json.loads((tmp_path / "communes.geojson").read_text(encoding="utf-8"))["features"]
    assert sum(1 for f in features if f["properties"]["recommended_rank"]) == 2
    assert CoverageRun.objects.count() == 0  # neither the page nor its downloads store a run


def test_a_visitor_may_download_and_bad_requests_get_a_french_reason(client, aurillac):
    assert not client.session.get("_auth_user_id")
    ok = client.get("/maillage/telecharger/communes.csv", {"territory": "dep:15"})
    assert ok.status_code == 200 and ok.content.startswith(b"code_insee;name;")
    bad = client.get("/maillage/telecharger/communes.csv", {"territory": "dep:15", "radius_km": "900"})
    assert bad.status_code == 400
    assert "le rayon doit être compris entre 0 et 200 km" in bad.content.decode()
    assert client.get("/maillage/telecharger/communes.csv", {"territory": "dep:99"}).status_code == 404
    none = client.get("/maillage/telecharger/recommended.csv", {"territory": "dep:15"})
    assert none.status_code == 404 and "ne recommande aucun site" in none.content.decode()
    assert client.get("/maillage/telecharger/secrets.txt", {"territory": "dep:15"}).status_code == 404
    assert client.post("/maillage/telecharger/communes.csv", {"territory": "dep:15"}).status_code == 405
    assert CoverageRun.objects.count() == 0


def test_all_of_france_is_named_as_such(client, aurillac):
    response = client.get("/maillage/telecharger/summary.csv", {"territory": ""})
    assert response["Content-Disposition"] == 'attachment; filename="maillage-france-summary.csv"'


def test_the_spreadsheet_of_a_very_large_analysis_is_left_to_the_command(client, aurillac, monkeypatch):
    # odfpy takes about a minute for all of France: the page offers the ODS up to PAGE_ODS_MAX_COMMUNES.
    assert views.PAGE_ODS_MAX_COMMUNES == 6000
    monkeypatch.setattr(views, "PAGE_ODS_MAX_COMMUNES", 100)
    paragraph, urls = download_urls(client, {"territory": "dep:15"})
    assert list(urls) == ["communes.csv", "summary.csv", "communes.geojson"]
    assert "Le classeur ODS n'est proposé ici que jusqu'à 100 communes" in html_lib.unescape(paragraph)
    refused = client.get("/maillage/telecharger/coverage.ods", {"territory": "dep:15"})
    assert refused.status_code == 400
    assert "téléchargez les CSV, ou utilisez la commande coverage" in refused.content.decode()
