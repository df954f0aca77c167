"""Two writers appending at the same instant keep one chain: each waits for the other (the advisory lock)
and no two rows follow the same one. PostgreSQL only: the SQLite test database lives in memory, where
threads get "table is locked" instead of waiting (a file database serialises IMMEDIATE transactions)."""

import threading

import pytest
from django.db import connection, connections, transaction

from relais.privacy import chain
from relais.privacy.audit import Actor, AuditAction, record
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory

WRITERS = 2
EVENTS_EACH = 25


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_append_to_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("threads writing at once: run with DATABASE_URL=postgres://…")
    place = PlaceFactory()
    barrier = threading.Barrier(WRITERS)
    crashed = []

    def write(n):
        try:
            barrier.wait(timeout=30)
            for i in range(EVENTS_EACH):
                with transaction.atomic():  # as a view or a service does: the event inside a larger write
                    record(Actor(label=f"écrivain {n}", channel="command"), AuditAction.VIEW, place)
                    if i % 5 == 0:  # and sometimes several at once
                        AuditEvent.objects.bulk_create(
                            AuditEvent(action="view", target_type="places.place", target_id=f"{n}-{i}-{k}")
                            for k in range(3)
                        )
        except Exception as exc:
            crashed.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert crashed == []
    expected = WRITERS * (EVENTS_EACH + 3 * len(range(0, EVENTS_EACH, 5)))
    assert AuditEvent.objects.count() == expected
    result = chain.verify(AuditEvent.objects.all())
    assert result.ok and result.verified == expected
    assert {label for label in AuditEvent.objects.values_list("actor_label", flat=True) if label} == {
        "écrivain 0",
        "écrivain 1",
    }
