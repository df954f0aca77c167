"""« Mon espace » puts « Configurer les réservations » beside each place of « Les lieux que je gère » whose
team the person is in with a role that may configure it — not only at the bottom of the page."""

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:dashboard")


def section(html, heading_id):
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def items(html):
    """{place name: its line} of the list of places one manages."""
    lines = section(html, "mes-lieux").split("<li>")[1:]
    return {line.split("</a>")[0].split(">")[-1]: line for line in lines}


def test_a_manager_configures_each_of_their_places_from_the_list(client):
    manager = UserFactory()
    first = PlaceFactory(name="Lieu un", managers=[manager])
    second = PlaceFactory(name="Lieu deux", managers=[manager])
    client.force_login(manager)
    listed = items(client.get(URL).content.decode())
    for place in (first, second):
        link = reverse("spaces:config", args=[place.pk])
        assert f'href="{link}">Configurer les réservations' in listed[place.name]
        assert client.get(link).status_code == 200


def test_a_network_admin_configures_only_the_places_whose_team_they_are_in(client):
    admin = UserFactory(network_admin=True)
    own = PlaceFactory(name="Lieu de Nadia", managers=[admin])
    other = PlaceFactory(name="Lieu voisin", managers=[UserFactory()])
    client.force_login(admin)
    listed = items(client.get(URL, {"q": "lieu"}).content.decode())
    assert reverse("spaces:config", args=[own.pk]) in listed[own.name]
    assert "Configurer les réservations" not in listed[other.name]
    assert client.get(reverse("spaces:config", args=[other.pk])).status_code == 404


def test_the_link_is_given_once_and_under_reservations_for_a_place_one_only_works_for(client):
    manager = UserFactory()
    mine = PlaceFactory(name="Lieu un", managers=[manager])
    staffed = PlaceFactory(name="Lieu où je suis de l'équipe", managers=[UserFactory()])
    PlaceRole.objects.create(user=manager, place=staffed, role=PlaceRole.Role.STAFF)
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert html.count(reverse("spaces:config", args=[mine.pk])) == 1
    assert reverse("spaces:config", args=[mine.pk]) in section(html, "mes-lieux")
    assert reverse("spaces:config", args=[staffed.pk]) in section(html, "reservations")
