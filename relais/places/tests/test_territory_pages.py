"""Territory pages (commune, département, région) and the embeddable widget."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.places.index import reset as reset_place_index
from relais.places.models import PlaceStatus
from relais.territory.models import CommuneAlias
from relais.testing import place_in

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def places():
    return {
        "aurillac": place_in("15014", name="Fablab d'Aurillac", typologies=["FABLAB"]),
        "closed": place_in("15014", name="Ancien coworking fermé", status=PlaceStatus.CLOSED),
        "arpajon": place_in("15012", name="Atelier d'Arpajon", typologies=["COWORKING"]),
        "saint_flour": place_in("15187", name="Coworking de Saint-Flour"),
        "montredon": place_in("46207", name="Café de Montredon"),
    }


def text_of(response):
    return response.content.decode()


def test_commune_page_lists_places_in_it_then_nearby(client, places):
    response = client.get(reverse("territory:commune", args=["15014"]))
    assert response.status_code == 200
    html = text_of(response)
    assert html.index("Fablab d&#x27;Aurillac") < html.index("Atelier d&#x27;Arpajon")
    assert "Coworking de Saint-Flour" not in html  # 52 km
    assert "Ancien coworking fermé" not in html
    assert reverse("places:detail", args=[places["aurillac"].pk]) in html
    assert "à 3,4 km" in html
    assert re.search(r"26\W214 habitants", html)


def test_commune_page_structure_is_accessible(client, places):
    html = text_of(client.get(reverse("territory:commune", args=["15014"])))
    assert html.count("<h1") == 1
    levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert html.count("<table") == html.count("<caption>")
    assert 'scope="col"' in html and 'scope="row"' in html
    assert 'aria-label="Fil d\'Ariane"' in html and 'aria-current="page"' in html
    assert '<label for="rayon">' in html
    assert '<label for="embed-iframe">' in html and '<label for="embed-script">' in html


def test_commune_page_has_title_open_graph_breadcrumbs_and_coverage_link(client, places):
    html = text_of(client.get(reverse("territory:commune", args=["15014"])))
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "Aurillac" in title and "Cantal" in title
    description = re.search(r'<meta property="og:description" content="([^"]*)"', html).group(1)
    assert "Aurillac" in description and "2 lieux" in description
    assert 'property="og:url" content="http://testserver/territoires/commune/15014/"' in html
    assert reverse("territory:region", args=["84"]) in html
    assert reverse("territory:department", args=["15"]) in html
    assert reverse("coverage:page") + "?territory=dep%3A15" in html


def test_commune_page_offers_the_embedding_snippets(client, places):
    html = text_of(client.get(reverse("territory:commune", args=["15014"])))
    assert "Intégrer sur votre site" in html
    assert "&lt;iframe src=&quot;http://testserver/territoires/widget/commune/15014/&quot;" in html
    assert "title=&quot;Lieux proches de la commune : Aurillac (Relais)&quot;" in html
    assert (
        "&lt;script src=&quot;http://testserver/territoires/widget.js&quot; "
        "data-commune=&quot;15014&quot; async" in html
    )


def test_department_page_lists_communes_with_a_place_epci_and_nearby_places(client, places):
    response = client.get(reverse("territory:department", args=["15"]))
    assert response.status_code == 200
    html = text_of(response)
    for name in ("Fablab d&#x27;Aurillac", "Coworking de Saint-Flour", "Café de Montredon"):
        assert name in html
    assert reverse("territory:commune", args=["15187"]) in html  # Saint-Flour has a place
    assert reverse("territory:commune", args=["15031"]) not in html  # Celles has none
    assert "CA du Bassin d&#x27;Aurillac" in html
    assert "à 1,4 km" in html  # Montredon, from the nearest commune of the Cantal
    assert "Auvergne-Rhône-Alpes" in html  # breadcrumbs


def test_region_page_links_its_departments_and_counts(client, places):
    response = client.get(reverse("territory:region", args=["84"]))
    assert response.status_code == 200
    html = text_of(response)
    assert reverse("territory:department", args=["15"]) in html
    assert reverse("territory:department", args=["69"]) in html
    assert reverse("coverage:page") + "?territory=reg%3A84" in html
    assert "Café de Montredon" in html


def test_counts_by_typology_table(client, places):
    html = text_of(client.get(reverse("territory:commune", args=["15014"])))
    row = re.search(r'<th scope="row">Fablab[^<]*</th>((?:<td>\d+</td>)+)', html).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "0", "1"]
    row = re.search(r'<th scope="row">Espace de coworking</th>((?:<td>\d+</td>)+)', html).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "1", "1"]


def test_list_is_paginated_by_thirty(client):
    for i in range(35):
        place_in("15014", name=f"Lieu {i:02d}")
    url = reverse("territory:commune", args=["15014"])
    first = text_of(client.get(url))
    assert "Lieu 29" in first and "Lieu 30" not in first
    assert "Page 1 sur 2" in first and "?page=2#lieux" in first
    second = text_of(client.get(url, {"page": 2, "rayon": "5"}))
    assert "Lieu 30" in second and "Lieu 34" in second and "Lieu 29" not in second
    assert "?rayon=5&amp;page=1#lieux" in second


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/commune/99999/",
        "/territoires/commune/abc/",
        "/territoires/departement/00/",
        "/territoires/region/99/",
    ],
)
def test_unknown_codes_give_the_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404


def test_old_insee_code_redirects_permanently_to_the_current_commune(client):
    alias = CommuneAlias.objects.first()
    response = client.get(reverse("territory:commune", args=[alias.code]) + "?rayon=5")
    assert response.status_code == 301
    assert response["Location"] == reverse("territory:commune", args=[alias.commune_id]) + "?rayon=5"


def test_lowercase_corsican_department_redirects(client):
    response = client.get("/territoires/departement/2a/")
    assert response.status_code == 301
    assert response["Location"] == "/territoires/departement/2A/"


@pytest.mark.parametrize("value", ["abc", "-3", "51", "1e999"])
def test_invalid_radius_shows_a_french_message(client, places, value):
    response = client.get(reverse("territory:commune", args=["15014"]), {"rayon": value})
    assert response.status_code == 400
    html = text_of(response)
    assert "Le rayon doit être un nombre de kilomètres compris entre 0 et 50" in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert "Fablab d&#x27;Aurillac" in html  # the page still shows, with the default radius


def test_radius_parameter_widens_the_page(client, places):
    html = text_of(client.get(reverse("territory:commune", args=["15014"]), {"rayon": "50"}))
    assert "Coworking de Saint-Flour" not in html  # 52.4 km
    assert "Café de Montredon" in html


def test_hostile_strings_are_escaped(client):
    place_in("15014", name=HOSTILE)
    for url in (
        reverse("territory:commune", args=["15014"]),
        reverse("territory:department", args=["15"]),
        reverse("territory:widget", args=["15014"]),
    ):
        html = text_of(client.get(url))
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_region_page_makes_no_query_per_place(client):
    url = reverse("territory:region", args=["84"])
    place_in("15014", typologies=["FABLAB"])
    reset_place_index()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for code in ("15014", "15012", "15187", "46207", "63113", "69123"):
        for _ in range(10):
            place_in(code, typologies=["FABLAB"], services=["DEMARCHES"])
    reset_place_index()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- Widget ------------------------------------------------------------------------------------------


def test_widget_can_be_framed_while_other_pages_cannot(client, places):
    widget = client.get(reverse("territory:widget", args=["15014"]))
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    page = client.get(reverse("territory:commune", args=["15014"]))
    assert page["X-Frame-Options"] == "DENY"


def test_widget_lists_the_nearest_places_with_links_in_a_new_tab(client, places):
    html = text_of(client.get(reverse("territory:widget", args=["15014"])))
    assert '<html lang="fr">' in html
    assert html.index("Fablab d&#x27;Aurillac") < html.index("Atelier d&#x27;Arpajon")
    link = f'href="http://testserver{reverse("places:detail", args=[places["aurillac"].pk])}"'
    assert f'{link} target="_blank" rel="noopener"' in html
    assert "à 3,4 km" in html
    assert "/static/territory/widget.css" in html
    # One script, its own: it only reports the page's height to the embedding page (widget.js).
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/territory/widget-frame.js" defer>']
    # Nothing from another host: every URL points at this site.
    assert not re.findall(r'(?:src|href)="https?://(?!testserver)', html)


def test_widget_shows_opening_state(client, places):
    place_in("15014", name="Toujours ouvert", opening_hours="24/7")
    html = text_of(client.get(reverse("territory:widget", args=["15014"])))
    assert "Ouvert en ce moment" in html


def test_on_a_public_holiday_the_widget_never_says_open_when_the_hours_do_not_say(client, monkeypatch):
    christmas = datetime.datetime(2026, 12, 25, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    monkeypatch.setattr("relais.territory.timezones.now_paris", lambda: christmas)
    place_in("15014", name="Sans règle des jours fériés", opening_hours="Mo-Su 08:00-20:00")
    place_in("15014", name="Fermé les jours fériés", opening_hours="Mo-Su 08:00-20:00; PH off")
    html = text_of(client.get(reverse("territory:widget", args=["15014"])))
    unstated = html[html.index("Sans règle") : html.index("Sans règle") + 600]
    assert "Jour férié : horaires non précisés" in unstated and "Ouvert en ce moment" not in unstated
    closed = html[html.index("Fermé les jours") : html.index("Fermé les jours") + 600]
    assert "Fermé en ce moment" in closed
    assert "Ouvert en ce moment" not in html


def test_widget_writes_hours_as_the_site_does(client, places):
    place_in("15014", name="Horaires", opening_hours="Mo-Su 00:00-13:30")
    html = text_of(client.get(reverse("territory:widget", args=["15014"])))
    assert "13 h 30" in html or "0 h 00" in html
    assert not re.search(r"\b\d{2}:\d{2}\b", html)


def test_widget_count_and_typology_filter(client, places):
    for i in range(25):
        place_in("15014", name=f"Lieu {i:02d}")
    url = reverse("territory:widget", args=["15014"])
    assert text_of(client.get(url)).count("<li>") == 5
    assert text_of(client.get(url, {"n": 3})).count("<li>") == 3
    assert text_of(client.get(url, {"n": 500})).count("<li>") == 20
    assert text_of(client.get(url, {"n": "x"})).count("<li>") == 5
    filtered = text_of(client.get(url, {"typologie": "COWORKING"}))
    assert filtered.count("<li>") == 1 and "Atelier d&#x27;Arpajon" in filtered


def test_widget_errors_are_french_and_still_framable(client):
    unknown = client.get(reverse("territory:widget", args=["99999"]))
    assert unknown.status_code == 404 and "Commune inconnue" in text_of(unknown)
    assert "X-Frame-Options" not in unknown
    bad = client.get(reverse("territory:widget", args=["15014"]), {"typologie": HOSTILE})
    assert bad.status_code == 400 and "Typologie inconnue" in text_of(bad)
    assert HOSTILE not in text_of(bad)


def test_widget_follows_old_codes(client):
    alias = CommuneAlias.objects.first()
    response = client.get(reverse("territory:widget", args=[alias.code]))
    assert response.status_code == 301
    assert response["Location"] == reverse("territory:widget", args=[alias.commune_id])


def test_widget_js_inserts_the_iframe_next_to_its_script(client):
    response = client.get(reverse("territory:widget-js"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    js = text_of(response)
    assert 'createElement("iframe")' in js
    assert "insertBefore(frame, script.nextSibling)" in js
    assert "frame.title" in js
    assert "data-commune" in js
    assert "/territoires/widget/commune/00000/" in js
