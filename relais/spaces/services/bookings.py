"""Booking a resource, changing, cancelling, checking in and noting an absence: the operations on one
booking (and the cancellation of what is left of a weekly series).

Each takes an `Actor` and plain arguments, runs in one serialised transaction (`records.serialised`) and
raises a `DomainError` with a French message; the e-mails leave once it commits.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import Conflict, DomainError, Forbidden
from relais.members import services as members
from relais.privacy.audit import AuditAction, diff, record

from .. import guards, notifications
from ..enums import BookingStatus
from ..models import Booking
from .access import acting_user, resolve_person
from .bounds import check_moments
from .hours import aware
from .pricing import member_rate_applies, priced
from .records import locked_resource, log_creation, new_booking, serialised, snapshot, transition
from .rules import Request, check_capacity, check_duplicate, check_rules, occupancy_of
from .waitlist import offer_freed_slot

CHECK_IN_OPENS_MINUTES = guards.CHECK_IN_OPENS_MINUTES


def book(
    actor,
    resource,
    start,
    end,
    *,
    person=None,
    person_name="",
    person_contact="",
    quantity=1,
    member=None,
    notes="",
    extra_seats=False,
    walk_in=False,
    now=None,
):
    """Book `quantity` units of `resource` from `start` to `end` (aware, or wall-clock of the place).

    The person is the actor unless the place's team books for an account (`person`) or for someone
    without one (`person_name` and `person_contact`, e.g. by phone), or for one of the place's members
    (`member`). The member rate applies when the person's membership covers the day booked.

    A person who already holds seats of the same pool at that time is refused (a duplicate) unless
    `extra_seats` says they want more. `walk_in`: the team records someone who is there without a booking,
    on a slot started up to `rules.WALK_IN_MINUTES` ago; the booking is checked in at once.
    """
    now = now or timezone.now()
    check_moments(now, start=start, end=end)
    place = resource.place
    tz = place.timezone
    person, person_name, person_contact, staff, membership = resolve_person(
        actor, place, person, person_name, person_contact, member
    )
    req = Request(
        aware(start, tz).astimezone(datetime.UTC), aware(end, tz).astimezone(datetime.UTC), quantity
    )
    if walk_in and not staff:
        raise Forbidden(
            _("seule l'équipe du lieu note une arrivée sans réservation."), field="person", code="forbidden"
        )
    rules = {
        "person": person,
        "now": now,
        "tz": tz,
        "staff": staff,
        "membership": membership,
        "walk_in": walk_in,
    }
    check_rules(resource, req, **rules)

    def operation():
        locked = locked_resource(resource)
        # Again under the lock: a closure or a change of rules may have landed since the first check.
        check_rules(locked, req, **rules)
        if not extra_seats:
            check_duplicate(locked, req, person, tz, yourself=person == acting_user(actor))
        check_capacity(locked, req, occupancy_of(locked, req.start, req.end), tz)
        booking = new_booking(
            locked,
            req,
            actor,
            (person, person_name, person_contact),
            membership=membership,
            tz=tz,
            notes=notes,
        )
        booking.save(force_insert=True)
        log_creation(booking, actor)
        record(actor, AuditAction.CREATE, booking, changes=diff({}, snapshot(booking)), place=locked.place)
        if walk_in:  # the person is there
            booking = transition(
                booking, "check_in", actor, reason=_("arrivée sans réservation"), at=now, checked_in_at=now
            )
        notifications.notify_after_commit("confirmed", booking.pk)
        return booking

    return serialised(operation)


def _get_for_update(booking):
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource__place__commune")
        .get(pk=booking.pk)
    )


def _may_manage(actor, booking):
    """The booked person, whoever booked it, or the place's team may change it; returns "is staff"."""
    return guards.manages(booking, actor)


def _check_deadline(booking, now, *, staff, override, action):
    """`action` is "cancel" or "change": each has its own sentences, for the translators."""
    if override and not staff:
        raise Forbidden(
            _("seule l'équipe du lieu peut passer outre le délai d'annulation."),
            field="booking",
            code="forbidden",
        )
    if now <= guards.cancellation_deadline(booking) or override:
        return
    guards.refuse_past_deadline(booking, now, staff=staff, action=action)


def cancel(actor, booking, *, reason="", override_deadline=False, now=None):
    """Cancel a booking (before the resource's deadline unless the team overrides it) and offer the freed
    slot to the first person waiting for it."""
    now = now or timezone.now()

    def operation():
        current = _get_for_update(booking)
        staff = _may_manage(actor, current)
        current = _cancel_locked(actor, current, now, reason=reason, staff=staff, override=override_deadline)
        notifications.notify_after_commit("cancelled", current.pk)
        return current

    return serialised(operation)


def _cancel_locked(actor, current, now, *, reason, staff, override):
    """Cancel a booking already locked and checked as the actor's to manage (the deadline is checked)."""
    if not Booking.workflow["cancel"].allows_from(current.status):
        raise Conflict(
            # Translators: %(status)s is the booking's state, e.g. « Annulée »
            _("cette réservation est « %(status)s » : seule une réservation confirmée peut être annulée.")
            % {"status": current.get_status_display()},
            field="status",
            code="status",
        )
    _check_deadline(current, now, staff=staff, override=override, action="cancel")
    # Logged and audited (status, reason) by the workflow.
    current = transition(current, "cancel", actor, reason=reason, at=now, cancelled_at=now)
    offer_freed_slot(current, now=now)
    return current


@dataclass
class SeriesCancellation:
    cancelled: list
    kept: list = field(default_factory=list)  # (booking, message): too late to cancel them


def cancel_series(actor, series, *, starting=None, reason="", override_deadline=False, now=None):
    """Cancel the confirmed occurrences of a weekly series still to come — from the one starting at
    `starting` on, when given; those past their cancellation deadline stay booked and are reported (unless
    the team overrides the deadline). One e-mail lists the cancelled dates."""
    now = now or timezone.now()

    def operation():
        upcoming = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("resource__place__commune", "place__commune")
            .filter(series=series, status=BookingStatus.CONFIRMED, start__gt=now)
            .order_by("start", "id")
        )
        if starting is not None:
            upcoming = upcoming.filter(start__gte=starting)
        upcoming = list(upcoming)
        if not upcoming:
            raise DomainError(
                _("cette série n'a plus de réservation à venir à annuler."), field="series", code="empty"
            )
        staff = _may_manage(actor, upcoming[0])
        result = SeriesCancellation(cancelled=[])
        for booking in upcoming:
            try:
                cancelled = _cancel_locked(
                    actor, booking, now, reason=reason, staff=staff, override=override_deadline
                )
            except DomainError as exc:
                if exc.code != "deadline":
                    raise
                result.kept.append((booking, exc.message))
            else:
                result.cancelled.append(cancelled)
        if result.cancelled:
            notifications.notify_after_commit("series_cancelled", [b.pk for b in result.cancelled])
        return result

    return serialised(operation)


def change(actor, booking, *, start=None, end=None, quantity=None, override_deadline=False, now=None):
    """Move or resize a confirmed booking; every rule of a new booking applies (its own seats excepted)."""
    now = now or timezone.now()
    check_moments(now, start=start, end=end)

    def operation():
        current = _get_for_update(booking)
        place = current.place
        tz = place.timezone
        staff = _may_manage(actor, current)
        if not Booking.workflow["cancel"].allows_from(current.status):
            raise Conflict(
                # Translators: %(status)s is the booking's state, e.g. « Annulée »
                _("une réservation « %(status)s » ne peut plus être modifiée.")
                % {"status": current.get_status_display()},
                field="status",
                code="status",
            )
        _check_deadline(current, now, staff=staff, override=override_deadline, action="change")
        req = Request(
            aware(start, tz).astimezone(datetime.UTC) if start is not None else current.start,
            aware(end, tz).astimezone(datetime.UTC) if end is not None else current.end,
            quantity if quantity is not None else current.quantity,
        )
        locked = locked_resource(current.resource)
        # A booking made by the team (for a name, or by policy) stays the team's: its policy is not re-read.
        membership = members.membership_days(place, current.person)
        check_rules(
            locked,
            req,
            person=current.person,
            now=now,
            tz=tz,
            staff=staff or current.booked_by_id != current.person_id,
            membership=membership,
        )
        check_capacity(locked, req, occupancy_of(locked, req.start, req.end, exclude=current), tz)
        if current.person_id:
            current.member_rate = member_rate_applies(membership, req.start, tz)
        before = snapshot(current)
        old = Booking(resource=locked, start=current.start, end=current.end, quantity=current.quantity)
        current.start, current.end, current.quantity = req.start, req.end, req.quantity
        current.price_cents, current.price_audience = priced(
            locked, req.start, req.end, is_member=current.member_rate
        )
        if req.start != old.start:  # a new start time: remind again the day before
            current.reminder_sent_at = None
        current.save(
            update_fields=[
                "start",
                "end",
                "quantity",
                "price_cents",
                "price_audience",
                "member_rate",
                "reminder_sent_at",
            ]
        )
        record(actor, AuditAction.UPDATE, current, changes=diff(before, snapshot(current)), place=place)
        notifications.notify_after_commit("changed", current.pk)
        old.pk, old.place_id = current.pk, current.place_id
        offer_freed_slot(old, now=now)
        return current

    return serialised(operation)


def check_in(actor, booking, *, now=None):
    """The person is there: from 30 minutes before the start to the end, by them or the team (the guards of
    `Booking.workflow`); logged and audited by the workflow."""
    now = now or timezone.now()

    def operation():
        current = _get_for_update(booking)
        return transition(current, "check_in", actor, at=now, checked_in_at=now)

    return serialised(operation)


def mark_no_show(actor, booking, *, now=None):
    """The team notes that the person did not come (once the booking has started)."""
    now = now or timezone.now()

    def operation():
        return transition(_get_for_update(booking), "no_show", actor, at=now)

    return serialised(operation)


def undo_check_in(actor, booking, *, reason, now=None):
    """The team goes back on a mistaken check-in: the booking is confirmed again (the reason is logged)."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise DomainError(
            _("dites pourquoi le pointage est annulé (motif)."), field="reason", code="required"
        )

    def operation():
        current = _get_for_update(booking)
        return transition(current, "undo_check_in", actor, reason=reason.strip(), at=now, checked_in_at=None)

    return serialised(operation)
