"""The outbox: messages owed to members or channels, stored before they are sent.

Why: a promotion, a reminder or a cancellation notice is decided in a database
transaction; writing the message owed in that same transaction means a crash
can't lose it. The deliverer (cogs/_delivery.py) sends pending rows in order
and marks each one. A crash between Discord accepting a message and the row
being marked can repeat that one message once on restart — at most one
duplicate per message, never a loss.

Delivered and dropped messages are pruned a month after they were written, due and
sent (`prune`, daily, started with the bot); so are failed ones, except an event's,
which its organizers count in /event stats until a month after the event ends.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from apscheduler.triggers.interval import IntervalTrigger

from bot.db import Database
from bot.kinds import Payload, decode

M = TypeVar("M", bound=Payload)

if TYPE_CHECKING:
    from bot.scheduler import Scheduler

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
KEEP_DAYS = 30
PRUNE_JOB = "outbox:prune"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    guild_id: int
    kind: str
    user_id: int | None
    channel_id: int | None
    payload: dict[str, Any]  # the stored JSON, as written
    attempts: int
    message: Payload | None = None  # the payload as its kind's dataclass (bot/kinds.py)

    def expect(self, cls: type[M]) -> M:
        """The payload as `cls` (the renderer's own kind); a mismatch is a bug."""
        if not isinstance(self.message, cls):
            raise TypeError(f"outbox item {self.id} ({self.kind}) is not a {cls.__name__}")
        return self.message


async def enqueue(
    db: Database,
    message: Payload,
    *,
    guild_id: int,
    user_id: int | None = None,
    channel_id: int | None = None,
    due_at: int | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Owe `message` (the typed payload of its kind, bot/kinds.py) to a member or a
    channel. Call inside the transaction that causes it. False if already owed."""
    if (user_id is None) == (channel_id is None):
        raise ValueError("an outbox message goes to exactly one of user_id or channel_id")
    kind, body = str(message.KIND), message.to_json()
    count = await db.execute_rowcount(
        "INSERT INTO outbox(guild_id, kind, user_id, channel_id, payload, dedupe_key,"
        " due_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            guild_id,
            kind,
            user_id,
            channel_id,
            body,
            dedupe_key,
            int(due_at if due_at is not None else time.time()),
        ),
    )
    return count > 0


async def due(db: Database, limit: int = 50, now: float | None = None) -> list[OutboxItem]:
    """Pending messages whose time has come, oldest first."""
    rows = await db.fetchall(
        "SELECT id, guild_id, kind, user_id, channel_id, payload, attempts FROM outbox"
        " WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        (int(now if now is not None else time.time()), limit),
    )
    return [
        OutboxItem(
            r["id"],
            r["guild_id"],
            r["kind"],
            r["user_id"],
            r["channel_id"],
            json.loads(r["payload"]),
            r["attempts"],
            decode(r["kind"], r["payload"]),
        )
        for r in rows
    ]


async def mark_sent(db: Database, item_id: int) -> None:
    await db.execute(
        "UPDATE outbox SET status = 'sent', sent_at = unixepoch(), attempts = attempts + 1"
        " WHERE id = ?",
        (item_id,),
    )


async def mark_failed(
    db: Database, item_id: int, error: str, *, retry_in: int | None = None
) -> None:
    """Record a failed try. With `retry_in` it is tried again later (up to MAX_ATTEMPTS)."""
    await db.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
        " status = CASE WHEN ? IS NULL OR attempts + 1 >= ? THEN 'failed' ELSE 'pending' END,"
        " due_at = unixepoch() + COALESCE(?, 0) WHERE id = ?",
        (error[:500], retry_in, MAX_ATTEMPTS, retry_in, item_id),
    )


def _key_range(prefix: str) -> tuple[str, str]:
    """[low, high): exactly the keys that start with `prefix`, as a range an index can search.

    SQLite compares text as UTF-8 bytes, which order like code points, so every key with the
    prefix sorts below the prefix with its last character bumped by one code point.
    """
    head = prefix.rstrip(chr(sys.maxunicode))
    if not head:
        raise ValueError(f"no key range for the prefix {prefix!r}")
    bumped = ord(head[-1]) + 1
    if 0xD800 <= bumped <= 0xDFFF:  # surrogates have no UTF-8 form: jump past them
        bumped = 0xE000
    return prefix, head[:-1] + chr(bumped)


async def drop(db: Database, *, dedupe_prefix: str) -> int:
    """Drop pending messages whose dedupe key starts with a prefix (e.g. a cancelled event's)."""
    low, high = _key_range(dedupe_prefix)
    # `+status`: search the dedupe_key index by range rather than every pending row.
    return await db.execute_rowcount(
        "UPDATE outbox SET status = 'dropped'"
        " WHERE dedupe_key >= ? AND dedupe_key < ? AND +status = 'pending'",
        (low, high),
    )


async def failures(db: Database, guild_id: int, *, dedupe_prefix: str = "") -> int:
    """How many of this guild's messages could not be delivered (e.g. DMs closed),
    optionally only those whose dedupe key starts with a prefix (e.g. one event's).
    Both forms search the index outbox_failed (guild_id, dedupe_key) of failed rows."""
    sql, params = "", ()  # type: tuple[str, tuple[str, ...]]
    if dedupe_prefix:
        sql, params = " AND dedupe_key >= ? AND dedupe_key < ?", _key_range(dedupe_prefix)
    return int(
        await db.fetchval(
            f"SELECT COUNT(*) FROM outbox WHERE guild_id = ? AND status = 'failed'{sql}",
            (guild_id, *params),
        )
    )


async def prune(
    db: Database, *, now: float | None = None, keep_days: int = KEEP_DAYS, batch: int = 1000
) -> int:
    """Delete messages done with for `keep_days` (sent, dropped, failed: written, due and
    sent before the cutoff); pending ones are still owed and stay. A failed message of an
    event (key `event:{id}:…`) stays until `keep_days` after that event ends, because
    /event stats and /event attendees count them. Deletes in batches so clicks don't wait
    behind one long write. Returns how many were deleted."""
    cutoff = int(now if now is not None else time.time()) - keep_days * 86400
    total = 0
    while True:
        count = await db.execute_rowcount(
            "DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o"
            " WHERE o.status IN ('sent', 'dropped', 'failed')"
            " AND max(o.created_at, o.due_at, COALESCE(o.sent_at, 0)) < :cutoff"
            " AND NOT (o.status = 'failed' AND o.dedupe_key GLOB 'event:[0-9]*:*'"
            "  AND EXISTS (SELECT 1 FROM events e WHERE e.ends_at >= :cutoff AND e.id ="
            "   CAST(substr(o.dedupe_key, 7, instr(substr(o.dedupe_key, 7), ':') - 1)"
            "   AS INTEGER)))"
            " LIMIT :batch)",
            {"cutoff": cutoff, "batch": batch},
        )
        total += count
        if count < batch:
            return total


async def _prune_job(db: Database) -> None:
    count = await prune(db)
    if count:
        log.info("outbox: pruned %d message(s) done with for %d days", count, KEEP_DAYS)


def schedule_prune(scheduler: Scheduler, db: Database) -> None:
    """Prune a moment after start-up (so a bot restarted daily still prunes), then daily."""
    start = datetime.now(UTC) + timedelta(seconds=1)
    scheduler.every(PRUNE_JOB, IntervalTrigger(days=1, start_date=start), _prune_job, db)
