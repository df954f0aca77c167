"""The bookings API: resources, availability, one's bookings, booking/changing/cancelling with a token,
French refusals with their status, and tenancy between places."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from relais.accounts.models import ApiToken, PlaceRole
from relais.spaces import services
from relais.spaces.models import Booking
from relais.testing import PlaceFactory, ResourceFactory, UserFactory, assert_french

from .conftest import NOW, paris

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))


def bearer(user):
    _token, raw = ApiToken.issue(user, "outil de test")
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, data, headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def book_payload(resource, start, end, **extra):
    return {"resource": str(resource.public_id), "start": start.isoformat(), "end": end.isoformat(), **extra}


@pytest.fixture
def other_place():
    return PlaceFactory(name="Autre lieu", opening_hours="Mo-Fr 09:00-18:00")


@pytest.fixture
def other_manager(other_place):
    user = UserFactory(first_name="Autre", last_name="Gérant")
    PlaceRole.objects.create(user=user, place=other_place, role=PlaceRole.Role.MANAGER)
    return user


@pytest.fixture
def other_room(other_place):
    return ResourceFactory(place=other_place, name="Salle Lozère")


# --- Authentication -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/spaces/bookings"),
        ("post", "/api/spaces/bookings"),
        ("get", "/api/spaces/resources/1/availability"),
    ],
)
def test_every_endpoint_needs_a_token(client, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API absent ou invalide."


# --- Resources and availability --------------------------------------------------------------------


def test_resources_of_a_place(client, place, room, pool, member):
    ResourceFactory(place=place, name="Ancienne salle", is_active=False)
    response = client.get(f"/api/spaces/places/{place.pk}/resources", headers=bearer(member))

    assert response.status_code == 200
    by_name = {r["name"]: r for r in response.json()}
    assert set(by_name) == {"Salle Cantal", "Open space"}
    assert by_name["Open space"]["capacity"] == 3
    assert by_name["Open space"]["kind_label"] == "bureaux partagés (open space)"
    assert by_name["Salle Cantal"]["bookable_hours"] == place.opening_hours


def test_availability_counts_free_seats_per_slot(client, pool, member, manager):
    services.book(
        _actor(manager),
        pool,
        paris(2026, 3, 3, 9, 0),
        paris(2026, 3, 3, 10, 0),
        quantity=2,
        now=NOW,
    )
    response = client.get(
        f"/api/spaces/resources/{pool.public_id}/availability?start=2026-03-03&days=1", headers=bearer(member)
    )

    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Europe/Paris"
    assert body["capacity"] == 3
    free = {s["start"]: s["free"] for s in body["slots"]}
    assert free["2026-03-03T09:00:00+01:00"] == 1
    assert free["2026-03-03T09:30:00+01:00"] == 1
    assert free["2026-03-03T10:00:00+01:00"] == 3
    assert free["2026-03-03T12:30:00+01:00"] == 0  # lunch break: closed
    assert len(body["slots"]) == 48


def test_availability_refuses_a_bad_date_in_french(client, pool, member):
    response = client.get(
        f"/api/spaces/resources/{pool.public_id}/availability?start=03/03/2026", headers=bearer(member)
    )

    assert response.status_code == 422
    assert "date invalide" in response.json()["detail"]


def test_availability_of_an_unknown_resource(client, member):
    response = client.get(f"/api/spaces/resources/{uuid.uuid4()}/availability", headers=bearer(member))

    assert response.status_code == 404
    assert response.json()["detail"] == "resource_id : ressource introuvable ou non réservable."


def _actor(user):
    from relais.privacy.audit import Actor

    return Actor(user=user)


# --- Booking --------------------------------------------------------------------------------------


def test_a_member_books_with_an_offset(client, room, member):
    response = post(
        client,
        "/api/spaces/bookings",
        book_payload(room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 30)),
        bearer(member),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["start"] == "2026-03-03T09:00:00+01:00"
    assert body["status"] == "confirmed"
    assert body["status_label"] == "confirmée"
    booking = Booking.objects.get(public_id=body["id"])
    assert booking.person == member
    assert booking.start == datetime.datetime(2026, 3, 3, 8, 0, tzinfo=datetime.UTC)


def test_a_taken_slot_is_a_conflict_in_french(client, room, member):
    services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    other = UserFactory()
    response = post(
        client,
        "/api/spaces/bookings",
        book_payload(room, paris(2026, 3, 3, 9, 30), paris(2026, 3, 3, 10, 30)),
        bearer(other),
    )

    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "start"
    assert body["detail"] == (
        "start : « Salle Cantal » est déjà réservé le 03/03/2026 à 09:30 : une réservation l'occupe le mardi "
        "3 mars 2026 de 09:00 à 10:00."
    )
    assert_french(body["detail"])


def test_a_broken_rule_is_a_400_naming_the_field(client, room, member):
    response = post(
        client,
        "/api/spaces/bookings",
        book_payload(room, paris(2026, 3, 3, 12, 0), paris(2026, 3, 3, 13, 0)),
        bearer(member),
    )

    assert response.status_code == 400
    assert response.json()["field"]
    assert_french(response.json()["detail"])


def test_only_the_team_books_for_someone_else(client, room, member, manager):
    someone = UserFactory()
    # The team acts for people known to its place (here, someone who already booked there) only.
    services.book(_actor(someone), room, paris(2026, 3, 10, 9, 0), paris(2026, 3, 10, 10, 0), now=NOW)
    payload = book_payload(
        room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), person=str(someone.public_id)
    )

    refused = post(client, "/api/spaces/bookings", payload, bearer(member))
    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "person : seule l'équipe du lieu peut réserver pour une autre personne."
    )

    accepted = post(client, "/api/spaces/bookings", payload, bearer(manager))
    assert accepted.status_code == 201
    assert accepted.json()["person_id"] == str(someone.public_id)


def test_the_team_cannot_book_for_an_account_unknown_to_its_place(client, room, manager):
    # Privacy (issue 10): any account of the instance could be booked for, and ids walked to list names.
    stranger = UserFactory(first_name="Inconnue", last_name="Ailleurs")
    for person in (str(stranger.public_id), str(uuid.uuid4())):
        payload = book_payload(room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), person=person)
        response = post(client, "/api/spaces/bookings", payload, bearer(manager))
        assert response.status_code == 404
        assert response.json()["detail"] == "person : personne inconnue du lieu."
        assert "Inconnue" not in response.content.decode()


def test_a_missing_field_is_a_422_in_french(client, member):
    response = post(client, "/api/spaces/bookings", {"start": "2026-03-03T09:00:00+01:00"}, bearer(member))

    assert response.status_code == 422
    assert "champ obligatoire" in response.json()["detail"]


# --- My bookings and the place's --------------------------------------------------------------------


def test_my_bookings_and_the_places_for_its_team(client, place, room, other_room, member, manager):
    mine = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    somebody = UserFactory()
    theirs = services.book(_actor(somebody), room, paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 10, 0), now=NOW)
    services.book(_actor(member), other_room, paris(2026, 3, 5, 9, 0), paris(2026, 3, 5, 10, 0), now=NOW)

    own = client.get("/api/spaces/bookings", headers=bearer(member)).json()
    assert len(own) == 2
    assert str(mine.public_id) in {b["id"] for b in own}
    assert str(theirs.public_id) not in {b["id"] for b in own}

    team = client.get(f"/api/spaces/bookings?place={place.pk}", headers=bearer(manager)).json()
    assert {b["id"] for b in team} == {str(mine.public_id), str(theirs.public_id)}

    dated = client.get(
        f"/api/spaces/bookings?place={place.pk}&start=2026-03-04&end=2026-03-04", headers=bearer(manager)
    ).json()
    assert [b["id"] for b in dated] == [str(theirs.public_id)]


def test_a_member_cannot_list_a_places_bookings(client, place, member):
    response = client.get(f"/api/spaces/bookings?place={place.pk}", headers=bearer(member))

    assert response.status_code == 404


# --- Changing and cancelling ---------------------------------------------------------------------------


def test_change_then_cancel_my_booking(client, room, member):
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    moved = client.patch(
        f"/api/spaces/bookings/{booking.public_id}",
        json.dumps({"start": "2026-03-03T14:00:00+01:00", "end": "2026-03-03T15:30:00+01:00"}),
        content_type="application/json",
        headers=bearer(member),
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == "2026-03-03T14:00:00+01:00"
    assert moved.json()["end"] == "2026-03-03T15:30:00+01:00"

    cancelled = post(
        client, f"/api/spaces/bookings/{booking.public_id}/cancel", {"reason": "empêchement"}, bearer(member)
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"

    again = post(client, f"/api/spaces/bookings/{booking.public_id}/cancel", {}, bearer(member))
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "status : cette réservation est « annulée » : seule une réservation confirmée peut être annulée."
    )


def test_a_move_onto_a_taken_slot_is_refused(client, room, member):
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    services.book(_actor(UserFactory()), room, paris(2026, 3, 3, 14, 0), paris(2026, 3, 3, 15, 0), now=NOW)
    response = client.patch(
        f"/api/spaces/bookings/{booking.public_id}",
        json.dumps({"start": "2026-03-03T14:00:00+01:00", "end": "2026-03-03T15:00:00+01:00"}),
        content_type="application/json",
        headers=bearer(member),
    )

    assert response.status_code == 409
    assert "déjà réservé" in response.json()["detail"]


def test_the_team_of_another_place_sees_nothing(client, place, room, member, other_manager):
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    headers = bearer(other_manager)

    listed = client.get(f"/api/spaces/bookings?place={place.pk}", headers=headers)
    assert listed.status_code == 404
    assert client.get("/api/spaces/bookings", headers=headers).json() == []

    cancel = post(client, f"/api/spaces/bookings/{booking.public_id}/cancel", {}, headers)
    assert cancel.status_code == 404
    assert cancel.json()["detail"] == "booking : réservation introuvable."
    change = client.patch(
        f"/api/spaces/bookings/{booking.public_id}",
        json.dumps({"quantity": 1}),
        content_type="application/json",
        headers=headers,
    )
    assert change.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_the_team_of_the_place_cancels_a_members_booking(client, room, member, manager):
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    response = post(client, f"/api/spaces/bookings/{booking.public_id}/cancel", {}, bearer(manager))

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_the_spaces_endpoints_are_in_the_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert "/api/spaces/bookings" in paths
    assert "/api/spaces/resources/{resource_id}/availability" in paths


def test_a_cancellation_needs_no_body(client, room, member):
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)

    response = client.post(f"/api/spaces/bookings/{booking.public_id}/cancel", headers=bearer(member))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"


def test_a_cancellation_reason_must_be_text(client, room, member):
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)

    response = post(
        client, f"/api/spaces/bookings/{booking.public_id}/cancel", {"reason": "x" * 301}, bearer(member)
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("reason : ")
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_bookings_and_resources_are_reached_by_uuids_never_by_sequential_ids(client, room, member):
    # Issue 10: sequential ids in addresses let anyone count the records and walk from one to the next.
    booking = services.book(_actor(member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    body = client.get("/api/spaces/bookings", headers=bearer(member)).json()[0]
    assert body["id"] == str(booking.public_id) and body["resource_id"] == str(room.public_id)
    assert body["person_id"] == str(member.public_id)
    by_number = post(client, f"/api/spaces/bookings/{booking.pk}/cancel", {}, bearer(member))
    assert by_number.status_code == 422
    assert (
        client.get(f"/api/spaces/resources/{room.pk}/availability", headers=bearer(member)).status_code == 422
    )
    booking.refresh_from_db()
    assert booking.status == "confirmed"


# --- Scopes: reading and writing bookings are two rights -------------------------------------------


def scoped(user, *scopes):
    _token, raw = ApiToken.issue(user, "outil de lecture", scopes=list(scopes))
    return {"Authorization": f"Bearer {raw}"}


def test_a_read_token_reads_bookings_but_cannot_book(client, room, member):
    headers = scoped(member, "spaces:read")
    assert client.get("/api/spaces/bookings", headers=headers).status_code == 200
    response = post(
        client,
        "/api/spaces/bookings",
        book_payload(room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0)),
        headers,
    )
    assert response.status_code == 403
    assert "spaces:write" in response.json()["detail"]
    assert not Booking.objects.exists()


def test_a_write_token_also_reads(client, room, member):
    headers = scoped(member, "spaces:write")
    response = post(
        client,
        "/api/spaces/bookings",
        book_payload(room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0)),
        headers,
    )
    assert response.status_code == 201
    assert client.get("/api/spaces/bookings", headers=headers).json()[0]["id"] == response.json()["id"]


def test_a_places_token_does_not_reach_bookings(client, member):
    response = client.get("/api/spaces/bookings", headers=scoped(member, "places:write"))
    assert response.status_code == 403 and "spaces:read" in response.json()["detail"]
