"""Every view of a person's file by the team is written to the audit trail: a member's page, a booking's
change and cancel pages opened by the place's team; a person opening their own booking is not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import PlaceRole
from relais.privacy.models import AuditEvent
from relais.spaces.models import Booking
from relais.testing import MemberFactory, PlaceFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return PlaceFactory()


@pytest.fixture
def staff(place):
    user = UserFactory()
    PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.STAFF)
    return user


@pytest.fixture
def booking(place):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=10)
    person = UserFactory()
    return Booking.objects.create(
        resource=ResourceFactory(place=place),
        place=place,
        person=person,
        booked_by=person,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )


def views_of(obj):
    return list(AuditEvent.objects.for_object(obj).filter(action="view"))


@pytest.mark.parametrize("page", ["spaces:change", "spaces:cancel"])
def test_the_team_opening_a_booking_is_recorded(client, staff, booking, page):
    client.force_login(staff)

    assert client.get(reverse(page, args=[booking.public_id])).status_code == 200

    (event,) = views_of(booking)
    assert event.actor == staff and event.place_id == booking.place_id


@pytest.mark.parametrize("page", ["spaces:change", "spaces:cancel"])
def test_the_person_opening_their_own_booking_is_not_a_view_of_someone_s_file(client, booking, page):
    client.force_login(booking.person)

    assert client.get(reverse(page, args=[booking.public_id])).status_code == 200

    assert views_of(booking) == []


def test_someone_else_gets_a_404_and_nothing_is_recorded(client, booking):
    client.force_login(UserFactory())

    assert client.get(reverse("spaces:change", args=[booking.public_id])).status_code == 404

    assert views_of(booking) == []


def test_the_team_opening_a_member_s_page_is_recorded(client, staff, place):
    member = MemberFactory(place=place)
    client.force_login(staff)

    assert client.get(reverse("spaces:config-member", args=[place.pk, member.public_id])).status_code == 200

    (event,) = views_of(member)
    assert event.actor == staff and event.place_id == place.pk
