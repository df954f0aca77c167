"""Exports of a place's resources for its team: the availability of a week and the occupancy over a period,
as rows (dicts with French column names) written to CSV (`;`, UTF-8 with BOM, decimal comma) or to an
OpenDocument spreadsheet.

Times are the place's wall-clock times. A slot is listed when the resource is open for all of it (its
bookable hours within the place's hours, no closure); its free capacity is the one a booking would find
now (0 in the past, within the minimum notice or beyond the horizon, as `services.availability`).
"""

import datetime

import numpy as np

from relais.core import tables
from relais.territory.timezones import local_time

from . import schedule, services
from .enums import BookingStatus
from .models import Booking, Closure, Resource

# Statuses that held the seats: a no-show occupied the slot too.
OCCUPYING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
MAX_OCCUPANCY_DAYS = 366

AVAILABILITY_COLUMNS = ["ressource", "jour", "début", "fin", "places libres", "capacité"]
OCCUPANCY_COLUMNS = [
    "ressource",
    "type",
    "réservations",
    "heures réservées",
    "heures disponibles",
    "taux d'occupation (%)",
    "absences",
]


def week_start(day):
    """The Monday of the week of `day`."""
    return day - datetime.timedelta(days=day.weekday())


def _window(place, first_day, last_day):
    tz = place.timezone
    start = local_time(datetime.datetime.combine(first_day, datetime.time()), tz)
    end = local_time(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time()), tz)
    return tz, start, end


def _resources(place):
    resources = list(Resource.objects.active().filter(place=place).order_by("name", "id"))
    for r in resources:
        r.place = place
    return resources


def _closures(place, start, end):
    """{resource id or None: (starts, ends)} in UTC minutes."""
    result = {}
    rows = Closure.objects.filter(place=place, start__lt=end, end__gt=start).values_list(
        "resource_id", "start", "end"
    )
    for resource_id, s, e in rows:
        starts, ends = result.setdefault(resource_id, ([], []))
        starts.append(schedule.to_minutes(s))
        ends.append(schedule.to_minutes_ceil(e))
    return result


def _closures_of(closures, resource):
    place_wide = closures.get(None, ([], []))
    own = closures.get(resource.pk, ([], []))
    return (
        np.array(place_wide[0] + own[0], dtype=np.int64),
        np.array(place_wide[1] + own[1], dtype=np.int64),
    )


def _open(resource, tz, start, end, slot_starts, slot_ends, closures, cache):
    """1 where the resource is open for the whole slot, else 0 (bookings, notice and horizon aside)."""
    return schedule.free_capacity(
        slot_starts,
        slot_ends,
        capacity=1,
        open_layers=services._open_layers(resource, tz, start, end, cache),
        closures=_closures_of(closures, resource),
    )


def availability_rows(place, week, *, now=None):
    """Each open slot of each bookable resource of the place, the week (Monday to Sunday) of `week`."""
    first = week_start(week)
    last = first + datetime.timedelta(days=6)
    tz, start, end = _window(place, first, last)
    free_by_resource = services.availability(place, first, last, now=now)
    closures = _closures(place, start, end)
    rows, cache = [], {}
    for resource in _resources(place):
        result = free_by_resource.get(resource.pk)
        if result is None:
            continue
        is_open = _open(resource, tz, start, end, result.starts, result.ends, closures, cache)
        for (s, e, free), keep in zip(result.slots(), is_open.tolist(), strict=True):
            if not keep:
                continue
            local_start, local_end = s.astimezone(tz), e.astimezone(tz)
            rows.append(
                {
                    "ressource": resource.name,
                    "jour": local_start.date().isoformat(),
                    "début": local_start.strftime("%H:%M"),
                    "fin": local_end.strftime("%H:%M"),
                    "places libres": int(free),
                    "capacité": resource.capacity,
                }
            )
    return rows


def occupancy_rows(place, first_day, last_day):
    """Per resource over [first_day, last_day] (local days): bookings, booked and available seat-hours,
    occupancy rate and no-shows. Available hours are the open hours (closures deducted) × capacity."""
    tz, start, end = _window(place, first_day, last_day)
    ws, we = schedule.to_minutes(start), schedule.to_minutes(end)
    minutes = np.arange(ws, we, dtype=np.int64)
    closures = _closures(place, start, end)
    bookings = {}
    for resource_id, status, s, e, quantity in (
        Booking.objects.filter(place=place, status__in=OCCUPYING_STATUSES, start__lt=end, end__gt=start)
        .order_by()
        .values_list("resource_id", "status", "start", "end", "quantity")
    ):
        bookings.setdefault(resource_id, []).append((status, max(s, start), min(e, end), quantity))
    rows, cache = [], {}
    for resource in _resources(place):
        open_minutes = int(_open(resource, tz, start, end, minutes, minutes + 1, closures, cache).sum())
        available = open_minutes * resource.capacity / 60
        own = bookings.get(resource.pk, [])
        booked = sum((e - s).total_seconds() / 3600 * q for _status, s, e, q in own)
        rows.append(
            {
                "ressource": resource.name,
                "type": str(resource.get_kind_display()),
                "réservations": len(own),
                "heures réservées": round(booked, 2),
                "heures disponibles": round(available, 2),
                "taux d'occupation (%)": round(100 * booked / available, 1) if available else None,
                "absences": sum(1 for status, *_rest in own if status == BookingStatus.NO_SHOW),
            }
        )
    return rows


# --- Writing (relais.core.tables: the same CSV and ODS as every other export) ---------------------------


def to_csv(rows, columns):
    """`;`-separated UTF-8 text with a byte-order mark and decimal commas (what a spreadsheet set to French
    opens as is), a header line first (with no rows: the header alone)."""
    return tables.csv_bytes(rows, columns, tables.SPREADSHEET)


def to_ods(rows, columns, sheet):
    """One sheet of an OpenDocument spreadsheet (numbers as numbers), as bytes."""
    return tables.ods_bytes({sheet: (columns, rows)})


def availability_csv(place, week, **kwargs):
    return to_csv(availability_rows(place, week, **kwargs), AVAILABILITY_COLUMNS)


def availability_ods(place, week, **kwargs):
    return to_ods(availability_rows(place, week, **kwargs), AVAILABILITY_COLUMNS, "disponibilités")


def occupancy_csv(place, first_day, last_day):
    return to_csv(occupancy_rows(place, first_day, last_day), OCCUPANCY_COLUMNS)


def occupancy_ods(place, first_day, last_day):
    return to_ods(occupancy_rows(place, first_day, last_day), OCCUPANCY_COLUMNS, "occupation")
