"""`manage.py verify_audit` walks the chain and names the first row changed or removed behind its back."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from relais.privacy import chain
from relais.privacy.audit import Actor, AuditAction, record
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    place = PlaceFactory()
    actor = Actor(label="camille", channel="web", ip_address="192.0.2.7")
    return [
        record(actor, AuditAction.UPDATE, place, changes={"name": [f"nom {n}", f"nom {n + 1}"]}, place=place)
        for n in range(5)
    ]


def run():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def raw_sql(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", connection.ops.quote_name(AuditEvent._meta.db_table)), params)


def test_an_untouched_trail_is_reported_whole_with_its_count(events):
    assert "lignes vérifiées=5" in run()


def test_an_empty_trail_is_whole():
    assert "lignes vérifiées=0" in run()


def test_a_row_changed_in_the_database_is_named_as_changed(events):
    raw_sql("UPDATE {table} SET target_label = %s WHERE id = %s", ["effacé", events[2].pk])

    with pytest.raises(CommandError) as failure:
        run()

    message = str(failure.value)
    assert f"id={events[2].pk} " in message
    assert "lignes vérifiées=2" in message
    assert "son contenu a été modifié" in message


def test_a_changed_row_whose_hash_was_recomputed_breaks_the_link_of_the_next_one(events):
    row = AuditEvent.objects.get(pk=events[1].pk)
    values = dict(chain.values_of(row), changes={"name": ["falsifié", "falsifié"]})
    forged = chain.row_hash(values, row.previous_hash)
    raw_sql(
        "UPDATE {table} SET changes = %s, hash = %s WHERE id = %s",
        ['{"name": ["falsifié", "falsifié"]}', forged, row.pk],
    )

    with pytest.raises(CommandError) as failure:
        run()

    assert f"id={events[2].pk} " in str(failure.value)
    assert "son lien avec la ligne précédente est rompu" in str(failure.value)


def test_a_deleted_row_is_found_at_the_row_after_it(events):
    raw_sql("DELETE FROM {table} WHERE id = %s", [events[3].pk])

    with pytest.raises(CommandError) as failure:
        run()

    message = str(failure.value)
    assert f"id={events[4].pk} " in message
    assert "lignes vérifiées=3" in message
    assert "son lien avec la ligne précédente est rompu" in message


def test_the_first_row_deleted_is_found_too(events):
    raw_sql("DELETE FROM {table} WHERE id = %s", [events[0].pk])

    result = chain.verify(AuditEvent.objects.all())

    assert result.broken == chain.Break(events[1].pk, AuditEvent.objects.get(pk=events[1].pk).at, chain.LINK)
    assert result.verified == 0


def test_the_date_of_the_broken_row_is_given_in_french_local_time(events, settings):
    raw_sql("UPDATE {table} SET actor_label = %s WHERE id = %s", ["quelqu'un d'autre", events[0].pk])
    local = AuditEvent.objects.get(pk=events[0].pk).at.astimezone(
        __import__("zoneinfo").ZoneInfo(settings.TIME_ZONE)
    )

    with pytest.raises(CommandError) as failure:
        run()

    assert f"du {local:%d/%m/%Y %H:%M:%S}" in str(failure.value)


def test_the_last_hash_is_printed_and_rows_deleted_at_the_end_are_found_with_it(events):
    last = AuditEvent.objects.get(pk=events[-1].pk).hash
    assert f"dernière empreinte={last}" in run()

    raw_sql("DELETE FROM {table} WHERE id >= %s", [events[3].pk])

    assert "lignes vérifiées=3" in run()  # the rest is a whole chain: only the noted hash tells
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", empreinte=[last], stdout=io.StringIO())
    assert f"la ligne d'empreinte {last} n'y est plus" in str(failure.value)
    kept = AuditEvent.objects.get(pk=events[2].pk).hash
    call_command("verify_audit", "--empreinte", kept, stdout=io.StringIO())
