"""Changes made in the Django admin are audited like the others."""

import pytest
from django.urls import reverse

from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, network_admin=True))
    return client


def test_a_change_in_the_admin_is_recorded_with_before_and_after(admin_client):
    place = PlaceFactory(name="Avant", typologies=["FABLAB"])
    page = admin_client.get(reverse("admin:places_place_change", args=[place.pk]))
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    data.update(name="Après", typologies=[t.pk for t in place.typologies.all()])
    data = {k: v for k, v in data.items() if v not in (False,)}
    response = admin_client.post(reverse("admin:places_place_change", args=[place.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = AuditEvent.objects.get(action="update")
    assert event.channel == "admin"
    assert event.changes["name"] == ["Avant", "Après"]


def test_a_deletion_in_the_admin_is_recorded(admin_client):
    place = PlaceFactory(name="À supprimer")
    admin_client.post(reverse("admin:places_place_delete", args=[place.pk]), {"post": "yes"})
    event = AuditEvent.objects.get(action="delete")
    assert event.target_label == "À supprimer"
    assert event.changes["name"] == ["À supprimer", None]
