"""API tokens (/comptes/jetons/): created and shown once, listed, revoked; each person sees only theirs."""

import re

import pytest
from django.urls import reverse

from relais.accounts.models import ApiToken, hash_token
from relais.testing import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:tokens")


def revoke_url(token):
    return reverse("accounts:revoke-token", args=[token.public_id])


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_creating_a_token_shows_it_once(user_client, user):
    response = user_client.post(
        URL, {"name": "Mon tableur", "scopes": ["places:write", "spaces:write"], "days": "90"}
    )

    html = response.content.decode()
    raw = re.search(r'<code id="new-token">([^<]+)</code>', html).group(1)
    assert "Copiez-le maintenant : il ne sera plus affiché." in html
    token = ApiToken.objects.get(user=user)
    assert token.name == "Mon tableur"
    assert token.key_hash == hash_token(raw) != raw
    assert ApiToken.authenticate(raw) == user
    assert raw not in user_client.get(URL).content.decode()


def test_the_page_lists_active_tokens_by_name_and_prefix_only(user_client, user):
    kept, kept_raw = ApiToken.issue(user, "Actif")
    revoked, _raw = ApiToken.issue(user, "Révoqué")
    revoked.revoke()
    ApiToken.issue(UserFactory(), "Celui d'un autre")

    response = user_client.get(URL)

    assert list(response.context["tokens"]) == [kept]
    html = response.content.decode()
    assert f"{kept.prefix}…" in html
    assert kept_raw not in html
    assert "Révoqué" not in html and "Celui d" not in html


def test_a_token_needs_a_name(user_client, user):
    response = user_client.post(URL, {"name": "   ", "scopes": ["spaces:read"], "days": "90"}, follow=True)

    assert "Donnez un nom au jeton" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working(user_client, user):
    token, raw = ApiToken.issue(user, "À révoquer")

    response = user_client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Le jeton a été révoqué." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.authenticate(raw) is None


def test_one_cannot_revoke_someone_else_s_token(user_client):
    token, raw = ApiToken.issue(UserFactory(), "Pas à moi")

    assert user_client.post(revoke_url(token)).status_code == 404
    assert ApiToken.authenticate(raw) is not None


def test_revoking_needs_a_post(user_client, user):
    token, raw = ApiToken.issue(user, "Intact")

    assert user_client.get(revoke_url(token)).status_code == 405
    assert ApiToken.authenticate(raw) == user


def test_anonymous_people_cannot_revoke(client, user):
    token, raw = ApiToken.issue(user, "Intact")

    assert client.post(revoke_url(token)).status_code == 302
    assert ApiToken.authenticate(raw) == user
