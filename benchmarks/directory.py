"""Benchmark: the public directory's results page and its map data at national scale.

    RELAIS_TESTING=1 .venv/bin/python benchmarks/directory.py [--places 40000] [--requests 200]
        [--databases sqlite,postgres] [--naive-requests 3] [--keep]

Same set-up as places_near.py (a subprocess per database, synthetic places spread like real ones around
the real communes). In-process, server-side (django.test.Client) it times:
- the results page `GET /lieux/?commune=…&where=…` around random communes (drawn by population), a
  third plain, a third with "open now", a third with a service typed in "what";
- its map data `GET /lieux/carte.json?…` for the same searches;
- the same page when the search is the naive full scan (relais.places.search.naive_search, through the
  ORM, rendered by the same template): the baseline of the ratio;
and it measures the compressed (gzip) size of the map data for each région's search (`where=<région>`),
of the whole country, and of a naive GeoJSON FeatureCollection of the same région's places.
Targets: p95 < 50 ms for the page and the JSON; région map data < 500 KB compressed.
"""

import argparse
import gzip
import io
import json
import random
import sys
import time
import warnings
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
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    worker_args = ["--places", str(args.places), "--requests", str(args.requests)]
    worker_args += ["--naive-requests", str(args.naive_requests)]
    results = [
        base.run_database(db.strip(), args, script=__file__, worker_args=worker_args)
        for db in args.databases.split(",")
        if db.strip()
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


def worker(args):
    sys.path.insert(0, str(base.ROOT))
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from relais.places import directory, index, search
    from relais.places.models import Place, RegistryVersion
    from relais.territory import timezones
    from relais.territory.geo import haversine_km
    from relais.territory.models import Region

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_territory", verbosity=0, stdout=io.StringIO())
    base.create_places(args.places)
    RegistryVersion.bump()
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

    page_times, json_times, counts = [], [], []
    for n, params in enumerate(searches):
        elapsed, response = timed("/lieux/", params)
        outcome = directory.run(*directory.parse_params(params))  # (outside the timing: what was shown)
        if not outcome.searched:
            raise SystemExit(f"no search for {params}: {outcome.errors} {outcome.where.message}")
        json_elapsed, _ = timed("/lieux/carte.json", params, accept_encoding="gzip")
        if n >= base.WARMUP:
            page_times.append(elapsed)
            json_times.append(json_elapsed)
            counts.append(outcome.count)

    # The naive baseline: the same page, the search being a full scan through the ORM.
    fast_search = search.search_places

    def naive_search_places(query):
        ids = search.naive_search(query)
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
        directory.search.search_places = naive_search_places
        try:
            elapsed, response = timed("/lieux/", params)
            naive = directory.run(*directory.parse_params(params))
        finally:
            directory.search.search_places = fast_search
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
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
