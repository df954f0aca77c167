"""Coverage (maillage) engine: distances from communes to places, covered population, and where k new
places would cover the most uncovered population (Maximal Covering Location Problem).

Pure numpy/scipy, no Django: analysts call it from notebooks with plain arrays of degrees; the coverage
app feeds it from the database. Distances are great-circle kilometres (see `relais.territory.geo`).

Siting: a greedy pass with lazy marginal gains on a sparse coverage matrix, with existing places kept as
they are, a 1-swap local search, then a proven upper bound on the best achievable coverage for that k. The
bound works on the reduced problem (only demand not yet covered and the candidates that reach it), made
smaller without changing its optimum (identical demand merged, dominated candidates dropped) and split into
the connected components of the coverage graph: small components are solved exactly for every number of
picks, large ones by their linear relaxation (HiGHS), and the budget is shared among their concave
envelopes — at least as tight as the linear relaxation of the whole. Above LP_MAX_NONZEROS pairs, a
Lagrangian dual replaces it. The classic submodular bound of the greedy run is also computed; the smaller
bound is reported.
"""

import heapq
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components
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
    use_lp = matrix.nnz <= LP_MAX_NONZEROS
    relaxed = _lp_bound(matrix, open_weights, k) if use_lp else None
    # The local search only runs when the bound leaves room: a greedy answer that reaches it is optimal.
    room = relaxed is None or sum(gains) < min(relaxed, bound_gain) * (1 - 1e-7)
    if min_spacing_km is None and len(chosen) > 1 and room:
        improved = _improve_by_swaps(matrix, open_weights, chosen)
        if improved is not None:
            swapped = _explain(matrix, open_weights, open_demand, improved, existing_weight, 0.0)
            chosen, gains = swapped.chosen, swapped.gains
            reached = [np.searchsorted(open_demand, r) for r in swapped.reached]
    greedy_weight = existing_weight + sum(gains)
    greedy_gain = sum(gains)
    if not use_lp:  # national greenfield: one giant component whose LP takes a minute; its dual, a second
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
        solved = ([], 0.0, True)  # nothing left to cover
        if matrix.nnz:  # the solver gets the smaller model with the same optimum
            smaller, smaller_weights, kept = _equivalent_smaller_model(matrix, open_weights)
            solved = (exact_solver or _exact)(
                smaller, smaller_weights, min(k, smaller.shape[0]), time_limit_s
            )
            if solved is not None:
                solved = (kept[list(solved[0])].tolist(), solved[1], solved[2])
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


def _equivalent_smaller_model(matrix, weights):
    """A smaller model with the same optimum, integer or relaxed: (candidates × demand matrix, weights,
    indices of the candidates kept in the original matrix).

    Demand points that no candidate reaches are dropped; demand points reached by the same candidates are
    merged (their weights added: their y are equal at an optimum); a candidate whose demand is a subset of
    another's is dropped (moving its share of the budget to the other never covers less).
    """
    rows = sparse.csr_matrix(matrix, dtype=bool)
    rows.sum_duplicates()
    reachable = np.flatnonzero(np.diff(rows.tocsc().indptr) > 0)
    columns = rows[:, reachable].T.tocsr()  # demand × candidates
    columns.sort_indices()
    # Rows padded with -1 to the largest degree: identical rows are identical cover sets.
    degree = np.diff(columns.indptr)
    padded = np.full((len(reachable), int(degree.max()) if len(degree) else 0), -1, dtype=np.int64)
    padded[np.repeat(np.arange(len(reachable)), degree), _positions_in_rows(columns.indptr)] = columns.indices
    _, first_of_group, group_index = np.unique(padded, axis=0, return_index=True, return_inverse=True)
    merged_weights = np.bincount(
        group_index.ravel(), weights=weights[reachable], minlength=len(first_of_group)
    )
    merged = columns[first_of_group].T.tocsr()  # candidates × merged demand
    size = np.diff(merged.indptr)
    overlap = (merged.astype(np.int32) @ merged.T.astype(np.int32)).tocoo()
    r, c = overlap.row, overlap.col
    inside = (overlap.data == size[r]) & (r != c) & ((size[c] > size[r]) | ((size[c] == size[r]) & (c < r)))
    keep = np.ones(merged.shape[0], dtype=bool)
    keep[r[inside]] = False
    keep &= size > 0
    return merged[keep], merged_weights, np.flatnonzero(keep)


# Components of the coverage graph with at most this many candidates are solved exactly for every number of
# picks (by enumeration); larger ones go to the linear relaxation.
ENUMERATED_COMPONENT_SIZE = 16


def _positions_in_rows(indptr):
    """For every stored entry of a CSR matrix, its position within its row (0, 1, 2…)."""
    counts = np.diff(indptr)
    return np.arange(indptr[-1]) - np.repeat(indptr[:-1], counts)


def _lp_bound(matrix, weights, k):
    """An upper bound on the reduced MCLP at least as tight as its linear relaxation, found per component.

    Picks interact only inside a connected component of the coverage graph (candidates and the demand they
    reach), and components share only the budget k. For a small component, the best coverage F(b) with b
    picks is computed exactly for every b and replaced by its concave envelope (the smallest concave function
    above it); large components keep their linear relaxation LP(b), concave too and above F(b). The best
    split of k among these concave functions — one small LP, or a fractional knapsack when every component
    is small — is then at least the optimum of any integer solution, and never above the plain relaxation.
    """
    if matrix.shape[1] == 0 or matrix.nnz == 0:
        return 0.0
    matrix, weights, _ = _equivalent_smaller_model(matrix, weights)
    n_candidates = matrix.shape[0]
    if n_candidates == 0:
        return 0.0
    graph = sparse.bmat([[None, matrix], [matrix.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    candidate_labels, demand_labels = labels[:n_candidates], labels[n_candidates:]
    per_component = np.bincount(candidate_labels)
    # Pieces of the concave envelopes: (budget taken, weight covered), in decreasing order of slope within
    # each component. A component with one candidate is one piece: that candidate's whole demand.
    single = per_component[candidate_labels] == 1
    costs = [np.ones(int(single.sum()))]
    values = [np.asarray(matrix[single] @ weights).ravel()]
    large = []
    candidate_order = np.argsort(candidate_labels, kind="stable")
    demand_order = np.argsort(demand_labels, kind="stable")
    candidate_starts = np.searchsorted(candidate_labels[candidate_order], np.arange(len(per_component) + 1))
    demand_starts = np.searchsorted(demand_labels[demand_order], np.arange(len(per_component) + 1))
    # Position of each demand point within its component (to build the small dense arrays directly).
    local = np.empty(len(demand_labels), dtype=np.int64)
    local[demand_order] = np.arange(len(demand_order)) - demand_starts[demand_labels[demand_order]]
    indptr, indices = matrix.indptr, matrix.indices
    for component in np.flatnonzero(per_component > 1):
        candidates = candidate_order[candidate_starts[component] : candidate_starts[component + 1]]
        if len(candidates) > ENUMERATED_COMPONENT_SIZE:
            large.append(candidates)
            continue
        demand = demand_order[demand_starts[component] : demand_starts[component + 1]]
        cover = np.zeros((len(candidates), len(demand)), dtype=bool)
        for row, j in enumerate(candidates):
            cover[row, local[indices[indptr[j] : indptr[j + 1]]]] = True
        best = _best_coverage_by_count(cover, weights[demand], k)
        for cost, value in _concave_envelope_pieces(best):
            costs.append(np.array([cost]))
            values.append(np.array([value]))
    costs, values = np.concatenate(costs), np.concatenate(values)
    if not large:
        return _fractional_knapsack(costs, values, k) * (1 + 1e-9) + 1e-9
    large = np.concatenate(large)
    reachable = np.flatnonzero(np.diff(matrix[large].tocsc().indptr) > 0)
    return _relaxation(matrix[large][:, reachable], weights[reachable], k, costs, values)


_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(float)  # bits of each byte value


def _best_coverage_by_count(cover, weights, k):
    """best[b] = the most weight b of these candidates cover together (b = 0…min(k, n)), by enumeration.

    `cover` is a dense boolean (candidates × demand) array of one small component. Subsets are built by
    doubling (each candidate in or out); with at most 64 demand points their coverage is a 64-bit mask whose
    weight is read byte by byte from precomputed tables.
    """
    n, d = cover.shape
    sizes = np.zeros(1, dtype=np.int64)
    if d <= 64:
        masks = (cover.astype(np.uint64) << np.arange(d, dtype=np.uint64)).sum(axis=1, dtype=np.uint64)
        covered = np.zeros(1, dtype=np.uint64)
        for mask in masks:
            covered = np.concatenate([covered, covered | mask])
            sizes = np.concatenate([sizes, sizes + 1])
        n_bytes = (d + 7) // 8
        padded = np.zeros(8 * n_bytes)
        padded[:d] = weights
        tables = _BYTE_BITS @ padded.reshape(n_bytes, 8).T  # 256 × bytes: weight of each byte value
        as_bytes = covered.view(np.uint8).reshape(-1, 8)[:, :n_bytes]  # little-endian: byte b = bits 8b…
        value = tables[as_bytes, np.arange(n_bytes)].sum(axis=1)
    else:
        subsets = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1  # every subset as a 0/1 row
        sizes = subsets.sum(axis=1)
        value = ((subsets @ cover.astype(np.int64)) > 0) @ weights
    top = min(k, n)
    best = np.zeros(top + 1)
    within = sizes <= top
    np.maximum.at(best, sizes[within], value[within])
    return np.maximum.accumulate(best)


def _concave_envelope_pieces(best):
    """The pieces (budget, value) of the smallest concave function above the points (b, best[b])."""
    hull = [0]
    for b in range(1, len(best)):
        while len(hull) >= 2:
            a, c = hull[-2], hull[-1]
            # Drop c when it lies on or below the segment from a to b.
            if (best[c] - best[a]) * (b - a) <= (best[b] - best[a]) * (c - a):
                hull.pop()
            else:
                break
        hull.append(b)
    return [(b - a, best[b] - best[a]) for a, b in zip(hull, hull[1:], strict=False) if best[b] > best[a]]


def _fractional_knapsack(costs, values, budget):
    """max Σ values·z subject to Σ costs·z ≤ budget, 0 ≤ z ≤ 1: best value per unit of budget first."""
    order = np.argsort(-values / costs, kind="stable")
    spent = np.cumsum(costs[order])
    full = spent <= budget
    total = float(values[order][full].sum())
    rest = np.flatnonzero(~full)
    if len(rest):
        j = order[rest[0]]
        left = budget - (spent[rest[0]] - costs[j])
        total += float(values[j]) * max(0.0, left) / float(costs[j])
    return total


def _relaxation(matrix, weights, k, piece_costs=(), piece_values=()):
    """Optimum of the linear relaxation max w·y + Σ v_p z_p, y_i ≤ Σ_{j covers i} x_j,
    Σ x_j + Σ c_p z_p ≤ k, 0 ≤ x, y, z ≤ 1, solved by HiGHS (an upper bound on any integer solution)."""
    piece_costs, piece_values = np.asarray(piece_costs, float), np.asarray(piece_values, float)
    sub = matrix.T.tocsr().astype(float)  # demand × candidates
    n_x, n_y = matrix.shape[0], matrix.shape[1]
    n_z = len(piece_costs)
    cost = np.concatenate([np.zeros(n_x), -weights, -piece_values])
    a_cover = sparse.hstack(
        [-sub, sparse.identity(n_y, format="csr"), sparse.csr_matrix((n_y, n_z))], format="csr"
    )  # y - A x ≤ 0
    a_budget = sparse.csr_matrix(np.concatenate([np.ones(n_x), np.zeros(n_y), piece_costs])[None, :])
    a_ub = sparse.vstack([a_cover, a_budget], format="csr")
    b_ub = np.concatenate([np.zeros(n_y), [k]])
    solution = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if solution.status != 0:
        return float(weights.sum() + piece_values.sum())
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
