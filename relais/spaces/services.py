"""Domain operations on resources and bookings, shared by the pages, the API and the commands.

Plain functions taking an `Actor` and plain arguments, returning model instances and raising
`DomainError` (one rule broken, named by `field` and `code`) with a French message. Each runs in one
transaction. Writes that can compete for the same seats lock the resource row first (`select_for_update`
on PostgreSQL; on SQLite the write transaction itself is taken at BEGIN, see settings), then count, then
insert: no double booking, even under concurrency.

Times are stored in UTC and read in the place's local time (`place_timezone`): hours, granularity and
weekly series follow the wall clock of the place, across clock changes.
"""

import datetime
import functools
import math
import random
import re
import time
from dataclasses import dataclass, field

import holidays
import numpy as np
import opening_hours
from django.db import NotSupportedError, OperationalError, connection, transaction
from django.db.models import BigIntegerField, Func, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.accounts.models import PlaceRole
from relais.core.errors import DomainError
from relais.members import services as members
from relais.places import hours as place_hours
from relais.places.hours import parsed_hours
from relais.privacy.audit import AuditAction, diff, record
from relais.territory.timezones import local_time

from . import notifications, schedule
from .enums import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Audience,
    BookingPolicy,
    BookingStatus,
    PriceUnit,
    ResourceKind,
    WaitlistStatus,
)
from .models import (
    Booking,
    BookingSeries,
    BookingTransition,
    Closure,
    Resource,
    UserQualification,
    WaitlistEntry,
)
from .wording import period_text, price_text  # noqa: F401 (part of this module's interface)

# Resources lent and taken away: only the pick-up and the return must be within the hours.
LOAN_KINDS = (ResourceKind.EQUIPMENT,)
# Check-in opens this long before the start of a booking.
CHECK_IN_OPENS_MINUTES = 30
# A weekly series is limited to this many occurrences (two years).
MAX_SERIES_OCCURRENCES = 104
# Minutes covered by each price unit.
PRICE_UNIT_MINUTES = {PriceUnit.HOUR: 60, PriceUnit.HALF_DAY: 240, PriceUnit.DAY: 480}


def is_place_staff(user, place):
    """The user works for the place (manager or staff). Network admins do not see people's bookings."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return PlaceRole.objects.filter(user=user, place=place).exists()


def _user(actor):
    user = actor.user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- Formatting for messages ---------------------------------------------------------------------


def _local(moment, tz):
    return moment.astimezone(tz)


def _when(moment, tz):
    """« 12/03/2026 à 09:00 » in the place's local time."""
    # Translators: Django date format; escape letters with a backslash, e.g. "d/m/Y \a\t H:i"
    return formats.date_format(_local(moment, tz), _("d/m/Y à H:i"))


def _hm(moment, tz):
    # Translators: Django time format (hours and minutes), e.g. "H:i" or "g:i A"
    return formats.date_format(_local(moment, tz), _("H:i"))


def duration_text(minutes):
    """« 2 h », « 1 h 30 », « 45 min », « 2 jours »."""
    return _minutes_text(minutes)


def _minutes_text(minutes):
    if minutes % 1440 == 0 and minutes:
        days = minutes // 1440
        return ngettext("%(count)s jour", "%(count)s jours", days) % {"count": days}
    if minutes % 60 == 0 and minutes:
        # Translators: a duration in whole hours, e.g. « 2 h » (two hours)
        return _("%(hours)s h") % {"hours": minutes // 60}
    if minutes > 60:
        # Translators: a duration, e.g. « 1 h 30 » (one hour and thirty minutes), not a time of day
        return _("%(hours)s h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}
    # Translators: a duration in minutes, e.g. « 45 min »
    return _("%(minutes)s min") % {"minutes": minutes}


# --- Reading hours and closures -------------------------------------------------------------------


def _aware(moment, tz):
    """An aware datetime; a naive one is a wall-clock time of the place."""
    if moment.tzinfo is None:
        return local_time(moment, tz)
    return moment


# « PH off »: the expression closes on public holidays (the parser knows the national ones only).
PH_OFF = re.compile(r"\bPH\s+(off|closed)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def local_only_holidays(department_code, year):
    """Public holidays of a département that are not national ones (Alsace-Moselle, overseas: e.g. 20
    December in Réunion), which the opening-hours parser does not know."""
    if not department_code or department_code not in place_hours.HOLIDAY_SUBDIVISIONS:
        return frozenset()
    with translation.override("fr"):
        local = place_hours.holiday_calendar(department_code, [year])
    national = holidays.France(years=[year])
    return frozenset(day for day in local if day not in national)


def hours_intervals(expression, tz, start, end, department=None):
    """Open intervals (UTC minutes) of an OSM expression over [start, end); None for no expression.

    Only OPEN counts: « unknown » or commented-unknown periods cannot be booked. With « PH off », the
    public holidays of the `department` that are not national ones are closed too.
    """
    if not expression:
        return None
    oh = parsed_hours(expression, tz)
    if oh is None:
        return None
    starts, ends = [], []
    for begin, finish, state, _comment in oh.intervals(local_time(start, tz), local_time(end, tz)):
        if state == opening_hours.State.OPEN:
            starts.append(schedule.to_minutes(begin.astimezone(datetime.UTC)))
            ends.append(schedule.to_minutes(finish.astimezone(datetime.UTC)))
    result = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
    if department and PH_OFF.search(expression):
        first, last = _local(start, tz).date(), _local(end, tz).date()
        closed = [
            day
            for year in range(first.year, last.year + 1)
            for day in local_only_holidays(department, year)
            if first <= day <= last
        ]
        if closed:
            result = schedule.subtract(result, [_local_day_minutes(day, tz) for day in closed])
    return result


def _local_day_minutes(day, tz):
    start = local_time(datetime.datetime.combine(day, datetime.time()), tz)
    end = local_time(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()), tz)
    return schedule.to_minutes(start), schedule.to_minutes(end)


def describe_day(expression, tz, day, department=None):
    """« samedi 12 décembre : fermé », « mardi 8 décembre : 9 h 00 – 12 h 00, 14 h 00 – 18 h 00 »: the
    hours of one local day, as people read them (holidays of the département included)."""
    label = place_hours.long_date(day, with_year=False)
    oh = parsed_hours(expression, tz)
    if oh is None:
        # Translators: a day and its opening hours, e.g. « mardi 8 décembre : 9 h 00 – 12 h 00 »
        return _("%(day)s : %(hours)s") % {"day": label, "hours": expression}
    slots = place_hours.day_slots(oh, day, tz)
    if department and PH_OFF.search(expression) and day in local_only_holidays(department, day.year):
        slots = []
    slots = [slot for slot in slots if not slot.unknown]
    if not slots:
        # Translators: a day the place is closed, e.g. « samedi 12 décembre : fermé »
        return _("%(day)s : fermé") % {"day": label}
    return _("%(day)s : %(hours)s") % {"day": label, "hours": ", ".join(slot.text for slot in slots)}


def _open_layers(resource, tz, start, end, cache=None):
    """The interval sets a booking must lie in: the resource's bookable hours and the place's hours."""
    layers = []
    department = resource.place.commune.department_id
    for expression in (resource.bookable_hours, resource.place.opening_hours):
        key = (expression, start, end)
        if cache is not None and key in cache:
            layer = cache[key]
        else:
            layer = hours_intervals(expression, tz, start, end, department)
            if cache is not None:
                cache[key] = layer
        if layer is not None:
            layers.append(layer)
    return layers


def _closures_of(resource, start, end):
    return list(
        Closure.objects.filter(place_id=resource.place_id, start__lt=end, end__gt=start)
        .filter(Q(resource__isnull=True) | Q(resource=resource))
        .order_by("start")
    )


def _fetch(queryset):
    """Rows of a values_list queryset of plain columns, straight from the cursor."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class EpochMinutes(Func):
    """Whole minutes since the Unix epoch of a datetime column (floor, or ceiling with `ceil`)."""

    output_field = BigIntegerField()

    def __init__(self, expression, *, ceil=False, **extra):
        self.ceil = ceil
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("EpochMinutes: SQLite et PostgreSQL seulement.")

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        seconds = f"CAST(strftime('%%s', {sql}) AS INTEGER)"
        if self.ceil:
            return f"(({seconds} + 59) / 60)", params
        return f"({seconds} / 60)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        rounding = "CEIL" if self.ceil else "FLOOR"
        return f"CAST({rounding}(EXTRACT(EPOCH FROM {sql}) / 60) AS BIGINT)", params


# --- Availability -----------------------------------------------------------------------------------


@dataclass
class ResourceAvailability:
    """Free capacity of each slot of a resource: `starts`/`ends` in UTC minutes, `free` units."""

    resource: Resource
    starts: np.ndarray
    ends: np.ndarray
    free: np.ndarray
    states: np.ndarray | None = None  # schedule.FREE, CLOSED, FULL, PAST, NOTICE or HORIZON per slot

    def slots(self):
        """(start, end, free units) with aware UTC datetimes, slot by slot."""
        for s, e, f in zip(self.starts.tolist(), self.ends.tolist(), self.free.tolist(), strict=True):
            yield schedule.from_minutes(s), schedule.from_minutes(e), f

    def slots_with_states(self):
        """(start, end, free units, state name) slot by slot: the state says why a slot is not free."""
        names = schedule.STATE_NAMES
        for (s, e, f), state in zip(self.slots(), self.states.tolist(), strict=True):
            yield s, e, f, names[state]

    def free_at(self, start):
        index = np.searchsorted(self.starts, schedule.to_minutes(start))
        if index < len(self.starts) and self.starts[index] == schedule.to_minutes(start):
            return int(self.free[index])
        return 0


def availability(target, start_day, end_day, *, now=None):
    """Free capacity per slot (of each resource's granularity) from `start_day` to `end_day` included.

    `target` is a Resource, or a Place (all its bookable resources: a {resource id: ResourceAvailability}
    dict). Days are local dates of the place. Slots that cannot be booked (outside the hours, closed,
    in the past, inside the minimum notice or beyond the horizon) have 0 free units. Three queries
    (resources, closures, bookings overlapping the window), whatever the number of resources and slots.
    """
    if isinstance(target, Resource):
        place, resources = target.place, [target]
    else:
        place = target
        resources = list(Resource.objects.active().filter(place=place).defer("description", "equipment"))
        for r in resources:
            r.place = place
    tz = place.timezone
    now = now or timezone.now()
    window_start = local_time(datetime.datetime.combine(start_day, datetime.time()), tz)
    window_end = local_time(
        datetime.datetime.combine(end_day + datetime.timedelta(days=1), datetime.time()), tz
    )
    max_buffer = max((r.buffer_minutes for r in resources), default=0)
    scope = {"resource": target} if isinstance(target, Resource) else {"place": place}

    # One query over the window. The longest booking bounds how early an overlapping one may start, so
    # that the (place, start) index range stays within the window. Minutes since the epoch are computed by
    # the database and read without the ORM's row conversion: no datetime object per row.
    longest = max((r.max_duration_minutes for r in resources), default=0)
    rows = _fetch(
        Booking.objects.filter(
            **scope,
            status__in=ACTIVE_STATUSES,
            start__gt=window_start - datetime.timedelta(minutes=max_buffer + longest + 1),
            start__lt=window_end + datetime.timedelta(minutes=max_buffer),
            end__gt=window_start - datetime.timedelta(minutes=max_buffer),
        )
        .annotate(start_m=EpochMinutes("start"), end_m=EpochMinutes("end", ceil=True))
        .order_by()
        .values_list("resource_id", "start_m", "end_m", "quantity")
    )
    bookings = {}
    for resource_id, start, end, quantity in rows:
        b = bookings.get(resource_id)
        if b is None:
            b = bookings[resource_id] = ([], [], [])
        b[0].append(start)
        b[1].append(end)
        b[2].append(quantity)
    closures_rows = _fetch(
        Closure.objects.filter(place=place, start__lt=window_end, end__gt=window_start)
        .annotate(start_m=EpochMinutes("start"), end_m=EpochMinutes("end", ceil=True))
        .order_by()
        .values_list("resource_id", "start_m", "end_m")
    )
    place_closures, resource_closures = ([], []), {}
    for resource_id, start, end in closures_rows:
        target_list = (
            place_closures if resource_id is None else resource_closures.setdefault(resource_id, ([], []))
        )
        target_list[0].append(start)
        target_list[1].append(end)

    grids, hours_cache, queries = {}, {}, []
    now_minutes = schedule.to_minutes_ceil(now)
    place_closures = (
        np.array(place_closures[0], dtype=np.int64),
        np.array(place_closures[1], dtype=np.int64),
    )
    for resource in resources:
        g = resource.granularity_minutes
        if g not in grids:
            grids[g] = schedule.wall_clock_grid(tz, start_day, end_day, g)
        starts, ends = grids[g]
        closures = place_closures
        if resource.pk in resource_closures:
            own = resource_closures[resource.pk]
            closures = (
                np.concatenate([place_closures[0], own[0]]).astype(np.int64),
                np.concatenate([place_closures[1], own[1]]).astype(np.int64),
            )
        queries.append(
            schedule.SlotQuery(
                starts,
                ends,
                capacity=resource.capacity,
                buffer=resource.buffer_minutes,
                bookings=bookings.get(resource.pk, ((), (), ())),
                open_layers=_open_layers(resource, tz, window_start, window_end, hours_cache),
                closures=closures,
                bookable_from=now_minutes + resource.min_notice_minutes,
                bookable_until=schedule.to_minutes(now) + resource.max_horizon_days * 1440,
                now=schedule.to_minutes(now),
            )
        )
    result = {
        resource.pk: ResourceAvailability(resource, query.slot_starts, query.slot_ends, free, states)
        for resource, query, (free, states) in zip(
            resources, queries, schedule.free_capacity_many(queries, with_states=True), strict=True
        )
    }
    if isinstance(target, Resource):
        return result[target.pk]
    return result


# --- Rules of a booking -----------------------------------------------------------------------------


@dataclass
class Request:
    """What is asked: one occurrence of a booking, in UTC."""

    start: datetime.datetime
    end: datetime.datetime
    quantity: int = 1


def check_policy(resource, start, tz, *, staff, membership):
    """May the person book `resource` online on the day of `start` (see `BookingPolicy`)?"""
    if not staff and resource.booking_policy == BookingPolicy.STAFF:
        raise DomainError(
            _(
                "« %(resource)s » se réserve auprès de l'équipe du lieu (par téléphone ou à l'accueil), "
                "pas en ligne."
            )
            % {"resource": resource},
            field="resource",
            code="staff_only",
        )
    if (
        not staff
        and resource.booking_policy == BookingPolicy.MEMBERS
        and not members.covers(membership, _local(start, tz).date())
    ):
        if membership:
            # Translators: Django date format; escape letters with a backslash
            day = formats.date_format(_local(start, tz), _("d/m/Y"))
            message = _(
                "« %(resource)s » est réservé aux adhérents du lieu : votre adhésion ne couvre pas le "
                "%(date)s."
            ) % {"resource": resource, "date": day}
        else:
            message = _(
                "« %(resource)s » est réservé aux adhérents du lieu : adhérez auprès de l'équipe du lieu "
                "pour le réserver."
            ) % {"resource": resource}
        raise DomainError(
            message,
            field="person",
            code="members_only",
        )


def check_rules(resource, req, *, person, now, tz, staff=False, membership=()):
    """Every rule but the capacity (checked under the lock); raises DomainError naming the rule.

    `staff`: the place's team books (any policy); `membership`: the person's membership periods at the
    place (`members.membership_days`), for the resources kept for members.
    """
    start, end = req.start, req.end
    if end <= start:
        raise DomainError(_("la fin doit suivre le début."), field="end", code="order")
    if req.quantity < 1:
        raise DomainError(_("le nombre de places doit être d'au moins 1."), field="quantity", code="quantity")
    if req.quantity > resource.capacity:
        raise DomainError(
            _("« %(resource)s » n'offre que %(capacity)s place(s) : %(quantity)s demandée(s).")
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
    if start < now:
        raise DomainError(
            # Translators: %(when)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            _("le %(when)s est déjà passé : on ne réserve pas dans le passé.") % {"when": _when(start, tz)},
            field="start",
            code="past",
        )
    notice = resource.min_notice_minutes
    if start < now + datetime.timedelta(minutes=notice):
        raise DomainError(
            # Translators: %(delay)s is a duration, e.g. « 2 h » or « 1 jour »
            _("« %(resource)s » se réserve au moins %(delay)s à l'avance (délai minimal).")
            % {"resource": resource, "delay": _minutes_text(notice)},
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
            % {"resource": resource, "count": horizon, "when": _when(start, tz)},
            field="start",
            code="horizon",
        )
    duration = (end - start).total_seconds() / 60
    if duration < resource.min_duration_minutes or duration > resource.max_duration_minutes:
        raise DomainError(
            # Translators: %(duration)s, %(min)s and %(max)s are durations, e.g. « 1 h 30 »
            _("durée de %(duration)s hors des limites de « %(resource)s » : entre %(min)s et %(max)s.")
            % {
                "duration": _minutes_text(int(duration)),
                "resource": resource,
                "min": _minutes_text(resource.min_duration_minutes),
                "max": _minutes_text(resource.max_duration_minutes),
            },
            field="end",
            code="duration",
        )
    g = resource.granularity_minutes
    for name, moment in (("start", start), ("end", end)):
        local = _local(moment, tz)
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
                    "time": _hm(moment, tz),
                    "step": _minutes_text(g),
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
        days = sorted({_local(start, tz).date(), _local(end, tz).date()})
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
                "start": _when(start, tz),
                "end": _hm(end, tz),
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
                "start": _when(start, tz),
                "end": _hm(end, tz),
                "hours": days_said(resource.place.opening_hours),
            },
            field="start",
            code="place_hours",
        )

    def touching(closures, a, b):
        return [
            c for c in closures if schedule.to_minutes(c.start) < b and schedule.to_minutes_ceil(c.end) > a
        ]

    closures = _closures_of(resource, start, end)
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
                "start": _when(closure.start, tz),
                "end": _when(closure.end, tz),
                "reason": closure.reason,
            },
            field="start",
            code="closure",
        )
    qualification = resource.required_qualification
    if qualification is not None:
        if person is None:
            raise DomainError(
                _(
                    "« %(resource)s » demande l'habilitation « %(qualification)s » : réservez pour une "
                    "personne qui a un compte et cette habilitation."
                )
                % {"resource": resource, "qualification": qualification},
                field="person",
                code="qualification",
            )
        if not UserQualification.objects.filter(user=person, qualification=qualification).exists():
            raise DomainError(
                _(
                    # Translators: %(person)s is the name of the person booked for
                    "%(person)s n'a pas l'habilitation « %(qualification)s » que demande « %(resource)s » "
                    "(elle s'obtient après la formation)."
                )
                % {"person": person, "qualification": qualification, "resource": resource},
                field="person",
                code="qualification",
            )


def _occupancy(resource, start, end, *, exclude=None):
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


def _check_capacity(resource, req, occupancy, tz):
    lo, hi = schedule.to_minutes(req.start), schedule.to_minutes(req.end) + resource.buffer_minutes
    used = schedule.max_load(occupancy, resource.buffer_minutes, lo, hi)
    if used + req.quantity <= resource.capacity:
        return
    values = {
        "resource": resource,
        "when": _when(req.start, tz),
        "buffer": _minutes_text(resource.buffer_minutes),
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
            message = _(
                # Translators: %(left)s places are left out of %(capacity)s; %(buffer)s is a duration
                "« %(resource)s » est complet le %(when)s : il reste %(left)s place(s) sur %(capacity)s, "
                "%(quantity)s demandée(s) (avec le temps de préparation de %(buffer)s entre deux "
                "réservations)."
            )
        else:
            message = _(
                # Translators: %(left)s places are left out of %(capacity)s
                "« %(resource)s » est complet le %(when)s : il reste %(left)s place(s) sur %(capacity)s, "
                "%(quantity)s demandée(s)."
            )
        code = "capacity"
    raise DomainError(message % values, field="start", code=code)


def _taking(occupancy, buffer, lo, hi):
    """(start, end) in minutes of the first booking whose occupancy (itself and its buffer) meets
    [lo, hi), or None."""
    for s, e, _q in sorted(zip(*occupancy, strict=True)):
        if s < hi and e + buffer > lo:
            return s, e
    return None


def _locked_resource(resource):
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("place__commune", "required_qualification")
        .get(pk=resource.pk)
    )


def _serialised(operation):
    """Run `operation` in a write transaction; on SQLite, try again while the database stays locked.

    PostgreSQL queues the writers on the resource row lock. SQLite takes its write lock at BEGIN
    (transaction_mode IMMEDIATE) and waits up to its busy timeout; what escapes it (shared-cache in-memory
    databases answer « locked » at once) is retried, with jitter, for as long as that timeout. Nothing is
    written before the commit, so running the operation again is safe.
    """
    deadline = None
    while True:
        try:
            with transaction.atomic():
                return operation()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or connection.in_atomic_block:
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
            if now > deadline:
                raise DomainError(
                    _(
                        "le service est très sollicité : la réservation n'a pas pu être enregistrée, "
                        "réessayez dans un instant."
                    ),
                    code="busy",
                ) from exc
            time.sleep(random.uniform(0.002, 0.02))


def _resolve_person(actor, place, person, person_name, person_contact, member=None):
    """Who the booking is for, whether the place's team books it, and the person's membership periods.

    Only the place's team books for someone else: an account, a name and a contact (by phone), or one of
    the place's members (`member`, with or without an account).
    """
    user = _user(actor)
    if user is None:
        raise DomainError(_("connectez-vous pour réserver."), field="person", code="forbidden")
    staff = is_place_staff(user, place)
    if member is not None:
        if not staff:
            raise DomainError(
                _("seule l'équipe du lieu peut réserver pour un adhérent."), field="person", code="forbidden"
            )
        if member.place_id != place.pk:
            raise DomainError(_("cet adhérent est celui d'un autre lieu."), field="person", code="invalid")
        periods = [(member.joined_on, member.ends_on)]
        if member.user_id:
            return member.user, "", "", staff, periods
        return None, member.name, member.contact, staff, periods
    if person is None and not person_name:
        person = user
    if not staff and (person != user or person_name):
        raise DomainError(
            _("seule l'équipe du lieu peut réserver pour une autre personne."),
            field="person",
            code="forbidden",
        )
    if person is None and not person_contact:
        raise DomainError(
            _("indiquez un téléphone ou un e-mail pour joindre la personne."),
            field="person_contact",
            code="required",
        )
    return person, person_name.strip(), person_contact.strip(), staff, members.membership_days(place, person)


def _member_rate(membership, start, tz):
    """The member rate applies when the person's membership covers the (local) day of the booking."""
    return members.covers(membership, _local(start, tz).date())


# --- Prices -----------------------------------------------------------------------------------------


def quote(resource, start, end, *, is_member=False):
    """Price in cents of [start, end) for a member or not: the cheapest mix of hours (pro rata to the
    minute: 1 h 30 at 10 € is 15 €), half-days and days (whole blocks, even when partly used).

    None when the resource has no price for that audience (the place has not said).
    """
    audience = Audience.MEMBER if is_member else Audience.NON_MEMBER
    rules = {}
    for rule in resource.price_rules.all():
        # A rule for the precise audience beats the one for everybody.
        if rule.audience in (audience, Audience.ALL) and (
            rule.unit not in rules or rule.audience == audience
        ):
            rules[rule.unit] = rule.amount_cents
    if not rules:
        return None
    if PriceUnit.FREE in rules:
        return 0
    minutes = -(-int((end - start).total_seconds()) // 60)
    step = math.gcd(minutes, 60) or 1
    steps = minutes // step
    # Costs in cents × 60 (an hour's price times minutes), integers until the final rounding.
    cost = [0] + [None] * steps
    for k in range(1, steps + 1):
        options = []
        if PriceUnit.HOUR in rules:
            options.append(cost[k - 1] + rules[PriceUnit.HOUR] * step)
        for unit in (PriceUnit.HALF_DAY, PriceUnit.DAY):
            if unit in rules:
                options.append(cost[max(0, k - PRICE_UNIT_MINUTES[unit] // step)] + rules[unit] * 60)
        cost[k] = min(options)
    return (cost[steps] + 30) // 60


# --- Audit and transitions --------------------------------------------------------------------------


def snapshot(booking):
    return {
        "resource": str(booking.resource),
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "quantity": booking.quantity,
        "status": booking.status,
        "person": booking.person_id,
        "person_name": booking.person_name,
        "person_contact": booking.person_contact,
        "price_cents": booking.price_cents,
    }


def _transition(booking, to_status, actor, *, reason=""):
    if to_status not in TRANSITIONS[BookingStatus(booking.status)]:
        raise DomainError(
            # Translators: %(from)s and %(to)s are booking states, e.g. « Confirmée », « Annulée »
            _("une réservation « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": BookingStatus(booking.status).label, "to": BookingStatus(to_status).label},
            field="status",
            code="status",
        )
    from_status = booking.status
    booking.status = to_status
    BookingTransition.objects.create(
        booking=booking,
        from_status=from_status,
        to_status=to_status,
        by=_user(actor),
        by_label=actor.display,
        reason=reason[:300],
    )


# --- Booking, changing, cancelling ------------------------------------------------------------------


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
    now=None,
):
    """Book `quantity` units of `resource` from `start` to `end` (aware, or wall-clock of the place).

    The person is the actor unless the place's team books for an account (`person`) or for someone
    without one (`person_name` and `person_contact`, e.g. by phone), or for one of the place's members
    (`member`). The member rate applies when the person's membership covers the day booked.
    """
    now = now or timezone.now()
    place = resource.place
    tz = place.timezone
    person, person_name, person_contact, staff, membership = _resolve_person(
        actor, place, person, person_name, person_contact, member
    )
    req = Request(
        _aware(start, tz).astimezone(datetime.UTC), _aware(end, tz).astimezone(datetime.UTC), quantity
    )
    rules = {"person": person, "now": now, "tz": tz, "staff": staff, "membership": membership}
    check_rules(resource, req, **rules)
    is_member = _member_rate(membership, req.start, tz)

    def operation():
        locked = _locked_resource(resource)
        # Again under the lock: a closure or a change of rules may have landed since the first check.
        check_rules(locked, req, **rules)
        _check_capacity(locked, req, _occupancy(locked, req.start, req.end), tz)
        booking = Booking.objects.create(
            resource=locked,
            place_id=locked.place_id,
            person=person,
            person_name=person_name,
            person_contact=person_contact,
            booked_by=_user(actor),
            start=req.start,
            end=req.end,
            quantity=quantity,
            price_cents=quote(locked, req.start, req.end, is_member=is_member),
            member_rate=is_member,
            notes=notes[:500],
        )
        BookingTransition.objects.create(
            booking=booking, to_status=booking.status, by=_user(actor), by_label=actor.display
        )
        record(actor, AuditAction.CREATE, booking, changes=diff({}, snapshot(booking)), place=locked.place)
        notifications.notify_after_commit("confirmed", booking.pk)
        return booking

    return _serialised(operation)


def _get_for_update(booking):
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource__place__commune")
        .get(pk=booking.pk)
    )


def _may_manage(actor, booking):
    """The booked person, whoever booked it, or the place's team may change it; returns "is staff"."""
    user = _user(actor)
    staff = is_place_staff(user, booking.place)
    if not staff and (user is None or user.pk not in (booking.person_id, booking.booked_by_id)):
        raise DomainError(_("cette réservation n'est pas la vôtre."), field="booking", code="forbidden")
    return staff


def _check_deadline(booking, now, tz, *, staff, override, action):
    """`action` is "cancel" or "change": each has its own sentences, for the translators."""
    if override and not staff:
        raise DomainError(
            _("seule l'équipe du lieu peut passer outre le délai d'annulation."),
            field="booking",
            code="forbidden",
        )
    delay = booking.resource.cancellation_deadline_minutes
    deadline = booking.start - datetime.timedelta(minutes=delay)
    if now <= deadline or override:
        return
    cancelling = action == "cancel"
    if not delay:
        message = (
            # Translators: %(start)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            _("trop tard pour annuler cette réservation : elle a commencé le %(start)s.")
            if cancelling
            # Translators: %(start)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            else _("trop tard pour modifier cette réservation : elle a commencé le %(start)s.")
        )
    elif staff:
        message = (
            _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour annuler cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). L'équipe du lieu peut passer outre ce délai "
                "(case à cocher)."
            )
            if cancelling
            else _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour modifier cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). L'équipe du lieu peut passer outre ce délai "
                "(case à cocher)."
            )
        )
    else:
        message = (
            _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour annuler cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). Adressez-vous à l'équipe du lieu."
            )
            if cancelling
            else _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour modifier cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). Adressez-vous à l'équipe du lieu."
            )
        )
    raise DomainError(
        message
        % {"start": _when(booking.start, tz), "deadline": _when(deadline, tz), "delay": _minutes_text(delay)},
        field="booking",
        code="deadline",
    )


def cancel(actor, booking, *, reason="", override_deadline=False, now=None):
    """Cancel a booking (before the resource's deadline unless the team overrides it) and offer the freed
    slot to the first person waiting for it."""
    now = now or timezone.now()

    def operation():
        current = _get_for_update(booking)
        staff = _may_manage(actor, current)
        _cancel_locked(actor, current, now, reason=reason, staff=staff, override=override_deadline)
        notifications.notify_after_commit("cancelled", current.pk)
        return current

    return _serialised(operation)


def _cancel_locked(actor, current, now, *, reason, staff, override):
    """Cancel a booking already locked and checked as the actor's to manage (the deadline is checked)."""
    tz = current.place.timezone
    before = snapshot(current)
    if current.status != BookingStatus.CONFIRMED:
        raise DomainError(
            # Translators: %(status)s is the booking's state, e.g. « Annulée »
            _("cette réservation est « %(status)s » : seule une réservation confirmée peut être annulée.")
            % {"status": current.get_status_display()},
            field="status",
            code="status",
        )
    _check_deadline(current, now, tz, staff=staff, override=override, action="cancel")
    _transition(current, BookingStatus.CANCELLED, actor, reason=reason)
    current.cancelled_at = now
    current.save(update_fields=["status", "cancelled_at"])
    changes = diff(before, snapshot(current))
    if reason:
        changes["reason"] = [None, reason]
    record(actor, AuditAction.UPDATE, current, changes=changes, place=current.place)
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
                _cancel_locked(actor, booking, now, reason=reason, staff=staff, override=override_deadline)
            except DomainError as exc:
                if exc.code != "deadline":
                    raise
                result.kept.append((booking, exc.message))
            else:
                result.cancelled.append(booking)
        if result.cancelled:
            notifications.notify_after_commit("series_cancelled", [b.pk for b in result.cancelled])
        return result

    return _serialised(operation)


def change(actor, booking, *, start=None, end=None, quantity=None, override_deadline=False, now=None):
    """Move or resize a confirmed booking; every rule of a new booking applies (its own seats excepted)."""
    now = now or timezone.now()

    def operation():
        current = _get_for_update(booking)
        place = current.place
        tz = place.timezone
        staff = _may_manage(actor, current)
        if current.status != BookingStatus.CONFIRMED:
            raise DomainError(
                # Translators: %(status)s is the booking's state, e.g. « Annulée »
                _("une réservation « %(status)s » ne peut plus être modifiée.")
                % {"status": current.get_status_display()},
                field="status",
                code="status",
            )
        _check_deadline(current, now, tz, staff=staff, override=override_deadline, action="change")
        req = Request(
            _aware(start, tz).astimezone(datetime.UTC) if start is not None else current.start,
            _aware(end, tz).astimezone(datetime.UTC) if end is not None else current.end,
            quantity if quantity is not None else current.quantity,
        )
        locked = _locked_resource(current.resource)
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
        _check_capacity(locked, req, _occupancy(locked, req.start, req.end, exclude=current), tz)
        if current.person_id:
            current.member_rate = _member_rate(membership, req.start, tz)
        before = snapshot(current)
        old = Booking(resource=locked, start=current.start, end=current.end, quantity=current.quantity)
        current.start, current.end, current.quantity = req.start, req.end, req.quantity
        current.price_cents = quote(locked, req.start, req.end, is_member=current.member_rate)
        if req.start != old.start:  # a new start time: remind again the day before
            current.reminder_sent_at = None
        current.save(
            update_fields=["start", "end", "quantity", "price_cents", "member_rate", "reminder_sent_at"]
        )
        record(actor, AuditAction.UPDATE, current, changes=diff(before, snapshot(current)), place=place)
        notifications.notify_after_commit("changed", current.pk)
        old.pk, old.place_id = current.pk, current.place_id
        offer_freed_slot(old, now=now)
        return current

    return _serialised(operation)


def check_in(actor, booking, *, now=None):
    """The person is there: from 30 minutes before the start to the end, by them or the team."""
    now = now or timezone.now()

    def operation():
        current = _get_for_update(booking)
        tz = current.place.timezone
        _may_manage(actor, current)
        opens = current.start - datetime.timedelta(minutes=CHECK_IN_OPENS_MINUTES)
        if not (opens <= now <= current.end):
            raise DomainError(
                # Translators: %(start)s and %(end)s are dates and times, e.g. « 12/03/2026 à 09:00 »
                _("le pointage de cette réservation est ouvert du %(start)s au %(end)s.")
                % {"start": _when(opens, tz), "end": _when(current.end, tz)},
                field="booking",
                code="check_in_window",
            )
        before = snapshot(current)
        _transition(current, BookingStatus.CHECKED_IN, actor)
        current.checked_in_at = now
        current.save(update_fields=["status", "checked_in_at"])
        record(
            actor, AuditAction.UPDATE, current, changes=diff(before, snapshot(current)), place=current.place
        )
        return current

    return _serialised(operation)


def mark_no_show(actor, booking, *, now=None):
    """The team notes that the person did not come (once the booking has started)."""
    now = now or timezone.now()

    def operation():
        current = _get_for_update(booking)
        tz = current.place.timezone
        if not is_place_staff(_user(actor), current.place):
            raise DomainError(
                _("seule l'équipe du lieu peut noter une absence."), field="booking", code="forbidden"
            )
        if now < current.start:
            raise DomainError(
                # Translators: %(start)s is a date and time, e.g. « 12/03/2026 à 09:00 »
                _("la réservation n'a pas commencé (début le %(start)s) : pas encore d'absence.")
                % {"start": _when(current.start, tz)},
                field="booking",
                code="not_started",
            )
        before = snapshot(current)
        _transition(current, BookingStatus.NO_SHOW, actor)
        current.save(update_fields=["status"])
        record(
            actor, AuditAction.UPDATE, current, changes=diff(before, snapshot(current)), place=current.place
        )
        return current

    return _serialised(operation)


# --- Weekly series ----------------------------------------------------------------------------------


@dataclass
class Conflict:
    start: datetime.datetime
    end: datetime.datetime
    message: str
    code: str


class SeriesConflict(DomainError):
    """Some occurrences of a series cannot be booked; `conflicts` lists them (nothing was created)."""

    def __init__(self, conflicts, tz):
        self.conflicts = conflicts
        lines = "; ".join(
            # Translators: one date of a series that cannot be booked, and why, e.g. « 12/03/2026 à
            # 09:00 : le lieu est fermé… »
            _("%(when)s : %(problem)s") % {"when": _when(c.start, tz), "problem": c.message}
            for c in conflicts[:10]
        )
        more = len(conflicts) - 10
        values = {"count": len(conflicts), "conflicts": lines, "more": more}
        if more > 0:
            message = ngettext(
                # Translators: %(conflicts)s lists the first ten dates and their problems; %(more)s counts the
                # others (the choice of singular or plural follows %(more)s)
                "%(count)s occurrence(s) de la série ne peuvent pas être réservées — %(conflicts)s (et "
                "%(more)s autre). Rien n'a été réservé ; vous pouvez réserver la série sans ces dates.",
                "%(count)s occurrence(s) de la série ne peuvent pas être réservées — %(conflicts)s (et "
                "%(more)s autres). Rien n'a été réservé ; vous pouvez réserver la série sans ces dates.",
                more,
            )
        else:
            message = _(
                # Translators: %(conflicts)s lists the dates and their problems
                "%(count)s occurrence(s) de la série ne peuvent pas être réservées — %(conflicts)s. Rien "
                "n'a été réservé ; vous pouvez réserver la série sans ces dates."
            )
        super().__init__(
            message % values,
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
    local_start, local_end = _local(start, tz).replace(tzinfo=None), _local(end, tz).replace(tzinfo=None)
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
    place = resource.place
    tz = place.timezone
    person, person_name, person_contact, staff, membership = _resolve_person(
        actor, place, person, person_name, person_contact, member
    )
    if interval_weeks < 1:
        raise DomainError(
            _("l'intervalle doit être d'au moins une semaine."), field="interval_weeks", code="invalid"
        )
    first_start, first_end = _aware(start, tz), _aware(end, tz)
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
        locked = _locked_resource(resource)
        accepted, conflicts = [], []
        taken = ([], [], [])
        lo, hi = plan[0][0], plan[-1][1]
        existing = _occupancy(locked, lo, hi)
        for s, e in plan:
            req = Request(s, e, quantity)
            try:
                check_rules(locked, req, person=person, now=now, tz=tz, staff=staff, membership=membership)
                occupancy = tuple(a + b for a, b in zip(existing, taken, strict=True))
                _check_capacity(locked, req, occupancy, tz)
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
            booked_by=_user(actor),
            first_start=plan[0][0],
            first_end=plan[0][1],
            interval_weeks=interval_weeks,
            until=until,
        )
        bookings = Booking.objects.bulk_create(
            [
                Booking(
                    resource=locked,
                    place_id=locked.place_id,
                    person=person,
                    person_name=person_name,
                    person_contact=person_contact,
                    booked_by=_user(actor),
                    start=req.start,
                    end=req.end,
                    quantity=quantity,
                    series=series,
                    price_cents=quote(
                        locked, req.start, req.end, is_member=_member_rate(membership, req.start, tz)
                    ),
                    member_rate=_member_rate(membership, req.start, tz),
                    notes=notes[:500],
                )
                for req in accepted
            ]
        )
        if any(b.pk is None for b in bookings):  # backends that do not return ids from bulk inserts
            bookings = list(series.bookings.order_by("start"))
        BookingTransition.objects.bulk_create(
            [
                BookingTransition(booking=b, to_status=b.status, by=_user(actor), by_label=actor.display)
                for b in bookings
            ]
        )
        for b in bookings:
            record(actor, AuditAction.CREATE, b, changes=diff({}, snapshot(b)), place=locked.place)
        notifications.notify_after_commit("series", series.pk)
        return SeriesResult(series=series, bookings=bookings, skipped=conflicts)

    return _serialised(operation)


# --- Waiting list -----------------------------------------------------------------------------------


def join_waitlist(
    actor, resource, start, end, *, person=None, person_name="", person_contact="", member=None, quantity=1
):
    """Wait for a slot of `resource` (normally a full one)."""
    place = resource.place
    tz = place.timezone
    person, person_name, person_contact, staff, membership = _resolve_person(
        actor, place, person, person_name, person_contact, member
    )
    start, end = _aware(start, tz), _aware(end, tz)
    check_policy(resource, start, tz, staff=staff, membership=membership)
    if end <= start:
        raise DomainError(_("la fin doit suivre le début."), field="end", code="order")
    if not 1 <= quantity <= resource.capacity:
        raise DomainError(
            _("« %(resource)s » n'offre que %(capacity)s place(s).")
            % {"resource": resource, "capacity": resource.capacity},
            field="quantity",
            code="capacity",
        )
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            resource=resource,
            place=place,
            person=person,
            person_name=person_name,
            person_contact=person_contact,
            start=start,
            end=end,
            quantity=quantity,
        )
        record(actor, AuditAction.CREATE, entry, place=place)
    return entry


def offer_freed_slot(freed, *, now=None):
    """Offer the slot freed by `freed` (a cancelled or moved booking) to the first person waiting whose wish
    now fits; records the offer, e-mails it once committed and returns the entry (None if nobody fits)."""
    now = now or timezone.now()
    resource = freed.resource
    candidates = WaitlistEntry.objects.filter(
        resource=resource,
        status=WaitlistStatus.WAITING,
        start__lt=freed.end,
        end__gt=freed.start,
        start__gt=now,
    ).order_by("created_at", "id")
    for entry in candidates:
        occupancy = _occupancy(resource, entry.start, entry.end)
        lo = schedule.to_minutes(entry.start)
        hi = schedule.to_minutes(entry.end) + resource.buffer_minutes
        if (
            schedule.max_load(occupancy, resource.buffer_minutes, lo, hi) + entry.quantity
            <= resource.capacity
        ):
            entry.status, entry.offered_at, entry.freed_by_id = WaitlistStatus.OFFERED, now, freed.pk
            entry.save(update_fields=["status", "offered_at", "freed_by"])
            notifications.notify_after_commit("waitlist_offer", entry.pk)
            return entry
    return None
