"""Keeping places' public data right: error reports from the public, confirmations and reminders.

Domain operations shared by the pages and the `remind_stale_places` command. Each runs in one
transaction, records what it changed in the audit trail, and sends its e-mails from a background task
queued once the transaction is committed (`core.mail`: nothing is sent for a change that was rolled back).
Links in the e-mails are absolute (`core.links`); without a known public address they are left out.
"""

import datetime
import functools
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from relais.accounts.models import PlaceRole, User
from relais.core import links, mail, workflow
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


# --- Error reports -----------------------------------------------------------------------------------


def network_admins():
    """Active network admins who have an e-mail address (they can correct any place of the registry)."""
    return User.objects.filter(is_network_admin=True, is_active=True).exclude(email="").order_by("pk")


@dataclass(frozen=True)
class ReportRoute:
    """Who receives the error reports of a place: its managers, or — most imported places have none —
    the network admins, who correct the data that came from the place's source."""

    to_managers: bool
    source: str = ""

    @property
    def invitation(self):
        """What the report form says before it is sent."""
        if self.to_managers:
            return _("Une information est fausse ou a changé ? Dites-le aux gérants du lieu.")
        if self.source:
            return _(
                "Une information est fausse ou a changé ? Ce lieu n'a pas de gérant sur Relais : votre "
                "signalement sera transmis aux administrateurs du réseau Relais, qui corrigeront la fiche "
                "issue de %(source)s."
            ) % {"source": self.source}
        return _(
            "Une information est fausse ou a changé ? Ce lieu n'a pas de gérant sur Relais : votre "
            "signalement sera transmis aux administrateurs du réseau Relais, qui corrigeront la fiche."
        )

    @property
    def thanks(self):
        """The confirmation once the report is sent."""
        if self.to_managers:
            return _("Merci : votre signalement a été transmis aux gérants du lieu.")
        if self.source:
            return _(
                "Merci : votre signalement a été transmis aux administrateurs du réseau Relais, qui "
                "corrigeront la fiche issue de %(source)s."
            ) % {"source": self.source}
        return _(
            "Merci : votre signalement a été transmis aux administrateurs du réseau Relais, qui "
            "corrigeront la fiche."
        )


def report_route(place):
    """Where the reports about `place` go (see `ReportRoute`)."""
    return ReportRoute(to_managers=managers_of(place).exists(), source=" ".join(place.source.split()))


@transaction.atomic
def create_report(place, *, kind, message, reporter_email, actor, request=None, base_url=""):
    """Record a report about a place's data and tell its managers — or, without any, the network admins —
    by e-mail (sent after commit).

    The links of the e-mail are made on `request`'s address, else on `base_url` or RELAIS_BASE_URL."""
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
    notify_managers(report, request=request, base_url=base_url)
    return report


def notify_managers(report, *, request=None, base_url=""):
    """Queue the e-mail about `report` to each manager of its place, or to each network admin when the
    place has no manager (`report_recipients`), naming the place's data source for them. The e-mails leave
    once the transaction commits; the report is stored whatever happens to them: its readers also see it on
    their dashboard. Returns the number of e-mails queued."""
    place = report.place
    managers = list(managers_of(place))
    recipients = managers or list(network_admins())

    def link(path):
        return links.absolute_url(path, request, base=base_url)

    # In the instance's language: the reporter's is not the managers'.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "report": report,
            "place": place,
            "place_url": link(reverse("places:detail", args=[place.pk])),
            "dashboard_url": link(reverse("accounts:dashboard")),
            "to_admins": not managers,
            "source": " ".join(place.source.split()),
            "source_url": place.source_url,
        }
        body = render_to_string("places/email/report_notification.txt", context)
        subject = _one_line(
            _("[Relais] Signalement d'erreur sur « %(place)s » : %(kind)s")
            % {"place": place.name, "kind": report.get_kind_display()}
        )
    reply_to = [report.reporter_email] if report.reporter_email else None
    return sum(mail.send_later(m.email, subject, body, reply_to=reply_to) for m in recipients)


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
    failed: list = field(default_factory=list)  # places whose e-mails could not be queued (not noted)


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
    """E-mail each manager of each stale place once, and note the date on the place.

    The e-mails leave from a background task (`send_reminder`) queued once the date is noted; if they
    cannot leave, the date is taken back, and the next run tries again."""
    today = today or timezone.localdate()
    run = ReminderRun()
    if not dry_run and not links.base_url(base_url):
        logger.warning("Ni RELAIS_BASE_URL ni --base-url : les rappels partent sans lien vers le site")
    for place in stale_places(today, months):
        managers = list(managers_of(place))
        if not managers:
            run.unreachable.append(place)
            continue
        if dry_run:
            run.places.append(place)
            run.emails += len(managers)
            continue
        with transaction.atomic():
            Place.objects.filter(pk=place.pk).update(reminder_sent_on=today)
            mail.enqueue_after_commit(
                send_reminder,
                [str(place.pk), today.isoformat(), months, base_url],
                on_failure=functools.partial(_reminder_not_queued, run, place, today),
            )
        if place not in run.failed:  # the queue answers at the commit, above (a command runs in autocommit)
            run.places.append(place)
            run.emails += len(managers)
    return run


def _take_back_reminder(place_id, reminded_on):
    """The reminder of `reminded_on` did not leave: the place is due again at the next run."""
    Place.objects.filter(pk=place_id, reminder_sent_on=reminded_on).update(reminder_sent_on=None)


def _reminder_not_queued(run, place, today):
    _take_back_reminder(place.pk, today)
    run.failed.append(place)


@task()
def send_reminder(place_id, reminded_on, months=FRESH_MONTHS, base_url=""):
    """The reminder e-mails of one place, to its managers of the moment; the number sent."""
    place = Place.objects.select_related("commune").filter(pk=place_id).first()
    if place is None:
        return 0
    managers = list(managers_of(place))
    if not managers:
        return 0

    def link(path):
        return links.absolute_url(path, base=base_url)

    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "place": place,
            "months": months,
            "place_url": link(reverse("places:detail", args=[place.pk])),
            "edit_url": link(reverse("places:edit", args=[place.pk])),
            "dashboard_url": link(reverse("accounts:dashboard")),
        }
        body = render_to_string("places/email/stale_reminder.txt", context)
        subject = _one_line(
            _("[Relais] Les informations de « %(place)s » sont-elles à jour ?") % {"place": place.name}
        )
    try:
        return mail.deliver([mail.Mail([m.email], subject, body) for m in managers])
    except Exception:
        logger.exception("Rappel impossible à envoyer pour %s", place_id)
        _take_back_reminder(place_id, datetime.date.fromisoformat(reminded_on))
        raise
