"""How far from today a date may be asked for: ten years back or ahead, everywhere (API, pages, exports).

Nothing can be booked or shown that far, and the arithmetic of times fails at the ends of the calendar
(year 1 has no day before, year 9999 none after: converting them to UTC or adding a day overflows). So a
date from outside is checked here before anything computes with it, and refused in French, naming the
field, like any other broken rule.
"""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.errors import DomainError

MAX_YEARS_AWAY = 10
# Ten years of days (leap days included): the reach of every date typed in.
MAX_DAYS_AWAY = 3660

# How the refusal names the field of the date (API parameters, form fields, arguments of the services).
FIELD_LABELS = {
    "start": gettext_lazy("la date de début"),
    "end": gettext_lazy("la date de fin"),
    "until": gettext_lazy("la date de fin de la série"),
}


def within_reach(day, today):
    """Is the date `day` at most ten years from `today`?"""
    return abs(day.toordinal() - today.toordinal()) <= MAX_DAYS_AWAY


def check_day(day, field, *, today):
    """Refuse the date `day` of `field` if it is more than ten years from `today` (a DomainError)."""
    if within_reach(day, today):
        return
    raise DomainError(
        # Translators: %(what)s names the date, e.g. « la date de début »; %(date)s is the date, 31/12/9999
        _("%(what)s (%(date)s) est trop loin d'aujourd'hui : %(years)s ans au plus, avant ou après.")
        % {
            "what": FIELD_LABELS.get(field, _("la date")),
            # Translators: Django date format; escape letters with a backslash
            "date": formats.date_format(day, _("d/m/Y")),
            "years": MAX_YEARS_AWAY,
        },
        field=field,
        code="out_of_reach",
    )


def check_moment(moment, field, *, now):
    """Refuse the datetime `moment` (naive or aware, read as written) if its day is out of reach of `now`."""
    check_day(moment.date(), field, today=now.date())


def check_moments(now, **moments):
    """`check_moment` for each of `start=…, end=…` that is given (None is left alone)."""
    for field, moment in moments.items():
        if moment is not None:
            check_moment(moment, field, now=now)
