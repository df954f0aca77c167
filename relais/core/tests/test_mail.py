"""`core.mail`: e-mails leave from a background task once the transaction commits, never before, never for a
rolled-back change; a queue that fails is logged, not raised into the operation."""

import logging

import pytest
from django.core import mail as outbox
from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from relais.core import mail

pytestmark = pytest.mark.django_db

TO = "camille@exemple.fr"


def test_the_mail_leaves_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert mail.send_later(TO, "Sujet", "Bonjour,\n\nLe corps.", reply_to=["accueil@exemple.fr"])
        assert outbox.outbox == []
    assert len(callbacks) == 1 and outbox.outbox == []  # committed, not run yet: still nothing

    callbacks[0]()

    (message,) = outbox.outbox
    assert message.to == [TO]
    assert (message.subject, message.body) == ("Sujet", "Bonjour,\n\nLe corps.")
    assert message.reply_to == ["accueil@exemple.fr"]


def test_nothing_leaves_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        mail.send_later(TO, "Sujet", "Corps")
        raise RuntimeError("plus loin, autre chose échoue")

    assert callbacks == []
    assert outbox.outbox == []


def test_a_queue_that_fails_is_logged_and_never_raised(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(self, task, args, kwargs):
        raise ConnectionError("file des tâches injoignable")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    failures = []
    with django_capture_on_commit_callbacks() as callbacks:
        mail.send_later(TO, "Sujet", "Corps")
        mail.enqueue_after_commit(
            mail.send_email, [[TO], "Autre", "Corps"], on_failure=lambda: failures.append(1)
        )

    with caplog.at_level(logging.ERROR, logger="relais.core.mail"):
        for callback in callbacks:
            callback()  # the operation already succeeded: nothing is raised into it

    records = [r for r in caplog.records if r.name == "relais.core.mail"]
    assert len(records) == 2
    assert "send_email" in records[0].getMessage()
    assert records[0].exc_info[0] is ConnectionError
    assert failures == [1]
    assert outbox.outbox == []


def test_no_address_no_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert mail.send_later("", "Sujet", "Corps") is False
        assert mail.send_later([" ", None], "Sujet", "Corps") is False

    assert callbacks == [] and outbox.outbox == []


def test_a_subject_is_one_line_whatever_it_holds(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_later([TO, "autre@exemple.fr"], "Lieu\r\nBcc: victime@exemple.fr", "Corps")

    (message,) = outbox.outbox
    assert message.subject == "Lieu Bcc: victime@exemple.fr"
    assert message.to == [TO, "autre@exemple.fr"] and message.bcc == []


def test_with_the_database_backend_the_mail_is_a_queued_task_of_plain_values(
    django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_later(TO, "Sujet", "Corps", reply_to="accueil@exemple.fr")

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "relais.core.mail.send_email"
    assert queued.args_kwargs == {
        "args": [[TO], "Sujet", "Corps"],
        "kwargs": {"reply_to": ["accueil@exemple.fr"]},
    }
    assert outbox.outbox == []  # the worker sends it
    assert mail.send_email.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"]) == 1
    assert outbox.outbox[0].reply_to == ["accueil@exemple.fr"]


def test_deliver_sends_now_with_attachments_over_one_connection():
    sent = mail.deliver(
        [
            mail.Mail([TO], "Un", "Corps", attachments=[("note.txt", "texte", "text/plain")]),
            mail.Mail([], "Personne", "Corps"),  # no address: left out
            mail.Mail(["autre@exemple.fr"], "Deux", "Corps"),
        ]
    )

    assert sent == 2
    assert [m.subject for m in outbox.outbox] == ["Un", "Deux"]
    assert outbox.outbox[0].attachments == [("note.txt", "texte", "text/plain")]
    assert mail.deliver([]) == 0
