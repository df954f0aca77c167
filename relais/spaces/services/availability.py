"""Free capacity of a resource's slots, or of a whole place's resources, over a window of local days.

Three queries (resources, closures, bookings overlapping the window), whatever the number of resources and
slots; the arithmetic is `schedule`'s, on integer minutes.
"""

import dataclasses
import datetime
from dataclasses import dataclass

import numpy as np
from django.db import NotSupportedError, connection
from django.db.models import BigIntegerField, Func
from django.utils import timezone

from .. import schedule
from ..enums import ACTIVE_STATUSES
from ..models import Booking, Closure, Resource
from .hours import local_day_bounds, open_layers


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


def _mark_buffer_only(queries, computed):
    """Full slots that would be free without the preparation time between bookings say so (BUFFER)."""
    buffered = [
        i
        for i, (q, (_free, states)) in enumerate(zip(queries, computed, strict=True))
        if q.buffer and (states == schedule.FULL).any()
    ]
    if not buffered:
        return
    bare = schedule.free_capacity_many([dataclasses.replace(queries[i], buffer=0) for i in buffered])
    for i, free_without_buffer in zip(buffered, bare, strict=True):
        states = computed[i][1]
        states[(states == schedule.FULL) & (free_without_buffer > 0)] = schedule.BUFFER


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
    window_start, window_end = local_day_bounds(start_day, end_day, tz)
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
                open_layers=open_layers(resource, tz, window_start, window_end, hours_cache),
                closures=closures,
                bookable_from=now_minutes + resource.min_notice_minutes,
                bookable_until=schedule.to_minutes(now) + resource.max_horizon_days * 1440,
                now=schedule.to_minutes(now),
            )
        )
    computed = schedule.free_capacity_many(queries, with_states=True)
    _mark_buffer_only(queries, computed)
    result = {
        resource.pk: ResourceAvailability(resource, query.slot_starts, query.slot_ends, free, states)
        for resource, query, (free, states) in zip(resources, queries, computed, strict=True)
    }
    if isinstance(target, Resource):
        return result[target.pk]
    return result
