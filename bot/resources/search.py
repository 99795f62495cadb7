"""Resource search: member text made into safe queries, and one searcher per store.

The one place where the resources feature writes SQL for one store only, because full-text
search is not SQL both stores read: SQLite has FTS5 (a virtual table, MATCH, bm25()),
PostgreSQL has tsvector, tsquery and a GIN index. `searcher(db)` picks by `db.dialect`;
both answer the same question the same way, so a member gets the same results, in the
same order, whichever store the bot runs on (tests/unit/test_resources_search_stores.py
compares them).

Member text never reaches either engine as syntax: it is cut into words (letters and
digits only, `terms`), each word is quoted and matches as a prefix (FTS5 `"word"*`,
tsquery `'word':*`). `OR`, `NEAR(`, `&`, `!`, `<->`, quotes, `-` or parentheses become
plain words or vanish. Every word must match; when nothing matches and there are several
words, any word may (Finder.search).

Ranking: matches whose title holds every word come first, then the rest; each tier is
ordered by bm25 with column weights (title 10, topic 4, description 1), ties newest first.
bm25 costs a little per matching row plus a pass over each word's matches, so up to
RANK_CAP matches are ranked exactly in one pass; beyond that each tier is ranked by bm25
if it has at most RANK_CAP rows, else newest first (a word nearly every resource has says
little about which is best anyway).

SQLite (`Fts5Search`): filters live in the index: the `scope` column of `resources_fts`
holds one token per filter combination (guild; guild+topic; guild+level;
guild+topic+level) of every approved resource, so a search and its total are doclist
merges inside FTS5 rather than a join of every match against `resources`. The tokens
start with `~`, a token character for this index that member words never contain (the
text columns are indexed with `~` blanked out, so no title can forge a filter token).

PostgreSQL (`PostgresSearch`): `resources.search` is a weighted tsvector (title A, topic
B, description C) read as FTS5 reads the text: punctuation blanked, diacritics folded by
`unaccent` when the server has it (bot/migrations/postgres/0013_search.sql). Filters are
ordinary WHERE clauses beside the GIN index. PostgreSQL has no bm25 (ts_rank knows
neither how rare a word is nor how long a resource is against the others, and ranks
"graph graph" above a short title that says it once), so the rows' word counts per
weight are read from the tsvector and bm25 is computed here exactly as FTS5 computes it
(`bm25`). One difference, on purpose: FTS5's statistics (rows, average length, rows
holding a word) cover its whole index, every guild and suggestions included, while
PostgreSQL's cover the guild's library being searched; the two agree on a library of
one guild, and PostgreSQL's is the better measure of what is rare where a member searches.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.db import Database

MAX_TERMS = 8
RANK_CAP = 300
_WORD = re.compile(r"[^\W_]+")
# bm25 weights per column (title, description, topic, scope): a title hit outweighs a
# description hit; the filter tokens never count.
BM25_WEIGHTS = (10.0, 1.0, 4.0, 0.0)
# bm25() only takes literal arguments, so the weights are written into the SQL (constants only).
RANK_SQL = "bm25(resources_fts, {:.1f}, {:.1f}, {:.1f}, {:.1f})".format(*BM25_WEIGHTS)
# FTS5's bm25 constants (fts5_aux.c), and the four filter tokens it counts in a row's length.
K1, B = 1.2, 0.75
SCOPE_TOKENS = 4
# The same weights by tsvector label (A title, B topic, C description); in the title tier
# past RANK_CAP only title hits count, as FTS5's `{fts_title} :` column filter counts them.
PG_WEIGHTS = {"A": BM25_WEIGHTS[0], "B": BM25_WEIGHTS[2], "C": BM25_WEIGHTS[1]}
PG_TITLE_WEIGHTS = {"A": BM25_WEIGHTS[0]}
TS_CONFIG = "resource_search"


def terms(text: str) -> list[str]:
    """The words of a query, lower-cased, deduplicated, in order (at most MAX_TERMS)."""
    seen: list[str] = []
    for word in _WORD.findall((text or "").casefold()):
        word = _singular(word)
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def _singular(word: str) -> str:
    # Prefix matching already covers "network" -> "networks"; trimming a plural `s`
    # makes "networks" find "network" too (the tokenizer does no stemming).
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class Searcher(Protocol):
    async def page(
        self,
        guild_id: int,
        words: list[str],
        topic: str | None,
        level: str | None,
        *,
        any_term: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[int], int]:
        """Ids of one page of approved matches (title tier first, ranked) and the total;
        `topic` and `level` are already resolved names."""
        ...


def searcher(db: Database) -> Searcher:
    return PostgresSearch(db) if db.dialect == "postgresql" else Fts5Search(db)


def bm25(freqs: Sequence[float], length: float, idfs: Sequence[float], avgdl: float) -> float:
    """FTS5's bm25 of one row (lower is better): `freqs[i]` the weighted hits of word i."""
    score = 0.0
    for freq, idf in zip(freqs, idfs, strict=True):
        score += idf * ((freq * (K1 + 1.0)) / (freq + K1 * (1 - B + B * length / avgdl)))
    return -1.0 * score


def idf(rows: int, hits: int) -> float:
    """FTS5's IDF: how rare a word is in `rows` rows when `hits` hold it (never below 1e-6)."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else 1e-6


class _Search(ABC):
    """What both stores share: the tiers, the paging, the choice between ranking and newest
    first. Each store says how to count, rank every match, and page one tier."""

    async def page(
        self,
        guild_id: int,
        words: list[str],
        topic: str | None,
        level: str | None,
        *,
        any_term: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[int], int]:
        if not words:
            raise ValueError("no words to search for")
        query = self._query(guild_id, words, topic, level, any_term)
        total, title_count = await self._counts(query)
        if total == 0:
            return [], 0
        if total <= RANK_CAP:
            # One ranking of every match: bm25 reads each word's matches once (for how
            # rare it is), the dominant cost when a word is common.
            ranked = await self._rank_all(query)
            return ranked[offset : offset + limit], total
        ids: list[int] = []
        if offset < title_count:
            ids = await self._tier(query, True, title_count, offset, limit)
        if len(ids) < limit and offset + len(ids) < total:
            ids += await self._tier(
                query, False, total - title_count, max(0, offset - title_count), limit - len(ids)
            )
        return ids, total

    @abstractmethod
    def _query(
        self, guild_id: int, words: list[str], topic: str | None, level: str | None, any_term: bool
    ) -> Any:
        """The store's form of the search (MATCH strings, or WHERE clauses and tsqueries)."""

    @abstractmethod
    async def _counts(self, query: Any) -> tuple[int, int]:
        """(every match, matches whose title holds the words)."""

    @abstractmethod
    async def _rank_all(self, query: Any) -> list[int]:
        """Every match's id, title tier first, each tier by bm25 then newest first."""

    @abstractmethod
    async def _tier(
        self, query: Any, title: bool, count: int, offset: int, limit: int
    ) -> list[int]:
        """One page of one tier (of `count` rows): by bm25 up to RANK_CAP, else newest first."""


# --- SQLite: FTS5 --------------------------------------------------------------------
def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def words_expression(words: list[str], *, any_term: bool = False) -> str | None:
    """Every word as a quoted prefix, ANDed (or ORed); None when there are no words."""
    if not words:
        return None
    return (" OR " if any_term else " AND ").join(_quote(w) + "*" for w in words)


def _hex_name(topic: str) -> str:
    # SQLite's lower() folds ASCII letters only, and hex() writes upper-case digits.
    folded = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in topic)
    return folded.encode("utf-8").hex().upper()


def scope_token(guild_id: int, topic: str | None = None, level: str | None = None) -> str:
    """The one `scope` token for this guild's approved resources (maybe of one topic/level),
    built as the generated column `resources.scope` builds it in the migration."""
    token = f"~g{guild_id}"
    if topic:
        token += "t" + _hex_name(topic)
    if level:
        token += "l" + level
    return token


def scope_expression(guild_id: int, topic: str | None = None, level: str | None = None) -> str:
    """The filter part of a MATCH: one doclist, exactly the resources wanted.

    No column filter is needed (they cost a position-list check per row): `~` makes
    these tokens unreachable for member words, which are letters and digits only.
    """
    return _quote(scope_token(guild_id, topic, level))


def search_expressions(
    scope: str, words: list[str], *, any_term: bool = False
) -> tuple[str, str, str]:
    """MATCH strings: (all matches, tier 1 = the words in the title, tier 2 = the others)."""
    inner = words_expression(words, any_term=any_term)
    if inner is None:
        raise ValueError("no words to search for")
    in_text = f"{scope} AND ({inner})"
    in_title = f"{{fts_title}} : ({inner})"
    return in_text, f"{scope} AND {in_title}", f"({in_text}) NOT {in_title}"


class Fts5Search(_Search):
    def __init__(self, db: Database) -> None:
        self.db = db

    def _query(
        self, guild_id: int, words: list[str], topic: str | None, level: str | None, any_term: bool
    ) -> tuple[str, str, str]:
        return search_expressions(
            scope_expression(guild_id, topic, level), words, any_term=any_term
        )

    async def _counts(self, query: tuple[str, str, str]) -> tuple[int, int]:
        counts = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM resources_fts WHERE resources_fts MATCH ?1),"
            " (SELECT COUNT(*) FROM resources_fts WHERE resources_fts MATCH ?2)",
            query[:2],
        )
        assert counts is not None
        return int(counts[0]), int(counts[1])

    async def _rank_all(self, query: tuple[str, str, str]) -> list[int]:
        scored = await self.db.fetchall(
            f"SELECT rowid, {RANK_SQL}, rowid IN (SELECT rowid FROM resources_fts"
            " WHERE resources_fts MATCH ?2) FROM resources_fts WHERE resources_fts MATCH ?1",
            query[:2],
        )
        return [r[0] for r in sorted(scored, key=lambda r: (not r[2], r[1], -r[0]))]

    async def _tier(
        self, query: tuple[str, str, str], title: bool, count: int, offset: int, limit: int
    ) -> list[int]:
        # Past RANK_CAP rows bm25 would cost too much: newest first instead.
        order = f"{RANK_SQL}, rowid DESC" if count <= RANK_CAP else "rowid DESC"
        rows = await self.db.fetchall(
            f"SELECT rowid FROM resources_fts WHERE resources_fts MATCH ? ORDER BY {order}"
            " LIMIT ? OFFSET ?",
            (query[1] if title else query[2], limit, offset),
        )
        return [r[0] for r in rows]


# --- PostgreSQL: tsvector, tsquery, bm25 computed here ---------------------------------
def tsquery_text(words: list[str], *, any_term: bool = False, weight: str = "") -> str:
    """Every word as a quoted prefix (`'word':*`, `'word':*A` for title only), joined by
    `&` (or `|`). Quoting makes any character a plain one; words have none to escape."""
    quoted = ("'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" + weight for w in words)
    return (" | " if any_term else " & ").join(quoted)


class _PgQuery:
    def __init__(
        self, guild_id: int, words: list[str], topic: str | None, level: str | None, any_term: bool
    ) -> None:
        self.guild_id = guild_id
        self.words = words
        self.where = "r.guild_id = ? AND r.status = 'approved'"
        self.params: list[Any] = [guild_id]
        if topic:
            self.where += " AND r.topic = ?"
            self.params.append(topic)
        if level:
            self.where += " AND r.level = ?"
            self.params.append(level)
        self.text = tsquery_text(words, any_term=any_term)
        self.title = tsquery_text(words, any_term=any_term, weight="A")


_MATCHES = f"r.search @@ to_tsquery('{TS_CONFIG}', ?)"


class PostgresSearch(_Search):
    def __init__(self, db: Database) -> None:
        self.db = db

    def _query(
        self, guild_id: int, words: list[str], topic: str | None, level: str | None, any_term: bool
    ) -> _PgQuery:
        return _PgQuery(guild_id, words, topic, level, any_term)

    async def _counts(self, query: _PgQuery) -> tuple[int, int]:
        counts = await self.db.fetchone(
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {_MATCHES}) FROM resources r"
            f" WHERE {query.where} AND {_MATCHES}",
            (query.title, *query.params, query.text),
        )
        assert counts is not None
        return int(counts[0]), int(counts[1])

    async def _rank_all(self, query: _PgQuery) -> list[int]:
        scored = await self._scored(query, f"{_MATCHES}", [query.text], PG_WEIGHTS, "")
        return [i for i, _, _ in sorted(scored, key=lambda r: (not r[1], r[2], -r[0]))]

    async def _tier(
        self, query: _PgQuery, title: bool, count: int, offset: int, limit: int
    ) -> list[int]:
        if title:
            tier, tier_params = _MATCHES, [query.title]
        else:
            tier, tier_params = f"{_MATCHES} AND NOT {_MATCHES}", [query.text, query.title]
        if count > RANK_CAP:  # newest first
            rows = await self.db.fetchall(
                f"SELECT r.id FROM resources r WHERE {query.where} AND {tier}"
                " ORDER BY r.id DESC LIMIT ? OFFSET ?",
                (*query.params, *tier_params, limit, offset),
            )
            return [r[0] for r in rows]
        weights, label = (PG_TITLE_WEIGHTS, "A") if title else (PG_WEIGHTS, "")
        scored = await self._scored(query, tier, tier_params, weights, label)
        ranked = sorted(scored, key=lambda r: (r[2], -r[0]))
        return [i for i, _, _ in ranked[offset : offset + limit]]

    async def _scored(
        self,
        query: _PgQuery,
        tier: str,
        tier_params: list[str],
        weights: Mapping[str, float],
        label: str,
    ) -> list[tuple[int, bool, float]]:
        """(id, title holds the words, bm25) of every match in the tier.

        One statement: the library's size in rows and words, how many of its resources
        hold each word (counted in the title only for title-only ranking), and for each
        match its length and its hits per word and weight, read from its tsvector."""
        words = [tsquery_text([w], weight=label) for w in query.words]
        library = "s.guild_id = ? AND s.status = 'approved'"
        rows = await self.db.fetchall(
            "WITH terms AS (SELECT t.i, t.query,"
            f"  (tsvector_to_array(to_tsvector('{TS_CONFIG}', t.word)))[1] AS lexeme"
            "  FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(word, query, i)),"
            " stats AS (SELECT"
            f"  (SELECT COUNT(*) FROM resources s WHERE {library}) AS n,"
            f"  (SELECT COALESCE(SUM(s.search_tokens), 0) FROM resources s WHERE {library})"
            "   AS tokens,"
            "  ARRAY(SELECT (SELECT COUNT(*) FROM resources s WHERE"
            f"   {library} AND s.search @@ to_tsquery('{TS_CONFIG}', t.query))"
            "   FROM terms t ORDER BY t.i) AS hits)"
            f" SELECT r.id, {_MATCHES} AS in_title, r.search_tokens, st.n, st.tokens, st.hits,"
            "  h.i, h.weight, h.n AS count"
            " FROM resources r CROSS JOIN stats st"
            " LEFT JOIN LATERAL (SELECT t.i, w.weight, COUNT(*) AS n"
            "  FROM unnest(r.search) AS u, unnest(u.weights) AS w(weight), terms t"
            "  WHERE starts_with(u.lexeme, t.lexeme) GROUP BY t.i, w.weight) h ON true"
            f" WHERE {query.where} AND {tier}",
            (
                query.words,
                words,
                query.guild_id,
                query.guild_id,
                query.guild_id,
                query.title,
                *query.params,
                *tier_params,
            ),
        )
        if not rows:
            return []
        first = rows[0]
        n = int(first["n"])
        avgdl = float(int(first["tokens"]) + SCOPE_TOKENS * n) / float(n)
        idfs = [idf(n, int(hits)) for hits in first["hits"]]
        freqs: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(idfs))
        info: dict[int, tuple[bool, int]] = {}
        for r in rows:
            info[r["id"]] = (bool(r["in_title"]), int(r["search_tokens"]) + SCOPE_TOKENS)
            if r["i"] is not None and r["weight"] in weights:
                freqs[r["id"]][r["i"] - 1] += weights[r["weight"]] * int(r["count"])
        return [
            (rid, in_title, bm25(freqs[rid], length, idfs, avgdl))
            for rid, (in_title, length) in info.items()
        ]
