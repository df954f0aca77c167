"""Bookings as iCalendar (RFC 5545): events for the feeds and for the attachments of e-mails.

Times are written in UTC (`…Z`): every client places them right, across clock changes, without a
VTIMEZONE. The UID is stable per booking, and SEQUENCE grows with each change of the booking (moves,
cancellation, check-in… : the audit trail's updates), so that a client replaces the event it holds.
"""

import datetime

import icalendar
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from relais.privacy.models import AuditAction, AuditEvent

from .enums import BookingStatus
from .models import Booking

PRODID = "-//Relais//FR"
UID_DOMAIN = "relais"


def booking_uid(booking):
    return f"booking-{booking.public_id}@{UID_DOMAIN}"


def place_address(place):
    """« 1 place de la Mairie, bâtiment B, 15000 Aurillac » (what is known of it)."""
    commune = place.commune.name if place.commune_id else ""
    town = " ".join(filter(None, [place.postal_code, commune]))
    return ", ".join(filter(None, [place.address, place.address_complement, town]))


def sequences(bookings):
    """{booking id: number of updates recorded in the audit trail}, in one query."""
    ids = [str(b.pk) for b in bookings]
    if not ids:
        return {}
    rows = (
        AuditEvent.objects.filter(
            target_type=Booking._meta.label_lower, target_id__in=ids, action=AuditAction.UPDATE
        )
        .order_by()
        .values("target_id")
        .annotate(n=Count("id"))
    )
    return {int(row["target_id"]): row["n"] for row in rows}


def _utc(moment):
    return moment.astimezone(datetime.UTC)


def _description(booking):
    tz = booking.place.timezone
    # Translators: Django date format; escape letters with a backslash, e.g. "l, F jS Y, g:i A"
    long_format = _("l j F Y, H:i")
    start = formats.date_format(booking.start.astimezone(tz), long_format)
    # Translators: Django time format (hours and minutes), e.g. "H:i" or "g:i A"
    end = formats.date_format(booking.end.astimezone(tz), _("H:i"))
    if booking.end.astimezone(tz).date() != booking.start.astimezone(tz).date():
        end = formats.date_format(booking.end.astimezone(tz), long_format)
    lines = [
        _("Réservation de « %(resource)s » au lieu « %(place)s ».")
        % {"resource": booking.resource.name, "place": booking.place.name},
        # Translators: %(start)s and %(end)s are dates and times (or only a time for the end on the same day)
        _("Du %(start)s au %(end)s (heure du lieu).") % {"start": start, "end": end},
        # Translators: %(status)s is the booking's state, e.g. « Confirmée »
        _("État : %(status)s.") % {"status": BookingStatus(booking.status).label},
    ]
    if booking.quantity > 1:
        lines.append(_("Nombre de places : %(count)s.") % {"count": booking.quantity})
    if booking.person_id or booking.person_name:
        # Translators: %(person)s is the name of the person the booking is for
        lines.append(_("Pour : %(person)s.") % {"person": booking.person_display})
    if booking.price_cents:
        price = formats.number_format(booking.price_cents / 100, 2)
        # Translators: %(price)s is an amount in euros, e.g. « 12,50 »
        lines.append(_("Prix : %(price)s €.") % {"price": price})
    if booking.notes:
        # Translators: %(notes)s is free text written when booking
        lines.append(_("Remarques : %(notes)s") % {"notes": booking.notes})
    return "\n".join(lines)


def organizer_address(place):
    """The place's first valid e-mail address (public), or None."""
    for address in place.emails or []:
        try:
            validate_email(address)
        except ValidationError:
            continue
        return address
    return None


def booking_event(booking, *, sequence=None, attendee=None, for_team=False):
    """One VEVENT for a booking; `sequence` may be given (e.g. from `sequences`) to spare a query.

    The place is the ORGANIZER when it has a public e-mail address. `attendee`, the person's address, is
    written only in the invitation sent to that person (never in the feeds, which the team also reads).
    """
    if sequence is None:
        sequence = sequences([booking]).get(booking.pk, 0)
    event = icalendar.Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", _utc(timezone.now()))
    event.add("created", _utc(booking.created_at))
    event.add("dtstart", _utc(booking.start))
    event.add("dtend", _utc(booking.end))
    if for_team:  # the team's feed of a resource: who comes, at a glance
        event.add("summary", f"{booking.resource.name} — {booking.person_display}")
    else:
        event.add("summary", f"{booking.resource.name} — {booking.place.name}")
    address = place_address(booking.place)
    if address:
        event.add("location", address)
    event.add("description", _description(booking))
    event.add("status", "CANCELLED" if booking.status == BookingStatus.CANCELLED else "CONFIRMED")
    event.add("sequence", sequence)
    event.add("transp", "OPAQUE")
    organizer = organizer_address(booking.place)
    if organizer:
        event.add(
            "organizer", icalendar.vCalAddress(f"mailto:{organizer}"), parameters={"CN": booking.place.name}
        )
    if attendee:
        event.add(
            "attendee",
            icalendar.vCalAddress(f"mailto:{attendee}"),
            parameters={
                "CN": booking.person_display,
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "DECLINED" if booking.status == BookingStatus.CANCELLED else "ACCEPTED",
            },
        )
    return event


def calendar(bookings, name, *, method="PUBLISH", attendee=None, for_team=False):
    """A VCALENDAR of the bookings, as bytes (UTF-8, CRLF). `method="REQUEST"` for a single-booking
    attachment of an e-mail, with the person's address as `attendee`."""
    bookings = list(bookings)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    seqs = sequences(bookings)
    for booking in bookings:
        cal.add_component(
            booking_event(booking, sequence=seqs.get(booking.pk, 0), attendee=attendee, for_team=for_team)
        )
    return cal.to_ical()
