"""Imports read files as streams: memory does not grow with the file, sizes are capped, raw bytes of a
binary file never reach a message, batches are written in one transaction, every format says its lines."""

import csv
import gzip
import io
import json
import tracemalloc

import pytest
from django.conf import settings
from django.core.management import call_command

from relais.core import tables
from relais.core.errors import DomainError
from relais.places.models import Place
from relais.places.opendata import importer
from relais.places.opendata.exporter import export_places
from relais.places.opendata.importer import ImportRejected, import_places
from relais.places.opendata.mednum import COLUMNS
from relais.privacy.models import AuditEvent
from relais.territory.services import memory_commune_lookup
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

EXAMPLE = settings.RELAIS_DATA_DIR / "schemas" / "lieux-mediation-numerique-exemple-valide.csv"
CONTROL = tables.reading._CONTROL


def example_row():
    with open(EXAMPLE, encoding="utf-8") as handle:
        return next(csv.DictReader(handle))


def rows_text(rows, columns=COLUMNS, delimiter=","):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    return out.getvalue()


def numbered(count):
    return [example_row() | {"id": f"structure-{n}"} for n in range(1, count + 1)]


def test_memory_does_not_grow_with_the_file(tmp_path):
    # 12 MB of rows, each one column too many: read, checked and reported, never held all at once.
    path = tmp_path / "grand.csv"
    row = ",".join(["x" * 20] * (len(COLUMNS) + 1)) + ",Café numérique\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        handle.writelines(row for _n in range(12_000_000 // len(row)))
    size = path.stat().st_size
    memory_commune_lookup()  # the reference lookup is built once per process, not per file
    tracemalloc.start()
    try:
        report = import_places(path, fmt="mednum-csv", skip_invalid=True, dry_run=True)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert report.rejected_count == report.total > 15_000
    assert len(report.rejected) == importer.MAX_DETAILED_PROBLEMS  # the first ones, with their line
    assert peak < size / 2


def test_rows_are_written_by_batches_and_a_late_bad_row_still_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    rows = numbered(5)
    path = tmp_path / "lieux.csv"
    path.write_text(
        rows_text([*rows, example_row() | {"id": "structure-9", "telephone": "12"}]), encoding="utf-8"
    )

    with pytest.raises(ImportRejected) as caught:
        import_places(path, fmt="mednum-csv")

    assert [p.line for p in caught.value.report.rejected] == [7]
    assert Place.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    path.write_text(rows_text(rows), encoding="utf-8")
    assert import_places(path, fmt="mednum-csv").created == 5
    assert Place.objects.count() == 5


def test_every_problem_is_counted_and_the_first_ones_kept_with_their_line(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_DETAILED_PROBLEMS", 2)
    path = tmp_path / "lieux.csv"
    path.write_text(rows_text([row | {"telephone": "12"} for row in numbered(4)]), encoding="utf-8")

    with pytest.raises(ImportRejected, match="4 lignes invalides sur 4 : rien n.a été importé") as caught:
        import_places(path, fmt="mednum-csv")

    assert [p.line for p in caught.value.report.rejected] == [2, 3]
    assert caught.value.report.summary().endswith("rejected=4 warnings=0")


def test_a_gzip_bomb_is_refused_while_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 50_000)
    path = tmp_path / "lieux.csv.gz"
    path.write_bytes(gzip.compress(rows_text(numbered(1)).encode() + b"\n" * 200_000))

    with pytest.raises(DomainError, match="fichier décompressé trop volumineux"):
        import_places(path, fmt="mednum-csv")
    assert path.stat().st_size < 50_000


def test_the_raw_bytes_of_a_binary_file_are_not_echoed(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x1b[2J\x07\x08GIF89a,\x01\x02\x03\x7f\x1b]0;titre\x07\n\x05\x06\n")

    with pytest.raises(DomainError, match="format non reconnu") as caught:
        import_places(path)

    assert not CONTROL.search(str(caught.value))


def test_control_characters_in_a_row_reject_it_by_line_and_column(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(rows_text([example_row() | {"nom": "Lieu\x1b[31m rouge\x07"}]), encoding="utf-8")

    with pytest.raises(ImportRejected) as caught:
        import_places(path, fmt="mednum-csv")

    (problem,) = caught.value.report.rejected
    assert problem.line == 2
    assert "colonne « nom » : caractère de contrôle" in str(problem)
    assert not CONTROL.search(str(problem))


def test_a_spreadsheet_in_ods_imports_like_its_csv(tmp_path):
    rows = numbered(2)
    path = tmp_path / "lieux.ods"
    path.write_bytes(tables.ods_bytes({"lieux": (COLUMNS, rows)}))

    report = import_places(path)

    assert (report.format, report.created, report.rejected) == ("mednum-csv", 2, [])
    assert Place.objects.get(source_id="structure-2").commune_id == "51454"


def test_json_problems_are_reported_at_the_line_of_their_object(tmp_path):
    PlaceFactory(name="Premier lieu")
    PlaceFactory(name="Second lieu")
    out = io.StringIO()
    export_places(out, "geojson")
    lines = out.getvalue().split("\n")
    broken = json.loads(lines[2].rstrip(","))
    broken["geometry"] = {"type": "Polygon", "coordinates": []}
    lines[2] = json.dumps(broken)
    path = tmp_path / "lieux.geojson"
    path.write_text("\n".join(lines), encoding="utf-8")
    Place.objects.all().delete()

    with pytest.raises(ImportRejected) as caught:
        import_places(path)

    assert [(p.line, p.messages[0][:11]) for p in caught.value.report.rejected] == [(3, "géométrie :")]


def test_an_invalid_json_file_says_where(tmp_path):
    path = tmp_path / "lieux.json"
    path.write_text('[\n{"id": "a", "nom": "A"},\n{"id": "b" "nom": "B"}\n]', encoding="utf-8")

    with pytest.raises(DomainError, match="JSON invalide ligne 3"):
        import_places(path)


def test_the_relais_csv_file_has_a_bom_and_reads_back(tmp_path):
    PlaceFactory(name="Tiers-lieu d'Été")
    path = tmp_path / "registre.csv"
    call_command("export_places", format="csv", output=str(path), stdout=io.StringIO(), verbosity=0)
    Place.objects.all().delete()

    assert path.read_bytes().startswith(b"\xef\xbb\xbfid;name;")
    report = import_places(path)
    assert (report.format, report.encoding, report.created) == ("csv", "utf-8-sig", 1)
    assert Place.objects.get().name == "Tiers-lieu d'Été"
