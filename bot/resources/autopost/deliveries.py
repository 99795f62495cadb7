"""Delivery results of autoposts: three failed posts in a row pause a schedule.

The deliverer (cogs/_delivery.py) marks an outbox row 'failed' when Discord refuses it
for good (missing access, a deleted channel) after its retries. This part reads those
results back into `resource_autoposts.failures`, from `checked_outbox_id` on, so each
result counts once however often it is read: a success resets the count, the third
failure in a row pauses the schedule and tells the organizers in their own channel
(bot/organizer_notices.py), never in the channel that failed.

Results are read at every tick (before posting) and by a timer some minutes after each
tick (cogs/resources/_timers.py), so a broken schedule pauses soon after its third
failure rather than at its next tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot import organizer_notices
from bot.db import Database, Row
from bot.i18n import N_
from bot.kinds import Kind
from bot.resources.autopost.schedules import Schedules

log = logging.getLogger(__name__)

MAX_FAILURES = 3

# The organizers' notice for a paused schedule (rendered in the server's language by
# organizer_notices.notify); the second when no error text is known at all.
PAUSED_NOTICE = N_(
    "⏸️ The resource autopost in <#{channel_id}> (`{schedule}`) is paused after {failures}"
    " failed posts in a row. Last error: {error}.\n"
    "Check that I can see that channel and post embeds there, then run"
    " `/resource autopost` for it again to restart it."
)
PAUSED_NOTICE_NO_ERROR = N_(
    "⏸️ The resource autopost in <#{channel_id}> (`{schedule}`) is paused after {failures}"
    " failed posts in a row. Last error: the posts failed.\n"
    "Check that I can see that channel and post embeds there, then run"
    " `/resource autopost` for it again to restart it."
)


class Deliveries:
    def __init__(
        self, db: Database, schedules: Schedules, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.schedules = schedules
        self.clock = clock

    async def read_for(self, autopost_id: int) -> bool:
        """Read one running schedule's new results; True if that paused it. Idempotent."""
        async with self.db.transaction():
            row = await self.schedules.row(autopost_id, lock=True)
            if row is None or row["paused"]:
                return False
            return await self.read(row)

    async def reconcile(self, guild_id: int | None = None) -> list[int]:
        """Read delivery results of every running schedule; returns the ids it paused."""
        rows = await self.db.fetchall(
            "SELECT id FROM resource_autoposts WHERE paused = 0"
            + (" AND guild_id = ?" if guild_id is not None else ""),
            (guild_id,) if guild_id is not None else (),
        )
        return [r["id"] for r in rows if await self.read_for(r["id"])]

    async def read(self, row: Row) -> bool:
        """Fold outbox results of this schedule's posts into `failures`; True if now paused.
        Call inside a transaction (a tick reads them in its own)."""
        prefix = f"autopost:{row['id']}:"
        results = await self.db.fetchall(
            "SELECT id, status, last_error FROM outbox WHERE id > ? AND kind = ?"
            " AND substr(dedupe_key, 1, length(?)) = ? ORDER BY id",
            (row["checked_outbox_id"], str(Kind.RESOURCE_AUTOPOST), prefix, prefix),
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

    async def record_failure(self, autopost_id: int, error: str) -> bool:
        """Count a failed post (e.g. a channel found deleted); True if this paused the schedule."""
        async with self.db.transaction():
            row = await self.schedules.row(autopost_id, lock=True)
            if row is None or row["paused"]:
                return False
            return await self._count_failure(row, row["failures"] + 1, error)

    async def record_success(self, autopost_id: int) -> None:
        await self.db.execute(
            "UPDATE resource_autoposts SET failures = 0 WHERE id = ?", (autopost_id,)
        )

    async def _count_failure(self, row: Row, failures: int, error: str | None) -> bool:
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

    async def _notify_paused(self, row: Row, failures: int, error: str | None) -> None:
        """Tell the organizers in their own channel (never the channel that failed)."""
        now = int(self.clock())
        # The error is the deliverer's (stored, in English), or none at all.
        raw = error or row["last_error"]
        last = " ".join(raw.split())[:300] if raw else None
        await organizer_notices.notify(
            self.db,
            row["guild_id"],
            PAUSED_NOTICE if last is not None else PAUSED_NOTICE_NO_ERROR,
            params={
                "channel_id": row["channel_id"],
                "schedule": row["schedule"],
                "failures": failures,
                "error": last,
            },
            dedupe_key=f"autopost-paused:{row['id']}:{now}",
            now=now,
        )
