"""POST and PATCH /api/places with a bearer token: who may write what, French errors, the audit trail."""

import json

import pytest

from relais.accounts.models import ApiToken, PlaceRole
from relais.places.models import Place
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = ApiToken.issue(user, "outil de test")
    return {"Authorization": f"Bearer {raw}"}


def patch(client, place, data, headers=None):
    body = data if isinstance(data, str) else json.dumps(data)
    return client.patch(
        f"/api/places/{place.pk}", body, content_type="application/json", headers=headers or {}
    )


def post(client, data, headers):
    return client.post("/api/places", json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def own_place(manager):
    return PlaceFactory(name="Le Tiers-lieu du manager", managers=[manager])


# --- Who may write ------------------------------------------------------------------------------


def test_a_manager_changes_their_own_place(client, manager, own_place):
    response = patch(
        client, own_place, {"name": "Nouveau nom", "opening_hours": "Mo-Sa 10:00-19:00"}, bearer(manager)
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Nouveau nom"
    own_place.refresh_from_db()
    assert own_place.name == "Nouveau nom"
    assert own_place.opening_hours == "Mo-Sa 10:00-19:00"


def test_fields_left_out_of_a_patch_keep_their_value(client, manager, own_place):
    own_place.typologies.set([])
    patch(client, own_place, {"typologies": ["EPN"]}, bearer(manager))

    own_place.refresh_from_db()
    assert own_place.name == "Le Tiers-lieu du manager"
    assert own_place.address == "1 place de la Mairie"
    assert [t.code for t in own_place.typologies.all()] == ["EPN"]


def test_a_manager_gets_404_on_a_place_of_someone_else(client, manager, own_place):
    other = PlaceFactory(name="Le lieu d'à côté", managers=[UserFactory()])

    response = patch(client, other, {"name": "Piraté"}, bearer(manager))

    assert response.status_code == 404
    assert_french(response.json()["detail"])
    assert "introuvable" in response.json()["detail"]
    other.refresh_from_db()
    assert other.name == "Le lieu d'à côté"


def test_staff_of_a_place_may_not_change_it(client):
    staff = UserFactory()
    place = PlaceFactory(name="Inchangé")
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)

    response = patch(client, place, {"name": "Changé"}, bearer(staff))

    assert response.status_code == 404
    place.refresh_from_db()
    assert place.name == "Inchangé"


def test_a_network_admin_changes_any_place(client):
    admin = UserFactory(network_admin=True)
    place = PlaceFactory(managers=[UserFactory()])

    response = patch(client, place, {"summary": "Vérifié par le réseau."}, bearer(admin))

    assert response.status_code == 200
    place.refresh_from_db()
    assert place.summary == "Vérifié par le réseau."


# --- Tokens -------------------------------------------------------------------------------------


def _revoked(user):
    token, raw = ApiToken.issue(user, "ancien")
    token.revoke()
    return {"Authorization": f"Bearer {raw}"}


def _of_inactive(user):
    headers = bearer(user)
    user.is_active = False
    user.save()
    return headers


@pytest.mark.parametrize(
    "make_headers",
    [
        pytest.param(lambda user: {}, id="no-token"),
        pytest.param(lambda user: {"Authorization": "Bearer rl_inventé"}, id="unknown-token"),
        pytest.param(lambda user: {"Authorization": "Bearer "}, id="empty-token"),
        pytest.param(lambda user: {"Authorization": "Basic bWFuYWdlcjpzZWNyZXQ="}, id="other-scheme"),
        pytest.param(_revoked, id="revoked-token"),
        pytest.param(_of_inactive, id="inactive-user"),
    ],
)
def test_writing_without_a_valid_token_is_a_french_401(client, manager, own_place, make_headers):
    headers = make_headers(manager)

    response = patch(client, own_place, {"name": "Changé"}, headers)

    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API absent ou invalide."
    own_place.refresh_from_db()
    assert own_place.name == "Le Tiers-lieu du manager"
    assert not AuditEvent.objects.exists()


def test_creating_without_a_token_is_a_401(client):
    response = post(client, {"name": "Sans jeton", "code_insee": "15014"}, {})

    assert response.status_code == 401
    assert not Place.objects.exists()


def test_using_a_token_records_when(client, manager, own_place):
    token, raw = ApiToken.issue(manager, "outil")
    patch(client, own_place, {"summary": "Hop."}, {"Authorization": f"Bearer {raw}"})

    token.refresh_from_db()
    assert token.last_used_at is not None


# --- Validation ---------------------------------------------------------------------------------


def test_invalid_siret_phone_and_hours_get_a_french_422_per_field_and_change_nothing(
    client, manager, own_place
):
    response = patch(
        client,
        own_place,
        {
            "name": "Ne doit pas changer",
            "siret": "12345678901234",
            "phone": "12",
            "opening_hours": "Mo-Fr 25:00-26:00",
        },
        bearer(manager),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"siret", "phone", "opening_hours"}
    assert "SIRET" in errors["siret"][0] and "clé de contrôle" in errors["siret"][0]
    assert "téléphone" in errors["phone"][0]
    assert "horaires invalides" in errors["opening_hours"][0]
    for messages in errors.values():
        assert_french(" ".join(messages))
    own_place.refresh_from_db()
    assert own_place.name == "Le Tiers-lieu du manager"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"latitude": "quarante-cinq"}, "latitude", "un nombre est attendu"),
        ({"typologies": "EPN"}, "typologies", "une liste est attendue"),
        ({"typologies": ["INCONNUE"]}, "typologies", "inconnu"),
        ({"data_updated_on": "2024-13-45"}, "data_updated_on", "date invalide"),
        ({"code_insee": "99999"}, "code_insee", "code INSEE inconnu"),
        ({"emails": ["pas une adresse"]}, "emails", "n'est pas valide"),
        ({"latitude": 10.0, "longitude": 10.0}, "latitude", "hors de France"),
        ({"name": ""}, "name", "obligatoire"),
    ],
)
def test_each_invalid_field_is_reported_under_its_name_in_french(
    client, manager, own_place, data, field, words
):
    response = patch(client, own_place, data, bearer(manager))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert_french(response.json()["detail"])


def test_a_body_that_is_not_json_gets_a_french_400(client, manager, own_place):
    response = patch(client, own_place, "name=Nouveau", bearer(manager))

    assert response.status_code == 400
    assert_french(response.json()["detail"])
    assert "JSON" in response.json()["detail"]


def test_creating_a_place_without_name_nor_commune_lists_both_errors(client, manager):
    response = post(client, {"summary": "Rien d'autre."}, bearer(manager))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "name" in errors
    assert "commune" in errors or "code_insee" in errors
    assert not Place.objects.exists()


# --- Creation and the audit trail ---------------------------------------------------------------


def test_a_manager_s_new_place_is_a_proposal_until_a_network_admin_accepts_it(client, manager):
    # Security (issue 10): any account could create a public place, become its manager and enter the admin.
    response = post(
        client,
        {"name": "Le Nouveau Lieu", "code_insee": "15014", "phone": "04 71 00 00 00"},
        bearer(manager),
    )

    assert response.status_code == 202
    body = response.json()
    assert (body["kind"], body["status"], body["name"]) == ("new", "proposed", "Le Nouveau Lieu")
    assert_french(body["detail"])
    assert not Place.objects.filter(name="Le Nouveau Lieu").exists()
    assert not Place.objects.managed_by(manager).exists()
    manager.refresh_from_db()
    assert not manager.is_staff

    admin = UserFactory(network_admin=True)
    accepted = client.post(f"/api/places/proposals/{body['id']}/accept", headers=bearer(admin))
    assert accepted.status_code == 200
    place = Place.objects.get(name="Le Nouveau Lieu")
    assert place.phone == "+33471000000"
    assert place.commune_id == "15014"
    assert list(Place.objects.managed_by(manager)) == [place]


def test_a_place_created_by_a_network_admin_gets_no_manager(client):
    admin = UserFactory(network_admin=True)

    response = post(client, {"name": "Lieu du réseau", "code_insee": "15014"}, bearer(admin))

    assert response.status_code == 201
    assert not PlaceRole.objects.filter(place_id=response.json()["id"]).exists()


def test_a_change_is_recorded_with_who_the_api_channel_and_before_after(client, manager, own_place):
    patch(client, own_place, {"name": "Nom changé"}, bearer(manager))

    event = AuditEvent.objects.get()
    assert event.action == "update"
    assert event.channel == "api"
    assert event.actor == manager
    assert event.actor_label == manager.username
    assert event.place == own_place
    assert event.target_id == str(own_place.pk)
    assert event.ip_address == "127.0.0.1"
    assert event.changes == {"name": ["Le Tiers-lieu du manager", "Nom changé"]}


def test_a_creation_is_recorded_with_the_api_channel(client):
    admin = UserFactory(network_admin=True)
    response = post(client, {"name": "Tracé", "code_insee": "15014"}, bearer(admin))

    event = AuditEvent.objects.get()
    assert event.action == "create"
    assert event.channel == "api"
    assert event.actor == admin
    assert event.target_id == response.json()["id"]
    assert event.changes["name"] == [None, "Tracé"]


def test_a_patch_that_changes_nothing_records_nothing(client, manager, own_place):
    response = patch(client, own_place, {"name": "Le Tiers-lieu du manager"}, bearer(manager))

    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_a_position_far_from_the_commune_is_saved_with_a_warning(client):
    manager = UserFactory()
    place = PlaceFactory(managers=[manager])
    _token, raw = ApiToken.issue(manager, "outil")
    response = client.patch(
        f"/api/places/{place.pk}",
        data={"latitude": 48.85, "longitude": 2.35},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    assert any("Aurillac" in w and "à vérifier" in w for w in response.json()["warnings"])
