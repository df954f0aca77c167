"""Benchmark: the public directory's results page and its map data at national scale.

    RELAIS_TESTING=1 .venv/bin/python benchmarks/directory.py [--places 40000] [--requests 200]
        [--databases sqlite,postgres] [--naive-requests 3] [--no-postgis] [--keep]

Same set-up as places_near.py (a subprocess per database, synthetic places spread like real ones around
the real communes). In-process, server-side (django.test.Client) it times:
- the results page `GET /lieux/?commune=…&where=…` around random communes (drawn by population), a
  third plain, a third with "open now", a third with a service typed in "what";
- its map data `GET /lieux/carte.json?…` for the same searches;
- on PostgreSQL, interleaved with it, the same page when the search is the PostGIS peer (benchmarks/
  postgis_peer: GeoDjango, ST_DWithin on a GiST-indexed geography column, the service filter in SQL,
  "open now" on the candidates) and the page's places are read through the ORM: what a Django team would
  deploy instead, the headline ratio; the script first checks that both give the same results;
- the same page when the search is the naive full scan (relais.places.tests.oracles.naive_search, through
  the ORM, rendered by the same template): a floor;
and it measures the compressed (gzip) size of the map data for each région's search (`where=<région>`),
of the whole country, and of a naive GeoJSON FeatureCollection of the same région's places.
Targets: p95 < 50 ms for the page and the JSON; région map data < 500 KB compressed.
"""

import argparse
import contextlib
import dataclasses
import gzip
import io
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import places_near as base  # noqa: E402 (the shared set-up: synthetic places, databases, percentiles)

TARGET_P95_MS = 50.0
TARGET_MAP_KB = 500.0
SEED = 20261122


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=40000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--naive-requests", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=base.DEFAULT_POSTGRES_URL)
    parser.add_argument("--keep", action="store_true")
    base.add_postgis_arguments(parser)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    worker_args = ["--places", str(args.places), "--requests", str(args.requests)]
    worker_args += ["--naive-requests", str(args.naive_requests)]
    results = [
        base.run_database(
            db,
            args,
            script=__file__,
            worker_args=worker_args + (["--postgis"] if db == "postgres" and args.postgis else []),
        )
        for db in base.prepare_databases(args)
    ]
    report(results)


def report(results):
    for r in results:
        print(f"\n== {r['database']} ({r['server']}): {r['places']} places, {r['requests']} searches")
        for name in ("page", "json"):
            verdict = "OK" if r[f"{name}_p95"] < TARGET_P95_MS else "MISSED"
            print(
                f"  {r[f'{name}_label']:<38} p50 {r[f'{name}_p50']:6.1f} ms  p95 {r[f'{name}_p95']:6.1f} ms  "
                f"max {r[f'{name}_max']:6.1f} ms  (target p95 < {TARGET_P95_MS:.0f} ms: {verdict})"
            )
        peer = r.get("postgis")
        if peer:
            print(
                f"  {'the same page, PostGIS peer':<38} p50 {peer['p50']:6.1f} ms  "
                f"p95 {peer['p95']:6.1f} ms  max {peer['max']:6.1f} ms  "
                f"→ PostGIS ÷ Relais {peer['p50'] / r['page_p50']:.1f}× at p50, "
                f"{peer['p95'] / r['page_p95']:.1f}× at p95"
            )
            print(
                f"    (GeoDjango, PostGIS {peer['version']}, {peer['rows']} rows, GiST + GIN built in "
                f"{peer['load_s']:.1f} s; same results as Relais on {peer['agreeing']}/{peer['checked']} "
                f"searches, checked before timing; requests interleaved with Relais's)"
            )
        print(
            f"  naive page (full scan, same template)   p50 {r['naive_p50']:6.0f} ms over "
            f"{r['naive_requests']} searches → ratio {r['naive_p50'] / r['page_p50']:.0f}× (p50 vs p50); "
            f"same places: {'yes' if r['naive_agrees'] else 'NO'}"
        )
        print(f"  results per search: mean {r['count_mean']:.1f}, max {r['count_max']}")
        largest = r["regions"][0]
        verdict = "OK" if largest["gzip_kb"] < TARGET_MAP_KB else "MISSED"
        print(
            f"  map data per région (gzip): largest {largest['name']} {largest['places']} places "
            f"{largest['gzip_kb']:.0f} KB ({largest['raw_kb']:.0f} KB raw, {largest['mode']}), "
            f"target < {TARGET_MAP_KB:.0f} KB: {verdict}; naive GeoJSON of the same places "
            f"{largest['naive_gzip_kb']:.0f} KB gzip ({largest['naive_raw_kb']:.0f} KB raw); "
            f"JSON time for that région {largest['ms']:.0f} ms"
        )
        for region in r["regions"][1:4]:
            print(f"    {region['name']}: {region['places']} places, {region['gzip_kb']:.0f} KB gzip")
        print(
            f"  whole country: {r['country']['places']} places → {r['country']['mode']}, "
            f"{r['country']['gzip_kb']:.0f} KB gzip in {r['country']['ms']:.0f} ms"
        )
        print(f"  machine calibration (pure-Python loop): {r['calibration_ms']:.0f} ms")


@contextlib.contextmanager
def directory_searching_with(search_places, nearest_places=None, items=None):
    """The directory with another search (another "nearest places", another way to read the page's
    entries) for a while."""
    from relais.places import directory

    saved = directory.search.search_places, directory.search.nearest_places, directory._items
    directory.search.search_places = search_places
    directory.search.nearest_places = nearest_places or directory.search.nearest_places
    directory._items = items or directory._items
    try:
        yield
    finally:
        directory.search.search_places, directory.search.nearest_places, directory._items = saved


class EntriesFromDatabase:
    """The page's list entries read through the ORM (what the peer has instead of Relais's index)."""

    def __init__(self, ids):
        from relais.places.models import Place

        self.places = (
            Place.objects.select_related("commune")
            .prefetch_related("typologies", "services", "labels")
            .in_bulk(ids)
        )
        self.position = {pk: pk for pk in self.places}

    def entry(self, pk):
        from relais.places.index import Entry

        return Entry.from_place(self.places[pk])


def same_items(expected, found, tolerance_km=0.0011):
    """Whether two pages of directory items show the same places the same way (distances to rounding)."""
    if len(expected) != len(found):
        return False
    for a, b in zip(expected, found, strict=True):
        if (a.entry, a.url, a.open_now, a.typology_names) != (b.entry, b.url, b.open_now, b.typology_names):
            return False
        if (a.distance_km is None) != (b.distance_km is None) or (
            a.distance_km is not None and abs(a.distance_km - b.distance_km) > tolerance_km
        ):
            return False
    return True


def worker(args):
    base.configure_django(args)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from relais.places import directory, index, search
    from relais.places.models import Place, RegistryVersion
    from relais.places.tests import oracles
    from relais.territory import timezones
    from relais.territory.geo import haversine_km
    from relais.territory.models import Region

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_territory", verbosity=0, stdout=io.StringIO())
    base.create_places(args.places)
    RegistryVersion.bump()
    peer_loaded = base.load_peer(args)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    index.place_index()
    timezones.now_paris = lambda: base.FIXED_AT
    client = Client(SERVER_NAME="localhost")
    service_name = directory.vocabulary_names()["service"][base.SERVICE]

    rng = random.Random(SEED)
    communes, weights = base.populated_communes()
    picks = rng.choices(communes, weights, k=args.requests + base.WARMUP)
    searches = []
    for n, (code, name, *_rest) in enumerate(picks):
        params = {"commune": code, "where": name}
        if n % 3 == 1:
            params["open_now"] = "1"
        elif n % 3 == 2:
            params["q"] = service_name
        searches.append(params)

    def timed(url, params, **headers):
        started = time.perf_counter()
        response = client.get(url, params, headers={k.replace("_", "-"): v for k, v in headers.items()})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {url} {params} → {response.status_code}")
        return elapsed, response

    peer = check_peer(searches[base.WARMUP :]) if peer_loaded else None
    page_times, json_times, counts, peer_times = [], [], [], []
    for n, params in enumerate(searches):
        if peer:  # interleaved: both face the same load of the (shared) machine
            with peer():
                peer_elapsed, _ = timed("/lieux/", params)
            if n >= base.WARMUP:
                peer_times.append(peer_elapsed)
        elapsed, response = timed("/lieux/", params)
        outcome = directory.run(*directory.parse_params(params))  # (outside the timing: what was shown)
        if not outcome.searched:
            raise SystemExit(f"no search for {params}: {outcome.errors} {outcome.where.message}")
        json_elapsed, _ = timed("/lieux/carte.json", params, accept_encoding="gzip")
        if n >= base.WARMUP:
            page_times.append(elapsed)
            json_times.append(json_elapsed)
            counts.append(outcome.count)

    # The naive floor: the same page, the search being a full scan through the ORM.
    def naive_search_places(query):
        ids = oracles.naive_search(query)
        distances = {}
        if query.lat is not None and ids:
            rows = Place.objects.in_bulk(ids)
            for pk in ids:
                distances[pk] = round(
                    float(haversine_km(query.lat, query.lon, rows[pk].latitude, rows[pk].longitude)), 3
                )
        return search.SearchResult(count=len(ids), ids=ids, distances=distances, index=index.place_index())

    naive_times, agrees = [], True
    for params in searches[base.WARMUP : base.WARMUP + args.naive_requests]:
        fast = directory.run(*directory.parse_params(params))
        with directory_searching_with(naive_search_places):
            elapsed, response = timed("/lieux/", params)
            naive = directory.run(*directory.parse_params(params))
        naive_times.append(elapsed)
        agrees = agrees and sorted(map(str, naive.result.ids)) == sorted(map(str, fast.result.ids))

    # Map data per région (and the whole country), compressed as served.
    regions = []
    for region in Region.objects.all():
        elapsed, response = timed("/lieux/carte.json", {"where": region.name}, accept_encoding="gzip")
        compressed = response.get("Content-Encoding") == "gzip"  # (bodies under 200 bytes are sent as is)
        body = gzip.decompress(response.content) if compressed else response.content
        data = json.loads(body)
        places = list(
            Place.objects.visible()
            .filter(commune__region=region)
            .values("id", "name", "address", "postal_code", "commune__name", "latitude", "longitude")
        )
        naive_geojson = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [p["longitude"], p["latitude"]]},
                        "properties": {k: str(v) for k, v in p.items() if k not in ("latitude", "longitude")},
                    }
                    for p in places
                ],
            }
        ).encode()
        regions.append(
            {
                "name": region.name,
                "places": data["count"],
                "mode": "clusters" if data["clusters"] else "points",
                "gzip_kb": len(response.content) / 1000,
                "raw_kb": len(body) / 1000,
                "naive_gzip_kb": len(gzip.compress(naive_geojson)) / 1000,
                "naive_raw_kb": len(naive_geojson) / 1000,
                "ms": elapsed,
            }
        )
    regions.sort(key=lambda r: -r["gzip_kb"])
    elapsed, response = timed("/lieux/carte.json", {}, accept_encoding="gzip")
    data = json.loads(gzip.decompress(response.content))
    if response.get("Content-Encoding") != "gzip":
        raise SystemExit("the map data is not compressed")
    country = {
        "places": data["count"],
        "mode": f"{len(data['clusters'])} clusters" if data["clusters"] else f"{len(data['points'])} points",
        "gzip_kb": len(response.content) / 1000,
        "ms": elapsed,
    }

    result = {
        "database": args.worker,
        "server": f"{connection.vendor}",
        "calibration_ms": base.calibration_ms(),
        "places": Place.objects.count(),
        "requests": len(page_times),
        "page_label": "results page /lieux/",
        "json_label": "map data /lieux/carte.json (gzip)",
        "naive_requests": len(naive_times),
        "naive_p50": base.percentile(naive_times, 50),
        "naive_agrees": agrees,
        "count_mean": sum(counts) / len(counts),
        "count_max": max(counts),
        "regions": regions,
        "country": country,
    }
    for name, values in (("page", page_times), ("json", json_times)):
        result[f"{name}_p50"] = base.percentile(values, 50)
        result[f"{name}_p95"] = base.percentile(values, 95)
        result[f"{name}_max"] = max(values)
    if peer:
        result["postgis"] = {
            "version": peer_loaded["postgis"],
            "rows": peer_loaded["rows"],
            "load_s": peer_loaded["seconds"],
            "checked": len(searches) - base.WARMUP,
            "agreeing": len(searches) - base.WARMUP,
            "p50": base.percentile(peer_times, 50),
            "p95": base.percentile(peer_times, 95),
            "max": max(peer_times),
        }
    Path(args.out).write_text(json.dumps(result))


def check_peer(searches):
    """Check, before any timing, that the directory gives the same results and the same page with the
    PostGIS peer as with Relais's search on every search. Returns `peer()`: a context in which the
    directory searches with the peer and reads its page's entries through the ORM."""
    from postgis_peer import search as peer_search

    from relais.places import directory, search

    def peer():
        return directory_searching_with(peer_search.search, peer_search.nearest, items=peer_items)

    original_items = directory._items

    def peer_items(result, ids, index, vocabularies, at):
        return original_items(result, ids, EntriesFromDatabase(ids), vocabularies, at)

    nearest_checked = 0
    for params in searches:
        fast = directory.run(*directory.parse_params(params))
        with peer():
            slow = directory.run(*directory.parse_params(params))
        if not (
            base.same_answer(fast.result, slow.result)
            and same_items(fast.items, slow.items)
            and same_items(fast.nearest, slow.nearest)
        ):
            raise SystemExit(
                f"the PostGIS peer disagrees on {params}: Relais {fast.count} places {fast.result.ids[:5]}…, "
                f"peer {slow.count} {slow.result.ids[:5]}…"
            )
        nearest_checked += bool(fast.nearest)
    base.log(
        f"PostGIS peer: same results on {len(searches)} searches ({nearest_checked} with nearest places)"
    )
    query = dataclasses.replace(
        directory.run(*directory.parse_params(searches[0])).query, radius_km=search.MAX_RADIUS_KM
    )
    plan = peer_search.explain(query, nearest_first=True, limit=20)  # the first batch of the 5 nearest
    base.log(f"--- plan of the PostGIS peer's nearest places\n{plan}")
    return peer


if __name__ == "__main__":
    main()
