"""Maximum-weight b-matching, solved exactly and certified: the engine under the
matching round (bot/mentorship/matching.py owns the rules and the scores; this module
knows only a score matrix, which pairs may be chosen, and each column's capacity).

The problem: rows (requests) x columns (mentors) with integer scores `ticks`, a mask
`candidate` of the pairs that may be chosen, and `caps` places per column; pick at most
one column per row and at most `caps[j]` rows per column, maximising the total score.

How: prune to each row's and column's best candidates, solve that restricted problem
with scipy's sparse LAPJV (`min_weight_full_bipartite_matching`, each column repeated
once per place), read LP dual prices off its residual graph, and add back every
left-out pair that would improve the total (positive reduced score); repeat until no
such pair exists. Dual objective = primal total, checked in exact integer arithmetic,
certifies the optimum over *all* candidate pairs, not only the kept ones.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Initial pruning: each request keeps its ROW_KEEP best mentors, each mentor its
# COL_KEEP + COL_KEEP_PER_PLACE * places best requests. Pricing adds back what is needed.
ROW_KEEP = 8
COL_KEEP = 10
COL_KEEP_PER_PLACE = 3
# Each offending request gets back its ROW_ADD best left-out pairs in the first pricing
# pass, twice as many in each later one (more at first only slowed the benchmarks).
ROW_ADD = 1
# Up to this many candidate pairs, skip pruning: the problem is small anyway.
SMALL = 20_000
MAX_PASSES = 50
# Slot k of a mentor costs k * _SLOT_TIE ticks more: identical slots otherwise make many
# equal-cost paths. Summed over all slots it stays far below one tick (1/64 point).
_SLOT_TIE = 2.0**-30


class NotCertified(Exception):
    """The duality check failed: the result is not proved optimal (a bug if ever seen)."""


def solve(
    ticks: np.ndarray,
    candidate: np.ndarray,
    caps: np.ndarray,
    *,
    row_keep: int = ROW_KEEP,
    col_keep: int = COL_KEEP,
    col_keep_per_place: int = COL_KEEP_PER_PLACE,
    row_add: int = ROW_ADD,
    small: int = SMALL,
    fallback: bool = True,
) -> np.ndarray:
    """Maximum-weight b-matching; returns the mentor index per request, -1 if none.

    `fallback=False` (tests) raises instead of quietly solving the whole problem when
    the optimality certificate does not come out.
    """
    nr = candidate.shape[0]
    assign = np.full(nr, -1, dtype=np.int64)
    rows = np.flatnonzero(candidate.any(axis=1))
    cols = np.flatnonzero(candidate.any(axis=0))
    if rows.size == 0:
        return assign
    if rows.size == nr and cols.size == candidate.shape[1]:
        s, cand = ticks, candidate
    else:
        s, cand = ticks[np.ix_(rows, cols)], candidate[np.ix_(rows, cols)]
    # A mentor never needs more places than it has candidates.
    c = np.minimum(caps[cols], cand.sum(axis=0))
    if int(cand.sum()) <= small:
        keep = cand.copy()
    else:
        keep = _initial_keep(s, cand, c, row_keep, col_keep + col_keep_per_place * c)
    try:
        sub = _column_generation(s, cand, c, keep, row_add)
    except NotCertified:  # pragma: no cover - a safety net, never seen in tests
        if not fallback:
            raise
        sub = _restricted(s, cand, c, slot_tie=0.0)
    hit = sub >= 0
    assign[rows[hit]] = cols[sub[hit]]
    return assign


def _column_generation(
    s: np.ndarray, cand: np.ndarray, c: np.ndarray, keep: np.ndarray, row_add: int
) -> np.ndarray:
    """Solve on the kept pairs; add back left-out pairs that price positive; repeat."""
    for npass in range(MAX_PASSES):
        assign = _restricted(s, keep, c)
        u, v = _duals(s, keep, c, assign)
        hit = np.flatnonzero(assign >= 0)
        total = int(s[hit, assign[hit]].sum(dtype=np.int64))
        # Integers in float64: exact. Dual objective = primal total proves the
        # restricted optimum; a mismatch would be a bug, so do not trust the result.
        if u.sum() + (c * v).sum() != total:
            raise NotCertified
        # A left-out candidate pair with s_ij > u_i + v_j would raise the total.
        positive = s > (u.astype(s.dtype)[:, None] + v.astype(s.dtype)[None, :])
        positive &= cand
        positive &= ~keep
        offending_rows = positive.any(axis=1)
        bad_rows = np.flatnonzero(offending_rows)
        if bad_rows.size == 0:
            return assign  # dual feasible for every candidate pair: optimal
        # Add back each offending request's most profitable left-out pairs; twice as
        # many each pass, so a stubborn instance needs few passes.
        gain = np.where(positive[bad_rows], s[bad_rows] - v[None, :], -np.inf)
        add = min(row_add << npass, 64)
        if add == 1:
            keep[bad_rows, np.argmax(gain, axis=1)] = True
        else:
            keep[bad_rows] |= _top_per_row(gain, add) & (gain > -np.inf)
        if npass == 0:
            # Requests left unmatched with nothing better on offer slow the solver
            # down (each must be proved unmatchable); drop them once, pricing brings
            # them back if prices fall. Only once, so the loop still terminates.
            keep[(assign < 0) & ~offending_rows] = False
    raise NotCertified


def _top_per_row(values: np.ndarray, k: int | np.ndarray) -> np.ndarray:
    """Mask of each row's k largest entries (k may differ per row)."""
    n = values.shape[1]
    most = int(np.max(k))
    if most <= 0:
        return np.zeros(values.shape, dtype=bool)
    if most >= n:
        top = np.argsort(-values, axis=1, kind="stable")
    else:
        top = np.argpartition(values, n - most, axis=1)[:, n - most :]
        order = np.argsort(-np.take_along_axis(values, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
    rank_ok = np.arange(top.shape[1])[None, :] < np.reshape(k, (-1, 1))
    out = np.zeros(values.shape, dtype=bool)
    np.put_along_axis(out, top, rank_ok, axis=1)
    return out


def _initial_keep(
    s: np.ndarray, cand: np.ndarray, c: np.ndarray, row_keep: int, col_keep: np.ndarray
) -> np.ndarray:
    masked = np.where(cand, s, -1)
    keep = _top_per_row(masked, row_keep)
    keep |= _top_per_row(np.ascontiguousarray(masked.T), col_keep).T
    return keep & cand


def _restricted(
    s: np.ndarray, keep: np.ndarray, c: np.ndarray, slot_tie: float = _SLOT_TIE
) -> np.ndarray:
    """Exact optimum over the kept pairs (sparse LAPJV, mentors repeated per place)."""
    nr, nm = keep.shape
    assign = np.full(nr, -1, dtype=np.int64)
    ri, mj = np.nonzero(keep)  # row-major: grouped by request
    if ri.size == 0:
        return assign
    w = s[ri, mj].astype(np.float64)
    # Requests go to the solver strongest first (by their best kept score): they take
    # their places cheaply and set the prices, so the weaker ones that end unmatched
    # are turned away fast. Same optimum, 2-3x faster than request order.
    present, starts = np.unique(ri, return_index=True)
    order = np.argsort(-np.maximum.reduceat(w, starts), kind="stable")
    n_rows = present.size
    rank = np.empty(nr, dtype=np.int64)
    rank[present[order]] = np.arange(n_rows)

    places = np.minimum(c, np.bincount(mj, minlength=nm))
    first_slot = np.concatenate(([0], np.cumsum(places)))
    n_slots = int(first_slot[-1])
    reps = places[mj]
    edge = np.repeat(np.arange(ri.size), reps)
    k = np.arange(edge.size) - np.repeat(np.cumsum(reps) - reps, reps)
    slots = first_slot[mj[edge]] + k
    # Costs must be positive; each request also has a private "unmatched" column.
    ceiling = float(w.max()) + 1.0
    cost = (ceiling - w)[edge] + k * slot_tie
    graph = sp.csr_matrix(
        (
            np.concatenate((cost, np.full(n_rows, ceiling))),
            (
                np.concatenate((rank[ri[edge]], np.arange(n_rows))),
                np.concatenate((slots, n_slots + np.arange(n_rows))),
            ),
        ),
        shape=(n_rows, n_slots + n_rows),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    slot_mentor = np.repeat(np.arange(nm), places)
    real = col_ind < n_slots
    assign[present[order[row_ind[real]]]] = slot_mentor[col_ind[real]]
    return assign


def _duals(
    s: np.ndarray, keep: np.ndarray, c: np.ndarray, assign: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """LP dual prices (u per request, v per mentor) of an optimal restricted solution.

    Shortest distances d in its residual graph (Bellman-Ford, vectorised, from every
    node at once) are feasible potentials; with one hub node o standing for source and
    sink, u_i = max(0, d_i - d_o) and v_j = max(0, d_o - d_j) satisfy u_i + v_j >= s_ij
    on every kept pair, with equality on matched pairs. A negative cycle would mean the
    restricted solution was not optimal.
    """
    nr, nm = keep.shape
    hub = nr + nm
    ri, mj = np.nonzero(keep)
    on = assign[ri] == mj
    w = s[ri, mj].astype(np.float64)
    matched = assign >= 0
    load = np.bincount(assign[matched], minlength=nm)
    reqs = np.arange(nr)
    open_m = np.flatnonzero(load < c)
    used_m = np.flatnonzero(load > 0)
    # Residual arcs: request -> mentor (unmatched pair, gain -s), mentor -> request
    # (matched pair, +s), request <-> hub (matched: to hub; free: from hub),
    # mentor -> hub (a place left), hub -> mentor (a place used); hub ones cost 0.
    src = np.concatenate(
        (
            np.where(on, nr + mj, ri),
            np.where(matched, reqs, hub),
            nr + open_m,
            np.full(used_m.size, hub),
        )
    )
    dst = np.concatenate(
        (
            np.where(on, ri, nr + mj),
            np.where(matched, hub, reqs),
            np.full(open_m.size, hub),
            nr + used_m,
        )
    )
    cost = np.concatenate((np.where(on, w, -w), np.zeros(nr + open_m.size + used_m.size)))
    order = np.argsort(dst, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    nodes, starts = np.unique(dst, return_index=True)
    # Every node starts at 0 (a virtual root) except matched requests: reached only
    # through their mentor, their matched pair is tight (u_i + v_j = s_ij).
    d = np.zeros(hub + 1)
    d[np.flatnonzero(matched)] = np.inf
    for _ in range(hub + 2):
        best = np.minimum.reduceat(d[src] + cost, starts)
        better = best < d[nodes]
        if not better.any():
            break
        d[nodes[better]] = best[better]
    else:
        raise NotCertified
    u = np.maximum(0.0, d[:nr] - d[hub])
    v = np.maximum(0.0, d[hub] - d[nr:hub])
    return u, v
