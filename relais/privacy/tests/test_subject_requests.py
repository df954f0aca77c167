"""Data-subject requests (relais/privacy/subject_requests.py and request_views.py): the one-month deadline
and its extension (two months at most), overdue requests listed first, the life cycle, the erasure run from
a request (a dry run first), the export, and who may see what."""

import datetime
import html
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import PlaceRole
from relais.core.errors import Conflict, DomainError, Forbidden
from relais.privacy import searches, subject_requests
from relais.privacy.audit import Actor
from relais.privacy.models import AuditEvent, SubjectRequest, SubjectRequestStatus
from relais.testing import MemberFactory, PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))


def at(day, month, year=2026):
    return datetime.datetime(year, month, day, 10, tzinfo=PARIS)


@pytest.fixture
def dpo():
    user = UserFactory(username="dpo-reseau")
    user.user_permissions.add(Permission.objects.get(codename="search_auditevent"))
    return user


def _open(dpo, **kwargs):
    values = {"kind": "erasure", "channel": "email", "person_name": "Léa Martin", **kwargs}
    return subject_requests.open_request(Actor(user=dpo), scope=searches.scope_for(dpo), **values)


def text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "received, due",
    [(at(15, 3), at(15, 4)), (at(31, 1), at(28, 2)), (at(31, 12, 2025), at(31, 1))],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(dpo, received, due):
    assert _open(dpo, received_at=received).due_at == due


def test_the_deadline_extends_by_two_more_months_at_most_with_a_reason(dpo):
    request = _open(dpo, received_at=at(15, 3))
    actor = Actor(user=dpo)

    with pytest.raises(DomainError) as too_far:
        subject_requests.extend(request, actor, until=at(16, 6), reason="demande complexe")
    assert too_far.value.field == "extended_to" and "deux mois" in too_far.value.message
    with pytest.raises(DomainError) as no_reason:
        subject_requests.extend(request, actor, until=at(15, 6), reason=" ")
    assert no_reason.value.field == "extension_reason"

    subject_requests.extend(request, actor, until=at(15, 6), reason="demandes nombreuses")
    request.refresh_from_db()
    assert request.deadline == at(15, 6) and request.extension_reason == "demandes nombreuses"
    assert AuditEvent.objects.for_object(request).filter(action="update").exists()


def test_a_closed_request_is_not_extended(dpo):
    request = subject_requests.answer(_open(dpo), Actor(user=dpo))
    with pytest.raises(Conflict):
        subject_requests.extend(request, Actor(user=dpo), until=request.due_at, reason="x")


def test_overdue_requests_are_listed_first_and_marked(client, dpo):
    now = timezone.now()
    late = _open(dpo, kind="access", person_name="En retard", received_at=now - datetime.timedelta(days=45))
    _open(dpo, kind="access", person_name="Dans les temps", received_at=now - datetime.timedelta(days=3))
    extended = _open(dpo, person_name="Prolongée", received_at=now - datetime.timedelta(days=45))
    subject_requests.extend(
        extended, Actor(user=dpo), until=now + datetime.timedelta(days=10), reason="complexe"
    )
    client.force_login(dpo)

    page = text(client.get(reverse("privacy:requests")))

    assert list(SubjectRequest.objects.overdue()) == [late]
    assert "1 demande en retard." in page
    assert page.index("En retard") < page.index("Dans les temps")
    assert page.count('class="request-overdue"') == 1 and "Prolongée" in page


def test_refusing_needs_a_reason_and_closes_the_request(dpo):
    request = _open(dpo)
    with pytest.raises(DomainError) as refused:
        subject_requests.refuse(request, Actor(user=dpo), "")
    assert refused.value.field == "reason"
    done = subject_requests.refuse(request, Actor(user=dpo), "identité non établie")
    assert done.status == SubjectRequestStatus.REFUSED and done.answered_at is not None
    assert done.transitions.get().reason == "identité non établie"


def test_an_erasure_runs_as_a_dry_run_first_then_for_real(client, dpo):
    lea = UserFactory(username="lea", email="lea@exemple.fr")
    request = _open(dpo, user=lea, identity_checked=True, identity_check="pièce d'identité vue à l'accueil")
    client.force_login(dpo)
    url = reverse("privacy:request-action", args=[request.public_id, "effacer"])

    refused = client.post(url)
    assert refused.status_code == 400 and "Lancez d'abord la simulation" in text(refused)
    lea.refresh_from_db()
    assert lea.is_active

    client.post(reverse("privacy:request-action", args=[request.public_id, "simuler-effacement"]))
    request.refresh_from_db()
    assert request.status == SubjectRequestStatus.IN_PROGRESS and request.actions[0]["dry_run"]
    lea.refresh_from_db()
    assert lea.is_active
    page = text(client.get(reverse("privacy:request", args=[request.public_id])))
    assert "Simulation de l'effacement" in page and "utilisateur" in page and ": en cours" in page

    assert client.post(url).status_code == 302
    lea.refresh_from_db()
    request.refresh_from_db()
    assert not lea.is_active and lea.username.startswith("anonyme-")
    assert [a["dry_run"] for a in request.actions] == [True, False]
    assert SubjectRequest.objects.filter(pk=request.pk).exists()  # kept as the proof of the answer


def test_an_erasure_needs_the_identity_checked(dpo):
    request = _open(dpo, user=UserFactory())
    with pytest.raises(Conflict) as refused:
        subject_requests.run_erasure(request, Actor(user=dpo), scope=searches.scope_for(dpo), dry_run=True)
    assert refused.value.field == "identity_checked"


def test_the_export_of_an_access_request_is_a_zip_and_is_noted(client, dpo):
    lea = UserFactory(username="lea", email="lea@exemple.fr")
    request = _open(dpo, kind="access", user=lea)
    client.force_login(dpo)

    response = client.post(reverse("privacy:request-action", args=[request.public_id, "exporter"]))

    assert response["Content-Type"] == "application/zip"
    assert "resume.html" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    request.refresh_from_db()
    assert request.actions[0]["kind"] == "export"
    assert AuditEvent.objects.for_object(lea).filter(action="view").exists()


def test_a_request_is_created_from_the_form_linked_to_the_account(client, dpo):
    lea = UserFactory(username="lea", email="lea@exemple.fr")
    client.force_login(dpo)

    response = client.post(
        reverse("privacy:request-create"),
        {"kind": "access", "channel": "post", "person": "lea@exemple.fr", "person_name": "Léa"},
    )

    created = SubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{created.public_id}/")
    assert created.user == lea and created.received_by == dpo


@pytest.mark.parametrize(
    "data, message",
    [
        ({"channel": "post", "person_name": "Léa"}, "Demande"),
        ({"kind": "access", "channel": "post"}, "Indiquez qui fait la demande"),
        ({"kind": "access", "channel": "post", "person": "personne@nulle.part"}, "Aucun compte ni adhésion"),
        (
            {"kind": "access", "channel": "post", "person_name": "Léa", "identity_checked": "on"},
            "Dites comment l'identité a été vérifiée",
        ),
    ],
)
def test_bad_input_gets_a_french_message_naming_the_field(client, dpo, data, message):
    client.force_login(dpo)
    response = client.post(reverse("privacy:request-create"), data)
    assert response.status_code == 400 and message in text(response)
    assert not SubjectRequest.objects.exists()


def test_the_extension_form_refuses_too_far_a_date_with_a_french_message(client, dpo):
    request = _open(dpo, received_at=at(15, 3))
    client.force_login(dpo)
    response = client.post(
        reverse("privacy:request-action", args=[request.public_id, "prolonger"]),
        {"extended_to": "2026-07-01", "extension_reason": "complexe"},
    )
    assert response.status_code == 400 and "deux mois au plus" in text(response)


def test_a_place_dpo_sees_their_places_requests_only_and_cannot_erase_an_account(client, dpo):
    here, there = PlaceFactory(name="La Grange"), PlaceFactory(name="Le Fournil")
    place_dpo = UserFactory()
    PlaceRole.objects.create(user=place_dpo, place=here, role=PlaceRole.Role.DPO)
    mine = _open(
        dpo, place=here, person_name="Ici", user=UserFactory(), identity_checked=True, identity_check="x"
    )
    other = _open(dpo, place=there, person_name="Ailleurs")
    client.force_login(place_dpo)

    page = text(client.get(reverse("privacy:requests")))
    assert str(mine.public_id) in page and str(other.public_id) not in page and "Ailleurs" not in page
    assert client.get(reverse("privacy:request", args=[other.public_id])).status_code == 404
    assert (
        client.post(reverse("privacy:request-action", args=[other.public_id, "repondre"])).status_code == 404
    )
    with pytest.raises(Forbidden):
        subject_requests.run_erasure(
            mine, Actor(user=place_dpo), scope=searches.scope_for(place_dpo), dry_run=True
        )
    with pytest.raises(DomainError) as elsewhere:
        subject_requests.open_request(
            Actor(user=place_dpo),
            scope=searches.scope_for(place_dpo),
            kind="access",
            channel="email",
            place=there,
            person_name="x",
        )
    assert elsewhere.value.field == "place"


def test_a_place_dpo_erases_a_member_of_their_place(client):
    here = PlaceFactory()
    place_dpo = UserFactory()
    PlaceRole.objects.create(user=place_dpo, place=here, role=PlaceRole.Role.DPO)
    jo = MemberFactory(place=here, user=None, name="Jo Durand", contact="04 71 00 00 01")
    actor, scope = Actor(user=place_dpo), searches.scope_for(place_dpo)
    request = subject_requests.open_request(
        actor,
        scope=scope,
        kind="erasure",
        channel="desk",
        place=here,
        member=jo,
        identity_checked=True,
        identity_check="carte d'adhérent",
    )
    subject_requests.run_erasure(request, actor, scope=scope, dry_run=True)
    subject_requests.run_erasure(request, actor, scope=scope, dry_run=False)
    assert not type(jo).objects.filter(pk=jo.pk).exists()
    request.refresh_from_db()
    assert request.member is None and request.actions[-1]["report"]["models"]


def test_others_get_a_404_and_the_anonymous_the_login_page(client, dpo):
    request = _open(dpo)
    client.force_login(UserFactory())
    for url in (reverse("privacy:requests"), reverse("privacy:request", args=[request.public_id])):
        assert client.get(url).status_code == 404
        assert Client().get(url).status_code == 302
    assert (
        client.post(reverse("privacy:request-action", args=[request.public_id, "effacer"])).status_code == 404
    )


def test_an_unknown_action_is_a_404_and_a_get_is_refused(client, dpo):
    request = _open(dpo)
    client.force_login(dpo)
    assert (
        client.post(reverse("privacy:request-action", args=[request.public_id, "inconnue"])).status_code
        == 404
    )
    assert (
        client.get(reverse("privacy:request-action", args=[request.public_id, "repondre"])).status_code == 405
    )


def test_a_rectification_corrects_the_account_from_the_request_page(client, dpo):
    lea = UserFactory(username="lea", first_name="Léa", last_name="Martn", email="lea@exemple.fr")
    request = _open(
        dpo, kind="rectification", user=lea, identity_checked=True, identity_check="courriel de son adresse"
    )
    client.force_login(dpo)
    page = text(client.get(reverse("privacy:request", args=[request.public_id])))
    assert "Rectifier les données" in page
    url = reverse("privacy:request-action", args=[request.public_id, "rectifier"])

    empty = client.post(url, {})
    assert empty.status_code == 400 and "Indiquez au moins une donnée à corriger" in text(empty)
    taken = UserFactory(email="pris@exemple.fr")
    refused = client.post(url, {"email": taken.email})
    assert refused.status_code == 400 and "Un autre compte utilise déjà cette adresse" in text(refused)

    assert client.post(url, {"last_name": "Martin"}).status_code == 302
    lea.refresh_from_db()
    request.refresh_from_db()
    assert (lea.first_name, lea.last_name, lea.email) == ("Léa", "Martin", "lea@exemple.fr")
    assert request.actions[-1]["kind"] == "rectification" and request.actions[-1]["report"]["fields"] == [
        "last_name"
    ]
    assert "Rectification" in text(client.get(reverse("privacy:request", args=[request.public_id])))


def test_a_rectification_needs_a_rectification_request_and_the_identity_checked(dpo):
    lea = UserFactory()
    scope = searches.scope_for(dpo)
    erasure_request = _open(dpo, user=lea, identity_checked=True, identity_check="vu")
    with pytest.raises(Conflict):
        subject_requests.run_rectification(erasure_request, Actor(user=dpo), scope=scope, changes={"x": 1})
    unchecked = _open(dpo, kind="rectification", user=lea)
    with pytest.raises(Conflict) as refused:
        subject_requests.run_rectification(
            unchecked, Actor(user=dpo), scope=scope, changes={"last_name": "B"}
        )
    assert refused.value.field == "identity_checked"
