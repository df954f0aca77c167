"""A person's access to their data (GDPR art. 15 and 20): a ZIP with one JSON file per processing and a
summary in French (`resume.html`), built from the personal-data inventory (`inventory.records_of`).

A record is exported whole when it is about the person (their booking, their membership), except the fields
that name who acted on it for the place (a team member's account: `actors`) and the secrets (password and
token hashes, session keys), which are only said to exist. A record where the person only acted (a booking
a team member made for someone else) shows just what says they acted: never the other person's data.
"""

import dataclasses
import datetime
import decimal
import io
import json
import uuid
import zipfile

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import inventory
from .inventory import Subject

SUMMARY_NAME = "resume.html"


@dataclasses.dataclass
class ExportedRecord:
    model_label: str
    type_label: str
    identifier: str
    label: str
    role: str  # "subject" (the record is about the person) or "actor" (the person acted on it)
    fields: list  # [{"name", "label", "value", "personal", "sensitive"}]

    def as_json(self):
        return {
            "model": self.model_label,
            "type": self.type_label,
            "id": self.identifier,
            "label": self.label,
            "role": self.role,
            "role_label": role_label(self.role),
            "fields": [{k: v for k, v in f.items() if k != "shown"} for f in self.fields],
        }


@dataclasses.dataclass
class ProcessingExport:
    processing: inventory.Processing
    records: list

    def as_json(self):
        p = self.processing
        return {
            "processing": {
                "code": p.code,
                "purpose": str(p.purpose),
                "legal_basis": p.legal_basis,
                "legal_basis_label": str(inventory.LegalBasis(p.legal_basis).label),
                "people": [str(inventory.PersonCategory(c).label) for c in p.people],
                "recipients": [str(r) for r in p.recipients],
                "retention": retention_label(p.retention),
            },
            "records": [r.as_json() for r in self.records],
        }


def role_label(role):
    return _("vous concerne") if role == "subject" else _("vous avez agi sur cet enregistrement")


def retention_label(retention):
    return _("%(duration)s à compter de %(start)s, puis %(end)s") % {
        "duration": retention.duration_label,
        "start": retention.starts,
        "end": inventory.EndAction(retention.end).label,
    }


def collect(user=None, member=None, email=None):
    """[ProcessingExport] of the person's records, one per processing that holds some, in the order of the
    inventory."""
    subject = Subject(user=user, member=member, email=(email or "").strip())
    declarations = inventory.declarations()
    processings = inventory.processings()
    by_processing = {}
    for model, queryset in inventory.records_of(user=user, member=member, email=email).items():
        declaration = declarations[model._meta.label]
        about = declaration.lookup(subject, actors=False)
        about_ids = set(queryset.filter(about).values_list("pk", flat=True)) if about is not None else set()
        for record in queryset.order_by("pk"):
            role = "subject" if record.pk in about_ids else "actor"
            exported = _export(record, declaration, role)
            by_processing.setdefault(declaration.processing, []).append(exported)
    return [
        ProcessingExport(processings[code], records)
        for code, records in sorted(by_processing.items(), key=lambda item: item[0])
    ]


def build_zip(user=None, member=None, email=None, *, now=None, exports=None):
    """The bytes of the ZIP: `<processing>.json` for each processing holding records, and the summary
    (`exports`: what `collect` gave for this person, when the caller has it already)."""
    now = now or timezone.now()
    if exports is None:
        exports = collect(user=user, member=member, email=email)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for export in exports:
            data = {"generated_at": now.isoformat(), **export.as_json()}
            archive.writestr(f"{export.processing.code}.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr(SUMMARY_NAME, summary_html(exports, user=user, member=member, email=email, now=now))
    return buffer.getvalue()


def summary_html(exports, *, user=None, member=None, email=None, now=None):
    person = str(user) if user is not None else str(member) if member is not None else email
    return render_to_string(
        "privacy/subject_export.html",
        {
            "person": person,
            "generated_at": now or timezone.now(),
            "exports": [
                {
                    "processing": e.processing,
                    "legal_basis": inventory.LegalBasis(e.processing.legal_basis).label,
                    "retention": retention_label(e.processing.retention),
                    "records": e.records,
                }
                for e in exports
            ],
        },
    )


def _shown(value):
    """A value as the summary shows it: dates in words and local time, lists joined, JSON objects as JSON,
    nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(value)


def _export(record, declaration, role):
    meta = record._meta
    personal = set(declaration.personal_fields)
    sensitive = set(declaration.sensitive)
    secret = set(declaration.secret)
    actors = set(declaration.actors)
    fields = []
    for field in inventory.model_fields(record):
        name = field.name
        if role == "actor" and name not in actors:
            continue
        if role == "subject" and (name in actors or name == meta.pk.name):
            continue
        value = _("(secret : présent, non exporté)") if name in secret else _value(record, field)
        fields.append(
            {
                "name": name,
                "label": str(getattr(field, "verbose_name", name)),
                "value": _plain(value),
                "shown": _shown(value),  # for the summary only
                "personal": name in personal,
                "sensitive": name in sensitive,
            }
        )
    public_id = getattr(record, "public_id", None)
    hidden_key = meta.pk.name in secret  # a session: its key is its name, and a credential
    identifier = public_id or ("" if hidden_key else record.pk)
    return ExportedRecord(
        model_label=meta.label,
        type_label=str(meta.verbose_name),
        identifier=str(identifier),
        label=str(record) if role == "subject" and not hidden_key else "",
        role=role,
        fields=fields,
    )


def _value(record, field):
    if field.many_to_many:
        return [str(related) for related in getattr(record, field.name).all()]
    if field.is_relation:
        related = getattr(record, field.name)
        return str(related) if related is not None else None
    value = getattr(record, field.attname)
    if isinstance(field, models.FileField):  # the stored file's name (its content stays in the instance)
        return value.name or None
    if field.choices and value not in (None, ""):
        return str(getattr(record, f"get_{field.name}_display")())
    return value


def _plain(value):
    """A JSON value: dates and times in ISO 8601 (local time, with its offset), identifiers and decimals as
    text."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal, datetime.timedelta)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return str(value)
    return value


__all__ = ["ExportedRecord", "ProcessingExport", "build_zip", "collect", "summary_html"]
