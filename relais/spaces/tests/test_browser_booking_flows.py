"""The booking dead ends of the issue in a real browser at 360 px (the server-side proofs are in
test_dead_ends.py): what cannot work is said before one submits, in French, on a page that fits a phone;
axe-core checks each page. The live server runs on the real clock: the dates below follow it."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from relais.accounts.models import PlaceRole
from relais.spaces.enums import Audience, PriceUnit
from relais.spaces.models import Booking, PriceRule, UserQualification
from relais.testing import MemberFactory, PlaceFactory, ResourceFactory, UserFactory

from .browsing import PASSWORD, checked, fits, log_in, sized
from .test_views import next_monday

pytestmark = pytest.mark.browser

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def soon_in_paris():
    """A slot of one hour that starts two to four hours from now (Paris time), on one day."""
    start = timezone.now().astimezone(PARIS).replace(minute=0, second=0, microsecond=0)
    start += datetime.timedelta(hours=3)
    if start.hour == 23:  # would end tomorrow: take the small hours of tomorrow (still within a day)
        start += datetime.timedelta(hours=2)
    return start, start + datetime.timedelta(hours=1)


@pytest.fixture
def place(transactional_db):
    return PlaceFactory(name="La Grange numérique", opening_hours="24/7")


@pytest.fixture
def camille(transactional_db):
    return UserFactory(username="camille", first_name="Camille", last_name="Martin")


def test_a_booking_past_its_own_deadline_is_warned_before_and_offers_no_cancel_after(
    live_server, browser_page, place, camille
):
    room = ResourceFactory(place=place, name="Salle Aubrac", cancellation_deadline_minutes=24 * 60)
    start, end = soon_in_paris()
    page = sized(browser_page)
    log_in(page, live_server, "camille")
    page.goto(
        f"{live_server.url}/espaces/ressources/{room.public_id}/reserver/"
        f"?date={start.date().isoformat()}&debut={start:%H:%M}&fin={end:%H:%M}"
    )
    warning = (
        "Cette réservation ne pourra pas être annulée en ligne : le délai d'annulation (1 jour avant) est "
        "déjà passé."
    )
    # Told on arrival, before anything is submitted.
    expect(page.locator("#sans-annulation")).to_have_text(warning)
    checked(page)
    page.get_by_role("button", name="Réserver", exact=True).click()

    # Not booked yet: asked to confirm, the warning in front, the keyboard on it.
    expect(page.get_by_role("alert")).to_contain_text(warning)
    expect(page.locator("#erreurs")).to_be_focused()
    assert not Booking.objects.exists()
    checked(page)
    page.get_by_role("button", name="Réserver quand même").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes réservations")
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")
    upcoming = page.locator("#a-venir ~ ul")
    expect(upcoming).to_contain_text("Salle Aubrac")
    expect(upcoming).to_contain_text("Plus d'annulation ni de modification en ligne")
    expect(upcoming.get_by_role("link", name=re.compile("^Annuler"))).to_have_count(0)
    expect(upcoming.get_by_role("link", name=re.compile("^Modifier"))).to_have_count(0)
    checked(page)
    booking = Booking.objects.get()
    assert booking.person == camille and booking.start == start
    assert page.errors == []


def test_the_same_member_booking_the_same_pool_twice_is_told_and_offered_more_seats(
    live_server, browser_page, place, camille
):
    pool = ResourceFactory(place=place, pool=True, name="Open space", capacity=3)
    day = next_monday()
    page = sized(browser_page)
    log_in(page, live_server, "camille")
    url = (
        f"{live_server.url}/espaces/ressources/{pool.public_id}/reserver/"
        f"?date={day.isoformat()}&debut=09:00&fin=10:00"
    )
    page.goto(url)
    page.get_by_role("button", name="Réserver", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")

    page.goto(url)
    page.get_by_role("button", name="Réserver", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("vous avez déjà une réservation")
    expect(alert).to_contain_text("de 09:00 à 10:00")
    assert Booking.objects.count() == 1
    checked(page)

    # Asked, not silently doubled: one more seat only when the person says so.
    page.get_by_label("Réserver des places en plus").check()
    page.get_by_role("button", name="Réserver", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")
    assert Booking.objects.filter(person=camille, resource=pool).count() == 2
    checked(page)
    assert page.errors == []


def test_the_price_label_names_the_rule_that_priced_each_booking(live_server, browser_page, place, camille):
    room = ResourceFactory(place=place, name="Salle Cantal")
    MemberFactory(place=place, user=camille)
    PriceRule.objects.create(resource=room, audience=Audience.ALL, unit=PriceUnit.HOUR, amount_cents=500)
    PriceRule.objects.create(
        resource=room, audience=Audience.MEMBER, unit=PriceUnit.HALF_DAY, amount_cents=1200
    )
    day = next_monday()
    page = sized(browser_page)
    log_in(page, live_server, "camille")
    book = f"{live_server.url}/espaces/ressources/{room.public_id}/reserver/?date={day.isoformat()}"
    # One hour: the public hourly price is the cheapest, even for a member.
    page.goto(book + "&debut=09:00&fin=10:00")
    page.get_by_role("button", name="Réserver", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")
    # A morning: the members' half-day price.
    page.goto(book + "&debut=14:00&fin=17:00")
    page.get_by_role("button", name="Réserver", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Réservation confirmée")

    upcoming = page.locator("#a-venir ~ ul > li")
    expect(upcoming.filter(has_text="09:00–10:00")).to_contain_text("5,00 € (tarif public)")
    expect(upcoming.filter(has_text="14:00–17:00")).to_contain_text("12,00 € (tarif adhérent)")
    expect(upcoming.filter(has_text="09:00–10:00")).not_to_contain_text("adhérent")
    checked(page)
    assert page.errors == []


def test_logging_in_before_confirming_the_address_says_so_and_sends_the_link_again(
    live_server, browser_page, place
):
    user = UserFactory(username="aline@example.org", email="aline@example.org", is_active=False)
    assert user.last_login is None
    page = sized(browser_page)
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("aline@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("alert").first).to_contain_text("confirmez votre adresse e-mail")
    resend = page.get_by_role("button", name="Renvoyer le lien de confirmation")
    expect(resend).to_be_visible()
    checked(page)
    mail.outbox.clear()
    resend.click()
    expect(page.get_by_text("Un nouveau lien de confirmation vient de partir")).to_be_visible()
    checked(page)
    assert [message.to for message in mail.outbox] == [["aline@example.org"]]
    link = re.search(r"https?://\S+/comptes/inscription/confirmer/\S+", mail.outbox[0].body).group(0)

    # The link opens the account and logs its owner in.
    page.goto(link)
    expect(page.get_by_role("status").first).to_contain_text("Votre adresse est confirmée")
    user.refresh_from_db()
    assert user.is_active
    checked(page)
    assert page.errors == []


def test_the_availability_page_says_why_before_one_submits(live_server, browser_page, place, camille):
    day = next_monday()
    machine = ResourceFactory(place=place, machine=True, name="Découpe laser")
    room = ResourceFactory(place=place, name="Salle Margeride", buffer_minutes=15)
    other = UserFactory()
    start = datetime.datetime.combine(day, datetime.time(9), tzinfo=PARIS)
    Booking.objects.create(
        resource=room,
        place=place,
        person=other,
        booked_by=other,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    page = sized(browser_page)
    availability = (
        f"{live_server.url}/espaces/lieux/{place.pk}/disponibilites/?jour={day.isoformat()}&vue=jour"
    )

    # Anyone: a machine is free but needs a qualification, said in the cell itself.
    page.goto(f"{availability}&ressource={machine.public_id}")
    expect(page.locator("table.slots")).to_contain_text("libre (habilitation requise)")
    checked(page)

    # A member without it: told so, and no link to a form that would refuse.
    log_in(page, live_server, "camille")
    page.goto(f"{availability}&ressource={machine.public_id}")
    slots = page.locator("table.slots")
    expect(slots).to_contain_text("habilitation requise")
    expect(slots.get_by_role("link")).to_have_count(0)
    checked(page)
    UserQualification.objects.create(
        user=camille, qualification=machine.required_qualification, granted_on=day
    )
    page.reload()
    expect(slots.get_by_role("link", name=re.compile("réserver Découpe laser")).first).to_be_visible()

    # A slot taken only by the preparation time is not « complet »; a full one leads to the waiting list.
    page.goto(f"{availability}&ressource={room.public_id}")
    rows = page.locator("table.slots tbody tr")

    def cell_at(time):
        return rows.filter(has=page.locator("th", has_text=re.compile(f"^{time}$"))).locator("td")

    full = cell_at("09:30")
    expect(full.get_by_role("link")).to_have_text(re.compile("^complet — liste d'attente : Salle Margeride"))
    ten = cell_at("10:00")
    expect(ten).to_have_text("préparation")
    expect(page.locator(".slots-legend")).to_contain_text("temps de préparation entre deux réservations")
    expect(ten.get_by_role("link")).to_have_count(0)
    checked(page)
    assert page.errors == []


def test_the_next_seven_days_start_today(live_server, browser_page, place):
    ResourceFactory(place=place, name="Salle Cantal")
    page = sized(browser_page)
    page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/disponibilites/?vue=semaine")
    today = timezone.localdate()  # Europe/Paris, the place's time zone
    headers = page.locator("table.slots thead th[scope='col']")
    expect(headers).to_have_count(8)  # « Heure », then seven days
    expect(headers.nth(1)).to_contain_text(f"{today.day}/{today:%m}")
    last = today + datetime.timedelta(days=6)
    expect(headers.nth(7)).to_contain_text(f"{last.day}/{last:%m}")
    checked(page)
    assert page.errors == []


def test_the_day_page_of_the_team_is_a_404_for_a_member_outside_it(live_server, browser_page, place, camille):
    manager = UserFactory(username="gerante")
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    ResourceFactory(place=place, name="Salle Cantal")
    page = sized(browser_page)
    log_in(page, live_server, "camille")
    response = page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/reservations/")
    assert response.status == 404
    assert fits(page)
