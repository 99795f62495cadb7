"""The matching round: scores, reasons, the exact optimum, unmatched reasons, re-routing."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from bot.mentorship import matching as mm
from bot.mentorship import solver
from bot.mentorship.matching import (
    NO_FREE_PLACES,
    NO_SHARED_TOPIC,
    ONLY_EXCLUDED,
    MatchResult,
    Mentor,
    Pair,
    Request,
    match,
    reroute,
    score,
    wait_bonus,
)

# --- brute force -------------------------------------------------------------------


def points(mentor: Mentor, request: Request) -> float:
    scored = score(mentor, request)
    assert scored is not None
    return scored[0]


def candidates(mentor: Mentor, request: Request, excluded: set[tuple[int, int]]) -> bool:
    return (
        mentor.free_places > 0
        and (request.id, mentor.id) not in excluded
        and score(mentor, request) is not None
    )


def brute_force(
    mentors: list[Mentor], requests: list[Request], excluded: set[tuple[int, int]]
) -> float:
    """The best total over every assignment (each request: no mentor or a candidate)."""
    options = [
        [None, *(mentor for mentor in mentors if candidates(mentor, request, excluded))]
        for request in requests
    ]
    best = 0.0
    for choice in itertools.product(*options):
        used: dict[int, int] = {}
        total = 0.0
        for request, mentor in zip(requests, choice, strict=True):
            if mentor is None:
                continue
            used[mentor.id] = used.get(mentor.id, 0) + 1
            total += points(mentor, request)
        if all(used[mentor.id] <= mentor.free_places for mentor in mentors if mentor.id in used):
            best = max(best, total)
    return best


def expected_reason(request: Request, mentors: list[Mentor], excluded: set[tuple[int, int]]) -> str:
    wanted = {t.casefold() for t in request.topics}
    topical = [mentor for mentor in mentors if {t.casefold() for t in mentor.topics} & wanted]
    if not topical:
        return NO_SHARED_TOPIC
    if all(x.id == request.member_id or (request.id, x.id) in excluded for x in topical):
        return ONLY_EXCLUDED
    return NO_FREE_PLACES


# --- random small instances --------------------------------------------------------

TOPICS = ["NLP", "nlp", "Deep Learning", "MLOps", "Computer Vision"]
topic_sets = st.frozensets(st.sampled_from(TOPICS), min_size=1, max_size=3)


@st.composite
def instances(draw: st.DrawFn, max_requests: int = 5, max_mentors: int = 4) -> tuple:
    n_mentors = draw(st.integers(0, max_mentors))
    mentors = [
        Mentor(
            id=mid,
            topics=draw(topic_sets),
            free_places=draw(st.sampled_from([0, 1, 1, 2, 2])),
            city=draw(st.sampled_from([None, "Remote", "Lahore", "Islamabad", "lahore "])),
            languages=draw(st.frozensets(st.sampled_from(["English", "Urdu", "urdu"]))),
            levels=draw(st.frozensets(st.sampled_from(["beginner", "advanced"]))),
        )
        for mid in range(1, n_mentors + 1)
    ]
    n_requests = draw(st.integers(0, max_requests))
    requests = [
        Request(
            id=100 + rid,
            # Members 1-4 are also mentors: self-pairs must never be proposed.
            member_id=draw(st.sampled_from([1, 2, 3, 4, 1000 + rid])),
            topics=draw(topic_sets),
            city=draw(st.sampled_from([None, "Remote", "Lahore", "Islamabad"])),
            language=draw(st.sampled_from([None, "English", "URDU"])),
            level=draw(st.sampled_from([None, "beginner", "intermediate"])),
            days_waiting=draw(st.sampled_from([0.0, 0.3, 1.0, 7.5, 29.0, 45.0])),
        )
        for rid in range(n_requests)
    ]
    all_pairs = [(request.id, mentor.id) for request in requests for mentor in mentors]
    excluded = set(draw(st.lists(st.sampled_from(all_pairs), max_size=4))) if all_pairs else set()
    return mentors, requests, excluded


def check_result(
    result: MatchResult,
    mentors: list[Mentor],
    requests: list[Request],
    excluded: set[tuple[int, int]],
) -> None:
    by_id = {mentor.id: mentor for mentor in mentors}
    req_by_id = {request.id: request for request in requests}
    matched = [p.request_id for p in result.pairs]
    assert len(matched) == len(set(matched)), "a request got two mentors"
    assert set(matched) | set(result.unmatched) == set(req_by_id)
    assert not set(matched) & set(result.unmatched)
    load: dict[int, int] = {}
    for pair in result.pairs:
        mentor, request = by_id[pair.mentor_id], req_by_id[pair.request_id]
        load[mentor.id] = load.get(mentor.id, 0) + 1
        assert (pair.request_id, pair.mentor_id) not in excluded
        assert pair.mentor_id != request.member_id
        assert (pair.score, pair.reasons) == score(mentor, request)
    for mentor_id, n in load.items():
        assert n <= by_id[mentor_id].free_places
    for request_id, reason in result.unmatched.items():
        assert reason == expected_reason(req_by_id[request_id], mentors, excluded)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_match_is_the_brute_force_optimum(instance: tuple) -> None:
    mentors, requests, excluded = instance
    result = match(mentors, requests, excluded)
    check_result(result, mentors, requests, excluded)
    assert result.total == brute_force(mentors, requests, excluded)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_pruned_solver_with_pricing_is_still_exact(instance: tuple) -> None:
    """Force the smallest pruning so the column-generation loop does the work."""
    mentors, requests, excluded = instance
    table = mm.score_table(mentors, requests, excluded)
    assign = solver.solve(
        table.ticks,
        table.candidate,
        table.caps,
        row_keep=1,
        col_keep=0,
        col_keep_per_place=0,
        row_add=1,
        small=0,
        fallback=False,
    )
    total = sum(points(mentors[j], requests[i]) for i, j in enumerate(assign.tolist()) if j >= 0)
    assert total == brute_force(mentors, requests, excluded)
    for i, j in enumerate(assign.tolist()):
        if j >= 0:
            assert table.candidate[i, j]
    assert all(np.bincount(assign[assign >= 0], minlength=len(mentors)) <= table.caps)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_same_input_in_any_order_gives_the_same_result(instance: tuple) -> None:
    mentors, requests, excluded = instance
    first = match(mentors, requests, excluded)
    again = match(list(reversed(mentors)), list(reversed(requests)), set(excluded))
    assert first == again
    assert first == match(mentors, requests, excluded)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_score_table_agrees_with_score(instance: tuple) -> None:
    mentors, requests, excluded = instance
    table = mm.score_table(mentors, requests, excluded)
    for i, request in enumerate(requests):
        for j, mentor in enumerate(mentors):
            scored = score(mentor, request)
            if mentor.id == request.member_id:
                assert scored is None
            if scored is not None:
                assert table.ticks[i, j] / 64 == scored[0]
            allowed = scored is not None and (request.id, mentor.id) not in excluded
            assert table.candidate[i, j] == (allowed and mentor.free_places > 0)


def dense_optimum(
    mentors: list[Mentor], requests: list[Request], excluded: set[tuple[int, int]]
) -> float:
    """Exact optimum by dense linear_sum_assignment, each mentor repeated per place."""
    slots = [mentor for mentor in mentors for _ in range(max(0, mentor.free_places))]
    weights = np.zeros((len(requests), len(slots)))
    for i, request in enumerate(requests):
        for k, mentor in enumerate(slots):
            if candidates(mentor, request, excluded):
                weights[i, k] = points(mentor, request)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return float(weights[rows, cols].sum())


@pytest.mark.parametrize("seed", range(4))
def test_larger_instances_match_a_dense_exact_solver(seed: int) -> None:
    """150 requests x 40 mentors with pruning forced on: the total is the optimum."""
    from bench.matching import instance

    mentors, requests, excluded = instance(150, 40, seed=seed)
    table = mm.score_table(mentors, requests, excluded)
    assign = solver.solve(
        table.ticks, table.candidate, table.caps, row_keep=2, small=0, fallback=False
    )
    total = sum(points(mentors[j], requests[i]) for i, j in enumerate(assign.tolist()) if j >= 0)
    assert total == dense_optimum(mentors, requests, excluded)
    assert match(mentors, requests, excluded).total == total


# --- score --------------------------------------------------------------------------


def m(
    id: int = 1,
    topics: tuple[str, ...] = ("NLP",),
    places: int = 1,
    city: str | None = None,
    languages: tuple[str, ...] = (),
    levels: tuple[str, ...] = (),
) -> Mentor:
    return Mentor(id, frozenset(topics), places, city, frozenset(languages), frozenset(levels))


def r(
    id: int = 10,
    topics: tuple[str, ...] = ("NLP",),
    member: int | None = None,
    city: str | None = None,
    language: str | None = None,
    level: str | None = None,
    days: float = 0.0,
) -> Request:
    return Request(id, member or 1000 + id, frozenset(topics), city, language, level, days)


def test_weights_keep_shared_topics_dominant() -> None:
    extras = mm.LANGUAGE_WEIGHT + mm.CITY_WEIGHT + mm.LEVEL_WEIGHT + mm.WAIT_CAP
    assert extras < mm.TOPIC_WEIGHT


def test_one_more_shared_topic_beats_every_other_term() -> None:
    best_fit_one_topic = points(
        m(topics=("NLP",), city="Lahore", languages=("Urdu",), levels=("beginner",)),
        r(topics=("NLP", "MLOps"), city="Lahore", language="Urdu", level="beginner", days=400),
    )
    worst_fit_two_topics = points(
        m(topics=("NLP", "MLOps"), city="Karachi", languages=("English",), levels=("advanced",)),
        r(topics=("NLP", "MLOps"), city="Lahore", language="Urdu", level="beginner"),
    )
    assert worst_fit_two_topics > best_fit_one_topic


def test_language_then_city_then_level_break_ties() -> None:
    request = r(city="Lahore", language="Urdu", level="beginner")
    language = points(m(languages=("Urdu",), city="Karachi", levels=("advanced",)), request)
    city = points(m(languages=("English",), city="Lahore", levels=("advanced",)), request)
    level = points(m(languages=("English",), city="Karachi", levels=("beginner",)), request)
    nothing = points(m(languages=("English",), city="Karachi", levels=("advanced",)), request)
    assert language > city > level > nothing
    assert language - nothing == mm.LANGUAGE_WEIGHT
    assert city - nothing == mm.CITY_WEIGHT
    assert level - nothing == mm.LEVEL_WEIGHT


def test_remote_or_no_city_matches_any_city() -> None:
    request = r(city="Lahore")
    same = points(m(city="Lahore"), request)
    assert points(m(city="Remote"), request) == same
    assert points(m(city=None), request) == same
    assert points(m(city="Karachi"), request) == same - mm.CITY_WEIGHT
    assert points(m(city="Karachi"), r(city=None)) == same


def test_mentor_without_levels_serves_every_level() -> None:
    request = r(level="advanced")
    assert points(m(levels=()), request) == points(m(levels=("advanced",)), request)
    assert points(m(levels=("beginner",)), request) < points(m(levels=()), request)


def test_topics_and_language_compare_case_insensitively() -> None:
    scored = score(
        m(topics=("nlp", "Deep Learning"), languages=("urdu",)),
        r(topics=("NLP", "deep learning"), language="URDU"),
    )
    assert scored is not None
    assert scored[1][:2] == ("shared topics: deep learning, NLP", "both speak URDU")


def test_waiting_bonus_grows_then_caps() -> None:
    assert wait_bonus(0) == 0 and wait_bonus(-3) == 0 and wait_bonus(float("nan")) == 0
    assert wait_bonus(2) == 1.0
    assert wait_bonus(10) < wait_bonus(20) < wait_bonus(30) == wait_bonus(365) == mm.WAIT_CAP
    assert wait_bonus(float("inf")) == mm.WAIT_CAP
    assert points(m(), r(days=20)) - points(m(), r(days=0)) == 10.0


def test_no_shared_topic_or_self_is_not_matchable() -> None:
    assert score(m(topics=("MLOps",)), r(topics=("NLP",))) is None
    assert score(m(id=7), r(member=7)) is None


def test_reasons_are_sentences() -> None:
    scored = score(
        m(topics=("NLP", "Deep Learning"), city="Lahore", languages=("Urdu",), levels=()),
        r(
            topics=("NLP", "Deep Learning", "MLOps"),
            city="Lahore",
            language="Urdu",
            level="beginner",
        ),
    )
    assert scored is not None
    assert scored[1] == (
        "shared topics: Deep Learning, NLP",
        "same city: Lahore",
        "both speak Urdu",
        "serves beginner mentees",
    )
    remote = score(m(city="Remote"), r(city="Islamabad", language="English"))
    assert remote is not None
    assert remote[1] == ("shared topic: NLP", "mentor meets remotely")


# --- match --------------------------------------------------------------------------


def test_unmatched_reasons() -> None:
    mentors = [m(id=1, topics=("NLP",), places=1), m(id=2, topics=("MLOps",), places=0)]
    requests = [
        r(id=10, topics=("NLP",), days=5),  # wins mentor 1's only place
        r(id=11, topics=("NLP",)),  # loses it: no free places
        r(id=12, topics=("Computer Vision",)),  # nobody knows it
        r(id=13, topics=("MLOps",)),  # mentor 2 is full
        r(id=14, topics=("NLP",), member=1),  # the only NLP mentor is themself
    ]
    result = match(mentors, requests, {(14, 99)})  # an unknown mentor id is ignored
    assert result.pairs == [Pair(10, 1, points(mentors[0], requests[0]), ("shared topic: NLP",))]
    assert result.unmatched == {
        11: NO_FREE_PLACES,
        12: NO_SHARED_TOPIC,
        13: NO_FREE_PLACES,
        14: ONLY_EXCLUDED,
    }
    excluded = match([m(id=1)], [r(id=20)], {(20, 1)})
    assert excluded.pairs == [] and excluded.unmatched == {20: ONLY_EXCLUDED}


def test_longest_waiter_wins_a_contested_place() -> None:
    result = match([m(id=1)], [r(id=10, days=2), r(id=11, days=9), r(id=12, days=1)])
    assert [p.request_id for p in result.pairs] == [11]


def test_capacity_is_shared_out_for_the_best_total() -> None:
    # Greedy would give mentor 1 (the closest fit) to request 10 and leave 11 alone.
    mentors = [m(id=1, topics=("NLP", "MLOps")), m(id=2, topics=("NLP",))]
    requests = [r(id=10, topics=("NLP", "MLOps")), r(id=11, topics=("MLOps",))]
    result = match(mentors, requests)
    assert {(p.request_id, p.mentor_id) for p in result.pairs} == {(10, 2), (11, 1)}


def test_matching_one_more_request_beats_a_closer_fit() -> None:
    mentors = [m(id=1, topics=("NLP", "MLOps", "Deep Learning")), m(id=2, topics=("NLP",))]
    requests = [
        r(id=10, topics=("NLP", "MLOps", "Deep Learning")),
        r(id=11, topics=("Deep Learning",)),
    ]
    result = match(mentors, requests)
    assert len(result.pairs) == 2


def test_empty_inputs_and_duplicate_ids() -> None:
    assert match([], []) == MatchResult([], {})
    assert match([m()], []) == MatchResult([], {})
    assert match([], [r(id=5)]).unmatched == {5: NO_SHARED_TOPIC}
    with pytest.raises(ValueError, match="duplicate mentor"):
        match([m(id=1), m(id=1)], [r()])
    with pytest.raises(ValueError, match="duplicate request"):
        match([m()], [r(id=3), r(id=3)])


def test_shuffled_medium_instance_is_deterministic() -> None:
    from bench.matching import instance

    mentors, requests, excluded = instance(400, 80, seed=7)
    first = match(mentors, requests, excluded)
    rng = random.Random(1)
    rng.shuffle(mentors)
    rng.shuffle(requests)
    assert match(mentors, requests, excluded) == first


# --- reroute ------------------------------------------------------------------------


def test_reroute_picks_the_best_free_allowed_mentor() -> None:
    request = r(id=10, topics=("NLP", "MLOps"), member=5, city="Lahore")
    mentors = [
        m(id=1, topics=("NLP", "MLOps"), places=0),  # best, but full
        m(id=2, topics=("NLP", "MLOps"), city="Lahore"),  # best free: declined before
        m(id=3, topics=("NLP",), city="Lahore"),
        m(id=4, topics=("NLP",), city="Remote"),  # ties with 3: lower id wins
        m(id=5, topics=("NLP", "MLOps")),  # the member themself
        m(id=6, topics=("Computer Vision",)),
    ]
    pair = reroute(request, mentors, {(10, 2)})
    assert pair == Pair(
        10, 3, points(mentors[2], request), ("shared topic: NLP", "same city: Lahore")
    )
    assert reroute(request, mentors[:1] + mentors[4:], set()) is None
