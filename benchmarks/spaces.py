"""Benchmark: a busy place's bookings — week availability, and booking throughput under concurrency.

    RELAIS_TESTING=1 .venv/bin/python benchmarks/spaces.py [--weeks 100] [--seconds 10]
        [--databases sqlite,postgres] [--clients 8]

Same subprocess-per-database set-up as places_near.py. The worker loads the reference geography, creates
one place in Aurillac (Mo-Fr 08:00-20:00, Sa 09:00-13:00) with 60 resources (10 desk pools of 12, 20 meeting
rooms, 10 machines, 15 lendable items, 5 partner slots) and a year of confirmed bookings (bulk-created,
about 4 a day per resource, pools filled to various levels). Then:
- week availability of the whole place (`relais.spaces.services.availability(place, monday, sunday)`) for
  random weeks of that year: p50/p95 (target p95 < 50 ms);
- booking throughput: N clients (forked processes, each with its own database connection) book
  random 1-hour slots of random resources in an empty month for a fixed time through `services.book`,
  which locks the resource row — against the naive version in the same run: the same `services.book`
  whose lock is the whole bookings table (`LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE`, PostgreSQL only).
  Bookings granted per second, refusals, and a final check that no slot is over capacity.
"""

import argparse
import datetime
import io
import json
import random
import sys
import time
import warnings
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import places_near as base  # noqa: E402 (databases, percentiles, calibration)

TARGET_P95_MS = 50.0
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
YEAR_START = datetime.date(2027, 1, 4)  # a Monday; "now" is pinned just before it
NOW = datetime.datetime(2027, 1, 3, 12, 0, tzinfo=PARIS)
SEED = 20261122
KINDS = [("desk_pool", 10, 12), ("meeting_room", 20, 1), ("machine", 10, 1), ("equipment", 15, 1)]
KINDS.append(("permanence", 5, 1))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--weeks", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=base.DEFAULT_POSTGRES_URL)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    worker_args = ["--weeks", str(args.weeks), "--seconds", str(args.seconds), "--clients", str(args.clients)]
    results = [
        base.run_database(db.strip(), args, script=__file__, worker_args=worker_args)
        for db in args.databases.split(",")
        if db.strip()
    ]
    for r in results:
        verdict = "OK" if r["week_p95"] < TARGET_P95_MS else "MISSED"
        print(
            f"\n== {r['database']}: {r['resources']} resources, {r['bookings']:,} bookings over a year "
            f"(created in {r['create_s']:.1f} s)"
        )
        print(
            f"  week availability of the whole place: p50 {r['week_p50']:.1f} ms, "
            f"p95 {r['week_p95']:.1f} ms, "
            f"max {r['week_max']:.1f} ms over {r['weeks']} weeks ({r['slots']:,} slots each); "
            f"target p95 < {TARGET_P95_MS:.0f} ms: {verdict}"
        )
        for label in ("row lock (services.book)", "whole-table lock (naive)"):
            t = r["throughput"].get(label)
            if t is None:
                print(f"  {label}: not run on {r['database']} (SQLite serialises every writer anyway)")
                continue
            print(
                f"  {label}: {t['clients']} clients for {t['seconds']:.0f} s → {t['granted']} granted "
                f"({t['granted'] / t['seconds']:.0f} bookings/s), {t['refused']} refused {t['reasons']}, "
                f"{t['errors']} errors; over capacity after the run: {t['over_capacity']}"
            )
        fast, naive = (
            r["throughput"].get("row lock (services.book)"),
            r["throughput"].get("whole-table lock (naive)"),
        )
        if fast and naive and naive["granted"]:
            print(f"  ratio row lock / whole-table lock: {fast['granted'] / naive['granted']:.2f}×")
        print(f"  machine calibration (pure-Python loop): {r['calibration_ms']:.0f} ms")


def create_data():
    from django.contrib.auth import get_user_model

    from relais.members.models import Member
    from relais.places.models import Place
    from relais.spaces.models import Booking, Qualification, Resource, UserQualification
    from relais.territory.models import Commune

    rng = random.Random(SEED)
    aurillac = Commune.objects.get(pk="15014")
    place = Place.objects.create(
        name="Tiers-lieu du banc d'essai",
        commune=aurillac,
        postal_code="15000",
        latitude=aurillac.latitude,
        longitude=aurillac.longitude,
        opening_hours="Mo-Fr 08:00-20:00; Sa 09:00-13:00",
        source="benchmark",
        source_id="spaces",
    )
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"membre{n}", email=f"membre{n}@example.org") for n in range(200)]
    )
    qualification = Qualification.objects.create(place=place, name="Découpe laser")
    UserQualification.objects.bulk_create(
        [UserQualification(user=u, qualification=qualification, granted_on=YEAR_START) for u in users]
    )
    # The people booking are members of the place (the resources are kept for members, the default).
    Member.objects.bulk_create([Member(place=place, user=u, joined_on=YEAR_START) for u in users])
    resources = []
    for kind, count, capacity in KINDS:
        for n in range(count):
            resources.append(
                Resource(
                    place=place,
                    kind=kind,
                    name=f"{kind} {n}",
                    capacity=capacity,
                    granularity_minutes=30,
                    min_duration_minutes=30,
                    max_duration_minutes=600,
                    max_horizon_days=500,
                    buffer_minutes=15 if kind == "meeting_room" else 0,
                    required_qualification=qualification if kind == "machine" else None,
                )
            )
    resources = Resource.objects.bulk_create(resources)
    bookings = []
    for day_index in range(364):
        day = YEAR_START + datetime.timedelta(days=day_index)
        if day.weekday() == 6:
            continue
        opening, closing = (8, 20) if day.weekday() < 5 else (9, 13)
        for resource in resources:
            hour = opening
            for _ in range(4):
                hour += rng.choice((0, 0.5, 1))
                length = rng.choice((1, 1.5, 2))
                if hour + length > closing:
                    break
                start = datetime.datetime.combine(day, datetime.time(int(hour), int(hour % 1 * 60)), PARIS)
                quantity = rng.randint(1, resource.capacity - 1) if resource.capacity > 1 else 1
                bookings.append(
                    Booking(
                        resource=resource,
                        place=place,
                        person=rng.choice(users),
                        start=start.astimezone(datetime.UTC),
                        end=(start + datetime.timedelta(hours=length)).astimezone(datetime.UTC),
                        quantity=quantity,
                    )
                )
                hour += length + 0.5
    Booking.objects.bulk_create(bookings, batch_size=5000)
    return place, resources, users, len(bookings)


def worker(args):
    sys.path.insert(0, str(base.ROOT))
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from relais.spaces import services

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_territory", verbosity=0, stdout=io.StringIO())
    started = time.perf_counter()
    place, resources, users, n_bookings = create_data()
    create_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    rng = random.Random(SEED + 1)
    week_times, slots = [], 0
    for n in range(args.weeks + 5):
        monday = YEAR_START + datetime.timedelta(weeks=rng.randrange(50))
        started = time.perf_counter()
        result = services.availability(place, monday, monday + datetime.timedelta(days=6), now=NOW)
        elapsed = (time.perf_counter() - started) * 1000
        if n >= 5:  # warm-up
            week_times.append(elapsed)
        slots = sum(len(a.starts) for a in result.values())

    throughput = {
        "row lock (services.book)": run_clients(args, place, resources, users, naive=False, month=2)
    }
    if connection.vendor == "postgresql":
        throughput["whole-table lock (naive)"] = run_clients(
            args, place, resources, users, naive=True, month=3
        )

    result = {
        "database": args.worker,
        "resources": len(resources),
        "bookings": n_bookings,
        "create_s": create_s,
        "weeks": len(week_times),
        "slots": slots,
        "week_p50": base.percentile(week_times, 50),
        "week_p95": base.percentile(week_times, 95),
        "week_max": max(week_times),
        "throughput": throughput,
        "calibration_ms": base.calibration_ms(),
    }
    Path(args.out).write_text(json.dumps(result))


def table_locked_resource(resource):
    """The naive lock: the whole bookings table (every writer of every resource waits), instead of
    services._locked_resource's lock on the one resource row. The rest of services.book is unchanged."""
    from django.db import connection

    from relais.spaces.models import Booking, Resource

    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {Booking._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    return Resource.objects.select_related("place__commune", "required_qualification").get(pk=resource.pk)


def _client(number, resources, user, weekdays, naive, seconds, start_gate, results):
    """One booking client (a child process): books until `seconds` after the gate opens."""
    from django.db import connections

    from relais.core.errors import DomainError
    from relais.privacy.audit import Actor
    from relais.spaces import services

    if naive:
        services._locked_resource = table_locked_resource
    rng = random.Random(SEED + number)
    start_gate.wait()
    stop_at = time.monotonic() + seconds
    granted = refused = errors = 0
    reasons = {}
    while time.monotonic() < stop_at:
        resource = rng.choice(resources)
        day = rng.choice(weekdays)
        start = datetime.datetime.combine(day, datetime.time(rng.randrange(8, 19)), PARIS)
        try:
            services.book(Actor(user=user), resource, start, start + datetime.timedelta(hours=1), now=NOW)
            granted += 1
        except DomainError as exc:
            refused += 1
            reasons[exc.code or exc.field] = reasons.get(exc.code or exc.field, 0) + 1
        except Exception:  # noqa: BLE001 (counted: a database error must not happen)
            errors += 1
    connections.close_all()
    results.put((granted, refused, errors, reasons))


def run_clients(args, place, resources, users, *, naive, month):
    """`args.clients` processes (forked, each with its own database connection: like gunicorn workers, no
    shared GIL) booking random 1-hour slots of month `month` of 2028 (after the year of bookings: an empty
    month) for `args.seconds`."""
    import multiprocessing

    from django.db import connections

    from relais.spaces.models import Booking

    weekdays = [
        datetime.date(2028, month, d) for d in range(1, 29) if datetime.date(2028, month, d).weekday() < 5
    ]
    context = multiprocessing.get_context("fork")
    start_gate = context.Event()
    results = context.Queue()
    connections.close_all()  # the children open their own
    children = [
        context.Process(
            target=_client,
            args=(number, resources, users[number], weekdays, naive, args.seconds, start_gate, results),
        )
        for number in range(args.clients)
    ]
    for child in children:
        child.start()
    time.sleep(1.0)  # every child ready (imports done, waiting on the gate)
    start_gate.set()
    counts = {"granted": 0, "refused": 0, "errors": 0, "reasons": {}}
    for _ in children:
        granted, refused, errors, reasons = results.get()
        counts["granted"] += granted
        counts["refused"] += refused
        counts["errors"] += errors
        for reason, n in reasons.items():
            counts["reasons"][reason] = counts["reasons"].get(reason, 0) + n
    for child in children:
        child.join()
    # No slot over capacity: check every booking of that month against its resource's capacity.
    over = 0
    month_start = datetime.datetime(2028, month, 1, tzinfo=PARIS)
    month_end = datetime.datetime(2028, month + 1, 1, tzinfo=PARIS)
    rows = list(
        Booking.objects.filter(start__gte=month_start, start__lt=month_end).values_list(
            "resource_id", "start", "end", "quantity", "resource__capacity"
        )
    )
    by_resource = {}
    for resource_id, start, end, quantity, capacity in rows:
        by_resource.setdefault(resource_id, []).append((start, end, quantity, capacity))
    for items in by_resource.values():
        events = sorted([(s, q) for s, _, q, _ in items] + [(e, -q) for _, e, q, _ in items])
        load = 0
        for _, delta in events:
            load += delta
            if load > items[0][3]:
                over += 1
    return {**counts, "clients": args.clients, "seconds": args.seconds, "over_capacity": over}


if __name__ == "__main__":
    main()
