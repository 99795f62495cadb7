"""What every part of the events feature shares: the store, guild settings, the clock,
and reading an event with its counts.

The parts (catalogue, listings, seats, reminders, door, standing, feedback, member data)
each get one `EventStore` in their constructor; none inherits from another.

Every decision about an event's seats (a click, Can't go, filling freed seats, the seat
release, an edit, a cancel, a check-in) first locks the event's row (`lock_event`, or
`lock_event_sql` in `run_in_transaction` work) and only then reads what it decides on.
On SQLite the one writer at a time already serializes them; on PostgreSQL, where several
processes decide at once, the lock does, and it must be a statement of its own: at READ
COMMITTED a statement that waited for a row lock still reads everything else (the counts
of going and waiting) as it was when the statement began; only the statements after the
lock see what the previous holder committed.

Arrival order. Called from outside a transaction, each of those decisions first takes
the event's turn in this process (`turn`), so concurrent ones are decided in the order
they arrived: a waitlist is in click order. The row lock alone does not keep that order
on PostgreSQL, whose connections may reach the lock in any order (on SQLite the one
connection's queue did); a guild's clicks all reach the one process owning it
(bot/shards.py). A member's data deleted (member_data.py) locks the rows inside a larger
transaction, already holding a connection, so it takes no turn.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.db import Database, SyncConnection
from bot.errors import NotFound
from bot.events.models import Event
from bot.events.questions import load_questions
from bot.guilds import DEFAULT_TIMEZONE, GuildSettings
from bot.i18n import _
from bot.sql import Row

T = TypeVar("T")

_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(Event))
_EVENT_COLUMNS = ", ".join(
    f"e.{name}" for name in _EVENT_FIELDS if name not in ("going", "waitlist")
)
SELECT_EVENT = (
    f"SELECT {_EVENT_COLUMNS},"
    " (SELECT COUNT(*) FROM rsvps g WHERE g.event_id = e.id AND g.status = 'going') AS going,"
    " (SELECT COUNT(*) FROM rsvps w WHERE w.event_id = e.id AND w.status = 'waitlist')"
    " AS waitlist"
)
# A place among the going (behind is always 0 there) or on the waitlist, where everyone in
# good standing (behind = 0) comes before those behind, each group in click order.
RANK = "SELECT COUNT(*) FROM rsvps WHERE event_id = ? AND status = ? AND (behind, seq) <= (?, ?)"
# Rank as a correlated subquery over the row aliased r.
RANK_OF_R = (
    "(SELECT COUNT(*) FROM rsvps x WHERE x.event_id = r.event_id AND x.status = r.status"
    " AND (x.behind, x.seq) <= (r.behind, r.seq))"
)
# The event_guild_settings columns set one at a time (set_setting).
_SETTINGS = frozenset(
    {
        "reminder_offsets",
        "release_on_leave",
        "volunteer_role_id",
        "series_lead_days",
        "checkin_window_hours",
    }
)


def event_from_row(row: Row) -> Event:
    values = {name: row[name] for name in _EVENT_FIELDS}
    values["questions"] = load_questions(values["questions"])
    return Event(**values)


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def outbox_key(event_id: int, *parts: object) -> str:
    """Outbox dedupe key `event:{id}:…` (cancel drops by the prefix; stats count by it)."""
    return ":".join(["event", str(event_id), *map(str, parts)])


def timezone_sync(conn: SyncConnection, guild_id: int) -> ZoneInfo:
    row = conn.execute("SELECT timezone FROM guilds WHERE guild_id = ?", (guild_id,)).fetchone()
    return ZoneInfo(row[0] if row else DEFAULT_TIMEZONE)


class Turns:
    """One turn at a time per key, in the order they were asked for (asyncio's Lock is
    first come, first served); a key's lock lives while someone holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class EventStore:
    """The store, guild settings and clock. `clock` returns epoch seconds (tests pass theirs)."""

    def __init__(
        self, db: Database, guilds: GuildSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.clock = clock
        # Locks the event's row until the transaction ends (see the module's docstring).
        self.lock_event_sql = f"SELECT e.id FROM events e WHERE e.id = ?{db.lock('e')}"
        self.turns = Turns()  # each event's decisions, in arrival order

    def now(self) -> int:
        return int(self.clock())

    def turn(self, event_id: int) -> AbstractAsyncContextManager[None]:
        """Outside a transaction, before one that locks the event: decisions on one event
        go in the order they arrived (see the module's docstring)."""
        return self.turns.turn(event_id)

    async def lock_event(self, event_id: int) -> None:
        """Inside a transaction, before reading what a seat decision depends on."""
        await self.db.execute(self.lock_event_sql, (event_id,))

    async def load(self, guild_id: int, event_id: int) -> Event:
        """The event with its counts; NotFound if it isn't this guild's."""
        row = await self.db.fetchone(
            f"{SELECT_EVENT} FROM events e WHERE e.id = ? AND e.guild_id = ?",
            (event_id, guild_id),
        )
        if row is None:
            raise NotFound(_("There is no event #{event_id} in this server.", event_id=event_id))
        return event_from_row(row)

    async def load_any(self, event_id: int) -> Event | None:
        """By id alone, for jobs that only know the event."""
        row = await self.db.fetchone(f"{SELECT_EVENT} FROM events e WHERE e.id = ?", (event_id,))
        return None if row is None else event_from_row(row)

    async def guild_of(self, event_id: int) -> int:
        """The event's guild (buttons in DMs and jobs carry only the event id)."""
        guild_id = await self.db.fetchval("SELECT guild_id FROM events WHERE id = ?", (event_id,))
        if guild_id is None:
            raise NotFound(_("That event no longer exists."))
        return int(guild_id)

    async def set_setting(self, guild_id: int, column: str, value: object) -> None:
        """Upsert one column of event_guild_settings."""
        if column not in _SETTINGS:  # the SQL is built from it: never anything else
            raise ValueError(f"not an event setting: {column!r}")
        await self.guilds.ensure(guild_id)
        await self.db.execute(
            f"INSERT INTO event_guild_settings(guild_id, {column}) VALUES (?, ?)"
            f" ON CONFLICT(guild_id) DO UPDATE SET {column} = excluded.{column}",
            (guild_id, value),
        )
