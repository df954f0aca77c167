"""The public page of a place (/lieux/<id>/)."""

import uuid

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.places.models import PlaceStatus
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(place):
    return reverse("places:detail", args=[place.pk])


def test_it_shows_the_place_to_everyone_in_french(client):
    place = PlaceFactory(
        name="La Grange numérique",
        typologies=["COWORKING"],
        services=["DEMARCHES"],
        phone="+33471000000",
        summary="Un lieu pour travailler et apprendre.",
    )

    response = client.get(url(place))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "<h1>La Grange numérique</h1>" in html
    assert "Un lieu pour travailler et apprendre." in html
    assert "15000 Aurillac (Cantal)" in html
    assert "Espace de coworking" in html
    assert "Aide aux démarches administratives" in html
    assert "Mo-Fr 09:00-12:00,14:00-18:00; PH off" in html
    assert "04 71 00 00 00" in html
    assert "Modifier ce lieu" not in html


def test_it_says_whether_the_place_is_open_now(client):
    always = PlaceFactory(opening_hours="24/7")
    never = PlaceFactory(opening_hours="off")
    unknown = PlaceFactory(opening_hours="")

    assert "Ouvert en ce moment" in client.get(url(always)).content.decode()
    assert "Fermé en ce moment" in client.get(url(never)).content.decode()
    assert "Horaires non renseignés." in client.get(url(unknown)).content.decode()


def test_a_closed_place_says_so(client):
    place = PlaceFactory(status=PlaceStatus.CLOSED)

    assert "Fermé définitivement" in client.get(url(place)).content.decode()


def test_its_managers_see_the_edit_and_history_links(client):
    manager = UserFactory()
    place = PlaceFactory(managers=[manager])
    client.force_login(manager)

    html = client.get(url(place)).content.decode()

    assert reverse("places:edit", args=[place.pk]) in html
    assert reverse("places:history", args=[place.pk]) in html


def test_staff_and_other_managers_do_not_see_the_edit_link(client):
    place = PlaceFactory()
    staff = UserFactory()
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
    PlaceFactory(managers=[other := UserFactory()])

    for user in (staff, other):
        client.force_login(user)
        assert reverse("places:edit", args=[place.pk]) not in client.get(url(place)).content.decode()


def test_hostile_data_is_escaped(client):
    place = PlaceFactory(name="<script>alert(1)</script>", description="<b>gras</b>\nligne 2")

    html = client.get(url(place)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;gras&lt;/b&gt;<br>ligne 2" in html


def test_an_unknown_place_is_a_french_404_page(client):
    response = client.get(reverse("places:detail", args=[uuid.uuid4()]))

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
