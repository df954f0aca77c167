"""No double booking under concurrency: many people ask for the last seats of a slot at the same instant."""

import threading

import pytest
from django.db import connections

from relais.core.errors import DomainError
from relais.privacy.audit import Actor
from relais.spaces import services
from relais.spaces.models import Booking
from relais.testing import PlaceFactory, ResourceFactory, UserFactory

from .conftest import NOW, paris

THREADS = 60


def _race(resource, actors, start, end):
    barrier = threading.Barrier(len(actors))
    granted, refused, crashed = [], [], []
    lock = threading.Lock()

    def attempt(actor):
        try:
            barrier.wait(timeout=30)
            booking = services.book(actor, resource, start, end, now=NOW)
            with lock:
                granted.append(booking.pk)
        except DomainError as exc:
            with lock:
                refused.append(exc)
        except Exception as exc:  # a database error must never escape the service
            with lock:
                crashed.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(actor,)) for actor in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return granted, refused, crashed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "capacity", "already"), [("desk_pool", 5, 2), ("meeting_room", 1, 0)])
def test_exactly_the_free_seats_are_granted_to_simultaneous_requests(kind, capacity, already):
    place = PlaceFactory()
    resource = ResourceFactory(place=place, kind=kind, capacity=capacity)
    start, end = paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 12, 0)
    for _ in range(already):
        services.book(Actor(user=UserFactory()), resource, start, end, now=NOW)
    actors = [Actor(user=UserFactory()) for _ in range(THREADS)]

    granted, refused, crashed = _race(resource, actors, start, end)

    assert crashed == []
    free = capacity - already
    assert len(granted) == free
    assert len(refused) == THREADS - free
    assert {e.code for e in refused} == {"capacity" if capacity > 1 else "overlap"}
    assert all("complet" in e.message or "déjà réservé" in e.message for e in refused)
    assert Booking.objects.filter(resource=resource).count() == capacity
