"""Coverage (maillage) engine: distances from communes to places, covered population, and where k new
places would cover the most uncovered population (Maximal Covering Location Problem).

Pure numpy/scipy, no Django: analysts call it from notebooks with plain arrays of degrees; the coverage
app feeds it from the database. Distances are great-circle kilometres (see `relais.territory.geo`).

Siting (`recommend_sites`), in named steps:

1. the reduced problem: only demand not yet covered by the existing places, the candidates that reach it,
   and an equivalent smaller model with the same optimum (`bounds.equivalent_smaller_model`);
2. the fast answer: a greedy pass with lazy marginal gains, a 1-swap local search, and a proven upper bound
   on the best achievable coverage for that k (`bounds.component_bound`; on models too large for a linear
   relaxation solved in seconds, `bounds.lagrangian_bound`, whose estimate of the relaxation's picks then
   guides a second greedy answer: `heuristics.guided_picks`); the submodular bound of the greedy run is
   also computed and the smaller bound is reported; an answer that reaches its bound is proven optimal;
3. an exact solve (HiGHS' MILP, or the solver given, e.g. CBC) of the smaller model: in exact mode within
   its time limit, and by default for a short budget (EXACT_BUDGET_S) when the proven gap on the weight the
   picks add is above EXACT_GAP and the model is small (EXACT_MAX_NONZEROS): cheap proofs are then taken.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from relais.territory.geo import chord_to_km, km_to_chord, unit_vectors

from . import bounds, heuristics
from .exact import highs_solver

# Above this many (candidate, demand) pairs, the bound comes from the Lagrangian dual instead of the LP.
LP_MAX_NONZEROS = 300_000
# The default answer continues with an exact solve for EXACT_BUDGET_S seconds when its proven gap on the
# weight the picks add (Recommendation.gap_added) is above EXACT_GAP and the smaller model has at most
# EXACT_MAX_NONZEROS pairs: a département, or 1,500 communes of a région, where HiGHS and CBC usually prove
# the optimum in well under a second. Larger models (a whole région greenfield) rarely finish in that time:
# exact mode is there for them.
EXACT_BUDGET_S = 2.0
EXACT_GAP = 0.001
EXACT_MAX_NONZEROS = 50_000


def _as_array(values, name):
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array")
    return array


def nearest_distances(demand_lat, demand_lon, site_lat, site_lon):
    """Great-circle distance (km) from each demand point to its nearest site; inf when there is no site."""
    demand_lat, demand_lon = _as_array(demand_lat, "demand_lat"), _as_array(demand_lon, "demand_lon")
    site_lat, site_lon = _as_array(site_lat, "site_lat"), _as_array(site_lon, "site_lon")
    if len(site_lat) == 0:
        return np.full(len(demand_lat), np.inf)
    tree = cKDTree(unit_vectors(site_lat, site_lon))
    chord, _ = tree.query(unit_vectors(demand_lat, demand_lon), k=1)
    return chord_to_km(chord)


@dataclass
class CoverageSummary:
    total_weight: float
    mean_distance_km: float  # weighted by the demand weights (population)
    covered_weight: dict  # threshold km → weight within that distance of a site
    covered_share: dict  # threshold km → share of the total weight

    def uncovered_weight(self, threshold_km):
        return self.total_weight - self.covered_weight[threshold_km]


def summarize(distances_km, weights, thresholds_km=(5, 10, 20)):
    """Covered weight and share within each threshold, and the weighted mean distance."""
    distances_km, weights = np.asarray(distances_km, dtype=float), np.asarray(weights, dtype=float)
    total = float(weights.sum())
    finite = np.isfinite(distances_km)
    mean = (
        float(np.average(distances_km[finite], weights=weights[finite])) if weights[finite].sum() else np.nan
    )
    covered = {t: float(weights[distances_km <= t].sum()) for t in thresholds_km}
    return CoverageSummary(
        total_weight=total,
        mean_distance_km=mean,
        covered_weight=covered,
        covered_share={t: (c / total if total else 0.0) for t, c in covered.items()},
    )


def aggregate(group_codes, distances_km, weights, thresholds_km=(5, 10, 20)):
    """`summarize` per group (EPCI, département, région…): {group code: CoverageSummary}."""
    group_codes = np.asarray(group_codes, dtype=object)
    distances_km, weights = np.asarray(distances_km, dtype=float), np.asarray(weights, dtype=float)
    groups, inverse = np.unique(group_codes.astype(str), return_inverse=True)
    finite = np.isfinite(distances_km)
    total = np.bincount(inverse, weights=weights, minlength=len(groups))
    finite_weight = np.bincount(inverse, weights=np.where(finite, weights, 0.0), minlength=len(groups))
    weighted_distance = np.bincount(
        inverse, weights=np.where(finite, distances_km * weights, 0.0), minlength=len(groups)
    )
    covered = {
        t: np.bincount(inverse, weights=np.where(distances_km <= t, weights, 0.0), minlength=len(groups))
        for t in thresholds_km
    }
    result = {}
    for g, code in enumerate(groups):
        result[code] = CoverageSummary(
            total_weight=float(total[g]),
            mean_distance_km=float(weighted_distance[g] / finite_weight[g]) if finite_weight[g] else np.nan,
            covered_weight={t: float(covered[t][g]) for t in thresholds_km},
            covered_share={t: float(covered[t][g] / total[g]) if total[g] else 0.0 for t in thresholds_km},
        )
    return result


def coverage_matrix(demand_lat, demand_lon, candidate_lat, candidate_lon, radius_km):
    """Sparse boolean matrix (candidates × demand): True where the candidate is within `radius_km`."""
    demand = cKDTree(unit_vectors(demand_lat, demand_lon))
    candidates = cKDTree(unit_vectors(candidate_lat, candidate_lon))
    pairs = candidates.sparse_distance_matrix(demand, float(km_to_chord(radius_km)), output_type="ndarray")
    data = np.ones(len(pairs), dtype=bool)
    return sparse.csr_matrix((data, (pairs["i"], pairs["j"])), shape=(len(candidate_lat), len(demand_lat)))


@dataclass
class Recommendation:
    chosen: list  # indices into the candidates, in pick order
    covered_weight: float  # total weight covered by existing + chosen sites
    upper_bound: float  # proven upper bound on the best achievable covered_weight for this k
    existing_weight: float  # weight already covered by the existing sites
    gains: list = field(default_factory=list)  # weight newly covered by each pick
    reached: list = field(default_factory=list)  # demand indices newly covered by each pick
    exact: bool = False  # True when `chosen` is a proven optimum
    solver_used: bool = False  # an exact solver ran (exact mode, or the default answer's short exact solve)

    @property
    def gap(self):
        """Relative distance to the upper bound: the answer is within this share of the optimum."""
        return 0.0 if self.upper_bound <= 0 else max(0.0, 1 - self.covered_weight / self.upper_bound)

    @property
    def gap_added(self):
        """The same on the weight the picks add (what a planner reads: with existing sites, `gap` is diluted
        by the weight they already cover): the picks add at least 1 − gap_added of what the best would."""
        room = self.upper_bound - self.existing_weight
        added = self.covered_weight - self.existing_weight
        return 0.0 if room <= 0 else max(0.0, 1 - added / room)


def recommend_sites(
    demand_lat,
    demand_lon,
    weights,
    candidate_lat,
    candidate_lon,
    radius_km,
    k,
    existing_lat=None,
    existing_lon=None,
    *,
    min_spacing_km=None,
    exact=False,
    time_limit_s=60.0,
    exact_solver=None,
    exact_budget_s=EXACT_BUDGET_S,
    candidate_mask=None,
):
    """Choose `k` candidates maximising the weight newly covered within `radius_km`, existing sites kept.

    Returns a Recommendation with the picks (in order), the covered weight, a proven upper bound, and whether
    the answer is a proven optimum. With `min_spacing_km`, no two picks are closer than that (the bound stays
    valid: it ignores spacing; no exact solve then). With `exact=True`, the smaller model is solved as a MILP
    within `time_limit_s`; otherwise for `exact_budget_s` when the fast answer's proven gap on the weight its
    picks add is above EXACT_GAP and the model is small (0 turns that off). The solver is HiGHS unless
    `exact_solver` is given: a function (matrix, weights, k, time_limit_s) → (picks, covered weight, proven
    optimal) or None, where matrix is the smaller candidates × demand matrix (e.g. CBC in `exact.cbc_solver`).
    Its answer replaces the fast one only when it covers more; the fast answer is proven optimal too when it
    covers as much as a proven optimum.

    With `candidate_mask` (booleans, one per candidate), only the candidates marked True may be picked: the
    problem is solved on them alone, so the bound is a proven bound for that restricted choice; `chosen`
    still indexes the full candidate arrays.
    """
    demand_lat, demand_lon = _as_array(demand_lat, "demand_lat"), _as_array(demand_lon, "demand_lon")
    candidate_lat, candidate_lon = (
        _as_array(candidate_lat, "candidate_lat"),
        _as_array(candidate_lon, "candidate_lon"),
    )
    weights = _as_array(weights, "weights")
    allowed = _allowed_candidates(candidate_mask, len(candidate_lat))
    if allowed is not None:
        answer = recommend_sites(
            demand_lat,
            demand_lon,
            weights,
            candidate_lat[allowed],
            candidate_lon[allowed],
            radius_km,
            k,
            existing_lat,
            existing_lon,
            min_spacing_km=min_spacing_km,
            exact=exact,
            time_limit_s=time_limit_s,
            exact_solver=exact_solver,
            exact_budget_s=exact_budget_s,
        )
        answer.chosen = [int(allowed[j]) for j in answer.chosen]
        return answer
    _check_siting_inputs(demand_lat, demand_lon, weights, candidate_lat, radius_km, k)
    problem = _reduced_problem(
        demand_lat, demand_lon, weights, candidate_lat, candidate_lon, radius_km, existing_lat, existing_lon
    )
    answer = _fast_answer(problem, k, candidate_lat, candidate_lon, min_spacing_km)
    budget = _exact_budget(problem, answer, exact, time_limit_s, exact_budget_s, min_spacing_km)
    if budget:
        answer = _solve_exactly(problem, answer, k, budget, exact_solver or highs_solver)
    return answer


def _allowed_candidates(candidate_mask, n_candidates):
    """Indices of the candidates a mask allows (None without a mask)."""
    if candidate_mask is None:
        return None
    mask = np.asarray(candidate_mask)
    if mask.ndim != 1 or len(mask) != n_candidates:
        raise ValueError("candidate_mask must have one value per candidate")
    if mask.dtype != bool:
        raise ValueError("candidate_mask must be booleans")
    return np.flatnonzero(mask)


def _check_siting_inputs(demand_lat, demand_lon, weights, candidate_lat, radius_km, k):
    if not (len(demand_lat) == len(demand_lon) == len(weights)):
        raise ValueError("demand arrays and weights must have the same length")
    if np.any(weights < 0):
        raise ValueError("weights must be non-negative")
    if not (radius_km > 0):
        raise ValueError("radius_km must be positive")
    if not (1 <= k <= len(candidate_lat)):
        raise ValueError("k must be between 1 and the number of candidates")


@dataclass
class _Problem:
    """The reduced problem: demand not yet covered (`open_demand`, indices into the demand), the candidates ×
    open demand matrix, its weights, the weight the existing sites already cover, and the equivalent smaller
    model (bounds.equivalent_smaller_model: matrix, weights, indices of the candidates kept)."""

    open_demand: np.ndarray
    matrix: sparse.csr_matrix
    weights: np.ndarray
    existing_weight: float
    smaller: tuple

    def value(self, picks):
        """Weight the picks newly cover."""
        return heuristics.covered_weight(self.matrix, self.weights, picks)

    def answer(self, picks, upper_gain, gains=None, reached=None):
        """The Recommendation for these picks (ordered and explained unless gains and reached are given),
        with `upper_gain` as the bound on the weight k picks can add."""
        if gains is None:
            picks, gains, reached = heuristics.explain(self.matrix, self.weights, picks)
        covered = self.existing_weight + sum(gains)
        upper = max(self.existing_weight + upper_gain, covered)
        # An answer that reaches its bound is optimal (the bounds carry a relative margin of 1e-9).
        proven = covered >= upper * (1 - 1e-8)
        return Recommendation(
            chosen=[int(j) for j in picks],
            covered_weight=covered,
            upper_bound=covered if proven else upper,
            existing_weight=self.existing_weight,
            gains=list(gains),
            reached=[self.open_demand[r].tolist() for r in reached],
            exact=proven,
        )


def _reduced_problem(
    demand_lat, demand_lon, weights, candidate_lat, candidate_lon, radius_km, existing_lat, existing_lon
):
    covered = np.zeros(len(demand_lat), dtype=bool)
    if existing_lat is not None and len(existing_lat):
        covered = nearest_distances(demand_lat, demand_lon, existing_lat, existing_lon) <= radius_km
    open_demand = np.flatnonzero(~covered & (weights > 0))
    matrix = coverage_matrix(
        demand_lat[open_demand], demand_lon[open_demand], candidate_lat, candidate_lon, radius_km
    )
    open_weights = weights[open_demand]
    if matrix.nnz:
        smaller = bounds.equivalent_smaller_model(matrix, open_weights)
    else:
        smaller = (sparse.csr_matrix((0, 0), dtype=bool), np.zeros(0), np.zeros(0, dtype=np.int64))
    return _Problem(open_demand, matrix, open_weights, float(weights[covered].sum()), smaller)


def _fast_answer(problem, k, candidate_lat, candidate_lon, min_spacing_km):
    """Greedy picks, a proven bound, and a better answer when the bound leaves room for one: the 1-swap
    search on models whose bound comes from the LP; on larger ones, the better of that and of the greedy
    guided by the Lagrangian relaxation (without spacing in both cases)."""
    picks, gains, reached, submodular = heuristics.greedy(
        problem.matrix, problem.weights, k, candidate_lat, candidate_lon, min_spacing_km
    )
    taken = sum(gains)
    smaller, smaller_weights, kept = problem.smaller
    free = min_spacing_km is None and len(picks) > 1

    def room(bound):
        return taken < bound * (1 - 1e-7)

    if not problem.matrix.nnz:
        return problem.answer(picks, 0.0, gains, reached)
    if problem.matrix.nnz > LP_MAX_NONZEROS:
        # National greenfield: one giant component whose LP takes a minute; its Lagrangian dual, a second.
        lagrangian = bounds.lagrangian_bound(smaller, smaller_weights, k, taken)
        bound = min(lagrangian.value, submodular)
        if free and room(bound):
            guided = kept[heuristics.guided_picks(smaller, smaller_weights, k, lagrangian.picks_estimate)]
            swapped = heuristics.improve_by_swaps(problem.matrix, problem.weights, picks) or picks
            best = max((guided, swapped), key=problem.value)
            if problem.value(best) > taken:
                return problem.answer(best, bound)
        return problem.answer(picks, bound, gains, reached)
    bound = min(bounds.component_bound(smaller, smaller_weights, k, reduced=True), submodular)
    if free and room(bound):
        improved = heuristics.improve_by_swaps(problem.matrix, problem.weights, picks)
        if improved is not None:
            return problem.answer(improved, bound)
    return problem.answer(picks, bound, gains, reached)


def _exact_budget(problem, answer, exact, time_limit_s, exact_budget_s, min_spacing_km):
    """How long the exact solve may take (0: none): the time limit in exact mode; the short budget when the
    fast answer's proven gap on the weight its picks add is above EXACT_GAP and the smaller model is small;
    nothing with spacing, when the answer is already proven, or when there is nothing left to cover."""
    if min_spacing_km is not None or answer.exact or not problem.matrix.nnz:
        return 0.0
    if exact:
        return time_limit_s
    if exact_budget_s and answer.gap_added > EXACT_GAP and problem.smaller[0].nnz <= EXACT_MAX_NONZEROS:
        return exact_budget_s
    return 0.0


def _solve_exactly(problem, answer, k, time_limit_s, solver):
    """The solver's answer on the smaller model (same optimum) when it covers more; proven optimal when the
    solver proves an optimum this answer reaches. The bound stays the proven one otherwise."""
    smaller, smaller_weights, kept = problem.smaller
    solved = solver(smaller, smaller_weights, min(k, smaller.shape[0]), time_limit_s)
    answer.solver_used = True
    if solved is None:
        return answer
    picks, value, optimal = kept[list(solved[0])].tolist(), solved[1], solved[2]
    fast_gain = answer.covered_weight - answer.existing_weight
    tolerance = 1e-9 * max(1.0, fast_gain)
    if picks and value > fast_gain + tolerance:
        answer = problem.answer(picks, answer.upper_bound - answer.existing_weight)
        answer.solver_used = True
    if optimal and value <= answer.covered_weight - answer.existing_weight + tolerance:
        # The optimum is proven and this answer reaches it (the fast one often does).
        answer.exact = True
        answer.upper_bound = answer.covered_weight
    return answer
