"""Brute force: the lock-out (django-axes), on the site's login, the admin's and the API's tokens."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db
PASSWORD = "mot de passe de test"


def attempt(client, username, password, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_fifty_wrong_passwords_lock_the_account_out_from_that_address_only():
    manager = UserFactory(username="gerante")
    PlaceFactory(managers=[manager])
    client = Client(REMOTE_ADDR="203.0.113.7")
    answers = [attempt(client, "gerante", f"faux {i}").status_code for i in range(50)]
    assert answers[:4] == [200] * 4 and set(answers[5:]) == {429}
    locked = attempt(client, "Gerante", PASSWORD)  # the right password, whatever the case: still refused
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Réessayez dans 15 minutes" in text and "Mot de passe oublié" in text
    assert_french(text)
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    assert attempt(elsewhere, "gerante", PASSWORD).status_code == 302  # nobody locks her out from afar


def test_the_admin_login_is_locked_out_too():
    UserFactory(username="operateur", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(5):
        client.post("/admin/login/", {"username": "operateur", "password": f"faux {i}"})
    assert client.post("/admin/login/", {"username": "operateur", "password": PASSWORD}).status_code == 429


def test_support_staff_unlock_an_account():
    UserFactory(username="membre")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(5):
        attempt(client, "membre", f"faux {i}")
    assert AccessAttempt.objects.filter(username="membre").exists()
    call_command("axes_reset_username", "membre")
    assert attempt(client, "membre", PASSWORD).status_code == 302


def test_a_scanner_of_api_tokens_is_refused_after_twenty_failures():
    client = Client(REMOTE_ADDR="203.0.113.10")
    url = "/api/places/proposals"
    codes = [client.get(url, HTTP_AUTHORIZATION=f"Bearer rl_faux{i}").status_code for i in range(22)]
    assert set(codes[:20]) == {401} and codes[-1] == 429
    body = client.get(url, HTTP_AUTHORIZATION="Bearer rl_encore").json()
    assert body["code"] == "too_many" and "réessayez dans 15 minutes" in body["detail"]
