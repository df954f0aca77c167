"""Logging in and out (/comptes/connexion/, /comptes/deconnexion/)."""

import pytest
from django.urls import reverse

from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PASSWORD = "mot de passe de test"


def test_the_login_page_is_in_french(client):
    html = client.get(LOGIN).content.decode()

    assert '<html lang="fr">' in html
    assert "Connexion" in html and "Mot de passe" in html


def test_a_manager_logs_in_and_lands_on_their_space(client):
    user = UserFactory(username="camille")

    response = client.post(LOGIN, {"username": "camille", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).context["user"] == user


def test_logging_in_goes_back_to_the_page_asked_for(client):
    manager = UserFactory(username="camille")
    place = PlaceFactory(managers=[manager])
    edit = reverse("places:edit", args=[place.pk])

    response = client.post(LOGIN, {"username": "camille", "password": PASSWORD, "next": edit})

    assert response["Location"] == edit


def test_logging_in_never_sends_to_another_site(client):
    UserFactory(username="camille")

    response = client.post(
        LOGIN, {"username": "camille", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("accounts:dashboard")


def test_a_wrong_password_shows_a_french_error(client):
    UserFactory(username="camille")

    response = client.post(LOGIN, {"username": "camille", "password": "pas le bon"})

    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:dashboard")).status_code == 302
