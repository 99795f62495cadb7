"""Autopost ticks: serving the tick a schedule owes, and what is owed when.

Serving a tick picks the resource posted least recently in that channel, logs it,
enqueues the channel post (an `AutopostPost`, dedupe key `autopost:{id}:{tick}`) and
records `last_tick_at` and the next `next_due_at`, all in one transaction. A tick at or
before the last one served changes nothing, so a timer firing twice, or a restart,
never posts twice; an overdue tick found at start-up is served once (coalesced).

`pending` says what the timers must arm (cogs/resources/_timers.py): each running
schedule's cron trigger, its next tick, and whether that tick is already overdue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger

from bot import outbox
from bot.db import Database, Row
from bot.errors import InvalidInput
from bot.resources.autopost.deliveries import Deliveries
from bot.resources.autopost.schedules import COLUMNS, Schedules
from bot.resources.messages import AutopostPost

log = logging.getLogger(__name__)

# A timer may fire a moment before the stored due time; treat that as due.
DUE_GRACE_SECONDS = 5


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
class AutopostPlan:
    """When a running schedule's ticks fall: its cron `trigger` (in the guild's zone), the
    tick owed next, whether that one is already overdue (serve it at once), and the last
    tick served (whose delivery result may still be unread)."""

    autopost_id: int
    guild_id: int
    trigger: CronTrigger
    next_due_at: int | None
    overdue: bool
    last_tick_at: int | None = None


class Ticks:
    def __init__(
        self,
        db: Database,
        schedules: Schedules,
        deliveries: Deliveries,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.schedules = schedules
        self.deliveries = deliveries
        self.clock = clock

    async def run_due(self, autopost_id: int, now: float | None = None) -> TickResult | None:
        """What the timer calls: serve the tick owed if it is due (else None)."""
        now_i = int(now if now is not None else self.clock())
        row = await self.schedules.row(autopost_id)
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
            # Locked: a tick due in two processes at once is served by the first only.
            row = await self.schedules.row(autopost_id, lock=True)
            if row is None:
                return TickResult(autopost_id, tick_time, "missing")
            if row["paused"]:
                return TickResult(autopost_id, tick_time, "paused", next_due_at=row["next_due_at"])
            if row["last_tick_at"] is not None and tick_time <= row["last_tick_at"]:
                return TickResult(
                    autopost_id, tick_time, "already_served", next_due_at=row["next_due_at"]
                )
            if await self.deliveries.read(row):
                return TickResult(autopost_id, tick_time, "paused", next_due_at=row["next_due_at"])
            now = int(self.clock())
            parsed = await self.schedules.parse(row["guild_id"], row["schedule"])
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
                    AutopostPost(
                        autopost_id=autopost_id,
                        resource_id=pick["id"],
                        title=pick["title"],
                        url=pick["url"],
                        description=pick["description"],
                        topic=pick["topic"],
                        level=pick["level"],
                        tick_at=tick_time,
                    ),
                    guild_id=row["guild_id"],
                    channel_id=row["channel_id"],
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

    async def _pick(self, row: Row) -> Row | None:
        # Never posted here first (in random order), then the one posted longest ago;
        # the log id, not the time, orders posts made within the same second.
        # (A subquery, so ORDER BY may use `last_log` in expressions on both stores.)
        topic_sql = " AND r.topic = ?" if row["topic"] else ""
        return await self.db.fetchone(
            "SELECT id, title, url, description, topic, level FROM ("
            " SELECT r.id, r.title, r.url, r.description, r.topic, r.level,"
            "  (SELECT MAX(l.id) FROM resource_autopost_log l WHERE l.resource_id = r.id"
            "    AND l.guild_id = r.guild_id AND l.channel_id = ?) AS last_log"
            f" FROM resources r WHERE r.guild_id = ? AND r.status = 'approved'{topic_sql}"
            ") AS candidates ORDER BY last_log IS NOT NULL, last_log, random() LIMIT 1",
            (row["channel_id"], row["guild_id"], *([row["topic"]] if row["topic"] else [])),
        )

    # --- what the timers arm ----------------------------------------------------
    async def pending(self, guild_id: int | None = None) -> list[AutopostPlan]:
        """Every running schedule's plan, for the timers' rebuild (all guilds, or one).

        Schedules whose `next_due_at` is missing are given one from now.
        """
        now = int(self.clock())
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM resource_autoposts WHERE paused = 0"
            + (" AND guild_id = ?" if guild_id is not None else "")
            + " ORDER BY id",
            (guild_id,) if guild_id is not None else (),
        )
        out: list[AutopostPlan] = []
        for row in rows:
            try:
                parsed = await self.schedules.parse(row["guild_id"], row["schedule"])
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
            out.append(
                AutopostPlan(
                    row["id"], row["guild_id"], parsed.trigger(), due, overdue, row["last_tick_at"]
                )
            )
        return out

    async def plan(self, autopost_id: int) -> AutopostPlan | None:
        """One schedule's plan (None when it is gone or paused): after it is set or resumed."""
        row = await self.schedules.row(autopost_id)
        if row is None:
            return None
        plans = await self.pending(row["guild_id"])
        return next((p for p in plans if p.autopost_id == autopost_id), None)

    async def refresh_guild(self, guild_id: int) -> list[AutopostPlan]:
        """After the guild's time zone changed: recompute upcoming ticks; re-arm these plans."""
        now = int(self.clock())
        rows = await self.db.fetchall(
            "SELECT id, schedule, next_due_at FROM resource_autoposts"
            " WHERE guild_id = ? AND paused = 0",
            (guild_id,),
        )
        for row in rows:
            if row["next_due_at"] is not None and row["next_due_at"] <= now:
                continue  # an overdue tick stays owed
            parsed = await self.schedules.parse(guild_id, row["schedule"])
            await self.db.execute(
                "UPDATE resource_autoposts SET next_due_at = ? WHERE id = ?",
                (parsed.next_fire(now), row["id"]),
            )
        return await self.pending(guild_id)
