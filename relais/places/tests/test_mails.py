"""E-mails of the places app through `core.mail`: the proposer told of the review, the managers told of a
report, the reminders (background, after the commit; links on the public address)."""

import datetime
import io
import logging
import re
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django_tasks.backends.immediate import ImmediateBackend

from relais.places import proposals, upkeep
from relais.places.models import Place, PlaceProposal
from relais.privacy.audit import Actor
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db

BASE = "https://relais.exemple.fr"
DASHBOARD = reverse("accounts:dashboard")
TODAY = datetime.date(2026, 11, 20)
STALE = datetime.date(2026, 3, 1)


@pytest.fixture
def base_url(settings):
    settings.RELAIS_BASE_URL = BASE
    return BASE


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the operation leaves for after its commit (the test's own transaction never commits)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def proposal_of(person, name="Lieu en double"):
    return proposals.propose_place({"name": name, "code_insee": "15014"}, Actor(user=person))


# --- The proposer ------------------------------------------------------------------------------------


class TestTheProposerIsTold:
    def test_a_refusal_is_mailed_to_the_proposer_with_its_reason_and_a_link_to_their_dashboard(
        self, commit, base_url
    ):
        person, admin = UserFactory(), UserFactory(network_admin=True)
        proposal = proposal_of(person)

        commit(proposals.reject, proposal, Actor(user=admin), reason="Ce lieu est déjà dans le registre.")

        (message,) = mail.outbox
        assert message.to == [person.email]
        assert message.subject == "[Relais] Proposition refusée : « Lieu en double »"
        assert "Votre proposition de lieu « Lieu en double » n'a pas été acceptée" in message.body
        assert "Motif donné :\nCe lieu est déjà dans le registre." in message.body
        assert f"{BASE}{DASHBOARD}" in message.body
        assert_french(message.body)

    def test_a_refusal_from_the_dashboard_sends_it_too_and_without_a_reason_says_so(
        self, client, django_capture_on_commit_callbacks, settings
    ):
        settings.RELAIS_BASE_URL = ""
        person, admin = UserFactory(), UserFactory(network_admin=True)
        proposal = proposal_of(person)
        client.force_login(admin)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:review-proposal", args=[proposal.pk, "refuser"]), {"reason": ""})

        (message,) = mail.outbox
        assert message.to == [person.email]
        assert "Aucun motif n'a été précisé." in message.body
        assert "http" not in message.body  # no public address configured: no link rather than a bare path

    def test_an_accepted_proposal_is_mailed_with_the_new_place_s_page(self, commit, base_url):
        person, admin = UserFactory(), UserFactory(network_admin=True)
        proposal = proposal_of(person, "La Ressourcerie")

        commit(proposals.accept, proposal, Actor(user=admin))

        place = Place.objects.get(name="La Ressourcerie")
        (message,) = mail.outbox
        assert message.to == [person.email]
        assert message.subject == "[Relais] Proposition acceptée : « La Ressourcerie »"
        assert "le lieu est publié dans Relais" in message.body
        assert f"{BASE}{reverse('places:detail', args=[place.pk])}" in message.body
        assert f"{BASE}{DASHBOARD}" in message.body

    def test_an_accepted_claim_says_the_claimant_now_manages_the_place(self, commit):
        place = PlaceFactory(name="Le Fablab")
        person, admin = UserFactory(), UserFactory(network_admin=True)
        claim = proposals.claim_place(place, Actor(user=person))

        commit(proposals.accept, claim, Actor(user=admin))

        (message,) = mail.outbox
        assert "Votre demande de gestion de « Le Fablab » est acceptée" in message.body

    def test_the_email_is_in_the_instance_s_language_whatever_the_reviewer_s_page(self, commit):
        person, admin = UserFactory(), UserFactory(network_admin=True)
        proposal = proposal_of(person)

        with translation.override("en"):
            commit(proposals.reject, proposal, Actor(user=admin), reason="Doublon.")

        assert mail.outbox[0].subject.startswith("[Relais] Proposition refusée")

    def test_nothing_is_sent_for_a_review_rolled_back_nor_to_an_account_without_an_address(self, commit):
        admin = UserFactory(network_admin=True)
        proposal = proposal_of(UserFactory())

        def reject_then_fail():
            with transaction.atomic():
                proposals.reject(proposal, Actor(user=admin), reason="Doublon.")
                raise RuntimeError("plus loin, autre chose échoue")

        with pytest.raises(RuntimeError):
            commit(reject_then_fail)
        assert PlaceProposal.objects.get().status == "proposed"
        commit(proposals.reject, proposal_of(UserFactory(email="")), Actor(user=admin))
        assert mail.outbox == []


# --- The managers of a reported place ----------------------------------------------------------------


class TestReports:
    def test_the_managers_get_the_report_after_the_commit_with_links_on_the_public_address(
        self, django_capture_on_commit_callbacks, base_url
    ):
        first, second = UserFactory(), UserFactory()
        place = PlaceFactory(name="La Grange", managers=[first, second])

        with django_capture_on_commit_callbacks() as callbacks:
            upkeep.create_report(
                place, kind="hours", message="Fermé le lundi.", reporter_email="", actor=Actor(channel="web")
            )
        assert len(callbacks) == 2 and mail.outbox == []
        for callback in callbacks:
            callback()

        assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
        body = mail.outbox[0].body
        assert "Fermé le lundi." in body
        assert f"{BASE}{reverse('places:detail', args=[place.pk])}" in body
        assert f"{BASE}{DASHBOARD}" in body

    def test_a_report_rolled_back_reaches_no_one(self, commit):
        place = PlaceFactory(managers=[UserFactory()])

        def report_then_fail():
            with transaction.atomic():
                upkeep.create_report(
                    place, kind="hours", message="Faux.", reporter_email="", actor=Actor(channel="web")
                )
                raise RuntimeError("plus loin, autre chose échoue")

        with pytest.raises(RuntimeError):
            commit(report_then_fail)
        assert mail.outbox == []

    def test_without_a_public_address_the_report_has_no_link(self, commit, settings):
        settings.RELAIS_BASE_URL = ""
        place = PlaceFactory(managers=[UserFactory()])

        commit(
            upkeep.create_report,
            place,
            kind="hours",
            message="Faux.",
            reporter_email="",
            actor=Actor(channel="web"),
        )

        (message,) = mail.outbox
        assert "http" not in message.body and "/lieux/" not in message.body
        assert "La fiche publique du lieu" not in message.body


# --- Reminders ---------------------------------------------------------------------------------------


class TestReminders:
    def test_the_reminders_leave_after_the_date_is_committed(self, django_capture_on_commit_callbacks):
        manager = UserFactory()
        place = PlaceFactory(data_updated_on=STALE, managers=[manager])

        with django_capture_on_commit_callbacks() as callbacks:
            run = upkeep.send_reminders(TODAY, base_url=BASE)
        assert (run.places, run.emails, mail.outbox) == ([place], 1, [])
        for callback in callbacks:
            callback()

        (message,) = mail.outbox
        assert message.to == [manager.email]
        assert f"{BASE}{reverse('places:edit', args=[place.pk])}" in message.body

    def test_a_reminder_the_mail_server_refuses_is_taken_back_for_the_next_run(
        self, commit, monkeypatch, caplog
    ):
        place = PlaceFactory(data_updated_on=STALE, managers=[UserFactory()])

        def refuse(self, messages):
            raise SMTPException("serveur indisponible")

        monkeypatch.setattr(EmailBackend, "send_messages", refuse)
        with caplog.at_level(logging.ERROR, logger="relais.places.upkeep"):
            commit(upkeep.send_reminders, TODAY)

        place.refresh_from_db()
        assert place.reminder_sent_on is None
        assert any("Rappel impossible" in r.getMessage() for r in caplog.records)
        assert list(upkeep.stale_places(TODAY)) == [place]  # due again


@pytest.mark.django_db(transaction=True)
def test_a_reminder_that_cannot_be_queued_is_listed_and_not_noted(monkeypatch, caplog):
    # As in production: the command runs in autocommit, each place's commit enqueues at once.
    place = PlaceFactory(name="La Grange", data_updated_on=STALE, managers=[UserFactory()])

    def refuse(self, task, args, kwargs):
        raise ConnectionError("file des tâches injoignable")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    out = io.StringIO()
    with caplog.at_level(logging.ERROR, logger="relais.core.mail"):
        call_command("remind_stale_places", f"--today={TODAY.isoformat()}", stdout=out, stderr=out)

    # French counts 0 as singular; without a French catalog gettext falls back to "0 lieux": both pass.
    assert re.search(r"0 lieux? rappelés?, 0 e-mails? envoyés?\.", out.getvalue())
    assert "1 lieu dont les e-mails n'ont pas pu partir (nouvel essai au prochain passage) : La Grange" in (
        out.getvalue()
    )
    place.refresh_from_db()
    assert place.reminder_sent_on is None
    assert mail.outbox == []
    assert any(r.name == "relais.core.mail" for r in caplog.records)
