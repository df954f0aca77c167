"""Keeping places' public data right: error reports from the public, confirmations and reminders.

Domain operations shared by the pages and the `remind_stale_places` command. Each runs in one
transaction, records what it changed in the audit trail, and sends its e-mails only once the
transaction is committed (nothing is sent for a change that was rolled back).
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import PlaceRole, User
from relais.core import workflow
from relais.core.errors import Conflict, DomainError
from relais.privacy.audit import AuditAction, build_event

from . import services, tenancy
from .models import ErrorReport, Place, PlaceStatus
from .quality import FRESH_MONTHS, months_ago

logger = logging.getLogger(__name__)

# A manager is reminded at most once in this many days about the same place.
REMINDER_INTERVAL_DAYS = 30
MESSAGE_MAX_LENGTH = 2000


def _one_line(text, limit=120):
    """A header-safe line (no line break can reach an e-mail header)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def managers_of(place):
    """Active managers of a place who have an e-mail address."""
    return (
        User.objects.filter(
            place_roles__place=place, place_roles__role=PlaceRole.Role.MANAGER, is_active=True
        )
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )


def absolute(path, base_url=""):
    base_url = (base_url or getattr(settings, "RELAIS_BASE_URL", "") or "").rstrip("/")
    return f"{base_url}{path}"


# --- Error reports -----------------------------------------------------------------------------------


@transaction.atomic
def create_report(place, *, kind, message, reporter_email, actor, base_url=""):
    """Record a report about a place's data and tell its managers by e-mail (after commit)."""
    message = (message or "").strip()
    if kind not in ErrorReport.Kind.values:
        raise DomainError(_("choisissez ce qui est inexact dans la liste."), field="kind")
    if not message:
        raise DomainError(_("le message est obligatoire."), field="message")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise DomainError(
            _("le message fait %(length)s caractères, %(max)s au plus.")
            % {"length": len(message), "max": MESSAGE_MAX_LENGTH},
            field="message",
        )
    report = ErrorReport.objects.create(
        place=place, kind=kind, message=message, reporter_email=(reporter_email or "").strip()
    )
    # The trail says that a report exists, not what it says nor who sent it (personal data stays here).
    build_event(actor, AuditAction.CREATE, report, changes={"kind": [None, kind]}, place=place).save()
    transaction.on_commit(lambda: notify_managers(report.pk, base_url))
    return report


def notify_managers(report_id, base_url=""):
    report = ErrorReport.objects.select_related("place__commune").filter(pk=report_id).first()
    if report is None:
        return 0
    place = report.place
    context = {
        "report": report,
        "place": place,
        "place_url": absolute(reverse("places:detail", args=[place.pk]), base_url),
        "dashboard_url": absolute(reverse("accounts:dashboard"), base_url),
    }
    body = render_to_string("places/email/report_notification.txt", context)
    subject = _one_line(
        _("[Relais] Signalement d'erreur sur « %(place)s » : %(kind)s")
        % {"place": place.name, "kind": report.get_kind_display()}
    )
    messages = [
        EmailMessage(
            subject,
            body,
            to=[manager.email],
            reply_to=[report.reporter_email] if report.reporter_email else None,
        )
        for manager in managers_of(place)
    ]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # the report is stored: managers still see it on their dashboard
        logger.exception("Envoi impossible du signalement %s aux gérants de %s", report.pk, place.pk)
        return 0


def visible_reports(user):
    """Reports a user may read (with the reporter's e-mail): those of the places they manage."""
    return ErrorReport.objects.filter(place__in=tenancy.editable_places(user)).select_related(
        "place", "resolved_by"
    )


def resolve_report(report, actor):
    """Mark a report resolved (`ErrorReport.workflow`: logged and audited); resolving it twice changes
    nothing."""
    if report.status == ErrorReport.Status.RESOLVED:
        return report
    try:
        return workflow.apply(report, "resolve", actor, resolved_by=actor.user, resolved_at=timezone.now())
    except Conflict:  # resolved meanwhile by someone else
        return ErrorReport.objects.get(pk=report.pk)


# --- Confirming the data -----------------------------------------------------------------------------


def confirm_data(place, actor, today=None):
    """The managers say the data is current: `data_updated_on` becomes today (audited like any change)."""
    today = today or timezone.localdate()
    return services.update_place(place, {"data_updated_on": today.isoformat()}, actor)


# --- Reminders ---------------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    places: list = field(default_factory=list)  # places reminded (or that would be, in a dry run)
    emails: int = 0
    unreachable: list = field(default_factory=list)  # stale places without a manager to write to
    failed: list = field(default_factory=list)  # places whose e-mails could not be sent


def stale_places(today, months=FRESH_MONTHS):
    """Open places whose data was not confirmed for `months` months and not reminded in 30 days."""
    limit = months_ago(today, months)
    reminded_before = today - datetime.timedelta(days=REMINDER_INTERVAL_DAYS)
    return (
        Place.objects.exclude(status=PlaceStatus.CLOSED)
        .filter(data_updated_on__lt=limit, is_demo=False)
        .filter(Q(reminder_sent_on__isnull=True) | Q(reminder_sent_on__lte=reminded_before))
        .select_related("commune")
        .order_by("name", "pk")
    )


def send_reminders(today=None, months=FRESH_MONTHS, *, dry_run=False, base_url=""):
    """E-mail each manager of each stale place once, and note the date on the place."""
    today = today or timezone.localdate()
    run = ReminderRun()
    connection = None if dry_run else get_connection()
    for place in stale_places(today, months):
        managers = list(managers_of(place))
        if not managers:
            run.unreachable.append(place)
            continue
        context = {
            "place": place,
            "months": months,
            "place_url": absolute(reverse("places:detail", args=[place.pk]), base_url),
            "edit_url": absolute(reverse("places:edit", args=[place.pk]), base_url),
            "dashboard_url": absolute(reverse("accounts:dashboard"), base_url),
        }
        if dry_run:
            run.places.append(place)
            run.emails += len(managers)
            continue
        body = render_to_string("places/email/stale_reminder.txt", context)
        subject = _one_line(
            _("[Relais] Les informations de « %(place)s » sont-elles à jour ?") % {"place": place.name}
        )
        messages = [EmailMessage(subject, body, to=[m.email]) for m in managers]
        try:
            sent = connection.send_messages(messages) or 0
        except Exception:
            logger.exception("Rappel impossible à envoyer pour %s", place.pk)
            run.failed.append(place)
            continue
        Place.objects.filter(pk=place.pk).update(reminder_sent_on=today)
        run.places.append(place)
        run.emails += sent
    return run
