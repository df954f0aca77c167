"""Each audit row is chained to the previous one by a SHA-256 over its content and the previous hash; rows
are appended only."""

import datetime
import hashlib
import json

import pytest

from relais.privacy import chain
from relais.privacy.audit import Actor, AuditAction, record
from relais.privacy.models import AppendOnly, AuditEvent
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def _event(n, **fields):
    return AuditEvent(
        actor_label="camille",
        action=AuditAction.UPDATE,
        target_type="places.place",
        target_id=str(n),
        changes={"name": [f"avant {n}", f"après {n}"]},
        **fields,
    )


def test_the_first_row_follows_the_genesis_and_each_next_row_the_one_before():
    place = PlaceFactory()
    first = record(Actor(user=UserFactory()), AuditAction.VIEW, place, place=place)
    second = record(
        Actor(label="import", channel="command"), AuditAction.UPDATE, place, changes={"a": [1, 2]}
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.previous_hash == chain.GENESIS
    assert second.previous_hash == first.hash
    assert len(second.hash) == 64 and second.hash != first.hash


def test_the_hash_is_the_sha256_of_the_documented_canonical_form():
    at = datetime.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=datetime.UTC)
    event = AuditEvent.objects.create(
        at=at,
        actor_label="dominique",
        channel="web",
        ip_address="2001:DB8:0:0::1",
        action=AuditAction.VIEW,
        target_type="members.member",
        target_id="42",
        target_label="Dominique",
        changes={"b": [1, None], "a": ["é", True]},
    )
    expected = {
        "action": "view",
        "actor_label": "dominique",
        "at": "2026-03-29T01:30:00.000005+00:00",
        "changes": {"a": ["é", True], "b": [1, None]},
        "channel": "web",
        "ip_address": "2001:db8::1",
        "previous_hash": chain.GENESIS,
        "target_id": "42",
        "target_label": "Dominique",
        "target_type": "members.member",
    }
    text = json.dumps(expected, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert event.hash == hashlib.sha256(text.encode()).hexdigest()
    stored = AuditEvent.objects.get(pk=event.pk)  # what the database gives back hashes the same
    assert chain.row_hash(chain.values_of(stored), stored.previous_hash) == event.hash


def test_a_date_in_another_time_zone_hashes_as_the_same_instant_in_utc():
    paris = datetime.timezone(datetime.timedelta(hours=2))
    utc_values = chain.values_of(_event(1, at=datetime.datetime(2026, 7, 1, 10, 0, tzinfo=datetime.UTC)))
    paris_values = dict(utc_values, at=datetime.datetime(2026, 7, 1, 12, 0, tzinfo=paris))
    assert chain.row_hash(utc_values, chain.GENESIS) == chain.row_hash(paris_values, chain.GENESIS)
    assert chain.row_hash(utc_values, chain.GENESIS) != chain.row_hash(utc_values, "f" * 64)


def test_rows_inserted_together_are_chained_in_the_order_given():
    record(Actor(label="système", channel="command"), AuditAction.VIEW, PlaceFactory())
    AuditEvent.objects.bulk_create([_event(n) for n in range(5)], batch_size=2)

    rows = list(AuditEvent.objects.order_by("pk"))
    assert [r.target_id for r in rows[1:]] == ["0", "1", "2", "3", "4"]
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.previous_hash == before.hash
    assert chain.verify(AuditEvent.objects.all()).verified == 6


def test_a_row_is_never_saved_again_nor_deleted():
    event = record(Actor(label="système", channel="command"), AuditAction.VIEW, PlaceFactory())
    event.target_label = "autre chose"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(target_label="autre chose")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_update([event], ["target_label"])
    assert AuditEvent.objects.get().target_label != "autre chose"
    assert chain.verify(AuditEvent.objects.all()).ok


def test_deleting_the_account_or_the_place_keeps_the_chain_whole():
    user, place = UserFactory(), PlaceFactory()
    record(Actor(user=user), AuditAction.VIEW, place, place=place)
    user.delete()
    place.delete()

    event = AuditEvent.objects.get()
    assert event.actor_id is None and event.place_id is None
    assert chain.verify(AuditEvent.objects.all()).ok
