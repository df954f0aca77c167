"""Importing places: every row validated, every rejection reported with its line and reason,
all-or-nothing unless asked to skip bad rows, idempotent (re-importing updates, never duplicates)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from relais.core.errors import DomainError, ValidationFailed
from relais.privacy.audit import SYSTEM, AuditAction, build_event, diff
from relais.privacy.models import AuditEvent
from relais.territory.services import memory_commune_lookup

from ..models import Place, RegistryVersion
from ..services import SNAPSHOT_FIELDS, VOCABULARY_MODELS, Vocabularies, clean_place_data, snapshot
from . import france_services, mednum, relais_csv
from .reading import read_json, read_table

FORMATS = ["mednum-csv", "mednum-json", "geojson", "csv", "france-services", "mednum-2022"]
FIELD_LABELS = {
    "name": "nom",
    "code_insee": "code_insee",
    "postal_code": "code_postal",
    "commune": "commune",
    "latitude": "latitude",
    "longitude": "longitude",
    "opening_hours": "horaires",
    "phone": "telephone",
    "emails": "courriels",
    "websites": "site_web",
    "siret": "pivot (SIRET)",
    "rna": "pivot (RNA)",
    "data_updated_on": "date_maj",
    "summary": "presentation_resume",
    "source_id": "id",
}


@dataclass
class Record:
    line: int
    data: dict | None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    place_id: uuid.UUID | None = None


@dataclass
class RowProblem:
    line: int
    messages: list

    def __str__(self):
        return f"ligne {self.line} : {' ; '.join(self.messages)}"


@dataclass
class ImportReport:
    format: str
    encoding: str = ""
    delimiter: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    written: bool = False

    def summary(self):
        return (
            f"format={self.format} rows={self.total} created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} rejected={len(self.rejected)} warnings={len(self.warnings)}"
        )


class ImportRejected(DomainError):
    """The file has invalid rows and skipping them was not asked for: nothing was written."""

    def __init__(self, report):
        self.report = report
        super().__init__(
            f"{len(report.rejected)} ligne(s) invalide(s) sur {report.total} : rien n'a été importé "
            "(corrigez le fichier, ou demandez d'ignorer les lignes invalides)."
        )


def detect_format(path):
    name = Path(path).name.lower()
    if name.endswith((".geojson", ".geojson.gz")):
        return "geojson"
    if name.endswith((".json", ".json.gz")):
        payload = read_json(path)
        if isinstance(payload, dict) and payload.get("type") == "FeatureCollection":
            return "geojson"
        return "mednum-json"
    header = set(read_table(path).header)
    if "h_lundi" in header:
        return "france-services"
    if mednum.V0_MARKERS & header:
        return "mednum-2022"
    if {"nom", "pivot"} <= header or {"nom", "code_postal"} <= header:
        return "mednum-csv"
    if {"name", "code_insee"} <= header:
        return "csv"
    raise DomainError(
        "format non reconnu : précisez --format "
        f"({', '.join(FORMATS)}) ; colonnes lues : {', '.join(sorted(header)[:12])}.",
        field="format",
    )


def read_records(path, fmt, *, lookup, default_source=""):
    """(records, encoding, delimiter) for a file in format `fmt`; file-level problems raise DomainError."""
    book = mednum.Codebook()
    records, encoding, delimiter = [], "", ""
    if fmt in ("mednum-csv", "mednum-2022", "france-services", "csv"):
        table = read_table(path)
        encoding, delimiter = table.encoding, table.delimiter
        required = {
            "mednum-csv": mednum.REQUIRED,
            "mednum-2022": mednum.REQUIRED,
            "france-services": france_services.REQUIRED,
            "csv": relais_csv.REQUIRED,
        }[fmt]
        table.require(required, fmt)
        for line, row, problem in table:
            record = Record(line=line, data=None)
            if problem:
                record.errors.append(problem)
            elif fmt == "mednum-csv":
                record.data = mednum.row_to_data(
                    row, book, record.errors, record.warnings, default_source=default_source
                )
            elif fmt == "mednum-2022":
                record.data = mednum.v0_row_to_data(row, book, record.errors, record.warnings, lookup)
            elif fmt == "france-services":
                record.data = france_services.row_to_data(row, book, record.errors, record.warnings, lookup)
            else:
                record.data = relais_csv.row_to_data(row)
                record.place_id = _uuid_or_none(row.get("id"))
            records.append(record)
    elif fmt == "mednum-json":
        payload = read_json(path)
        items = payload.get("data", payload.get("lieux")) if isinstance(payload, dict) else payload
        if not isinstance(items, list):
            raise DomainError("JSON : une liste de lieux est attendue.", field="fichier")
        for number, item in enumerate(items, start=1):
            record = Record(line=number, data=None)
            row = mednum.json_to_row(item)
            if row is None:
                record.errors.append("un objet JSON est attendu.")
            else:
                record.data = mednum.row_to_data(
                    row, book, record.errors, record.warnings, default_source=default_source
                )
            records.append(record)
    elif fmt == "geojson":
        payload = read_json(path)
        if not isinstance(payload, dict) or payload.get("type") != "FeatureCollection":
            raise DomainError("GeoJSON : une FeatureCollection est attendue.", field="fichier")
        for number, feature in enumerate(payload.get("features") or [], start=1):
            records.append(_geojson_record(number, feature, book, default_source))
    else:
        raise DomainError(f"format inconnu « {fmt} » ({', '.join(FORMATS)}).", field="format")
    if not records:
        raise DomainError("le fichier ne contient aucun lieu.", field="fichier")
    return records, encoding, delimiter


def _geojson_record(number, feature, book, default_source):
    record = Record(line=number, data=None)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        record.errors.append("un objet « Feature » est attendu.")
        return record
    properties = dict(feature.get("properties") or {})
    geometry = feature.get("geometry") or {}
    if geometry:
        coords = geometry.get("coordinates") or []
        if geometry.get("type") != "Point" or len(coords) < 2:
            record.errors.append("géométrie : un « Point » [longitude, latitude] est attendu.")
            return record
    if "name" in properties:  # Relais' own properties
        row = {k: mednum._flatten_value(v) for k, v in properties.items()}
        if geometry:
            row["longitude"], row["latitude"] = str(coords[0]), str(coords[1])
        record.data = relais_csv.row_to_data(row)
        record.place_id = _uuid_or_none(feature.get("id"))
    else:
        row = mednum.json_to_row(properties)
        if geometry:
            row["longitude"], row["latitude"] = str(coords[0]), str(coords[1])
        record.data = mednum.row_to_data(
            row, book, record.errors, record.warnings, default_source=default_source
        )
    return record


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _messages(exc):
    return [f"{FIELD_LABELS.get(f, f)} : {' '.join(msgs)}" for f, msgs in exc.errors.items()]


def _cleaned_snapshot(cleaned):
    data = {}
    for name in SNAPSHOT_FIELDS:
        if name in VOCABULARY_MODELS:
            data[name] = sorted(t.code for t in cleaned.terms[name])
        elif name == "code_insee":
            data[name] = cleaned.values["commune"].code_insee
        elif name == "data_updated_on":
            data[name] = cleaned.values[name].isoformat()
        else:
            data[name] = cleaned.values.get(name)
    return data


def import_places(
    path,
    *,
    fmt=None,
    skip_invalid=False,
    actor=SYSTEM,
    progress=None,
    default_source="",
    is_demo=None,
    dry_run=False,
):
    """Import a file of places. Returns an ImportReport; raises ImportRejected (nothing written) when rows
    are invalid and `skip_invalid` is false, DomainError when the file itself cannot be read."""
    fmt = fmt or detect_format(path)
    lookup = memory_commune_lookup()
    records, encoding, delimiter = read_records(path, fmt, lookup=lookup, default_source=default_source)
    report = ImportReport(format=fmt, encoding=encoding, delimiter=delimiter, total=len(records))
    tick = progress or (lambda advance, total: None)
    vocabularies = Vocabularies()

    valid, seen = [], {}
    for record in records:
        if record.data is not None and not record.errors:
            if is_demo is not None:
                record.data["is_demo"] = is_demo
            try:
                cleaned = clean_place_data(record.data, vocabularies=vocabularies, commune_lookup=lookup)
            except ValidationFailed as exc:
                record.errors.extend(_messages(exc))
            else:
                record.warnings.extend(cleaned.warnings)
                key = (cleaned.values["source"], cleaned.values["source_id"])
                if not cleaned.values["source_id"]:
                    record.errors.append("id : identifiant absent.")
                elif key in seen:
                    record.errors.append(f"id : identifiant « {key[1]} » déjà présent ligne {seen[key]}.")
                else:
                    seen[key] = record.line
                    valid.append((record, cleaned))
        if record.errors:
            report.rejected.append(RowProblem(record.line, record.errors))
        if record.warnings:
            report.warnings.append(RowProblem(record.line, record.warnings))
        tick(1, len(records))
    if report.rejected and not skip_invalid:
        raise ImportRejected(report)
    if dry_run or not valid:
        return report
    _write(valid, report, actor)
    report.written = True
    return report


@transaction.atomic
def _write(valid, report, actor):
    sources = {cleaned.values["source"] for _, cleaned in valid}
    existing = {
        (p.source, p.source_id): p
        for p in Place.objects.filter(source__in=sources)
        .prefetch_related(*VOCABULARY_MODELS)
        .select_for_update(of=("self",))
    }
    to_create, to_update, events = [], [], []
    terms_of = {}
    for record, cleaned in valid:
        key = (cleaned.values["source"], cleaned.values["source_id"])
        place = existing.get(key)
        after = _cleaned_snapshot(cleaned)
        if place is None:
            place = Place(**cleaned.values)
            if record.place_id and not Place.objects.filter(pk=record.place_id).exists():
                place.id = record.place_id
            place.search_text = place.build_search_text()
            to_create.append(place)
            events.append(build_event(actor, AuditAction.CREATE, place, changes=diff({}, after), place=place))
        else:
            changes = diff(snapshot(place), after)
            if not changes:
                report.unchanged += 1
                continue
            for name, value in cleaned.values.items():
                setattr(place, name, value)
            place.search_text = place.build_search_text()
            to_update.append(place)
            events.append(build_event(actor, AuditAction.UPDATE, place, changes=changes, place=place))
        terms_of[place.pk] = cleaned.terms

    Place.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        fields = [f.name for f in Place._meta.concrete_fields if f.name not in ("id", "created_at")]
        for place in to_update:
            place.updated_at = _now()
        Place.objects.bulk_update(to_update, fields, batch_size=500)
    for kind in VOCABULARY_MODELS:
        through = getattr(Place, kind).through
        column = through._meta.get_field(Place._meta.get_field(kind).m2m_reverse_field_name()).attname
        updated_ids = [p.pk for p in to_update]
        for start in range(0, len(updated_ids), 500):
            through.objects.filter(place_id__in=updated_ids[start : start + 500]).delete()
        rows = [
            through(place_id=place.pk, **{column: term.pk})
            for place in [*to_create, *to_update]
            for term in terms_of[place.pk][kind]
        ]
        through.objects.bulk_create(rows, batch_size=1000)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    if events:
        RegistryVersion.bump()  # bulk writes send no signal: say the registry changed
    report.created, report.updated = len(to_create), len(to_update)


def _now():
    from django.utils import timezone

    return timezone.now()


def group_problems(problems):
    """{message: [lines]} so that a report of thousands of rows stays readable."""
    grouped = defaultdict(list)
    for problem in problems:
        for message in problem.messages:
            grouped[message].append(problem.line)
    return grouped
