"""Availability of a resource and of a whole place, read from the database."""

import datetime

import pytest
from django.db import transaction

from relais.core.errors import DomainError
from relais.spaces import services
from relais.spaces.models import Closure
from relais.testing import ResourceFactory

from .conftest import NOW, PARIS, paris

TUESDAY = datetime.date(2026, 3, 3)


def free_by_local_time(avail):
    return {s.astimezone(PARIS).strftime("%d %H:%M"): f for s, _e, f in avail.slots()}


def test_availability_of_a_place_lists_each_resource_in_few_queries(
    staff_actor, place, room, pool, django_assert_max_num_queries
):
    ResourceFactory(place=place, is_active=False)
    kw = {"person_name": "A", "person_contact": "a@exemple.fr", "now": NOW}
    services.book(staff_actor, room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), **kw)
    services.book(staff_actor, pool, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 11, 0), quantity=2, **kw)
    Closure.objects.create(
        place=place, start=paris(2026, 3, 4, 0, 0), end=paris(2026, 3, 5, 0, 0), reason="AG"
    )
    with django_assert_max_num_queries(4):
        result = services.availability(place, TUESDAY, TUESDAY + datetime.timedelta(days=6), now=NOW)
    assert set(result) == {room.pk, pool.pk}
    room_free = free_by_local_time(result[room.pk])
    pool_free = free_by_local_time(result[pool.pk])
    assert room_free["03 09:00"] == room_free["03 09:30"] == 0
    assert room_free["03 10:00"] == 1
    assert room_free["03 12:00"] == room_free["03 13:30"] == 0  # lunch break
    assert room_free["03 14:00"] == 1
    assert pool_free["03 10:30"] == 1 and pool_free["03 11:00"] == 3
    assert all(free == 0 for key, free in pool_free.items() if key.startswith("04 "))  # closed that day
    assert all(free == 0 for key, free in room_free.items() if key.startswith("07 "))  # Saturday
    assert len(result[room.pk].starts) == 7 * 48


def test_slots_in_the_past_or_inside_the_notice_are_not_free(place):
    room = ResourceFactory(place=place, min_notice_minutes=120)
    now = paris(2026, 3, 3, 9, 40)
    free = free_by_local_time(services.availability(room, TUESDAY, TUESDAY, now=now))
    assert free["03 11:00"] == 0 and free["03 11:30"] == 0
    assert free["03 14:00"] == 1


def test_what_availability_shows_is_what_book_accepts(staff_actor, place):
    pool = ResourceFactory(
        place=place, pool=True, capacity=3, buffer_minutes=15, granularity_minutes=15, min_duration_minutes=15
    )
    kw = {"person_name": "A", "person_contact": "a@exemple.fr", "now": NOW}
    for start, end, quantity in [
        ((9, 0), (10, 0), 2),
        ((9, 30), (11, 15), 1),
        ((14, 15), (15, 0), 3),
        ((16, 0), (18, 0), 1),
    ]:
        services.book(
            staff_actor, pool, paris(2026, 3, 3, *start), paris(2026, 3, 3, *end), quantity=quantity, **kw
        )
    avail = services.availability(pool, TUESDAY, TUESDAY, now=NOW)
    for start, end, free in avail.slots():
        if free < 3:
            with pytest.raises(DomainError), transaction.atomic():
                services.book(staff_actor, pool, start, end, quantity=free + 1, **kw)
        if free:
            with transaction.atomic():
                services.book(staff_actor, pool, start, end, quantity=free, **kw)
                transaction.set_rollback(True)
