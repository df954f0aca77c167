"""How the bookings' times and prices are written for people (pages, e-mails), in the active language."""

from django.utils import formats
from django.utils.translation import gettext as _


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
