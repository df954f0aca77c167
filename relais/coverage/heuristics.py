"""Good answers to the reduced Maximal Covering Location Problem, fast (no Django: see engine.py).

The reduced problem is a boolean matrix (candidates × demand not yet covered) with the demand's weights:

- `greedy`: picks with lazy marginal gains, an optional minimum spacing between picks, and the classic
  submodular bound of the run;
- `improve_by_swaps`: a 1-swap local search after it (repairs greedy traps);
- `guided_picks`: the greedy restricted to the candidates the Lagrangian relaxation favours
  (bounds.lagrangian_bound's estimate of the relaxation's picks), filled up by the plain greedy when that
  leaves budget: on national models it lands much closer to the optimum than the greedy alone;
- `explain`: picks ordered greedily with the demand each newly covers (for an answer found another way).
"""

import heapq

import numpy as np
from scipy.spatial import cKDTree

from relais.territory.geo import km_to_chord, unit_vectors

# Candidates whose estimated share of a pick in the relaxation is above this are the guided greedy's.
GUIDED_SUPPORT = 0.01


def greedy(matrix, weights, k, candidate_lat=None, candidate_lon=None, min_spacing_km=None):
    """Greedy picks with lazy gains (a candidate's gain only ever shrinks as demand gets covered):
    (picks, gains, demand indices newly covered by each pick, bound).

    The bound is the submodular one on the gain of the best k picks without spacing: the gains taken plus
    the k largest gains still known for the other candidates (stale gains only over-estimate). With
    `min_spacing_km` (and the candidates' coordinates), no two picks are closer than that.
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
        new = fresh(rows, j, demand_covered)
        current = float(weights[new].sum())
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
        reached.append(new)
        demand_covered[new] = True
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


def improve_by_swaps(matrix, weights, chosen, max_passes=3):
    """Local search after greedy: replace a pick by the candidate that then adds the most, when that covers
    more than the pick did. Returns the improved picks, or None when no swap helps.

    Every candidate's gain (the uncovered weight it reaches) is kept up to date as picks come and go: only
    the candidates reaching demand whose cover changes are touched, not the whole matrix."""
    rows = matrix.tocsr()
    columns = rows.T.tocsr()  # demand × candidates
    weights_float = np.asarray(weights, dtype=float)
    n_candidates = matrix.shape[0]
    count = np.zeros(matrix.shape[1], dtype=np.int32)  # how many picks cover each demand point
    for j in chosen:
        count[row_entries(rows, [j])] += 1
    gain = np.asarray(rows @ np.where(count == 0, weights_float, 0.0)).ravel()

    def cover_changes(demand, sign):
        """Demand points just uncovered (sign +1) or just covered (-1): their candidates' gains follow."""
        if len(demand):
            entries = ranges(columns.indptr, demand)
            reached = np.repeat(weights_float[demand], np.diff(columns.indptr)[demand])
            gain[:] += sign * np.bincount(columns.indices[entries], weights=reached, minlength=n_candidates)

    def add(j):
        own = row_entries(rows, [j])
        count[own] += 1
        cover_changes(own[count[own] == 1], -1)

    picks = list(chosen)
    improved = False
    for _ in range(max_passes):
        changed = False
        for position, j in enumerate(list(picks)):
            own = row_entries(rows, [j])
            count[own] -= 1
            freed = own[count[own] == 0]
            loss = float(weights_float[freed].sum())
            cover_changes(freed, +1)
            candidates = gain.copy()
            candidates[picks] = -1.0
            best = int(np.argmax(candidates))
            if candidates[best] > loss * (1 + 1e-9) + 1e-9:
                picks[position] = best
                add(best)
                changed = improved = True
            else:
                add(j)
        if not changed:
            break
    return picks if improved else None


def ranges(indptr, items):
    """The entries of these rows of a CSR matrix (given by its indptr), concatenated."""
    items = np.asarray(items, dtype=np.int64)
    starts, lengths = indptr[items], indptr[items + 1] - indptr[items]
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return offsets + np.arange(int(lengths.sum()))


def row_entries(rows, items):
    """The column indices stored in these rows of a CSR matrix."""
    return rows.indices[ranges(rows.indptr, items)]


def guided_picks(matrix, weights, k, estimate):
    """The greedy among the candidates whose `estimate` (a share of a pick, from the relaxation) is above
    GUIDED_SUPPORT, then the plain greedy for the budget left, then the swap search: the picks."""
    support = np.flatnonzero(estimate > GUIDED_SUPPORT)
    picks = [int(support[j]) for j in greedy(matrix[support], weights, k)[0]] if len(support) else []
    if len(picks) < k:
        covered = np.zeros(matrix.shape[1], dtype=bool)
        rows = matrix.tocsr()
        for j in picks:
            covered[rows.indices[rows.indptr[j] : rows.indptr[j + 1]]] = True
        left = np.where(covered, 0.0, weights)
        picks += [j for j in greedy(matrix, left, k - len(picks))[0] if j not in picks]
    return improve_by_swaps(matrix, weights, picks) or picks


def covered_weight(matrix, weights, picks):
    """Weight of the demand points (columns) reached by at least one of the picks (rows)."""
    if not len(picks):
        return 0.0
    rows = matrix.tocsr()
    entries = np.concatenate([np.arange(rows.indptr[j], rows.indptr[j + 1]) for j in picks])
    reached = np.zeros(matrix.shape[1], dtype=bool)
    reached[rows.indices[entries]] = True
    return float(np.asarray(weights, dtype=float)[reached].sum())


def explain(matrix, weights, picks):
    """Order picks greedily and say what each newly covers: (picks, gains, demand indices reached by each)."""
    rows = matrix.tocsr()
    covered = np.zeros(matrix.shape[1], dtype=bool)
    remaining, chosen, gains, reached = list(picks), [], [], []
    while remaining:
        best = max(remaining, key=lambda j: weights[fresh(rows, j, covered)].sum())
        new = fresh(rows, best, covered)
        chosen.append(int(best))
        gains.append(float(weights[new].sum()))
        reached.append(new)
        covered[new] = True
        remaining.remove(best)
    return chosen, gains, reached


def fresh(rows, j, covered):
    """The demand points candidate j reaches that are not covered yet."""
    row = rows.indices[rows.indptr[j] : rows.indptr[j + 1]]
    return row[~covered[row]]
