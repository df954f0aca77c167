"""Deduplication of the registry: finding the same place listed several times, merging, the review queue.

`find_duplicates(places)` feeds the computational core (dedup_core) with the places. `merge(keep, other,
actor)` folds `other` into `keep` in one transaction: each field takes the newest confirmed value
("confirmed": the `data_updated_on` of a place, which its source's update date sets at import and a
manager's confirmation sets to the day), lists add up, the disagreements are listed; what each source said
is kept in `PlaceSourceRecord` rows, each naming the fields of the place it gave (`fields_kept`); the
records of `other` (error reports, proposals, roles) move to `keep`, and the merge is refused when `other`
has team data (members, bookings, resources…). The records' (source, source_id) are aliases: the importer
hands the rows of merged places to `absorb_merged_rows`, which updates the record and merges again.

`dedupe_registry` merges the sure matches and queues the unsure pairs as `DuplicateCandidate` rows, which
network admins decide on (dedup_views): « Fusionner » or « Ce sont deux lieux distincts » — a pair kept
apart is never proposed again. Every step is audited.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core import workflow
from relais.core.errors import Conflict, DomainError, ValidationFailed
from relais.privacy.audit import AuditAction, record

from . import dedup_core as core
from . import services
from .models import DuplicateCandidate, Place, PlaceSourceRecord

RELAIS = "relais"  # label of the place's own current data among the candidates of a merge
# Records of a place that follow it into the kept place (and our own dedup records).
MOVED = {
    "places.ErrorReport",
    "places.PlaceProposal",
    "accounts.PlaceRole",
    "privacy.AuditEvent",  # kept on the merged place's id (on_delete SET_NULL): its history stays readable
    "places.PlaceSourceRecord",
    "places.DuplicateCandidate",
}


def entry_of(place):
    """The core's view of a place (vocabularies prefetched, commune selected)."""
    return core.Entry(
        key=place.pk,
        name=place.name,
        source=place.source,
        commune=place.commune_id or "",
        commune_name=place.commune.name if place.commune_id else "",
        address=place.address,
        postal_code=place.postal_code,
        latitude=place.latitude,
        longitude=place.longitude,
        approximate=place.location_approximate,
        siret=place.siret,
        rna=place.rna,
        phone=place.phone,
        emails=tuple(place.emails or ()),
        labels=frozenset(t.code for t in place.labels.all()),
        typologies=frozenset(t.code for t in place.typologies.all()),
        itinerant="ITINERANT" in (place.itinerancy or []),
    )


def decided_pairs():
    """Pairs of place ids already decided (kept apart, or merged): never proposed again."""
    rows = DuplicateCandidate.objects.exclude(status=DuplicateCandidate.Status.PENDING).filter(
        place_a__isnull=False, place_b__isnull=False
    )
    return set(rows.values_list("place_a_id", "place_b_id"))


def find_duplicates(places_qs=None, **thresholds):
    """Sure and unsure pairs (`dedup_core.Result`, keys: place ids) among the places (the whole registry
    but its demo places by default), the pairs already decided left out."""
    if places_qs is None:
        places_qs = Place.objects.filter(is_demo=False)
    places = places_qs.select_related("commune").prefetch_related("labels", "typologies").order_by("pk")
    return core.find_duplicates([entry_of(p) for p in places], skip=decided_pairs(), **thresholds)


# --- Merging -------------------------------------------------------------------------------------------


@dataclass
class MergeResult:
    place: Place
    conflicts: list
    provenance: dict


def team_data(place):
    """Verbose names of the records of other apps that hold `place`'s team data (members, bookings…)."""
    found = []
    for relation in Place._meta.related_objects:
        label = relation.related_model._meta.label
        if label in MOVED or not relation.field.concrete:
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: place}).exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


def _label(place):
    return f"« {place.name} » ({place.source or 'Relais'} : {place.source_id})"


def _own_record(place):
    """The record of what the place's own source says: created from its current data the first time."""
    snapshot = services.snapshot(place)
    found, _created = PlaceSourceRecord.objects.get_or_create(
        source=place.source,
        source_id=place.source_id,
        defaults={
            "place": place,
            "data": snapshot,
            "confirmed_on": place.data_updated_on,
            "fields_kept": [],
        },
    )
    return found


def _candidates(place, records):
    """The versions of the place's data: what each source said, then its current data (newest first
    among those confirmed the same day: the sources, as for any import)."""
    versions = [
        core.Candidate(r.pk, r.confirmed_on.isoformat() if r.confirmed_on else None, r.data) for r in records
    ]
    current = services.snapshot(place)
    versions.append(core.Candidate(RELAIS, current.get("data_updated_on"), current))
    return versions


def _provenance(merged, records):
    """Field → the record that gave the kept value (the newest one saying so), else the place itself."""
    by_pk = {r.pk: r for r in records}
    ordered = sorted(records, key=lambda r: r.confirmed_on or datetime.date.min, reverse=True)
    kept = {}
    for name, label in merged.provenance.items():
        if label != RELAIS:
            kept[name] = by_pk[label]
            continue
        for r in ordered:
            value = r.data.get(name)
            if value is not None and core._same(value, merged.values.get(name)):
                kept[name] = r
                break
    return kept


def _apply_merge(place, actor):
    """Merge again every version of `place`'s data into it; the conflicts and the provenance."""
    records = list(PlaceSourceRecord.objects.filter(place=place))
    merged = core.merge_values(_candidates(place, records))
    data = {k: v for k, v in merged.values.items() if k not in core.IDENTITY_FIELDS}
    place = services.update_place(place, data, actor)
    provenance = _provenance(merged, records)
    for r in records:
        fields_kept = sorted(n for n, giver in provenance.items() if giver.pk == r.pk)
        if fields_kept != r.fields_kept:
            r.fields_kept = fields_kept
            r.save(update_fields=["fields_kept"])
    return place, merged.conflicts, provenance


def _readable_conflicts(conflicts, records):
    names = {r.pk: f"{r.source or 'Relais'} ({r.source_id})" for r in records}
    names[RELAIS] = _("fiche Relais")
    return [
        {
            "field": c["field"],
            "kept": c["kept"],
            "kept_from": names.get(c["kept_from"], str(c["kept_from"])),
            "others": [[names.get(label, str(label)), value] for label, value in c["others"]],
        }
        for c in conflicts
    ]


def _move_candidates(keep, other):
    for candidate in DuplicateCandidate.objects.filter(Q(place_a=other) | Q(place_b=other)):
        a = keep if candidate.place_a_id == other.pk else candidate.place_a
        b = keep if candidate.place_b_id == other.pk else candidate.place_b
        if a is None or b is None or a.pk == b.pk:
            continue  # the pair being merged, or a decision already made: its names are kept on the row
        a, b = sorted((a, b), key=lambda p: str(p.pk))
        if DuplicateCandidate.objects.filter(place_a=a, place_b=b).exists():
            candidate.delete()
        else:
            DuplicateCandidate.objects.filter(pk=candidate.pk).update(place_a=a, place_b=b)


def _move_records(keep, other):
    from relais.accounts.models import PlaceRole

    other.error_reports.update(place=keep)
    for proposal in other.proposals.all():
        duplicate_claim = (
            proposal.kind == proposal.Kind.CLAIM
            and proposal.status == proposal.Status.PROPOSED
            and keep.proposals.filter(proposed_by=proposal.proposed_by_id, status=proposal.status).exists()
        )
        if duplicate_claim:
            proposal.delete()  # the same person already asks to manage the kept place
        else:
            type(proposal).objects.filter(pk=proposal.pk).update(place=keep)
    kept_users = set(PlaceRole.objects.filter(place=keep).values_list("user_id", flat=True))
    PlaceRole.objects.filter(place=other).exclude(user_id__in=kept_users).update(place=keep)
    PlaceRole.objects.filter(place=other).delete()


@transaction.atomic
def merge(keep, other, actor):
    """Fold `other` into `keep` (see the module's docstring). Returns a MergeResult; raises DomainError
    (nothing changed) when the two are the same place or `other` has team data."""
    if keep.pk == other.pk:
        raise DomainError(_("Un lieu ne peut pas être fusionné avec lui-même."), code="same_place")
    locked = {p.pk: p for p in Place.objects.select_for_update().filter(pk__in=[keep.pk, other.pk])}
    if len(locked) < 2:
        raise Conflict(_("L'un des deux lieux n'existe plus : il a peut-être déjà été fusionné."))
    keep, other = locked[keep.pk], locked[other.pk]
    blocking = team_data(other)
    if blocking:
        raise Conflict(
            _(
                "« %(name)s » a des données d'équipe (%(data)s) : gardez plutôt ce lieu-là, ou déplacez ces "
                "données avant la fusion."
            )
            % {"name": other.name, "data": ", ".join(blocking)},
            code="team_data",
        )
    _own_record(keep)
    _own_record(other)
    PlaceSourceRecord.objects.filter(place=other).update(place=keep)
    _move_records(keep, other)
    _move_candidates(keep, other)
    label = _label(other)
    services.delete_place(other, actor)  # audited, with its data
    try:
        keep, conflicts, provenance = _apply_merge(keep, actor)
    except ValidationFailed as exc:
        raise DomainError(
            _("Fusion impossible : les données réunies ne sont pas valides (%(errors)s).")
            % {"errors": exc.message}
        ) from None
    records = list(PlaceSourceRecord.objects.filter(place=keep))
    conflicts = _readable_conflicts(conflicts, records)
    record(
        actor,
        AuditAction.UPDATE,
        keep,
        changes={"merged_with": [None, label], "conflicts": [None, conflicts]},
        place=keep,
    )
    return MergeResult(place=keep, conflicts=conflicts, provenance=provenance)


def provenance_of(place):
    """[(field, source record or None for the place's own edits)] of a merged place, in field order."""
    records = list(PlaceSourceRecord.objects.filter(place=place))
    giver = {name: r for r in records for name in r.fields_kept}
    return [(name, giver.get(name)) for name in services.SNAPSHOT_FIELDS if name not in core.IDENTITY_FIELDS]


def absorb_merged_rows(batch, report, actor):
    """The importer's hook: rows of merged places (their (source, source_id) has a record) update that
    record and the place is merged again; the other rows are returned for the usual write."""
    from .opendata.importer import RowProblem, _cleaned_snapshot

    keys = {(c.values["source"], c.values["source_id"]) for _record, c in batch}
    if not keys:
        return batch
    records = {
        (r.source, r.source_id): r
        for r in PlaceSourceRecord.objects.filter(
            source__in={s for s, _i in keys}, source_id__in={i for _s, i in keys}
        ).select_related("place")
        if (r.source, r.source_id) in keys
    }
    if not records:
        return batch
    rest = []
    for row, cleaned in batch:
        found = records.get((cleaned.values["source"], cleaned.values["source_id"]))
        if found is None:
            rest.append((row, cleaned))
            continue
        data = _cleaned_snapshot(cleaned)
        found.data, found.confirmed_on, found.imported_at = (
            data,
            cleaned.values["data_updated_on"],
            timezone.now(),
        )
        found.save(update_fields=["data", "confirmed_on", "imported_at"])
        before = services.snapshot(found.place)
        try:
            place, _conflicts, _provenance = _apply_merge(found.place, actor)
        except ValidationFailed as exc:
            report.warnings_count += 1
            report.warnings.append(RowProblem(row.line, [exc.message]))
            report.unchanged += 1
            continue
        if services.snapshot(place) != before:
            report.updated += 1
        else:
            report.unchanged += 1
    return rest


# --- The review queue ----------------------------------------------------------------------------------


def _ordered(a, b):
    return (a, b) if str(a.pk) < str(b.pk) else (b, a)


def queue(place_a, place_b, score, reasons):
    """A pending candidate for the pair (updated when it is already pending; None when decided)."""
    a, b = _ordered(place_a, place_b)
    reasons = [{"code": r.code, "points": r.points, "detail": r.detail} for r in reasons]
    existing = DuplicateCandidate.objects.filter(place_a=a, place_b=b).first()
    if existing is not None:
        if existing.status != DuplicateCandidate.Status.PENDING:
            return None
        if (existing.score, existing.reasons) != (score, reasons):
            existing.score, existing.reasons = score, reasons
            existing.save(update_fields=["score", "reasons"])
        return existing
    candidate = DuplicateCandidate.objects.create(
        place_a=a, place_b=b, name_a=a.name[:250], name_b=b.name[:250], score=score, reasons=reasons
    )
    workflow.log_transition(candidate, "propose", "", candidate.status, None)
    return candidate


@transaction.atomic
def decide_merge(candidate, keep, actor):
    """A network admin (or dedupe_places, for a sure match) merges the pair, keeping `keep`."""
    workflow.check(candidate, "merge", actor)
    if keep.pk not in (candidate.place_a_id, candidate.place_b_id):
        raise DomainError(_("Le lieu à garder doit être l'un des deux lieux de la paire."), field="keep")
    other = candidate.place_b if keep.pk == candidate.place_a_id else candidate.place_a
    user = getattr(actor, "user", None)
    decided = workflow.apply(candidate, "merge", actor, decided_by=user, decided_at=timezone.now())
    result = merge(keep, other, actor)
    DuplicateCandidate.objects.filter(pk=decided.pk).update(conflicts=result.conflicts)
    return result


def keep_apart(candidate, actor):
    """« Ce sont deux lieux distincts » : remembered, never proposed again."""
    user = getattr(actor, "user", None)
    return workflow.apply(candidate, "keep_apart", actor, decided_by=user, decided_at=timezone.now())


def pending():
    return DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.PENDING, place_a__isnull=False, place_b__isnull=False
    )


# --- The whole registry (dedupe_places, the demo) -------------------------------------------------------


@dataclass
class DedupRun:
    merged: int = 0
    queued: int = 0
    refused: list = field(default_factory=list)  # (pair, message) of sure matches not merged
    compared: int = 0
    sure: int = 0
    unsure: int = 0
    seconds: float = 0.0


def choose_keep(a, b):
    """The place to keep of two: the one with a team, else the newest confirmed, else France Services'
    list, else the oldest in the registry."""

    def rank(place):
        return (
            _has_team(place),
            place.data_updated_on,
            "france services" in place.source.lower(),
            -place.created_at.timestamp(),
        )

    return (a, b) if rank(a) >= rank(b) else (b, a)


def _has_team(place):
    return place.roles.exists() or bool(team_data(place))


def _scored_again(a, b):
    places = Place.objects.select_related("commune").prefetch_related("labels", "typologies")
    entries = [entry_of(places.get(pk=a)), entry_of(places.get(pk=b))]
    total, reasons = core.score(*entries)
    return core.Pair(a, b, total, reasons)


def dedupe_registry(actor, *, dry_run=False, sources=()):
    """Merge the sure matches, queue the unsure pairs (with `sources`: pairs of which one place comes from
    a source whose name contains one of them). A sure match where a place has a team is queued instead; an
    unsure pair whose place was merged meanwhile is scored again, as it now is."""
    started = time.monotonic()
    result = find_duplicates()
    run = DedupRun(compared=result.compared)
    wanted = [s.lower() for s in sources if s]
    if wanted:
        source_of = dict(Place.objects.values_list("pk", "source"))

        def concerned(pair):
            return any(w in (source_of.get(k) or "").lower() for k in pair.keys for w in wanted)

        result.sure = [p for p in result.sure if concerned(p)]
        result.unsure = [p for p in result.unsure if concerned(p)]
    run.sure, run.unsure = len(result.sure), len(result.unsure)
    survivor = {}

    def current(key):
        while key in survivor:
            key = survivor[key]
        return key

    to_queue = []
    for pair in result.sure:
        a, b = current(pair.a), current(pair.b)
        if a == b:
            continue
        if dry_run:
            survivor[b] = a
            run.merged += 1
            continue
        place_a, place_b = Place.objects.get(pk=a), Place.objects.get(pk=b)
        if _has_team(place_a) or _has_team(place_b):
            to_queue.append((place_a, place_b, pair))
            continue
        keep, other = choose_keep(place_a, place_b)
        try:
            with transaction.atomic():
                candidate = queue(keep, other, pair.score, pair.reasons)
                if candidate is None:
                    continue
                decide_merge(candidate, keep, actor)
        except DomainError as exc:
            run.refused.append((pair, exc.message))
            to_queue.append((place_a, place_b, pair))
            continue
        survivor[other.pk] = keep.pk
        run.merged += 1
    for pair in result.unsure:
        a, b = current(pair.a), current(pair.b)
        if a == b:
            continue
        if dry_run:
            run.queued += 1
            continue
        if (a, b) != (pair.a, pair.b):
            # A place of the pair was merged meanwhile: the pair is what it now is (a bus of a list and the
            # fixed site it was paired with through another list's record are two places of one list).
            pair = _scored_again(a, b)
            if pair.score < core.UNSURE:
                continue
        to_queue.append((Place.objects.get(pk=a), Place.objects.get(pk=b), pair))
    if not dry_run:
        queued = set()  # two pairs may become one once their places are merged: counted once
        with transaction.atomic():
            for place_a, place_b, pair in to_queue:
                candidate = queue(place_a, place_b, pair.score, pair.reasons)
                if candidate is not None:
                    queued.add(candidate.pk)
        run.queued = len(queued)
    run.seconds = time.monotonic() - started
    return run
