"""The place page beyond its basics: hours table, access, JSON-LD, Open Graph, managers' panel."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.places.models import Accessibility
from relais.privacy.models import AuditEvent
from relais.territory.models import Commune
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '</script><script>alert("x")</script> & <b>"Grange"</b>'


def url(place):
    return reverse("places:detail", args=[place.pk])


class HeadReader(HTMLParser):
    """Collects meta properties, JSON-LD scripts and headings of a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.json_ld, self.headings = {}, [], []
        self._in_json_ld = False
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs.get("content")
        if tag == "meta" and attrs.get("name") == "description":
            self.meta["description"] = attrs.get("content")
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = None

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data
        if self._heading is not None:
            self.headings.append(self._heading)
            self._heading = None


def read(html):
    reader = HeadReader()
    reader.feed(html)
    return reader


def test_the_hours_are_a_weekly_table_with_the_open_now_line(client):
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off")

    html = client.get(url(place)).content.decode()

    assert "<caption>Horaires des sept prochains jours (heure locale du lieu)</caption>" in html
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
        assert f'<th scope="row">{day} ' in html
    assert "9 h 00 – 12 h 00, 14 h 00 – 17 h 30" in html
    assert "<td>Fermé</td>" in html
    assert "(aujourd'hui)" in html  # today is said in words, not only by a background colour
    assert ("Ouvert en ce moment" in html) or ("Fermé en ce moment" in html)


def test_the_next_holiday_closure_is_shown(client, monkeypatch):
    from relais.places import hours

    real = hours.hours_of
    monkeypatch.setattr(
        hours, "hours_of", lambda expr, dep, at=None: real(expr, dep, datetime.datetime(2026, 12, 1, 10))
    )
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-12:00; PH off")

    html = client.get(url(place)).content.decode()

    assert "Fermé le vendredi 25 décembre 2026 (Noël, jour férié)" in html


def test_an_unreadable_expression_is_shown_as_such(client):
    place = PlaceFactory()
    type(place).objects.filter(pk=place.pk).update(opening_hours="n'importe quand")

    html = client.get(url(place)).content.decode()

    assert "Les horaires indiqués ne sont pas lisibles" in html


def test_an_overseas_place_shows_its_local_week(client):
    reunion = Commune.objects.filter(department_id="974").order_by("code_insee").first()
    place = PlaceFactory(commune=reunion, postal_code="97400", latitude=-20.88, longitude=55.45)

    response = client.get(url(place))

    assert response.status_code == 200
    hours = response.context["hours"]
    assert str(hours.now.tzinfo) == "Indian/Reunion"
    assert [d for d in hours.days if d.is_today][0].date == hours.now.date()


def test_access_accessibility_and_contact_are_shown(client):
    place = PlaceFactory(
        wheelchair=Accessibility.PARTIAL,
        accessibility_notes="Une marche de 5 cm à l'entrée.",
        accessibility_url="https://acceslibre.beta.gouv.fr/app/15-aurillac/a/lieu/erp/grange/",
        booking_url="https://rdv.example.org/grange",
        emails=["contact@grange.example.org"],
        fees=["GRATUIT_SOUS_CONDITION"],
        access_modes=["TELEPHONER"],
        source="Cartographie nationale",
        source_url="https://cartographie.example.org/",
    )

    html = client.get(url(place)).content.decode()

    assert "Fauteuil roulant : partiellement accessible." in html
    assert "Une marche de 5 cm" in html
    assert 'href="https://acceslibre.beta.gouv.fr/app/15-aurillac/a/lieu/erp/grange/"' in html
    assert 'href="geo:44.930320,2.444950"' in html
    assert "latitude 44.93032, longitude 2.44495" in html
    assert 'href="https://rdv.example.org/grange"' in html
    assert "Gratuit sous condition" in html
    assert "Téléphoner" in html
    assert 'href="mailto:contact@grange.example.org"' in html
    assert '<a href="https://cartographie.example.org/" rel="noopener">Cartographie nationale</a>' in html
    assert 'data-tile-url=""' in html and "{z}" not in html  # no third-party map


def test_unknown_accessibility_is_said_in_words(client):
    html = client.get(url(PlaceFactory(wheelchair=""))).content.decode()

    assert "Accessibilité en fauteuil roulant non renseignée." in html


def test_headings_do_not_skip_levels(client):
    manager = UserFactory()
    place = PlaceFactory(
        services=["DEMARCHES"], labels=["FRANCE_SERVICES"], managers=[manager], fees=["PAYANT"]
    )
    client.force_login(manager)

    for page in (url(place), reverse("places:sheet", args=[place.pk])):
        levels = read(client.get(page).content.decode()).headings
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_schema_org_json_ld_describes_the_place(client):
    place = PlaceFactory(
        name="La Grange numérique",
        summary="Un lieu pour travailler et apprendre.",
        phone="+33471000000",
        websites=["https://grange.example.org"],
        address_complement="Bâtiment B",
        opening_hours="Mo-Fr 09:00-12:00; Sa 10:00-12:00",
        services=["DEMARCHES"],
        wheelchair=Accessibility.YES,
        booking_url="https://rdv.example.org/grange",
    )

    reader = read(client.get(url(place)).content.decode())

    assert len(reader.json_ld) == 1
    data = json.loads(reader.json_ld[0])
    page = f"http://testserver{url(place)}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LocalBusiness"
    assert data["name"] == "La Grange numérique"
    assert data["url"] == page
    assert data["description"] == "Un lieu pour travailler et apprendre."
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "1 place de la Mairie, Bâtiment B",
        "postalCode": "15000",
        "addressLocality": "Aurillac",
        "addressRegion": "Auvergne-Rhône-Alpes",
        "addressCountry": "FR",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 44.93032, "longitude": 2.44495}
    assert data["telephone"] == "+33471000000"
    assert data["sameAs"] == ["https://grange.example.org"]
    assert data["potentialAction"] == {"@type": "ReserveAction", "target": "https://rdv.example.org/grange"}
    assert data["amenityFeature"][0]["value"] is True
    specs = data["openingHoursSpecification"]
    assert len(specs) == 6
    assert {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": "https://schema.org/Saturday",
        "opens": "10:00",
        "closes": "12:00",
    } in specs


def test_open_graph_tags(client):
    place = PlaceFactory(name="La Grange numérique", summary="Un lieu pour travailler.")

    meta = read(client.get(url(place)).content.decode()).meta

    assert meta["og:title"] == "La Grange numérique"
    assert meta["og:description"] == "Un lieu pour travailler."
    assert meta["og:type"] == "website"
    assert meta["og:url"] == f"http://testserver{url(place)}"
    assert meta["description"] == "Un lieu pour travailler."


def test_without_a_summary_the_description_says_what_and_where(client):
    place = PlaceFactory(typologies=["COWORKING"])

    meta = read(client.get(url(place)).content.decode()).meta

    assert meta["og:description"] == "Espace de coworking à Aurillac (Cantal)"


def test_hostile_names_are_escaped_everywhere_including_json_ld(client):
    place = PlaceFactory(name=HOSTILE, summary=HOSTILE, opening_hours='Mo 09:00-12:00 "</script>"')

    html = client.get(url(place)).content.decode()

    assert "</script><script>" not in html
    assert '<b>"Grange"</b>' not in html
    reader = read(html)
    data = json.loads(reader.json_ld[0])
    assert data["name"] == HOSTILE
    assert reader.meta["og:title"] == HOSTILE
    # Inside the script element nothing can close it: <, > and & are \u escapes.
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script


def test_managers_see_the_completeness_and_what_to_fill_in(client):
    manager = UserFactory()
    place = PlaceFactory(managers=[manager], phone="", emails=[])
    client.force_login(manager)

    html = client.get(url(place)).content.decode()

    assert "Complétude des données :" in html
    assert "Un téléphone ou une adresse e-mail" in html
    assert "Je confirme que les données sont à jour" in html


def test_the_public_does_not_see_the_managers_panel(client):
    place = PlaceFactory()
    html = client.get(url(place)).content.decode()

    assert "Complétude des données" not in html
    assert reverse("places:confirm", args=[place.pk]) not in html
    assert reverse("places:sheet", args=[place.pk]) in html
    assert reverse("places:report", args=[place.pk]) in html


def test_the_content_needs_no_script(client):
    html = client.get(url(PlaceFactory())).content.decode()

    main = html[html.index("<main") : html.index("</main>")]
    assert "<script" not in main
    assert "<table" in main and "<form" in main


class TestConfirmation:
    def test_a_manager_confirms_the_data_through_the_audited_service(self, client):
        manager = UserFactory()
        place = PlaceFactory(managers=[manager], data_updated_on=datetime.date(2025, 1, 15))
        client.force_login(manager)

        response = client.post(reverse("places:confirm", args=[place.pk]))

        assert response.status_code == 302
        assert response["Location"] == url(place)
        place.refresh_from_db()
        assert place.data_updated_on == timezone.localdate()
        event = AuditEvent.objects.for_object(place).get()
        assert event.actor == manager
        assert event.changes == {"data_updated_on": ["2025-01-15", timezone.localdate().isoformat()]}
        assert "les données du lieu sont confirmées" in client.get(url(place)).content.decode()

    def test_it_returns_to_the_dashboard_when_asked_but_never_to_another_site(self, client):
        manager = UserFactory()
        place = PlaceFactory(managers=[manager])
        client.force_login(manager)
        confirm = reverse("places:confirm", args=[place.pk])

        assert client.post(confirm, {"next": "/comptes/"})["Location"] == "/comptes/"
        assert client.post(confirm, {"next": "https://ailleurs.example.org/"})["Location"] == url(place)

    def test_others_get_a_404_and_change_nothing(self, client):
        place = PlaceFactory(managers=[UserFactory()], data_updated_on=datetime.date(2025, 1, 15))
        client.force_login(UserFactory())

        assert client.post(reverse("places:confirm", args=[place.pk])).status_code == 404
        place.refresh_from_db()
        assert place.data_updated_on == datetime.date(2025, 1, 15)

    def test_anonymous_people_are_sent_to_log_in_and_get_is_refused(self, client):
        place = PlaceFactory()
        confirm = reverse("places:confirm", args=[place.pk])

        assert client.post(confirm).status_code == 302
        client.force_login(UserFactory(network_admin=True))
        assert client.get(confirm).status_code == 405
