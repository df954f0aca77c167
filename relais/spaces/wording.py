"""How the bookings' times, durations and prices are written for people (pages, e-mails, refusals), in the
active language and the place's local time."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def moment_text(moment, tz):
    """« 12/03/2026 à 09:00 » in the place's local time."""
    # Translators: Django date format; escape letters with a backslash, e.g. "d/m/Y \a\t H:i"
    return formats.date_format(moment.astimezone(tz), _("d/m/Y à H:i"))


def time_text(moment, tz):
    """« 09:00 » in the place's local time."""
    # Translators: Django time format (hours and minutes), e.g. "H:i" or "g:i A"
    return formats.date_format(moment.astimezone(tz), _("H:i"))


def duration_text(minutes):
    """« 2 h », « 1 h 30 », « 45 min », « 2 jours »."""
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


def period_text(start, end, tz):
    """« le mardi 8 décembre 2026 de 10:00 à 12:00 », or « du … au … » over several days, local time."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    if start.date() == end.date():
        return _("le %(day)s de %(start)s à %(end)s") % {
            "day": formats.date_format(start, "l j F Y"),
            "start": formats.time_format(start, "H:i"),
            "end": formats.time_format(end, "H:i"),
        }
    # Translators: Django date format of a day and time; escape letters with a backslash ("\a\t").
    moment = _("l j F Y à H:i")
    return _("du %(start)s au %(end)s") % {
        "start": formats.date_format(start, moment),
        "end": formats.date_format(end, moment),
    }


def price_text(cents):
    """« 12,50 € » (in the active language's number format)."""
    # Translators: an amount in euros; %(amount)s is already formatted (e.g. 12.50)
    return _("%(amount)s €") % {"amount": formats.number_format(cents / 100, 2)}
