"""The DPO's pages: « Ce qu'a fait un compte » and « Qui a consulté ou modifié cette personne » — who may open
them, what they find, the CSV exports, and each search written to the audit trail."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import PlaceRole
from relais.privacy import chain
from relais.privacy.audit import Actor, AuditAction, record
from relais.privacy.models import AuditEvent
from relais.spaces.models import Booking
from relais.testing import MemberFactory, PlaceFactory, ResourceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db

ROLE = PlaceRole.Role


def text(response):
    return html.unescape(response.content.decode())


def plain(response):
    """The page's text without its tags (an error summary links the field's label)."""
    return re.sub(r"<[^>]+>", "", text(response))


def role(user, place, kind):
    PlaceRole.objects.create(user=user, place=place, role=kind)
    return user


@pytest.fixture
def world():
    """Two places; in the first, Léa (a member with an account and a booking) and Jo (a member without
    account); a manager and a staff member in each place, and what they did."""
    here, there = PlaceFactory(name="La Grange"), PlaceFactory(name="Le Fournil")
    w = {
        "here": here,
        "there": there,
        "lea": UserFactory(
            username="lea", email="lea.martin@exemple.fr", first_name="Léa", last_name="Martin"
        ),
        "manager": role(UserFactory(username="camille", email="camille@grange.fr"), here, ROLE.MANAGER),
        "staff": role(UserFactory(username="sam"), here, ROLE.STAFF),
        "other_manager": role(UserFactory(username="dominique", email="dom@fournil.fr"), there, ROLE.MANAGER),
        "place_dpo": role(UserFactory(username="dpo-grange"), here, ROLE.DPO),
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
        "instance_dpo": UserFactory(username="dpo-reseau"),
    }
    w["instance_dpo"].user_permissions.add(Permission.objects.get(codename="search_auditevent"))
    w["lea_member"] = MemberFactory(place=here, user=w["lea"])
    w["jo"] = MemberFactory(place=here, user=None, name="Jo Durand", contact="04 71 00 00 01")
    w["elsewhere"] = MemberFactory(place=there, user=UserFactory(username="alex"))
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    w["booking"] = Booking.objects.create(
        resource=ResourceFactory(place=here),
        place=here,
        person=w["lea"],
        booked_by=w["lea"],
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    manager, other = Actor(user=w["manager"], ip_address="192.0.2.1"), Actor(user=w["other_manager"])
    w["viewed_lea"] = record(manager, AuditAction.VIEW, w["lea_member"], place=here)
    w["changed_booking"] = record(
        Actor(user=w["staff"]), AuditAction.UPDATE, w["booking"], changes={"quantity": [1, 2]}, place=here
    )
    w["viewed_jo"] = record(manager, AuditAction.VIEW, w["jo"], place=here)
    w["elsewhere_view"] = record(other, AuditAction.VIEW, w["elsewhere"], place=there)
    w["manager_elsewhere"] = record(manager, AuditAction.VIEW, w["elsewhere"], place=there)
    return w


def urls(w):
    account = f"?compte={w['manager'].public_id}"
    person = f"?fiche={w['lea_member'].public_id}"
    return [
        reverse("privacy:dpo"),
        reverse("privacy:account") + account,
        reverse("privacy:account-csv") + account,
        reverse("privacy:person") + person,
        reverse("privacy:person-csv") + person,
    ]


# --- Who may open them ------------------------------------------------------------------------------


def test_the_anonymous_are_sent_to_the_login_page(client, world):
    for url in urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/connexion/" in response.url, url


@pytest.mark.parametrize("who", ["lea", "staff", "manager", "other_manager"])
def test_members_and_teams_get_a_404(client, world, who):
    client.force_login(world[who])
    for url in urls(world):
        assert client.get(url).status_code == 404, (who, url)


@pytest.mark.parametrize("who", ["place_dpo", "instance_dpo", "superuser"])
def test_the_dpos_and_superusers_open_them(client, world, who):
    client.force_login(world[who])
    for url in urls(world):
        assert client.get(url).status_code == 200, (who, url)


def test_a_network_admin_is_no_dpo(client, world):
    client.force_login(UserFactory(network_admin=True))
    assert client.get(reverse("privacy:dpo")).status_code == 404


def test_a_place_dpo_cannot_reach_a_member_or_an_account_of_another_place(client, world):
    client.force_login(world["place_dpo"])
    assert client.get(reverse("privacy:person"), {"fiche": world["elsewhere"].public_id}).status_code == 404
    assert (
        client.get(reverse("privacy:account"), {"compte": world["other_manager"].public_id}).status_code
        == 404
    )
    response = client.get(reverse("privacy:account"), {"q": "dom@fournil.fr"})
    assert "Aucun compte ne correspond à « dom@fournil.fr »." in text(response)


def test_a_malformed_identifier_is_a_404(client, world):
    client.force_login(world["superuser"])
    assert client.get(reverse("privacy:person"), {"fiche": "12"}).status_code == 404
    assert client.get(reverse("privacy:account"), {"compte": "pas-un-uuid"}).status_code == 404


# --- What an account did ----------------------------------------------------------------------------


def listed(response):
    return [e.pk for e in response.context["page"].object_list]


def test_an_account_is_found_by_its_email_and_its_events_listed_newest_first(client, world):
    client.force_login(world["superuser"])

    response = client.get(reverse("privacy:account"), {"q": "CAMILLE@grange.fr"})

    assert listed(response) == [world["manager_elsewhere"].pk, world["viewed_jo"].pk, world["viewed_lea"].pk]
    page = text(response)
    assert "Événements du compte camille (camille)" in page and "192.0.2.1" in page


def test_a_place_dpo_sees_only_what_the_account_did_in_their_places(client, world):
    client.force_login(world["place_dpo"])

    response = client.get(reverse("privacy:account"), {"q": "camille"})

    assert listed(response) == [world["viewed_jo"].pk, world["viewed_lea"].pk]


def test_the_events_are_filtered_by_action_and_dates(client, world):
    client.force_login(world["instance_dpo"])
    old = AuditEvent.objects.create(
        at=datetime.datetime(2025, 3, 30, 0, 30, tzinfo=datetime.UTC),  # 30 March in Paris (UTC+2 from 2 am)
        actor=world["manager"],
        actor_label="camille",
        action=AuditAction.UPDATE,
        target_type="members.member",
        target_id=str(world["jo"].pk),
        place=world["here"],
    )
    base = {"compte": world["manager"].public_id}

    assert listed(client.get(reverse("privacy:account"), {**base, "action": "update"})) == [old.pk]
    same_day = {**base, "since": "2025-03-30", "until": "2025-03-30"}
    assert listed(client.get(reverse("privacy:account"), same_day)) == [old.pk]
    assert listed(client.get(reverse("privacy:account"), {**base, "until": "2025-03-29"})) == []
    assert old.pk not in listed(client.get(reverse("privacy:account"), {**base, "since": "2025-03-31"}))


def test_bad_filters_get_a_french_message_naming_the_field(client, world):
    client.force_login(world["instance_dpo"])
    base = {"compte": world["manager"].public_id}

    response = client.get(reverse("privacy:account"), {**base, "since": "2025-13-45", "action": "effacer"})
    page = plain(response)
    assert response.status_code == 200 and response.context["page"] is None
    assert "Du : Saisissez une date valide" in page
    assert "Action : Choisissez une action de la liste." in page
    reversed_period = client.get(
        reverse("privacy:account"), {**base, "since": "2025-04-02", "until": "2025-04-01"}
    )
    assert "Au : La date « Au » doit être le même jour que « Du » ou après." in plain(reversed_period)
    empty = client.get(reverse("privacy:account"), {"q": " "})
    assert "Compte (adresse e-mail ou identifiant) : Saisissez l'adresse e-mail" in plain(empty)
    for message in response.context["form"].errors.values():
        assert_french(message[0])


def test_two_accounts_sharing_an_email_are_offered_to_choose(client, world):
    twin = UserFactory(username="camille2", email="camille@grange.fr")
    client.force_login(world["superuser"])

    response = client.get(reverse("privacy:account"), {"q": "camille@grange.fr"})

    assert response.context["choices"] == [world["manager"], twin]
    assert f"?compte={twin.public_id}" in text(response)


def test_the_list_is_paged_and_the_filters_follow_the_pages(client, world):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=world["manager"],
            actor_label="camille",
            action=AuditAction.VIEW,
            target_type="members.member",
            target_id=str(n),
            place=world["here"],
        )
        for n in range(60)
    )
    client.force_login(world["place_dpo"])
    params = {"compte": world["manager"].public_id, "action": "view"}

    first = client.get(reverse("privacy:account"), params)
    second = client.get(reverse("privacy:account"), {**params, "page": 2})

    assert len(listed(first)) == 50 and len(listed(second)) == 12  # 60 + the views of Léa and Jo
    assert "page=2" in text(first) and "action=view" in text(first)
    # The filters' form keeps the account chosen.
    assert f'name="compte" value="{world["manager"].public_id}"' in text(first)


def test_the_csv_export_lists_the_same_events(client, world):
    client.force_login(world["place_dpo"])

    response = client.get(reverse("privacy:account-csv"), {"compte": world["manager"].public_id})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "date;auteur;canal;adresse_ip;action;type_objet;identifiant;objet;lieu"
    assert len(lines) == 3
    assert lines[2].split(";")[1:] == [
        "camille",
        "web",
        "192.0.2.1",
        "consultation",
        "members.member",
        str(world["lea_member"].pk),
        "Léa Martin",
        "La Grange",
    ]


# --- Who viewed or changed a person's records ---------------------------------------------------------


def test_an_email_finds_the_account_and_its_memberships(client, world):
    client.force_login(world["place_dpo"])

    response = client.get(reverse("privacy:person"), {"q": "lea.martin@exemple.fr"})

    page = text(response)
    assert f"compte={world['lea'].public_id}" in page
    assert f"fiche={world['lea_member'].public_id}" in page
    assert "adhérent de La Grange" in page


def test_a_member_without_account_is_found_by_the_contact_recorded(client, world):
    client.force_login(world["place_dpo"])

    response = client.get(reverse("privacy:person"), {"q": "04 71 00 00 01"})

    assert f"fiche={world['jo'].public_id}" in text(response)
    events = client.get(reverse("privacy:person"), {"fiche": world["jo"].public_id})
    assert listed(events)[1:] == [world["viewed_jo"].pk]  # after the search itself, just recorded


def test_a_members_events_include_their_booking_and_nothing_about_others(client, world):
    client.force_login(world["place_dpo"])

    response = client.get(reverse("privacy:person"), {"fiche": world["lea_member"].public_id})

    found = set(listed(response))
    assert {world["viewed_lea"].pk, world["changed_booking"].pk} <= found
    assert not {world["viewed_jo"].pk, world["elsewhere_view"].pk, world["manager_elsewhere"].pk} & found
    assert "Événements concernant Léa Martin" in text(response)
    assert f'name="fiche" value="{world["lea_member"].public_id}"' in text(response)


def test_the_account_search_includes_the_membership_and_the_booking(client, world):
    client.force_login(world["superuser"])

    response = client.get(reverse("privacy:person"), {"compte": world["lea"].public_id})

    found = set(listed(response))
    assert {world["viewed_lea"].pk, world["changed_booking"].pk} <= found
    assert world["viewed_jo"].pk not in found


def test_nobody_matching_gets_a_french_message(client, world):
    client.force_login(world["place_dpo"])

    response = client.get(reverse("privacy:person"), {"q": "inconnu@exemple.fr"})

    assert "Personne ne correspond à « inconnu@exemple.fr »." in text(response)
    # Alex is a member of the other place only: not found by this place's DPO.
    assert "fiche=" not in text(client.get(reverse("privacy:person"), {"q": "alex"}))


# --- Each search is audited -----------------------------------------------------------------------------


def test_each_search_is_written_to_the_trail_with_the_person_as_target(client, world):
    client.force_login(world["place_dpo"])

    client.get(reverse("privacy:person"), {"fiche": world["lea_member"].public_id})
    client.get(reverse("privacy:account-csv"), {"compte": world["manager"].public_id})

    by_dpo = AuditEvent.objects.filter(actor=world["place_dpo"]).order_by("pk")
    assert [(e.action, e.target_type, e.target_id, e.place_id) for e in by_dpo] == [
        ("view", "members.member", str(world["lea_member"].pk), world["here"].pk),
        ("view", "accounts.user", str(world["manager"].pk), None),
    ]
    assert by_dpo[0].changes == {"search": [None, "person_events"]}
    assert chain.verify(AuditEvent.objects.all()).ok


def test_a_list_of_candidates_is_not_a_search_of_anyone(client, world):
    client.force_login(world["place_dpo"])
    before = AuditEvent.objects.count()

    client.get(reverse("privacy:person"), {"q": "lea.martin@exemple.fr"})

    assert AuditEvent.objects.count() == before


def test_a_place_dpo_finds_a_member_s_account_before_anything_was_recorded(client, world):
    newcomer = MemberFactory(place=world["here"], user=UserFactory(username="nina", email="nina@exemple.fr"))
    client.force_login(world["place_dpo"])

    page = text(client.get(reverse("privacy:person"), {"q": "nina@exemple.fr"}))

    assert f"compte={newcomer.user.public_id}" in page and f"fiche={newcomer.public_id}" in page
    assert client.get(reverse("privacy:account"), {"q": "nina"}).context["account"] == newcomer.user
