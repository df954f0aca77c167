"""Local time of a place: the overseas départements have their own time zone, every other département
lives in Europe/Paris. `Place.timezone` is the usual way in; this module holds the rule, the clock and the
zones' names as people say them (« heure de la Guadeloupe »)."""

import datetime
import zoneinfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

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


# The time zones of the places, named as people say them: « fuseau horaire de la Guadeloupe
# (America/Guadeloupe) » rather than the code alone.
TIME_ZONE_NAMES = {
    "Europe/Paris": pgettext_lazy("time zone", "de Paris"),
    "America/Guadeloupe": pgettext_lazy("time zone", "de la Guadeloupe"),
    "America/Martinique": pgettext_lazy("time zone", "de la Martinique"),
    "America/Cayenne": pgettext_lazy("time zone", "de la Guyane"),
    "Indian/Reunion": pgettext_lazy("time zone", "de La Réunion"),
    "Indian/Mayotte": pgettext_lazy("time zone", "de Mayotte"),
}


def time_zone_text(tz):
    """« de la Guadeloupe (America/Guadeloupe) »; the code alone for a zone without a name here."""
    code = str(tz)
    name = TIME_ZONE_NAMES.get(code)
    return f"{name} ({code})" if name else code


def local_hour_text(tz):
    """« heure de la Guadeloupe »: what times in `tz` say beside them; "" in Europe/Paris, the time the site
    shows by default (and for a zone without a name here, its code: « heure America/Noronha »)."""
    code = str(tz)
    if code == str(PARIS):
        return ""
    return _("heure %(zone)s") % {"zone": TIME_ZONE_NAMES.get(code, code)}
