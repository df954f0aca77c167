"""Booking in a real browser: a member books a room from the availability page; axe-core checks the pages."""

import datetime

import pytest
from playwright.sync_api import expect

from relais.spaces.models import Booking
from relais.testing import PlaceFactory, ResourceFactory, UserFactory, axe_violations

from .test_views import next_monday

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(transactional_db):
    place = PlaceFactory(name="La Grange numérique", opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off")
    room = ResourceFactory(place=place, name="Salle Cantal")
    ResourceFactory(place=place, pool=True, name="Open space", capacity=3)
    member = UserFactory(username="camille", first_name="Camille", last_name="Martin")
    return place, room, member


def test_a_member_books_a_room_from_the_availability_page(live_server, browser_page, setting):
    place, room, member = setting
    page = browser_page
    day = next_monday()
    # Anyone sees the free slots (no one's name is on them).
    page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/disponibilites/?jour={day.isoformat()}&vue=jour")
    expect(page.get_by_role("heading", level=1)).to_have_text("Disponibilités — La Grange numérique")
    expect(page.locator("table.slots")).to_contain_text("3 places libres")
    assert axe_violations(page) == []

    # Booking needs an account: the login page (which offers to create one), then the form of that slot.
    page.get_by_role("link", name="réserver Salle Cantal").filter(has_text="09:00").first.click()
    expect(page.get_by_role("link", name="Créer un compte").last).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réserver « Salle Cantal »")
    expect(page.get_by_label("Heure de début")).to_have_value("09:00")
    assert axe_violations(page) == []

    # An error first: the end before the start, announced in the summary and next to the field.
    page.get_by_label("Heure de fin").fill("08:30")
    page.get_by_role("button", name="Réserver").click()
    expect(page.get_by_role("alert")).to_contain_text("la fin doit suivre le début")
    expect(page.locator("#erreurs")).to_be_focused()  # the keyboard starts from the list of errors
    assert axe_violations(page) == []

    page.get_by_label("Heure de fin").fill("10:30")
    page.get_by_role("button", name="Réserver").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes réservations")
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")
    expect(page.locator("#a-venir ~ ul")).to_contain_text("Salle Cantal")
    expect(page.locator("#a-venir ~ ul")).to_contain_text("09:00–10:30")
    assert axe_violations(page) == []
    booking = Booking.objects.get()
    assert booking.person == member and booking.resource == room
    assert booking.end - booking.start == datetime.timedelta(minutes=90)
    assert page.errors == []


def test_the_pages_fit_a_320_px_screen(live_server, browser_page, setting):
    place, room, member = setting
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/comptes/inscription/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "connexion" not in url)
    from relais.accounts.models import PlaceRole

    PlaceRole.objects.create(user=member, place=place, role=PlaceRole.Role.STAFF)
    day = next_monday()
    Booking.objects.create(
        resource=room,
        place=place,
        person=member,
        booked_by=member,
        start=datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC),
        end=datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC),
    )
    for path in (
        f"/espaces/lieux/{place.pk}/disponibilites/?vue=semaine&jour={day.isoformat()}",
        f"/espaces/ressources/{room.public_id}/reserver/",
        "/espaces/mes-reservations/",
        f"/espaces/lieux/{place.pk}/reservations/?jour={day.isoformat()}",  # the team's day, as cards
    ):
        page.goto(live_server.url + path)
        # Wide tables scroll inside their own region; the page itself does not scroll sideways.
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321)"
            ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, (path, wide)
        assert axe_violations(page) == [], path
