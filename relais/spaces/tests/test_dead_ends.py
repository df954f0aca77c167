"""Booking without dead ends (issue 11 §5): what cannot work is said before, not refused after.

The clock is frozen on Monday 2 March 2026, 08:00 in Paris (`frozen_clock`): the records' creation times
follow it too."""

import datetime
import html
import json

import pytest
from django.test import Client
from django.urls import reverse

from relais.accounts.models import ApiToken
from relais.core import workflow
from relais.privacy.audit import Actor
from relais.spaces import services
from relais.spaces.enums import Audience, BookingStatus, PriceUnit, WaitlistStatus
from relais.spaces.models import Booking, BookingTransition, PriceRule, UserQualification
from relais.testing import MemberFactory, ResourceFactory, UserFactory

from .conftest import NOW, paris, refusal

pytestmark = pytest.mark.usefixtures("frozen_clock")

DAY = NOW.date()


def text_of(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def late_room(place):
    """A room with a one-day cancellation deadline (booked 3 h ahead below: already past it)."""
    return ResourceFactory(place=place, name="Salle Aubrac", cancellation_deadline_minutes=24 * 60)


# --- 1. Booked after its own cancellation deadline ------------------------------------------------------


def test_a_booking_made_past_its_deadline_offers_no_cancel_and_names_no_earlier_date(
    member_actor, staff_actor, late_room
):
    booking = services.book(member_actor, late_room, paris(2026, 3, 2, 11), paris(2026, 3, 2, 12), now=NOW)
    assert booking.created_at <= NOW.astimezone(datetime.UTC)
    # No « Annuler » / « Modifier » for the member: the life cycle says it cannot work now.
    assert not workflow.can(booking, "cancel", member_actor, at=NOW)
    assert "cancel" not in Booking.workflow.available(booking, member_actor, at=NOW)
    # The team may still (passing over the deadline).
    assert "cancel" in Booking.workflow.available(booking, staff_actor, at=NOW)
    for call in (services.cancel, services.change):
        error = refusal("deadline", call, member_actor, booking, now=NOW)
        assert "faite après son délai d'annulation (1 jour avant le début)" in error.message
        assert "01/03/2026" not in error.message and "jusqu'au" not in error.message
    error = refusal("deadline", services.cancel, staff_actor, booking, now=NOW)
    assert "passer outre" in error.message and "jusqu'au" not in error.message
    assert services.cancel(staff_actor, booking, override_deadline=True, now=NOW).status == "cancelled"


def test_the_booking_form_warns_before_confirming_a_booking_that_cannot_be_cancelled(
    member_client, member, late_room
):
    url = reverse("spaces:book", args=[late_room.public_id])
    warning = (
        "Cette réservation ne pourra pas être annulée en ligne : le délai d'annulation (1 jour avant) est "
        "déjà passé."
    )
    assert warning in text_of(member_client.get(url, {"date": DAY, "debut": "11:00", "fin": "12:00"}))
    slot = {"date": DAY.isoformat(), "start_time": "11:00", "end_time": "12:00"}
    response = member_client.post(url, slot)
    assert response.status_code == 200 and not Booking.objects.exists()
    assert warning in text_of(response) and "Réserver quand même" in text_of(response)
    response = member_client.post(url, {**slot, "sans_annulation": "1"})
    assert response.status_code == 302
    booking = Booking.objects.get()
    # « Mes réservations » offers neither « Annuler » nor « Modifier » for it.
    page = text_of(member_client.get(reverse("spaces:my-bookings")))
    assert late_room.name in page
    assert reverse("spaces:cancel", args=[booking.public_id]) not in page
    assert reverse("spaces:change", args=[booking.public_id]) not in page
    assert "Plus d'annulation ni de modification en ligne" in page


def test_a_booking_far_enough_ahead_is_not_warned(member_client, late_room):
    url = reverse("spaces:book", args=[late_room.public_id])
    response = member_client.get(url, {"date": "2026-03-04", "debut": "11:00", "fin": "12:00"})
    assert "ne pourra pas être annulée" not in text_of(response)
    response = member_client.post(url, {"date": "2026-03-04", "start_time": "11:00", "end_time": "12:00"})
    assert response.status_code == 302


# --- 2. The same person twice on the same pool ----------------------------------------------------------


def test_the_same_member_booking_the_same_pool_twice_is_refused_naming_the_first(member_actor, pool):
    start, end = paris(2026, 3, 3, 9), paris(2026, 3, 3, 10)
    services.book(member_actor, pool, start, end, now=NOW)
    error = refusal("duplicate", services.book, member_actor, pool, start, end, now=NOW)
    assert "vous avez déjà une réservation" in error.message
    assert "le mardi 3 mars 2026 de 09:00 à 10:00" in error.message
    # Overlapping only is a duplicate too.
    refusal(
        "duplicate", services.book, member_actor, pool, paris(2026, 3, 3, 9), paris(2026, 3, 3, 11), now=NOW
    )
    # Asked for explicitly: more seats.
    more = services.book(member_actor, pool, start, end, extra_seats=True, now=NOW)
    assert more.status == BookingStatus.CONFIRMED
    # Another time is no duplicate.
    services.book(member_actor, pool, paris(2026, 3, 3, 10), paris(2026, 3, 3, 11), now=NOW)


def test_the_team_booking_by_phone_for_different_people_is_no_duplicate(staff_actor, member, pool):
    start, end = paris(2026, 3, 3, 9), paris(2026, 3, 3, 10)
    for name in ("Aline", "Bruno"):
        services.book(
            staff_actor, pool, start, end, person_name=name, person_contact="06 00 00 00 00", now=NOW
        )
    services.book(staff_actor, pool, start, end, person=member, now=NOW)
    error = refusal("duplicate", services.book, staff_actor, pool, start, end, person=member, now=NOW)
    assert str(member) in error.message
    assert Booking.objects.count() == 3


def test_the_booking_page_offers_more_seats_after_a_duplicate(member_client, member_actor, pool):
    services.book(member_actor, pool, paris(2026, 3, 3, 9), paris(2026, 3, 3, 10), now=NOW)
    url = reverse("spaces:book", args=[pool.public_id])
    slot = {"date": "2026-03-03", "start_time": "09:00", "end_time": "10:00", "quantity": "1"}
    response = member_client.post(url, slot)
    assert response.status_code == 200 and "vous avez déjà une réservation" in text_of(response)
    assert "Réserver des places en plus" in text_of(response)
    assert member_client.post(url, {**slot, "extra_seats": "on"}).status_code == 302
    assert Booking.objects.count() == 2


# --- 3. The price label says which rule priced it -------------------------------------------------------


def test_the_price_label_names_the_rule_that_priced_it(member_client, member, member_actor, place, room):
    MemberFactory(place=place, user=member)
    PriceRule.objects.create(resource=room, audience=Audience.ALL, unit=PriceUnit.HOUR, amount_cents=500)
    PriceRule.objects.create(
        resource=room, audience=Audience.MEMBER, unit=PriceUnit.HALF_DAY, amount_cents=1200
    )
    # One hour: the public hourly price is the cheapest, even for a member.
    public = services.book(member_actor, room, paris(2026, 3, 3, 9), paris(2026, 3, 3, 10), now=NOW)
    assert public.member_rate and public.price_cents == 500 and public.price_audience == Audience.ALL
    assert public.price_label == "tarif public"
    # A morning: the members' half-day price.
    day = services.book(member_actor, room, paris(2026, 3, 4, 9), paris(2026, 3, 4, 12), now=NOW)
    assert day.price_cents == 1200 and day.price_label == "tarif adhérent"
    page = text_of(member_client.get(reverse("spaces:my-bookings")))
    assert "5,00 € (tarif public)" in page and "12,00 € (tarif adhérent)" in page
    # Moved to one hour: priced again, labelled again.
    moved = services.change(member_actor, day, start=paris(2026, 3, 4, 9), end=paris(2026, 3, 4, 10), now=NOW)
    assert moved.price_label == "tarif public"


def test_a_free_booking_says_free(member_client, member_actor, room):
    PriceRule.objects.create(resource=room, audience=Audience.ALL, unit=PriceUnit.FREE, amount_cents=0)
    booking = services.book(member_actor, room, paris(2026, 3, 3, 9), paris(2026, 3, 3, 10), now=NOW)
    assert booking.price_cents == 0 and booking.price_label == "gratuit"
    assert "— gratuit" in text_of(member_client.get(reverse("spaces:my-bookings")))


# --- 4. The availability page says why before one submits -----------------------------------------------


def test_a_machine_says_qualification_required_to_a_member_without_it(member_client, member, place):
    machine = ResourceFactory(place=place, machine=True, name="Découpe laser")
    url = reverse("spaces:availability", args=[place.pk])
    anonymous = Client().get(url, {"jour": DAY, "ressource": machine.public_id})
    assert "libre (habilitation requise)" in text_of(anonymous)  # who may hold it: told before booking
    page = text_of(member_client.get(url, {"jour": DAY, "ressource": machine.public_id}))
    assert "habilitation requise" in page
    assert reverse("spaces:book", args=[machine.public_id]) + "?date=" not in page
    UserQualification.objects.create(
        user=member, qualification=machine.required_qualification, granted_on=DAY
    )
    page = text_of(member_client.get(url, {"jour": DAY, "ressource": machine.public_id}))
    assert reverse("spaces:book", args=[machine.public_id]) + "?date=" in page


def test_a_slot_blocked_by_the_preparation_time_says_so_and_a_full_one_leads_to_the_waiting_list(
    member_client, staff_actor, place
):
    room = ResourceFactory(place=place, name="Salle Margeride", buffer_minutes=15)
    other = UserFactory()
    services.book(staff_actor, room, paris(2026, 3, 2, 9), paris(2026, 3, 2, 10), person=other, now=NOW)
    response = member_client.get(
        reverse("spaces:availability", args=[place.pk]), {"jour": DAY, "ressource": room.public_id}
    )
    cells = {row["time"]: row["cells"][0] for row in response.context["tables"][0]["rows"]}
    assert cells[datetime.time(9, 30)]["text"] == "complet — liste d'attente"
    assert cells[datetime.time(10, 0)]["state"] == "buffer"
    assert cells[datetime.time(10, 0)]["text"] == "préparation"  # said in full in the legend
    assert cells[datetime.time(10, 30)]["state"] == "free"
    waitlist_url = cells[datetime.time(9, 30)]["url"]
    assert "attente=1" in waitlist_url and "debut=09%3A30" in waitlist_url
    page = text_of(member_client.get(waitlist_url))
    assert "M'inscrire sur la liste d'attente pour ce créneau" in page and 'value="09:30"' in page


# --- 5. Leaving a waiting list --------------------------------------------------------------------------


def test_a_member_leaves_a_waiting_list(member_client, member, member_actor, room):
    entry = services.join_waitlist(member_actor, room, paris(2026, 3, 3, 9), paris(2026, 3, 3, 10))
    url = reverse("spaces:leave-waitlist", args=[entry.public_id])
    assert url in text_of(member_client.get(reverse("spaces:my-bookings")))
    stranger = UserFactory()
    assert not workflow.can(entry, "leave", Actor(user=stranger))
    response = member_client.post(url)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WITHDRAWN
    assert entry.transitions.last().transition == "leave"
    assert url not in text_of(member_client.get(reverse("spaces:my-bookings")))
    # Someone else's entry: not found.
    other = services.join_waitlist(member_actor, room, paris(2026, 3, 3, 10), paris(2026, 3, 3, 11))
    member_client.force_login(stranger)
    assert member_client.post(reverse("spaces:leave-waitlist", args=[other.public_id])).status_code == 404


# --- 6. Undoing a check-in, recording a walk-in ---------------------------------------------------------


def test_the_team_undoes_a_mistaken_check_in_with_a_reason(client, manager, member_actor, staff_actor, room):
    booking = services.book(member_actor, room, paris(2026, 3, 2, 9), paris(2026, 3, 2, 10), now=NOW)
    there = paris(2026, 3, 2, 9, 5)
    booking = services.check_in(staff_actor, booking, now=there)
    assert not workflow.can(booking, "undo_check_in", member_actor, at=there)
    refusal("required", services.undo_check_in, staff_actor, booking, reason=" ", now=there)
    refusal("forbidden", services.undo_check_in, member_actor, booking, reason="erreur", now=there)
    client.force_login(manager)
    day_page = reverse("spaces:place-bookings", args=[room.place_id]) + "?jour=2026-03-02"
    assert reverse("spaces:undo-check-in", args=[booking.public_id]) in text_of(client.get(day_page))
    response = client.post(
        reverse("spaces:undo-check-in", args=[booking.public_id]), {"motif": "pas la bonne personne"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.checked_in_at is None
    log = BookingTransition.objects.filter(booking=booking).last()
    assert (log.transition, log.from_status, log.to_status, log.reason) == (
        "undo_check_in",
        "checked_in",
        "confirmed",
        "pas la bonne personne",
    )


def test_the_team_records_a_walk_in_on_a_slot_started_minutes_ago(staff_actor, member_actor, room):
    now = paris(2026, 3, 2, 9, 20)
    kwargs = {"person_name": "Passant", "person_contact": "06 00 00 00 00", "now": now}
    refusal("past", services.book, staff_actor, room, paris(2026, 3, 2, 9), paris(2026, 3, 2, 10), **kwargs)
    booking = services.book(
        staff_actor, room, paris(2026, 3, 2, 9), paris(2026, 3, 2, 10), walk_in=True, **kwargs
    )
    assert booking.status == BookingStatus.CHECKED_IN
    assert booking.transitions.last().reason == "arrivée sans réservation"
    late = {**kwargs, "now": paris(2026, 3, 2, 10, 40)}
    error = refusal(
        "past",
        services.book,
        staff_actor,
        room,
        paris(2026, 3, 2, 10),
        paris(2026, 3, 2, 11),
        walk_in=True,
        **late,
    )
    assert "30 min" in error.message
    refusal(
        "forbidden",
        services.book,
        member_actor,
        room,
        paris(2026, 3, 2, 10),
        paris(2026, 3, 2, 11),
        walk_in=True,
        now=now,
    )


def test_the_day_page_offers_a_walk_in(client, manager, place, room):
    client.force_login(manager)
    page = text_of(client.get(reverse("spaces:place-bookings", args=[place.pk])))
    assert "Arrivée sans réservation" in page and "sur_place=1" in page
    url = reverse("spaces:book", args=[room.public_id]) + "?date=2026-03-02&debut=08:00&fin=08:30&sur_place=1"
    response = client.get(url)
    assert response.context["form"]["walk_in"].value() is True


# --- 7. The week starts today ---------------------------------------------------------------------------


def test_the_next_seven_days_start_today(client, place, room):
    wednesday = datetime.date(2026, 3, 4)
    response = client.get(
        reverse("spaces:availability", args=[place.pk]), {"jour": wednesday, "vue": "semaine"}
    )
    days = response.context["days"]
    assert days[0] == wednesday and days[-1] == datetime.date(2026, 3, 10)
    response = client.get(reverse("spaces:availability", args=[place.pk]), {"vue": "semaine"})
    assert response.context["days"][0] == DAY


def test_the_api_answers_a_duplicate_with_a_409_unless_more_seats_are_asked(client, member, pool):
    _token, raw = ApiToken.issue(member, "outil de test")
    payload = {
        "resource": str(pool.public_id),
        "start": paris(2026, 3, 3, 9).isoformat(),
        "end": paris(2026, 3, 3, 10).isoformat(),
    }

    def post(data):
        return client.post(
            "/api/spaces/bookings",
            json.dumps(data),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )

    first = post(payload)
    assert first.status_code == 201 and first.json()["price_label"] == ""  # no price set
    refused = post(payload)
    assert refused.status_code == 409 and refused.json()["code"] == "duplicate"
    assert post({**payload, "extra_seats": True}).status_code == 201
