"""The peer's searches (`search`, `nearest`) and its data (`load`): GeoDjango on PostGIS, answering a
PlaceQuery as relais.places.search does."""

import dataclasses
import time
import zoneinfo

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import GeoFunc
from django.contrib.gis.geos import Point
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connections
from django.db.models import BooleanField, FloatField, Q, Value

from relais.places.hours import is_open
from relais.places.models import Place, PlaceStatus
from relais.places.search import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, PlaceQuery, SearchResult
from relais.territory.timezones import paris_time, timezone_of

from .models import PeerPlace
from .routers import PEER_DATABASE

# What the peer answers: a point and a radius, a service, "open now" (the benchmarks' queries).
SUPPORTED = {"lat", "lon", "radius_km", "service", "open_now", "at"}


class _OnSphere(GeoFunc):
    """PostGIS's geography functions with `use_spheroid => false`: on the sphere of the mean Earth radius,
    as Relais measures (relais.territory.geo). GeoDjango's own `dwithin` lookup and `Distance` use the
    spheroid, which differs by up to 0.5 % at the rim of the disc."""

    geom_param_pos = (0, 1)

    def __init__(self, field, point, *params):
        point = Value(point, output_field=PointField(srid=4326, geography=True))
        super().__init__(field, point, *params, Value(False))


class DWithinSphere(_OnSphere):
    """ST_DWithin(geography, geography, metres, false): served by the GiST index."""

    function = "ST_DWithin"
    output_field = BooleanField()


class DistanceSphere(_OnSphere):
    """ST_Distance(geography, geography, false), in metres."""

    function = "ST_Distance"
    output_field = FloatField()


class NearestFirst(GeoFunc):
    """`location <-> point`: the order of the GiST index's nearest-neighbour scan (sphere distance)."""

    geom_param_pos = (0, 1)
    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()

    def __init__(self, field, point):
        super().__init__(field, Value(point, output_field=PointField(srid=4326, geography=True)))


def _rows(query, nearest_first=False):
    """(id, distance in metres, opening hours, time zone) of the places within the radius that pass the
    SQL filters, nearest first: by ST_Distance, or by the index's nearest-neighbour scan."""
    query.validate()
    other = [
        f.name
        for f in dataclasses.fields(PlaceQuery)
        if f.name not in SUPPORTED and getattr(query, f.name) != f.default
    ]
    if other or query.lat is None:
        raise ValueError(f"the PostGIS peer answers a point with a service and open now, not {other}")
    point = Point(query.lon, query.lat, srid=4326)
    radius_m = (query.radius_km or DEFAULT_RADIUS_KM) * 1000
    qs = PeerPlace.objects.filter(DWithinSphere("location", point, radius_m)).exclude(
        status=PlaceStatus.CLOSED
    )
    if query.service:
        qs = qs.filter(services__contains=[query.service])
    qs = qs.annotate(distance_m=DistanceSphere("location", point))
    # An index-ordered (nearest-neighbour) scan takes one sort key: no tie-break by id there.
    qs = qs.order_by(NearestFirst("location", point)) if nearest_first else qs.order_by("distance_m", "id")
    return qs.values_list("id", "distance_m", "opening_hours", "time_zone")


def _open_only(rows, query):
    if not query.open_now:
        return list(rows)
    at = paris_time(query.at)
    return [r for r in rows if is_open(r[2], at, zoneinfo.ZoneInfo(r[3]))]


def _result(rows):
    ids = [r[0] for r in rows]
    return SearchResult(count=len(ids), ids=ids, distances={r[0]: round(r[1] / 1000, 3) for r in rows})


def search(query):
    """The places matching `query`, nearest first: a SearchResult as Relais's `search_places` gives."""
    return _result(_open_only(_rows(query), query))


def nearest(lat, lon, k=10, query=None):
    """The `k` nearest places matching `query`'s filters within MAX_RADIUS_KM, as Relais's
    `nearest_places` gives: the index's nearest-neighbour scan, read in growing batches until `k` pass
    "open now" (or the disc is exhausted)."""
    query = dataclasses.replace(query or PlaceQuery(), lat=lat, lon=lon, radius_km=MAX_RADIUS_KM)
    rows = _rows(query, nearest_first=True)
    found, start, batch = [], 0, 4 * k
    while len(found) < k:
        chunk = list(rows[start : start + batch])
        found += _open_only(chunk, query)
        if len(chunk) < batch:
            break
        start, batch = start + batch, batch * 4
    return _result(found[:k])


def explain(query, nearest_first=False, limit=None):
    """PostgreSQL's plan of the peer's SQL query for `query` (to see the GiST index at work); `limit`
    as in the first batch of `nearest`."""
    rows = _rows(query, nearest_first)
    return (rows[:limit] if limit else rows).explain(analyze=True)


def load():
    """Create the PostGIS extension and the peer's table, copy the registry's located places into it.

    Returns {"rows", "seconds", "postgis"}. The GiST and GIN indexes are built after the copy.
    """
    started = time.perf_counter()
    with connections["default"].cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    rows = (
        Place.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(codes=ArrayAgg("services__code", filter=Q(services__isnull=False), default=Value([])))
        .values_list(
            "id", "status", "latitude", "longitude", "opening_hours", "commune__department_id", "codes"
        )
    )
    peers = [
        PeerPlace(
            id=pk,
            status=status,
            location=Point(lon, lat, srid=4326),
            services=codes,
            opening_hours=hours,
            time_zone=timezone_of(department).key,
        )
        for pk, status, lat, lon, hours, department, codes in rows.iterator(chunk_size=5000)
    ]
    connection = connections[PEER_DATABASE]
    with connection.schema_editor() as editor:
        editor.create_model(PeerPlace)  # the indexes are deferred to the end of this block…
        PeerPlace.objects.bulk_create(peers, batch_size=2000)  # …so the rows go in first
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_peer_place")
        cursor.execute("SELECT postgis_lib_version()")
        version = cursor.fetchone()[0]
    return {"rows": len(peers), "seconds": time.perf_counter() - started, "postgis": version}
