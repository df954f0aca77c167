"""Geodesy on the sphere (pure numpy, no database): distances, bounding boxes, the spatial index."""

import csv
import gzip
import math

import numpy as np
import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relais.territory.geo import (
    EARTH_RADIUS_KM,
    SphereIndex,
    bounding_box,
    chord_to_km,
    haversine_km,
    is_in_france,
    km_to_chord,
)

# Deterministic, no example database on disk, no deadline (tests do not depend on timings).
PROPERTIES = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PARIS = (48.85659, 2.34292)
MARSEILLE = (43.2976, 5.36943)
LYON = (45.76769, 4.83537)
NEW_YORK = (40.7128, -74.0060)

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False, exclude_max=True)
points = st.tuples(latitudes, longitudes)


def destination(lat, lon, bearing_deg, distance_km):
    """Points reached from (lat, lon) after `distance_km` along great circles of initial bearings (arrays)."""
    phi, lam = math.radians(lat), math.radians(lon)
    theta, delta = np.radians(bearing_deg), np.asarray(distance_km, dtype=float) / EARTH_RADIUS_KM
    sin_phi2 = np.sin(phi) * np.cos(delta) + np.cos(phi) * np.sin(delta) * np.cos(theta)
    phi2 = np.arcsin(np.clip(sin_phi2, -1.0, 1.0))
    lam2 = lam + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi), np.cos(delta) - np.sin(phi) * sin_phi2
    )
    return np.degrees(phi2), (np.degrees(lam2) + 180) % 360 - 180


BEARINGS = np.linspace(0, 360, 721)


def brute_force_distances(lats, lons, lat, lon):
    """Distance from (lat, lon) to every point, one by one."""
    return np.array([float(haversine_km(lat, lon, a, b)) for a, b in zip(lats, lons, strict=True)])


# --- haversine_km ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        (PARIS, MARSEILLE, 661),
        (PARIS, LYON, 392),
        (PARIS, NEW_YORK, 5837),
        ((0, 0), (90, 0), math.pi / 2 * EARTH_RADIUS_KM),
        ((0, 0), (0, 180), math.pi * EARTH_RADIUS_KM),
    ],
    ids=["paris-marseille", "paris-lyon", "paris-new-york", "equator-to-pole", "antipodes"],
)
def test_it_gives_known_great_circle_distances(a, b, expected_km):
    assert float(haversine_km(*a, *b)) == pytest.approx(expected_km, rel=0.002)


def test_it_measures_arrays_of_points_at_once():
    distances = haversine_km(
        PARIS[0], PARIS[1], np.array([MARSEILLE[0], LYON[0]]), np.array([MARSEILLE[1], LYON[1]])
    )
    assert distances.shape == (2,)
    assert distances[0] == pytest.approx(float(haversine_km(*PARIS, *MARSEILLE)))
    assert distances[1] == pytest.approx(float(haversine_km(*PARIS, *LYON)))


@PROPERTIES
@given(points, points, points)
def test_distance_is_a_metric_on_the_sphere(a, b, c):
    ab, ba = float(haversine_km(*a, *b)), float(haversine_km(*b, *a))
    assert ab == pytest.approx(ba, abs=1e-6)
    assert float(haversine_km(*a, *a)) == pytest.approx(0, abs=1e-6)
    assert 0 <= ab <= math.pi * EARTH_RADIUS_KM + 1e-6
    assert ab <= float(haversine_km(*a, *c)) + float(haversine_km(*c, *b)) + 1e-6


@PROPERTIES
@given(st.floats(min_value=0, max_value=math.pi * EARTH_RADIUS_KM))
def test_chord_and_arc_conversions_are_inverse(km):
    assert float(chord_to_km(km_to_chord(km))) == pytest.approx(km, abs=1e-6)


# --- bounding_box -----------------------------------------------------------------------------------


# Floating-point noise (1e-9 degree is 0.1 mm): a point on the circle may round to either side of it.
NOISE_DEG = 1e-9


def _assert_in_box(lat, lon, box):
    south, north, west, east = box
    assert south - NOISE_DEG <= lat <= north + NOISE_DEG, (lat, box)
    # A box may run past ±180°: the point is inside if one of its longitude's turns is.
    assert any(west - NOISE_DEG <= turn <= east + NOISE_DEG for turn in (lon, lon - 360, lon + 360)), (
        lon,
        box,
    )


@PROPERTIES
@given(points, st.floats(min_value=0, max_value=3000), st.floats(min_value=0, max_value=1))
def test_bounding_box_contains_every_point_within_the_radius(centre, radius_km, fraction):
    # The circle itself (every half degree of bearing, where the box is tight) and a circle inside it.
    box = bounding_box(*centre, radius_km)
    for distance in (radius_km, radius_km * fraction):
        lats, lons = destination(*centre, BEARINGS, distance)
        for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True):
            _assert_in_box(lat, lon, box)


offsets = st.floats(min_value=-40, max_value=40)


@PROPERTIES
@given(points, offsets, offsets, st.floats(min_value=0, max_value=3000))
def test_bounding_box_contains_any_point_found_within_the_radius(centre, dlat, dlon, radius_km):
    lat, lon = max(-90.0, min(90.0, centre[0] + dlat)), (centre[1] + dlon + 180) % 360 - 180
    assume(float(haversine_km(*centre, lat, lon)) <= radius_km)
    _assert_in_box(lat, lon, bounding_box(*centre, radius_km))


def test_bounding_box_is_not_needlessly_wide():
    # 10 km around Aurillac: about 0.09° of latitude and 0.127° of longitude each way.
    south, north, west, east = bounding_box(44.93032, 2.44495, 10)
    assert north - 44.93032 == pytest.approx(10 / 111.195, rel=1e-3)
    assert east - 2.44495 == pytest.approx(10 / (111.195 * math.cos(math.radians(44.93032))), rel=1e-3)
    assert 44.93032 - south == pytest.approx(north - 44.93032)
    assert 2.44495 - west == pytest.approx(east - 2.44495)


def test_bounding_box_around_a_pole_spans_every_longitude():
    south, north, west, east = bounding_box(89.5, 10, 100)
    assert (north, west, east) == (90.0, -180.0, 180.0)
    assert south == pytest.approx(89.5 - 100 / 111.195, rel=1e-3)


# --- is_in_france -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        PARIS,
        (48.39, -4.49),  # Brest
        (48.58, 7.75),  # Strasbourg
        (51.03, 2.37),  # Dunkerque
        (42.70, 2.90),  # Perpignan
        (41.93, 8.74),  # Ajaccio
        (44.93032, 2.44495),  # Aurillac
    ],
    ids=["paris", "brest", "strasbourg", "dunkerque", "perpignan", "ajaccio", "aurillac"],
)
def test_metropolitan_points_are_in_france(lat, lon):
    assert is_in_france(lat, lon)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (16.24, -61.53),  # Pointe-à-Pitre
        (14.60, -61.07),  # Fort-de-France
        (4.93, -52.33),  # Cayenne
        (-20.87897, 55.44863),  # Saint-Denis de La Réunion
        (-12.78, 45.23),  # Mamoudzou
    ],
    ids=["guadeloupe", "martinique", "guyane", "la-reunion", "mayotte"],
)
def test_overseas_departments_are_in_france(lat, lon):
    assert is_in_france(lat, lon)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (40.42, -3.70),  # Madrid
        (51.51, -0.13),  # London
        NEW_YORK,
        (0.0, 0.0),
        (PARIS[1], PARIS[0]),  # Paris with latitude and longitude swapped
        (55.44863, -20.87897),  # Saint-Denis de La Réunion swapped
        (-48.85659, 2.34292),  # Paris with the sign of the latitude lost
    ],
    ids=["madrid", "london", "new-york", "null-island", "paris-swapped", "reunion-swapped", "paris-south"],
)
def test_points_outside_france_are_not_in_france(lat, lon):
    assert not is_in_france(lat, lon)


def test_every_commune_of_the_reference_data_is_in_france():
    with gzip.open(django_settings.RELAIS_DATA_DIR / "communes.csv.gz", "rt", encoding="utf-8") as handle:
        outside = [
            (row["code_insee"], row["nom"])
            for row in csv.DictReader(handle)
            if row["latitude"] and not is_in_france(float(row["latitude"]), float(row["longitude"]))
        ]
    assert outside == []


# --- SphereIndex ------------------------------------------------------------------------------------

point_sets = st.lists(points, min_size=1, max_size=60).flatmap(
    # Repeat some points: duplicates and ties must not be lost.
    lambda pts: st.lists(st.sampled_from(pts), min_size=len(pts), max_size=len(pts) + 10)
)


@PROPERTIES
@given(point_sets, points, st.floats(min_value=0.001, max_value=25000))
def test_within_finds_exactly_the_points_a_full_scan_finds(pts, centre, radius_km):
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    index = SphereIndex(lats, lons)
    idx, dist = index.within(*centre, radius_km)

    expected = brute_force_distances(lats, lons, *centre)
    # Points within a micrometre of the circle may fall on either side through rounding: not asserted.
    boundary = np.abs(expected - radius_km) < 1e-9
    assert set(idx.tolist()) - set(np.flatnonzero(boundary)) == set(
        np.flatnonzero((expected <= radius_km) & ~boundary).tolist()
    )
    assert len(set(idx.tolist())) == len(idx)
    np.testing.assert_allclose(dist, expected[idx], atol=1e-9)
    assert np.all(np.diff(dist) >= 0), "nearest first"


@PROPERTIES
@given(point_sets, points, st.integers(min_value=1, max_value=80))
def test_nearest_returns_the_k_smallest_distances_of_a_full_scan(pts, centre, k):
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    idx, dist = SphereIndex(lats, lons).nearest(*centre, k)

    expected = np.sort(brute_force_distances(lats, lons, *centre))[:k]
    assert len(idx) == min(k, len(pts)) == len(set(idx.tolist()))
    np.testing.assert_allclose(dist, expected, atol=1e-6)
    np.testing.assert_allclose(dist, brute_force_distances(lats, lons, *centre)[idx], atol=1e-9)


@pytest.mark.parametrize("radius_km", [0.5, 10, 200, 5000])
@pytest.mark.parametrize(
    "centre",
    [PARIS, (-20.87897, 55.44863), (89.5, 10.0), (0.0, 179.99)],
    ids=["paris", "reunion", "pole", "dateline"],
)
def test_within_keeps_points_just_inside_the_radius_and_drops_those_just_outside(centre, radius_km):
    inside = destination(*centre, BEARINGS[:-1], radius_km * (1 - 1e-6))
    outside = destination(*centre, BEARINGS[:-1], radius_km * (1 + 1e-6))
    index = SphereIndex(np.concatenate([inside[0], outside[0]]), np.concatenate([inside[1], outside[1]]))
    idx, dist = index.within(*centre, radius_km)
    assert sorted(idx.tolist()) == list(range(len(BEARINGS) - 1))
    assert np.all(dist <= radius_km)


def test_within_on_real_cities_lists_them_nearest_first():
    index = SphereIndex([PARIS[0], MARSEILLE[0], LYON[0]], [PARIS[1], MARSEILLE[1], LYON[1]])
    idx, dist = index.within(*PARIS, 700)
    assert idx.tolist() == [0, 2, 1]
    assert dist.tolist() == pytest.approx([0, 391.5, 660.6], abs=0.5)
    assert index.within(*PARIS, 500)[0].tolist() == [0, 2]


def test_nearest_on_real_cities():
    index = SphereIndex([PARIS[0], MARSEILLE[0], LYON[0]], [PARIS[1], MARSEILLE[1], LYON[1]])
    idx, dist = index.nearest(44.93032, 2.44495, k=2)  # from Aurillac
    assert idx.tolist() == [2, 1]  # Lyon, then Marseille
    assert dist[0] < dist[1]


def test_an_empty_index_finds_nothing():
    index = SphereIndex([], [])
    assert len(index) == 0
    assert index.within(*PARIS, 100)[0].tolist() == []
    assert index.nearest(*PARIS, 3)[0].tolist() == []


def test_nearest_with_k_zero_or_more_than_the_points():
    index = SphereIndex([PARIS[0], LYON[0]], [PARIS[1], LYON[1]])
    assert index.nearest(*PARIS, 0)[0].tolist() == []
    assert index.nearest(*PARIS, 10)[0].tolist() == [0, 1]


def test_index_refuses_latitudes_and_longitudes_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        SphereIndex([1.0, 2.0], [1.0])
