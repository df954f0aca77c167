"""The coverage engine against hand-computed cases, brute force and an exact solver (no database)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.coverage import bounds, engine
from relais.territory.geo import haversine_km

# One degree of latitude is 111.195 km on the mean sphere.
KM_PER_DEGREE = 111.19508


def line(*km):
    """Points on the meridian 2°E, at the given distances (km) north of 45°N."""
    lat = 45.0 + np.asarray(km, dtype=float) / KM_PER_DEGREE
    return lat, np.full(len(lat), 2.0)


def test_nearest_distances_are_great_circle_km_to_the_closest_site():
    demand_lat, demand_lon = line(0, 10, 25)
    site_lat, site_lon = line(12, 30)
    distances = engine.nearest_distances(demand_lat, demand_lon, site_lat, site_lon)
    assert distances == pytest.approx([12, 2, 5], abs=1e-6)


def test_with_no_site_every_distance_is_infinite():
    assert np.isinf(engine.nearest_distances([45.0], [2.0], [], [])).all()


def test_summary_counts_population_within_each_threshold_and_the_weighted_mean():
    summary = engine.summarize([2, 7, 15, 40], [100, 200, 300, 400], thresholds_km=(5, 10, 20))
    assert summary.covered_weight == {5: 100, 10: 300, 20: 600}
    assert summary.covered_share[10] == pytest.approx(0.3)
    assert summary.mean_distance_km == pytest.approx((200 + 1400 + 4500 + 16000) / 1000)
    assert summary.uncovered_weight(20) == 400


def test_aggregates_by_group_add_up_to_the_national_figures():
    groups = ["15", "15", "63", "63", "63"]
    distances = [3, 12, 1, 30, np.inf]
    weights = [10, 20, 30, 40, 50]
    by_group = engine.aggregate(groups, distances, weights, thresholds_km=(5, 20))
    assert by_group["15"].covered_weight == {5: 10, 20: 20 + 10}
    assert by_group["63"].covered_weight == {5: 30, 20: 30}
    assert by_group["63"].mean_distance_km == pytest.approx((30 * 1 + 40 * 30) / 70)
    national = engine.summarize(distances, weights, thresholds_km=(5, 20))
    for t in (5, 20):
        assert sum(s.covered_weight[t] for s in by_group.values()) == national.covered_weight[t]


def brute_force(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, existing=None):
    best = 0.0
    base = np.zeros(len(weights), dtype=bool)
    if existing is not None:
        base = engine.nearest_distances(demand_lat, demand_lon, *existing) <= radius
    reach = [
        haversine_km(demand_lat, demand_lon, la, lo) <= radius
        for la, lo in zip(cand_lat, cand_lon, strict=True)
    ]
    for combo in itertools.combinations(range(len(cand_lat)), k):
        covered = base.copy()
        for j in combo:
            covered |= reach[j]
        best = max(best, float(weights[covered].sum()))
    return best


def test_a_tiny_instance_where_greedy_is_not_optimal_gets_a_bound_above_the_optimum():
    # Demand at 0, 10, 20, 30 km with weights 3, 4, 4, 3; candidates at 5 (covers 0 and 10),
    # 15 (covers 10 and 20), 25 (covers 20 and 30); radius 6 km, k = 2.
    demand_lat, demand_lon = line(0, 10, 20, 30)
    weights = np.array([3.0, 4.0, 4.0, 3.0])
    cand_lat, cand_lon = line(5, 15, 25)
    result = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 6, 2)
    optimum = brute_force(demand_lat, demand_lon, weights, cand_lat, cand_lon, 6, 2)
    assert optimum == 14
    assert result.covered_weight <= optimum <= result.upper_bound + 1e-9
    exact = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 6, 2, exact=True)
    assert exact.covered_weight == optimum
    assert exact.exact and exact.upper_bound == optimum
    assert sorted(exact.chosen) == [0, 2]


def test_each_pick_is_explained_by_the_demand_it_newly_covers():
    demand_lat, demand_lon = line(0, 10, 20, 30)
    weights = np.array([3.0, 4.0, 4.0, 3.0])
    cand_lat, cand_lon = line(5, 15, 25)
    result = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 6, 3)
    assert sum(result.gains) == result.covered_weight == 14
    assert sorted(i for reached in result.reached for i in reached) == [0, 1, 2, 3]
    assert result.gains == sorted(result.gains, reverse=True)


def test_existing_places_are_kept_and_their_population_counted():
    demand_lat, demand_lon = line(0, 10, 20, 30)
    weights = np.array([3.0, 4.0, 4.0, 3.0])
    cand_lat, cand_lon = line(5, 15, 25)
    existing = line(1)
    result = engine.recommend_sites(
        demand_lat,
        demand_lon,
        weights,
        cand_lat,
        cand_lon,
        6,
        1,
        existing_lat=existing[0],
        existing_lon=existing[1],
    )
    assert result.existing_weight == 3
    assert result.chosen == [1]  # 10 and 20 km: 8 newly covered
    assert result.covered_weight == 11


def test_minimum_spacing_keeps_picks_apart():
    demand_lat, demand_lon = line(0, 2, 4, 50)
    weights = np.array([5.0, 5.0, 5.0, 1.0])
    cand_lat, cand_lon = line(1, 3, 50)
    close = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 2.5, 2)
    spaced = engine.recommend_sites(
        demand_lat, demand_lon, weights, cand_lat, cand_lon, 2.5, 2, min_spacing_km=10
    )
    assert sorted(close.chosen) == [0, 1]
    assert sorted(spaced.chosen) in ([0, 2], [1, 2])
    assert spaced.covered_weight <= spaced.upper_bound


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"k": 0}, "k must be"), ({"k": 10}, "k must be"), ({"radius_km": 0}, "radius_km")],
)
def test_absurd_parameters_are_refused(kwargs, message):
    demand_lat, demand_lon = line(0, 10)
    cand_lat, cand_lon = line(5)
    params = {"radius_km": 5, "k": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        engine.recommend_sites(demand_lat, demand_lon, [1, 1], cand_lat, cand_lon, **params)


def random_instance(seed, n_demand=40, n_candidates=12):
    rng = np.random.default_rng(seed)
    demand_lat = 45 + rng.uniform(0, 0.5, n_demand)
    demand_lon = 2 + rng.uniform(0, 0.7, n_demand)
    weights = rng.integers(1, 1000, n_demand).astype(float)
    cand_lat = 45 + rng.uniform(0, 0.5, n_candidates)
    cand_lon = 2 + rng.uniform(0, 0.7, n_candidates)
    return demand_lat, demand_lon, weights, cand_lat, cand_lon


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 4), radius=st.sampled_from([4.0, 8.0, 12.0]))
def test_greedy_never_exceeds_the_optimum_and_the_bound_never_falls_below_it(seed, k, radius):
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(seed, n_candidates=9)
    optimum = brute_force(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k)
    result = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k)
    assert result.covered_weight <= optimum + 1e-6
    assert result.upper_bound >= optimum - 1e-6
    exact = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, exact=True)
    assert exact.covered_weight == pytest.approx(optimum)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000))
def test_adding_a_place_never_decreases_coverage(seed):
    demand_lat, demand_lon, weights, site_lat, site_lon = random_instance(seed)
    before = engine.summarize(
        engine.nearest_distances(demand_lat, demand_lon, site_lat[:-1], site_lon[:-1]), weights
    )
    after = engine.summarize(engine.nearest_distances(demand_lat, demand_lon, site_lat, site_lon), weights)
    for t in (5, 10, 20):
        assert after.covered_weight[t] >= before.covered_weight[t]
    assert after.mean_distance_km <= before.mean_distance_km + 1e-9


def test_on_larger_random_instances_greedy_is_within_a_few_percent_of_the_exact_optimum():
    for seed in range(5):
        demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(
            seed, n_demand=400, n_candidates=120
        )
        greedy = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 8)
        exact = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 8, exact=True)
        assert exact.exact
        assert greedy.covered_weight <= exact.covered_weight + 1e-6 <= greedy.upper_bound + 1e-6
        assert greedy.covered_weight >= 0.95 * exact.covered_weight


def test_the_lagrangian_bound_used_for_national_models_is_a_valid_upper_bound():
    for seed in range(5):
        demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(
            seed, n_demand=400, n_candidates=120
        )
        matrix = engine.coverage_matrix(demand_lat, demand_lon, cand_lat, cand_lon, 5)
        exact = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 8, exact=True)
        bound = bounds.lagrangian_bound(matrix, weights, 8, lower_bound=0.0).value
        assert bound >= exact.covered_weight - 1e-6
        assert bound <= float(weights.sum()) + 1e-6


def test_large_models_switch_to_the_lagrangian_bound_and_keep_it_valid(monkeypatch):
    monkeypatch.setattr(engine, "LP_MAX_NONZEROS", 0)
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(7, n_demand=300, n_candidates=80)
    result = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 6)
    exact = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 6, exact=True)
    assert result.covered_weight <= exact.covered_weight + 1e-6 <= result.upper_bound + 1e-6


def test_the_swap_pass_repairs_a_greedy_trap():
    # Greedy takes the middle candidate (covers 10 and 20 km: 8), then one end (3): 11; swapping the middle
    # for the other end gives 14, the optimum.
    demand_lat, demand_lon = line(0, 10, 20, 30)
    weights = np.array([3.0, 4.0, 4.0, 3.0])
    cand_lat, cand_lon = line(5, 15, 25)
    result = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 6, 2)
    assert result.covered_weight == 14
    assert sorted(result.chosen) == [0, 2]
    assert sum(result.gains) == 14


# --- The bound by components ------------------------------------------------------------------------


def matrix_optimum(matrix, weights, k):
    """Brute-force optimum of a candidates × demand boolean matrix with k picks."""
    dense = matrix.toarray().astype(bool)
    best = 0.0
    for combo in itertools.combinations(range(dense.shape[0]), min(k, dense.shape[0])):
        best = max(best, float(weights[dense[list(combo)].any(axis=0)].sum()))
    return best


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 5), radius=st.sampled_from([4.0, 8.0, 12.0, 20.0]))
def test_the_smaller_model_has_the_same_optimum(seed, k, radius):
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(seed, n_candidates=10)
    matrix = engine.coverage_matrix(demand_lat, demand_lon, cand_lat, cand_lon, radius)
    smaller, smaller_weights, kept = bounds.equivalent_smaller_model(matrix, weights)
    assert np.array_equal(smaller.toarray().any(axis=1), matrix[kept].toarray().any(axis=1))
    assert smaller.shape[0] <= matrix.shape[0] and smaller.shape[1] <= matrix.shape[1]
    assert matrix_optimum(smaller, smaller_weights, k) == pytest.approx(matrix_optimum(matrix, weights, k))


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 5), radius=st.sampled_from([4.0, 8.0, 12.0, 20.0]))
def test_the_bound_by_components_lies_between_the_optimum_and_the_linear_relaxation(seed, k, radius):
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(seed, n_candidates=10)
    matrix = engine.coverage_matrix(demand_lat, demand_lon, cand_lat, cand_lon, radius)
    optimum = matrix_optimum(matrix, weights, k)
    relaxation = bounds.relaxation(matrix, weights, k) if matrix.nnz else 0.0
    bound = bounds.component_bound(matrix, weights, k)
    assert optimum * (1 - 1e-9) <= bound <= relaxation * (1 + 1e-6) + 1e-6


def test_large_components_go_to_the_linear_relaxation_and_keep_the_bound_valid(monkeypatch):
    monkeypatch.setattr(bounds, "ENUMERATED_COMPONENT_SIZE", 1)
    for seed in range(10):
        demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(seed, n_candidates=9)
        matrix = engine.coverage_matrix(demand_lat, demand_lon, cand_lat, cand_lon, 12.0)
        assert bounds.component_bound(matrix, weights, 3) >= matrix_optimum(matrix, weights, 3) * (1 - 1e-9)


@pytest.mark.parametrize("n_demand", [5, 64, 70])
def test_best_coverage_by_count_is_the_brute_force_one(n_demand):
    rng = np.random.default_rng(n_demand)
    cover = rng.random((6, n_demand)) < 0.3
    weights = rng.integers(1, 100, n_demand).astype(float)
    best = bounds.best_coverage_by_count(cover, weights, k=4)
    expected = [
        max(float(weights[cover[list(c)].any(axis=0)].sum()) for c in itertools.combinations(range(6), b))
        if b
        else 0.0
        for b in range(5)
    ]
    assert best.tolist() == pytest.approx(expected)


def test_the_concave_envelope_skips_points_below_it():
    # F = 0, 1, 10, 11: the envelope goes straight from 0 to 10 at b = 2, then adds 1.
    assert bounds.concave_envelope_pieces(np.array([0.0, 1.0, 10.0, 11.0])) == [(2, 10.0), (1, 1.0)]
    assert bounds.fractional_knapsack(np.array([2.0, 1.0]), np.array([10.0, 1.0]), 1) == pytest.approx(5.0)
