"""The "Signaler une erreur" public form, the managers' e-mail, the dashboard list and resolving."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.places.models import ErrorReport
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("accounts:dashboard")
REPORTER = "camille.reporter@exemple.fr"


def report_url(place):
    return reverse("places:report", args=[place.pk])


def resolve_url(report):
    return reverse("accounts:resolve-report", args=[report.public_id])


def valid(**changes):
    data = {"kind": "hours", "message": "Le lieu ferme à 17 h le vendredi.", "email": REPORTER, "website": ""}
    data.update(changes)
    return data


def make_report(place, **values):
    return ErrorReport.objects.create(
        place=place,
        kind=values.get("kind", "hours"),
        message=values.get("message", "Horaires faux."),
        reporter_email=values.get("reporter_email", REPORTER),
    )


class TestTheForm:
    def test_the_place_page_and_its_own_page_show_the_form(self, client):
        place = PlaceFactory()

        for page in (reverse("places:detail", args=[place.pk]), report_url(place)):
            html = client.get(page).content.decode()
            assert f'action="{report_url(place)}"' in html
            assert "Lieu fermé définitivement" in html
            assert 'name="csrfmiddlewaretoken"' in html
            assert "Uniquement pour vous répondre" in html

    def test_a_valid_report_is_stored_confirmed_and_mailed_to_the_managers_after_commit(
        self, client, django_capture_on_commit_callbacks
    ):
        first, second = UserFactory(), UserFactory()
        place = PlaceFactory(name="La Grange", managers=[first, second])
        PlaceFactory(managers=[outsider := UserFactory()])
        staff = UserFactory()
        PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)

        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(report_url(place), valid())
            assert mail.outbox == []  # nothing is sent before the report is committed
        for callback in callbacks:
            callback()

        assert response.status_code == 302
        assert response["Location"] == reverse("places:detail", args=[place.pk])
        report = ErrorReport.objects.get()
        assert (report.place, report.kind, report.reporter_email) == (place, "hours", REPORTER)
        assert report.status == ErrorReport.Status.OPEN
        assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
        assert outsider.email not in [m.to[0] for m in mail.outbox]
        assert staff.email not in [m.to[0] for m in mail.outbox]
        message = mail.outbox[0]
        assert message.subject == "[Relais] Signalement d'erreur sur « La Grange » : horaires"
        assert "Le lieu ferme à 17 h le vendredi." in message.body
        assert REPORTER in message.body
        assert message.reply_to == [REPORTER]
        assert "http://testserver/comptes/" in message.body
        html = client.get(response["Location"]).content.decode()
        assert "Merci : votre signalement a été transmis aux gérants du lieu." in html

    def test_the_audit_trail_records_the_report_without_personal_data(self, client):
        place = PlaceFactory()

        client.post(report_url(place), valid())

        event = AuditEvent.objects.get(target_type="places.errorreport")
        assert event.place == place
        assert event.changes == {"kind": [None, "hours"]}
        assert REPORTER not in str(event.changes)

    def test_the_email_is_optional(self, client, django_capture_on_commit_callbacks):
        place = PlaceFactory(managers=[UserFactory()])

        with django_capture_on_commit_callbacks(execute=True):
            client.post(report_url(place), valid(email=""))

        assert ErrorReport.objects.get().reporter_email == ""
        assert mail.outbox[0].reply_to == []
        assert "La personne n'a pas laissé d'adresse e-mail." in mail.outbox[0].body

    def test_missing_fields_are_named_in_french_and_nothing_is_stored(self, client):
        place = PlaceFactory()

        response = client.post(report_url(place), valid(kind="", message="  "))

        assert response.status_code == 200
        form = response.context["form"]
        for messages in form.errors.values():
            for message in messages:
                assert_french(message)
        assert form.errors["kind"] == [
            "Qu'est-ce qui est inexact ? : choisissez une réponse (horaires, adresse…)."
        ]
        assert form.errors["message"] == ["Votre message : décrivez ce qui est inexact."]
        html = response.content.decode()
        assert 'role="alert"' in html
        assert 'aria-invalid="true"' in html
        assert not ErrorReport.objects.exists()

    def test_too_long_messages_unknown_kinds_and_bad_emails_are_refused(self, client):
        place = PlaceFactory()

        response = client.post(
            report_url(place), valid(kind="prix", message="x" * 2001, email="pas-une-adresse")
        )

        errors = response.context["form"].errors
        assert errors["kind"] == ["Qu'est-ce qui est inexact ? : choisissez une réponse de la liste."]
        assert errors["message"] == ["Votre message : 2001 caractères, 2000 au plus."]
        assert errors["email"] == [
            "Votre adresse e-mail : adresse invalide (exemple : prenom.nom@exemple.fr)."
        ]
        assert not ErrorReport.objects.exists()

    def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(
        self, client, django_capture_on_commit_callbacks
    ):
        place = PlaceFactory(managers=[UserFactory()])

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(report_url(place), valid(website="https://spam.example.com"))

        assert response.status_code == 302
        assert not ErrorReport.objects.exists()
        assert mail.outbox == []

    def test_the_form_needs_the_csrf_token(self):
        place = PlaceFactory()

        response = Client(enforce_csrf_checks=True).post(report_url(place), valid())

        assert response.status_code == 403
        assert not ErrorReport.objects.exists()

    def test_unknown_places_are_404_and_other_methods_refused(self, client):
        import uuid

        assert client.post(reverse("places:report", args=[uuid.uuid4()]), valid()).status_code == 404
        assert client.put(report_url(PlaceFactory())).status_code == 405

    def test_hostile_place_names_cannot_break_the_mail_headers(
        self, client, django_capture_on_commit_callbacks
    ):
        place = PlaceFactory(name="Lieu\r\nBcc: victime@exemple.fr", managers=[UserFactory()])

        with django_capture_on_commit_callbacks(execute=True):
            client.post(report_url(place), valid())

        message = mail.outbox[0]
        assert "\n" not in message.subject
        assert message.bcc == []


class TestWhoSeesReports:
    def test_the_reporter_email_is_never_on_public_pages(self, client):
        place = PlaceFactory(managers=[UserFactory()])
        make_report(place)
        staff = UserFactory()
        PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
        other_manager = UserFactory()
        PlaceFactory(managers=[other_manager])

        pages = [reverse("places:detail", args=[place.pk]), reverse("places:sheet", args=[place.pk])]
        for user in (None, staff, other_manager):
            if user is not None:
                client.force_login(user)
            for page in [*pages, DASHBOARD] if user else pages:
                assert REPORTER not in client.get(page).content.decode()

    def test_managers_and_network_admins_see_open_reports_on_their_dashboard(self, client):
        manager = UserFactory()
        place = PlaceFactory(name="La Grange", managers=[manager])
        report = make_report(place, message="Le téléphone a changé.")
        resolved = make_report(place, message="Ancienne erreur.")
        resolved.status = ErrorReport.Status.RESOLVED
        resolved.save()

        for user in (manager, UserFactory(network_admin=True)):
            client.force_login(user)
            html = client.get(DASHBOARD).content.decode()
            assert "Le téléphone a changé." in html
            assert f'href="mailto:{REPORTER}"' in html
            assert resolve_url(report) in html
            assert "Ancienne erreur." not in html

    def test_the_place_page_tells_its_managers_how_many_reports_wait(self, client):
        manager = UserFactory()
        place = PlaceFactory(managers=[manager])
        make_report(place)
        make_report(place)
        client.force_login(manager)

        html = client.get(reverse("places:detail", args=[place.pk])).content.decode()

        assert "2 signalements d&#x27;erreur à traiter" in html or "2 signalements d'erreur à traiter" in html


class TestResolving:
    def test_a_manager_marks_a_report_resolved_and_it_is_audited(self, client):
        manager = UserFactory()
        place = PlaceFactory(managers=[manager])
        report = make_report(place)
        client.force_login(manager)

        response = client.post(resolve_url(report))

        assert response.status_code == 302
        assert response["Location"] == f"{DASHBOARD}#signalements"
        report.refresh_from_db()
        assert report.status == ErrorReport.Status.RESOLVED
        assert report.resolved_by == manager
        assert report.resolved_at is not None
        event = AuditEvent.objects.for_object(report).get()
        assert (event.actor, event.action, event.place) == (manager, "update", place)
        assert event.changes == {"status": ["open", "resolved"]}
        html = client.get(DASHBOARD).content.decode()
        assert "Le signalement est marqué comme traité." in html
        assert "Aucun signalement en attente." in html

    def test_reports_of_places_one_does_not_manage_are_404(self, client):
        report = make_report(PlaceFactory(managers=[UserFactory()]))
        staff = UserFactory()
        PlaceRole.objects.create(user=staff, place=report.place, role=PlaceRole.Role.STAFF)

        for user in (UserFactory(), staff):
            PlaceFactory(managers=[user]) if user != staff else None
            client.force_login(user)
            assert client.post(resolve_url(report)).status_code == 404
        report.refresh_from_db()
        assert report.status == ErrorReport.Status.OPEN
        assert not AuditEvent.objects.for_object(report).exists()

    def test_a_network_admin_may_resolve_any_report(self, client):
        report = make_report(PlaceFactory())
        client.force_login(UserFactory(network_admin=True))

        client.post(resolve_url(report))

        report.refresh_from_db()
        assert report.status == ErrorReport.Status.RESOLVED

    def test_resolving_needs_a_login_and_a_post(self, client):
        manager = UserFactory()
        report = make_report(PlaceFactory(managers=[manager]))

        assert client.post(resolve_url(report)).status_code == 302  # to the login page
        client.force_login(manager)
        assert client.get(resolve_url(report)).status_code == 405
        report.refresh_from_db()
        assert report.status == ErrorReport.Status.OPEN


class TestAdmin:
    def test_resolving_in_the_admin_is_audited(self, client):
        admin = UserFactory(is_staff=True, is_superuser=True, network_admin=True)
        report = make_report(PlaceFactory())
        client.force_login(admin)
        change = reverse("admin:places_errorreport_change", args=[report.pk])

        assert REPORTER in client.get(change).content.decode()
        response = client.post(change, {"status": "resolved"})

        assert response.status_code == 302
        report.refresh_from_db()
        assert (report.status, report.resolved_by) == ("resolved", admin)
        event = AuditEvent.objects.for_object(report).get()
        assert (event.channel, event.changes) == ("admin", {"status": ["open", "resolved"]})
        assert client.get(reverse("admin:places_errorreport_changelist")).status_code == 200
