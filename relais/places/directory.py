"""The public directory: "a place and a service near me".

Turns what a citizen typed — *what* (a service, a kind of place or words of a name) and *where* (a
commune, a postal code, a département or région, or their own position) plus filters — into a search of
the registry, with the answers people need when it goes wrong: which of the communes sharing a postal
code, "did you mean" for a misspelt commune, the nearest places anyway when none is close enough.

Plain functions without HTTP: the results page, its JSON for the map and the API call the same code.
Reading the *where* is in where.py (its names are re-exported here: `directory.resolve_where`,
`directory.WhereAnswer`).
"""

import datetime
import math
import uuid
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from relais.core.text import normalize_name
from relais.territory import timezones
from relais.territory.geo import is_in_france

from . import search
from .hours import STATE_NOT_STATED, STATE_OPEN, state_at
from .index import place_index
from .models import Label, Public, Service, Typology
from .result_notes import distance_text, holiday_note, left_out_on_holiday
from .where import Where, WhereAnswer, area_names, resolve_where  # noqa: F401 (re-exported)

DEFAULT_RADIUS_KM = 10
RADIUS_CHOICES = (2, 5, 10, 20, 50, 100)
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 100
# Beyond this many results the map receives grid clusters computed here instead of every point.
MAP_MAX_POINTS = 12_000
MAP_CELL_DEGREES = 0.1
# Reference data and vocabularies change about never (loads, data migrations, the admin): cached a minute.
VOCABULARY_CACHE_SECONDS = 60
# A position sent by the browser is rounded to about 100 m before it goes anywhere (URL, logs).
POSITION_DECIMALS = 3

PARAMETERS = (
    "q",
    "where",
    "commune",
    "lat",
    "lon",
    "radius",
    "open_now",
    "open_on",
    "include_unstated_holidays",
    "accessible",
    "free",
    "typology",
    "service",
    "label",
    "public",
)


@dataclass
class Params:
    """A directory search as the URL carries it (every value is in the URL, so it can be shared)."""

    q: str = ""
    where: str = ""
    commune: str = ""
    lat: float | None = None
    lon: float | None = None
    radius: int = DEFAULT_RADIUS_KM
    open_now: bool = False
    open_on: datetime.date | None = None
    include_unstated_holidays: bool = False  # keep places whose hours say nothing of that public holiday
    accessible: bool = False
    free: bool = False
    typology: str = ""
    service: str = ""
    label: str = ""
    public: str = ""
    page: int = 1

    def as_query_dict(self, **changes):
        """The URL parameters of this search (empty ones left out), with `changes` applied."""
        values = {**self.__dict__, **changes}
        out = {}
        for name in (*PARAMETERS, "page"):
            value = values.get(name)
            if value in (None, "", False) or (name == "page" and value == 1):
                continue
            if name == "radius" and value == DEFAULT_RADIUS_KM:
                continue
            if value is True:
                value = "1"
            out[name] = str(value)
        return out

    def url_query(self, **changes):
        return urlencode(self.as_query_dict(**changes))

    @property
    def has_filters(self):
        return any(
            (
                self.open_now,
                self.open_on,
                self.include_unstated_holidays,
                self.accessible,
                self.free,
                self.label,
                self.public,
                self.service,
            )
        )


def _flag(value):
    return str(value).strip().lower() in ("1", "on", "true", "oui")


def parse_params(data):
    """Params from a query dict, and {field: French message} for the values that could not be read.

    An unreadable value is reported and ignored: the rest of the search still runs.
    """
    errors = {}
    params = Params()

    def text(name, limit=MAX_QUERY_LENGTH):
        return " ".join(str(data.get(name, "")).split())[:limit]

    params.q = text("q")
    params.where = text("where")
    params.commune = text("commune", 5).upper()
    for name in ("typology", "service", "label", "public"):
        setattr(params, name, text(name, 40))
    for name in ("open_now", "include_unstated_holidays", "accessible", "free"):
        setattr(params, name, _flag(data.get(name, "")))

    lat, lon = text("lat", 20), text("lon", 20)
    if lat or lon:
        try:
            lat_f, lon_f = float(lat.replace(",", ".")), float(lon.replace(",", "."))
            if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
                raise ValueError
        except ValueError:
            errors["where"] = _("La position reçue (lat=%(lat)s, lon=%(lon)s) n'est pas lisible.") % {
                "lat": lat,
                "lon": lon,
            }
        else:
            if is_in_france(lat_f, lon_f):
                params.lat = round(lat_f, POSITION_DECIMALS)
                params.lon = round(lon_f, POSITION_DECIMALS)
            else:
                errors["where"] = _(
                    "Votre position (%(lat).3f, %(lon).3f) est hors de France : indiquez une commune."
                ) % {"lat": lat_f, "lon": lon_f}

    radius = text("radius", 5)
    if radius:
        try:
            value = int(radius)
        except ValueError:
            value = None
        if value not in RADIUS_CHOICES:
            errors["radius"] = _("Distance « %(value)s » non proposée : choisissez %(choices)s km.") % {
                "value": radius,
                "choices": ", ".join(str(c) for c in RADIUS_CHOICES),
            }
        else:
            params.radius = value

    open_on = text("open_on", 10)
    if open_on:
        try:
            params.open_on = datetime.date.fromisoformat(open_on)
        except ValueError:
            errors["open_on"] = _(
                "Date « %(value)s » illisible : attendu AAAA-MM-JJ (par exemple %(example)s)."
            ) % {
                "value": open_on,
                "example": datetime.date.today().isoformat(),
            }

    page = text("page", 6)
    if page:
        params.page = int(page) if page.isdigit() and int(page) >= 1 else 1
    return params, errors


# --- Where: see where.py ------------------------------------------------------------------------------


# --- What --------------------------------------------------------------------------------------------


def vocabulary_names():
    """{kind: {code: name}} for the vocabularies the directory filters on, in their display order (read on
    every search: cached)."""

    def load():
        return {
            "typology": dict(Typology.objects.values_list("code", "name")),
            "service": dict(Service.objects.values_list("code", "name")),
            "label": dict(Label.objects.values_list("code", "name")),
            "public": dict(Public.objects.values_list("code", "name")),
        }

    return cache.get_or_set("directory:vocabularies", load, VOCABULARY_CACHE_SECONDS)


def tiers_lieu_typologies():
    return cache.get_or_set(
        "directory:tiers-lieux",
        lambda: set(Typology.objects.filter(is_tiers_lieu=True).values_list("code", flat=True)),
        VOCABULARY_CACHE_SECONDS,
    )


def what_suggestions(vocabularies):
    """What the "what" field suggests as you type: kinds of place and services, by name."""
    names = {*vocabularies["typology"].values(), *vocabularies["service"].values()}
    key = "directory:what:" + str(hash(frozenset(names)))
    return cache.get_or_set(key, lambda: sorted(names, key=normalize_name), VOCABULARY_CACHE_SECONDS)


def resolve_what(text, vocabularies):
    """(kind, code) when `text` names a kind of place or a service, else None (words of a name)."""
    needle = normalize_name(text)
    if not needle:
        return None
    for kind in ("typology", "service"):
        for code, name in vocabularies[kind].items():
            if normalize_name(name) == needle or code.lower() == text.lower():
                return kind, code
    return None


PLACEHOLDER_ID = uuid.UUID(int=0)

# --- Search ------------------------------------------------------------------------------------------


@dataclass
class Item:
    """One result as the list and the map show it."""

    entry: object  # places.index.Entry
    url: str
    distance_km: float | None
    open_now: bool | None  # None also on a public holiday the hours do not mention (see `holiday_note`)
    typology_names: list
    distance_text: str = ""  # « à 1,2 km », or what an approximate position allows to say
    holiday_note: str = ""  # « … jour férié : horaires des jours fériés non précisés »


@dataclass
class Outcome:
    params: Params
    errors: dict
    where: WhereAnswer
    what: tuple | None
    query: search.PlaceQuery | None
    count: int = 0
    items: list = field(default_factory=list)
    page: int = 1
    pages: int = 0
    nearest: list = field(default_factory=list)  # when nothing matches near the point: the nearest anyway
    wider_radii: list = field(default_factory=list)
    left_out_holiday: str = ""  # how many places an "open" filter left out on a holiday (hours silent)
    result: search.SearchResult | None = None

    @property
    def searched(self):
        return self.query is not None

    @property
    def first_rank(self):
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def sorted_by_distance(self):
        """Only a search around a point (a commune's centre, the user's position) is sorted by distance."""
        where = self.where.where
        return where is not None and where.is_point

    @property
    def order_text(self):
        """How the list is sorted, truthfully for every kind of search (see `search.search_places`)."""
        if not self.sorted_by_distance:
            return _("Lieux classés par ordre alphabétique du nom.")
        where = self.where.where
        if where.kind == "position":
            text = _("Les plus proches d'abord : distances à vol d'oiseau depuis votre position.")
        elif where.kind == "arrondissement":
            text = _(
                "Les plus proches d'abord : distances à vol d'oiseau depuis le centre de l'arrondissement, "
                "%(where)s."
            ) % {"where": where.label}
        else:
            text = _(
                "Les plus proches d'abord : distances à vol d'oiseau depuis le centre de la commune, "
                "%(where)s."
            ) % {"where": where.label}
        if any(item.entry.location_approximate for item in self.items):
            text += " " + _(
                "Un lieu dont la position est approximative (centre de sa commune) est classé comme s'il "
                "était %(km)s km plus loin."
            ) % {"km": formats.number_format(search.APPROXIMATE_PENALTY_KM, 0)}
        return text


def build_query(params, where, what):
    query = search.PlaceQuery(
        typology=params.typology,
        service=params.service,
        label=params.label,
        public=params.public,
        open_now=params.open_now,
        open_on=params.open_on,
        include_unstated_holidays=params.include_unstated_holidays,
        accessible=params.accessible,
        free=params.free,
    )
    if what is not None:
        kind, code = what
        query = replace(query, **{kind: code})
    elif params.q:
        query = replace(query, q=params.q)
    if where is not None:
        if where.is_point:
            query = replace(query, lat=where.lat, lon=where.lon, radius_km=float(params.radius))
        elif where.kind == "commune":
            query = replace(query, commune=where.code)
        elif where.kind == "department":
            query = replace(query, department=where.code)
        elif where.kind == "region":
            query = replace(query, region=where.code)
    return query


def _items(result, ids, index, vocabularies, at, params=None, where=None):
    items = []
    url_pattern = reverse("places:detail", args=[PLACEHOLDER_ID])
    open_on = params.open_on if params is not None else None
    searched_commune = where.code if where is not None and where.kind == "commune" else None
    for pk in ids:
        entry = index.entry(index.position[pk])
        distance = result.distances.get(pk) if result is not None else None
        now_state = state_at(entry.opening_hours, entry.department, at)
        items.append(
            Item(
                entry=entry,
                url=url_pattern.replace(str(PLACEHOLDER_ID), str(pk)),
                distance_km=distance,
                open_now=None if now_state in (None, STATE_NOT_STATED) else now_state == STATE_OPEN,
                typology_names=[vocabularies["typology"].get(c, c) for c in entry.typologies],
                distance_text=distance_text(
                    distance, entry.location_approximate, entry.commune_code == searched_commune
                ),
                holiday_note=holiday_note(entry, at, open_on),
            )
        )
    return items


def run(params, errors=None, *, at=None, vocabularies=None):
    """The directory search for `params`: the page of results, or what to ask the user."""
    errors = dict(errors or {})
    vocabularies = vocabularies or vocabulary_names()
    answer = resolve_where(params)
    outcome = Outcome(params=params, errors=errors, where=answer, what=None, query=None)
    if answer.message and not answer.choices:
        errors.setdefault("where", answer.message)
    if answer.choices or "where" in errors:
        return outcome
    what = resolve_what(params.q, vocabularies) if params.q else None
    outcome.what = what
    query = build_query(params, answer.where, what)
    query.at = at
    result = search.search_places(query)
    index = result.index
    at = timezones.paris_time(at)
    outcome.query, outcome.result, outcome.count = query, result, result.count
    outcome.pages = max(1, math.ceil(result.count / PAGE_SIZE))
    outcome.page = min(params.page, outcome.pages)
    start = (outcome.page - 1) * PAGE_SIZE
    where = answer.where
    outcome.items = _items(
        result, result.ids[start : start + PAGE_SIZE], index, vocabularies, at, params, where
    )
    outcome.left_out_holiday = left_out_on_holiday(query, result, at)
    if result.count == 0 and where is not None and where.is_point:
        outcome.wider_radii = [r for r in RADIUS_CHOICES if r > params.radius]
        nearest = search.nearest_places(where.lat, where.lon, k=5, query=replace(query, radius_km=None))
        outcome.nearest = _items(nearest, nearest.ids, place_index(), vocabularies, at, params, where)
    return outcome


def map_payload(outcome):
    """What the map draws: every result (not only the page), compact; grid clusters beyond MAP_MAX_POINTS.

    points: [latitude, longitude, id (32 hex digits), name, approximate (0/1)]; clusters: [latitude,
    longitude, count] at the mean position of the places of each grid cell.
    """
    payload = {"count": outcome.count, "points": [], "clusters": []}
    where = outcome.where.where
    if where is not None and where.is_point:
        payload["centre"] = [where.lat, where.lon, outcome.params.radius]
    if outcome.result is None:
        return payload
    index = outcome.result.index
    positions = [index.position[pk] for pk in outcome.result.ids]
    located = [i for i in positions if index.latitudes[i] == index.latitudes[i]]  # not NaN
    if len(located) <= MAP_MAX_POINTS:
        payload["points"] = [
            [
                round(float(index.latitudes[i]), 5),
                round(float(index.longitudes[i]), 5),
                index.ids[i].hex,
                index.names[i],
                int(index.approximate[i]),
            ]
            for i in located
        ]
        return payload
    cells = {}
    for i in located:
        lat, lon = float(index.latitudes[i]), float(index.longitudes[i])
        key = (math.floor(lat / MAP_CELL_DEGREES), math.floor(lon / MAP_CELL_DEGREES))
        cell = cells.setdefault(key, [0.0, 0.0, 0])
        cell[0] += lat
        cell[1] += lon
        cell[2] += 1
    payload["clusters"] = [
        [round(s_lat / n, 4), round(s_lon / n, 4), n] for s_lat, s_lon, n in cells.values()
    ]
    return payload
