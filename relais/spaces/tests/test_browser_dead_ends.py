"""Booking without dead ends, in a real browser at 360 px: a full slot leads to its waiting list, which the
member joins and then leaves from « Mes réservations »; axe-core checks each page."""

import datetime

import pytest
from playwright.sync_api import expect

from relais.spaces.enums import WaitlistStatus
from relais.spaces.models import Booking, WaitlistEntry
from relais.testing import PlaceFactory, ResourceFactory, UserFactory, axe_violations, give_second_factor

from .conftest import PARIS
from .test_views import next_monday

pytestmark = pytest.mark.browser


def fits(page, width=360):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_full_slot_leads_to_its_waiting_list_which_the_member_leaves_at_360_px(
    live_server, browser_page, transactional_db
):
    place = PlaceFactory(name="La Grange numérique", opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off")
    room = ResourceFactory(place=place, name="Salle Cantal")
    UserFactory(username="camille", first_name="Camille", last_name="Martin")
    other = UserFactory()
    day = next_monday()
    start = datetime.datetime.combine(day, datetime.time(9), tzinfo=PARIS)
    Booking.objects.create(
        resource=room,
        place=place,
        person=other,
        booked_by=other,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    give_second_factor(page, "camille")
    page.wait_for_url(lambda url: "connexion" not in url)

    page.goto(
        f"{live_server.url}/espaces/lieux/{place.pk}/disponibilites/"
        f"?jour={day.isoformat()}&vue=jour&ressource={room.public_id}"
    )
    full = page.get_by_role("link", name="complet — liste d'attente").first
    expect(full).to_be_visible()
    assert fits(page) and axe_violations(page) == []
    full.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Réserver « Salle Cantal »")
    expect(page.get_by_label("Heure de début")).to_have_value("09:00")
    assert fits(page) and axe_violations(page) == []
    page.get_by_role("button", name="M'inscrire sur la liste d'attente pour ce créneau").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes réservations")
    expect(page.get_by_role("status")).to_contain_text("Inscription sur la liste d'attente")
    leave = page.get_by_role("button", name="Quitter la liste d'attente")
    expect(leave).to_be_visible()
    assert fits(page) and axe_violations(page) == []
    leave.click()

    expect(page.get_by_role("status")).to_contain_text("Vous n'êtes plus sur la liste d'attente")
    expect(page.get_by_role("button", name="Quitter la liste d'attente")).to_have_count(0)
    assert fits(page) and axe_violations(page) == []
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WITHDRAWN
    assert page.errors == []


def test_the_team_undoes_a_check_in_and_records_a_walk_in_from_its_day_page_at_360_px(
    live_server, browser_page, transactional_db
):
    from django.utils import timezone

    from relais.accounts.models import PlaceRole
    from relais.spaces.enums import BookingStatus

    place = PlaceFactory(name="La Grange numérique", opening_hours="24/7")
    room = ResourceFactory(place=place, name="Salle Cantal")
    other_room = ResourceFactory(place=place, name="Salle Aubrac")  # the walk-in's slot stays free
    manager = UserFactory(username="gerante", first_name="Gérante", last_name="Dulieu")
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    member = UserFactory(first_name="Camille", last_name="Martin")
    now = timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0)
    checked = Booking.objects.create(
        resource=other_room,
        place=place,
        person=member,
        booked_by=member,
        start=start,
        end=start + datetime.timedelta(minutes=30),
        status=BookingStatus.CHECKED_IN,
        checked_in_at=now,
    )
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("gerante")
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    give_second_factor(page, manager)
    page.wait_for_url(lambda url: "connexion" not in url)

    page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/reservations/")
    assert fits(page) and axe_violations(page) == []
    page.get_by_label("Motif").fill("pointée par erreur")
    page.get_by_role("button", name="Annuler le pointage").click()
    expect(page.get_by_role("status")).to_contain_text("Pointage annulé")
    checked.refresh_from_db()
    assert checked.status == BookingStatus.CONFIRMED
    assert checked.transitions.last().reason == "pointée par erreur"

    page.get_by_role("link", name="Salle Cantal : arrivée sans réservation").click()
    expect(page.get_by_label("Arrivée sans réservation")).to_be_checked()
    assert fits(page) and axe_violations(page) == []
    page.get_by_label("Ou nom de la personne (sans compte)").fill("Passant")
    page.get_by_label("Téléphone ou e-mail de la personne").fill("06 00 00 00 00")
    page.get_by_role("button", name="Réserver", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")
    walk_in = Booking.objects.get(person_name="Passant")
    assert walk_in.status == BookingStatus.CHECKED_IN and walk_in.resource == room
    assert fits(page) and axe_violations(page) == []
    assert page.errors == []
