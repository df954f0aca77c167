"""Schemathesis (v4) against /api/openapi.json, the WSGI application called in-process: for every operation
of the schema, generated requests, without a token and with valid tokens (every scope) of a world with data
(relais/tests/permission_world.py). Required: no server error, and every answer as the schema says — its
status code listed, its content type and its body conforming.

Deterministic (`derandomize`, no example database) and bounded (EXAMPLES_PER_OPERATION); half of the
generated cases get the world's real identifiers for their path parameters, so that operations answer with
data rather than only with 404s. Each call runs inside a savepoint rolled back after it: the world stays as
built for the next one."""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import caches
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from relais.tests.permission_world import build_world
from relais.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12
# The exact coverage computation runs up to `time_limit_s` (600 s at most, as the schema says): the tests
# cap it, the rest of the generated query is left as is.
MAX_EXACT_SECONDS = 1.0


def _real_identifiers(world):
    return {
        "place_id": str(world.place_a.pk),
        "proposal_id": str(world.objects["proposal"].pk),
        "resource_id": str(world.objects["resource"].public_id),
        "booking_id": str(world.objects["booking"].public_id),
    }


def _check_for(operation, headers, real, counts):
    """The Hypothesis test of one operation: generated cases, called and validated."""
    label = operation.label

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(), with_real_ids=st.booleans())
    def check(case, with_real_ids):
        if with_real_ids and case.path_parameters:
            case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
        if case.query and "time_limit_s" in case.query:
            case.query["time_limit_s"] = min(float(case.query["time_limit_s"]), MAX_EXACT_SECONDS)
        for cache in caches.all():  # rate limits count per client address: each case alone
            cache.clear()
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            counts[label] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)

    return check


def run_schema(world, token):
    """{operation label: number of cases run}, [failure messages]."""
    # The WSGI app sends request_started/finished, whose close_old_connections would close the test's own
    # PostgreSQL connection (inside its transaction) — the test client disconnects it the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        return _run(schema, world, token)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run(schema, world, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    real = _real_identifiers(world)
    counts, failures = {}, []
    for result in schema.get_all_operations():
        operation = result.ok()
        counts[operation.label] = 0
        try:
            _check_for(operation, headers, real, counts)()
        except (Exception, ExceptionGroup) as exc:  # noqa: BLE001 - every operation's failure is reported
            failures.append(f"{operation.label}: {exc}")
    return counts, failures


@pytest.mark.parametrize("role", ["anonymous", "member_A", "manager_A", "network_admin"])
def test_the_api_answers_as_its_schema_says(role):
    world = build_world()
    counts, failures = run_schema(world, world.token(role))
    print(f"\nschemathesis {role}: {len(counts)} opérations, {sum(counts.values())} cas ; {counts}")
    assert not failures, "\n\n".join(failures)
    assert len(counts) >= 14 and all(counts.values()), counts
