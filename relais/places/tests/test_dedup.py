"""Merging duplicates: newest confirmed data, provenance, conflicts, records moved, aliases for re-imports,
decisions remembered, the whole-registry run."""

import csv
import datetime

import pytest
from django.core.management import call_command

from relais.core.errors import Conflict
from relais.places import dedup
from relais.places.models import DuplicateCandidate, ErrorReport, Place, PlaceSourceRecord
from relais.places.opendata.importer import import_places
from relais.privacy.audit import SYSTEM, Actor
from relais.privacy.models import AuditEvent
from relais.testing import MemberFactory, PlaceFactory, PlaceRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD, NEW = datetime.date(2022, 5, 9), datetime.date(2024, 8, 1)


def two_lists_places():
    """The same France Services in the 2024 list and in the 2022 list, 40 m apart, other names."""
    new = PlaceFactory(
        name="France services Aurillac",
        source="ANCT 2024",
        source_id="fs-1",
        phone="",
        websites=[],
        opening_hours="Mo-Fr 09:00-12:00,13:30-17:00; PH off",
        data_updated_on=NEW,
        labels=["FRANCE_SERVICES"],
    )
    old = PlaceFactory(
        name="Maison France Services d'Aurillac",
        source="Médiation 2022",
        source_id="cnfs-1",
        latitude=44.93068,
        phone="0471000000",
        websites=["https://aurillac.example.org"],
        opening_hours="Mo 09:00-12:00",
        data_updated_on=OLD,
        labels=["FRANCE_SERVICES", "CONSEILLER_NUMERIQUE"],
    )
    return new, old


def test_the_two_lists_france_services_is_a_sure_match():
    new, old = two_lists_places()
    result = dedup.find_duplicates()
    assert [set(p.keys) for p in result.sure] == [{new.pk, old.pk}]


def test_merge_keeps_the_newest_data_the_provenance_and_lists_conflicts():
    new, old = two_lists_places()
    result = dedup.merge(new, old, SYSTEM)
    place = Place.objects.get()
    assert place.pk == new.pk
    assert place.name == "France services Aurillac"  # the 2024 list is the newest confirmed
    assert place.opening_hours == "Mo-Fr 09:00-12:00,13:30-17:00; PH off"
    assert place.phone.endswith("471000000")  # only the 2022 list had it
    assert place.websites == ["https://aurillac.example.org"]
    assert {t.code for t in place.labels.all()} == {"FRANCE_SERVICES", "CONSEILLER_NUMERIQUE"}
    assert place.data_updated_on == NEW
    records = {r.source: r for r in PlaceSourceRecord.objects.filter(place=place)}
    assert set(records) == {"ANCT 2024", "Médiation 2022"}
    assert records["Médiation 2022"].data["name"] == "Maison France Services d'Aurillac"
    assert "phone" in records["Médiation 2022"].fields_kept
    assert "name" in records["ANCT 2024"].fields_kept
    provenance = dict(dedup.provenance_of(place))
    assert provenance["phone"].source == "Médiation 2022" and provenance["name"].source == "ANCT 2024"
    fields = {c["field"]: c for c in result.conflicts}
    assert fields["name"]["others"][0][1] == "Maison France Services d'Aurillac"
    assert "opening_hours" in fields
    event = AuditEvent.objects.filter(target_id=str(place.pk), changes__has_key="merged_with").get()
    assert "cnfs-1" in event.changes["merged_with"][1]
    assert AuditEvent.objects.filter(target_id=str(old.pk), action="delete").exists()


def test_merge_moves_reports_and_roles_and_refuses_team_data():
    new, old = two_lists_places()
    ErrorReport.objects.create(place=old, kind="hours", message="Fermé le lundi.")
    manager = UserFactory()
    PlaceRoleFactory(place=old, user=manager)
    dedup.merge(new, old, SYSTEM)
    assert ErrorReport.objects.get().place_id == new.pk
    assert new.roles.get().user == manager

    third = PlaceFactory(name="France services Aurillac bis")
    MemberFactory(place=third)
    with pytest.raises(Conflict) as info:
        dedup.merge(new, third, SYSTEM)
    assert "données d'équipe" in info.value.message
    assert Place.objects.filter(pk=third.pk).exists()


def _write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(**values):
    return {
        "name": "France services Aurillac",
        "code_insee": "15014",
        "address": "1 place de la Mairie",
        "latitude": "44.93032",
        "longitude": "2.44495",
        "labels": "FRANCE_SERVICES",
        **values,
    }


def test_an_alias_makes_a_reimport_update_the_kept_place(tmp_path):
    new_list = _write_csv(
        tmp_path / "new.csv", [_row(source="ANCT 2024", source_id="fs-1", data_updated_on="2024-08-01")]
    )
    old_row = _row(
        name="Maison France Services d'Aurillac",
        source="Médiation 2022",
        source_id="cnfs-1",
        latitude="44.93068",
        phone="0471000000",
        data_updated_on="2022-05-09",
    )
    old_list = _write_csv(tmp_path / "old.csv", [old_row])
    import_places(new_list, fmt="csv")
    import_places(old_list, fmt="csv")
    run = dedup.dedupe_registry(SYSTEM)
    assert (run.merged, Place.objects.count()) == (1, 1)
    kept = Place.objects.get()

    old_list = _write_csv(tmp_path / "old.csv", [old_row | {"websites": "https://aurillac.example.org"}])
    report = import_places(old_list, fmt="csv")
    assert (report.created, report.updated) == (0, 1)
    assert Place.objects.get().pk == kept.pk
    assert Place.objects.get().websites == ["https://aurillac.example.org"]
    assert Place.objects.get().name == "France services Aurillac"  # the older list fills, never overrides
    report = import_places(new_list, fmt="csv")  # the kept place's own list: nothing merged is lost
    assert (report.created, report.unchanged) == (0, 1)
    assert Place.objects.get().phone.endswith("471000000")


def test_a_pair_kept_apart_is_never_proposed_again():
    a = PlaceFactory(name="Médiathèque", address="1 place du Marché")
    b = PlaceFactory(name="Médiathèque annexe jeunesse", address="1 place du Marché", latitude=44.9305)
    result = dedup.find_duplicates()
    pair = (result.sure + result.unsure)[0]
    candidate = dedup.queue(a, b, pair.score, pair.reasons)
    dedup.keep_apart(candidate, Actor(user=UserFactory(network_admin=True)))
    assert DuplicateCandidate.objects.get().status == "kept_apart"
    result = dedup.find_duplicates()
    assert not result.sure and not result.unsure
    run = dedup.dedupe_registry(SYSTEM)
    assert (run.merged, run.queued) == (0, 0)


def test_dedupe_places_merges_sure_matches_and_queues_unsure_ones(capsys):
    two_lists_places()
    PlaceFactory(name="Centre social", address="5 rue Victor Hugo", latitude=44.9310, source="X")
    PlaceFactory(name="Centre social et culturel", address="5 rue Victor Hugo", latitude=44.9312, source="Y")
    call_command("dedupe_places", "--dry-run")
    assert "simulation" in capsys.readouterr().out and Place.objects.count() == 4
    call_command("dedupe_places")
    out = capsys.readouterr().out
    assert "fusionnés=" in out and Place.objects.count() <= 3
    assert DuplicateCandidate.objects.filter(status="merged").count() >= 1
    call_command("dedupe_places")  # idempotent
    assert "fusionnés=0" in capsys.readouterr().out


def test_a_sure_match_with_a_team_is_queued_not_merged():
    new, old = two_lists_places()
    PlaceRoleFactory(place=old)
    run = dedup.dedupe_registry(SYSTEM)
    assert (run.merged, run.queued) == (0, 1)
    assert Place.objects.count() == 2


def test_two_unsure_pairs_that_become_one_by_a_merge_are_queued_once():
    new, old = two_lists_places()
    # Unsure with both (same spot and address, a name of its own): once they are merged, one pair.
    third = PlaceFactory(name="Point numérique", source="Z", source_id="z-1")
    result = dedup.find_duplicates()
    assert {frozenset(p.keys) for p in result.unsure} == {
        frozenset({new.pk, third.pk}),
        frozenset({old.pk, third.pk}),
    }
    run = dedup.dedupe_registry(SYSTEM)
    assert (run.merged, run.queued) == (1, 1)
    assert list(dedup.pending().values_list("place_a", "place_b")) in (
        [(new.pk, third.pk)],
        [(third.pk, new.pk)],
    )


def test_a_bus_is_not_queued_against_the_fixed_site_its_home_was_merged_into():
    """The real lists' pattern (Ambazac): the 2024 list's fixed France Services and its bus, and the 2022
    list's record of the fixed site; the bus and that record (two lists) would go to review, but once the
    record is merged into the fixed site, the pair is a bus and a fixed site of one list."""
    common = {"address": "2 place de la Gare", "phone": "0555000000", "labels": ["FRANCE_SERVICES"]}
    fixed = PlaceFactory(
        name="France services Pimms Médiation Ambazac", source="ANCT", source_id="fs-1", **common
    )
    bus = PlaceFactory(
        name="Bus France services Pimms Médiation Ambazac",
        source="ANCT",
        source_id="fs-2",
        itinerancy=["ITINERANT"],
        **common,
    )
    record = PlaceFactory(
        name="PIMMS Médiation Ambazac", source="Médiation 2022", source_id="cnfs-1", **common
    )
    result = dedup.find_duplicates()
    assert [set(p.keys) for p in result.sure] == [{fixed.pk, record.pk}]
    assert [set(p.keys) for p in result.unsure] == [{bus.pk, record.pk}]
    run = dedup.dedupe_registry(SYSTEM)
    assert (run.merged, run.queued) == (1, 0)
    assert set(Place.objects.values_list("pk", flat=True)) == {fixed.pk, bus.pk}


def test_a_merge_makes_a_bounded_number_of_queries(django_assert_max_num_queries):
    new, old = two_lists_places()
    for n in range(10):  # the records moved are moved in bulk: their number does not count
        ErrorReport.objects.create(place=old, kind="hours", message=f"Signalement {n}")
    with django_assert_max_num_queries(120):  # about 100: snapshots, validation, cascades, audit (its chain)
        dedup.merge(new, old, SYSTEM)
