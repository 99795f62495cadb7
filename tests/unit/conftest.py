"""Unit-test fixtures: a fresh migrated SQLite file per test (never a mock of the store)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
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


@pytest.fixture
def guilds(db: Database) -> GuildSettings:
    return GuildSettings(db)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def event_service(db: Database, guilds: GuildSettings, clock: FakeClock) -> EventService:
    return EventService(db, guilds, clock=clock)
