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

from .wording import duration_text, moment_text

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


def may_undo_check_in(booking, actor, at=None):
    """Only the place's team goes back on a check-in (a mistaken one)."""
    if not tenancy.works_for(_user(actor), booking.place_id):
        raise Forbidden(
            _("seule l'équipe du lieu peut revenir sur un pointage."), field="booking", code="forbidden"
        )


def cancellation_deadline(booking):
    """The last moment the booked person may cancel or change the booking online."""
    return booking.start - datetime.timedelta(minutes=booking.resource.cancellation_deadline_minutes)


def made_past_its_deadline(booking, at):
    """The booking was made (before `at`) after its own cancellation deadline: it never could be cancelled
    online, and no deadline earlier than its creation is to be named."""
    created = booking.created_at
    return created is not None and cancellation_deadline(booking) < created <= at


def may_cancel(booking, actor, at):
    """The booked person (or whoever booked it) until the cancellation deadline; the team at any time (it
    may pass over the deadline: the services ask for it explicitly)."""
    if manages(booking, actor, at):
        return
    if at > cancellation_deadline(booking):
        refuse_past_deadline(booking, at, staff=False, action="cancel")


def may_leave_waitlist(entry, actor, at=None):
    """The person waiting, or the place's team."""
    user = _user(actor)
    if tenancy.works_for(user, entry.place_id):
        return
    if user is None or user.pk != entry.person_id:
        raise Forbidden(
            _("cette inscription en liste d'attente n'est pas la vôtre."), field="entry", code="forbidden"
        )


def refuse_past_deadline(booking, at, *, staff, action):
    """Raise the refusal of `action` ("cancel" or "change") past the booking's cancellation deadline, in
    the words for the team (who may pass over it) or for the person; each sentence whole, for the
    translators. Never names a deadline earlier than the booking itself."""
    tz = booking.place.timezone
    delay = booking.resource.cancellation_deadline_minutes
    deadline = cancellation_deadline(booking)
    cancelling = action == "cancel"
    if delay and made_past_its_deadline(booking, at):
        # Never a deadline earlier than the booking itself: say it was booked too late to be cancelled.
        if staff:
            message = _(
                # Translators: %(delay)s is a duration, e.g. « 1 jour »
                "cette réservation a été faite après son délai d'annulation (%(delay)s avant le début). "
                "L'équipe du lieu peut passer outre ce délai (case à cocher)."
            )
        elif cancelling:
            message = _(
                # Translators: %(delay)s is a duration, e.g. « 1 jour »
                "cette réservation ne peut pas être annulée en ligne : elle a été faite après son délai "
                "d'annulation (%(delay)s avant le début). Adressez-vous à l'équipe du lieu."
            )
        else:
            message = _(
                # Translators: %(delay)s is a duration, e.g. « 1 jour »
                "cette réservation ne peut pas être modifiée en ligne : elle a été faite après son délai "
                "d'annulation (%(delay)s avant le début). Adressez-vous à l'équipe du lieu."
            )
    elif not delay:
        message = (
            # Translators: %(start)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            _("trop tard pour annuler cette réservation : elle a commencé le %(start)s.")
            if cancelling
            # Translators: %(start)s is a date and time, e.g. « 12/03/2026 à 09:00 »
            else _("trop tard pour modifier cette réservation : elle a commencé le %(start)s.")
        )
    elif staff:
        message = (
            _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour annuler cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). L'équipe du lieu peut passer outre ce délai "
                "(case à cocher)."
            )
            if cancelling
            else _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour modifier cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). L'équipe du lieu peut passer outre ce délai "
                "(case à cocher)."
            )
        )
    else:
        message = (
            _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour annuler cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). Adressez-vous à l'équipe du lieu."
            )
            if cancelling
            else _(
                # Translators: %(deadline)s is a date and time; %(delay)s a duration, e.g. « 1 jour »
                "trop tard pour modifier cette réservation : c'était possible jusqu'au %(deadline)s (délai "
                "d'annulation de %(delay)s avant le début). Adressez-vous à l'équipe du lieu."
            )
        )
    raise DomainError(
        message
        % {
            "start": moment_text(booking.start, tz),
            "deadline": moment_text(deadline, tz),
            "delay": duration_text(delay),
        },
        field="booking",
        code="deadline",
    )
