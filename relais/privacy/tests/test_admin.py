"""The audit trail is read-only in the Django admin too, for superusers as for anyone."""

import pytest
from django.urls import reverse

from relais.privacy.audit import Actor, AuditAction, record
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_reads_the_trail_but_cannot_add_change_or_delete(client):
    event = record(Actor(label="système", channel="command"), AuditAction.VIEW, PlaceFactory())
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = reverse("admin:privacy_auditevent_change", args=[event.pk])

    assert client.get(reverse("admin:privacy_auditevent_changelist")).status_code == 200
    shown = client.get(page)
    assert shown.status_code == 200 and event.hash in shown.content.decode()
    assert client.get(reverse("admin:privacy_auditevent_add")).status_code == 403
    assert client.post(page, {"target_label": "autre"}).status_code == 403
    assert (
        client.post(reverse("admin:privacy_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    changelist = client.post(
        reverse("admin:privacy_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert AuditEvent.objects.get().target_label == event.target_label
