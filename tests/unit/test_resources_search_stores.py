"""The same library searched on SQLite (FTS5) and PostgreSQL (tsvector, bm25 computed as
FTS5 does): a member gets the same results in the same order whichever store the bot
runs on (bot/resources/search.py). Skipped unless both stores are in STORES."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database
from bot.resources.service import ResourceService
from bot.taxonomy import DEFAULT_TOPICS
from tests.conftest import STORES

G, ORG = 700, 10
WORDS = (
    "attention transformers tokenizers graph neural networks vision convolution keras "
    "python pandas statistics probability gradient descent embeddings retrieval agents "
    "prompting evaluation fairness deployment kubernetes notebooks linear algebra calculus "
    "diffusion segmentation detection translation speech reinforcement bandits"
).split()
QUERIES = [
    "transformers",
    "trans",
    "graph",
    "graph neural",
    "neural netw",
    "vision",
    "keras vision",
    "python pandas",
    "gradient",
    "grad desc",
    "embed retrieval",
    "agents prompting",
    "evaluation fairness",
    "kube",
    "linear algebra",
    "diffusion",
    "speech translation",
    "reinforcement bandits",
    "keras zebra",  # nothing has both: any word, ranked
    "NLP",  # a topic's name
    "computer vision",
    "data",
    "machine learning",
    "statistics probability calculus",
]


class Clock:
    def __init__(self) -> None:
        self.now = float(datetime(2026, 7, 1, tzinfo=UTC).timestamp())

    def __call__(self) -> float:
        return self.now


def library(seed: int = 11, size: int = 160) -> list[tuple[str, str, str, str]]:
    """(title, topic, level, description) of a library with words spread unevenly."""
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(WORDS))]  # a few words common, most rare
    rows = []
    for n in range(size):
        title = " ".join(rng.choices(WORDS, weights, k=rng.randint(2, 5))).capitalize()
        description = " ".join(rng.choices(WORDS, weights, k=rng.randint(0, 14)))
        topic = rng.choice(DEFAULT_TOPICS)
        level = rng.choice(("beginner", "intermediate", "advanced"))
        rows.append((f"{title} {n}", topic, level, description))
    return rows


async def filled(db: Database) -> ResourceService:
    clock = Clock()
    svc = ResourceService(db, clock=clock)
    for n, (title, topic, level, description) in enumerate(library()):
        url = f"https://example.com/lib/{n}"
        await svc.library.add(G, url, title, topic, level, ORG, description)
        clock.now += 60 * (n % 3)  # some added in the same minute: ties, newest first
    return svc


@pytest.fixture
async def both(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[ResourceService, ResourceService]]:
    if not {"sqlite", "postgresql"} <= set(STORES):
        pytest.skip("compares the two stores: STORES leaves one out")
    lite = await Database.open(tmp_path / "bot.sqlite3")
    await lite.migrate()
    server = request.getfixturevalue("postgres")
    url = server.new_database()
    pg = await Database.connect(url)
    try:
        yield await filled(lite), await filled(pg)
    finally:
        await lite.close()
        await pg.close()
        server.drop(url)


async def test_the_same_results_in_the_same_order_on_both_stores(
    both: tuple[ResourceService, ResourceService],
) -> None:
    lite, pg = both
    compared = 0
    for query in QUERIES:
        on_sqlite, total_sqlite = await lite.finder.search(G, query, per_page=10)
        on_pg, total_pg = await pg.finder.search(G, query, per_page=10)
        assert total_pg == total_sqlite, query
        assert [r.title for r in on_pg] == [r.title for r in on_sqlite], query
        compared += len(on_sqlite)
    assert compared > 100  # the queries found things to rank


async def test_filters_and_pages_agree_on_both_stores(
    both: tuple[ResourceService, ResourceService],
) -> None:
    lite, pg = both
    for topic, level in (("NLP", None), (None, "advanced"), ("Computer Vision", "beginner")):
        for page in range(3):
            a, ta = await lite.finder.search(G, "graph", topic=topic, level=level, page=page)
            b, tb = await pg.finder.search(G, "graph", topic=topic, level=level, page=page)
            assert ta == tb and [r.title for r in a] == [r.title for r in b], (topic, level, page)
