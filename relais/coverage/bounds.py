"""Proven upper bounds on the reduced Maximal Covering Location Problem (no Django: see engine.py).

The reduced problem is a boolean matrix (candidates × demand not yet covered) with the demand's weights and
a budget of k picks. It is first made smaller without changing its optimum (`equivalent_smaller_model`).
Then either:

- `component_bound`: the coverage graph's connected components share only the budget; small components are
  solved exactly for every number of picks, large ones by their linear relaxation (HiGHS), and the budget is
  shared among their concave envelopes — at least as tight as the linear relaxation of the whole;
- `lagrangian_bound`, for models too large for an LP solved in seconds (the national greenfield case): the
  Lagrangian dual of the coverage constraints, minimised by the volume algorithm, which also gives an
  estimate of the relaxation's picks (`LagrangianBound.picks_estimate`) to guide a better answer.

Dense vector products are written as sums, not `@`: with several BLAS threads on a loaded machine, one dot
product of 30,000 numbers can take milliseconds.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

# Components of the coverage graph with at most this many candidates are solved exactly for every number of
# picks (by enumeration); larger ones go to the linear relaxation.
ENUMERATED_COMPONENT_SIZE = 16
# The volume algorithm's iterations: on the national greenfield model (31,000 candidates, 830,000 pairs),
# 150 bring the bound within 0.2 % of the linear relaxation, in under a second.
LAGRANGIAN_ITERATIONS = 150


def equivalent_smaller_model(matrix, weights):
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
    first_of_group, group_index = _identical_rows(columns)
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


def _identical_rows(rows):
    """Groups of identical rows of a CSR matrix with sorted indices and no empty row: (first row of each
    group, group of each row).

    Rows are told apart by their length and two random 64-bit fingerprints (sums of a random number per
    column, wrapping around), then every row is checked against the first of its group; in the unlikely
    event of two different rows with the same fingerprints, by sorting the rows themselves instead."""
    degree = np.diff(rows.indptr)
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    draws = np.random.default_rng(20250311).integers(0, 2**63, size=(2, rows.shape[1]), dtype=np.uint64)
    starts = rows.indptr[:-1]
    keys = np.column_stack(
        [degree.astype(np.uint64)] + [np.add.reduceat(draw[rows.indices], starts) for draw in draws]
    )
    _, first_of_group, group_index = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group_index = group_index.ravel()
    first = first_of_group[group_index]
    if np.array_equal(rows.indices, rows.indices[_entries_of_rows(rows.indptr, first)]):
        return first_of_group, group_index
    return _identical_rows_by_sorting(rows)


def _identical_rows_by_sorting(rows):
    """`_identical_rows` by sorting the rows, padded with -1 to the largest length (slower)."""
    degree = np.diff(rows.indptr)
    padded = np.full((rows.shape[0], int(degree.max())), -1, dtype=np.int64)
    padded[np.repeat(np.arange(rows.shape[0]), degree), _positions_in_rows(rows.indptr)] = rows.indices
    _, first_of_group, group_index = np.unique(padded, axis=0, return_index=True, return_inverse=True)
    return first_of_group, group_index.ravel()


def _entries_of_rows(indptr, items):
    """The positions of the entries of these rows of a CSR matrix (given by its indptr), concatenated."""
    starts, lengths = indptr[items], indptr[np.asarray(items) + 1] - indptr[items]
    return np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(
        lengths.sum()
    )


def _positions_in_rows(indptr):
    """For every stored entry of a CSR matrix, its position within its row (0, 1, 2…)."""
    counts = np.diff(indptr)
    return np.arange(indptr[-1]) - np.repeat(indptr[:-1], counts)


def component_bound(matrix, weights, k, *, reduced=False):
    """An upper bound on the reduced MCLP at least as tight as its linear relaxation, found per component.

    Picks interact only inside a connected component of the coverage graph (candidates and the demand they
    reach), and components share only the budget k. For a small component, the best coverage F(b) with b
    picks is computed exactly for every b and replaced by its concave envelope (the smallest concave function
    above it); large components keep their linear relaxation LP(b), concave too and above F(b). The best
    split of k among these concave functions — one small LP, or a fractional knapsack when every component
    is small — is then at least the optimum of any integer solution, and never above the plain relaxation.
    With `reduced`, the model is already `equivalent_smaller_model`'s.
    """
    if matrix.shape[1] == 0 or matrix.nnz == 0:
        return 0.0
    if not reduced:
        matrix, weights, _ = equivalent_smaller_model(matrix, weights)
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
        best = best_coverage_by_count(cover, weights[demand], k)
        for cost, value in concave_envelope_pieces(best):
            costs.append(np.array([cost]))
            values.append(np.array([value]))
    costs, values = np.concatenate(costs), np.concatenate(values)
    if not large:
        return fractional_knapsack(costs, values, k) * (1 + 1e-9) + 1e-9
    large = np.concatenate(large)
    reachable = np.flatnonzero(np.diff(matrix[large].tocsc().indptr) > 0)
    return relaxation(matrix[large][:, reachable], weights[reachable], k, costs, values)


_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(float)  # bits of each byte value


def best_coverage_by_count(cover, weights, k):
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


def concave_envelope_pieces(best):
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


def fractional_knapsack(costs, values, budget):
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


def relaxation(matrix, weights, k, piece_costs=(), piece_values=()):
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


@dataclass
class LagrangianBound:
    value: float  # an upper bound on the optimum (the smallest dual value met)
    picks_estimate: np.ndarray  # per candidate, in [0, 1]: the volume algorithm's estimate of the LP's x


def lagrangian_bound(matrix, weights, k, lower_bound, iterations=LAGRANGIAN_ITERATIONS):
    """Upper bound from the Lagrangian relaxation of the coverage constraints y_i ≤ Σ_{j covers i} x_j.

    For multipliers 0 ≤ λ ≤ w: L(λ) = Σ_i (w_i − λ_i) + (sum of the k largest (Aλ)_j) ≥ the optimum, whatever
    λ; the smallest value met is returned. λ moves by the volume algorithm (Barahona and Anbil, 2000): the
    direction is an average of the subgradients (fewer zigzags than plain subgradient steps), the step
    aims at `lower_bound` (a known solution's value), its scale grows after a step that helps and shrinks
    after one that does not. The same average of the subproblems' picks estimates the relaxation's x.
    """
    rows = sparse.csr_matrix(matrix, dtype=float)
    rows.sum_duplicates()
    n_candidates, n_demand = rows.shape
    if rows.nnz == 0:
        return LagrangianBound(0.0, np.zeros(n_candidates))
    weights = np.asarray(weights, dtype=float)
    k = min(k, n_candidates)
    total = float(weights.sum())
    indptr, indices = rows.indptr, rows.indices

    def solve(lam):
        """L(λ), the k picks of its subproblem, and a subgradient (picks covering i, minus y_i)."""
        scores = rows @ lam
        top = np.argpartition(scores, -k)[-k:]
        value = total - float(lam.sum()) + float(scores[top].sum())
        entries = np.concatenate([np.arange(indptr[j], indptr[j + 1]) for j in top])
        count = np.bincount(indices[entries], minlength=n_demand).astype(float)
        return value, top, count - (lam < weights)

    lam = weights * 0.5
    best, top, direction = solve(lam)
    estimate = np.zeros(n_candidates)
    estimate[top] = 1.0
    scale, alpha = 0.5, 0.1
    center, center_value = lam, best
    for _ in range(iterations):
        if center_value <= lower_bound * (1 + 1e-9):
            break  # the known solution reaches the bound: it is optimal
        step = direction.copy()
        step[(center >= weights) & (step < 0)] = 0.0  # components that would leave the box [0, w]
        step[(center <= 0) & (step > 0)] = 0.0
        norm = float((step * step).sum())
        if norm == 0:
            break
        lam = np.clip(center - scale * (center_value - lower_bound) / norm * step, 0.0, weights)
        value, top, subgradient = solve(lam)
        best = min(best, value)
        direction = alpha * subgradient + (1 - alpha) * direction
        estimate *= 1 - alpha
        estimate[top] += alpha
        if value < center_value:
            if float((subgradient * step).sum()) >= 0:  # still going down that way: longer steps
                scale = min(2.0, scale * 1.1)
            center, center_value = lam, value
        else:
            scale = max(1e-4, scale * 0.66)
    # Sums of millions in floating point: a relative margin keeps the bound a bound.
    return LagrangianBound(best * (1 + 1e-9), estimate)
