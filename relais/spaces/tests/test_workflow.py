"""The life cycles of bookings and waiting-list entries go through core.workflow: named transitions,
one log row each, one audit event each, and `can` for the pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.core import workflow
from relais.privacy.audit import Actor
from relais.privacy.models import AuditEvent
from relais.spaces import services
from relais.spaces.enums import BookingStatus, WaitlistStatus
from relais.spaces.models import Booking, BookingTransition, WaitlistTransition
from relais.testing import UserFactory

from .conftest import NOW, paris

START, END = paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 11, 0)


@pytest.fixture
def booking(member_actor, room):
    return services.book(member_actor, room, START, END, now=NOW)


def test_each_move_is_a_named_transition_logged_and_audited_once(member_actor, staff_actor, booking):
    late = START + datetime.timedelta(minutes=20)
    services.mark_no_show(staff_actor, booking, now=late)
    services.check_in(staff_actor, booking, now=late)
    logs = list(BookingTransition.objects.filter(booking=booking))
    assert [(t.transition, t.from_status, t.to_status) for t in logs] == [
        ("book", "", "confirmed"),
        ("no_show", "confirmed", "no_show"),
        ("check_in", "no_show", "checked_in"),
    ]
    assert logs[1].by == staff_actor.user and logs[0].by == member_actor.user
    updates = AuditEvent.objects.for_object(booking).filter(action="update")
    assert [e.changes["status"] for e in updates.order_by("id")] == [
        ["confirmed", "no_show"],
        ["no_show", "checked_in"],
    ]


def test_a_cancellation_with_a_reason_is_audited_once_with_it(member_actor, booking):
    services.cancel(member_actor, booking, reason="empêchement", now=NOW)
    event = AuditEvent.objects.for_object(booking).get(action="update")
    assert event.changes == {"status": ["confirmed", "cancelled"], "reason": [None, "empêchement"]}
    assert booking.transitions.last().reason == "empêchement"


def test_can_answers_from_the_states_and_the_guards(member_actor, staff_actor, booking):
    stranger = Actor(user=UserFactory())
    started = START + datetime.timedelta(minutes=5)
    assert Booking.workflow.available(booking, member_actor, at=NOW) == ["cancel"]
    # Past its cancellation deadline the member cannot cancel online any more (issue 11 §5): not offered.
    assert Booking.workflow.available(booking, member_actor, at=started) == ["check_in"]
    assert Booking.workflow.available(booking, staff_actor, at=started) == ["cancel", "check_in", "no_show"]
    assert Booking.workflow.available(booking, stranger, at=started) == []
    cancelled = services.cancel(member_actor, booking, now=NOW)
    assert cancelled.status == BookingStatus.CANCELLED
    assert not workflow.can(cancelled, "check_in", staff_actor, at=started)


def test_the_offer_of_a_freed_slot_is_logged(member_actor, staff_actor, booking, room):
    entry = services.join_waitlist(staff_actor, room, START, END, person=UserFactory())
    services.cancel(member_actor, booking, now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED and entry.freed_by_id == booking.pk
    logs = WaitlistTransition.objects.filter(entry=entry)
    assert [(t.transition, t.from_status, t.to_status) for t in logs] == [
        ("join", "", "waiting"),
        ("offer", "waiting", "offered"),
    ]
    assert AuditEvent.objects.for_object(entry).get(action="update").changes["status"] == [
        "waiting",
        "offered",
    ]


def test_the_team_page_shows_the_buttons_the_life_cycle_allows(
    client, manager, staff_actor, place, booking, monkeypatch
):
    started = START + datetime.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: started.astimezone(datetime.UTC))
    client.force_login(manager)
    url = reverse("spaces:place-bookings", args=[place.pk]) + "?jour=2026-03-04"
    page = client.get(url).content.decode()
    assert reverse("spaces:check-in", args=[booking.public_id]) in page
    assert reverse("spaces:no-show", args=[booking.public_id]) in page
    services.check_in(staff_actor, booking, now=started)
    page = client.get(url).content.decode()
    assert reverse("spaces:check-in", args=[booking.public_id]) not in page
    assert reverse("spaces:no-show", args=[booking.public_id]) not in page
    assert reverse("spaces:cancel", args=[booking.public_id]) not in page
