"""Intent marks for what the bot creates on Discord for an event (see migration 0012).

Posting the announcement and creating the scheduled event are Discord calls whose
results (message id, scheduled event id) the database must learn. Between the call and
the record a crash would otherwise leave the database not knowing, so the next attempt
would duplicate the post. The mark is set before the call (for a new event, in the very
transaction that creates it), cleared when the result is recorded or the attempt failed
for good, and still-set marks are reconciled at start-up by the cog.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.db import Database


@dataclass(frozen=True)
class PendingPost:
    event_id: int
    guild_id: int
    channel_id: int | None
    title: str
    starts_at: int


class PostingLedger:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    async def intend_announcement(self, event_id: int) -> None:
        await self.db.execute(
            "UPDATE events SET announce_intent_at = ? WHERE id = ?", (int(self.clock()), event_id)
        )

    async def announcement_posted(
        self, event_id: int, channel_id: int, message_id: int, *, thread_next: bool = False
    ) -> None:
        """`thread_next`: a thread is still to be made, so the mark stays (threads.py)."""
        intent = "announce_intent_at" if thread_next else "NULL"  # one of two constants
        await self.db.execute(
            f"UPDATE events SET channel_id = ?, message_id = ?, announce_intent_at = {intent}"
            " WHERE id = ?",
            (channel_id, message_id, event_id),
        )

    async def announcement_abandoned(self, event_id: int) -> None:
        """Discord refused the post: nothing was posted, nothing to reconcile."""
        await self.db.execute(
            "UPDATE events SET announce_intent_at = NULL WHERE id = ?", (event_id,)
        )

    async def intend_scheduled(self, event_id: int) -> None:
        await self.db.execute(
            "UPDATE events SET scheduled_intent_at = ? WHERE id = ?", (int(self.clock()), event_id)
        )

    async def scheduled_created(self, event_id: int, scheduled_event_id: int | None) -> None:
        await self.db.execute(
            "UPDATE events SET scheduled_event_id = ?, scheduled_intent_at = NULL WHERE id = ?",
            (scheduled_event_id, event_id),
        )

    async def scheduled_abandoned(self, event_id: int) -> None:
        await self.db.execute(
            "UPDATE events SET scheduled_intent_at = NULL WHERE id = ?", (event_id,)
        )

    async def pending_announcements(self, before: int) -> list[PendingPost]:
        """Marked by `before` (this process's start; later marks are its own, in flight)
        but not recorded: a crash came between the post and its record."""
        return await self._pending("announce_intent_at <= ? AND message_id IS NULL", before)

    async def pending_scheduled(self, before: int) -> list[PendingPost]:
        return await self._pending(
            "scheduled_intent_at <= ? AND scheduled_event_id IS NULL", before
        )

    async def _pending(self, condition: str, before: int) -> list[PendingPost]:
        # `condition` is one of the two constants above, never member input.
        rows = await self.db.fetchall(
            "SELECT id, guild_id, channel_id, title, starts_at FROM events"
            f" WHERE {condition} AND status = 'scheduled' AND ends_at > ? ORDER BY id",
            (before, int(self.clock())),
        )
        return [
            PendingPost(r["id"], r["guild_id"], r["channel_id"], r["title"], r["starts_at"])
            for r in rows
        ]
