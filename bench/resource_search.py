"""`/resource search` at the service level over 10,000 resources: p50 and p99 of 1,000 mixed
queries (single words, prefixes, two words, with topic/level filters), beside a naive
`LIKE '%q%'` scan of the same queries measured in the same run, with the ratio.

Two generated libraries: `zipf` (word frequencies with a realistic head and long tail;
queries drawn the same way, so common words are searched most) and `dense` (a stress
test: 100 equally common words, every query matches a large share of the library).

    python -m bench.resource_search [--resources 10000] [--queries 1000] [--seed 7]
                                    [--corpus zipf|dense|both]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._stats import median, pct, table
from bot.db import Database
from bot.resources import search as fts
from bot.resources.service import ResourceService
from bot.taxonomy import DEFAULT_TOPICS, LEVELS, ensure_guild

GUILD = 1
WARMUP_QUERIES = 300
# Words of the AI-learning domain: the head of the vocabulary (most frequent first).
DOMAIN = (
    "learning machine deep data model neural network python ai training guide course "
    "introduction tutorial language models generative vision transformer tensorflow keras "
    "pytorch classification regression image text embedding gradient descent optimisation "
    "probability statistics linear algebra calculus pipeline deployment monitoring fairness "
    "bias explainability ethics prompt diffusion agent retrieval evaluation dataset feature "
    "engineering notebook book lecture practical advanced beginner gemini gemma kaggle colab "
    "segmentation detection tokenizer fine tuning reinforcement reward policy bayesian forest "
    "boosting kernel convolution recurrent sequence translation summarisation speech audio "
    "graph recommendation ranking search scaling distributed inference quantization serving "
    "attention clustering responsible mlops analytics visualisation pandas numpy sql cloud"
).split()
FILLER = (
    "the a of and to in for with how your from on by an this what why build learn use "
    "understand step free video hands examples code into using about more"
).split()
_SYLLABLES = ("ka", "lo", "mi", "ren", "to", "sa", "vek", "ul", "dar", "pi", "no", "zet", "qua")


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """The domain words, then made-up words for the long tail (no real word list needed)."""
    words = list(DOMAIN)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


class Corpus:
    """Word draws: 'zipf' (a realistic head and long tail) or 'dense' (a stress test where
    100 words are equally common, so every query word matches a fifth of the library)."""

    def __init__(self, kind: str, rng: random.Random) -> None:
        self.rng = rng
        if kind == "dense":
            self.words = list(DOMAIN[:100])
            self.weights = [1.0] * len(self.words)
        else:
            self.words = vocabulary(rng)
            self.weights = [1 / (rank + 1) ** 1.07 for rank in range(len(self.words))]
        self._cum = list(itertools.accumulate(self.weights))

    def word(self) -> str:
        return self.rng.choices(self.words, cum_weights=self._cum)[0]

    def sentence(self, n: int) -> str:
        return " ".join(
            self.word() if self.rng.random() < 0.65 else self.rng.choice(FILLER) for _ in range(n)
        )


async def populate(db: Database, count: int, corpus: Corpus) -> None:
    rng = corpus.rng
    await ensure_guild(db, GUILD)
    rows = []
    now = int(time.time())
    for i in range(count):
        title = corpus.sentence(rng.randint(3, 8)).capitalize() + f" {i}"
        rows.append(
            (
                GUILD,
                f"https://example.org/r/{i}",
                f"https://example.org/r/{i}",
                title,
                corpus.sentence(rng.randint(12, 40)),
                rng.choice(DEFAULT_TOPICS),
                rng.choice(LEVELS),
                now - count + i,
                now - count + i,
            )
        )
    async with db.transaction():
        await db.executemany(
            "INSERT INTO resources(guild_id, url, url_canonical, title, description, topic,"
            " level, status, created_at, approved_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?)",
            rows,
        )
    await db.execute("ANALYZE")


def make_queries(n: int, corpus: Corpus) -> list[dict[str, Any]]:
    """Mixed queries; words are drawn as often as they occur (common topics searched most)."""
    rng = corpus.rng
    queries: list[dict[str, Any]] = []
    kinds = ("word", "prefix", "two words", "filtered")
    for i in range(n):
        kind = kinds[i % len(kinds)]
        word = corpus.word()
        if kind == "word":
            q: dict[str, Any] = {"query": word}
        elif kind == "prefix":
            q = {"query": word[: rng.randint(2, 5)]}
        elif kind == "two words":
            q = {"query": f"{word} {corpus.word()}"}
        else:
            q = {"query": word[: rng.randint(3, 8)], "topic": rng.choice(DEFAULT_TOPICS)}
            if rng.random() < 0.5:
                q["level"] = rng.choice(LEVELS)
        q["kind"] = kind
        queries.append(q)
    return queries


async def naive_like(db: Database, q: dict[str, Any], per_page: int = 5) -> tuple[list[Any], int]:
    """The baseline: every word as `%word%` in title, description or topic; newest first."""
    words = fts.terms(q["query"]) or [q["query"]]
    sql = "SELECT *, COUNT(*) OVER () AS total FROM resources r WHERE r.guild_id = ?"
    params: list[Any] = [GUILD]
    for w in words:
        sql += " AND (r.title LIKE ? OR r.description LIKE ? OR r.topic LIKE ?)"
        params += [f"%{w}%"] * 3
    if q.get("topic"):
        sql += " AND r.topic = ?"
        params.append(q["topic"])
    if q.get("level"):
        sql += " AND r.level = ?"
        params.append(q["level"])
    sql += " AND r.status = 'approved' ORDER BY r.approved_at DESC LIMIT ?"
    rows = await db.fetchall(sql, (*params, per_page))
    return rows, (rows[0]["total"] if rows else 0)


async def measure(
    label: str, queries: list[dict[str, Any]], run, warmup: list[dict[str, Any]]
) -> dict[str, Any]:
    # Warm SQLite's and the OS's caches with other queries of the same mix, as a bot
    # that has been running a while has them: the measured queries are not repeated.
    for q in warmup:
        await run(q)
    times: list[float] = []
    hits = 0
    for q in queries:
        start = time.perf_counter()
        _, total = await run(q)
        times.append(time.perf_counter() - start)
        hits += total > 0
    return {
        "method": label,
        "queries": len(queries),
        "with_results": hits,
        "p50_ms": pct(times, 50) * 1000,
        "p99_ms": pct(times, 99) * 1000,
        "median_ms": median(times) * 1000,
        "max_ms": max(times) * 1000,
    }


async def run_corpus(kind: str, resources: int, queries: int, seed: int) -> list[dict[str, Any]]:
    corpus = Corpus(kind, random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        try:
            await db.migrate()
            start = time.perf_counter()
            await populate(db, resources, corpus)
            load_s = time.perf_counter() - start
            finder = ResourceService(db).finder  # the "service.search" rows below
            qs = make_queries(queries, corpus)
            warm = make_queries(WARMUP_QUERIES, corpus)

            async def fts_search(q: dict[str, Any]) -> tuple[list[Any], int]:
                return await finder.search(
                    GUILD, q["query"], topic=q.get("topic"), level=q.get("level")
                )

            async def like_search(q: dict[str, Any]) -> tuple[list[Any], int]:
                return await naive_like(db, q)

            fts_row = await measure(f"{kind}: service.search (FTS5, bm25)", qs, fts_search, warm)
            like_row = await measure(f"{kind}: naive LIKE '%q%' scan", qs, like_search, warm)
            by_kind = []
            for k in ("word", "prefix", "two words", "filtered"):
                subset = [q for q in qs if q["kind"] == k]
                by_kind.append(await measure(f"{kind}:   search, {k}", subset, fts_search, []))
        finally:
            await db.close()
    ratio = {
        "method": f"{kind}: ratio LIKE / FTS",
        "queries": queries,
        "p50_ms": like_row["p50_ms"] / fts_row["p50_ms"],
        "p99_ms": like_row["p99_ms"] / fts_row["p99_ms"],
    }
    print(f"{kind} corpus: {resources:,} resources loaded (with the FTS index) in {load_s:.2f} s")
    return [fts_row, like_row, ratio, *by_kind]


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", choices=("zipf", "dense", "both"), default="both")
    args = parser.parse_args(argv)
    kinds = ("zipf", "dense") if args.corpus == "both" else (args.corpus,)
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        rows += asyncio.run(run_corpus(kind, args.resources, args.queries, args.seed))
    print(f"Resource search: {args.queries:,} mixed queries over {args.resources:,} resources")
    print(table(rows))
    for row in rows:
        if row["method"].endswith("service.search (FTS5, bm25)"):
            p99 = row["p99_ms"]
            verdict = "met" if p99 < 10 else "NOT met"
            print(f"{row['method']}: aim p99 < 10 ms {verdict} ({p99:.2f} ms)")
    return rows


if __name__ == "__main__":
    main()
