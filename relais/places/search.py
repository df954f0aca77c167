"""Searching the registry: filters, "near a point within R km" sorted by distance, "open now".

Used by the API and the public directory, served by the in-memory index (places/index.py): a point
search takes the candidates within the radius from its spatial index, with exact great-circle distances;
"open now" is evaluated on the remaining candidates only, once per distinct expression and time zone.
The reference searches the tests compare it with are in places/tests/oracles.py.
"""

import datetime
from dataclasses import dataclass, replace

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.core.text import normalize_name
from relais.territory.timezones import paris_time, timezone_of

from .hours import (
    HOLIDAY_SUBDIVISIONS,
    STATE_CLOSED,
    STATE_NOT_STATED,
    is_open,  # noqa: F401 (callers and tests read "open now" from here too)
    state_at,
    state_on,
)
from .index import place_index
from .models import Accessibility, Place

MAX_RADIUS_KM = 200
DEFAULT_RADIUS_KM = 10
MAX_PAGE_SIZE = 100
# Around a point, a place whose position is only its commune's centre (`Place.location_approximate`) is
# somewhere in that commune, not at the centre: it ranks as if it were this much farther than the centre,
# about the radius of a typical French commune (median area ≈ 11 km²), so that it is never "the nearest,
# at 0 km" ahead of places whose position is known. Its reported distance stays the true one to the centre.
APPROXIMATE_PENALTY_KM = 2.0


@dataclass
class PlaceQuery:
    q: str = ""
    typology: str = ""
    service: str = ""
    label: str = ""
    public: str = ""
    department: str = ""
    region: str = ""
    commune: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    open_now: bool = False
    open_on: datetime.date | None = None  # open at some time on that day
    accessible: bool = False
    free: bool = False  # free of charge ("Gratuit" among the fees)
    include_closed: bool = False
    # With "open now" / "open on": also keep the places whose hours do not say what happens on that public
    # holiday (by default they are left out: the directory never says "open" without knowing).
    include_unstated_holidays: bool = False
    at: datetime.datetime | None = None  # evaluation time of "open now" (default: now in Paris)

    def validate(self):
        if (self.lat is None) != (self.lon is None):
            raise DomainError(_("lat et lon vont ensemble : renseignez les deux."), field="lat")
        if self.lat is not None:
            if not (-90 <= self.lat <= 90):
                raise DomainError(_("latitude %(lat)s hors de [-90, 90].") % {"lat": self.lat}, field="lat")
            if not (-180 <= self.lon <= 180):
                raise DomainError(
                    _("longitude %(lon)s hors de [-180, 180].") % {"lon": self.lon}, field="lon"
                )
        if self.radius_km is not None:
            if self.lat is None:
                raise DomainError(_("radius_km demande un point (lat et lon)."), field="radius_km")
            if not (0 < self.radius_km <= MAX_RADIUS_KM):
                raise DomainError(
                    _("le rayon doit être compris entre 0 et %(max)s km (reçu : %(radius)s).")
                    % {"max": MAX_RADIUS_KM, "radius": self.radius_km},
                    field="radius_km",
                )


def filtered_queryset(query):
    qs = Place.objects.all() if query.include_closed else Place.objects.visible()
    if query.typology:
        qs = qs.filter(typologies__code=query.typology)
    if query.service:
        qs = qs.filter(services__code=query.service)
    if query.label:
        qs = qs.filter(labels__code=query.label)
    if query.public:
        qs = qs.filter(publics__code=query.public)
    if query.commune:
        qs = qs.filter(commune_id=query.commune)
    if query.department:
        qs = qs.filter(commune__department_id=query.department)
    if query.region:
        qs = qs.filter(commune__region_id=query.region)
    if query.accessible:
        qs = qs.filter(wheelchair=Accessibility.YES)
    if query.free:
        # The fees are a JSON list of codes; the quotes keep "GRATUIT_SOUS_CONDITION" out.
        qs = qs.filter(fees__icontains='"GRATUIT"')
    if query.q:
        for word in normalize_name(query.q).split():
            qs = qs.filter(Q(search_text__contains=word))
    return qs


@dataclass
class SearchResult:
    count: int
    ids: list  # ids of all matching places, in result order
    distances: dict  # id → km (point searches only)
    index: object = None  # the PlaceIndex the result comes from, when it does

    def page(self, number, size):
        """Place objects of a page (for pages that show a place's whole data)."""
        start = (number - 1) * size
        ids = self.ids[start : start + size]
        places = Place.objects.with_relations().in_bulk(ids)
        return [places[i] for i in ids if i in places]

    def page_entries(self, number, size):
        """List entries of a page, straight from the in-memory index (no database query)."""
        start = (number - 1) * size
        index = self.index or place_index()
        return [index.entry(index.position[i]) for i in self.ids[start : start + size]]


def _hours_mask(index, candidates, test):
    """Which candidates pass `test(expression, department)`, evaluated once per distinct (hours, time zone,
    public-holiday calendar)."""
    verdicts = {}
    hours, departments = index.hours[candidates], index.department[candidates]
    ok = np.zeros(len(candidates), dtype=bool)
    for j, (h, dep) in enumerate(zip(hours.tolist(), departments.tolist(), strict=True)):
        if h < 0:
            continue
        key = (h, timezone_of(dep), HOLIDAY_SUBDIVISIONS.get(dep))
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = bool(test(index.hours_expressions[h], dep))
        ok[j] = verdict
    return ok


def search_places(query):
    """Places matching `query`: nearest first around a point, else by name. Served by the in-memory index."""
    query.validate()
    index = place_index()
    keep = index.mask(query)
    distances = {}
    if query.lat is not None:
        candidates, dist = index.within(query.lat, query.lon, query.radius_km or DEFAULT_RADIUS_KM)
        selected = keep[candidates]
        candidates, dist = candidates[selected], dist[selected]
    else:
        candidates, dist = np.flatnonzero(keep), None
    if query.q:
        words = normalize_name(query.q).split()
        text_ok = np.array([index.matches_text(i, words) for i in candidates], dtype=bool)
        candidates = candidates[text_ok] if len(candidates) else candidates
        dist = dist[text_ok] if dist is not None and len(text_ok) else dist
    hour_tests = []
    refused = {None, STATE_CLOSED} | (set() if query.include_unstated_holidays else {STATE_NOT_STATED})
    if query.open_now:
        at = paris_time(query.at)
        hour_tests.append(lambda expression, dep: state_at(expression, dep, at) not in refused)
    if query.open_on is not None:
        hour_tests.append(lambda expression, dep: state_on(expression, dep, query.open_on) not in refused)
    for test in hour_tests:
        if not len(candidates):
            break
        open_ok = _hours_mask(index, candidates, test)
        candidates = candidates[open_ok]
        dist = dist[open_ok] if dist is not None else None
    if dist is not None and len(candidates):
        order = np.argsort(dist + APPROXIMATE_PENALTY_KM * index.approximate[candidates], kind="stable")
        candidates, dist = candidates[order], dist[order]
    ids = [index.ids[i] for i in candidates.tolist()]
    if dist is not None:
        distances = {pk: round(float(d), 3) for pk, d in zip(ids, dist.tolist(), strict=True)}
    return SearchResult(count=len(ids), ids=ids, distances=distances, index=index)


def nearest_places(lat, lon, k=10, query=None):
    """The `k` nearest places matching `query`'s filters, nearest first, within MAX_RADIUS_KM.

    Searches growing discs: once a disc holds at least k places, it holds the k nearest ones (one more
    search, APPROXIMATE_PENALTY_KM wider, lets a precise place outrank an approximate one inside).
    """
    if not (1 <= k <= MAX_PAGE_SIZE):
        raise DomainError(
            _("k doit être compris entre 1 et %(max)s (reçu : %(k)s).") % {"max": MAX_PAGE_SIZE, "k": k},
            field="k",
        )
    radius = 5.0
    while True:
        result = search_places(replace(query or PlaceQuery(), lat=lat, lon=lon, radius_km=radius))
        if result.count >= k or radius >= MAX_RADIUS_KM:
            if result.count >= k and radius < MAX_RADIUS_KM:
                wider = min(radius + APPROXIMATE_PENALTY_KM, MAX_RADIUS_KM)
                result = search_places(replace(query or PlaceQuery(), lat=lat, lon=lon, radius_km=wider))
            ids = result.ids[:k]
            return SearchResult(count=len(ids), ids=ids, distances={i: result.distances[i] for i in ids})
        radius = min(radius * 3, MAX_RADIUS_KM)
