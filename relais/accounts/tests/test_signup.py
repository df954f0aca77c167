"""Opening an account: name, e-mail and password; the account opens when the address is confirmed; the page
never says whether an address already has an account; forgotten passwords; logging in with the address."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from relais.privacy.models import AuditEvent
from relais.testing import UserFactory, assert_french, login_request

pytestmark = pytest.mark.django_db
User = get_user_model()
SIGNUP = reverse("accounts:signup")
PASSWORD = "une phrase de passe assez longue"


def data(**changes):
    return {
        "first_name": "Louise",
        "last_name": "Martin",
        "email": "Louise.Martin@Example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }


def link_in(message):
    return re.search(r"http://testserver(\S+)", message.body).group(1)


def test_an_account_opens_once_its_address_is_confirmed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, data(next="/espaces/"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup-sent")
    user = User.objects.get()
    assert user.username == user.email == "louise.martin@example.org" and not user.is_active
    assert AuditEvent.objects.for_object(user).filter(action="create").exists()
    # Not yet: the account is closed until the address is confirmed.
    assert not client.login(request=login_request(), username="louise.martin@example.org", password=PASSWORD)
    (message,) = mail.outbox
    assert message.to == ["louise.martin@example.org"] and "Confirmez votre adresse" in message.subject
    assert_french(message.body)
    response = client.get(link_in(message))
    assert response.status_code == 302 and response["Location"] == "/espaces/"
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("spaces:my-bookings")).status_code == 200  # logged in
    # The link opens the account once: used again, it only asks to log in.
    client.logout()
    response = client.get(link_in(message))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("spaces:my-bookings")).status_code == 302


def test_a_known_address_gets_the_same_page_and_an_email_saying_so(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="louise.martin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, data())
    assert response["Location"] == reverse("accounts:signup-sent")
    assert User.objects.filter(email__iexact="louise.martin@example.org").count() == 1
    (message,) = mail.outbox
    assert "déjà un compte" in message.subject and "/comptes/mot-de-passe/oublie/" in message.body


def test_a_pending_account_keeps_its_password_and_gets_its_link_again(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, data())
        client.post(
            SIGNUP, data(password1="un autre mot de passe long", password2="un autre mot de passe long")
        )
    assert User.objects.count() == 1
    first, second = mail.outbox
    assert "Confirmez" in second.subject
    client.get(link_in(second))
    client.logout()
    assert client.login(request=login_request(), username="louise.martin@example.org", password=PASSWORD)


def test_bad_input_is_said_next_to_each_field_and_nothing_is_created(client):
    response = client.post(SIGNUP, data(email="pas-une-adresse", password2="différent", first_name=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "password2", "first_name"}
    for messages in form.errors.values():
        for message in messages:
            assert_french(message)
    response = client.post(SIGNUP, data(password1="court", password2="court"))
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists() and not mail.outbox


def test_a_robot_filling_the_trap_gets_the_same_page_and_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, data(website="http://spam.example"))
    assert response["Location"] == reverse("accounts:signup-sent")
    assert not User.objects.exists() and not mail.outbox


def test_a_wrong_confirmation_link_says_so_in_french(client):
    response = client.get(reverse("accounts:activate", args=["Mg", "faux-jeton"]), follow=True)
    text = response.content.decode()
    assert "lien de confirmation n&#x27;est pas valable" in text


def test_one_logs_in_with_the_identifier_or_the_address(client):
    user = UserFactory(username="gerante", email="gerante@example.org")
    user.set_password(PASSWORD)
    user.save()
    assert client.login(request=login_request(), username="gerante", password=PASSWORD)
    client.logout()
    assert client.login(request=login_request(), username="Gerante@Example.org", password=PASSWORD)
    client.logout()
    assert not client.login(
        request=login_request(), username="gerante@example.org", password="mauvais mot de passe"
    )
    UserFactory(email="gerante@example.org")  # two accounts share it: ambiguous, refused
    assert not client.login(request=login_request(), username="gerante@example.org", password=PASSWORD)


def test_a_forgotten_password_is_replaced_through_a_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves from the background task
        response = client.post(reverse("accounts:password_reset"), {"email": "camille@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert_french(message.body)
    form_page = client.get(link_in(message), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "ma nouvelle phrase secrète", "new_password2": "ma nouvelle phrase secrète"},
    )
    assert response.status_code == 302
    assert client.login(
        request=login_request(), username=user.username, password="ma nouvelle phrase secrète"
    )


def test_an_account_not_opened_yet_is_told_so_at_login_and_gets_its_link_again(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, data())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves after the commit
        response = client.post(
            reverse("accounts:login"), {"username": "louise.martin@example.org", "password": PASSWORD}
        )
    assert response.status_code == 200
    assert "pas encore ouvert" in response.content.decode()
    # The link is offered again (issue 11 §5), sent when asked for.
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:resend-activation"))
    (message,) = mail.outbox
    assert "Confirmez" in message.subject
    # A wrong password says nothing more (and sends nothing).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:login"), {"username": "louise.martin@example.org", "password": "x"}
        )
    assert "Identifiant ou mot de passe incorrect" in response.content.decode() and not mail.outbox
    # « Mot de passe oublié » sends the confirmation link to such an account.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "louise.martin@example.org"})
    (message,) = mail.outbox
    assert "Confirmez" in message.subject


def test_the_password_may_not_look_like_the_address_and_the_message_says_which_field(client):
    response = client.post(
        SIGNUP, data(password1="louise.martin@example.org", password2="louise.martin@example.org")
    )
    [message] = response.context["form"].errors["password1"]
    assert "nom d’utilisateur" not in message and "nom d'utilisateur" not in message


def test_an_account_closed_by_an_administrator_is_not_reopened_by_signing_up_again(
    client, django_capture_on_commit_callbacks
):
    import datetime

    from relais.accounts import signup

    closed = UserFactory(email="louise.martin@example.org", is_active=False)
    closed.last_login = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    closed.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, data())
    (message,) = mail.outbox
    assert "déjà un compte" in message.subject  # no confirmation link
    link = signup.activation_path(closed)
    response = client.get(link, follow=True)
    assert "Ce compte a été fermé" in response.content.decode()
    closed.refresh_from_db()
    assert not closed.is_active
