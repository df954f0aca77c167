"""The guards of the life cycles of bookings and waiting-list entries (`Booking.workflow`,
`WaitlistEntry.workflow` in `models`): who may apply a transition, and when. Each is `guard(obj, actor, at)`
and raises a `DomainError` saying why not; the services, the pages and the API go through
`relais.core.workflow` (`apply`, `can`) and never restate them.

The cancellation deadline needs what the caller asks for (the team's override): the services check it.
"""

import datetime

from django.utils.translation import gettext as _

from relais.core.errors import DomainError, Forbidden
from relais.places import tenancy

from .wording import moment_text

# Check-in opens this long before the start of a booking.
CHECK_IN_OPENS_MINUTES = 30


def _user(actor):
    user = getattr(actor, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def manages(booking, actor, at=None):
    """The booked person, whoever booked it, or the place's team may act on it; returns "is staff"."""
    user = _user(actor)
    staff = tenancy.works_for(user, booking.place_id)
    if not staff and (user is None or user.pk not in (booking.person_id, booking.booked_by_id)):
        raise Forbidden(_("cette réservation n'est pas la vôtre."), field="booking", code="forbidden")
    return staff


def check_in_window(booking):
    """(opens, closes): check-in is open from 30 minutes before the start to the end."""
    return booking.start - datetime.timedelta(minutes=CHECK_IN_OPENS_MINUTES), booking.end


def may_check_in(booking, actor, at):
    manages(booking, actor, at)
    opens, closes = check_in_window(booking)
    if not (opens <= at <= closes):
        tz = booking.place.timezone
        raise DomainError(
            # Translators: %(start)s and %(end)s are dates and times, e.g. « 12/03/2026 à 09:00 »
            _("le pointage de cette réservation est ouvert du %(start)s au %(end)s.")
            % {"start": moment_text(opens, tz), "end": moment_text(closes, tz)},
            field="booking",
            code="check_in_window",
        )


def may_mark_no_show(booking, actor, at):
    if not tenancy.works_for(_user(actor), booking.place_id):
        raise Forbidden(
            _("seule l'équipe du lieu peut noter une absence."), field="booking", code="forbidden"
        )
    if at < booking.start:
        raise DomainError(
            # Translators: %(start)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            _("la réservation n'a pas commencé (début le %(start)s) : pas encore d'absence.")
            % {"start": moment_text(booking.start, booking.place.timezone)},
            field="booking",
            code="not_started",
        )
