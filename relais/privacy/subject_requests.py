"""Data-subject requests (GDPR art. 12 to 22): received by a DPO, answered within one month of receipt, a
deadline that may be extended by two further months at most, with the reason (art. 12.3).

The operations the DPO's pages (request_views.py) run: open a request, extend its deadline, move it through
its life cycle (`SubjectRequest.workflow`: received → in progress → answered or refused with a reason), run
the erasure (a dry run first) or the export for its person, each stored with its report in `actions`.
Who may: the instance's DPO over every request; the DPO of a place over the requests of their places, and
the erasure of a membership only — an account spans places, only the instance's DPO erases one.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.core import workflow
from relais.core.errors import Conflict, DomainError, Forbidden

from . import erasure, subject_export
from .audit import AuditAction, record
from .dates import add_months
from .inventory import Subject
from .models import (
    ANSWER_MONTHS,
    MAX_EXTENSION_MONTHS,
    SubjectRequest,
    SubjectRequestKind,
    SubjectRequestStatus,
)


def for_scope(scope):
    """The requests a DPO's scope (`searches.scope_for`) may see."""
    requests = SubjectRequest.objects.select_related("place", "user", "member")
    return requests if scope.whole_instance else requests.filter(place_id__in=scope.places)


def due_date(received_at):
    return add_months(received_at, ANSWER_MONTHS)


def latest_extension(request):
    return add_months(request.due_at, MAX_EXTENSION_MONTHS)


def open_request(
    actor, *, scope, kind, channel, received_at=None, place=None, user=None, member=None, **person
):
    """Record a request received now (or at `received_at`); its answer is due one month later."""
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        raise DomainError(_("La date de réception ne peut pas être dans le futur."), field="received_at")
    if not scope.whole_instance and (place is None or not scope.places.filter(place_id=place.pk).exists()):
        raise DomainError(_("Choisissez l'un de vos lieux."), field="place")
    if user is None and member is None and not (person.get("person_name") or person.get("person_contact")):
        raise DomainError(_("Indiquez qui fait la demande : son nom ou son adresse."), field="person_name")
    if person.get("identity_checked") and not (person.get("identity_check") or "").strip():
        raise DomainError(_("Dites comment l'identité a été vérifiée."), field="identity_check")
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            kind=kind,
            channel=channel,
            received_at=received_at,
            received_by=actor.user,
            place=place or getattr(member, "place", None),
            user=user,
            member=member,
            due_at=due_date(received_at),
            **person,
        )
        record(actor, AuditAction.CREATE, request, place=request.place)
    return request


def extend(request, actor, *, until, reason):
    """Extend the deadline to `until` (at most two months after the first one), saying why."""
    if not request.is_open:
        raise Conflict(_("La demande est close : son délai ne se prolonge plus."), field="extended_to")
    if not (reason or "").strip():
        raise DomainError(
            _("Donnez le motif de la prolongation : il doit être dit à la personne."),
            field="extension_reason",
        )
    latest = latest_extension(request)
    if until <= request.due_at:
        raise DomainError(_("La nouvelle échéance doit suivre l'échéance d'un mois."), field="extended_to")
    if until > latest:
        raise DomainError(
            _(
                "Le délai ne se prolonge que de deux mois au plus (RGPD art. 12.3) : jusqu'au %(latest)s au "
                "plus tard."
            )
            % {"latest": date_format(timezone.localtime(latest), "DATE_FORMAT")},
            field="extended_to",
        )
    before = request.extended_to
    request.extended_to, request.extension_reason = until, reason.strip()
    request.save(update_fields=["extended_to", "extension_reason"])
    changes = {"extended_to": [before and before.isoformat(), until.isoformat()]}
    record(actor, AuditAction.UPDATE, request, changes=changes, place=request.place)
    return request


def start(request, actor):
    return workflow.apply(request, "start", actor)


def answer(request, actor):
    return workflow.apply(request, "answer", actor, answered_at=timezone.now())


def refuse(request, actor, reason):
    if not (reason or "").strip():
        raise DomainError(_("Donnez le motif du refus : il doit être dit à la personne."), field="reason")
    return workflow.apply(request, "refuse", actor, reason=reason.strip(), answered_at=timezone.now())


def subject_of(request, scope):
    """The person an erasure or an export is run for, within what the scope may do."""
    if request.user is None and request.member is None:
        raise DomainError(
            _("Rattachez la demande à un compte ou à une adhésion avant de lancer une opération."),
            field="person",
        )
    if request.user is not None and not scope.whole_instance:
        if request.member is None:
            raise Forbidden(
                _("Seul le DPO de l'instance peut effacer ou exporter un compte."), field="person"
            )
        return Subject(member=request.member)
    return Subject(user=request.user, member=request.member)


def run_erasure(request, actor, *, scope, dry_run):
    """Run the erasure for the request's person — a dry run first, then for real; the report is stored."""
    if request.kind != SubjectRequestKind.ERASURE:
        raise Conflict(_("Cette demande n'est pas une demande d'effacement."), field="kind")
    if not request.is_open:
        raise Conflict(_("La demande est close."), field="status")
    if not request.identity_checked:
        raise Conflict(_("Vérifiez d'abord l'identité de la personne."), field="identity_checked")
    if not dry_run and not any(a["kind"] == "erasure" and a["dry_run"] for a in request.actions):
        raise Conflict(
            _("Lancez d'abord la simulation de l'effacement et lisez son rapport."), field="actions"
        )
    subject = subject_of(request, scope)
    report = erasure.erase(subject, actor, dry_run=dry_run)
    _store(request, actor, "erasure", report.as_json(), dry_run=dry_run)
    return report


def run_rectification(request, actor, *, scope, changes):
    """Correct the request's person (erasure.rectify: the account or membership and their copies); the
    count of records changed per model is stored."""
    if request.kind != SubjectRequestKind.RECTIFICATION:
        raise Conflict(_("Cette demande n'est pas une demande de rectification."), field="kind")
    if not request.is_open:
        raise Conflict(_("La demande est close."), field="status")
    if not request.identity_checked:
        raise Conflict(_("Vérifiez d'abord l'identité de la personne."), field="identity_checked")
    subject = subject_of(request, scope)
    if subject.user is not None:
        subject = Subject(user=subject.user)  # an account's identity; a membership is corrected on its own
    changed = erasure.rectify(subject, changes, actor)
    _store(request, actor, "rectification", {"fields": sorted(changes), "records": changed}, dry_run=False)
    return changed


def run_export(request, actor, *, scope):
    """The ZIP of the request's person's data (subject_export.py); stored as done in `actions`."""
    if not request.is_open:
        raise Conflict(_("La demande est close."), field="status")
    subject = subject_of(request, scope)
    email = subject.user.email if subject.user is not None else ""
    content = subject_export.build_zip(user=subject.user, member=subject.member, email=email)
    for person in (subject.user, subject.member):
        if person is not None:  # the export shows the person's file: a view of it, in the trail
            record(actor, AuditAction.VIEW, person, changes={"export": [None, str(request.public_id)]})
    _store(request, actor, "export", {"bytes": len(content)}, dry_run=False)
    return content


def _store(request, actor, kind, report, *, dry_run):
    with transaction.atomic():
        current = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        entry = {
            "kind": kind,
            "at": timezone.now().isoformat(),
            "by": actor.display,
            "dry_run": dry_run,
            "report": report,
        }
        current.actions = [*current.actions, entry]
        current.save(update_fields=["actions"])
        changes = {"actions": [None, f"{kind}{' (simulation)' if dry_run else ''}"]}
        record(actor, AuditAction.UPDATE, current, changes=changes, place=current.place)
    request.actions = current.actions
    if current.status == SubjectRequestStatus.RECEIVED:
        start(current, actor)
        request.status = SubjectRequestStatus.IN_PROGRESS


__all__ = [
    "answer",
    "due_date",
    "extend",
    "for_scope",
    "latest_extension",
    "open_request",
    "refuse",
    "run_erasure",
    "run_export",
    "start",
]
