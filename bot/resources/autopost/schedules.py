"""Autopost schedules: one per channel, set, listed, stopped and resumed by organizers.

A schedule is stored as normalised text (bot/schedules.py) and read in the guild's time
zone each time, so a zone change moves its wall-clock times. `next_due_at` is the tick
owed next: setting or resuming a schedule computes it from now. What a tick does is in
ticks.py; how failed posts pause a schedule is in deliveries.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot import outbox
from bot.db import Database, Row
from bot.errors import InvalidInput, NotFound
from bot.guilds import GuildSettings
from bot.i18n import _
from bot.schedules import Schedule, parse_schedule
from bot.taxonomy import Taxonomy

COLUMNS = (
    "id, guild_id, channel_id, schedule, topic, paused, failures, last_error, created_by,"
    " created_at, next_due_at, last_tick_at, checked_outbox_id"
)


@dataclass(frozen=True)
class Autopost:
    id: int
    guild_id: int
    channel_id: int
    schedule: str  # normalised schedule text (re-parse with the guild's zone)
    description: str  # human form, e.g. "every day at 10:00 (Asia/Karachi)"
    topic: str | None
    paused: bool
    failures: int
    last_error: str | None
    created_by: int | None
    created_at: int
    next_due_at: int | None
    last_tick_at: int | None


class Schedules:
    def __init__(
        self,
        db: Database,
        guilds: GuildSettings,
        taxonomy: Taxonomy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.taxonomy = taxonomy
        self.clock = clock

    async def parse(self, guild_id: int, text: str) -> Schedule:
        """A schedule's text read in the guild's time zone (InvalidInput if it can't be)."""
        return parse_schedule(text, (await self.guilds.get(guild_id)).tz)

    async def row(self, autopost_id: int, *, lock: bool = False) -> Row | None:
        """The schedule's row; `lock` (inside a transaction that decides something: a tick,
        a failure count) holds it until the commit, so two processes decide one at a time."""
        return await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resource_autoposts WHERE id = ?"
            + (self.db.lock() if lock else ""),
            (autopost_id,),
        )

    async def autopost_of(self, row: Row) -> Autopost:
        try:
            description = (await self.parse(row["guild_id"], row["schedule"])).describe()
        except InvalidInput:
            description = row["schedule"]
        return Autopost(
            id=row["id"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            schedule=row["schedule"],
            description=description,
            topic=row["topic"],
            paused=bool(row["paused"]),
            failures=row["failures"],
            last_error=row["last_error"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            next_due_at=row["next_due_at"],
            last_tick_at=row["last_tick_at"],
        )

    async def set(
        self,
        guild_id: int,
        channel_id: int,
        schedule: str,
        topic: str | None = None,
        created_by: int | None = None,
    ) -> Autopost:
        """Create or replace the channel's schedule (un-pausing it). Re-arm its timer after."""
        parsed = await self.parse(guild_id, schedule)
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic) if topic else None
        now = int(self.clock())
        next_due = parsed.next_fire(now)
        async with self.db.transaction():
            # Old delivery results must not count against the new schedule.
            checked = await self.db.fetchval("SELECT COALESCE(MAX(id), 0) FROM outbox")
            await self.db.execute(
                "INSERT INTO resource_autoposts(guild_id, channel_id, schedule, topic, created_by,"
                " created_at, next_due_at, checked_outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(guild_id, channel_id) DO UPDATE SET schedule = excluded.schedule,"
                " topic = excluded.topic, created_by = excluded.created_by,"
                " next_due_at = excluded.next_due_at, paused = 0, failures = 0,"
                " last_error = NULL, checked_outbox_id = excluded.checked_outbox_id",
                (guild_id, channel_id, parsed.text, topic_name, created_by, now, next_due, checked),
            )
            row = await self.db.fetchone(
                f"SELECT {COLUMNS} FROM resource_autoposts WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
        assert row is not None
        return await self.autopost_of(row)

    async def in_guild(self, guild_id: int) -> list[Autopost]:
        """The guild's schedules, oldest first."""
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM resource_autoposts WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [await self.autopost_of(r) for r in rows]

    async def get(self, autopost_id: int) -> Autopost | None:
        row = await self.row(autopost_id)
        return None if row is None else await self.autopost_of(row)

    async def _in_channel(self, guild_id: int, channel_id: int) -> Row:
        row = await self.db.fetchone(
            f"SELECT {COLUMNS} FROM resource_autoposts WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )
        if row is None:
            raise NotFound(
                _("There is no autopost schedule in <#{channel_id}>.", channel_id=channel_id)
            )
        return row

    async def stop(self, guild_id: int, channel_id: int) -> Autopost:
        """Delete the channel's schedule and drop its posts not yet sent. Cancel its timer after."""
        async with self.db.transaction():
            row = await self._in_channel(guild_id, channel_id)
            await self.db.execute("DELETE FROM resource_autoposts WHERE id = ?", (row["id"],))
            await outbox.drop(self.db, dedupe_prefix=f"autopost:{row['id']}:")
        return await self.autopost_of(row)

    async def resume(self, guild_id: int, channel_id: int) -> Autopost:
        """Un-pause a schedule (failures forgotten; the next tick is computed from now)."""
        row = await self._in_channel(guild_id, channel_id)
        parsed = await self.parse(guild_id, row["schedule"])
        async with self.db.transaction():
            checked = await self.db.fetchval("SELECT COALESCE(MAX(id), 0) FROM outbox")
            await self.db.execute(
                "UPDATE resource_autoposts SET paused = 0, failures = 0, last_error = NULL,"
                " next_due_at = ?, checked_outbox_id = ? WHERE id = ?",
                (parsed.next_fire(int(self.clock())), checked, row["id"]),
            )
        fresh = await self.row(row["id"])
        assert fresh is not None
        return await self.autopost_of(fresh)
