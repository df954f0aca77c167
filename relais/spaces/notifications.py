"""E-mails about bookings: confirmation, change, cancellation, reminder the day before, waiting-list offer.

Each is sent by a background task (django-tasks: the database backend and `manage.py db_worker` in
production) enqueued once the transaction of the operation commits (`notify_after_commit`): nothing leaves
for a booking that was rolled back, and the request never waits for the mail server. The tasks take ids,
read the records again when they run and skip what no longer applies (a booking cancelled before its
confirmation went out, an offer already withdrawn) and people without an e-mail address (bookings taken by
phone with a name and a phone number).

Messages are French, with times in the place's local time; bookings come with an iCalendar attachment
(`ical.py`: times in UTC, a stable UID and a growing SEQUENCE) that calendar clients add, update or remove.
"""

import datetime
import logging
from email.mime.text import MIMEText
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from relais.core import mail
from relais.core.links import absolute_url

from . import ical, wording
from .enums import ACTIVE_STATUSES, BookingStatus, WaitlistStatus
from .models import Booking, BookingSeries, WaitlistEntry

logger = logging.getLogger(__name__)

TEMPLATES = "spaces/email"
# Reminders go to the bookings that start on the next local day; this bounds the query around it.
REMINDER_WINDOW = datetime.timedelta(hours=50)


# --- Helpers ----------------------------------------------------------------------------------------


def email_of(record):
    """The address to write to about a booking or a waiting-list entry: the person's account, else a contact
    that is an e-mail address; None for a phone number or nothing."""
    person = record.person if record.person_id else None
    candidates = [person.email if person is not None else "", record.person_contact]
    for candidate in candidates:
        candidate = (candidate or "").strip()
        if not candidate:
            continue
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate
    return None


def _name_of(record):
    if record.person_id:
        return record.person.get_full_name() or record.person.get_username()
    return record.person_name


def _tz(place):
    return place.timezone


def _period(start, end, tz):
    return wording.period_text(start, end, tz)


def _place_url(place):
    try:
        path = reverse("places:detail", args=[place.pk])
    except NoReverseMatch:
        return ""
    return _absolute(path)


def _absolute(path):
    """`path` on the instance's public address (RELAIS_BASE_URL); "" when the operator has not set it."""
    return absolute_url(path)


def _manage_url(record):
    """Where the person manages their bookings: for an account only (a booking by phone has no page)."""
    return _absolute(reverse("spaces:my-bookings")) if record.person_id else ""


def _place_context(place, tz):
    return {
        "place": place,
        "address": ical.place_address(place),
        "place_phone": place.phone_display if place.phone else "",
        "place_url": _place_url(place),
        "tz_note": "" if str(tz) == settings.TIME_ZONE else _(" (heure locale, %(zone)s)") % {"zone": tz},
    }


def _booking_context(booking):
    tz = _tz(booking.place)
    return {
        **_place_context(booking.place, tz),
        "booking": booking,
        "resource": booking.resource,
        "name": _name_of(booking),
        "period": _period(booking.start, booking.end, tz),
        "price": wording.price_text(booking.price_cents) if booking.price_cents else "",
        "deadline": _deadline(booking, tz),
        "manage_url": _manage_url(booking),
    }


def _deadline(booking, tz):
    minutes = booking.resource.cancellation_deadline_minutes
    if not minutes:
        return ""
    moment = (booking.start - datetime.timedelta(minutes=minutes)).astimezone(tz)
    # Translators: Django date format of a day and time; escape letters with a backslash ("\a\t").
    return formats.date_format(moment, _("l j F Y à H:i"))


def _reply_to(place):
    address = ical.organizer_address(place)
    return [address] if address else []


def _ics_part(data, method):
    """The calendar as an attachment: text/calendar with the iTIP method, and a file name."""
    part = MIMEText(data.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="reservation.ics")
    return part


def _send(template, to, context, place, *, calendar_data=None, method=None):
    subject = render_to_string(f"{TEMPLATES}/{template}_subject.txt", context)
    body = render_to_string(f"{TEMPLATES}/{template}.txt", context)
    attachments = [_ics_part(calendar_data, method)] if calendar_data is not None else []
    mail.deliver([mail.Mail([to], subject, body, reply_to=_reply_to(place), attachments=attachments)])
    return True


def _booking(booking_id):
    return (
        Booking.objects.select_related("resource", "place__commune", "person").filter(pk=booking_id).first()
    )


def _render_booking_mail(booking, template, method):
    to = email_of(booking)
    if to is None:
        return False
    context = _booking_context(booking)
    data = ical.calendar(
        [booking], f"{booking.resource.name} — {booking.place.name}", method=method, attendee=to
    )
    return _send(template, to, context, booking.place, calendar_data=data, method=method)


def _language_of(record, language):
    """The e-mail speaks the language the person used when they booked themselves; otherwise (the team
    booked for them, a reminder from a command) the instance's language."""
    booked_by = getattr(record, "booked_by_id", None)
    if language and record.person_id and booked_by == record.person_id:
        return language
    return settings.LANGUAGE_CODE


# --- Tasks -------------------------------------------------------------------------------------------
# Each returns True when an e-mail left, False when there was nothing (more) to send.


@task()
def send_booking_confirmation(booking_id, language=None):
    booking = _booking(booking_id)
    if booking is None or booking.status not in ACTIVE_STATUSES:
        return False
    with translation.override(_language_of(booking, language)):
        return _render_booking_mail(booking, "booking_confirmed", "REQUEST")


@task()
def send_booking_change(booking_id, language=None):
    booking = _booking(booking_id)
    if booking is None or booking.status not in ACTIVE_STATUSES:
        return False
    with translation.override(_language_of(booking, language)):
        return _render_booking_mail(booking, "booking_changed", "REQUEST")


@task()
def send_booking_cancellation(booking_id, language=None):
    booking = _booking(booking_id)
    if booking is None or booking.status != BookingStatus.CANCELLED:
        return False
    with translation.override(_language_of(booking, language)):
        return _render_booking_mail(booking, "booking_cancelled", "CANCEL")


@task()
def send_booking_reminder(booking_id, language=None):
    booking = _booking(booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.start <= timezone.now():
        return False
    try:
        with translation.override(_language_of(booking, language)):
            return _render_booking_mail(booking, "booking_reminder", "REQUEST")
    except Exception:
        # Not sent: the next run of `send_booking_reminders` (if still the day before) tries again.
        Booking.objects.filter(pk=booking_id).update(reminder_sent_at=None)
        raise


@task()
def send_series_confirmation(series_id, language=None):
    """One e-mail for a whole weekly series, listing its occurrences, with all of them in the calendar.

    The calendar is published (METHOD:PUBLISH), not sent as an invitation: an iTIP REQUEST holds the
    components of one UID only, and each occurrence is a booking of its own (its own UID).
    """
    series = BookingSeries.objects.select_related("resource", "place__commune", "person").filter(pk=series_id)
    series = series.first()
    if series is None:
        return False
    bookings = list(
        series.bookings.filter(status__in=ACTIVE_STATUSES)
        .select_related("resource", "place__commune", "person")
        .order_by("start")
    )
    to = email_of(series)
    if not bookings or to is None:
        return False
    tz = _tz(series.place)
    with translation.override(_language_of(series, language)):
        context = {
            **_place_context(series.place, tz),
            "series": series,
            "resource": series.resource,
            "name": _name_of(series),
            "occurrences": [_period(b.start, b.end, tz) for b in bookings],
            "count": len(bookings),
            "quantity": bookings[0].quantity,
            "until": formats.date_format(series.until, "j F Y"),
            "interval_weeks": series.interval_weeks,
            "total": _total(bookings),
            "manage_url": _manage_url(series),
        }
        data = ical.calendar(bookings, f"{series.resource.name} — {series.place.name}", method="PUBLISH")
        return _send("series_confirmed", to, context, series.place, calendar_data=data, method="PUBLISH")


@task()
def send_series_cancellation(booking_ids, language=None):
    """One e-mail for the occurrences of a series cancelled together, each in the calendar as cancelled."""
    bookings = list(
        Booking.objects.filter(pk__in=booking_ids, status=BookingStatus.CANCELLED)
        .select_related("resource", "place__commune", "person")
        .order_by("start")
    )
    if not bookings:
        return False
    first = bookings[0]
    to = email_of(first)
    if to is None:
        return False
    tz = _tz(first.place)
    with translation.override(_language_of(first, language)):
        context = {
            **_place_context(first.place, tz),
            "resource": first.resource,
            "name": _name_of(first),
            "occurrences": [_period(b.start, b.end, tz) for b in bookings],
            "count": len(bookings),
            "manage_url": _manage_url(first),
        }
        data = ical.calendar(bookings, f"{first.resource.name} — {first.place.name}", method="PUBLISH")
        return _send("series_cancelled", to, context, first.place, calendar_data=data, method="PUBLISH")


def _total(bookings):
    prices = [b.price_cents for b in bookings if b.price_cents]
    return wording.price_text(sum(prices)) if prices else ""


@task()
def send_waitlist_offer(entry_id, language=None):
    """A slot someone waited for is free again. Nothing is booked for them (no calendar attachment: an
    invitation would put a slot in their calendar that nobody holds); they book it themselves, quickly."""
    entry = (
        WaitlistEntry.objects.select_related("resource", "place__commune", "person")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or entry.status != WaitlistStatus.OFFERED or entry.start <= timezone.now():
        return False
    to = email_of(entry)
    if to is None:
        return False
    tz = _tz(entry.place)
    with translation.override(_language_of(entry, language)):
        context = {
            **_place_context(entry.place, tz),
            "entry": entry,
            "resource": entry.resource,
            "name": _name_of(entry),
            "period": _period(entry.start, entry.end, tz),
            "book_url": _book_url(entry, tz),
        }
        return _send("waitlist_offer", to, context, entry.place)


def _book_url(entry, tz):
    """The booking form of the slot offered, filled in (for an account: the form needs a login)."""
    if not entry.person_id:
        return ""
    start, end = entry.start.astimezone(tz), entry.end.astimezone(tz)
    query = {"date": start.date().isoformat(), "debut": f"{start:%H:%M}", "fin": f"{end:%H:%M}"}
    if end.date() != start.date():
        query["date_fin"] = end.date().isoformat()
    if entry.quantity > 1:
        query["quantite"] = entry.quantity
    return _absolute(reverse("spaces:book", args=[entry.resource.public_id]) + "?" + urlencode(query))


TASKS = {
    "confirmed": send_booking_confirmation,
    "changed": send_booking_change,
    "cancelled": send_booking_cancellation,
    "reminder": send_booking_reminder,
    "series": send_series_confirmation,
    "series_cancelled": send_series_cancellation,
    "waitlist_offer": send_waitlist_offer,
}


def notify_after_commit(kind, object_id):
    """Enqueue the e-mail `kind` (a key of TASKS) about a record once the current transaction commits.

    A booking or a waiting-list entry id; a series id for "series". Nothing is enqueued if the transaction
    rolls back; a failure to enqueue is logged, never raised into the operation that already succeeded.
    """
    task_ = TASKS[kind]
    # The language of the page the person used: their own bookings' e-mails speak it (`_language_of`).
    language = translation.get_language()
    mail.enqueue_after_commit(task_, [object_id], {"language": language})


# --- Reminders the day before ------------------------------------------------------------------------


def due_reminders(now=None):
    """Confirmed bookings starting on the next day of their place's local calendar, not reminded yet."""
    now = now or timezone.now()
    candidates = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        start__gt=now,
        start__lt=now + REMINDER_WINDOW,
    ).select_related("place__commune")
    due = []
    for booking in candidates.order_by("start", "pk"):
        tz = _tz(booking.place)
        if booking.start.astimezone(tz).date() == now.astimezone(tz).date() + datetime.timedelta(days=1):
            due.append(booking)
    return due


def enqueue_reminders(now=None, *, dry_run=False):
    """Enqueue the reminder of each booking starting tomorrow (local time), once: `reminder_sent_at` is set
    by a conditional update, so that two runs (or two servers) never remind twice. Returns the bookings."""
    now = now or timezone.now()
    due = due_reminders(now)
    if dry_run:
        return due
    claimed = []
    with transaction.atomic():
        for booking in due:
            if Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                notify_after_commit("reminder", booking.pk)
                claimed.append(booking)
    return claimed
