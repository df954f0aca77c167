"""The whole demo registry (what `manage.py load_demo` loads: the real open lists and the fictitious places)
exports to the national standard as the official Table Schema wants it, identifiers unique across sources,
and its export re-imports without merging or duplicating a place.

The registry is loaded once for the module, inside a transaction rolled back after its last test; each
test runs in a savepoint of it, as usual.
"""

import collections
import csv
import io
import json

import pytest
from django.conf import settings
from django.db import transaction
from frictionless import Resource, Schema

from relais.places.demo import load_demo
from relais.places.models import Place
from relais.places.opendata.exporter import export_places
from relais.places.opendata.identifiers import source_id_from
from relais.places.opendata.importer import import_places

pytestmark = pytest.mark.django_db

SCHEMA = settings.RELAIS_DATA_DIR / "schemas" / "lieux-mediation-numerique-v1.0.2.schema.json"


@pytest.fixture(scope="module")
def demo_registry(django_db_setup, django_db_blocker):
    """{(source, id in the source): place id} of the demo registry, loaded once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(out=lambda line: None)
        yield {(p.source, p.source_id): p.pk for p in Place.objects.only("source", "source_id")}
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def exported(demo_registry, django_db_blocker, tmp_path_factory):
    """The demo registry exported in the standard's CSV (as the export command writes it)."""
    path = tmp_path_factory.mktemp("export") / "lieux.csv"
    with django_db_blocker.unblock(), open(path, "w", encoding="utf-8", newline="") as handle:
        export_places(handle, "mednum-csv")
    return path


def exported_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_registry_holds_ids_that_several_sources_share(demo_registry):
    # What the export has to cope with: the 2022 list's ids are unique within each of its sources only.
    sources_of = collections.defaultdict(set)
    for source, source_id in demo_registry:
        sources_of[source_id].add(source)
    shared = {source_id for source_id, sources in sources_of.items() if len(sources) > 1}

    assert len(shared) >= 150  # fewer once the demo merged the duplicates (dedup: their ids are aliases)
    assert "di-1003" in shared


def test_the_whole_export_has_unique_ids_and_validates_against_the_official_schema(demo_registry, exported):
    rows = exported_rows(exported)
    ids = collections.Counter(row["id"] for row in rows)

    assert len(rows) == len(demo_registry) > 8000  # 9,000 rows less the duplicates merged by the demo
    assert [i for i, count in ids.items() if count > 1] == []
    by_id = {row["id"]: row for row in rows}
    assert by_id["di-1003@mediation-numerique-2022-siao"]["source"] == "Médiation numérique 2022 — siao"
    assert by_id["fs-1"]["source"] == "ANCT — structures France services (2024-08-01)"  # unshared: as is
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text(encoding="utf-8")))
    report = Resource(path=exported.name, basepath=str(exported.parent), schema=schema).validate()
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]
    assert report.tasks[0].stats["rows"] == len(demo_registry)


def test_each_exported_id_leads_back_to_its_own_place(demo_registry, exported):
    keys = {(row["source"], source_id_from(row["id"], row["source"])) for row in exported_rows(exported)}

    assert keys == set(demo_registry)


def test_reimporting_the_shared_ids_into_the_registry_updates_their_own_places(
    demo_registry, exported, tmp_path
):
    # The rows that need their source to be told apart (a whole re-import takes a minute: the rows of
    # shared ids are where a qualifier that is not read back would create duplicates).
    rows = [row for row in exported_rows(exported) if "@" in row["id"]]
    path = tmp_path / "partage.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    report = import_places(path, fmt="mednum-csv")

    assert len(rows) >= 350
    assert (report.rejected_count, report.created, report.updated + report.unchanged) == (0, 0, len(rows))
    assert {(p.source, p.source_id): p.pk for p in Place.objects.all()} == demo_registry


def test_reimporting_the_export_into_an_empty_registry_gives_as_many_places(demo_registry, exported):
    Place.objects.all().delete()

    report = import_places(exported, fmt="mednum-csv")

    assert (report.rejected_count, report.created) == (0, len(demo_registry))
    assert set(Place.objects.values_list("source", "source_id")) == set(demo_registry)


def test_the_json_form_of_the_standard_has_the_same_unique_ids(demo_registry, exported):
    out = io.StringIO()
    export_places(out, "mednum-json", Place.objects.filter(source_id="di-1003"))

    assert sorted(item["id"] for item in json.loads(out.getvalue())) == [
        "di-1003@mediation-numerique-2022-hinaura",
        "di-1003@mediation-numerique-2022-siao",
    ]
