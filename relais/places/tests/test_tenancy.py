"""The one tenancy module: who works for which place, what each role reaches, 404 for another place's
records, admin filters limited to the user's places, team groups declared by the apps."""

import pytest
from django.http import Http404

from relais.accounts.access import declared_permissions, sync_admin_access
from relais.accounts.models import PlaceRole
from relais.members.models import Member
from relais.places import tenancy
from relais.places.models import Place
from relais.testing import MemberFactory, PlaceFactory, PlaceRoleFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = PlaceRole.Role


@pytest.fixture
def two_places():
    return PlaceFactory(name="Lieu A"), PlaceFactory(name="Lieu B")


def test_works_for_follows_the_role(two_places):
    a, b = two_places
    manager, staff, volunteer = UserFactory(), UserFactory(), UserFactory()
    PlaceRoleFactory(user=manager, place=a, role=Role.MANAGER)
    PlaceRoleFactory(user=staff, place=a, role=Role.STAFF)
    PlaceRoleFactory(user=volunteer, place=a, role=Role.VOLUNTEER)
    assert tenancy.works_for(manager, a) and tenancy.works_for(staff, a)
    assert not tenancy.works_for(manager, b)
    # A volunteer is not the team (they see what is assigned to them only), but holds a role.
    assert not tenancy.works_for(volunteer, a)
    assert tenancy.works_for(volunteer, a, roles=Role.VOLUNTEER)
    assert tenancy.works_for(manager, a, roles=tenancy.MANAGERS)
    assert not tenancy.works_for(staff, a, roles=tenancy.MANAGERS)
    assert tenancy.roles_in(staff, a) == {"staff"}
    assert not tenancy.works_for(None, a)


def test_editable_places_are_all_for_a_network_admin_and_their_own_for_a_manager(two_places):
    a, _b = two_places
    manager, admin_user, staff = UserFactory(), UserFactory(network_admin=True), UserFactory()
    PlaceRoleFactory(user=manager, place=a, role=Role.MANAGER)
    PlaceRoleFactory(user=staff, place=a, role=Role.STAFF)
    assert list(tenancy.editable_places(manager)) == [a]
    assert tenancy.editable_places(admin_user).count() == Place.objects.count()
    assert not tenancy.editable_places(staff).exists()


def test_place_owned_records_for_the_team_and_for_the_person(two_places):
    a, b = two_places
    staff, dpo = UserFactory(), UserFactory()
    PlaceRoleFactory(user=staff, place=a, role=Role.STAFF)
    PlaceRoleFactory(user=dpo, place=a, role=Role.DPO)
    mine = MemberFactory(place=a)
    elsewhere = MemberFactory(place=b)
    assert list(Member.objects.for_team(staff)) == [mine]
    # The DPO of a place is not its team: no operational records through for_team.
    assert not Member.objects.for_team(dpo).exists()
    # A member sees their own membership of another place, not the others'.
    assert list(Member.objects.for_person_or_team(elsewhere.user)) == [elsewhere]
    assert set(Member.objects.for_person_or_team(staff)) == {mine}
    assert not Member.objects.for_team(UserFactory()).exists()


def test_a_record_of_another_place_is_a_404(two_places):
    a, b = two_places
    staff = UserFactory()
    PlaceRoleFactory(user=staff, place=a, role=Role.STAFF)
    mine, other = MemberFactory(place=a), MemberFactory(place=b)
    assert tenancy.get_for_team_or_404(Member, staff, pk=mine.pk) == mine
    with pytest.raises(Http404):
        tenancy.get_for_team_or_404(Member, staff, pk=other.pk)
    with pytest.raises(Http404):
        tenancy.get_place_for_team_or_404(staff, b.pk)
    assert tenancy.get_for_team_or_404(Member, other.user, person=True, pk=other.pk) == other


def test_team_groups_get_the_permissions_each_app_declares():
    assert ("members", "add_member") in declared_permissions("staff")
    assert ("members", "delete_member") not in declared_permissions("staff")
    assert ("spaces", "change_resource") in declared_permissions("manager")
    assert declared_permissions("volunteer") == []


def test_only_the_team_opens_the_admin(two_places):
    a, _b = two_places
    partner, staff = UserFactory(), UserFactory()
    PlaceRoleFactory(user=partner, place=a, role=Role.PARTNER)
    PlaceRoleFactory(user=staff, place=a, role=Role.STAFF)
    sync_admin_access(partner)
    sync_admin_access(staff)
    partner.refresh_from_db()
    staff.refresh_from_db()
    assert not partner.is_staff
    assert staff.is_staff
    assert staff.has_perm("members.add_member")


@pytest.mark.parametrize(
    "url", ["/admin/spaces/resource/", "/admin/spaces/closure/", "/admin/members/member/"]
)
def test_admin_filters_list_the_user_s_places_not_the_whole_registry(client, two_places, url):
    a, b = two_places
    many = [PlaceFactory(name=f"Lieu tiers {n}") for n in range(5)]
    for place in [a, b, *many]:
        ResourceFactory(place=place)
        MemberFactory(place=place)
    manager = UserFactory()
    PlaceRoleFactory(user=manager, place=a, role=Role.MANAGER)
    PlaceRoleFactory(user=manager, place=b, role=Role.MANAGER)
    sync_admin_access(manager)
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lieu A" in page and "Lieu B" in page
    assert "Lieu tiers" not in page
