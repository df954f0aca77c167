"""The rules a booking must follow: who books online (`refusal`), what is asked (order, quantity, notice,
horizon, duration, granularity), when (hours, closures), who may use it (qualification) and, under the
lock, the capacity left. Each broken rule raises a `DomainError` naming the field and the rule (`code`).
"""

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import Conflict, DomainError, Forbidden
from relais.members import services as members

from .. import schedule
from ..enums import ACTIVE_STATUSES, BookingPolicy, ResourceKind
from ..models import Booking, UserQualification
from ..wording import duration_text, moment_text, period_text, time_text
from .hours import aware, closures_of, describe_day, hours_intervals

# Resources lent and taken away: only the pick-up and the return must be within the hours.
LOAN_KINDS = (ResourceKind.EQUIPMENT,)

# The team records a walk-in (someone there, without a booking) on a slot started up to this long ago.
WALK_IN_MINUTES = 30


@dataclass
class Request:
    """What is asked: one occurrence of a booking, in UTC."""

    start: datetime.datetime
    end: datetime.datetime
    quantity: int = 1


def refusal(resource, *, staff, membership, day=None, today=None):
    """Why the person may not book `resource` online by themselves (see `BookingPolicy`): the DomainError a
    booking would raise, or None when they may.

    `staff`: the place's team books (any policy); `membership`: the person's membership periods at the
    place (`members.membership_days`). With `day`, a local date, the membership must cover that day; without
    it (a page, before a day is chosen), a membership that has not ended before `today` will do.
    """
    if staff or resource.booking_policy == BookingPolicy.PUBLIC:
        return None
    if resource.booking_policy == BookingPolicy.STAFF:
        return Forbidden(
            _(
                "« %(resource)s » se réserve auprès de l'équipe du lieu (par téléphone ou à l'accueil), "
                "pas en ligne."
            )
            % {"resource": resource},
            field="resource",
            code="staff_only",
        )
    if day is None:
        day = today
        if any(ends is None or ends >= today for _joined, ends in membership):
            return None
    elif members.covers(membership, day):
        return None
    if membership:
        message = _(
            "« %(resource)s » est réservé aux adhérents du lieu : votre adhésion ne couvre pas le %(date)s."
        ) % {
            "resource": resource,
            # Translators: Django date format; escape letters with a backslash
            "date": formats.date_format(day, _("d/m/Y")),
        }
    else:
        message = _(
            "« %(resource)s » est réservé aux adhérents du lieu : adhérez auprès de l'équipe du lieu pour le "
            "réserver."
        ) % {"resource": resource}
    return Forbidden(message, field="person", code="members_only")


def check_policy(resource, start, tz, *, staff, membership):
    """May the person book `resource` online on the (local) day of `start`? Raises the `refusal` if not."""
    error = refusal(resource, staff=staff, membership=membership, day=start.astimezone(tz).date())
    if error is not None:
        raise error


def check_rules(resource, req, *, person, now, tz, staff=False, membership=(), walk_in=False):
    """Every rule but the capacity (checked under the lock); raises DomainError naming the rule.

    `staff`: the place's team books (any policy); `membership`: the person's membership periods at the
    place (`members.membership_days`), for the resources kept for members; `walk_in`: the team records
    someone who is there, on a slot started up to `WALK_IN_MINUTES` ago (no minimum notice).
    """
    start, end = req.start, req.end
    if end <= start:
        raise DomainError(_("la fin doit suivre le début."), field="end", code="order")
    if req.quantity < 1:
        raise DomainError(_("le nombre de places doit être d'au moins 1."), field="quantity", code="quantity")
    if req.quantity > resource.capacity:
        raise DomainError(
            ngettext(
                "« %(resource)s » n'offre que %(capacity)s place (nombre demandé : %(quantity)s).",
                "« %(resource)s » n'offre que %(capacity)s places (nombre demandé : %(quantity)s).",
                resource.capacity,
            )
            % {"resource": resource, "capacity": resource.capacity, "quantity": req.quantity},
            field="quantity",
            code="quantity",
        )
    if not resource.is_active:
        raise DomainError(
            _("« %(resource)s » n'est pas réservable en ce moment.") % {"resource": resource},
            field="resource",
            code="inactive",
        )
    check_policy(resource, start, tz, staff=staff, membership=membership)
    if walk_in and start >= now - datetime.timedelta(minutes=WALK_IN_MINUTES):
        pass  # someone there, on a slot started a few minutes ago
    elif walk_in:
        raise DomainError(
            # Translators: %(when)s is a date and time; %(delay)s a duration, e.g. « 30 min »
            _(
                "le %(when)s est trop loin dans le passé : une arrivée sans réservation se note sur un "
                "créneau commencé il y a au plus %(delay)s."
            )
            % {"when": moment_text(start, tz), "delay": duration_text(WALK_IN_MINUTES)},
            field="start",
            code="past",
        )
    elif start < now:
        raise DomainError(
            # Translators: %(when)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            _("le %(when)s est déjà passé : on ne réserve pas dans le passé.")
            % {"when": moment_text(start, tz)},
            field="start",
            code="past",
        )
    notice = resource.min_notice_minutes
    if not walk_in and start < now + datetime.timedelta(minutes=notice):
        raise DomainError(
            # Translators: %(delay)s is a duration, e.g. « 2 h » or « 1 jour »
            _("« %(resource)s » se réserve au moins %(delay)s à l'avance (délai minimal).")
            % {"resource": resource, "delay": duration_text(notice)},
            field="start",
            code="notice",
        )
    horizon = resource.max_horizon_days
    if start > now + datetime.timedelta(days=horizon):
        raise DomainError(
            ngettext(
                # Translators: %(when)s is a date and time, e.g. « 12/03/2026 à 09:00 »
                "« %(resource)s » se réserve au plus %(count)s jour à l'avance : le %(when)s est trop loin "
                "(horizon de réservation).",
                "« %(resource)s » se réserve au plus %(count)s jours à l'avance : le %(when)s est trop loin "
                "(horizon de réservation).",
                horizon,
            )
            % {"resource": resource, "count": horizon, "when": moment_text(start, tz)},
            field="start",
            code="horizon",
        )
    duration = (end - start).total_seconds() / 60
    if duration < resource.min_duration_minutes or duration > resource.max_duration_minutes:
        raise DomainError(
            # Translators: %(duration)s, %(min)s and %(max)s are durations, e.g. « 1 h 30 »
            _("durée de %(duration)s hors des limites de « %(resource)s » : entre %(min)s et %(max)s.")
            % {
                "duration": duration_text(int(duration)),
                "resource": resource,
                "min": duration_text(resource.min_duration_minutes),
                "max": duration_text(resource.max_duration_minutes),
            },
            field="end",
            code="duration",
        )
    g = resource.granularity_minutes
    for name, moment in (("start", start), ("end", end)):
        local = moment.astimezone(tz)
        if local.second or local.microsecond or (local.hour * 60 + local.minute) % g:
            if g < 60:
                # Translators: examples of times on a step of %(minutes)s minutes, e.g. « 09:00, 09:30… »
                example = _("par exemple 09:00, 09:%(minutes)02d…") % {"minutes": g}
            else:
                example = _("compté depuis minuit")
            if name == "start":
                message = _(
                    # Translators: %(step)s is a duration, e.g. « 30 min »; %(example)s explains the step
                    "le début (%(time)s) doit tomber sur le pas de %(step)s de « %(resource)s » "
                    "(%(example)s)."
                )
            else:
                message = _(
                    # Translators: %(step)s is a duration, e.g. « 30 min »; %(example)s explains the step
                    "la fin (%(time)s) doit tomber sur le pas de %(step)s de « %(resource)s » (%(example)s)."
                )
            raise DomainError(
                message
                % {
                    "time": time_text(moment, tz),
                    "step": duration_text(g),
                    "resource": resource,
                    "example": example,
                },
                field=name,
                code="granularity",
            )
    lo, hi = schedule.to_minutes(start), schedule.to_minutes(end)
    # A loan spans the nights and days the place is closed: only the pick-up (its first minute) and the
    # return (the minute before or after it: returning at opening or closing time is fine) must fall within
    # the hours and outside closures. Everything else is used on site, for the whole booking.
    loan = resource.kind in LOAN_KINDS
    spans = [[(lo, lo + 1)], [(hi - 1, hi), (hi, hi + 1)]] if loan else [[(lo, hi)]]

    def within(intervals):
        return all(any(schedule.covers(intervals, a, b) for a, b in options) for options in spans)

    department = resource.place.commune.department_id
    after_end = end + datetime.timedelta(minutes=1)

    def days_said(expression):
        days = sorted({start.astimezone(tz).date(), end.astimezone(tz).date()})
        return " ; ".join(describe_day(expression, tz, day, department) for day in days)

    resource_hours = hours_intervals(resource.bookable_hours, tz, start, after_end, department)
    if resource_hours is not None and not within(resource_hours):
        raise DomainError(
            _(
                # Translators: « du 12/03/2026 à 09:00 à 10:00 : … »; %(hours)s lists the hours of those days
                "du %(start)s à %(end)s : en dehors des horaires de réservation de « %(resource)s » "
                "(%(hours)s)."
            )
            % {
                "start": moment_text(start, tz),
                "end": time_text(end, tz),
                "resource": resource,
                "hours": days_said(resource.bookable_hours),
            },
            field="start",
            code="resource_hours",
        )
    opening = hours_intervals(resource.place.opening_hours, tz, start, after_end, department)
    if opening is not None and not within(opening):
        raise DomainError(
            # Translators: « du 12/03/2026 à 09:00 à 10:00 : … »; %(hours)s lists the hours of those days
            _("du %(start)s à %(end)s : en dehors des horaires d'ouverture du lieu (%(hours)s).")
            % {
                "start": moment_text(start, tz),
                "end": time_text(end, tz),
                "hours": days_said(resource.place.opening_hours),
            },
            field="start",
            code="place_hours",
        )

    def touching(closures, a, b):
        return [
            c for c in closures if schedule.to_minutes(c.start) < b and schedule.to_minutes_ceil(c.end) > a
        ]

    closures = closures_of(resource, start, end)
    if resource.kind in LOAN_KINDS:
        blocking = touching(closures, *spans[0][0])
        returns = [touching(closures, a, b) for a, b in spans[1]]
        closures = blocking or (returns[0] if all(returns) else [])
    if closures:
        closure = closures[0]
        if closure.resource_id and closure.reason:
            # Translators: %(start)s and %(end)s are dates and times; %(reason)s is the closure's reason
            message = _("« %(resource)s » est fermé du %(start)s au %(end)s (%(reason)s).")
        elif closure.resource_id:
            message = _("« %(resource)s » est fermé du %(start)s au %(end)s.")
        elif closure.reason:
            # Translators: %(start)s and %(end)s are dates and times; %(reason)s is the closure's reason
            message = _("le lieu est fermé du %(start)s au %(end)s (%(reason)s).")
        else:
            message = _("le lieu est fermé du %(start)s au %(end)s.")
        raise DomainError(
            message
            % {
                "resource": resource,
                "start": moment_text(closure.start, tz),
                "end": moment_text(closure.end, tz),
                "reason": closure.reason,
            },
            field="start",
            code="closure",
        )
    qualification = resource.required_qualification
    if qualification is not None:
        if person is None:
            raise Forbidden(
                _(
                    "« %(resource)s » demande l'habilitation « %(qualification)s » : réservez pour une "
                    "personne qui a un compte et cette habilitation."
                )
                % {"resource": resource, "qualification": qualification},
                field="person",
                code="qualification",
            )
        if not UserQualification.objects.filter(user=person, qualification=qualification).exists():
            raise Forbidden(
                _(
                    # Translators: %(person)s is the name of the person booked for
                    "%(person)s n'a pas l'habilitation « %(qualification)s » que demande « %(resource)s » "
                    "(elle s'obtient après la formation)."
                )
                % {"person": person, "qualification": qualification, "resource": resource},
                field="person",
                code="qualification",
            )


def occupancy_of(resource, start, end, *, exclude=None):
    """(starts, ends, quantities) in minutes of the active bookings whose occupancy meets [start, end + b)."""
    b = datetime.timedelta(minutes=resource.buffer_minutes)
    qs = Booking.objects.filter(
        resource=resource, status__in=ACTIVE_STATUSES, start__lt=end + b, end__gt=start - b
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    starts, ends, quantities = [], [], []
    for s, e, q in qs.values_list("start", "end", "quantity"):
        starts.append(schedule.to_minutes(s))
        ends.append(schedule.to_minutes_ceil(e))
        quantities.append(q)
    return starts, ends, quantities


def check_capacity(resource, req, occupancy, tz):
    lo, hi = schedule.to_minutes(req.start), schedule.to_minutes(req.end) + resource.buffer_minutes
    used = schedule.max_load(occupancy, resource.buffer_minutes, lo, hi)
    if used + req.quantity <= resource.capacity:
        return
    values = {
        "resource": resource,
        "when": moment_text(req.start, tz),
        "buffer": duration_text(resource.buffer_minutes),
        "left": max(resource.capacity - used, 0),
        "capacity": resource.capacity,
        "quantity": req.quantity,
    }
    if resource.capacity == 1:
        # Say which booking holds it: « de 10:00 à 11:00 », not only the time asked for.
        taken = _taking(occupancy, resource.buffer_minutes, lo, hi)
        values["taken"] = (
            period_text(schedule.from_minutes(taken[0]), schedule.from_minutes(taken[1]), tz) if taken else ""
        )
        if resource.buffer_minutes:
            message = _(
                # Translators: %(when)s is a date and time; %(taken)s the booking that holds the slot, e.g.
                # « le mardi 3 mars 2026 de 10:00 à 11:00 »; %(buffer)s a duration, e.g. « 15 min »
                "« %(resource)s » est déjà réservé le %(when)s : une réservation l'occupe %(taken)s, "
                "suivie du temps de préparation de %(buffer)s entre deux réservations."
            )
        else:
            # Translators: %(when)s is a date and time; %(taken)s the booking that holds the slot, e.g.
            # « le mardi 3 mars 2026 de 10:00 à 11:00 »
            message = _("« %(resource)s » est déjà réservé le %(when)s : une réservation l'occupe %(taken)s.")
        code = "overlap"
    else:
        if resource.buffer_minutes:
            message = ngettext(
                # Translators: %(left)s places are left out of %(capacity)s (the choice of singular or plural
                # follows %(left)s); %(buffer)s is a duration
                "« %(resource)s » est complet le %(when)s : il reste %(left)s place sur %(capacity)s, "
                "nombre demandé : %(quantity)s (avec le temps de préparation de %(buffer)s entre deux "
                "réservations).",
                "« %(resource)s » est complet le %(when)s : il reste %(left)s places sur %(capacity)s, "
                "nombre demandé : %(quantity)s (avec le temps de préparation de %(buffer)s entre deux "
                "réservations).",
                values["left"],
            )
        else:
            message = ngettext(
                # Translators: %(left)s places are left out of %(capacity)s (the choice of singular or plural
                # follows %(left)s)
                "« %(resource)s » est complet le %(when)s : il reste %(left)s place sur %(capacity)s, "
                "nombre demandé : %(quantity)s.",
                "« %(resource)s » est complet le %(when)s : il reste %(left)s places sur %(capacity)s, "
                "nombre demandé : %(quantity)s.",
                values["left"],
            )
        code = "capacity"
    raise Conflict(message % values, field="start", code=code)


def _taking(occupancy, buffer, lo, hi):
    """(start, end) in minutes of the first booking whose occupancy (itself and its buffer) meets
    [lo, hi), or None."""
    for s, e, _q in sorted(zip(*occupancy, strict=True)):
        if s < hi and e + buffer > lo:
            return s, e
    return None


def check_duplicate(resource, req, person, tz, *, yourself):
    """The same person booking the same pool at the same time again is most often a double click or a
    forgotten booking: a Conflict naming the booking they already have (more seats are asked explicitly).
    Bookings for a name without an account (by phone, for different people) are never duplicates."""
    if person is None or resource.capacity <= 1:
        return
    existing = (
        Booking.objects.filter(resource=resource, person=person, status__in=ACTIVE_STATUSES)
        .overlapping(req.start, req.end)
        .order_by("start", "id")
        .first()
    )
    if existing is None:
        return
    values = {
        "person": person,
        "resource": resource,
        "period": period_text(existing.start, existing.end, tz),
        "quantity": existing.quantity,
    }
    if yourself:
        message = ngettext(
            # Translators: %(period)s is e.g. « le mardi 3 mars 2026 de 10:00 à 11:00 »
            "vous avez déjà une réservation de « %(resource)s » %(period)s (%(quantity)s place). Pour des "
            "places en plus, cochez « Réserver des places en plus » ; sinon modifiez cette réservation.",
            "vous avez déjà une réservation de « %(resource)s » %(period)s (%(quantity)s places). Pour des "
            "places en plus, cochez « Réserver des places en plus » ; sinon modifiez cette réservation.",
            existing.quantity,
        )
    else:
        message = ngettext(
            # Translators: %(person)s is a name; %(period)s e.g. « le mardi 3 mars 2026 de 10:00 à 11:00 »
            "%(person)s a déjà une réservation de « %(resource)s » %(period)s (%(quantity)s place). Pour des "
            "places en plus, cochez « Réserver des places en plus » ; sinon modifiez cette réservation.",
            "%(person)s a déjà une réservation de « %(resource)s » %(period)s (%(quantity)s places). Pour "
            "des places en plus, cochez « Réserver des places en plus » ; sinon modifiez cette réservation.",
            existing.quantity,
        )
    raise Conflict(message % values, field="start", code="duplicate")


def too_late_to_cancel_online(resource, start, now):
    """A booking of `resource` starting at `start` (aware, or wall-clock of the place), made at `now`, is
    already past its cancellation deadline: the person could not cancel nor change it online."""
    delay = resource.cancellation_deadline_minutes
    if not delay:
        return False
    start = aware(start, resource.place.timezone)
    return now > start - datetime.timedelta(minutes=delay)
