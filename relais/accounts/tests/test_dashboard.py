"""The personal space (/comptes/): the places one manages."""

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:dashboard")


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_a_manager_sees_the_places_they_manage_with_edit_and_history_links(client):
    manager = UserFactory()
    mine = PlaceFactory(name="Mon lieu", managers=[manager])
    PlaceFactory(name="Le lieu d'un autre", managers=[UserFactory()])
    staffed = PlaceFactory(name="Lieu où je suis de l'équipe")
    PlaceRole.objects.create(user=manager, place=staffed, role=PlaceRole.Role.STAFF)
    client.force_login(manager)

    response = client.get(URL)

    assert [p.name for p in response.context["places"]] == ["Mon lieu"]
    html = response.content.decode()
    assert reverse("places:edit", args=[mine.pk]) in html
    assert reverse("places:history", args=[mine.pk]) in html
    assert reverse("accounts:tokens") in html


def test_someone_who_manages_nothing_is_told_so(client):
    client.force_login(UserFactory())

    assert "Vous ne gérez aucun lieu pour l'instant." in client.get(URL).content.decode().replace(
        "&#x27;", "'"
    )


def test_a_network_admin_sees_every_place(client):
    PlaceFactory(name="Lieu A", managers=[UserFactory()])
    PlaceFactory(name="Lieu B")
    client.force_login(UserFactory(network_admin=True))

    response = client.get(URL)

    assert [p.name for p in response.context["places"]] == ["Lieu A", "Lieu B"]
    assert "administrateur du réseau" in response.content.decode()
