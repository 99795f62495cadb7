"""The matching round: mentors and requests in, the best overall assignment out.

Pure: no I/O, no clock, no discord. The service builds the inputs from the store
(a pending proposal already holds one of the mentor's free places) and acts on the
result.

Score of a (mentor, request) pair, in points:

    PAIR_BASE       200  every matchable pair
    TOPIC_WEIGHT    100  per shared topic (case-insensitive)
    LANGUAGE_WEIGHT  40  the mentor speaks the request's language (or none was asked)
    CITY_WEIGHT      25  same city, or either side is Remote / gave no city
    LEVEL_WEIGHT     15  the mentor serves the request's level (or serves all levels,
                         or none was asked)
    waiting bonus    0.5 per day the request has waited, capped at 15 (30 days)

Shared topics dominate: the other terms add up to at most 40 + 25 + 15 + 15 = 95 < 100,
so a pair with k + 1 shared topics always outscores a pair with k. A pair with no
shared topic, a mentor paired with themself and an excluded pair (declined or expired
earlier) are never proposed. PAIR_BASE makes matching one more request worth two shared
topics, so the optimum prefers matching more people over giving a few a closer fit.
The waiting bonus is the same for all of a request's candidate mentors, so it never
changes which mentor a request gets, only who wins a contested place: the longer
waiter. It is rounded to 1/64 point so every score is a binary fraction and sums are
exact in floating point (totals compare exactly, no tolerances).

`match` returns the assignment with the maximum total score subject to each mentor's
free places and at most one mentor per request: an exact optimum. `score_table` scores
every pair at once (the same numbers `score` gives one by one) and bot/mentorship/
solver.py solves that table exactly and certifies the optimum (LP duality). Inputs are
sorted by id first, so the same mentors, requests and exclusions give the same result
in any order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from bot.i18n import N_, _
from bot.mentorship.solver import solve
from bot.taxonomy import level_name

PAIR_BASE = 200
TOPIC_WEIGHT = 100
LANGUAGE_WEIGHT = 40
CITY_WEIGHT = 25
LEVEL_WEIGHT = 15
WAIT_PER_DAY = 0.5
WAIT_CAP = 15.0
# Scores are kept on a 1/64 grid: exact sums, exact comparisons.
_GRID = 64

assert LANGUAGE_WEIGHT + CITY_WEIGHT + LEVEL_WEIGHT + WAIT_CAP < TOPIC_WEIGHT

# A city value, stored and typed in English; `_(REMOTE)` where it is shown.
REMOTE = N_("Remote")


def city_name(city: str) -> str:
    """A stored city as shown: Remote in the reader's language, a guild's city as it is."""
    return _(REMOTE) if city == REMOTE else city


# Why a request waits after a round: English values, `_(reason)` where shown.
NO_SHARED_TOPIC = N_("no mentor with a shared topic")
NO_FREE_PLACES = N_("no free places")
ONLY_EXCLUDED = N_("only excluded pairs")

# Why a pair was proposed. Stored with the proposal in English (the round may run with
# nobody's language set, and both sides read them, each in their own language), so they
# are filled with str.format here and translated where shown: `explain(reason)`.
SHARED_TOPIC = N_("shared topic: {topics}")
SHARED_TOPICS = N_("shared topics: {topics}")
SAME_CITY = N_("same city: {city}")
MEETS_REMOTELY = N_("mentor meets remotely")
BOTH_SPEAK = N_("both speak {language}")
SERVES_LEVEL = N_("serves {level} mentees")
REASONS = (SHARED_TOPICS, SHARED_TOPIC, SAME_CITY, MEETS_REMOTELY, BOTH_SPEAK, SERVES_LEVEL)


@dataclass(frozen=True, slots=True)
class Mentor:
    id: int  # the mentor's member id
    topics: frozenset[str]
    free_places: int
    city: str | None = None  # None or "Remote" matches any city
    languages: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()  # empty = serves every level


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    member_id: int
    topics: frozenset[str]
    city: str | None = None
    language: str | None = None
    level: str | None = None
    days_waiting: float = 0.0


@dataclass(frozen=True, slots=True)
class Pair:
    request_id: int
    mentor_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    pairs: list[Pair]
    unmatched: dict[int, str]  # request id -> NO_SHARED_TOPIC | NO_FREE_PLACES | ONLY_EXCLUDED

    @property
    def total(self) -> float:
        return sum(p.score for p in self.pairs)


Excluded = Collection[tuple[int, int]]  # (request_id, mentor_id)


def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    folded = text.strip().casefold()
    return folded or None


def _any_city(city: str | None) -> bool:
    folded = _fold(city)
    return folded is None or folded == REMOTE.casefold()


def wait_bonus(days_waiting: float) -> float:
    """0.5 point per day waited, capped at 15, on the 1/64 grid."""
    if math.isnan(days_waiting):
        return 0.0
    bonus = min(WAIT_CAP, WAIT_PER_DAY * max(0.0, days_waiting))
    return math.floor(bonus * _GRID) / _GRID


def score(mentor: Mentor, request: Request) -> tuple[float, tuple[str, ...]] | None:
    """The pair's score and the reasons shown to both sides; None if not matchable.

    Not matchable: no shared topic, or the mentor is the requesting member. Exclusions
    and free places are not looked at here (see `match` and `reroute`).
    """
    if mentor.id == request.member_id:
        return None
    mentor_topics = {_fold(t) for t in mentor.topics} - {None}
    # One spelling per topic (a request may list "NLP" and "nlp"), in a stable order.
    by_key: dict[str, str] = {}
    for topic in sorted(request.topics, key=lambda t: (_fold(t) or "", t)):
        key = _fold(topic)
        if key is not None and key in mentor_topics:
            by_key.setdefault(key, topic.strip())
    shared = list(by_key.values())
    if not shared:
        return None

    lang = _fold(request.language)
    language_fit = lang is None or lang in {_fold(x) for x in mentor.languages}
    here = None if _any_city(request.city) else _fold(request.city)
    remote = _any_city(mentor.city)
    city_fit = here is None or remote or _fold(mentor.city) == here
    level = _fold(request.level)
    levels = {_fold(x) for x in mentor.levels} - {None}
    level_fit = level is None or not levels or level in levels
    points = (
        PAIR_BASE
        + TOPIC_WEIGHT * len(shared)
        + LANGUAGE_WEIGHT * language_fit
        + CITY_WEIGHT * city_fit
        + LEVEL_WEIGHT * level_fit
    )

    topics = SHARED_TOPICS if len(shared) > 1 else SHARED_TOPIC
    reasons = [topics.format(topics=", ".join(shared))]
    if here is not None and request.city is not None:
        if not remote and _fold(mentor.city) == here:
            reasons.append(SAME_CITY.format(city=request.city.strip()))
        elif remote:
            reasons.append(MEETS_REMOTELY)
    if lang is not None and request.language is not None and language_fit:
        reasons.append(BOTH_SPEAK.format(language=request.language.strip()))
    if level is not None and request.level is not None and level_fit:
        reasons.append(SERVES_LEVEL.format(level=request.level.strip()))
    return float(points) + wait_bonus(request.days_waiting), tuple(reasons)


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """`shared topic: {topics}` → a regex that reads the value back out."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


def explain(reason: str) -> str:
    """A stored reason (`score`'s English) in the reader's language; its values (topics,
    city, language: member and organizer data) as they are, a level translated. Text
    that is none of the reasons is returned as it is."""
    for template in REASONS:
        found = _pattern(template).fullmatch(reason)
        if found is not None:
            values = found.groupdict()
            if "level" in values:
                values["level"] = level_name(values["level"])
            return _(template, **values)
    return reason


def reroute(request: Request, mentors: Iterable[Mentor], excluded: Excluded = ()) -> Pair | None:
    """The best single mentor with a free place for one request (after a decline or
    expiry), ties to the lowest mentor id; None if there is none."""
    best: tuple[float, int, tuple[str, ...]] | None = None
    for mentor in mentors:
        if mentor.free_places <= 0 or (request.id, mentor.id) in excluded:
            continue
        scored = score(mentor, request)
        if scored is None:
            continue
        key = (scored[0], -mentor.id)
        if best is None or key > (best[0], -best[1]):
            best = (scored[0], mentor.id, scored[1])
    if best is None:
        return None
    return Pair(request.id, best[1], best[0], best[2])


# --- the matching round -------------------------------------------------------------


def match(
    mentors: Iterable[Mentor], requests: Iterable[Request], excluded: Excluded = ()
) -> MatchResult:
    """The assignment with the maximum total score (exact), and why the rest wait."""
    ms = sorted(mentors, key=lambda m: m.id)
    rs = sorted(requests, key=lambda r: r.id)
    _check_unique([m.id for m in ms], "mentor")
    _check_unique([r.id for r in rs], "request")
    if not rs:
        return MatchResult([], {})
    table = score_table(ms, rs, excluded)
    assign = solve(table.ticks, table.candidate, table.caps)

    pairs: list[Pair] = []
    unmatched: dict[int, str] = {}
    for i, request in enumerate(rs):
        j = int(assign[i])
        if j >= 0:
            scored = score(ms[j], request)
            assert scored is not None
            pairs.append(Pair(request.id, ms[j].id, scored[0], scored[1]))
        elif not table.topic_shared[i]:
            unmatched[request.id] = NO_SHARED_TOPIC
        elif not table.allowed[i]:
            unmatched[request.id] = ONLY_EXCLUDED
        else:
            unmatched[request.id] = NO_FREE_PLACES
    return MatchResult(pairs, unmatched)


def _check_unique(ids: list[int], what: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate {what} ids")


@dataclass(slots=True)
class ScoreTable:
    ticks: np.ndarray  # int32 scores in 1/64 points (requests x mentors), where candidate
    candidate: np.ndarray  # bool: matchable, allowed and the mentor has a free place
    caps: np.ndarray  # int64 free places per mentor (0 if none)
    topic_shared: np.ndarray  # bool per request: some mentor shares a topic
    allowed: np.ndarray  # bool per request: some such mentor is neither self nor excluded


def _onehot(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(sets), max(1, len(vocab))), dtype=np.float32)
    for row, values in enumerate(sets):
        for value in values:
            col = vocab.get(value)
            if col is not None:
                out[row, col] = 1.0
    return out


def _fit(asked: list[str | None], offered: list[set[str]], everything_if_empty: bool) -> np.ndarray:
    """(requests x mentors) bool: the mentor offers what the request asked, or nothing
    was asked (or, for levels, the mentor offers no list: all)."""
    vocab = {x: k for k, x in enumerate(sorted({a for a in asked if a is not None}))}
    has = _onehot(offered, vocab).T.astype(bool)  # (values, mentors)
    if everything_if_empty:
        has |= np.array([not o for o in offered], dtype=bool)[None, :]
    idx = np.array([-1 if a is None else vocab[a] for a in asked], dtype=np.int64)
    fits = has[np.maximum(idx, 0)]
    fits[idx < 0] = True
    return fits


def score_table(ms: list[Mentor], rs: list[Request], excluded: Excluded) -> ScoreTable:
    """Every pair's score at once (numpy), the same numbers `score` gives one by one."""
    folded: dict[str | None, str | None] = {}  # the same few strings recur: fold once

    def fold(text: str | None) -> str | None:
        if text not in folded:
            folded[text] = _fold(text)
        return folded[text]

    def fold_all(texts: Iterable[str]) -> set[str]:
        return {f for t in texts if (f := fold(t)) is not None}

    r_topics = [fold_all(r.topics) for r in rs]
    m_topics = [fold_all(m.topics) for m in ms]
    vocab = {x: k for k, x in enumerate(sorted(set().union(*r_topics)))}
    shared = (_onehot(r_topics, vocab) @ _onehot(m_topics, vocab).T).astype(np.int32)

    language_fit = _fit(
        [fold(r.language) for r in rs],
        [fold_all(m.languages) for m in ms],
        everything_if_empty=False,
    )
    level_fit = _fit(
        [fold(r.level) for r in rs],
        [fold_all(m.levels) for m in ms],
        everything_if_empty=True,
    )
    # City: Remote or none on either side fits any city.
    m_city = [None if _any_city(m.city) else fold(m.city) for m in ms]
    r_city = [None if _any_city(r.city) else fold(r.city) for r in rs]
    cvocab = {x: k for k, x in enumerate(sorted({x for x in m_city + r_city if x is not None}))}
    mc = np.array([-1 if x is None else cvocab[x] for x in m_city], dtype=np.int64)
    rc = np.array([-1 if x is None else cvocab[x] for x in r_city], dtype=np.int64)
    city_fit = (rc < 0)[:, None] | (mc < 0)[None, :] | (rc[:, None] == mc[None, :])

    g = _GRID
    wait = np.array([round(wait_bonus(r.days_waiting) * g) for r in rs], dtype=np.int32)
    ticks = shared * np.int32(TOPIC_WEIGHT * g)
    ticks += (wait + np.int32(PAIR_BASE * g))[:, None]
    ticks += language_fit * np.int32(LANGUAGE_WEIGHT * g)
    ticks += city_fit * np.int32(CITY_WEIGHT * g)
    ticks += level_fit * np.int32(LEVEL_WEIGHT * g)

    topic = shared > 0
    allowed = topic.copy()
    mentor_at = {m.id: j for j, m in enumerate(ms)}
    for i, r in enumerate(rs):
        j = mentor_at.get(r.member_id)
        if j is not None:
            allowed[i, j] = False
    if excluded:
        request_at = {r.id: i for i, r in enumerate(rs)}
        for request_id, mentor_id in excluded:
            row, col = request_at.get(request_id), mentor_at.get(mentor_id)
            if row is not None and col is not None:
                allowed[row, col] = False
    caps = np.array([max(0, m.free_places) for m in ms], dtype=np.int64)
    candidate = allowed & (caps > 0)[None, :]
    return ScoreTable(
        ticks, candidate, caps, np.asarray(topic.any(axis=1)), np.asarray(allowed.any(axis=1))
    )
