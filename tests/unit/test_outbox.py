"""The outbox: idempotent enqueueing, due order, retries, dropping, failure counts (on an
index), the daily prune."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot import outbox
from bot.db import Database
from bot.organizer_notices import OrganizerNotice
from bot.scheduler import Scheduler

G = 1000
NOTE = OrganizerNotice("a message")


def text(item: outbox.OutboxItem) -> str:
    return item.expect(OrganizerNotice).text


async def test_enqueue_is_idempotent_per_dedupe_key(db: Database) -> None:
    assert await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, dedupe_key="a", due_at=0)
    assert not await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, dedupe_key="a", due_at=0)
    assert len(await outbox.due(db, now=10)) == 1


async def test_exactly_one_target_is_required(db: Database) -> None:
    with pytest.raises(ValueError):
        await outbox.enqueue(db, NOTE, guild_id=G)
    with pytest.raises(ValueError):
        await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, channel_id=2)


async def test_due_in_time_order_and_not_before(db: Database) -> None:
    await outbox.enqueue(db, OrganizerNotice("late"), guild_id=G, user_id=1, due_at=50)
    await outbox.enqueue(db, OrganizerNotice("early"), guild_id=G, channel_id=2, due_at=10)
    assert [text(i) for i in await outbox.due(db, now=20)] == ["early"]
    items = await outbox.due(db, now=60)
    assert [text(i) for i in items] == ["early", "late"]
    assert items[0].message == OrganizerNotice("early") and items[0].channel_id == 2


async def test_sent_items_are_not_due_again(db: Database) -> None:
    await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, due_at=0)
    (item,) = await outbox.due(db, now=1)
    await outbox.mark_sent(db, item.id)
    assert await outbox.due(db, now=1) == []


async def test_retry_then_give_up_after_max_attempts(db: Database) -> None:
    await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, due_at=0)
    (item,) = await outbox.due(db, now=1)
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        await outbox.mark_failed(db, item.id, "502", retry_in=0)
        (again,) = await outbox.due(db, now=10**10)
        assert again.attempts == attempt
    await outbox.mark_failed(db, item.id, "502", retry_in=0)
    assert await outbox.due(db, now=10**10) == []
    assert await outbox.failures(db, G) == 1


async def test_failures_and_drop_by_prefix(db: Database) -> None:
    for user in (1, 2, 3):
        await outbox.enqueue(
            db, NOTE, guild_id=G, user_id=user, dedupe_key=f"event:7:x:{user}", due_at=0
        )
    await outbox.enqueue(db, NOTE, guild_id=G, user_id=9, dedupe_key="event:70:x:9", due_at=0)
    first, *_ = await outbox.due(db, now=1)
    await outbox.mark_failed(db, first.id, "DMs closed")
    assert await outbox.failures(db, G, dedupe_prefix="event:7:") == 1
    assert await outbox.failures(db, G, dedupe_prefix="event:70:") == 0
    assert await outbox.drop(db, dedupe_prefix="event:7:") == 2  # event 70 is not a match
    assert [i.user_id for i in await outbox.due(db, now=1)] == [9]


async def test_prefix_counts_keys_with_any_character_after_the_prefix(db: Database) -> None:
    # a range over the index must still match what a plain "starts with" would
    for n, tail in enumerate(["x", "\uffff", "😀", "~~", ""]):
        await outbox.enqueue(
            db, NOTE, guild_id=G, user_id=n, dedupe_key=f"event:5:{tail}", due_at=0
        )
    await outbox.enqueue(db, NOTE, guild_id=G, user_id=9, due_at=0)  # no key at all
    for item in await outbox.due(db, now=1):
        await outbox.mark_failed(db, item.id, "DMs closed")
    assert await outbox.failures(db, G, dedupe_prefix="event:5:") == 5
    assert await outbox.failures(db, G, dedupe_prefix="event:5:😀") == 1
    assert await outbox.failures(db, G) == 6  # no prefix: every failure, keyless ones too
    assert await outbox.failures(db, G + 1) == 0


# --- indexes (item 13) --------------------------------------------------------------------
async def query_plans(db: Database, call: Callable[[], Awaitable[object]]) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement `call` runs (as SQLite saw it, values bound)."""
    seen: list[str] = []
    await db.run_in_transaction(lambda conn: conn.set_trace_callback(seen.append))
    try:
        await call()
    finally:
        await db.run_in_transaction(lambda conn: conn.set_trace_callback(None))
    plans = []
    for sql in seen:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            rows = await db.fetchall(f"EXPLAIN QUERY PLAN {sql}")
            plans.append(" | ".join(r["detail"] for r in rows))
    return plans


async def fill(db: Database, n: int = 300) -> None:
    """Enough rows of several guilds and states that a scan and a search differ."""
    for i in range(n):
        await outbox.enqueue(
            db, NOTE, guild_id=G + i % 3, user_id=i, dedupe_key=f"event:{i % 40}:r:{i}"
        )
    await db.execute("UPDATE outbox SET status = 'failed' WHERE id % 4 = 0")
    await db.execute("ANALYZE")


async def test_failure_counts_search_an_index(db: Database) -> None:
    await fill(db)
    for prefix in ("event:7:", ""):
        (plan,) = await query_plans(db, lambda p=prefix: outbox.failures(db, G, dedupe_prefix=p))
        assert "USING" in plan and "INDEX outbox_failed" in plan, plan
        assert "SCAN" not in plan, plan


async def test_drop_by_prefix_searches_an_index(db: Database) -> None:
    await fill(db)
    (plan,) = await query_plans(db, lambda: outbox.drop(db, dedupe_prefix="event:7:"))
    assert "SEARCH outbox USING INDEX" in plan and "dedupe_key>" in plan, plan


# --- daily prune (item 13) ----------------------------------------------------------------
DAY = 86400
NOW = 1_800_000_000


async def row(db: Database, key: str, status: str, age_days: float, **times: int) -> None:
    """A message `age_days` old (created, due and, when sent, sent then)."""
    at = int(NOW - age_days * DAY)
    await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, dedupe_key=key, due_at=at)
    await db.execute(
        "UPDATE outbox SET status = ?, created_at = ?, due_at = ?, sent_at = ?"
        " WHERE dedupe_key = ?",
        (
            status,
            times.get("created_at", at),
            times.get("due_at", at),
            at if status == "sent" else None,
            key,
        ),
    )


async def event(db: Database, ends_days_ago: float) -> int:
    ends = int(NOW - ends_days_ago * DAY)
    await db.execute("INSERT INTO guilds(guild_id) VALUES (?) ON CONFLICT DO NOTHING", (G,))
    return await db.insert(
        "INSERT INTO events(guild_id, title, city, starts_at, ends_at, organizer_id,"
        " created_at, updated_at) VALUES (?, 'E', 'Lahore', ?, ?, 1, 0, 0)",
        (G, ends - 3600, ends),
    )


async def keys(db: Database) -> set[str]:
    return {r[0] for r in await db.fetchall("SELECT dedupe_key FROM outbox")}


async def test_prune_removes_month_old_delivered_dropped_and_failed_messages(
    db: Database,
) -> None:
    await row(db, "sent-old", "sent", 31)
    await row(db, "sent-recent", "sent", 29)
    await row(db, "dropped-old", "dropped", 31)
    # dropped long after it was written, while still due in the future: not old yet
    await row(db, "dropped-due-later", "dropped", 31, due_at=NOW + DAY)
    await row(db, "failed-old", "failed", 31)
    await row(db, "failed-recent", "failed", 2)
    await row(db, "pending-old", "pending", 90)  # still owed: never pruned
    assert await outbox.prune(db, now=NOW, batch=2) == 3
    assert await keys(db) == {
        "sent-recent",
        "dropped-due-later",
        "failed-recent",
        "pending-old",
    }


async def test_prune_keeps_an_events_failures_until_a_month_after_it_ends(db: Database) -> None:
    upcoming, just_over, long_over = await event(db, -60), await event(db, 10), await event(db, 40)
    for eid in (upcoming, just_over, long_over):
        await row(db, f"event:{eid}:promoted:1:1", "failed", 50)
        await row(db, f"event:{eid}:reminder:1h:1", "sent", 50)
    await outbox.prune(db, now=NOW)
    assert await keys(db) == {
        f"event:{upcoming}:promoted:1:1",
        f"event:{just_over}:promoted:1:1",
    }
    # /event stats and /event attendees still count them
    assert await outbox.failures(db, G, dedupe_prefix=f"event:{upcoming}:") == 1


async def test_prune_runs_at_start_up_then_daily(db: Database) -> None:
    await row(db, "sent-old", "sent", 400)
    await db.execute("UPDATE outbox SET created_at = 0, due_at = 0, sent_at = 0")
    scheduler = Scheduler()
    scheduler.start()
    try:
        outbox.schedule_prune(scheduler, db)
        for _ in range(3000):  # a bounded wait for the first run, not a timing assertion
            if not await keys(db):
                break
            await asyncio.sleep(0.01)
        assert await keys(db) == set()
        next_run = scheduler.next_run(outbox.PRUNE_JOB)
        assert next_run is not None
        assert next_run > datetime.now(UTC) + timedelta(hours=23)
    finally:
        scheduler.shutdown()
