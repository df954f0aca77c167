"""The demonstration resources are valid, bookable and loaded once."""

import pytest

from relais.spaces.demo import DEMO_RESOURCES, load_demo_resources
from relais.spaces.models import Resource
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def test_demo_resources_are_valid_and_idempotent():
    places = [PlaceFactory(), PlaceFactory()]
    assert load_demo_resources(places) == 2 * len(DEMO_RESOURCES)
    assert load_demo_resources(places) == 0
    for resource in Resource.objects.all():
        resource.full_clean()
    machine = Resource.objects.filter(kind="machine").first()
    assert machine.required_qualification.place == machine.place


def test_the_demo_member_books_at_the_member_rate_and_the_desk_slot_is_for_the_team():
    import datetime

    from django.utils import timezone

    from relais.core.errors import DomainError
    from relais.members.models import Member
    from relais.privacy.audit import Actor
    from relais.spaces import services
    from relais.spaces.demo import load_demo_members
    from relais.testing import UserFactory

    place = PlaceFactory(opening_hours="Mo-Fr 09:00-18:00")
    load_demo_resources([place])
    member = UserFactory()
    load_demo_members([place], member)
    load_demo_members([place], member)  # idempotent
    assert Member.objects.filter(place=place).count() == 2
    for record in Member.objects.all():
        record.full_clean()
    today = timezone.localdate()
    day = today + datetime.timedelta(days=7 - today.weekday() + 1)  # a Tuesday, next week or the one after
    start = datetime.datetime.combine(day, datetime.time(10))
    room = Resource.objects.get(place=place, kind="meeting_room")
    booking = services.book(Actor(user=member), room, start, start + datetime.timedelta(hours=2))
    assert booking.member_rate and booking.price_cents == 2000
    desk = Resource.objects.get(place=place, kind="permanence")
    with pytest.raises(DomainError) as info:
        services.book(Actor(user=member), desk, start, start + datetime.timedelta(hours=1))
    assert info.value.code == "staff_only"
