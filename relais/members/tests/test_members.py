"""Members of a place: the record and its rules, the admin pages of the place's team (scoped, audited), and
the admin access a role in a place gives."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from relais.accounts.access import sync_admin_access
from relais.accounts.models import PlaceRole
from relais.members import services
from relais.members.models import Member
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db


def test_a_membership_covers_its_days():
    place, user = PlaceFactory(), UserFactory()
    Member.objects.create(
        place=place, user=user, joined_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    assert services.is_member(place, user, datetime.date(2026, 1, 1))
    assert services.is_member(place, user, datetime.date(2026, 12, 31))
    assert not services.is_member(place, user, datetime.date(2027, 1, 1))
    assert not services.is_member(place, user, datetime.date(2025, 12, 31))
    assert not services.is_member(PlaceFactory(), user, datetime.date(2026, 6, 1))
    assert not services.is_member(place, None, datetime.date(2026, 6, 1))
    assert list(Member.objects.active_on(datetime.date(2026, 6, 1))) == list(Member.objects.all())
    assert not Member.objects.active_on(datetime.date(2027, 6, 1)).exists()


def test_a_member_without_an_account_needs_a_name_and_a_contact():
    member = Member(place=PlaceFactory())
    with pytest.raises(ValidationError) as info:
        member.full_clean()
    assert set(info.value.message_dict) >= {"name", "contact"}
    for messages in info.value.message_dict.values():
        for message in messages:
            assert_french(message)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(place=PlaceFactory())


def test_an_account_joins_a_place_once_and_ends_after_joining():
    place, user = PlaceFactory(), UserFactory()
    Member.objects.create(place=place, user=user)
    duplicate = Member(place=place, user=user)
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "déjà adhérent" in info.value.message_dict["user"][0]
    backwards = Member(
        place=place,
        name="X",
        contact="x@example.org",
        joined_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError) as info:
        backwards.full_clean()
    assert "précède" in info.value.message_dict["ends_on"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()


def test_a_role_in_a_place_opens_the_admin_with_the_role_s_permissions(django_capture_on_commit_callbacks):
    user, place = UserFactory(), PlaceFactory()
    assert not user.is_staff
    with django_capture_on_commit_callbacks(execute=True):
        role = PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.MANAGER)
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("spaces.add_resource") and user.has_perm("members.add_member")
    assert not user.has_perm("spaces.change_booking")  # bookings change through the services only
    with django_capture_on_commit_callbacks(execute=True):
        role.role = PlaceRole.Role.STAFF
        role.save()
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("members.change_member") and not user.has_perm("spaces.add_resource")
    with django_capture_on_commit_callbacks(execute=True):
        role.delete()
    user = type(user).objects.get(pk=user.pk)
    assert not user.is_staff and not user.has_perm("members.view_member")


def test_an_older_role_gets_its_access_at_login(client):
    user = UserFactory(username="ancienne")
    user.set_password("un mot de passe assez long")
    user.save()
    place = PlaceFactory()
    PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.MANAGER)
    type(user).objects.filter(pk=user.pk).update(is_staff=False)
    response = client.post(
        reverse("accounts:login"), {"username": "ancienne", "password": "un mot de passe assez long"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff


@pytest.fixture
def manager_client(client):
    manager, place = UserFactory(), PlaceFactory(name="Chez nous")
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    sync_admin_access(manager)
    client.force_login(manager)
    client.place = place
    return client


def test_the_admin_shows_a_team_its_own_members_and_records_each_opening(manager_client):
    place = manager_client.place
    ours = Member.objects.create(place=place, name="Josiane Vidal", contact="04 71 00 00 00")
    theirs = Member.objects.create(
        place=PlaceFactory(), name="Quelqu'un d'ailleurs", contact="05 00 00 00 00"
    )
    listing = manager_client.get(reverse("admin:members_member_changelist")).content.decode()
    assert "Josiane Vidal" in listing and "ailleurs" not in listing
    assert manager_client.get(reverse("admin:members_member_change", args=[theirs.pk])).status_code == 302
    assert manager_client.get(reverse("admin:members_member_change", args=[ours.pk])).status_code == 200
    assert AuditEvent.objects.for_object(ours).filter(action="view").count() == 1
    assert not AuditEvent.objects.for_object(theirs).exists()


def test_the_admin_adds_a_member_to_one_of_the_team_s_places_only(manager_client):
    place = manager_client.place
    other = PlaceFactory()
    url = reverse("admin:members_member_add")
    data = {"place": other.pk, "name": "Jean", "contact": "06 00 00 00 00", "joined_on": "2026-11-01"}
    response = manager_client.post(url, data)
    assert response.status_code == 200 and not Member.objects.exists()
    response = manager_client.post(url, {**data, "place": place.pk})
    assert response.status_code == 302
    member = Member.objects.get()
    assert member.place == place and member.created_by is not None
    event = AuditEvent.objects.for_object(member).get(action="create")
    assert event.changes["name"] == [None, "Jean"]
