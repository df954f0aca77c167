import gzip
import json
import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import reverse

from relais.coverage import views
from relais.coverage.models import CoverageRun
from relais.territory.models import Commune
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_coverage_page_shows_a_territory_with_its_white_zones_and_recommendations(client):
    aurillac = Commune.objects.get(code_insee="15014")
    PlaceFactory(commune=aurillac, latitude=aurillac.latitude, longitude=aurillac.longitude)
    response = client.get("/maillage/", {"territory": "dep:15", "radius_km": "10", "recommend": "3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cantal : résumé" in html
    assert "Zones blanches (au-delà de 10 km)" in html
    assert "Où ouvrir de nouveaux lieux" in html
    assert "Murat (15138)" in html or "plus peuplées en zone blanche" in html


def test_the_empty_form_is_shown_first_and_bad_input_gets_a_french_message(client):
    assert "Analyser" in client.get("/maillage/").content.decode()
    html = client.get("/maillage/", {"territory": "dep:15", "radius_km": "900"}).content.decode()
    assert "le rayon doit être compris entre 0 et 200 km" in html


def aurillac_place():
    aurillac = Commune.objects.get(code_insee="15014")
    return PlaceFactory(commune=aurillac, latitude=aurillac.latitude, longitude=aurillac.longitude)


CANTAL = {"territory": "dep:15", "radius_km": "10", "recommend": "3"}


def test_the_page_has_a_map_and_a_chart_fed_without_inline_script_or_style(client):
    aurillac_place()
    html = client.get("/maillage/", CANTAL).content.decode()
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html
    assert 'src="/static/vendor/chart.js/chart.umd.min.js"' in html
    assert 'src="/static/coverage/coverage-map.js"' in html
    assert 'id="coverage-map"' in html
    assert 'data-url="/maillage/carte.json?territory=dep%3A15&amp;radius_km=10&amp;recommend=3"' in html
    assert 'data-outline-url="/carte/departements.geojson"' in html
    # The legend gives each band's label and colour, and says how white zones and picks are drawn.
    assert 'data-color="#ffffb2"></span> de 0 à 5 km' in html
    assert 'data-color="#bd0026"></span> plus de 30 km' in html
    assert "commune en zone blanche, au-delà de 10 km : cercle plus grand, contour noir épais" in html
    assert "site recommandé, numéroté dans l'ordre des choix" in html
    # The map and the chart only show with JavaScript; the tables carry the same information.
    assert '<section aria-labelledby="carte" id="coverage-map-section" hidden>' in html
    assert "Les tableaux de la page donnent les mêmes informations." in html
    assert 'id="coverage-chart-figure" hidden' in html
    assert "style=" not in html
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, re.S)
    inline = [attrs for attrs, body in scripts if body.strip() and 'type="application/json"' not in attrs]
    assert inline == []
    chart = json.loads(
        re.search(r'id="coverage-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert chart["labels"] == [
        "de 0 à 5 km",
        "de 5 à 10 km",
        "de 10 à 20 km",
        "de 20 à 30 km",
        "plus de 30 km",
    ]
    assert [d["label"] for d in chart["datasets"]] == ["Aujourd'hui", "Avec les 3 sites recommandés"]
    today, after = (d["data"] for d in chart["datasets"])
    assert sum(today) == sum(after)
    assert after[0] + after[1] > today[0] + today[1]  # the recommended sites bring people closer


def test_the_table_of_bands_shows_before_and_after_the_recommended_sites(client):
    aurillac_place()
    response = client.get("/maillage/", CANTAL)
    bands = response.context["bands"]
    head = response.context["head"]
    assert sum(b["population"] for b in bands) == head["population"]
    assert bands[0]["population"] + bands[1]["population"] == head["covered_10km"]
    rec = response.context["result"].recommendation
    assert bands[0]["population_after"] + bands[1]["population_after"] == rec["covered_after"]
    assert "Habitants avec les sites recommandés" in response.content.decode()


def test_without_an_analysis_no_map_library_is_loaded(client):
    html = client.get("/maillage/").content.decode()
    assert "leaflet" not in html and "chart.umd" not in html


def test_the_map_data_is_compact_compressed_and_the_same_as_the_page(client):
    aurillac_place()
    page = client.get("/maillage/", CANTAL).context["result"]
    cache.clear()  # computed afresh here, not read back from the page's cache
    response = client.get("/maillage/carte.json", CANTAL, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(response.content))
    assert data["radius_km"] == 10
    (south, west), (north, east) = data["bounds"]
    assert 44.1 < south < 44.7 and 1.9 < west < 2.2 and 45.4 < north < 45.5 and 3.3 < east < 3.4  # Cantal
    assert [b["low"] for b in data["bands"]] == [0, 5, 10, 20, 30]
    assert len(data["communes"]) == len(page.communes) == 246
    rows = {row[0]: row for row in data["communes"]}
    code, name, lat, lon, km, population = rows["15014"]
    assert (name, km) == ("Aurillac", 0)
    assert population == next(c["population"] for c in page.communes if c["code_insee"] == "15014")
    assert rows["15138"][4] == pytest.approx(
        next(c["nearest_km"] for c in page.communes if c["code_insee"] == "15138"), abs=0.01
    )
    assert [p["rank"] for p in data["picks"]] == [1, 2, 3]
    assert [p["code_insee"] for p in data["picks"]] == [r["code_insee"] for r in page.recommended]
    first = data["picks"][0]
    assert rows[first["code_insee"]][2:4] == [first["lat"], first["lon"]]
    assert first["newly_covered"] == page.recommended[0]["newly_covered"]
    assert CoverageRun.objects.count() == 0  # neither the page nor the map's request stores a run


def test_the_map_data_of_the_page_just_shown_is_served_from_the_cache(client, monkeypatch):
    aurillac_place()
    client.get("/maillage/", CANTAL)

    def no_second_analysis(*args, **kwargs):
        raise AssertionError("analyse recalculée")

    monkeypatch.setattr(views, "run_coverage", no_second_analysis)
    data = client.get("/maillage/carte.json", CANTAL).json()
    assert len(data["communes"]) == 246


def test_the_map_data_refuses_bad_parameters_in_french(client):
    aurillac_place()
    bad = client.get("/maillage/carte.json", {"territory": "dep:15", "radius_km": "900"})
    assert bad.status_code == 400
    assert "le rayon doit être compris entre 0 et 200 km" in bad.json()["detail"]
    assert client.get("/maillage/carte.json", {"territory": "dep:99"}).status_code == 404


def test_the_page_filters_by_typology_and_service_and_shows_the_distance_per_typology(client):
    aurillac = Commune.objects.get(code_insee="15014")
    PlaceFactory(
        commune=aurillac,
        latitude=aurillac.latitude,
        longitude=aurillac.longitude,
        typologies=["FABLAB"],
        services=["DEMARCHES"],
    )
    response = client.get("/maillage/", {"territory": "dep:15", "typology": "FABLAB", "service": "DEMARCHES"})
    html = response.content.decode()
    assert response.context["result"].place_count == 1
    assert '<option value="FABLAB" selected>' in html
    assert '<option value="DEMARCHES" selected>' in html
    assert "Distance au lieu le plus proche, par typologie" in html
    rows = response.context["typology_rows"]
    assert [r["code"] for r in rows] == ["FABLAB"]
    assert '<a href="?territory=dep%3A15&amp;radius_km=10&amp;typology=FABLAB&amp;service=DEMARCHES">' in html
    assert "Aucun lieu ouvert et positionné au registre pour : Espace de coworking," in html
    unknown = client.get("/maillage/", {"territory": "dep:15", "typology": "PISCINE"}).content.decode()
    assert "typologie inconnue : « PISCINE »." in unknown


def test_the_page_offers_the_exact_mode_and_says_when_the_choice_is_proven_optimal(client):
    aurillac_place()
    fast = client.get("/maillage/", CANTAL)
    proven = client.get("/maillage/", {**CANTAL, "exact": "1"})

    assert 'name="exact" value="1"' in fast.content.decode()
    # The fast answer is proven optimal too here, by its bound, not by an exact solve.
    assert "Ce choix est optimal : il atteint cette borne." in fast.content.decode()
    assert "prouvé par le calcul exact" not in fast.content.decode()
    html = proven.content.decode()
    assert 'name="exact" value="1" checked' in html
    assert "Ce choix est optimal : c'est prouvé par le calcul exact." in html
    assert proven.context["result"].recommendation["proven_optimal"] is True
    assert "exact=1" in proven.context["map_url"]
    covered = proven.context["result"].recommendation["covered_after"]
    assert covered >= fast.context["result"].recommendation["covered_after"]


def test_showing_an_analysis_stores_no_run(client):
    aurillac_place()
    client.get("/maillage/", CANTAL)
    client.get("/maillage/", {"territory": "dep:15", "radius_km": "20"})
    cache.clear()
    client.get("/maillage/carte.json", CANTAL)
    assert CoverageRun.objects.count() == 0


def test_a_signed_in_person_keeps_the_analysis_shown_and_gets_its_number(client):
    aurillac = Commune.objects.get(code_insee="15014")
    PlaceFactory(
        commune=aurillac, latitude=aurillac.latitude, longitude=aurillac.longitude, typologies=["FABLAB"]
    )
    person = UserFactory()
    client.force_login(person)
    page = client.get("/maillage/", {**CANTAL, "typology": "FABLAB"})
    html = page.content.decode()
    assert '<form method="post" action="/maillage/conserver/"' in html
    assert '<input type="hidden" name="typology" value="FABLAB">' in html
    fields = dict(page.context["keep_fields"])
    assert fields == {"territory": "dep:15", "radius_km": "10", "recommend": 3, "typology": "FABLAB"}

    response = client.post("/maillage/conserver/", fields, follow=True)
    run = CoverageRun.objects.get()
    assert run.kept_by == person
    assert run.parameters["territory"] == "dep:15" and run.parameters["typology"] == "FABLAB"
    assert len(run.recommended) == 3
    assert response.redirect_chain[-1][0] == (
        "/maillage/?territory=dep%3A15&radius_km=10&recommend=3&typology=FABLAB"
    )
    assert f"Analyse conservée sous le n° {run.pk}" in response.content.decode()


def test_keeping_an_analysis_of_all_france_comes_back_to_it(client):
    aurillac_place()
    client.force_login(UserFactory())
    response = client.post("/maillage/conserver/", {"territory": "", "radius_km": "10"})
    assert response.url == "/maillage/?territory=&radius_km=10"
    assert CoverageRun.objects.get().parameters["territory"] == ""


def test_visitors_are_asked_to_sign_in_to_keep_an_analysis_and_nothing_is_stored(client):
    aurillac_place()
    html = client.get("/maillage/", CANTAL).content.decode()
    assert 'action="/maillage/conserver/"' not in html
    assert "Pour conserver cette analyse et la citer par un numéro" in html
    response = client.post("/maillage/conserver/", CANTAL)
    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=" + quote(
        "/maillage/?territory=dep%3A15&radius_km=10&recommend=3"
    )
    assert client.get("/maillage/conserver/", CANTAL).status_code == 405
    assert CoverageRun.objects.count() == 0


def test_keeping_bad_parameters_stores_nothing_and_says_why(client):
    aurillac_place()
    client.force_login(UserFactory())
    response = client.post("/maillage/conserver/", {"territory": "dep:15", "radius_km": "900"}, follow=True)
    assert "le rayon doit être compris entre 0 et 200 km" in response.content.decode()
    assert CoverageRun.objects.count() == 0
