"""The mentorship matching round on random, realistic guilds.

For each size (requests x mentors) it times the project's exact solver
(`bot.mentorship.matching.match`, median of 3, scores included) and, in the same run,

  greedy    highest-scoring pair first while the request is free and the mentor has a
            place: solver/greedy is what the exact optimum buys in total score;
  lsa       scipy's dense linear_sum_assignment with each mentor repeated per free
            place: a second exact method (total must agree; time ratio to the solver);
  networkx  min-cost flow (network simplex) on the same pairs: a third, independent
            exact method. Both run where they finish in reasonable time (1,000 requests
            by default: dense LSA takes ~40 s and networkx minutes at 5,000).

    python -m bench.matching [--quick] [--sizes 1000x300,5000x1000]
                             [--dense-max 1000] [--nx-max 1000]

`--quick` runs the smallest size without networkx (CI smoke, a few seconds).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from bench._stats import table
from bot.mentorship.matching import Mentor, Request, match, score_table
from bot.taxonomy import DEFAULT_TOPICS

TOPICS = DEFAULT_TOPICS
CITIES = ("Islamabad", "Lahore", "Karachi", "Remote")
LANGUAGES = ("English", "Urdu")
LEVELS = ("beginner", "intermediate", "advanced")
SIZES = ((1_000, 300), (5_000, 1_000), (10_000, 2_000))
SEED = 20250726


def instance(
    n_requests: int, n_mentors: int, seed: int = SEED
) -> tuple[list[Mentor], list[Request], set[tuple[int, int]]]:
    """A guild: mentors take 1-5 mentees and know 3-5 topics; requests name 1-3.

    About 5% of requests come from members who are mentors too (self-pairs are never
    proposed), and 2% of requests carry one earlier decline (an excluded pair).
    """
    rng = random.Random(seed)
    mentors = []
    for mid in range(1, n_mentors + 1):
        mentors.append(
            Mentor(
                id=mid,
                topics=frozenset(rng.sample(TOPICS, rng.randint(3, 5))),
                free_places=rng.randint(1, 5),
                city=rng.choices(CITIES, weights=(4, 4, 2, 3))[0],
                languages=frozenset(
                    rng.choices((("English",), ("Urdu",), LANGUAGES), weights=(3, 1, 6))[0]
                ),
                # A third serve every level (empty set), the rest one or two.
                levels=frozenset()
                if rng.random() < 1 / 3
                else frozenset(rng.sample(LEVELS, rng.randint(1, 2))),
            )
        )
    requests = []
    excluded: set[tuple[int, int]] = set()
    for rid in range(1, n_requests + 1):
        member = rng.randint(1, n_mentors) if rng.random() < 0.05 else 1_000_000 + rid
        requests.append(
            Request(
                id=rid,
                member_id=member,
                topics=frozenset(rng.sample(TOPICS, rng.choices((1, 2, 3), (5, 3, 2))[0])),
                city=rng.choice((*CITIES[:3], None)),
                language=rng.choice((*LANGUAGES, None)),
                level=rng.choice((*LEVELS, None)),
                days_waiting=round(rng.expovariate(1 / 10), 2),
            )
        )
        if rng.random() < 0.02:
            excluded.add((rid, rng.randint(1, n_mentors)))
    return mentors, requests, excluded


def candidate_pairs(
    mentors: Sequence[Mentor], requests: Sequence[Request], excluded: set[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(request index, mentor index, score) for every pair that may be proposed.

    Uses the vectorised score table (the unit tests check it against `score`
    pair by pair); inputs must already be sorted by id, as `instance` makes them.
    """
    tab = score_table(list(mentors), list(requests), excluded)
    ri, mj = np.nonzero(tab.candidate)
    return ri, mj, tab.ticks[ri, mj] / 64


def greedy(
    mentors: Sequence[Mentor], pairs: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[float, int]:
    """Highest score first (ties: lower request, then mentor), respecting places."""
    ri, mj, sc = pairs
    if ri.size == 0:
        return 0.0, 0
    # One int64 key (score desc, request, mentor) sorts much faster than lexsort.
    n_req, n_men = int(ri.max()) + 1, len(mentors)
    key = (np.round(-sc * 64).astype(np.int64) * n_req + ri) * n_men + mj
    order = np.argsort(key)
    places = [m.free_places for m in mentors]
    left = sum(places)
    taken = bytearray(n_req)
    total, n = 0.0, 0
    for start in range(0, order.size, 65_536):  # in chunks: most runs stop early
        chunk = order[start : start + 65_536]
        for i, j, s in zip(ri[chunk].tolist(), mj[chunk].tolist(), sc[chunk].tolist(), strict=True):
            if not taken[i] and places[j] > 0:
                taken[i] = 1
                places[j] -= 1
                total += s
                n += 1
                left -= 1
        if left == 0:  # every place is taken: nothing further can change
            break
    return total, n


def dense_lsa_total(
    mentors: Sequence[Mentor], requests: Sequence[Request], excluded: set[tuple[int, int]]
) -> float:
    """The exact optimum by scipy's dense linear_sum_assignment, each mentor repeated once
    per free place; a pair that may not be proposed weighs 0 (never better than none)."""
    tab = score_table(list(mentors), list(requests), excluded)
    weights = np.where(tab.candidate, tab.ticks, 0).astype(np.float64)
    weights = np.repeat(weights, tab.caps, axis=1)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return float(weights[rows, cols].sum()) / 64


def networkx_total(
    mentors: Sequence[Mentor], n_requests: int, pairs: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> float:
    """The exact optimum by min-cost flow (networkx network simplex, integer 1/64 points)."""
    import networkx as nx

    ri, mj, sc = pairs
    source, sink = -1, -2
    g = nx.DiGraph()
    g.add_node(source, demand=-n_requests)
    g.add_node(sink, demand=n_requests)
    g.add_edge(source, sink, capacity=n_requests, weight=0)  # requests left unmatched
    g.add_edges_from((source, i, {"capacity": 1, "weight": 0}) for i in range(n_requests))
    g.add_edges_from(
        (n_requests + j, sink, {"capacity": m.free_places, "weight": 0})
        for j, m in enumerate(mentors)
    )
    g.add_edges_from(
        (i, n_requests + j, {"capacity": 1, "weight": -round(s * 64)})
        for i, j, s in zip(ri.tolist(), mj.tolist(), sc.tolist(), strict=True)
    )
    cost, _flow = nx.network_simplex(g)
    return -cost / 64


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def run_size(
    n_requests: int, n_mentors: int, *, dense: bool, nx: bool, repeat: int = 3
) -> dict[str, Any]:
    mentors, requests, excluded = instance(n_requests, n_mentors)
    solve_s, result = _timed(lambda: match(mentors, requests, excluded), repeat)
    greedy_s, (pairs, (greedy_total, greedy_n)) = _timed(
        lambda: (p := candidate_pairs(mentors, requests, excluded), greedy(mentors, p)), 1
    )
    row: dict[str, Any] = {
        "size": f"{n_requests}x{n_mentors}",
        "places": sum(m.free_places for m in mentors),
        "matched": len(result.pairs),
        "solve_s": solve_s,
        "total": result.total,
        "greedy_s": greedy_s,
        "greedy_matched": greedy_n,
        "greedy_total": greedy_total,
        "gain_pts": result.total - greedy_total,
        # Formatted here: the table's 3 significant digits would show 1.0003 as 1.
        "solver/greedy": f"{result.total / greedy_total:.5f}" if greedy_total else "-",
    }
    exact: list[float] = []
    row["lsa_s"] = row["lsa/solver_time"] = row["nx_s"] = row["nx/solver_time"] = "-"
    if dense:
        lsa_s, lsa_total = _timed(lambda: dense_lsa_total(mentors, requests, excluded), 1)
        row |= {"lsa_s": lsa_s, "lsa/solver_time": lsa_s / solve_s}
        exact.append(lsa_total)
    if nx:
        nx_s, nx_total = _timed(lambda: networkx_total(mentors, n_requests, pairs), 1)
        row |= {"nx_s": nx_s, "nx/solver_time": nx_s / solve_s}
        exact.append(nx_total)
    if exact:
        row["exact_agree"] = "yes" if all(x == result.total for x in exact) else "NO"
    else:
        row["exact_agree"] = "-"
    return row


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="only the smallest size, no networkx (CI smoke)"
    )
    parser.add_argument("--sizes", help="comma-separated RxM, e.g. 1000x300,5000x1000")
    parser.add_argument(
        "--dense-max", type=int, default=1_000, help="dense LSA up to this many requests"
    )
    parser.add_argument(
        "--nx-max", type=int, default=1_000, help="networkx up to this many requests"
    )
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [tuple(int(x) for x in s.lower().split("x")) for s in args.sizes.split(",")]
    else:
        sizes = list(SIZES[:1] if args.quick else SIZES)
    nx_max = 0 if args.quick else args.nx_max
    rows = []
    for n_requests, n_mentors in sizes:
        print(f"matching {n_requests}x{n_mentors} ...", file=sys.stderr, flush=True)
        rows.append(
            run_size(
                n_requests,
                n_mentors,
                dense=n_requests <= args.dense_max,
                nx=n_requests <= nx_max,
            )
        )
    return rows


if __name__ == "__main__":
    print(table(main()))
