"""An in-memory index of the registry: what a search needs to filter, sort and list places without
touching the database, rebuilt when the registry version changes.

At national scale (tens of thousands of places) a search near a point with filters and "open now" takes
a few milliseconds here, where the same query through the ORM spends most of its time building rows and
objects. The index holds per place: position (a KD-tree on unit-sphere vectors), status, commune,
département, région, accessibility, vocabulary codes, opening hours (as ids of distinct expressions), the
folded search text and the fields of a list entry.
"""

import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection

from relais.core import uploads
from relais.territory.geo import SphereIndex

from .models import Accessibility, Place, PlaceStatus, RegistryVersion

VOCABULARIES = ("typologies", "services", "labels", "publics")
LIST_FIELDS = (
    "id",
    "name",
    "status",
    "latitude",
    "longitude",
    "location_approximate",
    "commune_id",
    "commune__name",
    "commune__department_id",
    "commune__region_id",
    "postal_code",
    "address",
    "opening_hours",
    "wheelchair",
    "fees",
    "search_text",
    "logo",
)


@dataclass(frozen=True)
class Entry:
    """What a list of places shows of one place."""

    id: object
    name: str
    status: str
    latitude: float | None
    longitude: float | None
    location_approximate: bool
    commune_code: str
    commune_name: str
    department: str
    region: str
    postal_code: str
    address: str
    opening_hours: str
    wheelchair: str
    typologies: tuple
    services: tuple
    labels: tuple
    logo: str = ""  # the stored name of the place's logo (relais.core.uploads), "" without one

    @property
    def logo_url(self):
        return uploads.url_of(self.logo)

    @classmethod
    def from_place(cls, place):
        """The entry of a place object (with its commune and vocabularies loaded)."""
        return cls(
            id=place.id,
            name=place.name,
            status=place.status,
            latitude=place.latitude,
            longitude=place.longitude,
            location_approximate=place.location_approximate,
            commune_code=place.commune_id,
            commune_name=place.commune.name,
            department=place.commune.department_id,
            region=place.commune.region_id,
            postal_code=place.postal_code,
            address=place.address,
            opening_hours=place.opening_hours,
            wheelchair=place.wheelchair,
            typologies=tuple(t.code for t in place.typologies.all()),
            services=tuple(s.code for s in place.services.all()),
            labels=tuple(t.code for t in place.labels.all()),
            logo=place.logo.name or "",
        )


class PlaceIndex:
    def __init__(self, token):
        self.token = token
        rows = list(Place.objects.order_by("name", "id").values_list(*LIST_FIELDS))
        n = len(rows)
        self.position = {}
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(LIST_FIELDS)
        col = dict(zip(LIST_FIELDS, columns, strict=True))
        for i, pk in enumerate(col["id"]):
            self.position[pk] = i
        self.ids = list(col["id"])
        self.status = np.array(col["status"], dtype=object) if n else np.empty(0, dtype=object)
        self.closed = self.status == PlaceStatus.CLOSED if n else np.zeros(0, dtype=bool)
        self.commune = np.array(col["commune_id"], dtype=object)
        self.department = np.array(col["commune__department_id"], dtype=object)
        self.region = np.array(col["commune__region_id"], dtype=object)
        self.accessible = np.array([w == Accessibility.YES for w in col["wheelchair"]], dtype=bool)
        self.free = np.array([bool(f) and "GRATUIT" in f for f in col["fees"]], dtype=bool)
        self.search_text = list(col["search_text"])

        # Opening hours: distinct expressions, each place pointing at one (-1: none).
        self.hours_expressions = sorted({h for h in col["opening_hours"] if h})
        hours_id = {h: i for i, h in enumerate(self.hours_expressions)}
        self.hours = np.array([hours_id.get(h, -1) for h in col["opening_hours"]], dtype=np.int32)

        lat = np.array([np.nan if v is None else v for v in col["latitude"]], dtype=float)
        lon = np.array([np.nan if v is None else v for v in col["longitude"]], dtype=float)
        self.latitudes, self.longitudes = lat, lon
        self.names = list(col["name"])
        self.approximate = np.array(col["location_approximate"], dtype=bool)
        self.positioned = np.flatnonzero(~np.isnan(lat))
        self.spatial = SphereIndex(lat[self.positioned], lon[self.positioned])

        # Vocabulary memberships: code → boolean mask, and codes of each place for list entries. The link
        # tables are read with a plain cursor: converting ~150,000 raw ids to UUID objects would cost more
        # than everything else here.
        if connection.vendor == "sqlite":  # SQLite stores UUIDs as 32 hex digits
            raw_position = {pk.hex: i for pk, i in self.position.items()}
        else:
            raw_position = self.position
        self.members = {}
        codes_of = {kind: [[] for _ in range(n)] for kind in VOCABULARIES}
        for kind in VOCABULARIES:
            field = Place._meta.get_field(kind)
            through = field.remote_field.through
            terms = list(field.related_model.objects.values_list("pk", "code", "position", "name"))
            code_of = {pk: code for pk, code, _, _ in terms}
            rank = {pk: (position, name) for pk, _, position, name in terms}
            place_column = through._meta.get_field(field.m2m_field_name()).column
            term_column = through._meta.get_field(field.m2m_reverse_field_name()).column
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {place_column}, {term_column} FROM {through._meta.db_table}")
                pairs = sorted(cursor.fetchall(), key=lambda pair: rank[pair[1]])
            term_places = {}
            for raw_place, term_id in pairs:
                i = raw_position.get(raw_place)
                if i is not None:
                    term_places.setdefault(term_id, []).append(i)
                    codes_of[kind][i].append(code_of[term_id])
            masks = {}
            for term_id, places in term_places.items():
                mask = np.zeros(n, dtype=bool)
                mask[places] = True
                masks[code_of[term_id]] = mask
            self.members[kind] = masks

        # List entries are built on demand (a page at a time), from the columns kept here.
        self._columns = col
        self._codes_of = codes_of

    def __len__(self):
        return len(self.ids)

    def entry(self, i):
        col, codes_of = self._columns, self._codes_of
        return Entry(
            id=col["id"][i],
            name=col["name"][i],
            status=col["status"][i],
            latitude=col["latitude"][i],
            longitude=col["longitude"][i],
            location_approximate=col["location_approximate"][i],
            commune_code=col["commune_id"][i],
            commune_name=col["commune__name"][i],
            department=col["commune__department_id"][i],
            region=col["commune__region_id"][i],
            postal_code=col["postal_code"][i],
            address=col["address"][i],
            opening_hours=col["opening_hours"][i],
            wheelchair=col["wheelchair"][i],
            typologies=tuple(codes_of["typologies"][i]),
            services=tuple(codes_of["services"][i]),
            labels=tuple(codes_of["labels"][i]),
            logo=col["logo"][i] or "",
        )

    def mask(self, query):
        """Boolean mask of the places matching every filter of `query` except position, text and hours."""
        n = len(self.ids)
        keep = np.ones(n, dtype=bool) if query.include_closed else ~self.closed
        for kind, code in (
            ("typologies", query.typology),
            ("services", query.service),
            ("labels", query.label),
            ("publics", query.public),
        ):
            if code:
                member = self.members[kind].get(code)
                if member is None:
                    return np.zeros(n, dtype=bool)
                keep &= member
        for values, wanted in (
            (self.commune, query.commune),
            (self.department, query.department),
            (self.region, query.region),
        ):
            if wanted:
                keep &= values == wanted
        if query.accessible:
            keep &= self.accessible
        if query.free:
            keep &= self.free
        return keep

    def within(self, lat, lon, radius_km):
        """Indices (into the registry) and distances of the positioned places within `radius_km`, nearest
        first."""
        idx, dist = self.spatial.within(lat, lon, radius_km)
        return self.positioned[idx], dist

    def matches_text(self, i, words):
        text = self.search_text[i]
        return all(word in text for word in words)


_lock = threading.Lock()
_index = None


def place_index():
    """The process-wide index, rebuilt when the registry version is not the one it was built from."""
    global _index
    token = RegistryVersion.current()
    current = _index
    if current is not None and current.token == token:
        return current
    with _lock:
        if _index is None or _index.token != token:
            _index = PlaceIndex(token)
        return _index


def reset():
    global _index
    with _lock:
        _index = None
