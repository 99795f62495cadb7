"""Scheduled posts: one resource per tick in a channel, rotating through the library.

The database is the ledger. `next_due_at` is the tick owed next; serving a tick
picks the resource, logs it, enqueues the channel post (dedupe key
`autopost:{id}:{tick}`) and records `last_tick_at` in one transaction. A tick
that was already served changes nothing, so a restart (or a job firing twice)
never posts twice, and an overdue tick found at start-up is served once.

Delivery failures are read back from the outbox (the deliverer marks rows
'failed' when Discord refuses them): three failed posts in a row pause the
schedule and the organizers are told in their own channel (bot/organizer_notices.py).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger

from bot import organizer_notices, outbox
from bot.db import Database
from bot.errors import InvalidInput, NotFound
from bot.guilds import GuildSettings
from bot.schedules import Schedule, parse_schedule
from bot.taxonomy import Taxonomy

log = logging.getLogger(__name__)

MAX_FAILURES = 3
# A job may fire a moment before the stored due time; treat that as due.
DUE_GRACE_SECONDS = 5
POST_KIND = "resource.autopost"

_COLUMNS = (
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


@dataclass(frozen=True)
class TickResult:
    autopost_id: int
    tick_at: int
    # 'posted' | 'already_served' | 'paused' | 'empty' (nothing to post) | 'missing'
    outcome: str
    resource_id: int | None = None
    title: str | None = None
    next_due_at: int | None = None


@dataclass(frozen=True)
class AutopostJob:
    """What the scheduler must run: `run_due(autopost_id)` on `trigger`; at once if overdue."""

    autopost_id: int
    guild_id: int
    trigger: CronTrigger
    next_due_at: int | None
    overdue: bool


class AutopostService:
    def __init__(
        self, db: Database, guilds: GuildSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.clock = clock
        self.taxonomy = Taxonomy(db, clock)

    def _now(self) -> int:
        return int(self.clock())

    async def _schedule(self, guild_id: int, text: str) -> Schedule:
        return parse_schedule(text, (await self.guilds.get(guild_id)).tz)

    async def _row(self, autopost_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM resource_autoposts WHERE id = ?", (autopost_id,)
        )

    async def _autopost(self, row: sqlite3.Row) -> Autopost:
        try:
            description = (await self._schedule(row["guild_id"], row["schedule"])).describe()
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

    # --- organizer commands ---------------------------------------------------
    async def set_schedule(
        self,
        guild_id: int,
        channel_id: int,
        schedule: str,
        topic: str | None = None,
        created_by: int | None = None,
    ) -> Autopost:
        """Create or replace the channel's schedule (un-pausing it). Reschedule its job after."""
        parsed = await self._schedule(guild_id, schedule)
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic) if topic else None
        now = self._now()
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
                f"SELECT {_COLUMNS} FROM resource_autoposts WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
        assert row is not None
        return await self._autopost(row)

    async def list_autoposts(self, guild_id: int) -> list[Autopost]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM resource_autoposts WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [await self._autopost(r) for r in rows]

    async def get(self, autopost_id: int) -> Autopost | None:
        row = await self._row(autopost_id)
        return None if row is None else await self._autopost(row)

    async def _in_channel(self, guild_id: int, channel_id: int) -> sqlite3.Row:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM resource_autoposts WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )
        if row is None:
            raise NotFound(f"There is no autopost schedule in <#{channel_id}>.")
        return row

    async def stop(self, guild_id: int, channel_id: int) -> Autopost:
        """Delete the channel's schedule and drop its posts not yet sent. Cancel its job after."""
        async with self.db.transaction():
            row = await self._in_channel(guild_id, channel_id)
            await self.db.execute("DELETE FROM resource_autoposts WHERE id = ?", (row["id"],))
            await outbox.drop(self.db, dedupe_prefix=f"autopost:{row['id']}:")
        return await self._autopost(row)

    async def resume(self, guild_id: int, channel_id: int) -> Autopost:
        """Un-pause a schedule (failures forgotten; the next tick is computed from now)."""
        row = await self._in_channel(guild_id, channel_id)
        parsed = await self._schedule(guild_id, row["schedule"])
        async with self.db.transaction():
            checked = await self.db.fetchval("SELECT COALESCE(MAX(id), 0) FROM outbox")
            await self.db.execute(
                "UPDATE resource_autoposts SET paused = 0, failures = 0, last_error = NULL,"
                " next_due_at = ?, checked_outbox_id = ? WHERE id = ?",
                (parsed.next_fire(self._now()), checked, row["id"]),
            )
        fresh = await self._row(row["id"])
        assert fresh is not None
        return await self._autopost(fresh)

    # --- the job --------------------------------------------------------------
    async def run_due(self, autopost_id: int, now: float | None = None) -> TickResult | None:
        """What the scheduled job calls: serve the tick owed if it is due (else None)."""
        now_i = int(now if now is not None else self.clock())
        row = await self._row(autopost_id)
        if row is None or row["paused"] or row["next_due_at"] is None:
            return None
        if row["next_due_at"] > now_i + DUE_GRACE_SECONDS:
            return None
        return await self.tick(autopost_id, row["next_due_at"])

    async def tick(self, autopost_id: int, tick_time: int) -> TickResult:
        """Serve the tick at epoch `tick_time`: post the resource least recently posted here.

        Idempotent: a tick at or before the last one served changes nothing.
        """
        tick_time = int(tick_time)
        async with self.db.transaction():
            row = await self._row(autopost_id)
            if row is None:
                return TickResult(autopost_id, tick_time, "missing")
            if row["paused"]:
                return TickResult(autopost_id, tick_time, "paused", next_due_at=row["next_due_at"])
            if row["last_tick_at"] is not None and tick_time <= row["last_tick_at"]:
                return TickResult(
                    autopost_id, tick_time, "already_served", next_due_at=row["next_due_at"]
                )
            if await self._sync_deliveries(row):
                return TickResult(autopost_id, tick_time, "paused", next_due_at=row["next_due_at"])
            now = self._now()
            parsed = await self._schedule(row["guild_id"], row["schedule"])
            next_due = parsed.next_fire(max(now, tick_time))
            pick = await self._pick(row)
            if pick is not None:
                await self.db.execute(
                    "INSERT INTO resource_autopost_log(guild_id, channel_id, autopost_id,"
                    " resource_id, tick_at, posted_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (row["guild_id"], row["channel_id"], autopost_id, pick["id"], tick_time, now),
                )
                await outbox.enqueue(
                    self.db,
                    guild_id=row["guild_id"],
                    kind=POST_KIND,
                    channel_id=row["channel_id"],
                    payload={
                        "autopost_id": autopost_id,
                        "resource_id": pick["id"],
                        "title": pick["title"],
                        "url": pick["url"],
                        "description": pick["description"],
                        "topic": pick["topic"],
                        "level": pick["level"],
                        "tick_at": tick_time,
                    },
                    dedupe_key=f"autopost:{autopost_id}:{tick_time}",
                )
            await self.db.execute(
                "UPDATE resource_autoposts SET last_tick_at = ?, next_due_at = ? WHERE id = ?",
                (tick_time, next_due, autopost_id),
            )
        if pick is None:
            return TickResult(autopost_id, tick_time, "empty", next_due_at=next_due)
        return TickResult(
            autopost_id, tick_time, "posted", pick["id"], pick["title"], next_due_at=next_due
        )

    async def _pick(self, row: sqlite3.Row) -> sqlite3.Row | None:
        # Never posted here first (in random order), then the one posted longest ago;
        # the log id, not the time, orders posts made within the same second.
        topic_sql = " AND r.topic = ?" if row["topic"] else ""
        return await self.db.fetchone(
            "SELECT r.id, r.title, r.url, r.description, r.topic, r.level,"
            " (SELECT MAX(l.id) FROM resource_autopost_log l WHERE l.resource_id = r.id"
            "   AND l.guild_id = r.guild_id AND l.channel_id = ?) AS last_log"
            f" FROM resources r WHERE r.guild_id = ? AND r.status = 'approved'{topic_sql}"
            " ORDER BY last_log IS NOT NULL, last_log, random() LIMIT 1",
            (row["channel_id"], row["guild_id"], *([row["topic"]] if row["topic"] else [])),
        )

    # --- failures ---------------------------------------------------------------
    async def record_failure(self, autopost_id: int, error: str) -> bool:
        """Count a failed post (e.g. a channel found deleted); True if this paused the schedule."""
        async with self.db.transaction():
            row = await self._row(autopost_id)
            if row is None or row["paused"]:
                return False
            return await self._count_failure(row, row["failures"] + 1, error)

    async def record_success(self, autopost_id: int) -> None:
        await self.db.execute(
            "UPDATE resource_autoposts SET failures = 0 WHERE id = ?", (autopost_id,)
        )

    async def reconcile(self, guild_id: int | None = None) -> list[int]:
        """Read delivery results of every running schedule; returns the ids it paused.

        Ticks do this themselves; calling it every few minutes pauses a broken
        schedule soon after its third failure instead of at its next tick.
        """
        rows = await self.db.fetchall(
            "SELECT id FROM resource_autoposts WHERE paused = 0"
            + (" AND guild_id = ?" if guild_id is not None else ""),
            (guild_id,) if guild_id is not None else (),
        )
        paused: list[int] = []
        for r in rows:
            async with self.db.transaction():
                row = await self._row(r["id"])
                if row is not None and not row["paused"] and await self._sync_deliveries(row):
                    paused.append(r["id"])
        return paused

    async def _sync_deliveries(self, row: sqlite3.Row) -> bool:
        """Fold outbox results of this schedule's posts into `failures`; True if now paused."""
        prefix = f"autopost:{row['id']}:"
        results = await self.db.fetchall(
            "SELECT id, status, last_error FROM outbox WHERE id > ? AND kind = ?"
            " AND substr(dedupe_key, 1, length(?)) = ? ORDER BY id",
            (row["checked_outbox_id"], POST_KIND, prefix, prefix),
        )
        failures, error, checked = row["failures"], None, row["checked_outbox_id"]
        for r in results:
            if r["status"] == "pending":
                break  # still being tried: read it next time
            if r["status"] == "sent":
                failures, error = 0, None
            elif r["status"] == "failed":
                failures, error = failures + 1, r["last_error"] or "delivery failed"
            checked = r["id"]
        if checked == row["checked_outbox_id"]:
            return False
        await self.db.execute(
            "UPDATE resource_autoposts SET checked_outbox_id = ? WHERE id = ?", (checked, row["id"])
        )
        if failures == row["failures"] and error is None:
            return False
        return await self._count_failure(row, failures, error)

    async def _count_failure(self, row: sqlite3.Row, failures: int, error: str | None) -> bool:
        pause = failures >= MAX_FAILURES
        await self.db.execute(
            "UPDATE resource_autoposts SET failures = ?, last_error = COALESCE(?, last_error),"
            " paused = ? WHERE id = ?",
            (failures, error[:500] if error else None, int(pause), row["id"]),
        )
        if pause:
            log.warning(
                "autopost %s in channel %s paused after %d failed posts: %s",
                row["id"],
                row["channel_id"],
                failures,
                error,
            )
            await self._notify_paused(row, failures, error)
        return pause

    async def _notify_paused(self, row: sqlite3.Row, failures: int, error: str | None) -> None:
        """Tell the organizers in their own channel (never the channel that failed)."""
        last = " ".join((error or row["last_error"] or "the posts failed").split())[:300]
        await organizer_notices.notify(
            self.db,
            row["guild_id"],
            f"⏸️ The resource autopost in <#{row['channel_id']}> (`{row['schedule']}`) is "
            f"paused after {failures} failed posts in a row. Last error: {last}.\n"
            "Check that I can see that channel and post embeds there, then run "
            "`/resource autopost` for it again to restart it.",
            dedupe_key=f"autopost-paused:{row['id']}:{self._now()}",
            now=self._now(),
        )

    # --- start-up -------------------------------------------------------------
    async def jobs(self, guild_id: int | None = None) -> list[AutopostJob]:
        """Every running schedule's job, for the rebuild at start-up (or after a zone change).

        Schedules whose `next_due_at` is missing are given one from now.
        """
        now = self._now()
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM resource_autoposts WHERE paused = 0"
            + (" AND guild_id = ?" if guild_id is not None else "")
            + " ORDER BY id",
            (guild_id,) if guild_id is not None else (),
        )
        out: list[AutopostJob] = []
        for row in rows:
            try:
                parsed = await self._schedule(row["guild_id"], row["schedule"])
            except InvalidInput:
                log.error(
                    "autopost %s has a schedule I can't parse: %r", row["id"], row["schedule"]
                )
                continue
            due = row["next_due_at"]
            if due is None:
                due = parsed.next_fire(now)
                await self.db.execute(
                    "UPDATE resource_autoposts SET next_due_at = ? WHERE id = ?", (due, row["id"])
                )
            overdue = due is not None and due <= now
            out.append(AutopostJob(row["id"], row["guild_id"], parsed.trigger(), due, overdue))
        return out

    async def refresh_guild(self, guild_id: int) -> list[AutopostJob]:
        """After the guild's time zone changed: recompute upcoming ticks; re-add these jobs."""
        now = self._now()
        rows = await self.db.fetchall(
            "SELECT id, schedule, next_due_at FROM resource_autoposts"
            " WHERE guild_id = ? AND paused = 0",
            (guild_id,),
        )
        for row in rows:
            if row["next_due_at"] is not None and row["next_due_at"] <= now:
                continue  # an overdue tick stays owed
            parsed = await self._schedule(guild_id, row["schedule"])
            await self.db.execute(
                "UPDATE resource_autoposts SET next_due_at = ? WHERE id = ?",
                (parsed.next_fire(now), row["id"]),
            )
        return await self.jobs(guild_id)
