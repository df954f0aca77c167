"""Editing a place (/lieux/<id>/modifier/): only its managers and network admins; French errors."""

import re
import uuid

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.places.models import Place
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory, assert_french, form_data

pytestmark = pytest.mark.django_db


def url(place):
    return reverse("places:edit", args=[place.pk])


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def place(manager):
    return PlaceFactory(name="La Grange", typologies=["COWORKING"], managers=[manager])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def post_changes(client, place, **changes):
    form = client.get(url(place)).context["form"]
    return client.post(url(place), form_data(form, **changes))


def field_block(html, name):
    """The <div class="field"> holding the input of `name`: where its error must be shown."""
    blocks = re.split(r'(?=<div class="field)', html)
    matching = [b for b in blocks if f'id="id_{name}"' in b]
    assert len(matching) == 1, name
    return matching[0]


# --- Who may edit -------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client, place):
    response = client.get(url(place))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url(place)}"


def test_a_manager_sees_the_form_filled_with_the_place(manager_client, place):
    response = manager_client.get(url(place))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Modifier « La Grange »" in html
    assert 'value="La Grange"' in html
    assert 'value="COWORKING" id="id_typologies_0" checked' in html


def test_a_manager_gets_404_on_a_place_of_someone_else(manager_client, place):
    other = PlaceFactory(name="Le lieu d'à côté", managers=[UserFactory()])

    assert manager_client.get(url(other)).status_code == 404
    response = manager_client.post(url(other), {"name": "Piraté", "status": "open", "code_insee": "15014"})

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Le lieu d'à côté"


def test_staff_of_a_place_may_not_edit_it(client, place):
    staff = UserFactory()
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
    client.force_login(staff)

    assert client.get(url(place)).status_code == 404


def test_a_network_admin_edits_any_place(client, place):
    client.force_login(UserFactory(network_admin=True))

    response = post_changes(client, place, summary="Vérifié par le réseau.")

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.summary == "Vérifié par le réseau."


def test_an_unknown_place_is_a_404(manager_client):
    assert manager_client.get(reverse("places:edit", args=[uuid.uuid4()])).status_code == 404


# --- Saving -------------------------------------------------------------------------------------


def test_saving_changes_the_place_and_goes_back_to_its_page_with_a_message(manager_client, place):
    response = post_changes(
        manager_client,
        place,
        opening_hours="Tu-Sa 10:00-18:00",
        typologies=["COWORKING", "FABLAB"],
        phone="04 71 00 00 00",
        emails="contact@grange.example | accueil@grange.example",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("places:detail", args=[place.pk])
    place.refresh_from_db()
    assert place.opening_hours == "Tu-Sa 10:00-18:00"
    assert sorted(t.code for t in place.typologies.all()) == ["COWORKING", "FABLAB"]
    assert place.phone == "+33471000000"
    assert place.emails == ["contact@grange.example", "accueil@grange.example"]
    page = manager_client.get(response["Location"]).content.decode()
    assert "Les modifications du lieu ont été enregistrées." in page


def test_saving_records_the_change_with_its_author_and_the_web_channel(manager_client, manager, place):
    post_changes(manager_client, place, opening_hours="Tu-Sa 10:00-18:00")

    event = AuditEvent.objects.get()
    assert (event.action, event.channel, event.actor) == ("update", "web", manager)
    assert event.changes == {"opening_hours": ["Mo-Fr 09:00-12:00,14:00-18:00; PH off", "Tu-Sa 10:00-18:00"]}


def test_saving_the_form_unchanged_changes_nothing(manager_client, place):
    before = Place.objects.get(pk=place.pk)

    assert post_changes(manager_client, place).status_code == 302

    after = Place.objects.get(pk=place.pk)
    assert (after.name, after.opening_hours, after.latitude, after.longitude) == (
        before.name,
        before.opening_hours,
        before.latitude,
        before.longitude,
    )
    assert not AuditEvent.objects.exists()


# --- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("opening_hours", "Mo-Fr 25:00-26:00", "horaires invalides"),
        ("siret", "12345678901234", "clé de contrôle"),
        ("phone", "12", "numéro de téléphone"),
        ("emails", "pas-une-adresse", "n'est pas valide"),
        ("postal_code", "ABCDE", "code postal"),
        ("code_insee", "99999", "code INSEE inconnu"),
        ("latitude", "beaucoup", "Saisissez un nombre"),
        ("name", "", "Ce champ est obligatoire"),
    ],
)
def test_an_invalid_value_shows_a_french_error_next_to_its_field_and_changes_nothing(
    manager_client, place, field, value, words
):
    response = post_changes(manager_client, place, **{field: value})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert_french(errors[field][0])
    html = response.content.decode()
    block = field_block(html, field)
    assert f'id="id_{field}_error"' in block and words in block.replace("&#x27;", "'")
    assert "Le formulaire contient des erreurs" in html
    place.refresh_from_db()
    assert place.name == "La Grange"
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:00; PH off"
    assert not AuditEvent.objects.exists()


def test_all_errors_show_at_once_even_when_the_form_itself_refuses_a_field(manager_client, place):
    response = post_changes(manager_client, place, latitude="beaucoup", opening_hours="Mo-Fr 25:00")

    errors = response.context["form"].errors
    assert set(errors) == {"latitude", "opening_hours"}


def test_the_form_keeps_what_was_typed_after_an_error(manager_client, place):
    response = post_changes(manager_client, place, opening_hours="Mo-Fr 25:00", summary="Mon texte")

    html = response.content.decode()
    assert 'value="Mo-Fr 25:00"' in html
    assert "Mon texte</textarea>" in html


def test_data_the_form_does_not_show_is_kept(manager_client, place):
    Place.objects.filter(pk=place.pk).update(rna="W123456789", other_labels="Label régional", source="ANCT")

    post_changes(manager_client, place, summary="Changé.")

    place.refresh_from_db()
    assert (place.rna, place.other_labels, place.source) == ("W123456789", "Label régional", "ANCT")
    assert place.summary == "Changé."


def test_a_position_far_from_the_commune_is_saved_and_flagged_to_check(manager_client, place):
    response = post_changes(manager_client, place, latitude="48.85", longitude="2.35")

    assert response.status_code == 302
    page = manager_client.get(response["Location"]).content.decode()
    assert "À vérifier : position à" in page
    assert "Aurillac" in page
