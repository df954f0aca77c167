"""The Django admin shows each user the resources and bookings of their places only."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.privacy.models import AuditEvent
from relais.spaces import services
from relais.spaces.enums import BookingStatus
from relais.testing import PlaceFactory, ResourceFactory, UserFactory

from .conftest import NOW, paris


def staff_user(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="spaces"))
    return user


@pytest.fixture
def other_booking(db):
    other_place = PlaceFactory(name="Ailleurs")
    other_manager = UserFactory()
    PlaceRole.objects.create(user=other_manager, place=other_place, role=PlaceRole.Role.MANAGER)
    room = ResourceFactory(place=other_place, name="Salle d'ailleurs")
    from relais.privacy.audit import Actor

    return services.book(
        Actor(user=other_manager), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW
    )


@pytest.fixture
def own_booking(staff_actor, room):
    return services.book(
        staff_actor,
        room,
        paris(2026, 3, 3, 9, 0),
        paris(2026, 3, 3, 10, 0),
        person_name="Jean",
        person_contact="06 00 00 00 00",
        now=NOW,
    )


def test_every_page_opens_for_a_superuser(client, own_booking):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in [
        "resource",
        "closure",
        "qualification",
        "userqualification",
        "booking",
        "bookingseries",
        "waitlistentry",
    ]:
        assert client.get(reverse(f"admin:spaces_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:spaces_resource_add")).status_code == 200
    assert (
        client.get(reverse("admin:spaces_resource_change", args=[own_booking.resource_id])).status_code == 200
    )
    assert client.get(reverse("admin:spaces_booking_change", args=[own_booking.pk])).status_code == 200


def test_a_manager_sees_the_bookings_of_their_place_only(client, place, own_booking, other_booking):
    manager = staff_user()
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    client.force_login(manager)
    page = client.get(reverse("admin:spaces_booking_changelist"))
    assert list(page.context["cl"].queryset) == [own_booking]
    assert client.get(reverse("admin:spaces_booking_change", args=[other_booking.pk])).status_code == 302
    assert client.get(reverse("admin:spaces_booking_change", args=[own_booking.pk])).status_code == 200
    view = AuditEvent.objects.get(action="view")
    assert view.target_id == str(own_booking.pk) and view.channel == "admin"
    resources = client.get(reverse("admin:spaces_resource_changelist")).context["cl"].queryset
    assert list(resources) == [own_booking.resource]


def test_a_network_admin_configures_every_place_but_sees_no_bookings(client, own_booking, other_booking):
    client.force_login(staff_user(network_admin=True))
    assert client.get(reverse("admin:spaces_resource_changelist")).context["cl"].queryset.count() == 2
    assert not client.get(reverse("admin:spaces_booking_changelist")).context["cl"].queryset.exists()


def test_cancelling_from_the_admin_goes_through_the_service(client, place, own_booking):
    manager = staff_user()
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.STAFF)
    client.force_login(manager)
    response = client.post(
        reverse("admin:spaces_booking_changelist"),
        {"action": "cancel_bookings", "_selected_action": [own_booking.pk]},
    )
    assert response.status_code == 302
    own_booking.refresh_from_db()
    assert own_booking.status == BookingStatus.CANCELLED
    event = AuditEvent.objects.for_object(own_booking).get(action="update")
    assert event.channel == "admin" and event.changes["status"] == ["confirmed", "cancelled"]
