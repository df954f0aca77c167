"""Importing places: every row validated, every rejection reported with its line and reason,
all-or-nothing unless asked to skip bad rows, idempotent (re-importing updates, never duplicates)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core import tables
from relais.core.errors import DomainError, ValidationFailed
from relais.privacy.audit import SYSTEM, AuditAction, build_event, diff
from relais.privacy.models import AuditEvent
from relais.territory.services import memory_commune_lookup

from ..models import Place, RegistryVersion
from ..services import (
    SNAPSHOT_FIELDS,
    VOCABULARY_MODELS,
    Vocabularies,
    clean_place_data,
    keep_known_position,
    snapshot,
)
from . import france_services, mednum, relais_csv, repairs

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


MAX_BYTES = tables.MAX_BYTES  # 100 MB, the file and its gunzipped content (see core/tables/reading.py)
MAX_ROWS = tables.MAX_ROWS
BATCH_SIZE = 500  # rows validated, then written, together: memory stays flat whatever the file's size
MAX_DETAILED_PROBLEMS = 5000  # problems kept with their line (each kind); all are counted
TABLE_FORMATS = {
    "mednum-csv": mednum.REQUIRED,
    "mednum-2022": mednum.REQUIRED,
    "france-services": france_services.REQUIRED,
    "csv": relais_csv.REQUIRED,
}


@dataclass
class Record:
    line: int
    data: dict | None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    place_id: uuid.UUID | None = None
    relais_format: bool = False  # Relais' own fields: not an open list, nothing to repair


@dataclass
class RowProblem:
    line: int
    messages: list

    def __str__(self):
        return _("ligne %(line)s : %(messages)s") % {"line": self.line, "messages": " ; ".join(self.messages)}


@dataclass
class ImportReport:
    format: str
    encoding: str = ""
    delimiter: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # the first MAX_DETAILED_PROBLEMS
    warnings: list = field(default_factory=list)
    rejected_count: int = 0
    warnings_count: int = 0
    repairs: dict = field(default_factory=dict)  # {repairs.KINDS item: places repaired}, valid rows only
    written: bool = False

    def summary(self):
        text = (
            f"format={self.format} rows={self.total} created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} rejected={self.rejected_count} warnings={self.warnings_count}"
        )
        counts = [f"{kind}:{self.repairs[kind]}" for kind in repairs.KINDS if self.repairs.get(kind)]
        return f"{text} repairs={','.join(counts)}" if counts else text

    def repair_lines(self):
        """One French line for each repair made: what was repaired, in how many places."""
        return repairs.report_lines(self.repairs)

    def add(self, record):
        """Count the record's problems and repairs; keep the first problems with their line (message text
        made safe)."""
        if not record.errors:
            for kind in repairs.repaired_kinds(record.warnings):
                self.repairs[kind] = self.repairs.get(kind, 0) + 1
        for messages, kept, count in (
            (record.errors, self.rejected, "rejected_count"),
            (record.warnings, self.warnings, "warnings_count"),
        ):
            if messages:
                setattr(self, count, getattr(self, count) + 1)
                if len(kept) < MAX_DETAILED_PROBLEMS:
                    kept.append(RowProblem(record.line, [tables.printable(m, 500) for m in messages]))


class ImportRejected(DomainError):
    """The file has invalid rows and skipping them was not asked for: nothing was written."""

    def __init__(self, report):
        self.report = report
        super().__init__(
            ngettext(
                # Translators: the choice of singular or plural follows %(rejected)s
                "%(rejected)s ligne invalide sur %(total)s : rien n'a été importé "
                "(corrigez le fichier, ou demandez d'ignorer les lignes invalides).",
                "%(rejected)s lignes invalides sur %(total)s : rien n'a été importé "
                "(corrigez le fichier, ou demandez d'ignorer les lignes invalides).",
                report.rejected_count,
            )
            % {"rejected": report.rejected_count, "total": report.total}
        )


def detect_format(path):
    name = Path(path).name.lower()
    if name.endswith((".geojson", ".geojson.gz")):
        return "geojson"
    if name.endswith((".json", ".json.gz")):
        with tables.open_json(path, max_bytes=MAX_BYTES) as items:
            return "geojson" if items.container == "features" else "mednum-json"
    with tables.open_table(path, max_bytes=MAX_BYTES) as table:
        header = set(table.header)
        if "h_lundi" in header:
            return "france-services"
        if mednum.V0_MARKERS & header:
            return "mednum-2022"
        if {"nom", "pivot"} <= header or {"nom", "code_postal"} <= header:
            return "mednum-csv"
        if {"name", "code_insee"} <= header:
            return "csv"
        raise DomainError(
            _("format non reconnu : précisez --format (%(formats)s) ; colonnes lues : %(columns)s.")
            % {"formats": ", ".join(FORMATS), "columns": table.columns_text()},
            field="format",
        )


class Records:
    """The records of a file in format `fmt`, read one at a time; use in a `with` block. File-level
    problems raise DomainError, row-level ones go to each record's errors and warnings."""

    def __init__(self, path, fmt, *, lookup, default_source=""):
        if fmt not in FORMATS:
            raise DomainError(
                _("format inconnu « %(format)s » (%(formats)s).")
                % {"format": tables.printable(fmt), "formats": ", ".join(FORMATS)},
                field="format",
            )
        self.fmt, self.lookup, self.default_source = fmt, lookup, default_source
        self.book = mednum.Codebook()
        self.encoding = self.delimiter = ""
        if fmt in TABLE_FORMATS:
            self.source = tables.open_table(path, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
            self.encoding, self.delimiter = self.source.encoding, self.source.delimiter
            try:
                self.source.require(TABLE_FORMATS[fmt], fmt)
            except DomainError:
                self.source.close()
                raise
        else:
            self.source = tables.open_json(path, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
            try:
                self._check_container()
            except DomainError:
                self.source.close()
                raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.source.close()

    def progress(self):
        return self.source.progress()

    def _check_container(self, finished=False):
        container, kind = self.source.container, self.source.members.get("type")
        if self.fmt == "mednum-json" and container not in ("", "data", "lieux"):
            raise DomainError(_("JSON : une liste de lieux est attendue."), field="fichier")
        if self.fmt == "geojson" and (
            container != "features" or (kind or finished) and kind != "FeatureCollection"
        ):
            raise DomainError(_("GeoJSON : une FeatureCollection est attendue."), field="fichier")

    def __iter__(self):
        for record in self._records():
            if record.data is not None and not record.relais_format:
                repairs.repair(record.data, record.warnings)
            yield record

    def _records(self):
        if self.fmt in TABLE_FORMATS:
            for line, row, problem in self.source:
                yield self._table_record(line, row, problem)
            return
        for line, item in self.source:
            if self.fmt == "geojson":
                yield _geojson_record(line, item, self.book, self.default_source)
            else:
                record = Record(line=line, data=None)
                row = mednum.json_to_row(item)
                if row is None:
                    record.errors.append(_("un objet JSON est attendu."))
                else:
                    record.data = mednum.row_to_data(
                        row, self.book, record.errors, record.warnings, default_source=self.default_source
                    )
                yield record
        self._check_container(finished=True)  # GeoJSON's "type" may come after its features

    def _table_record(self, line, row, problem):
        record = Record(line=line, data=None)
        if problem:
            record.errors.append(problem)
        elif self.fmt == "mednum-csv":
            record.data = mednum.row_to_data(
                row, self.book, record.errors, record.warnings, default_source=self.default_source
            )
        elif self.fmt == "mednum-2022":
            record.data = mednum.v0_row_to_data(row, self.book, record.errors, record.warnings, self.lookup)
        elif self.fmt == "france-services":
            record.data = france_services.row_to_data(
                row, self.book, record.errors, record.warnings, self.lookup
            )
        else:
            record.data = relais_csv.row_to_data(row)
            record.place_id = _uuid_or_none(row.get("id"))
            record.relais_format = True
        return record


def _geojson_record(number, feature, book, default_source):
    record = Record(line=number, data=None)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        record.errors.append(_("un objet « Feature » est attendu."))
        return record
    properties = dict(feature.get("properties") or {})
    geometry = feature.get("geometry") or {}
    if geometry:
        coords = geometry.get("coordinates") or []
        if geometry.get("type") != "Point" or len(coords) < 2:
            record.errors.append(_("géométrie : un « Point » [longitude, latitude] est attendu."))
            return record
    if "name" in properties:  # Relais' own properties
        row = {k: mednum._flatten_value(v) for k, v in properties.items()}
        if geometry:
            row["longitude"], row["latitude"] = str(coords[0]), str(coords[1])
        record.data = relais_csv.row_to_data(row)
        record.place_id = _uuid_or_none(feature.get("id"))
        record.relais_format = True
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
    are invalid and `skip_invalid` is false, DomainError when the file itself cannot be read.

    The file is read once, row by row: rows are validated and written by batches of BATCH_SIZE inside one
    transaction, so that memory stays flat whatever the size and a refusal leaves nothing written. Once a
    row is invalid (without `skip_invalid`), nothing more is written but every row is still checked, so that
    the report lists them all. `progress(advance, total)` is told the bytes read.
    """
    fmt = fmt or detect_format(path)
    lookup = memory_commune_lookup()
    vocabularies = Vocabularies()
    seen, batch, events, read = {}, [], 0, 0
    tick = progress or (lambda advance, total: None)
    with Records(path, fmt, lookup=lookup, default_source=default_source) as records, transaction.atomic():
        report = ImportReport(format=fmt, encoding=records.encoding, delimiter=records.delimiter)
        for record in records:
            report.total += 1
            cleaned = _clean(record, seen, vocabularies, lookup, is_demo)
            report.add(record)
            if cleaned is not None and not dry_run and (skip_invalid or not report.rejected_count):
                batch.append((record, cleaned))
                if len(batch) >= BATCH_SIZE:
                    events += _write(batch, report, actor)
                    batch = []
            done, total = records.progress()
            tick(done - read, total)
            read = done
        if not report.total:
            raise DomainError(_("le fichier ne contient aucun lieu."), field="fichier")
        if report.rejected_count and not skip_invalid:
            raise ImportRejected(report)  # leaving the atomic block: what was written is rolled back
        if batch:
            events += _write(batch, report, actor)
        if events:
            RegistryVersion.bump()  # bulk writes send no signal: say the registry changed
        report.written = not dry_run and report.created + report.updated + report.unchanged > 0
    return report


def _clean(record, seen, vocabularies, lookup, is_demo):
    """The record's cleaned data, or None when it is invalid (its errors then say why)."""
    if record.data is None or record.errors:
        return None
    if is_demo is not None:
        record.data["is_demo"] = is_demo
    try:
        cleaned = clean_place_data(record.data, vocabularies=vocabularies, commune_lookup=lookup)
    except ValidationFailed as exc:
        record.errors.extend(_messages(exc))
        return None
    record.warnings.extend(cleaned.warnings)
    key = (cleaned.values["source"], cleaned.values["source_id"])
    if not key[1]:
        record.errors.append(_("id : identifiant absent."))
    elif key in seen:
        record.errors.append(
            _("id : identifiant « %(id)s » déjà présent ligne %(line)s.")
            % {"id": tables.printable(key[1]), "line": seen[key]}
        )
    else:
        seen[key] = record.line
        return cleaned
    return None


def _write(batch, report, actor):
    """Create or update the places of one batch (inside the import's transaction); the number of events."""
    from ..dedup import absorb_merged_rows  # rows of merged places (their aliases) update the kept place

    batch = absorb_merged_rows(batch, report, actor)
    keys = {(c.values["source"], c.values["source_id"]) for _record, c in batch}
    existing = {
        (p.source, p.source_id): p
        for p in Place.objects.filter(
            source__in={source for source, _id in keys}, source_id__in={source_id for _s, source_id in keys}
        )
        .prefetch_related(*VOCABULARY_MODELS)
        .select_for_update(of=("self",))
        if (p.source, p.source_id) in keys
    }
    wanted_ids = {record.place_id for record, _c in batch if record.place_id}
    taken_ids = (
        set(Place.objects.filter(pk__in=wanted_ids).values_list("pk", flat=True)) if wanted_ids else set()
    )
    to_create, to_update, events, terms_of = [], [], [], {}
    for record, cleaned in batch:
        place = existing.get((cleaned.values["source"], cleaned.values["source_id"]))
        if place is not None:
            keep_known_position(place, cleaned)
        after = _cleaned_snapshot(cleaned)
        if place is None:
            place = Place(**cleaned.values)
            if record.place_id and record.place_id not in taken_ids:
                place.id = record.place_id
                taken_ids.add(record.place_id)  # two rows asking for the same id: the first has it
            place.search_text = place.build_search_text()
            to_create.append(place)
            events.append(build_event(actor, AuditAction.CREATE, place, changes=diff({}, after), place=place))
        else:
            changes = diff(snapshot(place), after)
            if not changes:
                report.unchanged += 1
                continue
            changed = {name for name, value in cleaned.values.items() if _differs(place, name, value)}
            for name in changed:
                setattr(place, name, cleaned.values[name])
            place.search_text = place.build_search_text()
            to_update.append((place, changed))
            events.append(build_event(actor, AuditAction.UPDATE, place, changes=changes, place=place))
        terms_of[place.pk] = cleaned.terms

    Place.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    for place, changed in to_update:
        # One UPDATE of the changed columns per place: bulk_update's CASE over every column of every row
        # took 40 times longer (188 s for 4,000 places of the demo registry).
        place.updated_at = _now()
        fields = {name: getattr(place, name) for name in (*changed, "search_text", "updated_at")}
        Place.objects.filter(pk=place.pk).update(**fields)
    to_update = [place for place, _changed in to_update]
    for kind in VOCABULARY_MODELS:
        through = getattr(Place, kind).through
        column = through._meta.get_field(Place._meta.get_field(kind).m2m_reverse_field_name()).attname
        if to_update:
            through.objects.filter(place_id__in=[p.pk for p in to_update]).delete()
        rows = [
            through(place_id=place.pk, **{column: term.pk})
            for place in [*to_create, *to_update]
            for term in terms_of[place.pk][kind]
        ]
        through.objects.bulk_create(rows, batch_size=1000)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    report.created += len(to_create)
    report.updated += len(to_update)
    return len(events)


def _differs(place, name, value):
    field = Place._meta.get_field(name)
    if field.is_relation:  # compare keys: no query for the related object
        return getattr(place, field.attname) != (value.pk if value is not None else None)
    return getattr(place, name) != value


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
