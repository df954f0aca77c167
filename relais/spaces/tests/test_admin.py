"""The Django admin shows each user the resources and bookings of their places only."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import PlaceRole
from relais.privacy.models import AuditEvent
from relais.spaces import services
from relais.spaces.enums import BookingStatus
from relais.spaces.models import WaitlistEntry
from relais.testing import PlaceFactory, QualificationFactory, ResourceFactory, UserFactory

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


def _manager_of(place):
    from relais.accounts.access import sync_admin_access

    manager = UserFactory()
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    sync_admin_access(manager)
    return manager


def test_a_closure_is_entered_and_shown_in_the_place_s_own_time(client, db):
    import datetime

    from relais.spaces.models import Closure
    from relais.testing import place_in

    place = place_in("97105", name="Tiers-lieu de Basse-Terre")  # Guadeloupe, UTC-4
    client.force_login(_manager_of(place))
    add = client.get(reverse("admin:spaces_closure_add"))
    assert add.context["adminform"].form.initial["place"] == place.pk  # their only place
    response = client.post(
        reverse("admin:spaces_closure_add"),
        {
            "place": place.pk,
            "start_0": "25/11/2026",
            "start_1": "14:00",
            "end_0": "25/11/2026",
            "end_1": "16:00",
            "reason": "Formation de l'équipe",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    closure = Closure.objects.get()
    assert closure.start == datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)
    page = client.get(reverse("admin:spaces_closure_change", args=[closure.pk])).content.decode()
    assert 'name="start_1" value="14:00' in page


def test_prices_are_typed_in_euros_and_accounts_by_identifier(client, place):
    from relais.members.models import Member
    from relais.spaces.models import PriceRule, UserQualification

    manager = _manager_of(place)
    client.force_login(manager)
    room = ResourceFactory(place=place, name="Salle Cantal")
    url = reverse("admin:spaces_resource_change", args=[room.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("equipment",)}
    data.update(
        {
            "place": place.pk,
            "equipment": "[]",
            "price_rules-TOTAL_FORMS": "1",
            "price_rules-INITIAL_FORMS": "0",
            "price_rules-0-audience": "member",
            "price_rules-0-unit": "hour",
            "price_rules-0-amount": "12,50",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PriceRule.objects.get(resource=room).amount_cents == 1250

    camille = UserFactory(username="camille", email="camille@example.org")
    # An account elsewhere in the instance is unknown to the place: the same answer as no account at all
    # (issue 10: the member form was an e-mail oracle).
    response = client.post(
        reverse("admin:members_member_add"),
        {"place": place.pk, "user": "Camille@Example.org", "joined_on": "01/11/2026"},
    )
    assert response.status_code == 200
    assert "personne inconnue du lieu" in response.content.decode()
    assert not Member.objects.exists()
    # Once known to the place (she waited for a slot there), the team names her by her address.
    start = timezone.now() + datetime.timedelta(days=3)
    WaitlistEntry.objects.create(
        resource=room, place=place, person=camille, start=start, end=start + datetime.timedelta(hours=1)
    )
    response = client.post(
        reverse("admin:members_member_add"),
        {"place": place.pk, "user": "Camille@Example.org", "joined_on": "01/11/2026"},
    )
    assert response.status_code == 302
    assert Member.objects.get().user == camille
    unknown = {"place": place.pk, "user": "personne", "joined_on": "01/11/2026"}
    response = client.post(reverse("admin:members_member_add"), unknown)
    assert "personne inconnue du lieu" in response.content.decode()

    qualification = QualificationFactory(place=place)
    response = client.post(
        reverse("admin:spaces_userqualification_add"),
        {"user": "camille", "qualification": qualification.pk, "granted_on": "02/11/2026"},
    )
    assert response.status_code == 302
    granted = UserQualification.objects.get()
    assert granted.user == camille and granted.granted_by == manager


def test_a_new_resource_starts_from_the_usual_rules_of_its_kind(client, place):
    from relais.spaces.models import KIND_DEFAULTS

    client.force_login(_manager_of(place))
    listing = client.get(reverse("admin:spaces_resource_changelist")).content.decode()
    assert "?kind=meeting_room" in listing and "?kind=permanence" in listing
    form = client.get(reverse("admin:spaces_resource_add"), {"kind": "permanence"}).context["adminform"].form
    assert form.initial["booking_policy"] == "staff" and form.initial["max_duration_minutes"] == 60
    assert form.initial["place"] == place.pk
    for kind, rules in KIND_DEFAULTS.items():  # every set of rules is a valid resource
        from relais.spaces.models import Resource

        qualification = QualificationFactory(place=place) if kind == "machine" else None
        Resource(
            place=place, kind=kind, name=kind, required_qualification=qualification, **rules
        ).full_clean()
