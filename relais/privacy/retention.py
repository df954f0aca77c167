"""The retention job: for every processing of the inventory, the records past their retention period get its
end action — deleted, anonymised, or kept for a legal duty.

A record is past its retention when the date of its processing's start event (`retention_date` in its
declaration: a booking's `end`, a token's `user__last_login`) is more than `months` ago; a record without
that date (an ongoing membership, an account never used) is not. A model whose app records no such date is
left to the app and named in the report. Accounts are anonymised rather than deleted (the audit trail and
the records of the places refer to them), unless a guard of the erasure refuses (the only manager of a
place); the audit trail, append-only, is counted and kept (its own retention is a separate job).

Each model is handled in its own transaction, in batches; each model that had records past retention gets
one audit entry per run (not one per row). A dry run (the default of `manage.py apply_retention`) does the
work and rolls it back, so that its report is what the real run would do, and writes nothing.
`apply_retention_task` is the same job for the task queue.
"""

import dataclasses

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from . import erasure
from . import inventory as default_inventory
from .audit import SYSTEM, AuditAction, build_event
from .dates import add_months
from .inventory import EndAction, Subject, _field_at
from .models import AuditEvent

BATCH_SIZE = 500


@dataclasses.dataclass
class RetentionCount:
    label: str
    name: str
    processing: str
    cutoff: str = ""
    found: int = 0
    anonymised: int = 0
    deleted: int = 0
    kept: int = 0
    note: str = ""

    def line(self):
        if not self.cutoff:
            return _("%(name)s (%(label)s) : %(note)s") % {
                "name": self.name,
                "label": self.label,
                "note": self.note,
            }
        text = _(
            "%(name)s (%(label)s), avant le %(cutoff)s : %(found)d trouvés, %(anonymised)d anonymisés, "
            "%(deleted)d supprimés, %(kept)d conservés"
        ) % {**dataclasses.asdict(self)}
        return f"{text} ({self.note})" if self.note else text


@dataclasses.dataclass
class RetentionReport:
    dry_run: bool
    at: str
    counts: list

    def lines(self):
        head = (
            _("Simulation de la conservation au %(at)s : rien n'a été modifié.")
            if self.dry_run
            else _("Conservation appliquée au %(at)s.")
        ) % {"at": self.at}
        return [head, *(c.line() for c in self.counts)]

    def count_for(self, label):
        return next((c for c in self.counts if c.label == label), None)

    def as_json(self):
        return {
            "dry_run": self.dry_run,
            "at": self.at,
            "models": [dataclasses.asdict(c) for c in self.counts],
        }


class _DryRun(Exception):
    pass


def apply_retention(*, dry_run=True, now=None, actor=SYSTEM, batch_size=BATCH_SIZE, inventory=None):
    """Apply every declared retention (see the module's docstring); returns the `RetentionReport`."""
    now = now or timezone.now()
    inventory = inventory or default_inventory.inventory
    processings = inventory.processings()
    counts = []
    declarations = [d for d in inventory.declarations().values() if d.processing]
    for declaration in sorted(declarations, key=erasure.dependents_first):
        label = declaration.label
        retention = processings[declaration.processing].retention
        count = RetentionCount(label, str(declaration.model._meta.verbose_name), declaration.processing)
        counts.append(count)
        if not declaration.retention_date:
            count.note = _("aucune date de début déclarée : les enregistrements suivent l'application")
            continue
        cutoff = add_months(now, -retention.months)
        count.cutoff = timezone.localtime(cutoff).date().isoformat()
        try:
            with transaction.atomic():
                _apply(declaration, retention, _past(declaration, cutoff), count, actor, batch_size)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return RetentionReport(
        dry_run=dry_run, at=timezone.localtime(now).isoformat(timespec="minutes"), counts=counts
    )


@task()
def apply_retention_task(wet_run=False):
    """The retention job for the task queue; returns its report (JSON)."""
    return apply_retention(dry_run=not wet_run).as_json()


def _past(declaration, cutoff):
    """The records whose start event is before `cutoff`, not anonymised yet."""
    model = declaration.model
    field = _field_at(model, declaration.retention_date)
    limit = timezone.localtime(cutoff).date() if not isinstance(field, models.DateTimeField) else cutoff
    queryset = model._default_manager.filter(**{f"{declaration.retention_date}__lt": limit})
    if model is get_user_model():
        return queryset.filter(is_active=True)
    return queryset


def _not_neutral(declaration):
    """Q of the records with a personal value left (anonymised ones are not counted again)."""
    condition = Q(pk__in=[])
    for name in declaration.personal_fields:
        field = declaration.model._meta.get_field(name)
        if field.is_relation:
            condition |= Q(**{f"{name}__isnull": False})
        elif isinstance(field, erasure.TEXT_FIELDS) or field.null:
            neutral = declaration.neutral.get(name, erasure.neutral_value(field))
            left = Q(**{f"{name}__isnull": False}) if neutral is None else ~Q(**{name: neutral})
            if name in declaration.actors and neutral != "":
                left &= ~Q(**{name: ""})  # no author named: nothing to anonymise
            condition |= left
    return condition


def _apply(declaration, retention, queryset, count, actor, batch_size):
    model = declaration.model
    if declaration.label in erasure.APPEND_ONLY:
        count.found = count.kept = queryset.count()
        count.note = _("journal d'audit en ajout seul : conservé selon sa propre durée")
        return
    if retention.end == EndAction.KEEP:
        count.found = count.kept = queryset.count()
        count.note = retention.legal_reference
        return
    if retention.end == EndAction.ANONYMISE:
        queryset = queryset.filter(_not_neutral(declaration))
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    count.found = len(pks)
    blocked = set()
    for start in range(0, len(pks), batch_size):
        batch = model._default_manager.filter(pk__in=pks[start : start + batch_size]).order_by("pk")
        if model is get_user_model():
            _anonymise_accounts(declaration, batch, count, blocked)
        elif retention.end == EndAction.DELETE:
            count.deleted += batch.delete()[1].get(declaration.label, 0)
        else:
            _anonymise(declaration, batch, count)
    if blocked:
        count.note = " ".join(sorted(blocked))
    if count.found:
        _audit(declaration, count, actor)


def _anonymise(declaration, batch, count):
    to_delete = []
    for record in batch.select_for_update():
        values = erasure.neutral_values(declaration, record)
        if values is None:
            to_delete.append(record.pk)
            continue
        for name, value in values.items():
            setattr(record, name, value)
        record.save(update_fields=list(values))
        count.anonymised += 1
    if to_delete:
        count.deleted += (
            declaration.model._default_manager.filter(pk__in=to_delete).delete()[1].get(declaration.label, 0)
        )


def _anonymise_accounts(declaration, batch, count, blocked):
    for user in batch.select_for_update():
        reasons = erasure.blockers(Subject(user=user))
        if reasons:
            count.kept += 1
            blocked.update(reasons)
            continue
        erasure.anonymise_account(user, declaration)
        count.anonymised += 1


class _ModelTarget:
    """What one audit entry of a run is about: a model, not one of its records."""

    def __init__(self, model):
        self._meta = model._meta
        self.pk = "retention"

    def __str__(self):
        return str(self._meta.verbose_name_plural)


def _audit(declaration, count, actor):
    """One entry for the model and the run: what was found and done, never a record's values."""
    done = {k: getattr(count, k) for k in ("cutoff", "found", "anonymised", "deleted", "kept")}
    event = build_event(
        actor,
        AuditAction.DELETE if count.deleted and not count.anonymised else AuditAction.UPDATE,
        _ModelTarget(declaration.model),
        changes={"retention": [None, done]},
    )
    AuditEvent.objects.bulk_create([event])


__all__ = ["RetentionCount", "RetentionReport", "apply_retention", "apply_retention_task"]
