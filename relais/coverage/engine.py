"""Coverage (maillage) engine: distances from communes to places, covered population, and where k new
places would cover the most uncovered population (Maximal Covering Location Problem).

Pure numpy/scipy, no Django: analysts call it from notebooks with plain arrays of degrees; the coverage
app feeds it from the database. Distances are great-circle kilometres (see `relais.territory.geo`).

Siting: a greedy pass with lazy marginal gains on a sparse coverage matrix, with existing places kept as
they are, then a proven upper bound on the best achievable coverage for that k: the linear relaxation of the
reduced problem (only demand not yet covered and the candidates that reach it) solved with HiGHS, and the
classic submodular bound of the greedy run; the smaller of the two is reported.
"""

import heapq
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, linprog, milp
from scipy.spatial import cKDTree

from relais.territory.geo import chord_to_km, km_to_chord, unit_vectors


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
    pairs = candidates.query_ball_tree(demand, float(km_to_chord(radius_km)))
    rows = np.repeat(np.arange(len(pairs)), [len(p) for p in pairs])
    cols = np.fromiter((i for p in pairs for i in p), dtype=np.int64, count=len(rows))
    data = np.ones(len(rows), dtype=bool)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(pairs), len(demand_lat)))


@dataclass
class Recommendation:
    chosen: list  # indices into the candidates, in pick order
    covered_weight: float  # total weight covered by existing + chosen sites
    upper_bound: float  # proven upper bound on the best achievable covered_weight for this k
    existing_weight: float  # weight already covered by the existing sites
    gains: list = field(default_factory=list)  # weight newly covered by each pick
    reached: list = field(default_factory=list)  # demand indices newly covered by each pick
    exact: bool = False  # True when `chosen` is a proven optimum

    @property
    def gap(self):
        """Relative distance to the upper bound: the answer is within this share of the optimum."""
        return 0.0 if self.upper_bound <= 0 else max(0.0, 1 - self.covered_weight / self.upper_bound)


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
):
    """Choose `k` candidates maximising the weight newly covered within `radius_km`, existing sites kept.

    Returns a Recommendation with the picks (in order), the covered weight, and a proven upper bound.
    With `min_spacing_km`, no two picks are closer than that (the bound stays valid: it ignores spacing).
    With `exact=True`, the reduced model is solved as a MILP within `time_limit_s`, by HiGHS unless
    `exact_solver` is given: a function (matrix, weights, k, time_limit_s) → (picks, covered weight, proven
    optimal) or None, where matrix is the reduced candidates × demand matrix (e.g. CBC in the coverage app's
    `exact.py`). The solver's answer replaces the greedy one only when it covers more; `exact` on the result
    says whether the optimum was proven (the greedy answer is then proven optimal too when it covers as much).
    """
    demand_lat, demand_lon = _as_array(demand_lat, "demand_lat"), _as_array(demand_lon, "demand_lon")
    candidate_lat, candidate_lon = (
        _as_array(candidate_lat, "candidate_lat"),
        _as_array(candidate_lon, "candidate_lon"),
    )
    weights = _as_array(weights, "weights")
    if not (len(demand_lat) == len(demand_lon) == len(weights)):
        raise ValueError("demand arrays and weights must have the same length")
    if np.any(weights < 0):
        raise ValueError("weights must be non-negative")
    if not (radius_km > 0):
        raise ValueError("radius_km must be positive")
    if not (1 <= k <= len(candidate_lat)):
        raise ValueError("k must be between 1 and the number of candidates")

    covered = np.zeros(len(demand_lat), dtype=bool)
    if existing_lat is not None and len(existing_lat):
        covered = nearest_distances(demand_lat, demand_lon, existing_lat, existing_lon) <= radius_km
    existing_weight = float(weights[covered].sum())

    # Reduced problem: demand not yet covered, candidates reaching some of it.
    open_demand = np.flatnonzero(~covered & (weights > 0))
    matrix = coverage_matrix(
        demand_lat[open_demand], demand_lon[open_demand], candidate_lat, candidate_lon, radius_km
    )
    open_weights = weights[open_demand]

    chosen, gains, reached, bound_gain = _greedy(
        matrix, open_weights, k, candidate_lat, candidate_lon, min_spacing_km
    )
    if min_spacing_km is None and len(chosen) > 1:
        improved = _improve_by_swaps(matrix, open_weights, chosen)
        if improved is not None:
            swapped = _explain(matrix, open_weights, open_demand, improved, existing_weight, 0.0)
            chosen, gains = swapped.chosen, swapped.gains
            reached = [np.searchsorted(open_demand, r) for r in swapped.reached]
    greedy_weight = existing_weight + sum(gains)
    greedy_gain = sum(gains)
    if matrix.nnz <= LP_MAX_NONZEROS:
        relaxed = _lp_bound(matrix, open_weights, k)
    else:  # a national greenfield model: the LP takes a minute, its Lagrangian dual a fraction of a second
        relaxed = _lagrangian_bound(matrix, open_weights, k, greedy_gain)
    upper = existing_weight + min(relaxed, bound_gain)
    result = Recommendation(
        chosen=chosen,
        covered_weight=greedy_weight,
        upper_bound=max(upper, greedy_weight),
        existing_weight=existing_weight,
        gains=gains,
        reached=[open_demand[r].tolist() for r in reached],
    )
    if exact and min_spacing_km is None:
        solved = (exact_solver or _exact)(matrix, open_weights, k, time_limit_s)
        if solved is not None:
            picks, value, optimal = solved
            tolerance = 1e-9 * max(1.0, greedy_gain)
            if picks and value > greedy_gain + tolerance:
                result = _explain(
                    matrix, open_weights, open_demand, picks, existing_weight, result.upper_bound
                )
            if optimal and value <= result.covered_weight - existing_weight + tolerance:
                # The optimum is proven and this answer reaches it (the greedy one often does).
                result.exact = True
                result.upper_bound = result.covered_weight
    return result


def _greedy(matrix, weights, k, candidate_lat, candidate_lon, min_spacing_km):
    """Greedy picks with lazy gains (a candidate's gain only ever shrinks as demand gets covered).

    Also returns the submodular bound on the gain of the best k picks without spacing: the gains taken plus
    the k largest gains still known for the other candidates (stale gains only over-estimate).
    """
    rows = matrix.tocsr()
    n_candidates = matrix.shape[0]
    known_gain = np.asarray(rows @ weights).ravel() if matrix.nnz else np.zeros(n_candidates)
    heap = [(-g, j) for j, g in enumerate(known_gain) if g > 0]
    heapq.heapify(heap)
    demand_covered = np.zeros(matrix.shape[1], dtype=bool)
    chosen, gains, reached = [], [], []
    banned = np.zeros(n_candidates, dtype=bool)
    spacing_tree = cKDTree(unit_vectors(candidate_lat, candidate_lon)) if min_spacing_km else None
    initial_bound = float(np.sort(known_gain)[::-1][:k].sum())
    exhausted = False
    while heap and len(chosen) < k:
        _, j = heapq.heappop(heap)
        if banned[j]:
            continue
        fresh = _fresh(rows, j, demand_covered)
        current = float(weights[fresh].sum())
        known_gain[j] = current
        if heap and current < -heap[0][0] - 1e-12:
            if current > 0:
                heapq.heappush(heap, (-current, j))
            continue
        if current <= 0:
            exhausted = True  # every candidate's gain is 0: all reachable demand is covered
            break
        chosen.append(int(j))
        gains.append(current)
        reached.append(fresh)
        demand_covered[fresh] = True
        banned[j] = True
        known_gain[j] = 0.0
        if spacing_tree is not None:
            near = spacing_tree.query_ball_point(
                unit_vectors([candidate_lat[j]], [candidate_lon[j]])[0], float(km_to_chord(min_spacing_km))
            )
            banned[near] = True
    if not heap and spacing_tree is None:
        exhausted = True
    taken = sum(gains)
    if exhausted and spacing_tree is None:
        return chosen, gains, reached, taken
    final_bound = taken + float(np.sort(known_gain)[::-1][:k].sum())
    return chosen, gains, reached, min(initial_bound, final_bound)


def _improve_by_swaps(matrix, weights, chosen, max_passes=3):
    """Local search after greedy: replace a pick by the candidate that then adds the most, when that covers
    more than the pick did. Returns the improved picks, or None when no swap helps."""
    rows = matrix.tocsr()
    weights_float = weights.astype(float)
    count = np.zeros(matrix.shape[1], dtype=np.int32)  # how many picks cover each demand point
    for j in chosen:
        count[rows.indices[rows.indptr[j] : rows.indptr[j + 1]]] += 1
    picks = list(chosen)
    improved = False
    for _ in range(max_passes):
        changed = False
        for position, j in enumerate(list(picks)):
            own = rows.indices[rows.indptr[j] : rows.indptr[j + 1]]
            count[own] -= 1
            loss = float(weights_float[own][count[own] == 0].sum())
            gains = rows @ np.where(count == 0, weights_float, 0.0)
            gains[picks] = -1.0
            best = int(np.argmax(gains))
            if gains[best] > loss * (1 + 1e-9) + 1e-9:
                picks[position] = best
                count[rows.indices[rows.indptr[best] : rows.indptr[best + 1]]] += 1
                changed = improved = True
            else:
                count[own] += 1
        if not changed:
            break
    return picks if improved else None


# Above this many (candidate, demand) pairs, the bound comes from the Lagrangian dual instead of the LP.
LP_MAX_NONZEROS = 300_000


def _lagrangian_bound(matrix, weights, k, lower_bound, iterations=600):
    """Upper bound from the Lagrangian relaxation of the coverage constraints, improved by subgradient steps.

    For multipliers λ ≥ 0: L(λ) = Σ_i max(0, w_i − λ_i) + (sum of the k largest (Aλ)_j) ≥ the optimum,
    whatever λ; the smallest value met is returned.
    """
    rows = matrix.tocsr().astype(float)
    if rows.nnz == 0:
        return 0.0
    k = min(k, rows.shape[0])
    lam = weights * 0.5
    best = np.inf
    theta = 2.0
    stall = 0
    for _ in range(iterations):
        reduced = weights - lam
        y = reduced > 0
        scores = rows @ lam
        top = np.argpartition(scores, -k)[-k:]
        value = float(reduced[y].sum() + scores[top].sum())
        if value < best * (1 - 1e-9):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2, 0
                if theta < 1e-4:
                    break
        covered_by_x = np.asarray(rows[top].sum(axis=0)).ravel()
        subgradient = y.astype(float) - covered_by_x
        norm = float(subgradient @ subgradient)
        if norm == 0 or best <= lower_bound * (1 + 1e-6):
            break
        step = theta * (value - lower_bound) / norm
        lam = np.clip(lam + step * subgradient, 0.0, weights)
    return best


def _lp_bound(matrix, weights, k):
    """Optimum of the linear relaxation of the reduced MCLP: max w·y, y_i ≤ Σ_{j covers i} x_j,
    Σ x_j ≤ k, 0 ≤ x, y ≤ 1. An upper bound on any integer solution."""
    n_candidates, n_demand = matrix.shape
    if n_demand == 0 or matrix.nnz == 0:
        return 0.0
    useful = np.flatnonzero(np.asarray(matrix.sum(axis=1)).ravel() > 0)
    reachable = np.flatnonzero(np.asarray(matrix.sum(axis=0)).ravel() > 0)
    sub = matrix[useful][:, reachable].T.tocsr().astype(float)  # demand × candidates
    n_x, n_y = len(useful), len(reachable)
    cost = np.concatenate([np.zeros(n_x), -weights[reachable]])
    a_cover = sparse.hstack([-sub, sparse.identity(n_y, format="csr")], format="csr")  # y - A x ≤ 0
    a_budget = sparse.hstack(
        [sparse.csr_matrix(np.ones((1, n_x))), sparse.csr_matrix((1, n_y))], format="csr"
    )
    a_ub = sparse.vstack([a_cover, a_budget], format="csr")
    b_ub = np.concatenate([np.zeros(n_y), [min(k, n_x)]])
    solution = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if solution.status != 0:
        return float(weights[reachable].sum())
    # HiGHS' dual bound is the proof; the primal objective equals it at optimality (tolerance added).
    return float(-solution.fun) * (1 + 1e-9) + 1e-9


def _exact(matrix, weights, k, time_limit_s):
    n_candidates, n_demand = matrix.shape
    if n_demand == 0 or matrix.nnz == 0:
        return [], 0.0, True
    useful = np.flatnonzero(np.asarray(matrix.sum(axis=1)).ravel() > 0)
    reachable = np.flatnonzero(np.asarray(matrix.sum(axis=0)).ravel() > 0)
    sub = matrix[useful][:, reachable].T.tocsr().astype(float)
    n_x, n_y = len(useful), len(reachable)
    cost = np.concatenate([np.zeros(n_x), -weights[reachable]])
    cover = LinearConstraint(sparse.hstack([-sub, sparse.identity(n_y)], format="csr"), -np.inf, 0)
    budget = LinearConstraint(np.concatenate([np.ones(n_x), np.zeros(n_y)])[None, :], 0, min(k, n_x))
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_y)])
    solution = milp(
        cost,
        constraints=[cover, budget],
        integrality=integrality,
        bounds=(0, 1),
        options={"time_limit": time_limit_s},
    )
    if solution.x is None:
        return None
    picks = useful[np.flatnonzero(solution.x[:n_x] > 0.5)].tolist()
    reached = np.asarray(matrix.tocsr()[picks].sum(axis=0)).ravel() > 0 if picks else np.zeros(n_demand, bool)
    return picks, float(weights[reached].sum()), solution.status == 0


def _explain(matrix, weights, open_demand, picks, existing_weight, upper_bound):
    """Order picks greedily and say what each newly covers (for an exact solution)."""
    rows = matrix.tocsr()
    covered = np.zeros(matrix.shape[1], dtype=bool)
    remaining, chosen, gains, reached = list(picks), [], [], []
    while remaining:
        best = max(remaining, key=lambda j: weights[_fresh(rows, j, covered)].sum())
        fresh = _fresh(rows, best, covered)
        chosen.append(int(best))
        gains.append(float(weights[fresh].sum()))
        reached.append(open_demand[fresh].tolist())
        covered[fresh] = True
        remaining.remove(best)
    return Recommendation(
        chosen=chosen,
        covered_weight=existing_weight + sum(gains),
        upper_bound=upper_bound,
        existing_weight=existing_weight,
        gains=gains,
        reached=reached,
    )


def _fresh(rows, j, covered):
    row = rows.indices[rows.indptr[j] : rows.indptr[j + 1]]
    return row[~covered[row]]
