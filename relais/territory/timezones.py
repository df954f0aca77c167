"""Local time of a place: the overseas départements have their own time zone, every other département
lives in Europe/Paris. `Place.timezone` is the usual way in; this module holds the rule and the clock."""

import datetime
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Local time of the overseas départements; every other département lives in Europe/Paris.
DEPARTMENT_TIMEZONES = {
    "971": zoneinfo.ZoneInfo("America/Guadeloupe"),
    "972": zoneinfo.ZoneInfo("America/Martinique"),
    "973": zoneinfo.ZoneInfo("America/Cayenne"),
    "974": zoneinfo.ZoneInfo("Indian/Reunion"),
    "976": zoneinfo.ZoneInfo("Indian/Mayotte"),
}


def timezone_of(department_code):
    return DEPARTMENT_TIMEZONES.get(department_code, PARIS)


def now_paris():
    return datetime.datetime.now(PARIS)


def local_time(at=None, tz=PARIS):
    """`at` (now by default; naive means wall-clock time in `tz`) as an aware datetime in `tz`.

    The opening-hours parser only takes zoneinfo zones (not `datetime.UTC` nor fixed offsets) and refuses
    wall-clock times skipped by a clock change: going through UTC normalises both.
    """
    if at is None:
        at = now_paris()
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return at.astimezone(datetime.UTC).astimezone(tz)


def paris_time(at=None):
    return local_time(at, PARIS)
