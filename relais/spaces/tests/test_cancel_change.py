import datetime

import pytest

from relais.privacy.models import AuditEvent
from relais.spaces import services
from relais.spaces.enums import BookingStatus, WaitlistStatus
from relais.testing import ResourceFactory, UserFactory

from .conftest import NOW, paris, refusal

START, END = paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 11, 0)


@pytest.fixture
def room(place):
    # Cancellable until 24 hours before the start.
    return ResourceFactory(place=place, name="Salle Cantal", cancellation_deadline_minutes=24 * 60)


@pytest.fixture
def booking(member_actor, room):
    return services.book(member_actor, room, START, END, now=NOW)


def test_the_person_cancels_before_the_deadline(member_actor, booking):
    cancelled = services.cancel(member_actor, booking, reason="empêchement", now=NOW)
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.cancelled_at == NOW
    event = AuditEvent.objects.for_object(booking).filter(action="update").get()
    assert event.changes["status"] == ["confirmed", "cancelled"]
    assert [t.to_status for t in cancelled.transitions.all()] == ["confirmed", "cancelled"]


def test_cancelling_after_the_deadline_is_refused_unless_the_team_overrides(
    member_actor, staff_actor, booking
):
    late = paris(2026, 3, 3, 12, 0)
    error = refusal("deadline", services.cancel, member_actor, booking, now=late)
    assert "1 jour avant le début" in error.message and "03/03/2026 à 09:00" in error.message
    refusal("forbidden", services.cancel, member_actor, booking, override_deadline=True, now=late)
    refusal("deadline", services.cancel, staff_actor, booking, now=late)
    assert services.cancel(staff_actor, booking, override_deadline=True, now=late).status == "cancelled"


def test_a_cancelled_booking_cannot_be_cancelled_again(member_actor, booking):
    services.cancel(member_actor, booking, now=NOW)
    refusal("status", services.cancel, member_actor, booking, now=NOW)


def test_someone_else_cannot_touch_a_booking(booking):
    from relais.privacy.audit import Actor

    other = Actor(user=UserFactory())
    refusal("forbidden", services.cancel, other, booking, now=NOW)
    refusal("forbidden", services.change, other, booking, start=START, now=NOW)


def test_cancelling_frees_the_slot(member_actor, staff_actor, booking, room):
    services.cancel(member_actor, booking, now=NOW)
    services.book(
        staff_actor, room, START, END, person_name="Jean", person_contact="jean@exemple.fr", now=NOW
    )


def test_a_change_moves_the_booking_and_checks_every_rule(member_actor, staff_actor, booking, room):
    services.book(
        staff_actor,
        room,
        paris(2026, 3, 4, 14, 0),
        paris(2026, 3, 4, 16, 0),
        person_name="A",
        person_contact="a@exemple.fr",
        now=NOW,
    )
    # Growing into its own slot is fine.
    moved = services.change(member_actor, booking, end=paris(2026, 3, 4, 12, 0), now=NOW)
    assert moved.end == paris(2026, 3, 4, 12, 0)
    refusal(
        "overlap",
        services.change,
        member_actor,
        booking,
        start=paris(2026, 3, 4, 15, 0),
        end=paris(2026, 3, 4, 16, 0),
        now=NOW,
    )
    refusal("place_hours", services.change, member_actor, booking, end=paris(2026, 3, 4, 13, 0), now=NOW)
    event = AuditEvent.objects.for_object(booking).filter(action="update").get()
    assert list(event.changes) == ["end"]


def test_check_in_and_no_show(member_actor, staff_actor, booking):
    refusal("check_in_window", services.check_in, member_actor, booking, now=NOW)
    refusal(
        "forbidden", services.mark_no_show, member_actor, booking, now=START + datetime.timedelta(minutes=20)
    )
    refusal(
        "not_started", services.mark_no_show, staff_actor, booking, now=START - datetime.timedelta(minutes=5)
    )
    absent = services.mark_no_show(staff_actor, booking, now=START + datetime.timedelta(minutes=20))
    assert absent.status == BookingStatus.NO_SHOW
    # A late arrival: the team checks the person in after all.
    present = services.check_in(staff_actor, booking, now=START + datetime.timedelta(minutes=40))
    assert present.status == BookingStatus.CHECKED_IN and present.checked_in_at is not None
    refusal("status", services.cancel, staff_actor, booking, override_deadline=True, now=START)
    assert [t.to_status for t in present.transitions.all()] == ["confirmed", "no_show", "checked_in"]


def test_a_cancellation_offers_the_slot_to_the_first_person_waiting(member_actor, staff_actor, booking, room):
    first = UserFactory()
    second = UserFactory()
    not_fitting = services.join_waitlist(
        staff_actor,
        room,
        paris(2026, 3, 4, 10, 0),
        paris(2026, 3, 4, 12, 0),
        person_name="Z",
        person_contact="z@exemple.fr",
    )
    services.book(
        staff_actor, room, paris(2026, 3, 4, 11, 0), paris(2026, 3, 4, 12, 0), person=UserFactory(), now=NOW
    )
    early = services.join_waitlist(staff_actor, room, START, END, person=first)
    later = services.join_waitlist(staff_actor, room, START, END, person=second)
    services.cancel(member_actor, booking, now=NOW)
    for entry in (not_fitting, early, later):
        entry.refresh_from_db()
    # The oldest entry wants 10:00-12:00, but 11:00-12:00 is still taken: the next one gets the offer.
    assert not_fitting.status == WaitlistStatus.WAITING
    assert (
        early.status == WaitlistStatus.OFFERED and early.freed_by_id == booking.pk and early.offered_at == NOW
    )
    assert later.status == WaitlistStatus.WAITING


def test_the_person_checks_in_within_the_window(member_actor, booking):
    present = services.check_in(member_actor, booking, now=START - datetime.timedelta(minutes=10))
    assert present.status == BookingStatus.CHECKED_IN
    refusal("status", services.cancel, member_actor, booking, now=NOW)


def test_the_team_moves_a_booking_after_the_deadline_with_an_override(member_actor, staff_actor, booking):
    late = paris(2026, 3, 3, 18, 0)
    refusal(
        "deadline",
        services.change,
        member_actor,
        booking,
        start=paris(2026, 3, 4, 14, 0),
        end=paris(2026, 3, 4, 15, 0),
        now=late,
    )
    moved = services.change(
        staff_actor,
        booking,
        start=paris(2026, 3, 4, 14, 0),
        end=paris(2026, 3, 4, 15, 0),
        override_deadline=True,
        now=late,
    )
    assert moved.start == paris(2026, 3, 4, 14, 0)
