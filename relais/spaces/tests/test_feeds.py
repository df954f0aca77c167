"""iCalendar: the events of bookings (UTC across clock changes, stable UID, SEQUENCE), the personal feed
behind a secret address and the staff feed of a resource."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from relais.accounts.models import PlaceRole, hash_secret
from relais.privacy.audit import Actor
from relais.spaces import feeds, ical, services
from relais.spaces.models import CalendarFeedToken
from relais.testing import PlaceFactory, ResourceFactory, UserFactory

from .conftest import NOW, paris

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def parse(data):
    cal = icalendar.Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


@pytest.fixture
def winter_booking(room, member_actor):
    # 27/03/2026 is a Friday before the clock change (UTC+1).
    return services.book(member_actor, room, paris(2026, 3, 27, 9, 0), paris(2026, 3, 27, 11, 0), now=NOW)


@pytest.fixture
def summer_booking(room, member_actor):
    # 30/03/2026 is the Monday after the clock change (UTC+2).
    return services.book(member_actor, room, paris(2026, 3, 30, 9, 0), paris(2026, 3, 30, 11, 0), now=NOW)


# --- Events ---------------------------------------------------------------------------------------


def test_events_are_in_utc_across_the_clock_change(winter_booking, summer_booking):
    cal, events = parse(ical.calendar([winter_booking, summer_booking], "Mes réservations"))

    assert str(cal["prodid"]) == "-//Relais//FR"
    assert str(cal["version"]) == "2.0"
    assert str(cal["method"]) == "PUBLISH"
    winter, summer = events
    assert winter.decoded("dtstart") == datetime.datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert winter.decoded("dtend") == datetime.datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert summer.decoded("dtstart") == datetime.datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert summer.decoded("dtend") == datetime.datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    raw = ical.calendar([winter_booking], "x").decode()
    assert "DTSTART:20260327T080000Z" in raw
    assert "VTIMEZONE" not in raw


def test_an_event_names_the_resource_the_place_and_its_address(winter_booking, place):
    event = ical.booking_event(winter_booking)

    assert str(event["uid"]) == f"booking-{winter_booking.public_id}@relais"
    assert str(event["summary"]) == f"Salle Cantal — {place.name}"
    assert "1 place de la Mairie" in str(event["location"])
    assert place.commune.name in str(event["location"])
    assert str(event["status"]) == "CONFIRMED"
    assert event["sequence"] == 0
    description = str(event["description"])
    assert "Réservation de « Salle Cantal »" in description
    assert "vendredi 27 mars 2026, 09:00" in description
    assert "État : confirmée." in description


def test_changes_raise_the_sequence_and_a_cancellation_shows(winter_booking, member_actor):
    uid = str(ical.booking_event(winter_booking)["uid"])
    moved = services.change(
        member_actor, winter_booking, start=paris(2026, 3, 27, 14, 0), end=paris(2026, 3, 27, 15, 0), now=NOW
    )
    event = ical.booking_event(moved)
    assert event["sequence"] == 1
    assert str(event["uid"]) == uid
    assert event.decoded("dtstart") == datetime.datetime(2026, 3, 27, 13, 0, tzinfo=UTC)

    cancelled = services.cancel(member_actor, moved, now=NOW)
    event = ical.booking_event(cancelled)
    assert event["sequence"] == 2
    assert str(event["status"]) == "CANCELLED"


def test_a_single_booking_attachment_is_a_request(winter_booking):
    cal, events = parse(ical.calendar([winter_booking], "Réservation", method="REQUEST"))

    assert str(cal["method"]) == "REQUEST"
    assert len(events) == 1


# --- The personal feed ------------------------------------------------------------------------------


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(UTC))


def test_a_person_subscribes_to_their_bookings(client, frozen_now, member, winter_booking, room):
    someone = UserFactory()
    services.book(Actor(user=someone), room, paris(2026, 3, 27, 14, 0), paris(2026, 3, 27, 15, 0), now=NOW)
    raw = feeds.issue_feed_token(member)
    url = feeds.feed_url(raw)
    assert url == f"/espaces/calendrier/{raw}.ics"

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal, events = parse(response.content)
    assert [str(e["uid"]) for e in events] == [f"booking-{winter_booking.public_id}@relais"]
    assert str(cal["x-wr-calname"]) == "Mes réservations — Relais"
    token = CalendarFeedToken.objects.get(user=member)
    assert token.key_hash != raw and raw not in token.key_hash
    assert token.key_hash == hash_secret(raw) and token.prefix == raw[:8]  # the accounts' hashing
    assert token.last_used_at is not None


def test_a_cancelled_booking_stays_in_the_feed_as_cancelled(
    client, frozen_now, member, member_actor, winter_booking
):
    services.cancel(member_actor, winter_booking, now=NOW)
    raw = feeds.issue_feed_token(member)

    _cal, events = parse(client.get(feeds.feed_url(raw)).content)

    assert [str(e["status"]) for e in events] == ["CANCELLED"]
    assert events[0]["sequence"] == 1


def test_a_new_secret_or_a_revocation_ends_the_old_address(client, frozen_now, member, winter_booking):
    first = feeds.issue_feed_token(member)
    second = feeds.issue_feed_token(member)

    assert client.get(feeds.feed_url(first)).status_code == 404
    assert client.get(feeds.feed_url(second)).status_code == 200
    assert feeds.revoke_feed_tokens(member) == 1
    assert client.get(feeds.feed_url(second)).status_code == 404
    assert client.get("/espaces/calendrier/n-importe-quoi.ics").status_code == 404


# --- The staff feed of a resource ---------------------------------------------------------------------


def test_the_team_reads_a_resources_feed(client, frozen_now, manager, room, winter_booking, summer_booking):
    client.force_login(manager)

    response = client.get(f"/espaces/ressources/{room.public_id}/calendrier.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal, events = parse(response.content)
    assert len(events) == 2
    assert "Pour : Camille Martin" in str(events[0]["description"])
    assert str(events[0]["summary"]) == "Salle Cantal — Camille Martin"  # who comes, at a glance


def test_a_resources_feed_is_hidden_from_others(client, frozen_now, member, room, winter_booking):
    url = f"/espaces/ressources/{room.public_id}/calendrier.ics"
    assert client.get(url).status_code == 302  # login first

    client.force_login(member)
    assert client.get(url).status_code == 404

    other_manager = UserFactory()
    other_place = PlaceFactory()
    PlaceRole.objects.create(user=other_manager, place=other_place, role=PlaceRole.Role.MANAGER)
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    assert (
        client.get(
            f"/espaces/ressources/{ResourceFactory(place=other_place).public_id}/calendrier.ics"
        ).status_code
        == 200
    )
