"""The peer's API: `GET /bench/postgis/places?lat=…&lon=…&radius_km=…&service=…&open_now=…`.

The same request and the same response as Relais's `GET /api/places` (same schemas, same serializer), the
search being the peer's and the page's places read through the ORM as a GeoDjango app would
(`select_related` and `prefetch_related`).
"""

from ninja import Field, NinjaAPI, Query, Schema

from relais.places.api import PAGE_SIZE, PlacePage, place_out
from relais.places.models import Place
from relais.places.search import MAX_PAGE_SIZE, PlaceQuery
from relais.territory import timezones

from . import search

api = NinjaAPI(title="PostGIS peer", urls_namespace="postgis-peer", docs_url=None, openapi_url=None)


class PeerFilters(Schema):
    lat: float
    lon: float
    radius_km: float | None = None
    service: str = ""
    open_now: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


@api.get("/places", response=PlacePage)
def list_places(request, filters: Query[PeerFilters]):
    params = filters.dict()
    page, page_size = params.pop("page"), params.pop("page_size")
    at = timezones.now_paris()
    result = search.search(PlaceQuery(**params, at=at))
    start = (page - 1) * page_size
    ids = result.ids[start : start + page_size]
    # What a list entry shows: the commune (one join) and three vocabularies (one query each).
    places = Place.objects.select_related("commune").prefetch_related("typologies", "services", "labels")
    places = places.in_bulk(ids)
    results = [place_out(places[pk], result.distances[pk], at) for pk in ids]
    return {"count": result.count, "page": page, "page_size": page_size, "results": results}
