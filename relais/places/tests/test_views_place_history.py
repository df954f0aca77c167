"""The history of a place (/lieux/<id>/historique/): its changes with before/after, for its managers only."""

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.places import services
from relais.privacy.audit import Actor
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(place):
    return reverse("places:history", args=[place.pk])


@pytest.fixture
def manager():
    return UserFactory(username="camille")


@pytest.fixture
def place(manager):
    place = PlaceFactory(name="La Grange", managers=[manager])
    services.update_place(
        place,
        {"opening_hours": "Tu-Sa 10:00-18:00", "typologies": ["COWORKING", "FABLAB"]},
        Actor(user=manager, channel="web", ip_address="192.0.2.7"),
    )
    return place


def test_it_shows_each_change_with_its_author_and_the_values_before_and_after(client, manager, place):
    client.force_login(manager)

    response = client.get(url(place))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Historique de « La Grange »" in html
    assert "camille" in html
    assert "modification" in html
    assert (
        "<strong>horaires d&#x27;ouverture</strong> : <del>Mo-Fr 09:00-12:00,14:00-18:00; PH off</del>"
        " → <ins>Tu-Sa 10:00-18:00</ins>"
    ) in html
    assert "<strong>typologies</strong> : <del>—</del> → <ins>COWORKING, FABLAB</ins>" in html


def test_the_most_recent_change_comes_first(client, manager, place):
    services.update_place(place, {"summary": "Dernier changement."}, Actor(user=manager))
    client.force_login(manager)

    html = client.get(url(place)).content.decode()

    assert html.index("Dernier changement.") < html.index("Tu-Sa 10:00-18:00")


def test_it_shows_only_the_changes_of_this_place(client, manager, place):
    other = PlaceFactory(name="Ailleurs", managers=[manager])
    services.update_place(other, {"summary": "Changement ailleurs."}, Actor(user=manager))
    client.force_login(manager)

    assert "Changement ailleurs." not in client.get(url(place)).content.decode()


def test_a_place_never_changed_says_so(client, manager):
    untouched = PlaceFactory(managers=[manager])
    client.force_login(manager)

    assert "Aucune modification enregistrée." in client.get(url(untouched)).content.decode()


def test_a_network_admin_sees_the_history_of_any_place(client, place):
    client.force_login(UserFactory(network_admin=True))

    response = client.get(url(place))

    assert response.status_code == 200
    assert "Tu-Sa 10:00-18:00" in response.content.decode()


def test_a_manager_of_another_place_gets_404(client, place):
    client.force_login(UserFactory())

    response = client.get(url(place))

    assert response.status_code == 404
    assert "Tu-Sa 10:00-18:00" not in response.content.decode()


def test_staff_of_the_place_gets_404(client, place):
    staff = UserFactory()
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
    client.force_login(staff)

    assert client.get(url(place)).status_code == 404


def test_anonymous_people_are_sent_to_the_login_page(client, place):
    response = client.get(url(place))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url(place)}"


def test_the_ip_address_of_a_change_is_shown_to_network_admins_only(client, manager, place):
    client.force_login(manager)
    assert "192.0.2.7" not in client.get(url(place)).content.decode()

    client.force_login(UserFactory(network_admin=True))
    assert "192.0.2.7" in client.get(url(place)).content.decode()
