"""The team's pages for the members of a place: list, add (an account known to the place, or a person
without account), change, end a membership — managers and staff, audited, 404 for anyone else."""

import datetime
import html

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.members.models import Member
from relais.privacy.models import AuditEvent
from relais.testing import MemberFactory, PlaceFactory, UserFactory, assert_french

from .test_views import make_booking, next_monday


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def staff(place):
    user = UserFactory(first_name="Sam", last_name="Accueil")
    PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.STAFF)
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def a_member(place):
    return MemberFactory(place=place, user=UserFactory(first_name="Camille", last_name="Martin"))


def urls(place, member):
    return [
        reverse("spaces:config-members", args=[place.pk]),
        reverse("spaces:config-member-new", args=[place.pk]),
        reverse("spaces:config-member", args=[place.pk, member.public_id]),
    ]


def test_the_pages_open_for_managers_and_staff(client, manager, staff, place, a_member):
    for user in (manager, staff):
        client.force_login(user)
        for url in urls(place, a_member):
            assert client.get(url).status_code == 200, (user, url)
    page = text(client.get(urls(place, a_member)[0]))
    assert "Camille Martin" in page and "Adhérent depuis le 1 janvier 2025" in page.replace("1er", "1")


def test_anyone_else_gets_a_404_and_the_anonymous_the_login(client, place, a_member):
    for url in urls(place, a_member):
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/connexion/" in response.url
    other = UserFactory()
    PlaceRole.objects.create(user=other, place=PlaceFactory(), role=PlaceRole.Role.MANAGER)
    volunteer = UserFactory()
    PlaceRole.objects.create(user=volunteer, place=place, role=PlaceRole.Role.VOLUNTEER)
    for user in (other, volunteer, a_member.user):
        client.force_login(user)
        for url in urls(place, a_member):
            assert client.get(url).status_code == 404, (user, url)
        end = reverse("spaces:config-member-end", args=[place.pk, a_member.public_id])
        assert client.post(end, {"fin-ends_on": "2026-01-01"}).status_code == 404
    a_member.refresh_from_db()
    assert a_member.ends_on is None


def test_a_member_of_another_place_is_not_reached(manager_client, place):
    elsewhere = MemberFactory()
    assert (
        manager_client.get(reverse("spaces:config-member", args=[place.pk, elsewhere.public_id])).status_code
        == 404
    )


def test_adding_an_account_known_to_the_place_by_its_email(manager_client, manager, place, room):
    camille = UserFactory(email="camille@example.org")
    make_booking(
        room,
        camille,
        datetime.datetime.combine(next_monday(), datetime.time(9), tzinfo=datetime.UTC),
        datetime.datetime.combine(next_monday(), datetime.time(10), tzinfo=datetime.UTC),
    )
    response = manager_client.post(
        reverse("spaces:config-member-new", args=[place.pk]),
        {"user": "Camille@Example.org", "name": "", "contact": "", "joined_on": "2026-01-15", "ends_on": ""},
    )
    assert response.status_code == 302, response.context["form"].errors
    member = Member.objects.get(place=place)
    assert member.user == camille and member.joined_on == datetime.date(2026, 1, 15)
    assert member.created_by == manager
    event = AuditEvent.objects.for_object(member).get()
    assert event.action == "create" and event.place_id == place.pk
    assert event.changes["user_id"] == [None, str(camille.pk)]


def test_an_account_unknown_to_the_place_gets_the_same_answer_as_none(manager_client, place):
    UserFactory(email="ailleurs@example.org")  # an account of the instance, unknown to the place
    answers = []
    for value in ("ailleurs@example.org", "personne@example.org"):
        response = manager_client.post(
            reverse("spaces:config-member-new", args=[place.pk]),
            {"user": value, "joined_on": "2026-01-15"},
        )
        assert response.status_code == 200
        [message] = response.context["form"].errors["user"]
        assert_french(message)
        answers.append(message.replace(value, "…"))
    assert answers[0] == answers[1]
    assert not Member.objects.exists()


def test_adding_a_person_without_account(client, staff, place):
    client.force_login(staff)
    url = reverse("spaces:config-member-new", args=[place.pk])
    missing = client.post(url, {"user": "", "name": "Josette Roux", "contact": "", "joined_on": "2026-01-15"})
    assert missing.status_code == 200
    [message] = missing.context["form"].errors["contact"]
    assert "téléphone ou un e-mail" in message
    assert 'id="id_contact_error"' in text(missing)
    response = client.post(
        url, {"user": "", "name": "Josette Roux", "contact": "04 71 00 00 00", "joined_on": "2026-01-15"}
    )
    assert response.status_code == 302
    member = Member.objects.get()
    assert (member.user, member.name, member.created_by) == (None, "Josette Roux", staff)


def test_a_membership_ending_before_it_starts_is_refused(manager_client, place):
    response = manager_client.post(
        reverse("spaces:config-member-new", args=[place.pk]),
        {
            "name": "Josette Roux",
            "contact": "04 71 00 00 00",
            "joined_on": "2026-01-15",
            "ends_on": "2025-12-31",
        },
    )
    assert "précède" in response.context["form"].errors["ends_on"][0]


def test_an_account_already_member_is_refused(manager_client, place, a_member):
    response = manager_client.post(
        reverse("spaces:config-member-new", args=[place.pk]),
        {"user": a_member.user.username, "joined_on": "2026-01-15"},
    )
    assert "déjà adhérent" in response.context["form"].errors["user"][0]


def test_opening_changing_and_ending_a_membership_is_audited(client, staff, place, a_member):
    client.force_login(staff)
    url = reverse("spaces:config-member", args=[place.pk, a_member.public_id])
    page = client.get(url)
    assert "user" not in page.context["form"].fields  # the account of a membership stays
    assert AuditEvent.objects.for_object(a_member).get().action == "view"

    client.post(url, {"name": "", "contact": "06 00 00 00 00", "joined_on": "2025-01-01", "ends_on": ""})
    a_member.refresh_from_db()
    assert a_member.contact == "06 00 00 00 00"
    assert AuditEvent.objects.for_object(a_member).get(action="update").changes == {
        "contact": ["", "06 00 00 00 00"]
    }

    end = reverse("spaces:config-member-end", args=[place.pk, a_member.public_id])
    too_early = client.post(end, {"fin-ends_on": "2024-06-30"})
    assert too_early.status_code == 200
    assert "précède" in too_early.context["end_form"].errors["ends_on"][0]
    assert client.get(end).status_code == 405
    response = client.post(end, {"fin-ends_on": "2026-06-30"})
    assert response.status_code == 302
    a_member.refresh_from_db()
    assert a_member.ends_on == datetime.date(2026, 6, 30)
    assert AuditEvent.objects.for_object(a_member).filter(action="update").count() == 2

    listing = text(client.get(reverse("spaces:config-members", args=[place.pk])))
    assert "au 30 juin 2026" in listing
