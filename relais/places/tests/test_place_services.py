"""Creating and changing places: validation of every field at once, commune checks, positions, audit trail."""

import pytest

from relais.accounts.models import PlaceRole
from relais.core.errors import ValidationFailed
from relais.places.models import Place
from relais.places.services import clean_place_data, create_place, delete_place, snapshot, update_place
from relais.privacy.audit import Actor
from relais.privacy.models import AuditAction, AuditEvent
from relais.territory.models import Commune
from relais.testing import UserFactory, assert_french

pytestmark = pytest.mark.django_db

AURILLAC = {"code_insee": "15014", "postal_code": "15000"}
AURILLAC_TOWN_HALL = (44.93032, 2.44495)
SAINT_ETIENNE_TOWN_HALL = (45.43959, 4.38748)

VALID = {
    "name": "  La Fabrique   d'Aurillac ",
    **AURILLAC,
    "latitude": 44.9279,
    "longitude": 2.4418,
    "typologies": ["FABLAB", "EPN"],
    "services": ["DEMARCHES", "ACCES_INTERNET"],
    "fees": ["GRATUIT"],
    "phone": "04 71 45 46 00",
    "emails": ["Contact@Fabrique-Aurillac.fr"],
    "websites": ["fabrique-aurillac.fr"],
    "opening_hours": "Mo-Fr  09:00-12:00,14:00-18:00; PH off",
    "siret": "732 829 320 00074",
}


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def actor(user):
    return Actor(user=user, channel="web", ip_address="192.0.2.10")


@pytest.fixture
def place(actor):
    return create_place(VALID, actor)


def _events(place, action=None):
    events = AuditEvent.objects.for_object(place)
    return list(events.filter(action=action) if action else events)


def _failure(callable_, *args):
    with pytest.raises(ValidationFailed) as caught:
        callable_(*args)
    return caught.value.errors


def _table_counts():
    return (
        Place.objects.count(),
        AuditEvent.objects.count(),
        Place.services.through.objects.count(),
        Place.typologies.through.objects.count(),
        PlaceRole.objects.count(),
    )


# --- Creating ---------------------------------------------------------------------------------------


def test_create_place_stores_normalised_values(place):
    place.refresh_from_db()
    assert place.name == "La Fabrique d'Aurillac"
    assert place.commune_id == "15014"
    assert place.phone == "+33471454600"
    assert place.emails == ["contact@fabrique-aurillac.fr"]
    assert place.websites == ["https://fabrique-aurillac.fr"]
    assert place.siret == "73282932000074"
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:00; PH off"
    assert sorted(place.services.values_list("code", flat=True)) == ["ACCES_INTERNET", "DEMARCHES"]
    assert sorted(place.typologies.values_list("code", flat=True)) == ["EPN", "FABLAB"]
    assert (place.latitude, place.longitude, place.location_approximate) == (44.9279, 2.4418, False)
    assert place.source_id == str(place.pk)


def test_a_place_in_la_reunion_keeps_its_local_phone_number_and_position(actor):
    place = create_place(
        {
            "name": "Case numérique",
            "code_insee": "97411",
            "postal_code": "97400",
            "latitude": -20.8823,
            "longitude": 55.4504,
            "phone": "0262 40 40 40",
        },
        actor,
    )
    place.refresh_from_db()
    assert (place.commune_id, place.phone, place.phone_display) == ("97411", "+262262404040", "0262 40 40 40")
    assert clean_place_data(snapshot(place)).warnings == []


def test_create_place_records_one_event_with_the_actor_and_the_new_values(place, user):
    (event,) = _events(place)
    assert event.action == AuditAction.CREATE
    assert (event.actor, event.actor_label, event.channel, event.ip_address) == (
        user,
        user.username,
        "web",
        "192.0.2.10",
    )
    assert event.place == place
    assert event.changes["name"] == [None, "La Fabrique d'Aurillac"]
    assert event.changes["phone"] == [None, "+33471454600"]
    assert event.changes["services"] == [None, ["ACCES_INTERNET", "DEMARCHES"]]
    assert event.changes["code_insee"] == [None, "15014"]


def test_create_place_can_make_its_author_the_manager(actor, user):
    place = create_place(VALID, actor, manager=user)
    assert list(place.roles.values_list("user", "role")) == [(user.pk, PlaceRole.Role.MANAGER)]


def test_the_postal_code_is_filled_in_when_the_commune_has_only_one():
    cleaned = clean_place_data({"name": "Lieu", "code_insee": "15014"})
    assert cleaned.values["postal_code"] == "15000"
    cleaned = clean_place_data({"name": "Lieu", "code_insee": "42218"})  # three postal codes
    assert cleaned.values["postal_code"] == ""


def test_invalid_data_lists_every_faulty_field_in_french(actor):
    counts = _table_counts()
    errors = _failure(
        create_place,
        {
            "name": " ",
            "status": "ouvert",
            "code_insee": "15014",
            "postal_code": "75001",
            "latitude": AURILLAC_TOWN_HALL[1],  # swapped
            "longitude": AURILLAC_TOWN_HALL[0],
            "services": ["DEMARCHES", "VOYANCE"],
            "fees": ["CHER"],
            "phone": "12",
            "emails": ["contact@"],
            "websites": ["pas une adresse"],
            "opening_hours": "Mo-Fr 9h-12h",
            "siret": "73282932000075",
            "summary": "x" * 281,
            "wheelchair": "peut-être",
            "data_updated_on": "2024-13-45",
        },
        actor,
    )
    assert set(errors) == {
        "name",
        "status",
        "postal_code",
        "latitude",
        "services",
        "fees",
        "phone",
        "emails",
        "websites",
        "opening_hours",
        "siret",
        "summary",
        "wheelchair",
        "data_updated_on",
    }
    expected_words = {
        "name": "le nom est obligatoire",
        "status": "statut « ouvert » inconnu",
        "postal_code": "ne correspond pas à la commune Aurillac (15014)",
        "latitude": "Latitude et longitude sont-elles inversées ?",
        "services": "VOYANCE",
        "fees": "valeur inconnue CHER",
        "phone": "le numéro de téléphone « 12 » n'est pas valide",
        "emails": "l'adresse e-mail « contact@ » n'est pas valide",
        "websites": "« pas une adresse » n'est pas valide",
        "opening_hours": "erreur à la position 7",
        "siret": "clé de contrôle incorrecte",
        "summary": "281 caractères, 280 au plus",
        "wheelchair": "valeur « peut-être » inconnue",
        "data_updated_on": "date « 2024-13-45 » invalide",
    }
    for field, words in expected_words.items():
        assert len(errors[field]) == 1, (field, errors[field])
        assert words in errors[field][0], (field, errors[field])
        assert_french(errors[field][0])
    assert _table_counts() == counts, "nothing written"


def test_a_postal_code_that_does_not_belong_to_the_commune_is_refused(actor):
    errors = _failure(create_place, {**VALID, "code_insee": "42218", "postal_code": "15000"}, actor)
    assert list(errors) == ["postal_code"]
    assert errors["postal_code"] == [
        "le code postal 15000 ne correspond pas à la commune Saint-Étienne (42218), "
        "dont les codes postaux sont 42000, 42100, 42230."
    ]


def test_an_unknown_insee_code_is_reported_under_code_insee(actor):
    errors = _failure(create_place, {**VALID, "code_insee": "99999", "postal_code": ""}, actor)
    assert list(errors) == ["code_insee"]
    assert "code INSEE inconnu" in errors["code_insee"][0]


# --- Positions ----------------------------------------------------------------------------------------


def test_missing_coordinates_fall_back_to_the_commune_centre_with_a_warning():
    cleaned = clean_place_data({"name": "Lieu", "code_insee": "42218", "postal_code": "42000"})
    values = cleaned.values
    assert (values["latitude"], values["longitude"]) == SAINT_ETIENNE_TOWN_HALL
    assert values["location_approximate"] is True
    assert cleaned.warnings == ["pas de coordonnées : position approximative au centre de Saint-Étienne."]


def test_a_place_created_without_coordinates_is_placed_approximately(actor):
    place = create_place({"name": "Lieu", "code_insee": "42218", "postal_code": "42000"}, actor)
    place.refresh_from_db()
    assert (place.latitude, place.longitude, place.location_approximate) == (*SAINT_ETIENNE_TOWN_HALL, True)


def test_a_commune_without_coordinates_leaves_the_place_without_a_position():
    cleaned = clean_place_data({"name": "Lieu", "code_insee": "15031"})  # Celles
    assert (cleaned.values["latitude"], cleaned.values["location_approximate"]) == (None, False)
    assert cleaned.warnings == []


def test_a_position_far_from_the_commune_is_accepted_with_a_warning():
    lat, lon = SAINT_ETIENNE_TOWN_HALL
    cleaned = clean_place_data({**VALID, "latitude": lat, "longitude": lon})
    distance = 162  # Aurillac to Saint-Étienne as the crow flies, km
    assert cleaned.warnings == [f"position à {distance} km du centre de Aurillac (15014) : à vérifier."]
    assert cleaned.values["location_approximate"] is False


def test_a_position_near_the_commune_gives_no_warning():
    assert clean_place_data(VALID).warnings == []


def test_coordinates_with_a_decimal_comma_are_read():
    cleaned = clean_place_data({**VALID, "latitude": "44,9279", "longitude": "2,4418"})
    assert (cleaned.values["latitude"], cleaned.values["longitude"]) == (44.9279, 2.4418)


def test_giving_coordinates_to_an_approximately_placed_place_makes_it_precise(actor):
    place = create_place({"name": "Lieu", **AURILLAC}, actor)
    assert place.location_approximate
    place = update_place(place, {"latitude": 44.9279, "longitude": 2.4418}, actor)
    place.refresh_from_db()
    assert (place.latitude, place.longitude, place.location_approximate) == (44.9279, 2.4418, False)


def test_an_approximate_position_follows_the_place_to_its_new_commune(actor):
    place = create_place({"name": "Lieu", **AURILLAC}, actor)
    # The edit form sends the coordinates it showed (Aurillac's centre) with the new commune.
    data = {
        **snapshot(place),
        "code_insee": "42218",
        "postal_code": "42000",
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    data.pop("location_approximate")
    place = update_place(place, data, actor)
    place.refresh_from_db()
    assert (place.latitude, place.longitude, place.location_approximate) == (*SAINT_ETIENNE_TOWN_HALL, True)


def test_a_precise_position_is_kept_when_other_fields_change(place, actor):
    place = update_place(place, {"name": "Nouveau nom"}, actor)
    place.refresh_from_db()
    assert (place.latitude, place.longitude, place.location_approximate) == (44.9279, 2.4418, False)


# --- Updating ------------------------------------------------------------------------------------------


def test_a_partial_update_changes_only_the_given_fields(place, actor):
    before = snapshot(place)
    update_place(place, {"phone": "04 71 00 00 00", "services": ["FORMATION"]}, actor)
    after = snapshot(Place.objects.get(pk=place.pk))
    assert after["phone"] == "+33471000000"
    assert after["services"] == ["FORMATION"]
    assert {k: v for k, v in after.items() if k not in ("phone", "services")} == {
        k: v for k, v in before.items() if k not in ("phone", "services")
    }


def test_an_update_records_one_event_with_the_changed_values_before_and_after(place, actor, user):
    update_place(place, {"phone": "04 71 00 00 00", "services": ["FORMATION"]}, actor)
    (event,) = _events(place, AuditAction.UPDATE)
    assert event.changes == {
        "phone": ["+33471454600", "+33471000000"],
        "services": [["ACCES_INTERNET", "DEMARCHES"], ["FORMATION"]],
    }
    assert (event.actor, event.channel, event.ip_address) == (user, "web", "192.0.2.10")
    assert len(_events(place)) == 2  # the creation and this update


def test_an_update_by_another_channel_names_its_actor(place):
    update_place(place, {"name": "Renommé"}, Actor(channel="command", label="import du 1er mars"))
    (event,) = _events(place, AuditAction.UPDATE)
    assert (event.actor, event.actor_label, event.channel) == (None, "import du 1er mars", "command")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "La Fabrique d'Aurillac", "phone": "+33 4 71 45 46 00"},
        {"services": ["DEMARCHES", "ACCES_INTERNET"], "websites": ["https://fabrique-aurillac.fr"]},
        {"siret": "73282932000074", "postal_code": "15000", "code_insee": "15014"},
    ],
    ids=["nothing", "same-name-and-phone", "same-lists", "same-codes"],
)
def test_an_update_that_changes_nothing_records_no_event(place, actor, data):
    update_place(place, data, actor)
    assert _events(place, AuditAction.UPDATE) == []


def test_an_update_with_the_whole_snapshot_changes_nothing(place, actor):
    update_place(place, snapshot(place), actor)
    assert _events(place, AuditAction.UPDATE) == []


def test_a_partial_update_with_a_postal_code_of_another_commune_is_refused(place, actor):
    errors = _failure(update_place, place, {"postal_code": "42000"}, actor)
    assert list(errors) == ["postal_code"]
    assert "ne correspond pas à la commune Aurillac" in errors["postal_code"][0]


def test_an_invalid_update_changes_nothing_and_records_nothing(place, actor):
    before = snapshot(Place.objects.get(pk=place.pk))
    errors = _failure(update_place, place, {"name": "Nouveau nom", "siret": "123", "services": ["X"]}, actor)
    assert set(errors) == {"siret", "services"}
    assert snapshot(Place.objects.get(pk=place.pk)) == before
    assert _events(place, AuditAction.UPDATE) == []


def test_moving_a_place_to_another_commune_with_its_codes_and_position(place, actor):
    lat, lon = SAINT_ETIENNE_TOWN_HALL
    data = {"code_insee": "42218", "postal_code": "42100", "latitude": lat, "longitude": lon}
    update_place(place, data, actor)
    place = Place.objects.get(pk=place.pk)
    assert (place.commune, place.postal_code) == (Commune.objects.get(code_insee="42218"), "42100")
    (event,) = _events(place, AuditAction.UPDATE)
    assert event.changes["code_insee"] == ["15014", "42218"]


# --- Failures half-way ------------------------------------------------------------------------------


@pytest.fixture
def failing_audit(monkeypatch):
    def fail(self, *args, **kwargs):
        raise RuntimeError("journal indisponible")

    monkeypatch.setattr(AuditEvent, "save", fail)


def test_a_creation_whose_event_cannot_be_recorded_leaves_nothing_behind(actor, user, failing_audit):
    counts = _table_counts()
    with pytest.raises(RuntimeError, match="journal indisponible"):
        create_place(VALID, actor, manager=user)
    assert _table_counts() == counts


def test_an_update_whose_event_cannot_be_recorded_changes_nothing(place, actor, monkeypatch):
    before = snapshot(Place.objects.get(pk=place.pk))

    def fail(self, *args, **kwargs):
        raise RuntimeError("journal indisponible")

    monkeypatch.setattr(AuditEvent, "save", fail)
    with pytest.raises(RuntimeError):
        update_place(place, {"name": "Nouveau nom", "services": ["FORMATION"]}, actor)
    assert snapshot(Place.objects.get(pk=place.pk)) == before


# --- Deleting ----------------------------------------------------------------------------------------


def test_deleting_a_place_records_its_last_values(place, actor):
    place_id = str(place.pk)
    delete_place(place, actor)
    assert not Place.objects.filter(pk=place_id).exists()
    (event,) = AuditEvent.objects.filter(target_id=place_id, action=AuditAction.DELETE)
    assert event.changes["name"] == ["La Fabrique d'Aurillac", None]
    assert event.place is None
