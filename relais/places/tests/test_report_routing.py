"""Error reports go to whoever can act: the place's managers, else the network admins (issue 11 §1).

~9,037 real places have no manager: their reports used to be "transmis aux gérants du lieu", to nobody.
"""

import pytest
from django.core import mail
from django.urls import reverse

from relais.places import upkeep
from relais.places.models import ErrorReport
from relais.privacy.audit import SYSTEM
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db

SOURCE = "ANCT — structures France services (2024-08-01)"
TO_ADMINS = (
    "Merci : votre signalement a été transmis aux administrateurs du réseau Relais, qui corrigeront la "
    f"fiche issue de {SOURCE}."
)


def report(place, callbacks):
    with callbacks(execute=True):
        return upkeep.create_report(
            place, kind="hours", message="Fermé le lundi.", reporter_email="", actor=SYSTEM
        )


def test_a_place_without_manager_reports_to_the_network_admins_naming_the_source(
    django_capture_on_commit_callbacks,
):
    admin = UserFactory(network_admin=True)
    UserFactory(network_admin=True, is_active=False)
    UserFactory(network_admin=True, email="")
    UserFactory()  # not an admin
    place = PlaceFactory(name="France services de Murat", source=SOURCE, source_url="https://exemple.fr/fs")

    report(place, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[admin.email]]
    body = mail.outbox[0].body
    assert "Ce lieu n'a pas de gérant sur Relais" in body
    assert f"Ses informations viennent de : {SOURCE}. https://exemple.fr/fs" in body
    assert "Fermé le lundi." in body
    assert ErrorReport.objects.get().place == place


def test_a_managed_place_reports_to_its_managers_only(django_capture_on_commit_callbacks):
    UserFactory(network_admin=True)
    manager = UserFactory()
    place = PlaceFactory(source=SOURCE, managers=[manager])

    report(place, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "n'a pas de gérant" not in mail.outbox[0].body


def test_the_route_says_the_truth_before_and_after_sending():
    unmanaged = upkeep.report_route(PlaceFactory(source=SOURCE))
    assert not unmanaged.to_managers
    assert unmanaged.thanks == TO_ADMINS
    assert "transmis aux administrateurs du réseau Relais" in unmanaged.invitation
    assert SOURCE in unmanaged.invitation
    no_source = upkeep.report_route(PlaceFactory(source=""))
    assert no_source.thanks.endswith("qui corrigeront la fiche.")
    managed = upkeep.report_route(PlaceFactory(managers=[UserFactory()]))
    assert managed.thanks == "Merci : votre signalement a été transmis aux gérants du lieu."
    for text in (unmanaged.invitation, unmanaged.thanks, no_source.invitation, managed.invitation):
        assert_french(text)


def test_the_form_and_the_confirmation_name_the_admins_for_an_unmanaged_place(client):
    place = PlaceFactory(source=SOURCE)
    for url in (reverse("places:detail", args=[place.pk]), reverse("places:report", args=[place.pk])):
        html = client.get(url).content.decode()
        assert "Dites-le aux gérants du lieu" not in html
        assert "transmis aux administrateurs du réseau Relais" in html
    data = {"kind": "hours", "message": "Fermé le lundi.", "email": "", "website": ""}
    response = client.post(reverse("places:report", args=[place.pk]), data, follow=True)
    html = response.content.decode()
    assert "aux administrateurs du réseau Relais, qui corrigeront la fiche issue de" in html
    assert "transmis aux gérants du lieu" not in html


def test_a_robot_gets_the_same_truthful_confirmation(client):
    place = PlaceFactory(source=SOURCE)
    data = {"kind": "hours", "message": "spam", "email": "", "website": "http://spam.example"}
    html = client.post(reverse("places:report", args=[place.pk]), data, follow=True).content.decode()
    assert "transmis aux administrateurs du réseau Relais" in html
    assert not ErrorReport.objects.exists()
