"""Reference searches the tests (and the benchmarks) check `search_places` against; not used by the app.

`naive_search` scans every place in Python; `search_places_db` answers through the ORM (indexed
bounding box, exact distances in numpy). Both follow `relais.places.search.PlaceQuery`'s meaning.
"""

import numpy as np

from relais.places.hours import is_open, is_open_on, place_is_open
from relais.places.models import Accessibility, Place, PlaceStatus
from relais.places.search import DEFAULT_RADIUS_KM, SearchResult, filtered_queryset
from relais.territory.geo import bounding_box, haversine_km
from relais.territory.timezones import paris_time, timezone_of


def search_places_db(query):
    """The same search through the ORM (indexed bounding box, exact distances in numpy)."""
    query.validate()
    qs = filtered_queryset(query)
    distances = {}
    if query.lat is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        qs = qs.within_box(*bounding_box(query.lat, query.lon, radius))
        rows = list(qs.values_list("id", "latitude", "longitude", "opening_hours", "commune__department_id"))
        if rows:
            dist = haversine_km(
                query.lat, query.lon, np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
            )
            keep = np.flatnonzero(dist <= radius)
            order = keep[np.argsort(dist[keep], kind="stable")]
            rows = [rows[i] for i in order]
            distances = {rows[j][0]: round(float(dist[i]), 3) for j, i in enumerate(order)}
    else:
        rows = list(
            qs.order_by("name", "id").values_list(
                "id", "latitude", "longitude", "opening_hours", "commune__department_id"
            )
        )
    if query.open_now:
        at = paris_time(query.at)
        rows = [r for r in rows if is_open(r[3], at, timezone_of(r[4]))]
    if query.open_on is not None:
        rows = [r for r in rows if is_open_on(r[3], query.open_on, timezone_of(r[4]))]
    ids = [r[0] for r in rows]
    return SearchResult(
        count=len(ids), ids=ids, distances={i: distances[i] for i in ids} if distances else {}
    )


def naive_search(query):
    """Ids of the matching places, scanning every place in Python (nearest first, then by name)."""
    query.validate()
    at = paris_time(query.at)
    results = []
    for place in Place.objects.prefetch_related("typologies", "services", "labels", "publics").select_related(
        "commune"
    ):
        if place.status == PlaceStatus.CLOSED and not query.include_closed:
            continue
        if query.service and query.service not in {s.code for s in place.services.all()}:
            continue
        if query.typology and query.typology not in {t.code for t in place.typologies.all()}:
            continue
        if query.label and query.label not in {t.code for t in place.labels.all()}:
            continue
        distance = None
        if query.lat is not None:
            if place.latitude is None:
                continue
            distance = float(haversine_km(query.lat, query.lon, place.latitude, place.longitude))
            if distance > (query.radius_km or DEFAULT_RADIUS_KM):
                continue
        if query.public and query.public not in {t.code for t in place.publics.all()}:
            continue
        if query.accessible and place.wheelchair != Accessibility.YES:
            continue
        if query.free and "GRATUIT" not in place.fees:
            continue
        if query.open_now and not place_is_open(place, at):
            continue
        if query.open_on is not None and not is_open_on(place.opening_hours, query.open_on, place.timezone):
            continue
        results.append((distance if distance is not None else 0.0, place.name, place.pk))
    results.sort()
    return [pk for _, _, pk in results]
