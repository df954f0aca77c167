"""Exact siting with the sparse PuLP/CBC model: brute force on tiny instances, time limit, fallback."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.coverage import engine, exact

from .test_engine import brute_force, line, random_instance

pytestmark = pytest.mark.skipif(not exact.available(), reason="CBC (PuLP) ne peut pas tourner ici")


def cbc(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, **kwargs):
    return engine.recommend_sites(
        demand_lat,
        demand_lon,
        weights,
        cand_lat,
        cand_lon,
        radius,
        k,
        exact=True,
        exact_solver=exact.cbc_solver,
        **kwargs,
    )


def test_cbc_finds_the_optimum_greedy_misses_on_the_classic_trap():
    # Demand at 0, 10, 20, 30 km (3, 4, 4, 3); candidates at 5, 15, 25; radius 6 km; k = 2: 14 with 5 and 25.
    demand_lat, demand_lon = line(0, 10, 20, 30)
    weights = np.array([3.0, 4.0, 4.0, 3.0])
    cand_lat, cand_lon = line(5, 15, 25)
    matrix = engine.coverage_matrix(demand_lat, demand_lon, cand_lat, cand_lon, 6)
    solution = exact.solve(matrix, weights, 2, time_limit_s=10)
    assert solution.proven
    assert solution.picks == [0, 2]
    assert solution.value == 14
    result = cbc(demand_lat, demand_lon, weights, cand_lat, cand_lon, 6, 2)
    assert result.exact and result.covered_weight == result.upper_bound == 14
    assert sorted(result.chosen) == [0, 2]
    assert sum(result.gains) == 14


@settings(max_examples=20, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 4), radius=st.sampled_from([4.0, 8.0, 12.0]))
def test_cbc_equals_brute_force_on_tiny_instances(seed, k, radius):
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(seed, n_demand=30, n_candidates=8)
    optimum = brute_force(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k)
    result = cbc(demand_lat, demand_lon, weights, cand_lat, cand_lon, radius, k, time_limit_s=20)
    assert result.exact
    assert result.covered_weight == pytest.approx(optimum)
    assert result.upper_bound == pytest.approx(optimum)


def test_cbc_keeps_existing_places_out_of_the_model():
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(3, n_demand=30, n_candidates=8)
    existing = (cand_lat[:1], cand_lon[:1])
    optimum = brute_force(demand_lat, demand_lon, weights, cand_lat, cand_lon, 8.0, 2, existing=existing)
    result = cbc(
        demand_lat,
        demand_lon,
        weights,
        cand_lat,
        cand_lon,
        8.0,
        2,
        existing_lat=existing[0],
        existing_lon=existing[1],
    )
    assert result.exact and result.covered_weight == pytest.approx(optimum)


def test_cbc_agrees_with_highs_on_larger_instances():
    for seed in range(3):
        demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(
            seed, n_demand=400, n_candidates=120
        )
        highs = engine.recommend_sites(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 8, exact=True)
        with_cbc = cbc(demand_lat, demand_lon, weights, cand_lat, cand_lon, 5, 8)
        assert highs.exact and with_cbc.exact
        assert with_cbc.covered_weight == pytest.approx(highs.covered_weight)


def hard_instance():
    """Heavy overlaps (radius 25 km over 110 × 110 km, 300 candidates, k = 8): CBC does not prove the
    optimum within 10 s here, and its best answer by then is far below the greedy one."""
    rng = np.random.default_rng(2)
    n, m = 2000, 300
    return (
        45 + rng.uniform(0, 1, n),
        2 + rng.uniform(0, 1.4, n),
        rng.integers(1, 1000, n).astype(float),
        45 + rng.uniform(0, 1, m),
        2 + rng.uniform(0, 1.4, m),
    )


def test_at_the_time_limit_the_greedy_answer_is_kept_and_not_claimed_optimal():
    demand_lat, demand_lon, weights, cand_lat, cand_lon = hard_instance()
    greedy = engine.recommend_sites(
        demand_lat, demand_lon, weights, cand_lat, cand_lon, 25, 8, exact_budget_s=0
    )
    started = time.perf_counter()
    result = cbc(demand_lat, demand_lon, weights, cand_lat, cand_lon, 25, 8, time_limit_s=1)
    assert time.perf_counter() - started < 10
    assert result.exact is False
    assert result.covered_weight >= greedy.covered_weight
    assert result.chosen == greedy.chosen
    assert result.upper_bound == greedy.upper_bound  # the bound stays the proven one, not the solver's


def test_the_solver_returning_nothing_or_worse_leaves_the_greedy_answer_unproven():
    # An instance whose fast answer its bound does not prove optimal (gap of 2 %).
    demand_lat, demand_lon, weights, cand_lat, cand_lon = random_instance(7, n_demand=200, n_candidates=60)
    greedy = engine.recommend_sites(
        demand_lat, demand_lon, weights, cand_lat, cand_lon, 8, 4, exact_budget_s=0
    )

    def nothing_in_time(matrix, weights, k, time_limit_s):
        return None

    def worse_incumbent(matrix, weights, k, time_limit_s):
        picks = [int(np.argmin(np.asarray(matrix.sum(axis=1)).ravel()))]
        return picks, exact.covered_weight(matrix, weights, picks), False

    for solver in (nothing_in_time, worse_incumbent):
        result = engine.recommend_sites(
            demand_lat, demand_lon, weights, cand_lat, cand_lon, 8, 4, exact=True, exact_solver=solver
        )
        assert result.exact is False
        assert result.chosen == greedy.chosen
        assert result.covered_weight == greedy.covered_weight


def test_a_proven_optimum_equal_to_the_greedy_answer_proves_the_greedy_answer():
    demand_lat, demand_lon = line(0, 10)
    cand_lat, cand_lon = line(0, 10)
    result = cbc(demand_lat, demand_lon, [5.0, 7.0], cand_lat, cand_lon, 1, 2)
    assert result.exact and result.covered_weight == result.upper_bound == 12
