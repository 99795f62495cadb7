"""The outbox: messages owed to members or channels, stored before they are sent.

Why: a promotion, a reminder or a cancellation notice is decided in a database
transaction; writing the message owed in that same transaction means a crash
can't lose it. The deliverer (cogs/_delivery.py) sends pending rows in order
and marks each one. A crash between Discord accepting a message and the row
being marked can repeat that one message once on restart — at most one
duplicate per message, never a loss.

Several processes (shards on one PostgreSQL) deliver side by side, so a deliverer
first *claims* what it sends (`claim`): due rows nobody holds become its own for a
lease, taken with `FOR UPDATE SKIP LOCKED` so two processes claiming at once get
different rows. Before each send it checks the row is still its own and extends the
lease (`hold`); marking the row sent or failed lets go of it. A process that dies
holding rows loses nothing: its lease runs out and another process claims them, or
the same process, restarted, takes back what its earlier life held (`release`). A
message is sent twice only when a process dies, or stalls past its lease, between
Discord accepting it and the row being marked — the one in flight, as before.

Delivered and dropped messages are pruned a month after they were written, due and
sent (`prune`, daily, started with the bot); so are failed ones, except an event's,
which its organizers count in /event stats until a month after the event ends.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from apscheduler.triggers.interval import IntervalTrigger

from bot.db import Database, Row, commit_through
from bot.kinds import Payload, decode
from bot.shards import Shards

M = TypeVar("M", bound=Payload)

if TYPE_CHECKING:
    from bot.scheduler import Scheduler

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
KEEP_DAYS = 30
# How long a claim holds a message: enough for one send under Discord's rate limits (each
# send renews it); how long a dead process's messages wait for another process.
LEASE_SECONDS = 120
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


_COLUMNS = ", ".join(
    ("id", "guild_id", "kind", "user_id", "channel_id", "payload", "attempts", "due_at")
)


def _item(r: Row) -> OutboxItem:
    return OutboxItem(
        r["id"],
        r["guild_id"],
        r["kind"],
        r["user_id"],
        r["channel_id"],
        json.loads(r["payload"]),
        r["attempts"],
        decode(r["kind"], r["payload"]),
    )


async def due(db: Database, limit: int = 50, now: float | None = None) -> list[OutboxItem]:
    """Pending messages whose time has come, oldest first, claimed or not (what is owed;
    a deliverer takes its share with `claim`)."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox"
        " WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        (int(now if now is not None else time.time()), limit),
    )
    return [_item(r) for r in rows]


async def claim(
    db: Database,
    owner: str,
    *,
    limit: int = 50,
    lease_seconds: int = LEASE_SECONDS,
    now: float | None = None,
    shard_count: int | None = None,
    shard_ids: Sequence[int] | None = None,
) -> list[OutboxItem]:
    """Take up to `limit` due messages for `owner` (a deliverer, unique per process) until
    `now + lease_seconds`, oldest first: pending rows nobody holds, or whose holder's lease
    has run out. Processes claiming at once get disjoint rows (one statement: on
    PostgreSQL the rows it picks are locked, and rows another claim has locked are
    skipped rather than waited for). With `shard_count` and `shard_ids` only messages of
    the guilds on those shards (bot/shards.py; None: every guild)."""
    when = int(now if now is not None else time.time())
    guilds = Shards(shard_count, tuple(shard_ids) if shard_ids is not None else None)
    rows = await db.fetchall(
        "UPDATE outbox SET claimed_by = :owner, claimed_until = :until"
        " WHERE id IN (SELECT o.id FROM outbox o"
        "  WHERE o.status = 'pending' AND o.due_at <= :now"
        "  AND (o.claimed_until IS NULL OR o.claimed_until <= :now)"
        f"  AND {guilds.where('o.guild_id')}"
        f"  ORDER BY o.due_at, o.id LIMIT :limit{db.skip_locked('o')})"
        f" RETURNING {_COLUMNS}",
        {"owner": owner, "until": when + lease_seconds, "now": when, "limit": limit},
    )
    return [_item(r) for r in sorted(rows, key=lambda r: (r["due_at"], r["id"]))]


async def hold(
    db: Database,
    item_id: int,
    owner: str,
    *,
    lease_seconds: int = LEASE_SECONDS,
    now: float | None = None,
) -> bool:
    """Right before sending: whether the message is still `owner`'s to send (pending and
    claimed by it), and if so its lease starts again. False: another process claimed it
    after this one's lease ran out, or it was sent, dropped or deleted — skip it."""
    when = int(now if now is not None else time.time())
    changed = await db.execute_rowcount(
        "UPDATE outbox SET claimed_until = ?"
        " WHERE id = ? AND claimed_by = ? AND status = 'pending'",
        (when + lease_seconds, item_id, owner),
    )
    return changed > 0


async def release(db: Database, *, owner: str | None = None, prefix: str | None = None) -> int:
    """Let go of the pending messages claimed by `owner` (a deliverer that stops), or by
    every owner whose name starts with `prefix` (at start-up, the earlier lives of this
    same process: they are dead, so nothing waits for their leases). How many."""
    if (owner is None) == (prefix is None):
        raise ValueError("release takes exactly one of owner or prefix")
    if owner is not None:
        where, params = "claimed_by = ?", (owner,)  # type: tuple[str, tuple[Any, ...]]
    else:
        assert prefix is not None
        where, params = "substr(claimed_by, 1, ?) = ?", (len(prefix), prefix)
    return await db.execute_rowcount(
        "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL"
        f" WHERE status = 'pending' AND {where}",
        params,
    )


async def mark_sent(db: Database, item_id: int) -> None:
    """Discord accepted the message. Marked to the end even when the deliverer is
    cancelled meanwhile (a clean stop): left pending, the next start would send it again.
    (SQLite's one connection ran a statement once asked; PostgreSQL's pool may not.)"""
    await commit_through(
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = unixepoch(), attempts = attempts + 1,"
            " claimed_by = NULL, claimed_until = NULL WHERE id = ?",
            (item_id,),
        )
    )


async def mark_failed(
    db: Database, item_id: int, error: str, *, retry_in: int | None = None
) -> None:
    """Record a failed try. With `retry_in` it is tried again later (up to MAX_ATTEMPTS),
    by whichever process claims it then."""
    await db.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
        " status = CASE WHEN ? IS NULL OR attempts + 1 >= ? THEN 'failed' ELSE 'pending' END,"
        " due_at = unixepoch() + COALESCE(?, 0), claimed_by = NULL, claimed_until = NULL"
        " WHERE id = ?",
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


async def in_flight(db: Database, *, dedupe_prefix: str, now: int | None = None) -> int:
    """Pending messages (by dedupe key prefix) a deliverer has claimed and may be sending
    right now: Discord may already have them, though they are not marked sent yet."""
    low, high = _key_range(dedupe_prefix)
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ?"
            " AND status || '' = 'pending' AND claimed_by IS NOT NULL AND claimed_until > ?",
            (low, high, int(now if now is not None else time.time())),
        )
    )


async def drop(db: Database, *, dedupe_prefix: str) -> int:
    """Drop pending messages whose dedupe key starts with a prefix (e.g. a cancelled event's)."""
    low, high = _key_range(dedupe_prefix)
    # `status || ''` hides status from SQLite's planner (as `+status` would, which
    # PostgreSQL can't read): search the dedupe_key index by range, not every pending row.
    return await db.execute_rowcount(
        "UPDATE outbox SET status = 'dropped'"
        " WHERE dedupe_key >= ? AND dedupe_key < ? AND status || '' = 'pending'",
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


# The event id of an outbox row `o` whose key is `event:{id}:…`, else NULL. Only digits are
# cast: PostgreSQL's CAST fails on anything else (SQLite's gives 0), and the `|| ':'` keeps
# substr's length from going negative on a key with no second colon.
_KEY_ID = "substr(o.dedupe_key, 7, instr(substr(o.dedupe_key, 7) || ':', ':') - 1)"
_EVENT = (
    f"CASE WHEN length({_KEY_ID}) BETWEEN 1 AND 18 AND ltrim({_KEY_ID}, '0123456789') = ''"
    f" THEN CAST({_KEY_ID} AS BIGINT) END"
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
            " AND o.created_at < :cutoff AND o.due_at < :cutoff"
            " AND COALESCE(o.sent_at, 0) < :cutoff"
            " AND NOT (o.status = 'failed' AND o.dedupe_key LIKE 'event:%:%'"
            f"  AND EXISTS (SELECT 1 FROM events e WHERE e.ends_at >= :cutoff AND e.id = {_EVENT})"
            " ) LIMIT :batch)",
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
