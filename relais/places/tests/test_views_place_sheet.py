"""The printable orientation sheet (/lieux/<id>/fiche/)."""

import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from relais.places.models import ErrorReport
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def sheet(place):
    return reverse("places:sheet", args=[place.pk])


def mailto_of(html):
    start = html.index('href="mailto:?') + len('href="')
    href = html[start : html.index('"', start)].replace("&amp;", "&")
    parts = parse_qs(urlsplit(href).query)
    return parts["subject"][0], parts["body"][0]


def test_the_sheet_has_what_for_whom_where_when_and_a_blank_referral_area(client):
    place = PlaceFactory(
        name="La Grange numérique",
        summary="Un lieu pour travailler et apprendre.",
        services=["DEMARCHES"],
        phone="+33471000000",
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:30",
        wheelchair="yes",
        fees=["GRATUIT"],
    )

    response = client.get(sheet(place))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>La Grange numérique</h1>" in html
    assert "Aide aux démarches administratives" in html
    assert "1 place de la Mairie" in html and "15000 Aurillac" in html
    assert "<caption>Horaires d&#x27;une semaine ordinaire</caption>" in html or (
        "<caption>Horaires d'une semaine ordinaire</caption>" in html
    )
    assert "9 h 00 – 12 h 00, 14 h 00 – 17 h 30" in html
    assert "04 71 00 00 00" in html
    assert "Fauteuil roulant : accessible en fauteuil roulant." in html
    assert "Orienté par / pour :" in html
    assert "Gratuit" in html


def test_the_print_button_comes_from_a_script_file_and_is_hidden_without_it(client):
    html = client.get(sheet(PlaceFactory())).content.decode()

    assert '<button type="button" data-print hidden>Imprimer</button>' in html
    assert '<script src="/static/places/sheet.js" defer></script>' in html
    main = html[html.index("<main") : html.index("</main>")]
    assert "<script" not in main and "onclick" not in html
    script = Path(finders.find("places/sheet.js")).read_text()
    assert "window.print()" in script


def test_the_print_style_makes_one_a4_page_without_the_site_chrome():
    css = Path(finders.find("places/place.css")).read_text()

    assert "@media print" in css
    assert "size: A4" in css
    assert ".site-header, .site-footer" in css


def test_the_email_link_carries_the_sheet_text_and_nothing_is_stored(client):
    place = PlaceFactory(name="La Grange numérique", phone="+33471000000", opening_hours="Mo 09:00-12:00")
    events = AuditEvent.objects.count()

    html = client.get(sheet(place)).content.decode()

    subject, body = mailto_of(html)
    assert subject == "Orientation : La Grange numérique"
    assert body.startswith("Fiche d'orientation : La Grange numérique\r\n")
    assert "Adresse : 1 place de la Mairie, 15000 Aurillac" in body
    assert "- Lundi : 9 h 00 – 12 h 00" in body
    assert "- Mardi : Fermé" in body
    assert "Téléphone : 04 71 00 00 00" in body
    assert f"http://testserver{reverse('places:detail', args=[place.pk])}" in body
    assert "\n" not in body.replace("\r\n", "")  # line breaks are CRLF, as mailto wants
    assert AuditEvent.objects.count() == events
    assert not ErrorReport.objects.exists()


def test_hostile_names_are_escaped_on_the_sheet_and_encoded_in_the_link(client):
    place = PlaceFactory(name='<script>alert(1)</script> "x" & y')

    html = client.get(sheet(place)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    subject, body = mailto_of(html)
    assert subject == 'Orientation : <script>alert(1)</script> "x" & y'


def test_the_place_page_links_to_the_sheet_and_unknown_places_are_404(client):
    place = PlaceFactory()

    assert sheet(place) in client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert client.get(reverse("places:sheet", args=[uuid.uuid4()])).status_code == 404


def test_a_place_without_hours_tells_to_call_first(client):
    html = client.get(sheet(PlaceFactory(opening_hours=""))).content.decode()

    assert "Horaires non renseignés : appelez avant de vous déplacer." in html


def test_the_sheet_carries_a_qr_code_of_the_place_page_drawn_locally(client):
    import segno

    place = PlaceFactory(name="La Grange numérique")

    html = client.get(sheet(place)).content.decode()

    start = html.index('<figure class="sheet-qr">')
    figure = html[start : html.index("</figure>", start)]
    assert '<svg role="img" aria-label="Code QR menant à la page du lieu sur Relais"' in figure
    assert "Scannez ce code" in figure
    # The very code of the page's address, as an inline drawing: no image fetched from anywhere.
    page_url = "http://testserver" + reverse("places:detail", args=[place.pk])
    expected = segno.make(page_url, error="m", micro=False).svg_inline(
        scale=4, border=2, dark="#000000", light="#ffffff", svgclass="qr-code", omitsize=True
    )
    assert expected.replace("<svg ", "", 1) in figure
    assert "<img" not in figure and "http" not in figure.split("<figcaption>")[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
