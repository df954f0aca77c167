"""The migration that starts the chain chains the rows written before it, in the order they were written."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from relais.privacy import chain
from relais.privacy.models import AuditEvent

BEFORE = [("privacy", "0001_initial")]
AFTER = [("privacy", "0003_audit_chain_unique_link")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_migrations():
    """Whatever happens, the schema goes back to every app's latest migration (later migrations of the
    privacy app, e.g. the data-subject requests, would be missing for the tests that follow)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_migrations")
def test_the_rows_written_before_the_chain_are_chained_in_their_order():
    old_apps = migrate(BEFORE)
    try:
        old_event = old_apps.get_model("privacy", "AuditEvent")
        for n in range(3):
            row = old_event.objects.create(
                actor_label="camille",
                action="update",
                target_type="places.place",
                target_id=str(n),
                ip_address="2001:db8::1",
                changes={"name": [f"avant {n}", f"après {n}"]},
            )
        # auto_now_add set the dates at insert; one from before summer time, to check the UTC form
        old_event.objects.filter(pk=row.pk).update(
            at=datetime.datetime(2025, 3, 30, 0, 59, tzinfo=datetime.UTC)
        )
    finally:
        migrate(AFTER)

    rows = list(AuditEvent.objects.order_by("pk"))
    assert [r.target_id for r in rows] == ["0", "1", "2"]
    assert rows[0].previous_hash == chain.GENESIS
    assert [r.previous_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert chain.verify(AuditEvent.objects.all()).verified == 3
