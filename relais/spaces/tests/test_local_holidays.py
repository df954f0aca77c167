"""« PH off » closes the public holidays of the place's own département too (Alsace-Moselle, overseas),
which the opening-hours parser does not know; refusals say the hours of the day in words."""

import datetime

import pytest

from relais.spaces import schedule, services
from relais.testing import ResourceFactory, assert_french, place_in

from .conftest import NOW, paris


def refusal(call, *args, **kwargs):
    with pytest.raises(services.DomainError) as info:
        call(*args, **kwargs)
    assert_french(info.value.message)
    return info.value


@pytest.fixture
def metz_room(db):
    place = place_in("57463", opening_hours="Mo-Fr 09:00-18:00; PH off")  # Metz
    return ResourceFactory(place=place, name="Salle Moselle")


def test_good_friday_is_closed_in_moselle_when_the_hours_say_ph_off(member_actor, metz_room):
    # Friday 3 April 2026: Good Friday, a public holiday in Moselle only.
    error = refusal(
        services.book, member_actor, metz_room, paris(2026, 4, 3, 10, 0), paris(2026, 4, 3, 11, 0), now=NOW
    )
    assert error.code == "place_hours"
    assert "vendredi 3 avril : fermé" in error.message and "PH off" not in error.message
    services.book(member_actor, metz_room, paris(2026, 4, 2, 10, 0), paris(2026, 4, 2, 11, 0), now=NOW)
    grid = services.availability(metz_room, datetime.date(2026, 4, 3), datetime.date(2026, 4, 3), now=NOW)
    assert grid.free.sum() == 0
    assert {schedule.STATE_NAMES[s] for s in grid.states.tolist()} == {"closed"}


def test_without_ph_off_the_local_holiday_stays_open(member_actor, db):
    place = place_in("57463", opening_hours="Mo-Fr 09:00-18:00")
    room = ResourceFactory(place=place)
    services.book(member_actor, room, paris(2026, 4, 3, 10, 0), paris(2026, 4, 3, 11, 0), now=NOW)


def test_the_abolition_of_slavery_is_closed_in_reunion(member_actor, db):
    place = place_in("97411", opening_hours="Mo-Fr 08:00-12:00; PH off")  # Saint-Denis
    room = ResourceFactory(place=place, name="Salle Bourbon")
    now = datetime.datetime(2027, 12, 1, tzinfo=datetime.UTC)
    # Monday 20 December 2027, local time.
    error = refusal(
        services.book,
        member_actor,
        room,
        datetime.datetime(2027, 12, 20, 9),
        datetime.datetime(2027, 12, 20, 10),
        now=now,
    )
    assert error.code == "place_hours" and "lundi 20 décembre : fermé" in error.message
    services.book(
        member_actor, room, datetime.datetime(2027, 12, 21, 9), datetime.datetime(2027, 12, 21, 10), now=now
    )


def test_a_refusal_outside_the_hours_says_the_hours_of_that_day(member_actor, room):
    error = refusal(
        services.book, member_actor, room, paris(2026, 3, 3, 12, 0), paris(2026, 3, 3, 13, 0), now=NOW
    )
    assert error.code == "place_hours"
    assert "mardi 3 mars : 9 h 00 – 12 h 00, 14 h 00 – 18 h 00" in error.message
    error = refusal(
        services.book, member_actor, room, paris(2026, 3, 7, 10, 0), paris(2026, 3, 7, 11, 0), now=NOW
    )
    assert "samedi 7 mars : fermé" in error.message


def test_subtracting_intervals():
    assert [a.tolist() for a in schedule.subtract(([0, 100], [50, 200]), [(40, 120), (150, 160)])] == [
        [0, 120, 160],
        [40, 150, 200],
    ]
    assert [a.tolist() for a in schedule.subtract(([0], [10]), [])] == [[0], [10]]
