"""Weekly series, all or nothing, and local time: clock changes in Paris, a place in Réunion."""

import datetime
import zoneinfo

import pytest

from relais.privacy.models import AuditEvent
from relais.spaces import services
from relais.spaces.models import Booking, BookingSeries
from relais.testing import ResourceFactory, assert_french, place_in

from .conftest import NOW, PARIS, paris

UTC = datetime.UTC
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_spring_change(staff_actor, member, room):
    # Mondays 09:00-12:00 around Sunday 29 March 2026 (clocks go forward): UTC+1, then UTC+2.
    result = services.book_series(
        staff_actor,
        room,
        paris(2026, 3, 16, 9, 0),
        paris(2026, 3, 16, 12, 0),
        datetime.date(2026, 4, 1),
        person=member,
        now=NOW,
    )
    assert [(b.start, b.end) for b in result.bookings] == [
        (utc(2026, 3, 16, 8, 0), utc(2026, 3, 16, 11, 0)),
        (utc(2026, 3, 23, 8, 0), utc(2026, 3, 23, 11, 0)),
        (utc(2026, 3, 30, 7, 0), utc(2026, 3, 30, 10, 0)),
    ]
    assert {(b.start.astimezone(PARIS).time(), b.end.astimezone(PARIS).time()) for b in result.bookings} == {
        (datetime.time(9), datetime.time(12))
    }
    assert all(b.series == result.series for b in result.bookings)
    assert AuditEvent.objects.filter(target_type="spaces.booking", action="create").count() == 3


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_autumn_change(staff_actor, member, room):
    # Mondays around Sunday 25 October 2026 (clocks go back): UTC+2, then UTC+1.
    result = services.book_series(
        staff_actor,
        room,
        paris(2026, 10, 19, 9, 0),
        paris(2026, 10, 19, 12, 0),
        datetime.date(2026, 11, 2),
        person=member,
        now=NOW,
    )
    assert [b.start for b in result.bookings] == [
        utc(2026, 10, 19, 7, 0),
        utc(2026, 10, 26, 8, 0),
        utc(2026, 11, 2, 8, 0),
    ]
    assert all(b.end - b.start == datetime.timedelta(hours=3) for b in result.bookings)


def test_a_series_with_a_conflict_creates_nothing_and_lists_the_conflicts(staff_actor, member, room):
    services.book(
        staff_actor,
        room,
        paris(2026, 3, 23, 10, 0),
        paris(2026, 3, 23, 11, 0),
        person_name="A",
        person_contact="a@exemple.fr",
        now=NOW,
    )
    args = (
        staff_actor,
        room,
        paris(2026, 3, 16, 9, 0),
        paris(2026, 3, 16, 12, 0),
        datetime.date(2026, 4, 13),
    )
    with pytest.raises(services.SeriesConflict) as info:
        services.book_series(*args, person=member, now=NOW)
    conflicts = info.value.conflicts
    # 23 March is taken; 6 April is Easter Monday (« PH off »).
    assert [(c.start.date(), c.code) for c in conflicts] == [
        (datetime.date(2026, 3, 23), "overlap"),
        (datetime.date(2026, 4, 6), "place_hours"),
    ]
    assert_french(info.value.message)
    assert (
        "2 occurrences de la série ne peuvent pas" in info.value.message
        and "23/03/2026 à 09:00" in info.value.message
    )
    assert Booking.objects.count() == 1 and not BookingSeries.objects.exists()

    result = services.book_series(*args, person=member, skip_conflicts=True, now=NOW)
    assert [b.start.astimezone(PARIS).date() for b in result.bookings] == [
        datetime.date(2026, 3, 16),
        datetime.date(2026, 3, 30),
        datetime.date(2026, 4, 13),
    ]
    assert len(result.skipped) == 2


def test_the_occurrences_of_a_series_count_against_each_other(staff_actor, member, place):
    # A three-week booking repeated weekly would overlap itself.
    room = ResourceFactory(place=place, bookable_hours="", max_duration_minutes=30 * 1440)
    place.opening_hours = ""
    place.save()
    room.place = place
    with pytest.raises(services.SeriesConflict) as info:
        services.book_series(
            staff_actor,
            room,
            paris(2026, 3, 3, 9, 0),
            paris(2026, 3, 10, 10, 0),
            datetime.date(2026, 3, 20),
            person=member,
            now=NOW,
        )
    assert {c.code for c in info.value.conflicts} == {"overlap"}


@pytest.fixture
def reunion_room(db):
    place = place_in("97411", opening_hours="Mo-Fr 08:00-12:00")  # Saint-Denis
    return ResourceFactory(place=place, name="Salle Bourbon")


def test_a_place_in_reunion_books_in_its_own_local_time(member_actor, reunion_room):
    assert reunion_room.place.timezone == REUNION
    booking = services.book(
        member_actor,
        reunion_room,
        datetime.datetime(2026, 3, 3, 8, 0),
        datetime.datetime(2026, 3, 3, 10, 0),
        now=NOW,
    )
    assert booking.start == utc(2026, 3, 3, 4, 0)
    # 13:00 in Réunion is 10:00 in Paris, but the place in Saint-Denis is closed then.
    with pytest.raises(services.DomainError) as info:
        services.book(
            member_actor,
            reunion_room,
            datetime.datetime(2026, 3, 4, 13, 0),
            datetime.datetime(2026, 3, 4, 14, 0),
            now=NOW,
        )
    assert info.value.code == "place_hours"


def test_a_series_in_reunion_does_not_move_with_the_clock_changes_of_paris(member_actor, reunion_room):
    result = services.book_series(
        member_actor,
        reunion_room,
        datetime.datetime(2026, 3, 23, 8, 0),
        datetime.datetime(2026, 3, 23, 10, 0),
        datetime.date(2026, 4, 1),
        now=NOW,
    )
    assert [b.start for b in result.bookings] == [utc(2026, 3, 23, 4, 0), utc(2026, 3, 30, 4, 0)]


def test_the_slots_of_a_clock_change_day_follow_the_wall_clock(place):
    place.opening_hours = "24/7"
    place.save()
    hourly = ResourceFactory(place=place, granularity_minutes=60, min_duration_minutes=60)
    spring = services.availability(hourly, datetime.date(2026, 3, 29), datetime.date(2026, 3, 29), now=NOW)
    assert len(spring.starts) == 23
    local_hours = [s.astimezone(PARIS).hour for s, _e, _f in spring.slots()]
    assert local_hours == [0, 1, *range(3, 24)]
    autumn = services.availability(hourly, datetime.date(2026, 10, 25), datetime.date(2026, 10, 25), now=NOW)
    assert [s.astimezone(PARIS).hour for s, _e, _f in autumn.slots()] == list(range(24))
    assert sum(e - s for s, e in zip(autumn.starts, autumn.ends, strict=True)) == 25 * 60


def test_a_series_on_a_pool_counts_seats(staff_actor, member, pool):
    kw = {"person_name": "A", "person_contact": "a@exemple.fr", "now": NOW}
    services.book(staff_actor, pool, paris(2026, 3, 10, 9, 0), paris(2026, 3, 10, 12, 0), quantity=2, **kw)
    args = (staff_actor, pool, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 12, 0), datetime.date(2026, 3, 17))
    with pytest.raises(services.SeriesConflict) as info:
        services.book_series(*args, person=member, quantity=2, now=NOW)
    assert [c.code for c in info.value.conflicts] == ["capacity"]
    result = services.book_series(*args, person=member, quantity=1, now=NOW)
    assert len(result.bookings) == 3 and result.skipped == []
