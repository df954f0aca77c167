"""Creating places is for network admins; anyone else proposes a place or claims one, and a network admin's
review decides (issue 10's security defect). Tokens carry scopes and an expiry."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import ApiToken, PlaceRole
from relais.core import workflow
from relais.core.errors import Conflict, Forbidden
from relais.places import proposals
from relais.places.models import Place, PlaceProposal
from relais.privacy.audit import Actor
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db


def bearer(user, **kwargs):
    _token, raw = ApiToken.issue(user, "outil", **kwargs)
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, data, headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_a_new_account_cannot_publish_a_place_nor_enter_the_admin(client):
    newcomer = UserFactory()
    response = post(client, "/api/places", {"name": "Lieu pirate", "code_insee": "15014"}, bearer(newcomer))
    assert response.status_code == 202
    assert not Place.objects.filter(name="Lieu pirate").exists()
    assert not PlaceRole.objects.filter(user=newcomer).exists()
    newcomer.refresh_from_db()
    assert not newcomer.is_staff
    client.force_login(newcomer)
    assert client.get("/admin/").status_code == 302  # to the admin's login page
    assert client.get("/api/places?q=pirate").json()["count"] == 0


def test_a_proposal_is_checked_at_once_with_every_error():
    with pytest.raises(Exception) as info:
        proposals.propose_place({"name": ""}, Actor(user=UserFactory()))
    assert "name" in info.value.errors
    assert not PlaceProposal.objects.exists()


def test_a_claim_accepted_makes_the_claimant_a_manager_and_is_logged(client):
    place = PlaceFactory(name="Le Fablab")
    person, admin = UserFactory(), UserFactory(network_admin=True)
    response = post(
        client, f"/api/places/{place.pk}/claim", {"message": "Je suis la coordinatrice."}, bearer(person)
    )
    assert response.status_code == 202
    proposal = PlaceProposal.objects.get()
    assert (proposal.kind, proposal.place, proposal.status) == ("claim", place, "proposed")
    # A second claim while the first waits is a conflict, not a duplicate.
    again = post(client, f"/api/places/{place.pk}/claim", {}, bearer(person))
    assert again.status_code == 409
    assert_french(again.json()["detail"])

    accepted = proposals.accept(proposal, Actor(user=admin))
    assert accepted.status == "accepted"
    assert PlaceRole.objects.get(user=person, place=place).role == "manager"
    log = list(accepted.transitions.values_list("transition", "from_status", "to_status"))
    assert log == [("propose", "", "proposed"), ("accept", "proposed", "accepted")]
    assert AuditEvent.objects.filter(target_id=str(proposal.pk), action="update").exists()
    # Accepted once: accepting again is refused with the state it is in.
    assert not workflow.can(accepted, "accept", Actor(user=admin))
    with pytest.raises(Conflict):
        proposals.accept(accepted, Actor(user=admin))


def test_only_a_network_admin_reviews(client):
    person, other = UserFactory(), UserFactory()
    proposal = proposals.propose_place({"name": "Tiers-lieu", "code_insee": "15014"}, Actor(user=person))
    assert not workflow.can(proposal, "accept", Actor(user=person))
    with pytest.raises(Forbidden):
        proposals.accept(proposal, Actor(user=person))
    # Someone else's proposal is a 404 through the API, whoever asks.
    response = client.post(f"/api/places/proposals/{proposal.pk}/accept", headers=bearer(other))
    assert response.status_code == 404
    # The author sees it among their proposals and may withdraw it.
    listed = client.get("/api/places/proposals", headers=bearer(person)).json()
    assert [p["id"] for p in listed] == [str(proposal.pk)]
    assert proposals.withdraw(proposal, Actor(user=person)).status == "withdrawn"


def test_a_network_admin_accepts_from_the_dashboard(client):
    person, admin = UserFactory(), UserFactory(network_admin=True)
    proposal = proposals.propose_place({"name": "La Ressourcerie", "code_insee": "15014"}, Actor(user=person))
    client.force_login(admin)  # with the second factor a network admin must give (relais.testing)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "La Ressourcerie" in page
    response = client.post(reverse("accounts:review-proposal", args=[proposal.pk, "accepter"]))
    assert response.status_code == 302
    place = Place.objects.get(name="La Ressourcerie")
    assert list(Place.objects.managed_by(person)) == [place]
    # A person who is not a network admin gets a 404 there.
    client.force_login(person)
    assert client.post(reverse("accounts:review-proposal", args=[proposal.pk, "refuser"])).status_code == 404


def test_a_token_without_the_scope_is_refused_with_a_french_403(client):
    manager = UserFactory()
    place = PlaceFactory(managers=[manager])
    headers = bearer(manager, scopes=["spaces:read"])
    response = client.patch(
        f"/api/places/{place.pk}",
        json.dumps({"name": "Autre"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert "places:write" in response.json()["detail"]
    assert_french(response.json()["detail"])


def test_an_expired_token_no_longer_works(client):
    manager = UserFactory()
    place = PlaceFactory(managers=[manager])
    token, raw = ApiToken.issue(manager, "outil", days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.patch(
        f"/api/places/{place.pk}",
        json.dumps({"name": "Autre"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 401
    assert token.expires_at > timezone.now() + datetime.timedelta(days=29)


def test_the_proposer_reads_the_reason_of_a_refusal_on_their_dashboard(client):
    person, admin = UserFactory(), UserFactory(network_admin=True)
    proposal = proposals.propose_place({"name": "Lieu en double", "code_insee": "15014"}, Actor(user=person))
    proposals.reject(proposal, Actor(user=admin), reason="Ce lieu est déjà dans le registre.")
    client.force_login(person)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Lieu en double" in page and "refusée" in page
    assert "Ce lieu est déjà dans le registre." in page
