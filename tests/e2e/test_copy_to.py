"""`python -m bot copy-to postgresql://…`: a chapter's SQLite data moves to PostgreSQL whole
(every table, ids kept, counts checked), into an empty database only, and the bot's
services then read it on PostgreSQL as they did on SQLite."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.resources import ResourceService
from tests.conftest import STORES, PostgresServer
from tests.unit.conftest import START_OF_TESTS, FakeClock

ROOT = Path(__file__).resolve().parents[2]
G = 1000
pytestmark = pytest.mark.asyncio
if "postgresql" not in STORES:
    pytest.skip("copies into PostgreSQL: STORES leaves it out", allow_module_level=True)


async def seed(path: Path) -> int:
    """A guild with an event (5 seats taken, 3 waiting), the starter library and progress."""
    db = await Database.open(path)
    try:
        await db.migrate()
        clock = FakeClock(START_OF_TESTS)
        guilds = GuildSettings(db)
        events = EventService(db, guilds, clock=clock)
        event = await events.catalogue.create(
            G, 2001, title="I/O Extended", city="Lahore", starts="2026-07-26 10:00", capacity=5
        )
        for user in range(3000, 3008):
            await events.seats.rsvp(G, event.id, user)
        resources = ResourceService(db, clock)
        await resources.library.import_starter(G, added_by=2001)
        return event.id
    finally:
        await db.close()


def copy_to(path: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_PATH": str(path), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "copy-to", url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def test_everything_is_copied_with_its_ids(tmp_path: Path, postgres: PostgresServer) -> None:
    path = tmp_path / "bot.sqlite3"
    event_id = await seed(path)
    url = postgres.new_database()
    done = copy_to(path, url)
    assert done.returncode == 0, done.stderr
    assert "the counts match" in done.stdout

    src = sqlite3.connect(path)
    with psycopg.connect(url) as dst:
        for table in ("guilds", "cities", "events", "rsvps", "event_tickets", "resources"):
            (here,) = src.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            (there,) = dst.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # type: ignore[misc]
            assert here == there > 0, table
            assert f"{table} " in done.stdout
        order = [r[0] for r in src.execute("SELECT user_id FROM rsvps ORDER BY seq")]
        copied = dst.execute("SELECT user_id FROM rsvps ORDER BY seq").fetchall()
        assert [r[0] for r in copied] == order  # the click order survives
    src.close()

    # the bot's own services read the copy on PostgreSQL, and new rows get new ids
    db = await Database.connect(url)
    try:
        events = EventService(db, GuildSettings(db), clock=FakeClock(START_OF_TESTS))
        event = await events.catalogue.get(G, event_id)
        assert (event.going, event.waitlist) == (5, 3)
        later = await events.catalogue.create(
            G, 2001, title="After the move", city="Lahore", starts="2026-07-27 10:00"
        )
        assert later.id > event_id
        seated = await events.seats.rsvp(G, later.id, 4000)
        assert seated.outcome == "seated"
    finally:
        await db.close()


async def test_a_database_with_data_is_refused(tmp_path: Path, postgres: PostgresServer) -> None:
    path = tmp_path / "bot.sqlite3"
    await seed(path)
    url = postgres.new_database()
    assert copy_to(path, url).returncode == 0
    again = copy_to(path, url)
    assert again.returncode == 1
    assert "is not empty" in again.stderr and "new, empty database" in again.stderr
    missing = copy_to(tmp_path / "nothing.sqlite3", url)
    assert missing.returncode == 1 and "no SQLite database" in missing.stderr
    # A database holding anything is refused before it is touched: nothing migrated.
    other = postgres.new_database()
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")  # another app's
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes VALUES (1, 'an app of its own')")
    refused = copy_to(path, other)
    assert refused.returncode == 1 and "notes has rows" in refused.stderr
    with psycopg.connect(other) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert [r[0] for r in tables] == ["notes"]
