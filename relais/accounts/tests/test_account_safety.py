"""What an anonymous person can learn or trigger through the account forms, and the team's idle sessions."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from relais.accounts.passwords import CommonBaseValidator, base_of
from relais.accounts.security import LAST_SEEN_KEY
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """A real hasher that counts how many passwords it hashed (the work that takes time)."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt, *args, **kwargs):
        CountingHasher.calls += 1
        return super().encode(password, salt, *args, **kwargs)


def signup(client, email):
    return client.post(
        reverse("accounts:signup"),
        {
            "first_name": "Louise",
            "last_name": "Martin",
            "email": email,
            "password1": "une phrase de quatre mots",
            "password2": "une phrase de quatre mots",
        },
    )


def test_sign_up_does_the_same_work_and_answers_the_same_for_a_known_address(settings, client):
    settings.PASSWORD_HASHERS = ["relais.accounts.tests.test_account_safety.CountingHasher"]
    UserFactory(email="connue@example.org")
    CountingHasher.calls = 0
    known = signup(client, "connue@example.org")
    known_work = CountingHasher.calls
    CountingHasher.calls = 0
    new = signup(Client(), "nouvelle@example.org")
    assert CountingHasher.calls == known_work >= 1
    assert known.status_code == new.status_code == 302 and known.url == new.url


def test_a_failed_login_does_the_same_work_whether_the_account_exists_or_waits_for_confirmation(settings):
    settings.PASSWORD_HASHERS = ["relais.accounts.tests.test_account_safety.CountingHasher"]
    UserFactory(email="attente@example.org", is_active=False)
    work = []
    for identifier in ("attente@example.org", "personne@example.org"):
        CountingHasher.calls = 0
        Client().post(reverse("accounts:login"), {"username": identifier, "password": "faux mot de passe"})
        work.append(CountingHasher.calls)
    assert work[0] == work[1]


def test_anonymous_forms_send_at_most_three_mails_an_hour_to_one_address(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="cible@example.org")
    pages = set()
    for i in range(8):
        visitor = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")  # from eight addresses: the address cap holds
        with django_capture_on_commit_callbacks(execute=True):
            if i % 2:
                response = visitor.post(reverse("accounts:password_reset"), {"email": "cible@example.org"})
            else:
                response = signup(visitor, "cible@example.org")
        pages.add((response.status_code, i % 2, response.url))
    assert len(mail.outbox) == 3
    assert len(pages) == 2  # each form answered the same every time


def test_one_client_address_cannot_spray_mails_to_many_addresses(django_capture_on_commit_callbacks):
    visitor = Client(REMOTE_ADDR="198.51.100.50")
    for i in range(14):
        with django_capture_on_commit_callbacks(execute=True):
            signup(visitor, f"victime{i}@example.org")
    assert len(mail.outbox) == 10


@pytest.mark.parametrize("password", ["motdepasse123", "Azerty2024!", "M0tDePasse!!", "abcabcabcabc"])
def test_common_passwords_with_digits_around_are_refused_in_french(client, password):
    response = client.post(
        reverse("accounts:signup"),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "password1": password,
            "password2": password,
        },
    )
    errors = response.context["form"].errors["password1"]
    assert any("phrase de quelques mots" in e for e in errors)


def test_a_long_passphrase_is_accepted():
    CommonBaseValidator().validate("la chèvre de monsieur Seguin")
    assert base_of("Soleil-2024!") == "soleil"


def test_the_team_is_logged_out_after_thirty_idle_minutes_members_are_not(client, settings):
    manager = UserFactory()
    PlaceFactory(managers=[manager])
    client.force_login(manager)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] -= 31 * 60
    session.save()
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    member = UserFactory()
    other = Client()
    other.force_login(member)
    other.get(reverse("accounts:dashboard"))
    session = other.session
    session[LAST_SEEN_KEY] = session.get(LAST_SEEN_KEY, 0) - 31 * 60
    session.save()
    assert other.get(reverse("accounts:dashboard")).status_code == 200
