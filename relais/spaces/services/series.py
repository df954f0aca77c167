"""Weekly series: the same wall-clock slot every week or few weeks until a date, booked all or nothing
(or without the dates in conflict, when asked)."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core import errors
from relais.core.errors import DomainError
from relais.privacy.audit import AuditAction, diff, record
from relais.territory.timezones import local_time

from .. import notifications, schedule
from ..models import Booking, BookingSeries, BookingTransition
from ..wording import moment_text
from .access import acting_user, resolve_person
from .bounds import check_day, check_moments
from .hours import aware
from .records import locked_resource, new_booking, serialised, snapshot
from .rules import Request, check_capacity, check_rules, occupancy_of

# A weekly series is limited to this many occurrences (two years).
MAX_SERIES_OCCURRENCES = 104


@dataclass
class Conflict:
    start: datetime.datetime
    end: datetime.datetime
    message: str
    code: str


class SeriesConflict(errors.Conflict):
    """Some occurrences of a series cannot be booked; `conflicts` lists them (nothing was created)."""

    def __init__(self, conflicts, tz):
        self.conflicts = conflicts
        lines = "; ".join(
            # Translators: one date of a series that cannot be booked, and why, e.g. « 12/03/2026 à
            # 09:00 : le lieu est fermé… »
            _("%(when)s : %(problem)s") % {"when": moment_text(c.start, tz), "problem": c.message}
            for c in conflicts[:10]
        )
        more = len(conflicts) - 10
        if more > 0:
            # Translators: appended to the list of the first ten dates that cannot be booked
            lines += " " + ngettext("(et %(more)s autre)", "(et %(more)s autres)", more) % {"more": more}
        message = ngettext(
            # Translators: %(conflicts)s lists the dates and their problems (the first ten, then how many
            # others)
            "%(count)s occurrence de la série ne peut pas être réservée — %(conflicts)s. Rien n'a été "
            "réservé ; vous pouvez réserver la série sans cette date.",
            "%(count)s occurrences de la série ne peuvent pas être réservées — %(conflicts)s. Rien n'a été "
            "réservé ; vous pouvez réserver la série sans ces dates.",
            len(conflicts),
        )
        super().__init__(
            message % {"count": len(conflicts), "conflicts": lines},
            field="start",
            code="series_conflict",
        )


@dataclass
class SeriesResult:
    series: BookingSeries
    bookings: list
    skipped: list = field(default_factory=list)  # Conflicts left out (skip_conflicts=True)


def occurrences(start, end, until, tz, interval_weeks=1):
    """(start, end) in UTC of each week's occurrence up to `until` (a local date), same wall-clock time."""
    local_start, local_end = (
        start.astimezone(tz).replace(tzinfo=None),
        end.astimezone(tz).replace(tzinfo=None),
    )
    result, k = [], 0
    while True:
        shift = datetime.timedelta(weeks=k * interval_weeks)
        s = local_start + shift
        if s.date() > until:
            return result
        result.append(
            (
                local_time(s, tz).astimezone(datetime.UTC),
                local_time(local_end + shift, tz).astimezone(datetime.UTC),
            )
        )
        k += 1


def book_series(
    actor,
    resource,
    start,
    end,
    until,
    *,
    person=None,
    person_name="",
    person_contact="",
    quantity=1,
    interval_weeks=1,
    skip_conflicts=False,
    member=None,
    notes="",
    now=None,
):
    """Book the same wall-clock slot every `interval_weeks` weeks until `until` (a date), all or nothing.

    Every occurrence must pass every rule; otherwise `SeriesConflict` lists the failing ones and nothing
    is created — unless `skip_conflicts`, which books the others and reports the skipped ones.
    """
    now = now or timezone.now()
    check_moments(now, start=start, end=end)
    check_day(until, "until", today=now.date())
    place = resource.place
    tz = place.timezone
    person, person_name, person_contact, staff, membership = resolve_person(
        actor, place, person, person_name, person_contact, member
    )
    if interval_weeks < 1:
        raise DomainError(
            _("l'intervalle doit être d'au moins une semaine."), field="interval_weeks", code="invalid"
        )
    first_start, first_end = aware(start, tz), aware(end, tz)
    plan = occurrences(first_start, first_end, until, tz, interval_weeks)
    if not plan:
        raise DomainError(
            _("la date de fin de la série précède sa première occurrence."), field="until", code="order"
        )
    if len(plan) > MAX_SERIES_OCCURRENCES:
        raise DomainError(
            ngettext(
                # Translators: %(count)s, always more than %(max)s, is the number of dates asked for
                "%(count)s occurrence : une série en compte au plus %(max)s.",
                "%(count)s occurrences : une série en compte au plus %(max)s.",
                len(plan),
            )
            % {"count": len(plan), "max": MAX_SERIES_OCCURRENCES},
            field="until",
            code="too_many",
        )

    def operation():
        locked = locked_resource(resource)
        accepted, conflicts = [], []
        taken = ([], [], [])
        lo, hi = plan[0][0], plan[-1][1]
        existing = occupancy_of(locked, lo, hi)
        for s, e in plan:
            req = Request(s, e, quantity)
            try:
                check_rules(locked, req, person=person, now=now, tz=tz, staff=staff, membership=membership)
                occupancy = tuple(a + b for a, b in zip(existing, taken, strict=True))
                check_capacity(locked, req, occupancy, tz)
            except DomainError as exc:
                conflicts.append(Conflict(s, e, exc.message, exc.code))
                continue
            accepted.append(req)
            taken[0].append(schedule.to_minutes(s))
            taken[1].append(schedule.to_minutes(e))
            taken[2].append(quantity)
        if conflicts and not skip_conflicts:
            raise SeriesConflict(conflicts, tz)
        if not accepted:
            raise SeriesConflict(conflicts, tz)
        series = BookingSeries.objects.create(
            resource=locked,
            place_id=locked.place_id,
            person=person,
            person_name=person_name,
            person_contact=person_contact,
            booked_by=acting_user(actor),
            first_start=plan[0][0],
            first_end=plan[0][1],
            interval_weeks=interval_weeks,
            until=until,
        )
        bookings = Booking.objects.bulk_create(
            [
                new_booking(
                    locked,
                    req,
                    actor,
                    (person, person_name, person_contact),
                    membership=membership,
                    tz=tz,
                    notes=notes,
                    series=series,
                )
                for req in accepted
            ]
        )
        if any(b.pk is None for b in bookings):  # backends that do not return ids from bulk inserts
            bookings = list(series.bookings.order_by("start"))
        BookingTransition.objects.bulk_create(
            [
                BookingTransition(
                    booking=b,
                    transition="book",
                    to_status=b.status,
                    by=acting_user(actor),
                    by_label=actor.display,
                )
                for b in bookings
            ]
        )
        for b in bookings:
            record(actor, AuditAction.CREATE, b, changes=diff({}, snapshot(b)), place=locked.place)
        notifications.notify_after_commit("series", series.pk)
        return SeriesResult(series=series, bookings=bookings, skipped=conflicts)

    return serialised(operation)
