"""When a resource can be booked at all: its bookable hours, the place's opening hours (with the public
holidays of its département) and the closures, read in the place's local time."""

import datetime
import functools
import re

import holidays
import numpy as np
import opening_hours
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from relais.places import hours as place_hours
from relais.places.hours import parsed_hours
from relais.territory.timezones import local_time

from .. import schedule
from ..models import Closure

# « PH off »: the expression closes on public holidays (the parser knows the national ones only).
PH_OFF = re.compile(r"\bPH\s+(off|closed)\b", re.IGNORECASE)


def aware(moment, tz):
    """An aware datetime; a naive one is a wall-clock time of the place."""
    if moment.tzinfo is None:
        return local_time(moment, tz)
    return moment


def local_day_bounds(first, last, tz):
    """The aware start of the local day `first` and the start of the day after `last`."""
    start = local_time(datetime.datetime.combine(first, datetime.time()), tz)
    end = local_time(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time()), tz)
    return start, end


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
        first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
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
    start, end = local_day_bounds(day, day, tz)
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


def open_layers(resource, tz, start, end, cache=None):
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


def closures_of(resource, start, end):
    """The closures of the place or of the resource that meet [start, end), in order."""
    return list(
        Closure.objects.filter(place_id=resource.place_id, start__lt=end, end__gt=start)
        .filter(Q(resource__isnull=True) | Q(resource=resource))
        .order_by("start")
    )
