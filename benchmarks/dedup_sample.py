"""Benchmark: the deduplication on the real open lists, and a sample of its pairs to check by hand.

    DATABASE_URL=sqlite:////tmp/dedup.sqlite3 .venv/bin/python benchmarks/dedup_sample.py --build
    DATABASE_URL=sqlite:////tmp/dedup.sqlite3 .venv/bin/python benchmarks/dedup_sample.py \
        [--merged 100] [--queued 50] [--seed 20261204] [--out benchmarks/dedup_sample.csv]
    .venv/bin/python benchmarks/dedup_sample.py --score benchmarks/dedup_sample_judged.csv

`--build` makes the scratch database the demo makes (never db.sqlite3: the script refuses it): `migrate`,
`load_territory`, the two real lists of data/places/ imported as `load_demo` imports them (invalid rows
reported and skipped), then `dedupe_registry`; it prints the places before and after, the pairs merged and
queued, and the time each step took.

Without `--build` it draws, with a fixed seed (a keyed hash of the records' identifiers: the same pairs
from one run to the next), `--merged` pairs merged by the deduplication and `--queued`
pairs waiting in the review queue, and writes them to a CSV (`;`, UTF-8) with both records side by side:
name, address, postal code, commune, SIRET, source, typologies, labels, itinerant or not, the distance
between them, the score and its reasons, and empty `verdict` / `verdict_reason` columns for a person to
fill (same / different / unsure). A merged pair is shown as the two source records the deduplication
scored (`PlaceSourceRecord.data`: what each list said, before the merge), found again among the merged
place's records by their score and reasons. It also prints how many merged and queued pairs involve an
itinerant place (a bus).

`--score FILE` reads a judged file and prints the precision, same / (same + different), of each kind.

Measured on 2026-12-04 (SQLite, 2 cores shared with other jobs): the two lists give 9,037 places (2,843 +
6,194, 4 invalid rows skipped); the deduplication compares 4,695 pairs, merges 725 (8,312 places left) and
queues 324 for review; no merged pair involves an itinerant place. benchmarks/dedup_sample_judged.csv,
checked by hand: of 100 merged pairs 99 same, 0 different, 1 unsure (precision 100 %); of 50 queued pairs
30 same, 9 different, 11 unsure. Before itinerant places were kept out of sure matches (736 merged, 11 of
them a bus with a fixed site, all wrong), the same check gave 98 / 1 / 1 (99.0 %), the false merge a bus
and its home site. The deduplication took 41 s on a quiet machine, 240 to 320 s with the cores shared.
"""

import argparse
import csv
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261204
VERDICTS = ("same", "different", "unsure")
SIDE_FIELDS = [
    "name",
    "address",
    "postal_code",
    "commune",
    "siret",
    "source",
    "source_id",
    "typologies",
    "labels",
    "itinerant",
]
COLUMNS = (
    ["kind", "candidate_id", "score", "distance_m", "reasons"]
    + [f"{f}_a" for f in SIDE_FIELDS]
    + [f"{f}_b" for f in SIDE_FIELDS]
    + ["verdict", "verdict_reason"]
)


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if not url or "db.sqlite3" in url:
        sys.exit("DATABASE_URL must name a scratch database (never the checkout's db.sqlite3).")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
    os.environ.setdefault("RELAIS_TESTING", "1")  # a generated secret key: nothing is served
    import django

    django.setup()


# --- Building the scratch database ----------------------------------------------------------------------


def build():
    from django.conf import settings
    from django.core.management import call_command

    from relais.places.dedup import dedupe_registry
    from relais.places.demo import REAL_LISTS
    from relais.places.models import DuplicateCandidate, Place
    from relais.places.opendata.importer import import_places
    from relais.privacy.audit import Actor

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_territory", verbosity=0)
    print(f"migrate + load_territory: {time.monotonic() - started:.1f} s")
    for relative, fmt in REAL_LISTS:
        step = time.monotonic()
        report = import_places(
            settings.RELAIS_DATA_DIR / relative,
            fmt=fmt,
            skip_invalid=True,
            actor=Actor(channel="command", label="import"),
        )
        print(f"{relative}: {report.summary()} ({time.monotonic() - step:.1f} s)")
    before = Place.objects.count()
    step = time.monotonic()
    run = dedupe_registry(Actor(channel="command", label="dédoublonnage"))
    seconds = time.monotonic() - step
    after = Place.objects.count()
    pending = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.PENDING).count()
    print(
        f"places before={before} after={after} compared={run.compared} sure={run.sure} unsure={run.unsure} "
        f"merged={run.merged} queued={run.queued} pending_rows={pending} refused={len(run.refused)} "
        f"dedup={seconds:.1f} s total={time.monotonic() - started:.1f} s"
    )


# --- Drawing the sample ---------------------------------------------------------------------------------


def reasons_key(reasons):
    return tuple((r["code"], r["points"], r["detail"]) for r in reasons)


def reasons_text(reasons):
    return " | ".join(
        f"{r['code']} {r['points']:+d}" + (f" ({r['detail']})" if r["detail"] else "") for r in reasons
    )


def record_entry(record, commune_names):
    """The core's view of a source record's data: what `dedup.entry_of` made of the place it was."""
    from relais.places import dedup_core as core

    data = record.data
    return core.Entry(
        key=record.pk,
        name=data.get("name") or "",
        source=data.get("source") or "",
        commune=data.get("code_insee") or "",
        commune_name=commune_names.get(data.get("code_insee"), ""),
        address=data.get("address") or "",
        postal_code=data.get("postal_code") or "",
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        approximate=bool(data.get("location_approximate")),
        siret=data.get("siret") or "",
        rna=data.get("rna") or "",
        phone=data.get("phone") or "",
        emails=tuple(data.get("emails") or ()),
        labels=frozenset(data.get("labels") or ()),
        typologies=frozenset(data.get("typologies") or ()),
        itinerant="ITINERANT" in (data.get("itinerancy") or []),
    )


def place_entry(place):
    from relais.places.dedup import entry_of

    return entry_of(place)


def side(entry, prefix):
    return {
        f"name_{prefix}": entry.name,
        f"address_{prefix}": entry.address,
        f"postal_code_{prefix}": entry.postal_code,
        f"commune_{prefix}": f"{entry.commune_name} ({entry.commune})" if entry.commune else "",
        f"siret_{prefix}": entry.siret,
        f"source_{prefix}": entry.source,
        f"source_id_{prefix}": "",
        f"typologies_{prefix}": ", ".join(sorted(entry.typologies)),
        f"labels_{prefix}": ", ".join(sorted(entry.labels)),
        f"itinerant_{prefix}": "yes" if entry.itinerant else "",
    }


def distance_m(a, b):
    from relais.territory.geo import haversine_km

    if a.latitude is None or b.latitude is None:
        return ""
    return round(float(haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)) * 1000)


def merged_pairs():
    """[(candidate, entry a, entry b, source_id a, source_id b)] of every merge, the two source records
    found again by their score and reasons among the records of the merged place."""
    from relais.places import dedup_core as core
    from relais.places.models import DuplicateCandidate, PlaceSourceRecord
    from relais.territory.models import Commune

    commune_names = dict(Commune.objects.values_list("code_insee", "name"))
    by_place = {}
    for record in PlaceSourceRecord.objects.order_by("pk"):
        by_place.setdefault(record.place_id, []).append(record)
    found = {}
    for records in by_place.values():
        entries = [(r, record_entry(r, commune_names)) for r in records]
        for i, (ra, ea) in enumerate(entries):
            for rb, eb in entries[i + 1 :]:
                total, reasons = core.score(ea, eb)
                key = (total, tuple((r.code, r.points, r.detail) for r in reasons))
                found.setdefault(key, []).append((ra, ea, rb, eb))
    pairs, missing, used = [], 0, set()
    merges = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.MERGED).order_by("pk")
    for candidate in merges:
        matches = found.get((candidate.score, reasons_key(candidate.reasons)), [])
        names = {candidate.name_a, candidate.name_b}
        # Several record pairs may share a score and reasons: the one with the candidate's names first.
        matches = sorted(matches, key=lambda m: -len(names & {m[1].name, m[3].name}))
        match = next((m for m in matches if (m[0].pk, m[2].pk) not in used), None)
        if match is None:
            missing += 1
            continue
        used.add((match[0].pk, match[2].pk))  # three identical records: each pair of them once
        ra, ea, rb, eb = match
        pairs.append((candidate, ea, eb, ra.source_id, rb.source_id))
    return pairs, missing


def queued_pairs():
    from relais.places.dedup import pending

    rows = []
    for candidate in (
        pending()
        .select_related("place_a__commune", "place_b__commune")
        .prefetch_related("place_a__labels", "place_a__typologies", "place_b__labels", "place_b__typologies")
        .order_by("pk")
    ):
        a, b = candidate.place_a, candidate.place_b
        rows.append((candidate, place_entry(a), place_entry(b), a.source_id, b.source_id))
    return rows


def draw(pairs, count, seed):
    """`count` pairs drawn at random, reproducibly: ordered by a keyed hash of the two records' (source,
    source_id), so that a run which merges a few pairs more or less draws the same pairs but those."""

    def rank(pair):
        _candidate, a, b, id_a, id_b = pair
        key = "|".join(sorted([f"{a.source}:{id_a}", f"{b.source}:{id_b}"]))
        return hashlib.sha256(f"{seed}|{key}".encode()).hexdigest()

    return sorted(pairs, key=rank)[:count]


def row_of(kind, pair):
    candidate, a, b, id_a, id_b = pair
    row = {
        "kind": kind,
        "candidate_id": candidate.pk,
        "score": candidate.score,
        "distance_m": distance_m(a, b),
        "reasons": reasons_text(candidate.reasons),
        **side(a, "a"),
        **side(b, "b"),
        "verdict": "",
        "verdict_reason": "",
    }
    row["source_id_a"], row["source_id_b"] = id_a, id_b
    return row


def itinerant_figures(kind, pairs):
    involved = [p for p in pairs if p[1].itinerant or p[2].itinerant]
    both = sum(1 for p in involved if p[1].itinerant and p[2].itinerant)
    print(f"{kind}: {len(pairs)} pairs, {len(involved)} with an itinerant place ({both} with two)")
    return involved


def sample(args):
    merged, missing = merged_pairs()
    queued = queued_pairs()
    print(f"merged pairs found again: {len(merged)} (not found: {missing}); queued pairs: {len(queued)}")
    drawn = draw(merged, args.merged, args.seed)
    drawn_queued = draw(queued, args.queued, args.seed)
    rows = [row_of("merged", p) for p in drawn] + [row_of("queued", p) for p in drawn_queued]
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    print(f"written: {args.out} ({len(drawn)} merged, {len(drawn_queued)} queued)")
    for kind, pairs in (("merged", merged), ("queued", queued)):
        involved = itinerant_figures(kind, pairs)
        if args.itinerant:
            for candidate, a, b, _ia, _ib in involved:
                print(
                    f"  #{candidate.pk} {candidate.score}: {a.name} [{a.source[:30]}]"
                    f"{' (bus)' if a.itinerant else ''} / {b.name} [{b.source[:30]}]"
                    f"{' (bus)' if b.itinerant else ''} {distance_m(a, b)} m"
                )


# --- Scoring a judged file ------------------------------------------------------------------------------


def score_file(path):
    """{kind: {verdict: count}} of a judged file; raises SystemExit on a row without a known verdict."""
    counts = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            verdict = (row.get("verdict") or "").strip().lower()
            if verdict not in VERDICTS:
                sys.exit(f"{path}:{line}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
            counts.setdefault(row["kind"], dict.fromkeys(VERDICTS, 0))[verdict] += 1
    return counts


def print_scores(counts):
    for kind, c in counts.items():
        judged = c["same"] + c["different"]
        precision = f"{c['same'] / judged:.1%}" if judged else "n/a"
        print(
            f"{kind}: {sum(c.values())} pairs, same={c['same']} different={c['different']} "
            f"unsure={c['unsure']}, precision same/(same+different) = {precision}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="make the scratch database (see above)")
    parser.add_argument("--merged", type=int, default=100)
    parser.add_argument("--queued", type=int, default=50)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "dedup_sample.csv"))
    parser.add_argument("--itinerant", action="store_true", help="list the pairs with an itinerant place")
    parser.add_argument("--score", metavar="FILE", help="print the precision of a judged file")
    args = parser.parse_args(argv)
    if args.score:
        print_scores(score_file(args.score))
        return
    setup_django()
    if args.build:
        build()
    else:
        sample(args)


if __name__ == "__main__":
    main()
