"""Import and export in the national standard of lieux de médiation numérique (schema v1.0.2)."""

import csv
import io
import json

import pytest
from django.conf import settings
from frictionless import Resource, Schema

from relais.core.errors import DomainError
from relais.places.models import Place
from relais.places.opendata.exporter import export_places
from relais.places.opendata.importer import ImportRejected, import_places
from relais.places.opendata.mednum import COLUMNS
from relais.privacy.models import AuditEvent
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

SCHEMA = settings.RELAIS_DATA_DIR / "schemas" / "lieux-mediation-numerique-v1.0.2.schema.json"
EXAMPLE = settings.RELAIS_DATA_DIR / "schemas" / "lieux-mediation-numerique-exemple-valide.csv"


def example_row():
    with open(EXAMPLE, encoding="utf-8") as handle:
        return next(csv.DictReader(handle))


def write_rows(path, rows, *, delimiter=",", encoding="utf-8", columns=COLUMNS):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def export_text(fmt="mednum-csv", queryset=None):
    buffer = io.StringIO()
    export_places(buffer, fmt, queryset)
    return buffer.getvalue()


def test_the_official_valid_example_imports_with_every_field():
    report = import_places(EXAMPLE, fmt="mednum-csv")
    assert (report.created, report.rejected) == (1, [])
    place = Place.objects.get(source="Hubik", source_id="structure-1")
    assert place.commune_id == "51454"
    assert place.siret == "43493312300029"
    assert place.phone == "+33180059880"
    assert place.emails == ["contact@laquincaillerie.tl", "responsable@laquincaillerie.tl"]
    assert sorted(t.code for t in place.typologies.all()) == ["ASSO", "TIERS_LIEUX"]
    assert sorted(s.code for s in place.services.all()) == [
        "INSERTION_PRO",
        "LOISIRS_CREATION",
        "OUTILS_QUOTIDIEN",
    ]
    assert sorted(lab.code for lab in place.labels.all()) == [
        "AIDANTS_CONNECT",
        "ARNIA",
        "CONSEILLER_NUMERIQUE",
        "CROIX_ROUGE",
        "MON_ESPACE_SANTE",
    ]
    assert place.fees == ["GRATUIT_SOUS_CONDITION", "PAYANT"]
    assert place.itinerancy == ["ITINERANT"]
    # The example puts its point near Aix while its commune is Reims: imported, and reported.
    assert any("à vérifier" in m for w in report.warnings for m in w.messages)


def test_an_imported_standard_file_round_trips_through_export():
    import_places(EXAMPLE, fmt="mednum-csv")
    exported = rows_of(export_text())
    original = example_row()
    assert len(exported) == 1
    for column in COLUMNS:
        if column in ("latitude", "longitude"):
            assert float(exported[0][column]) == pytest.approx(float(original[column]))
        elif column in {
            "typologie",
            "services",
            "courriels",
            "site_web",
            "publics_specifiquement_adresses",
            "prise_en_charge_specifique",
            "frais_a_charge",
            "dispositif_programmes_nationaux",
            "formations_labels",
            "modalites_acces",
            "modalites_accompagnement",
        }:
            assert set(exported[0][column].split("|")) == set(original[column].split("|")), column
        else:
            assert exported[0][column] == original[column], column


def test_the_export_validates_against_the_official_table_schema(tmp_path):
    PlaceFactory(
        typologies=["COWORKING", "FABLAB"],
        services=["DEMARCHES", "POSTE_TRAVAIL"],
        labels=["FRANCE_SERVICES", "MICRO_FOLIE", "ETAPES_NUMERIQUES"],
        siret="",
    )
    PlaceFactory(name="Sans coordonnées", latitude=None, longitude=None, opening_hours="")
    import_places(EXAMPLE, fmt="mednum-csv")
    path = tmp_path / "export.csv"
    path.write_text(export_text(), encoding="utf-8")
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]
    assert report.tasks[0].stats["rows"] == 3


def test_reimporting_the_same_file_changes_nothing_and_writes_no_history():
    import_places(EXAMPLE, fmt="mednum-csv")
    events = AuditEvent.objects.count()
    report = import_places(EXAMPLE, fmt="mednum-csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Place.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_changed_row_updates_the_place_and_records_before_and_after(tmp_path):
    import_places(EXAMPLE, fmt="mednum-csv")
    row = example_row() | {"nom": "Anonymal renommé", "horaires": "Mo-Sa 10:00-19:00"}
    report = import_places(write_rows(tmp_path / "v2.csv", [row]), fmt="mednum-csv")
    assert (report.created, report.updated) == (0, 1)
    place = Place.objects.get()
    assert place.name == "Anonymal renommé"
    event = AuditEvent.objects.filter(action="update").get()
    assert event.changes["name"] == ["Anonymal", "Anonymal renommé"]
    assert event.changes["opening_hours"][1] == "Mo-Sa 10:00-19:00"
    assert event.channel == "command"


def test_one_invalid_row_rejects_the_whole_file_and_says_where(tmp_path):
    good = example_row()
    bad_hours = good | {"id": "structure-2", "horaires": "Lu-Ve 09:00-12:00"}
    bad_siret = good | {"id": "structure-3", "pivot": "43493312300028"}
    bad_cp = good | {"id": "structure-4", "code_postal": "75001"}
    path = write_rows(tmp_path / "bad.csv", [good, bad_hours, bad_siret, bad_cp])
    with pytest.raises(ImportRejected) as caught:
        import_places(path, fmt="mednum-csv")
    rejected = {p.line: " ".join(p.messages) for p in caught.value.report.rejected}
    assert set(rejected) == {3, 4, 5}
    assert "horaires" in rejected[3] and "position" in rejected[3]
    assert "SIRET" in rejected[4]
    assert "ne correspond pas à la commune Reims" in rejected[5]
    assert Place.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_skip_invalid_imports_the_good_rows_and_reports_the_others(tmp_path):
    good = example_row()
    bad = good | {"id": "structure-2", "latitude": "5.41423", "longitude": "43.52609"}
    report = import_places(write_rows(tmp_path / "f.csv", [good, bad]), fmt="mednum-csv", skip_invalid=True)
    assert report.created == 1
    assert [p.line for p in report.rejected] == [3]
    assert "hors de France" in report.rejected[0].messages[0]


def test_duplicate_identifiers_in_one_file_are_refused(tmp_path):
    row = example_row()
    with pytest.raises(ImportRejected) as caught:
        import_places(write_rows(tmp_path / "dup.csv", [row, row]), fmt="mednum-csv")
    (problem,) = caught.value.report.rejected
    assert problem.line == 3
    assert "déjà présent ligne 2" in problem.messages[0]


def test_a_windows_1252_file_with_semicolons_is_read(tmp_path):
    row = example_row() | {"nom": "Café numérique de l'Été", "presentation_detail": ""}
    path = write_rows(tmp_path / "win.csv", [row], delimiter=";", encoding="cp1252")
    report = import_places(path)
    assert (report.format, report.encoding, report.delimiter) == ("mednum-csv", "cp1252", ";")
    assert Place.objects.get().name == "Café numérique de l'Été"


def test_line_numbers_count_quoted_line_breaks(tmp_path):
    first = example_row() | {"presentation_detail": "Première ligne\nDeuxième ligne\nTroisième"}
    second = example_row() | {"id": "structure-2", "telephone": "12"}
    with pytest.raises(ImportRejected) as caught:
        import_places(write_rows(tmp_path / "multi.csv", [first, second]), fmt="mednum-csv")
    assert [p.line for p in caught.value.report.rejected] == [5]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"   \n", "vide"),
        (b"nom,ville\nA,B\n", "colonnes obligatoires absentes"),
        (b"\x00\x01\x02\xff\xfe", "non reconnu"),
    ],
)
def test_unreadable_files_get_a_clear_french_message(tmp_path, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(DomainError, match=message):
        import_places(path, fmt="mednum-csv" if b"nom" in content else None)


def test_a_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr("relais.places.opendata.importer.MAX_BYTES", 100)
    path = write_rows(tmp_path / "big.csv", [example_row()])
    with pytest.raises(DomainError, match="trop volumineux"):
        import_places(path, fmt="mednum-csv")


def test_json_export_reimports_to_the_same_standard_rows(tmp_path):
    import_places(EXAMPLE, fmt="mednum-csv")
    PlaceFactory(typologies=["EPN"], services=["ACCES_INTERNET"], labels=["CONSEILLER_NUMERIQUE"])
    before = sorted(rows_of(export_text()), key=lambda r: r["id"])
    path = tmp_path / "export.json"
    path.write_text(export_text("mednum-json"), encoding="utf-8")
    items = json.loads(path.read_text(encoding="utf-8"))
    assert {"adresse", "localisation", "contact", "presentation"} <= set(items[0])
    Place.objects.all().delete()
    report = import_places(path)
    assert (report.format, report.created) == ("mednum-json", 2)
    after = sorted(rows_of(export_text()), key=lambda r: r["id"])
    assert after == before
