"""Unit-test fixtures: a fresh migrated store per test, an SQLite file or a PostgreSQL
database (`STORES`, tests/conftest.py), never a mock of the store; an injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.postgres_db import PostgresDatabase
from bot.sqlite_db import SqliteDatabase
from tests.conftest import STORES

# 2026-07-01 00:00 UTC (05:00 in Asia/Karachi), a Wednesday.
START_OF_TESTS = int(datetime(2026, 7, 1, tzinfo=UTC).timestamp())


class FakeClock:
    """A clock tests move by hand: `clock()` → epoch seconds."""

    def __init__(self, now: float = START_OF_TESTS) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, epoch: float) -> None:
        self.now = float(epoch)


@pytest.fixture(params=STORES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated store: an SQLite file, or a PostgreSQL database (`STORES`)."""
    if request.param == "sqlite":
        database = await Database.open(tmp_path / "bot.sqlite3")
        await database.migrate()
        url = None
    else:
        server = request.getfixturevalue("postgres")
        url = server.new_database()
        database = await Database.connect(url)
    try:
        yield database
    finally:
        await database.close()
        if url is not None:
            server.drop(url)


async def connect_again(db: Database) -> Database:
    """Another connection to the same store (for a second process): the SQLite file
    opened again, or the PostgreSQL database connected to again."""
    if isinstance(db, SqliteDatabase):
        return await Database.open(db.path)
    assert isinstance(db, PostgresDatabase)
    return await Database.connect(db.url)


@pytest.fixture
async def db2(db: Database) -> AsyncIterator[Database]:
    """`db` as a second process sees it: its own connection (its own pool) to that store."""
    other = await connect_again(db)
    try:
        yield other
    finally:
        await other.close()


@pytest.fixture
def guilds(db: Database) -> GuildSettings:
    return GuildSettings(db)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def event_service(db: Database, guilds: GuildSettings, clock: FakeClock) -> EventService:
    return EventService(db, guilds, clock=clock)
