"""Geodesy on the sphere: great-circle distances and a spatial index.

Pure numpy/scipy (no Django import): the coverage engine, the registry and the benchmarks share it.
Coordinates are WGS84 decimal degrees; distances are great-circle kilometres on a sphere of the
mean Earth radius (IUGG), which is within 0.5 % of the ellipsoidal distance.
"""

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088

# Bounding boxes of the territories Relais covers: metropolitan France (with Corsica) and the five DROM.
FRANCE_BOXES = {
    "France métropolitaine": (41.2, 51.2, -5.3, 9.7),
    "Guadeloupe": (15.8, 16.6, -61.9, -60.9),
    "Martinique": (14.3, 14.95, -61.3, -60.75),
    "Guyane": (2.0, 5.9, -54.7, -51.5),
    "La Réunion": (-21.45, -20.85, 55.2, 55.9),
    "Mayotte": (-13.1, -12.6, 44.95, 45.35),
}


def is_in_france(lat, lon):
    """True when the point lies in metropolitan France or one of the five DROM (bounding boxes)."""
    return any(s <= lat <= n and w <= lon <= e for s, n, w, e in FRANCE_BOXES.values())


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; accepts scalars or broadcastable numpy arrays of degrees."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat, lon):
    """(n, 3) array of points on the unit sphere."""
    lat = np.radians(np.asarray(lat, dtype=float))
    lon = np.radians(np.asarray(lon, dtype=float))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def km_to_chord(km):
    """Chord length on the unit sphere for an arc of `km` (monotonic, so usable as a KD-tree radius)."""
    angle = np.minimum(np.asarray(km, dtype=float) / EARTH_RADIUS_KM, np.pi)
    return 2 * np.sin(angle / 2)


def chord_to_km(chord):
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype=float) / 2, 0.0, 1.0))


def bounding_box(lat, lon, radius_km):
    """(south, north, west, east) degrees enclosing every point within `radius_km` of (lat, lon)."""
    dlat = np.degrees(radius_km / EARTH_RADIUS_KM)
    south, north = lat - dlat, lat + dlat
    if north >= 90 or south <= -90:
        return max(south, -90.0), min(north, 90.0), -180.0, 180.0
    # Widest longitude span is reached at the latitude of the box edge nearest to a pole.
    dlon = np.degrees(np.arcsin(min(1.0, np.sin(radius_km / EARTH_RADIUS_KM) / np.cos(np.radians(lat)))))
    return float(south), float(north), float(lon - dlon), float(lon + dlon)


@dataclass(frozen=True)
class Neighbour:
    index: int
    distance_km: float


class SphereIndex:
    """KD-tree on unit-sphere vectors: "within R km" and "nearest k" in great-circle distance.

    The chord between two unit vectors is a monotonic function of the arc, so Euclidean queries on
    the vectors give exact great-circle answers once radii and distances are converted.
    """

    def __init__(self, lat, lon):
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        if self.lat.shape != self.lon.shape or self.lat.ndim != 1:
            raise ValueError("lat and lon must be 1-D arrays of the same length")
        self._tree = cKDTree(unit_vectors(self.lat, self.lon)) if len(self.lat) else None

    def __len__(self):
        return len(self.lat)

    def within(self, lat, lon, radius_km):
        """Indices and distances (km) of the points within `radius_km`, nearest first."""
        if self._tree is None:
            return np.empty(0, dtype=int), np.empty(0)
        idx = np.asarray(self._tree.query_ball_point(unit_vectors([lat], [lon])[0], km_to_chord(radius_km)))
        idx = idx.astype(int)
        dist = haversine_km(lat, lon, self.lat[idx], self.lon[idx])
        keep = dist <= radius_km
        idx, dist = idx[keep], dist[keep]
        order = np.argsort(dist, kind="stable")
        return idx[order], dist[order]

    def nearest_distances(self, lat, lon, max_km=np.inf):
        """For each of many points (arrays of degrees), the distance (km) to its nearest indexed point.

        Points farther than `max_km` from every indexed point get `inf` (the KD-tree stops early for them).
        """
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        out = np.full(len(lat), np.inf)
        if self._tree is None or not len(lat):
            return out
        # A hair more than the radius: the exact great-circle distance below decides.
        bound = float(km_to_chord(max_km)) * (1 + 1e-9) + 1e-12 if np.isfinite(max_km) else np.inf
        chord, idx = self._tree.query(unit_vectors(lat, lon), k=1, distance_upper_bound=bound)
        found = np.flatnonzero(np.isfinite(chord))
        out[found] = haversine_km(lat[found], lon[found], self.lat[idx[found]], self.lon[idx[found]])
        out[out > max_km] = np.inf
        return out

    def nearest(self, lat, lon, k=1):
        """Indices and distances (km) of the `k` nearest points, nearest first."""
        if self._tree is None or k <= 0:
            return np.empty(0, dtype=int), np.empty(0)
        k = min(k, len(self))
        _, idx = self._tree.query(unit_vectors([lat], [lon])[0], k=k)
        idx = np.atleast_1d(idx).astype(int)
        dist = haversine_km(lat, lon, self.lat[idx], self.lon[idx])
        order = np.argsort(dist, kind="stable")
        return idx[order], dist[order]
