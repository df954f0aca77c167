"""The dashboard helps managers keep their places' data right: completeness, confirmation, reports."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:dashboard")


def test_each_place_shows_its_completeness_and_what_is_missing(client):
    manager = UserFactory()
    PlaceFactory(name="Mon lieu", managers=[manager], phone="", emails=[])
    client.force_login(manager)

    response = client.get(URL)

    place = response.context["places"][0]
    assert place.completeness.score < 100
    html = response.content.decode()
    assert f"Complétude des données : {place.completeness.score} / 100" in html
    assert "un téléphone ou une adresse e-mail" in html


def test_the_confirm_button_brings_back_to_the_dashboard(client):
    manager = UserFactory()
    place = PlaceFactory(managers=[manager], data_updated_on=datetime.date(2025, 1, 1))
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert f'action="{reverse("places:confirm", args=[place.pk])}"' in html

    response = client.post(reverse("places:confirm", args=[place.pk]), {"next": URL})

    assert response["Location"] == URL
    place.refresh_from_db()
    assert place.data_updated_on == timezone.localdate()


def test_someone_who_manages_nothing_sees_no_report_section(client):
    client.force_login(UserFactory())

    assert "Signalements d" not in client.get(URL).content.decode()
