"""Booking e-mails, sent by background tasks once the operation commits, with an iCalendar attachment."""

import datetime
import email
import zoneinfo
from io import StringIO

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from relais.accounts.models import PlaceRole
from relais.core.errors import DomainError
from relais.spaces import notifications, services
from relais.spaces.enums import WaitlistStatus
from relais.spaces.models import Booking
from relais.testing import ResourceFactory, assert_french, place_in

from .conftest import NOW, PARIS, paris

UTC = datetime.UTC
START, END = paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 11, 0)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The tasks read the clock when they run: the tests' « now » (a mutable one)."""
    state = {"now": NOW.astimezone(UTC)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


@pytest.fixture(autouse=True)
def tasks_succeed():
    """Every task that ran finished without an error (the immediate backend records failures silently)."""
    results = []

    def collect(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(collect)
    yield results
    task_finished.disconnect(collect)
    failures = [(r.task.name, r.errors[0].traceback) for r in results if r.errors]
    assert not failures, failures


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the operation leaves for after its commit (the test's own transaction never commits)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def attachment(message):
    """The iCalendar attachment of a sent message, read back from the wire format: (method, calendar)."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in parsed.walk()]
    part = parts[0]
    assert part.get_filename() == "reservation.ics"
    assert part.get_content_disposition() == "attachment"
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert cal["METHOD"] == part.get_param("method")
    return part.get_param("method"), cal


def events(cal):
    return [c for c in cal.walk() if c.name == "VEVENT"]


def utc(component, name):
    return component.decoded(name).astimezone(UTC)


def check_french(message):
    assert_french(message.subject)
    assert_french(message.body)
    assert "\n" not in message.subject


# --- Confirmation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "utc_start", "utc_end", "text"),
    [
        # Winter time (UTC+1).
        (
            START,
            END,
            datetime.datetime(2026, 3, 4, 8, 0, tzinfo=UTC),
            datetime.datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
            "le mercredi 4 mars 2026 de 09:00 à 11:00",
        ),
        # Summer time (UTC+2) from Sunday 29 March 2026: same wall clock, one hour earlier in UTC.
        (
            paris(2026, 3, 30, 9, 0),
            paris(2026, 3, 30, 11, 0),
            datetime.datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
            datetime.datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
            "le lundi 30 mars 2026 de 09:00 à 11:00",
        ),
    ],
)
def test_a_booking_sends_one_confirmation_with_its_calendar(
    commit, member_actor, member, room, place, start, end, utc_start, utc_end, text
):
    booking = commit(services.book, member_actor, room, start, end, now=NOW)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == f"Réservation confirmée : Salle Cantal, {text}"
    assert "Votre réservation est confirmée." in message.body
    assert f"Quand : {text}" in message.body
    assert place.name in message.body and "15000 Aurillac" in message.body
    check_french(message)
    method, cal = attachment(message)
    assert method == "REQUEST"
    (event,) = events(cal)
    assert str(event["UID"]) == f"booking-{booking.public_id}@relais"
    assert (utc(event, "DTSTART"), utc(event, "DTEND")) == (utc_start, utc_end)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_email_leaves_from_a_background_task_after_the_commit(
    django_capture_on_commit_callbacks, member_actor, room, tasks_succeed
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.book(member_actor, room, START, END, now=NOW)
    assert len(callbacks) == 1 and mail.outbox == []  # nothing before the commit
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert [r.task.name for r in tasks_succeed] == ["send_booking_confirmation"]
    assert tasks_succeed[0].return_value is True


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_sends_it(commit, settings, member_actor, room):
    # A real worker, as in production: it commits its own work and closes its connections when done, so
    # the test does not run inside a transaction of its own.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    booking = commit(services.book, member_actor, room, START, END, now=NOW)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "relais.spaces.notifications.send_booking_confirmation"
    assert queued.args_kwargs["args"] == [booking.pk]
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    connection.close()  # the worker closed the underlying connection: start a fresh one
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_nothing_is_sent_if_the_transaction_rolls_back(commit, member_actor, room):
    def book_then_fail():
        with transaction.atomic():
            services.book(member_actor, room, START, END, now=NOW)
            raise RuntimeError("plus loin, autre chose échoue")

    with pytest.raises(RuntimeError):
        commit(book_then_fail)
    assert not Booking.objects.exists()
    with pytest.raises(DomainError):
        commit(services.book, member_actor, room, START, paris(2026, 3, 4, 9, 10), now=NOW)
    assert mail.outbox == []


def test_a_phone_booking_without_email_sends_nothing(commit, staff_actor, room):
    booking = commit(
        services.book,
        staff_actor,
        room,
        START,
        END,
        person_name="Jean Dupuy",
        person_contact="04 71 00 00 00",
        now=NOW,
    )
    commit(
        services.change,
        staff_actor,
        booking,
        start=paris(2026, 3, 5, 9, 0),
        end=paris(2026, 3, 5, 10, 0),
        now=NOW,
    )
    commit(services.cancel, staff_actor, booking, now=NOW)
    assert mail.outbox == []  # and not to the staff member who booked it either


def test_a_booking_by_phone_with_an_email_contact_writes_to_it(commit, staff_actor, room):
    commit(
        services.book,
        staff_actor,
        room,
        START,
        END,
        person_name="Jeanne Dupuy",
        person_contact="jeanne@exemple.fr",
        now=NOW,
    )
    (message,) = mail.outbox
    assert message.to == ["jeanne@exemple.fr"]
    assert message.body.startswith("Bonjour Jeanne Dupuy,")


# --- Change and cancellation -------------------------------------------------------------------------


def test_a_change_sends_the_new_times_and_updates_the_event(commit, member_actor, member, room):
    booking = commit(services.book, member_actor, room, START, END, now=NOW)
    _, first = attachment(mail.outbox[0])
    commit(
        services.change,
        member_actor,
        booking,
        start=paris(2026, 3, 31, 14, 0),
        end=paris(2026, 3, 31, 16, 0),
        now=NOW,
    )
    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == [member.email]
    assert message.subject == "Réservation modifiée : Salle Cantal, le mardi 31 mars 2026 de 14:00 à 16:00"
    check_french(message)
    method, cal = attachment(message)
    assert method == "REQUEST"
    (before,), (after,) = events(first), events(cal)
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert utc(after, "DTSTART") == datetime.datetime(2026, 3, 31, 12, 0, tzinfo=UTC)  # summer time


def test_a_cancellation_sends_a_cancel_of_the_event(commit, member_actor, member, room):
    booking = commit(services.book, member_actor, room, START, END, now=NOW)
    commit(services.cancel, member_actor, booking, reason="empêchement", now=NOW)
    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == [member.email]
    assert message.subject == "Réservation annulée : Salle Cantal, le mercredi 4 mars 2026 de 09:00 à 11:00"
    assert "annulée" in message.body
    check_french(message)
    method, cal = attachment(message)
    assert method == "CANCEL"
    (event,) = events(cal)
    assert str(event["UID"]) == f"booking-{booking.public_id}@relais"
    assert str(event["STATUS"]) == "CANCELLED"
    assert utc(event, "DTSTART") == datetime.datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


def test_a_confirmation_still_queued_when_the_booking_is_cancelled_is_not_sent(
    django_capture_on_commit_callbacks, commit, member_actor, room
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        booking = services.book(member_actor, room, START, END, now=NOW)
    commit(services.cancel, member_actor, booking, now=NOW)
    queued[0]()  # the worker gets to the confirmation late
    assert [m.subject.split(" :")[0] for m in mail.outbox] == ["Réservation annulée"]


# --- Reminders ---------------------------------------------------------------------------------------


def test_reminders_go_once_to_the_bookings_of_tomorrow_in_local_time(
    commit, clock, member_actor, staff_actor, member, room, place
):
    today = commit(
        services.book, member_actor, room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW
    )
    tomorrow = commit(services.book, member_actor, room, START, END, now=NOW)
    phone = commit(
        services.book,
        staff_actor,
        room,
        paris(2026, 3, 4, 14, 0),
        paris(2026, 3, 4, 15, 0),
        person_name="Jean",
        person_contact="04 71 00 00 00",
        now=NOW,
    )
    cancelled = commit(
        services.book, member_actor, room, paris(2026, 3, 4, 16, 0), paris(2026, 3, 4, 17, 0), now=NOW
    )
    commit(services.cancel, member_actor, cancelled, now=NOW)
    later = commit(
        services.book, member_actor, room, paris(2026, 3, 5, 9, 0), paris(2026, 3, 5, 10, 0), now=NOW
    )
    mail.outbox.clear()

    # 23:30 UTC on Monday 2 March is already Tuesday 3 March in Paris: « tomorrow » is Wednesday the 4th,
    # not Tuesday (which the UTC date would say).
    late = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    clock["now"] = late
    reminded = commit(notifications.enqueue_reminders, late)
    assert {b.pk for b in reminded} == {tomorrow.pk, phone.pk}
    (message,) = mail.outbox  # the phone booking has no address
    assert message.to == [member.email]
    assert message.subject == "Rappel : Salle Cantal demain, le mercredi 4 mars 2026 de 09:00 à 11:00"
    check_french(message)
    method, cal = attachment(message)
    assert method == "REQUEST"
    assert utc(events(cal)[0], "DTSTART") == datetime.datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at == late

    # Run again (the next hour, or by a second server): nothing is sent twice.
    clock["now"] = late + datetime.timedelta(hours=1)
    assert commit(notifications.enqueue_reminders, clock["now"]) == []
    assert len(mail.outbox) == 1
    assert not Booking.objects.get(pk=today.pk).reminder_sent_at
    assert not Booking.objects.get(pk=later.pk).reminder_sent_at


def test_a_booking_moved_to_another_day_is_reminded_again(commit, clock, member_actor, room):
    booking = commit(services.book, member_actor, room, START, END, now=NOW)
    clock["now"] = datetime.datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert len(commit(notifications.enqueue_reminders, clock["now"])) == 1
    moved = paris(2026, 3, 5, 9, 0), paris(2026, 3, 5, 11, 0)
    commit(services.change, member_actor, booking, start=moved[0], end=moved[1], now=NOW)
    assert Booking.objects.get(pk=booking.pk).reminder_sent_at is None
    clock["now"] = datetime.datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert [b.pk for b in commit(notifications.enqueue_reminders, clock["now"])] == [booking.pk]


def test_reminders_follow_the_local_day_of_each_place(commit, clock, staff_actor, member):
    # Guadeloupe is UTC-4: at 02:00 UTC on Tuesday 3 March it is still Monday evening there.
    antilles = place_in("97105", opening_hours="Mo-Fr 08:00-17:00")
    PlaceRole.objects.create(user=staff_actor.user, place=antilles, role=PlaceRole.Role.MANAGER)
    room = ResourceFactory(place=antilles, name="Salle Soufrière")
    local = zoneinfo.ZoneInfo("America/Guadeloupe")
    booking = commit(
        services.book,
        staff_actor,
        room,
        datetime.datetime(2026, 3, 3, 9, 0, tzinfo=local),
        datetime.datetime(2026, 3, 3, 10, 0, tzinfo=local),
        person=member,
        now=NOW,
    )
    mail.outbox.clear()
    clock["now"] = datetime.datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert [b.pk for b in commit(notifications.enqueue_reminders, clock["now"])] == [booking.pk]
    (message,) = mail.outbox
    assert "le mardi 3 mars 2026 de 09:00 à 10:00 (heure locale, America/Guadeloupe)" in message.body


def test_the_reminder_command(commit, clock, member_actor, room):
    commit(services.book, member_actor, room, START, END, now=NOW)
    mail.outbox.clear()
    clock["now"] = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    out = StringIO()
    commit(call_command, "send_booking_reminders", "--dry-run", "--now", "2026-03-03T10:00", stdout=out)
    assert "Simulation : 1 rappel serait mis en file" in out.getvalue() and mail.outbox == []
    out = StringIO()
    commit(call_command, "send_booking_reminders", "--now", "2026-03-03T10:00", stdout=out)
    assert "1 rappel mis en file." in out.getvalue()
    assert len(mail.outbox) == 1
    commit(call_command, "send_booking_reminders", "--now", "2026-03-03T11:00", stdout=StringIO())
    assert len(mail.outbox) == 1


# --- Waiting list and series -------------------------------------------------------------------------


def test_a_freed_slot_is_offered_by_email(commit, staff_actor, member_actor, member, room):
    taken = commit(
        services.book,
        staff_actor,
        room,
        START,
        END,
        person_name="Jean",
        person_contact="04 71 00 00 00",
        now=NOW,
    )
    entry = commit(services.join_waitlist, member_actor, room, START, END)
    commit(services.cancel, staff_actor, taken, now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    (message,) = mail.outbox  # Jean has no e-mail address: only the offer leaves
    assert message.to == [member.email]
    assert (
        message.subject == "Une place s'est libérée : Salle Cantal, le mercredi 4 mars 2026 de 09:00 à 11:00"
    )
    assert "liste d'attente" in message.body and "réservez-la" in message.body
    check_french(message)
    assert message.attachments == []  # nothing is booked for them yet


def test_a_series_sends_one_email_listing_its_occurrences(commit, member_actor, member, room):
    result = commit(
        services.book_series,
        member_actor,
        room,
        START,
        END,
        datetime.date(2026, 4, 1),
        now=NOW,
    )
    assert len(result.bookings) == 5
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "Réservation régulière confirmée : Salle Cantal, 5 dates"
    check_french(message)
    assert "chaque semaine jusqu'au 1 avril 2026" in message.body
    for day in (
        "mercredi 4 mars",
        "mercredi 11 mars",
        "mercredi 18 mars",
        "mercredi 25 mars",
        "mercredi 1 avril",
    ):
        assert f"- le {day} 2026 de 09:00 à 11:00" in message.body
    method, cal = attachment(message)
    assert method == "PUBLISH"
    starts = sorted(utc(e, "DTSTART") for e in events(cal))
    assert starts[0] == datetime.datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert starts[-1] == datetime.datetime(2026, 4, 1, 7, 0, tzinfo=UTC)  # summer time: same wall clock
    assert len({str(e["UID"]) for e in events(cal)}) == 5


def test_the_invitation_names_the_place_as_organizer_and_the_person_as_attendee(
    commit, settings, member_actor, member, room, place
):
    settings.RELAIS_BASE_URL = "https://relais.example.org/"
    place.emails = ["pas une adresse", "accueil@tiers-lieu.example.org"]
    place.save(update_fields=["emails"])
    commit(services.book, member_actor, room, START, END, now=NOW)
    (message,) = mail.outbox
    assert "https://relais.example.org/espaces/mes-reservations/" in message.body
    _method, cal = attachment(message)
    (event,) = events(cal)
    assert str(event["ORGANIZER"]) == "mailto:accueil@tiers-lieu.example.org"
    assert event["ORGANIZER"].params["CN"] == place.name
    assert str(event["ATTENDEE"]) == f"mailto:{member.email}"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


def test_without_a_public_address_the_email_has_no_link_and_a_phone_booking_never_has_one(
    commit, settings, staff_actor, member_actor, room
):
    settings.RELAIS_BASE_URL = ""
    commit(services.book, member_actor, room, START, END, now=NOW)
    assert "http" not in mail.outbox[0].body
    settings.RELAIS_BASE_URL = "https://relais.example.org"
    mail.outbox.clear()
    commit(
        services.book,
        staff_actor,
        room,
        START + datetime.timedelta(hours=5),
        END + datetime.timedelta(hours=5),
        person_name="Jean",
        person_contact="jean@example.org",
        now=NOW,
    )
    (message,) = mail.outbox
    assert "mes-reservations" not in message.body  # Jean has no account: no page of his bookings


def test_a_waiting_list_offer_links_to_the_booking_form_filled_in(
    commit, settings, staff_actor, member_actor, room
):
    settings.RELAIS_BASE_URL = "https://relais.example.org"
    taken = commit(
        services.book, staff_actor, room, START, END, person_name="Jean", person_contact="04 71", now=NOW
    )
    commit(services.join_waitlist, member_actor, room, START, END)
    commit(services.cancel, staff_actor, taken, now=NOW)
    (message,) = mail.outbox
    assert (
        f"https://relais.example.org/espaces/ressources/{room.public_id}/reserver/?date=2026-03-04&debut=09%3A00"
        "&fin=11%3A00" in message.body
    )


def test_the_feeds_never_carry_the_person_s_address(member_actor, member, room, place):
    place.emails = ["accueil@tiers-lieu.example.org"]
    place.save(update_fields=["emails"])
    booking = services.book(member_actor, room, START, END, now=NOW)
    from relais.spaces import ical

    text = ical.calendar([booking], "flux").decode()
    assert "ORGANIZER" in text and "ATTENDEE" not in text and member.email not in text


def test_cancelling_a_series_cancels_what_is_to_come_keeps_what_is_too_late_and_sends_one_email(
    commit, member_actor, member, room
):
    room.cancellation_deadline_minutes = 3 * 24 * 60  # three days before
    room.save()
    result = commit(
        services.book_series,
        member_actor,
        room,
        paris(2026, 3, 3, 9, 0),
        paris(2026, 3, 3, 10, 0),
        datetime.date(2026, 3, 31),
        now=NOW,
    )
    assert len(result.bookings) == 5
    mail.outbox.clear()
    # On Sunday 8 March: the 10 March occurrence is within its three days, the others may go.
    now = paris(2026, 3, 8, 12, 0)
    done = commit(services.cancel_series, member_actor, result.series, now=now)
    assert [b.start.astimezone(PARIS).day for b in done.cancelled] == [17, 24, 31]
    [(kept, why)] = done.kept
    assert kept.start.astimezone(PARIS).day == 10 and "trop tard" in why
    statuses = dict(result.series.bookings.values_list("start__day", "status"))
    assert statuses[3] == "confirmed" and statuses[10] == "confirmed" and statuses[17] == "cancelled"
    (message,) = mail.outbox
    assert message.subject == "Réservation régulière annulée : Salle Cantal, 3 dates"
    assert "mardi 17 mars 2026" in message.body and "mardi 10 mars" not in message.body
    check_french(message)
    _method, cal = attachment(message)
    assert [str(e["STATUS"]) for e in events(cal)] == ["CANCELLED"] * 3


def test_only_the_person_or_the_team_cancels_a_series(commit, member_actor, staff_actor, room):
    result = commit(
        services.book_series,
        member_actor,
        room,
        paris(2026, 3, 3, 9, 0),
        paris(2026, 3, 3, 10, 0),
        datetime.date(2026, 3, 17),
        now=NOW,
    )
    from relais.privacy.audit import Actor
    from relais.testing import UserFactory

    with pytest.raises(services.DomainError) as info:
        services.cancel_series(Actor(user=UserFactory()), result.series, now=NOW)
    assert info.value.code == "forbidden"
    done = commit(services.cancel_series, staff_actor, result.series, now=NOW)
    assert len(done.cancelled) == 3
    with pytest.raises(services.DomainError) as info:
        services.cancel_series(staff_actor, result.series, now=NOW)
    assert info.value.code == "empty"


def test_the_email_speaks_the_language_the_person_booked_in_and_the_team_s_bookings_stay_french(
    commit, staff_actor, member_actor, member, room
):
    from django.utils import translation

    with translation.override("en"):
        commit(services.book, member_actor, room, START, END, now=NOW)
    (message,) = mail.outbox
    assert message.subject.startswith("Booking confirmed: Salle Cantal")
    assert "Hello Camille Martin," in message.body and "Wednesday 4 March 2026" in message.body
    mail.outbox.clear()
    with translation.override("en"):  # the team works in English, the person gets the instance's French
        commit(
            services.book,
            staff_actor,
            room,
            START + datetime.timedelta(hours=5),
            END + datetime.timedelta(hours=5),
            person=member,
            now=NOW,
        )
    (message,) = mail.outbox
    assert message.subject.startswith("Réservation confirmée")
