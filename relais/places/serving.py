"""Which places serve a territory (commune, département or région).

A place serves a territory when it lies in it, or when it lies within R km of it: of the commune's centre
(Commune.latitude/longitude), or of any commune of a département or région (the minimum over its
communes). Closed places never serve. R defaults to settings.TERRITORY_SERVING_RADIUS_KM.

No HTTP here: the territory pages and the embeddable widget share it. Everything is computed on the
in-memory registry index (index.py): a page of places is read from its entries, with no
per-place SQL query.
"""

import math
import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.territory.geo import EARTH_RADIUS_KM, SphereIndex, haversine_km
from relais.territory.models import Commune
from relais.territory.services import commune_index

from .index import place_index
from .models import Service, Typology

COMMUNE = "commune"
DEPARTMENT = "departement"
REGION = "region"
KIND_LABELS = {COMMUNE: "commune", DEPARTMENT: "département", REGION: "région"}
MAX_RADIUS_KM = 50


def default_radius_km():
    return float(settings.TERRITORY_SERVING_RADIUS_KM)


def parse_radius(text):
    """The radius asked for (`?rayon=`, in km, "7,5" accepted); the default when absent or empty.

    Raises DomainError with a French message unless it is a number between 0 and MAX_RADIUS_KM.
    """
    raw = "" if text is None else str(text).strip()
    if not raw:
        return default_radius_km()
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= MAX_RADIUS_KM):
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise DomainError(
            _("le rayon doit être un nombre de kilomètres compris entre 0 et %(max)s (reçu : « %(value)s »).")
            % {"max": MAX_RADIUS_KM, "value": shown},
            field="rayon",
        )
    return value


@dataclass(frozen=True)
class Territory:
    """A commune, a département or a région, with what the pages show of it."""

    kind: str  # COMMUNE, DEPARTMENT or REGION
    code: str
    name: str
    population: int
    obj: object = field(compare=False, repr=False)  # the Commune, Department or Region

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def coverage_territory(self):
        """The `territory` parameter of the coverage page: the commune's département for a commune."""
        if self.kind == REGION:
            return f"reg:{self.code}"
        if self.kind == DEPARTMENT:
            return f"dep:{self.code}"
        return f"dep:{self.obj.department_id}"


def commune_territory(commune):
    return Territory(COMMUNE, commune.code_insee, commune.name, commune.population, commune)


def department_territory(department):
    return Territory(DEPARTMENT, department.code, department.name, department.population, department)


def region_territory(region):
    return Territory(REGION, region.code, region.name, region.population, region)


@dataclass(frozen=True)
class ServingPlace:
    """One line of a list: the index entry, its distance (km) from the territory when it lies outside
    (from the commune's centre for a commune, when the place has a position), and whether it lies in it."""

    entry: object
    distance_km: float | None
    inside: bool


@dataclass
class Serving:
    territory: Territory
    radius_km: float
    index: object  # the PlaceIndex the positions refer to
    inside: np.ndarray  # positions in the index of the open places located in the territory, by name
    inside_km: np.ndarray  # for a commune: distance from its centre (nan when unknown); else nan
    nearby: np.ndarray  # positions of the places outside the territory within radius_km, nearest first
    nearby_km: np.ndarray
    communes: list = field(default_factory=list, repr=False)  # département: (code, name, epci) by name

    @property
    def inside_count(self):
        return len(self.inside)

    @property
    def nearby_count(self):
        return len(self.nearby)

    @property
    def count(self):
        return self.inside_count + self.nearby_count

    def places(self, start=0, stop=None):
        """ServingPlace items in list order (in the territory by name, then nearby, nearest first)."""
        stop = self.count if stop is None else min(stop, self.count)
        return [self._item(k) for k in range(max(start, 0), stop)]

    def _item(self, k):
        if k < self.inside_count:
            position, inside, km = int(self.inside[k]), True, float(self.inside_km[k])
        else:
            j = k - self.inside_count
            position, inside, km = int(self.nearby[j]), False, float(self.nearby_km[j])
        return ServingPlace(self.index.entry(position), None if math.isnan(km) else km, inside)

    def nearest(self, n):
        """The `n` places nearest to a commune's centre, in the commune or not (a place of the commune
        without a position comes first: it is in the commune, its distance is unknown)."""
        distances = np.concatenate([np.nan_to_num(self.inside_km, nan=0.0), self.nearby_km])
        order = np.argsort(distances, kind="stable")[: max(n, 0)]
        return [self._item(k) for k in order.tolist()]

    def _vocabulary_counts(self, kind, terms, keep_empty):
        members = self.index.members[kind]
        rows = []
        for code, name in terms:
            mask = members.get(code)
            inside = int(mask[self.inside].sum()) if mask is not None else 0
            nearby = int(mask[self.nearby].sum()) if mask is not None else 0
            if keep_empty or inside or nearby:
                rows.append(
                    {"code": code, "name": name, "inside": inside, "nearby": nearby, "total": inside + nearby}
                )
        return rows

    def typology_counts(self):
        """Tiers-lieux typologies (all of them, zeros included: gaps matter) with the counts of places in
        the territory and nearby."""
        terms = Typology.objects.filter(is_tiers_lieu=True).values_list("code", "name")
        return self._vocabulary_counts("typologies", terms, keep_empty=True)

    def service_counts(self):
        """Services offered by at least one serving place, most offered first."""
        rows = self._vocabulary_counts(
            "services", Service.objects.values_list("code", "name"), keep_empty=False
        )
        return sorted(rows, key=lambda r: -r["total"])

    def inside_counts_by(self, level):
        """{code: number of places in the territory} by "commune", "department" or "region"."""
        return dict(Counter(getattr(self.index, level)[self.inside].tolist()))


def _territory_communes(territory):
    """(code, name, epci) of the communes of a département or région, by name."""
    qs = Commune.objects.all()
    if territory.kind == DEPARTMENT:
        qs = qs.filter(department_id=territory.code)
    else:
        qs = qs.filter(region_id=territory.code)
    return list(qs.order_by("name", "code_insee").values_list("code_insee", "name", "epci_id"))


# Spatial index of the communes of each département and région: reference data, built once per territory
# and dropped when the reference geography is reloaded (a new commune_index() object).
_spheres_lock = threading.Lock()
_spheres = {}
_spheres_of = None


def territory_sphere(territory):
    """A SphereIndex of the reference points of the communes of a département or région (None if none)."""
    global _spheres_of
    generation = commune_index()
    key = (territory.kind, territory.code)
    with _spheres_lock:
        if _spheres_of is not generation:
            _spheres.clear()
            _spheres_of = generation
        if key in _spheres:
            return _spheres[key]
    qs = Commune.objects.with_coordinates()
    if territory.kind == DEPARTMENT:
        qs = qs.filter(department_id=territory.code)
    else:
        qs = qs.filter(region_id=territory.code)
    rows = list(qs.values_list("latitude", "longitude"))
    sphere = SphereIndex([r[0] for r in rows], [r[1] for r in rows]) if rows else None
    with _spheres_lock:
        if _spheres_of is generation:
            _spheres[key] = sphere
    return sphere


def _outside_within(index, keep, member, sphere, radius_km):
    """Positions and distances of the kept places outside the territory (`member` false) within `radius_km`
    of any point of `sphere`: a bounding box first, then the nearest point of each candidate by KD-tree."""
    positioned = index.positioned
    plat, plon = index.spatial.lat, index.spatial.lon
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    south, north = float(sphere.lat.min()) - dlat, float(sphere.lat.max()) + dlat
    widest = min(89.0, max(abs(south), abs(north)))
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(widest))))
    west, east = float(sphere.lon.min()) - dlon, float(sphere.lon.max()) + dlon
    j = np.flatnonzero((plat >= south) & (plat <= north) & (plon >= west) & (plon <= east))
    j = j[keep[positioned[j]] & ~member[positioned[j]]]
    distances = sphere.nearest_distances(plat[j], plon[j], radius_km)
    found = np.isfinite(distances)
    j, distances = j[found], distances[found]
    order = np.argsort(distances, kind="stable")  # ties keep the index order (by name)
    return positioned[j[order]], distances[order]


def places_serving(territory, radius_km=None, typology=""):
    """The open places serving `territory` (a Territory) within `radius_km` (default: the setting),
    optionally of one typology code."""
    radius_km = default_radius_km() if radius_km is None else float(radius_km)
    if not (0 <= radius_km <= MAX_RADIUS_KM):
        raise DomainError(
            _("le rayon doit être compris entre 0 et %(max)s km (reçu : %(value)s).")
            % {"max": MAX_RADIUS_KM, "value": radius_km},
            field="rayon",
        )
    index = place_index()
    n = len(index)
    keep = ~index.closed if n else np.zeros(0, dtype=bool)
    if typology:
        mask = index.members["typologies"].get(typology)
        keep = keep & mask if mask is not None else np.zeros(n, dtype=bool)
    empty = np.empty(0, dtype=int), np.empty(0)
    communes = []

    if territory.kind == COMMUNE:
        commune = territory.obj
        inside = np.flatnonzero(keep & (index.commune == territory.code)) if n else np.empty(0, dtype=int)
        inside_km = np.full(len(inside), np.nan)
        if commune.latitude is not None and commune.longitude is not None:
            # Positions of the places of the commune among the positioned ones (sorted arrays).
            slot = np.searchsorted(index.positioned, inside)
            slot = np.minimum(slot, max(len(index.positioned) - 1, 0))
            known = (index.positioned[slot] == inside) if len(index.positioned) else np.zeros(0, dtype=bool)
            if known.any():
                inside_km[known] = haversine_km(
                    commune.latitude,
                    commune.longitude,
                    index.spatial.lat[slot[known]],
                    index.spatial.lon[slot[known]],
                )
            nearby, nearby_km = empty
            if radius_km > 0 and n:
                idx, dist = index.within(commune.latitude, commune.longitude, radius_km)
                selected = keep[idx] & (index.commune[idx] != territory.code)
                nearby, nearby_km = idx[selected], dist[selected]
        else:
            nearby, nearby_km = empty
    else:
        values = index.department if territory.kind == DEPARTMENT else index.region
        member = values == territory.code if n else np.zeros(0, dtype=bool)
        inside = np.flatnonzero(keep & member)
        inside_km = np.full(len(inside), np.nan)
        if territory.kind == DEPARTMENT:
            communes = _territory_communes(territory)
        nearby, nearby_km = empty
        sphere = territory_sphere(territory) if radius_km > 0 and n else None
        if sphere is not None:
            nearby, nearby_km = _outside_within(index, keep, member, sphere, radius_km)

    return Serving(
        territory=territory,
        radius_km=radius_km,
        index=index,
        inside=inside,
        inside_km=inside_km,
        nearby=np.asarray(nearby, dtype=int),
        nearby_km=np.asarray(nearby_km, dtype=float),
        communes=communes,
    )
