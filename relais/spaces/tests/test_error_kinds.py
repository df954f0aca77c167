"""The refusals of the services carry their kind (core.errors: Forbidden, Conflict, or a broken rule), which
alone decides the API's answer (core.api_errors), and keep the codes clients read."""

import pytest

from relais.core.api_errors import status_of
from relais.core.errors import Conflict, Forbidden
from relais.spaces import services
from relais.testing import ResourceFactory, UserFactory

from .conftest import NOW, paris, refusal

START, END = paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 11, 0)


def test_who_may_not_book_is_forbidden(member_actor, place):
    members_room = ResourceFactory(place=place, booking_policy="members")
    staff_room = ResourceFactory(place=place, kind="permanence", booking_policy="staff")
    machine = ResourceFactory(place=place, machine=True)
    for resource, code in (
        (members_room, "members_only"),
        (staff_room, "staff_only"),
        (machine, "qualification"),
    ):
        error = refusal(code, services.book, member_actor, resource, START, END, now=NOW)
        assert isinstance(error, Forbidden) and status_of(error) == 403
    error = refusal("forbidden", services.book, member_actor, members_room, START, END, person=UserFactory())
    assert isinstance(error, Forbidden)


def test_a_taken_slot_or_a_moved_state_is_a_conflict(member_actor, staff_actor, room, pool):
    booking = services.book(member_actor, room, START, END, now=NOW)
    assert isinstance(refusal("overlap", services.book, staff_actor, room, START, END, now=NOW), Conflict)
    services.book(
        staff_actor, pool, START, END, quantity=3, person_name="A", person_contact="a@exemple.fr", now=NOW
    )
    error = refusal("capacity", services.book, member_actor, pool, START, END, now=NOW)
    assert isinstance(error, Conflict) and status_of(error) == 409
    services.cancel(member_actor, booking, now=NOW)
    error = refusal("status", services.cancel, member_actor, booking, now=NOW)
    assert isinstance(error, Conflict) and status_of(error) == 409


def test_a_broken_rule_of_the_request_stays_a_400(member_actor, room):
    error = refusal("order", services.book, member_actor, room, END, START, now=NOW)
    assert not isinstance(error, Forbidden | Conflict) and status_of(error) == 400


@pytest.mark.django_db
def test_the_api_declares_its_refusals_with_the_shared_schema(client):
    schema = client.get("/api/openapi.json").json()
    cancel = next(
        op for path, ops in schema["paths"].items() if path.endswith("/cancel") for op in ops.values()
    )
    for status in ("400", "403", "404", "409", "422"):
        ref = cancel["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorOut")
