import pytest
from django.core.exceptions import ValidationError

from relais.spaces import services
from relais.spaces.models import Booking
from relais.testing import QualificationFactory, ResourceFactory, UserFactory

from .conftest import NOW, paris


def messages_of(resource):
    with pytest.raises(ValidationError) as info:
        resource.full_clean()
    return info.value.message_dict


def test_a_resource_validates_its_hours_like_places_do(place):
    errors = messages_of(ResourceFactory.build(place=place, bookable_hours="Mo-Fr 9h-12h"))
    assert "horaires invalides" in errors["bookable_hours"][0]


def test_a_resource_validates_its_rules(place):
    errors = messages_of(
        ResourceFactory.build(
            place=place, capacity=4, granularity_minutes=7, min_duration_minutes=60, max_duration_minutes=30
        )
    )
    assert "capacité 1" in errors["capacity"][0]
    assert "doit diviser une journée" in errors["granularity_minutes"][0]
    assert "dépasse la durée maximale" in errors["min_duration_minutes"][0]


def test_a_machine_needs_a_qualification_of_its_own_place(place):
    errors = messages_of(ResourceFactory.build(place=place, kind="machine"))
    assert "habilitation" in errors["required_qualification"][0]
    foreign = QualificationFactory()
    errors = messages_of(ResourceFactory.build(place=place, kind="machine", required_qualification=foreign))
    assert "autre lieu" in errors["required_qualification"][0]


def test_a_valid_pool_passes(place):
    ResourceFactory.build(place=place, pool=True, equipment=["écran", "prises"]).full_clean()


def test_bookings_are_visible_to_their_person_and_to_the_team_only(
    staff_actor, member_actor, member, manager, room
):
    booking = services.book(member_actor, room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    assert list(Booking.objects.for_person_or_team(member)) == [booking]
    assert list(Booking.objects.for_person_or_team(manager)) == [booking]
    assert not Booking.objects.for_person_or_team(UserFactory(network_admin=True)).exists()


def test_a_resource_with_bookings_cannot_be_deleted_but_its_place_can(member_actor, room, place):
    from django.db.models import RestrictedError

    services.book(member_actor, room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    laser = ResourceFactory(place=place, machine=True)
    with pytest.raises(RestrictedError):
        room.delete()
    with pytest.raises(RestrictedError):
        laser.required_qualification.delete()
    place.delete()
    assert not Booking.objects.exists()
