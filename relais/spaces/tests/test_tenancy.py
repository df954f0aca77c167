"""Bookings, resources and waiting lists are place-owned (places.tenancy): their person sees their own,
the team of the place sees its place's, any other role of the place and anyone else gets a 404."""

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.spaces import services
from relais.spaces.models import Booking, Resource, WaitlistEntry
from relais.testing import UserFactory

from .conftest import NOW, paris

START, END = paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 11, 0)


@pytest.fixture
def booking(staff_actor, room, member):
    return services.book(staff_actor, room, START, END, person=member, now=NOW)


@pytest.mark.parametrize("role", [PlaceRole.Role.VOLUNTEER, PlaceRole.Role.PARTNER, PlaceRole.Role.DPO])
def test_other_roles_of_the_place_do_not_see_its_bookings(client, place, booking, role):
    user = UserFactory()
    PlaceRole.objects.create(user=user, place=place, role=role)
    assert not Booking.objects.for_person_or_team(user).exists()
    client.force_login(user)
    assert client.get(reverse("spaces:change", args=[booking.public_id])).status_code == 404
    assert client.get(reverse("spaces:place-bookings", args=[place.pk])).status_code == 404


def test_the_person_and_whoever_booked_see_the_booking(client, member, manager, booking):
    assert list(Booking.objects.for_person_or_team(member)) == [booking]
    assert list(Booking.objects.for_person_or_team(manager)) == [booking]
    assert list(Booking.objects.of_person(manager)) == [booking]  # booked by the manager
    assert not Booking.objects.for_team(member).exists()
    client.force_login(member)
    assert client.get(reverse("spaces:change", args=[booking.public_id])).status_code == 200


def test_resources_and_waiting_lists_are_the_teams(staff_actor, manager, member, room):
    entry = services.join_waitlist(staff_actor, room, START, END, person=member)
    assert list(Resource.objects.for_team(manager)) == [room]
    assert not Resource.objects.for_team(member).exists()
    assert list(WaitlistEntry.objects.for_person_or_team(member)) == [entry]
    assert not WaitlistEntry.objects.for_team(UserFactory()).exists()
