"""E-mails: sent by a background task once the operation's transaction commits — the one way out.

    mail.send_later(manager.email, subject, body, reply_to=[reporter])

enqueues `send_email` (django-tasks: the database backend and `manage.py db_worker` in production, the
immediate backend in the tests) when the current transaction commits: nothing leaves for a change that was
rolled back, and the request never waits for the mail server. A failure to enqueue is logged, never raised
into the operation, which has already succeeded. The caller renders the subject and body, in the language
the reader expects (`translation.override`): the task only sends.

Tasks that build their message themselves from an id when they run (booking e-mails, reminders) enqueue
with `enqueue_after_commit` and send with `deliver`: building the `EmailMessage` and sending it is here
only. Outside a transaction (a command in autocommit), "after the commit" is at once.
"""

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


def _addresses(value):
    """A list of addresses from one address or several (blank ones dropped)."""
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    return [address.strip() for address in value if address and address.strip()]


@dataclass(frozen=True)
class Mail:
    """One e-mail, ready to send. `attachments`, for `deliver` only (a queued mail has none): MIME parts,
    or (filename, content, mimetype) triples."""

    to: Sequence[str]
    subject: str
    body: str
    reply_to: Sequence[str] = ()
    attachments: Sequence = ()

    def message(self, connection=None):
        # One line whatever the subject holds: no line break can reach a header (nor raise BadHeaderError).
        subject = " ".join(str(self.subject).split())
        message = EmailMessage(
            subject,
            str(self.body),
            to=_addresses(self.to),
            reply_to=_addresses(self.reply_to),
            connection=connection,
        )
        for attachment in self.attachments:
            if isinstance(attachment, tuple):
                message.attach(*attachment)
            else:
                message.attach(attachment)
        return message


def deliver(mails, *, connection=None):
    """Send `mails` (Mail instances) now, over one connection; the number sent. Raises when the mail server
    refuses: a task that fails is recorded as failed (and may undo what it noted, see upkeep reminders)."""
    mails = [m for m in mails if _addresses(m.to)]
    if not mails:
        return 0
    connection = connection or get_connection()
    return connection.send_messages([m.message(connection) for m in mails]) or 0


@task()
def send_email(to, subject, body, reply_to=None):
    """The task behind `send_later`: its arguments are plain strings and lists (stored as JSON)."""
    return deliver([Mail(to, subject, body, reply_to or ())])


def _enqueue(task_, args, kwargs, on_failure):
    try:
        task_.enqueue(*args, **kwargs)
    except Exception:  # the operation is committed: it must not fail now because the queue did
        logger.exception("Tâche %s impossible à mettre en file (e-mail non envoyé)", task_.name)
        if on_failure is not None:
            on_failure()


def enqueue_after_commit(task_, args=(), kwargs=None, *, on_failure=None):
    """Enqueue `task_(*args, **kwargs)` once the current transaction commits (nothing if it rolls back).

    A failure to enqueue is logged and `on_failure()` called (e.g. to undo a "reminded on" date), never
    raised. `args` and `kwargs` must be JSON values (ids, strings), not model instances."""
    callback = functools.partial(_enqueue, task_, tuple(args), dict(kwargs or {}), on_failure)
    transaction.on_commit(callback, robust=True)


def send_later(to, subject, body, *, reply_to=None):
    """Send an e-mail from a background task once the current transaction commits; False when there is no
    one to write to (no address), True when it is on its way."""
    to = _addresses(to)
    if not to:
        return False
    enqueue_after_commit(send_email, [to, str(subject), str(body)], {"reply_to": _addresses(reply_to)})
    return True
