"""Logging in to an account whose address is not confirmed yet (issue 11 §5): the one who gives its right
password is told to confirm the address and offered the link again; anyone else learns nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from relais.testing import assert_french

pytestmark = pytest.mark.django_db
PASSWORD = "une phrase de passe assez longue"
LOGIN = reverse("accounts:login")
RESEND = reverse("accounts:resend-activation")


@pytest.fixture
def pending(db):
    user = get_user_model()(username="louise@example.org", email="louise@example.org", is_active=False)
    user.set_password(PASSWORD)
    user.save()
    return user


def alert_of(response):
    text = response.content.decode()
    start = text.index('role="alert"')
    return text[start : text.index("</p>", start)]


def test_the_right_password_of_a_pending_account_says_to_confirm_and_offers_the_link(
    client, pending, django_capture_on_commit_callbacks
):
    response = client.post(LOGIN, {"username": "Louise@Example.org", "password": PASSWORD})
    text = response.content.decode()
    assert "Identifiant ou mot de passe incorrect" not in text
    assert "confirmez votre adresse e-mail" in text and "Renvoyer le lien de confirmation" in text
    assert_french(alert_of(response))
    assert not mail.outbox  # offered, not sent on every attempt
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND, follow=True)
    (message,) = mail.outbox
    assert message.to == ["louise@example.org"] and "/inscription/confirmer/" in message.body
    assert "Un nouveau lien de confirmation vient de partir" in response.content.decode()
    # Once per recognised attempt: a second click sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND)
    assert len(mail.outbox) == 1


def test_a_wrong_password_or_an_unknown_account_learns_nothing(
    client, pending, django_capture_on_commit_callbacks
):
    wrong = client.post(LOGIN, {"username": "louise@example.org", "password": "pas le bon"})
    unknown = client.post(LOGIN, {"username": "personne@example.org", "password": PASSWORD})
    for response in (wrong, unknown):
        text = response.content.decode()
        assert "Identifiant ou mot de passe incorrect." in text
        assert "Renvoyer le lien" not in text and "pas encore ouvert" not in text
    assert alert_of(wrong) == alert_of(unknown)
    # « Resend » without the right password first: nothing leaves.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND)
    assert response.status_code == 302 and not mail.outbox
    assert client.get(RESEND).status_code == 405


def test_an_account_opened_since_gets_no_link(client, pending, django_capture_on_commit_callbacks):
    client.post(LOGIN, {"username": "louise@example.org", "password": PASSWORD})
    pending.is_active = True
    pending.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND)
    assert not mail.outbox
