"""Bookings as iCalendar (RFC 5545): events for the feeds and for the attachments of e-mails.

Times are written in UTC (`…Z`): every client places them right, across clock changes, without a
VTIMEZONE. The UID is stable per booking, and SEQUENCE grows with each change of the booking (moves,
cancellation, check-in… : the audit trail's updates), so that a client replaces the event it holds.
"""

import datetime

import icalendar
from django.db.models import Count
from django.utils import formats, timezone

from relais.privacy.models import AuditAction, AuditEvent

from .enums import BookingStatus
from .models import Booking

PRODID = "-//Relais//FR"
UID_DOMAIN = "relais"


def booking_uid(booking):
    return f"booking-{booking.pk}@{UID_DOMAIN}"


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
    from .services import place_timezone

    tz = place_timezone(booking.place)
    start = formats.date_format(booking.start.astimezone(tz), "l j F Y, H:i")
    end = formats.date_format(booking.end.astimezone(tz), "H:i")
    if booking.end.astimezone(tz).date() != booking.start.astimezone(tz).date():
        end = formats.date_format(booking.end.astimezone(tz), "l j F Y, H:i")
    lines = [
        f"Réservation de « {booking.resource.name} » au lieu « {booking.place.name} ».",
        f"Du {start} au {end} (heure du lieu).",
        f"État : {BookingStatus(booking.status).label}.",
    ]
    if booking.quantity > 1:
        lines.append(f"Nombre de places : {booking.quantity}.")
    if booking.person_id or booking.person_name:
        lines.append(f"Pour : {booking.person_display}.")
    if booking.price_cents:
        lines.append(f"Prix : {booking.price_cents / 100:.2f} €".replace(".", ",") + ".")
    if booking.notes:
        lines.append(f"Remarques : {booking.notes}")
    return "\n".join(lines)


def booking_event(booking, *, sequence=None):
    """One VEVENT for a booking; `sequence` may be given (e.g. from `sequences`) to spare a query."""
    if sequence is None:
        sequence = sequences([booking]).get(booking.pk, 0)
    event = icalendar.Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", _utc(timezone.now()))
    event.add("created", _utc(booking.created_at))
    event.add("dtstart", _utc(booking.start))
    event.add("dtend", _utc(booking.end))
    event.add("summary", f"{booking.resource.name} — {booking.place.name}")
    address = place_address(booking.place)
    if address:
        event.add("location", address)
    event.add("description", _description(booking))
    event.add("status", "CANCELLED" if booking.status == BookingStatus.CANCELLED else "CONFIRMED")
    event.add("sequence", sequence)
    event.add("transp", "OPAQUE")
    return event


def calendar(bookings, name, *, method="PUBLISH"):
    """A VCALENDAR of the bookings, as bytes (UTF-8, CRLF). `method="REQUEST"` for a single-booking
    attachment of an e-mail."""
    bookings = list(bookings)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    seqs = sequences(bookings)
    for booking in bookings:
        cal.add_component(booking_event(booking, sequence=seqs.get(booking.pk, 0)))
    return cal.to_ical()
