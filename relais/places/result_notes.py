"""What a directory result says when the data cannot say more: an approximate position, a public holiday
the hours do not mention, the places an "open" filter left out on a holiday (issue 11 §1: never tell a
citizen something false). Plain functions, used by `directory`.
"""

from dataclasses import replace

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import search
from .hours import STATE_NOT_STATED, holiday_kind, long_date, state_at, state_on


def distance_text(distance_km, approximate=False, same_commune=False):
    """What a result says of its distance: precise, or as much as a commune-centre position allows."""
    if distance_km is None:
        return ""
    km = formats.number_format(round(distance_km, 1), 1)
    if not approximate:
        return _("à %(d)s km") % {"d": km}
    if same_commune:
        return _("dans la commune, position approximative")
    return _("à environ %(d)s km (position approximative : centre de la commune)") % {"d": km}


def holiday_note(entry, at, open_on=None):
    """« … jour férié : horaires des jours fériés non précisés » when the hours do not say whether the place
    opens on the public holiday of today (at `at`) or of the asked day; else ""."""
    if state_at(entry.opening_hours, entry.department, at) == STATE_NOT_STATED:
        return _("Aujourd'hui est un jour férié : horaires des jours fériés non précisés.")
    if open_on is not None and state_on(entry.opening_hours, entry.department, open_on) == STATE_NOT_STATED:
        return _("Le %(date)s est un jour férié : horaires des jours fériés non précisés.") % {
            "date": long_date(open_on)
        }
    return ""


def left_out_on_holiday(query, result, at):
    """« 3 lieux dont les horaires ne disent pas s'ils ouvrent le vendredi 25 décembre 2026, jour férié,
    ne sont pas listés. » when an "open now" / "open on" filter falls on a national public holiday and
    left out places whose hours do not mention it; else ""."""
    if query.include_unstated_holidays:
        return ""
    days = [d for d in (query.open_on, at.date() if query.open_now else None) if d is not None]
    days = [d for d in days if holiday_kind(d, None) == "national"]
    if not days:
        return ""
    left_out = search.search_places(replace(query, include_unstated_holidays=True)).count - result.count
    if left_out <= 0:
        return ""
    return ngettext(
        "%(n)d lieu dont les horaires ne disent pas s'il ouvre le %(date)s, jour férié, n'est pas listé.",
        "%(n)d lieux dont les horaires ne disent pas s'ils ouvrent le %(date)s, jour férié, ne sont pas "
        "listés.",
        left_out,
    ) % {"n": left_out, "date": long_date(days[0])}
