"""A public thread under each announcement for questions, archived a day after the event.

The guild's `event_threads` setting (on by default) says whether announcements get one.

Opening it is a second Discord call after the post, so it shares the post's intent mark
(posting.py): when a thread is wanted, `announce_intent_at` stays set after the message is
recorded and is cleared only once the thread is recorded (`opened`) or given up
(`not_opened`). A crash in between leaves the mark, and the start-up reconcile opens the
thread from `to_open`. Discord makes at most one thread per message, and that thread has
the message's id, so a thread that Discord made but the database never learned is found
again rather than made twice.

Closing it: one archive per event, due ARCHIVE_AFTER the end (at once for a cancelled
event); `thread_archived_at` records that it was done (or that the thread was gone), so
the job re-armed at every start-up does it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.events.models import FIRE_EARLY_TOLERANCE
from bot.events.store import EventStore

ARCHIVE_AFTER = 24 * 3600
# The due time of an event's archive: a day after the end, or the cancel (updated_at).
_DUE = "CASE WHEN status = 'cancelled' THEN updated_at ELSE ends_at + ? END"


@dataclass(frozen=True)
class ThreadToOpen:
    """An announcement recorded whose thread was still to be made when the bot stopped."""

    event_id: int
    guild_id: int
    channel_id: int
    message_id: int


@dataclass(frozen=True)
class ArchiveJob:
    """For the cog: at due_at call `threads.check(event_id)` and archive when due."""

    event_id: int
    guild_id: int
    due_at: int


@dataclass(frozen=True)
class ArchiveCheck:
    outcome: Literal["due", "not_due", "done"]
    event_id: int
    thread_id: int | None = None
    due_at: int | None = None
    cancelled: bool = False


class EventThreads:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    # --- the setting -----------------------------------------------------------------------
    async def enabled(self, guild_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT event_threads FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return value is None or bool(value)

    async def set_enabled(self, guild_id: int, enabled: bool) -> None:
        await self.store.guilds.ensure(guild_id)
        await self.db.execute(
            "INSERT INTO event_guild_settings(guild_id, event_threads) VALUES (?, ?)"
            " ON CONFLICT(guild_id) DO UPDATE SET event_threads = excluded.event_threads",
            (guild_id, int(enabled)),
        )

    # --- opening ---------------------------------------------------------------------------
    async def opened(self, event_id: int, thread_id: int) -> None:
        """The thread exists: record it and end the announcement's intent."""
        await self.db.execute(
            "UPDATE events SET thread_id = ?, announce_intent_at = NULL WHERE id = ?",
            (thread_id, event_id),
        )

    async def not_opened(self, event_id: int) -> None:
        """No thread (refused, or not wanted any more): the announcement is done."""
        await self.db.execute(
            "UPDATE events SET announce_intent_at = NULL WHERE id = ?", (event_id,)
        )

    async def to_open(self, before: int) -> list[ThreadToOpen]:
        """Announcements recorded, marked by `before` (this process's start), with no
        thread: a crash came between the post and the thread's record."""
        rows = await self.db.fetchall(
            "SELECT id, guild_id, channel_id, message_id FROM events"
            " WHERE announce_intent_at <= ? AND message_id IS NOT NULL AND thread_id IS NULL"
            " AND status = 'scheduled' AND ends_at > ? ORDER BY id",
            (before, self.store.now()),
        )
        return [
            ThreadToOpen(r["id"], r["guild_id"], r["channel_id"], r["message_id"]) for r in rows
        ]

    async def thread_of(self, event_id: int) -> int | None:
        value = await self.db.fetchval("SELECT thread_id FROM events WHERE id = ?", (event_id,))
        return int(value) if value is not None else None

    # --- closing ---------------------------------------------------------------------------
    async def archives(self, *, event_id: int | None = None) -> list[ArchiveJob]:
        """Threads still to archive, earliest first (one event's, or all: the rebuild)."""
        sql = (
            f"SELECT id, guild_id, {_DUE} AS due_at FROM events"
            " WHERE thread_id IS NOT NULL AND thread_archived_at IS NULL"
        )
        params: list[int] = [ARCHIVE_AFTER]
        if event_id is not None:
            sql += " AND id = ?"
            params.append(event_id)
        rows = await self.db.fetchall(sql + " ORDER BY due_at, id", params)
        return [ArchiveJob(r["id"], r["guild_id"], r["due_at"]) for r in rows]

    async def check(self, event_id: int) -> ArchiveCheck:
        """Is the event's thread due for archiving now? (`done`: no thread, or done.)"""
        row = await self.db.fetchone(
            f"SELECT thread_id, thread_archived_at, status, {_DUE} AS due_at FROM events"
            " WHERE id = ?",
            (ARCHIVE_AFTER, event_id),
        )
        if row is None or row["thread_id"] is None or row["thread_archived_at"] is not None:
            return ArchiveCheck("done", event_id)
        if row["due_at"] > self.store.now() + FIRE_EARLY_TOLERANCE:
            return ArchiveCheck("not_due", event_id, row["thread_id"], row["due_at"])
        return ArchiveCheck(
            "due", event_id, row["thread_id"], row["due_at"], row["status"] == "cancelled"
        )

    async def archived(self, event_id: int) -> bool:
        """Record the archive (or the thread found gone); False if it was already."""
        changed = await self.db.execute_rowcount(
            "UPDATE events SET thread_archived_at = ? WHERE id = ? AND thread_archived_at IS NULL",
            (self.store.now(), event_id),
        )
        return changed > 0
