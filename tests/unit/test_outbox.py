"""The outbox: idempotent enqueueing, due order, retries, dropping, failure counts (on an
index), the daily prune."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from bot import outbox
from bot.db import Database, Params
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
    """The plan of every SELECT, UPDATE or DELETE that `call` runs, with its values.

    SQLite: EXPLAIN QUERY PLAN. PostgreSQL: EXPLAIN with sequential scans priced out of
    reach, so the plan is a scan only when no index can serve the query (on a table this
    small the planner would rightly pick a scan anyway)."""
    seen: list[tuple[str, Params]] = []
    methods = ("execute", "execute_rowcount", "fetchall")

    def recording(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def record(sql: str, params: Params = ()) -> Any:
            seen.append((sql, params))
            return await run(sql, params)

        return record

    for name in methods:
        setattr(db, name, recording(getattr(db, name)))
    try:
        await call()
    finally:
        for name in methods:
            delattr(db, name)
    plans = []
    for sql, params in seen:
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        if db.dialect == "sqlite":
            rows = await db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
            plans.append(" | ".join(r["detail"] for r in rows))
        else:
            async with db.transaction():
                await db.execute("SET LOCAL enable_seqscan = off")
                rows = await db.fetchall(f"EXPLAIN {sql}", params)
            plans.append(" | ".join(r[0].strip() for r in rows))
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
        (plan,) = await query_plans(db, partial(outbox.failures, db, G, dedupe_prefix=prefix))
        if db.dialect == "sqlite":
            assert "USING" in plan and "INDEX outbox_failed" in plan, plan
            assert "SCAN" not in plan, plan
        else:
            assert re.search(r"Index (Only )?Scan (using|on) outbox_failed", plan), plan
            assert "Seq Scan" not in plan, plan
            if prefix:
                assert "dedupe_key >=" in plan, plan  # the range is part of the search


async def test_drop_by_prefix_searches_an_index(db: Database) -> None:
    await fill(db)
    (plan,) = await query_plans(db, lambda: outbox.drop(db, dedupe_prefix="event:7:"))
    if db.dialect == "sqlite":
        assert "SEARCH outbox USING INDEX" in plan and "dedupe_key>" in plan, plan
    else:
        assert re.search(r"Index Scan (using|on) outbox_dedupe_key_key", plan), plan
        assert "Index Cond: ((dedupe_key >=" in plan and "Seq Scan" not in plan, plan


async def test_dedupe_keys_order_by_code_point_on_both_stores(db: Database) -> None:
    """The prefix ranges need SQLite's order (by code point) whatever the PostgreSQL
    database's own collation: the column says "C" there."""
    if db.dialect == "postgresql":
        collation = await db.fetchval(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = 'outbox'"
            " AND column_name = 'dedupe_key'"
        )
        assert collation == "C"
    for n, key in enumerate(["event:7:a", "event:7:Z", "event:70:a", "event:7;", "Event:7:a"]):
        await outbox.enqueue(db, NOTE, guild_id=G, user_id=n, dedupe_key=key, due_at=0)
    assert await outbox.drop(db, dedupe_prefix="event:7:") == 2
    rows = await db.fetchall("SELECT dedupe_key FROM outbox WHERE status = 'dropped'")
    assert sorted(r[0] for r in rows) == ["event:7:Z", "event:7:a"]


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


# --- claims: several processes delivering from one store ----------------------------------
T = 1_800_000_000


async def owed(db: Database, n: int, *, guild_id: int = G, due_at: int = T) -> list[int]:
    for i in range(n):
        await outbox.enqueue(db, OrganizerNotice(f"m{i}"), guild_id=guild_id, user_id=i,
                             due_at=due_at)  # fmt: skip
    rows = await db.fetchall("SELECT id FROM outbox WHERE guild_id = ? ORDER BY id", (guild_id,))
    return [r[0] for r in rows]


async def test_a_claim_takes_due_rows_nobody_holds_oldest_first(db: Database) -> None:
    await outbox.enqueue(db, OrganizerNotice("later"), guild_id=G, user_id=1, due_at=T + 5)
    await outbox.enqueue(db, OrganizerNotice("first"), guild_id=G, user_id=2, due_at=T - 5)
    await outbox.enqueue(db, OrganizerNotice("second"), guild_id=G, user_id=3, due_at=T)
    await outbox.enqueue(db, OrganizerNotice("future"), guild_id=G, user_id=4, due_at=T + 99)
    mine = await outbox.claim(db, "a", limit=2, now=T + 10)
    assert [text(i) for i in mine] == ["first", "second"]
    assert mine[0].message == OrganizerNotice("first") and mine[0].user_id == 2
    assert [text(i) for i in await outbox.claim(db, "b", now=T + 10)] == ["later"]
    assert await outbox.claim(db, "a", now=T + 10) == []  # held, and not due
    held = await db.fetchall(
        "SELECT claimed_by, claimed_until FROM outbox WHERE claimed_by IS NOT NULL ORDER BY id"
    )
    assert [tuple(r) for r in held] == [("b", T + 10 + outbox.LEASE_SECONDS)] + [
        ("a", T + 10 + outbox.LEASE_SECONDS)
    ] * 2
    assert len(await outbox.due(db, now=T + 10)) == 3  # still owed, claimed or not


async def test_an_expired_lease_is_claimed_by_another_process(db: Database) -> None:
    await owed(db, 1)
    (item,) = await outbox.claim(db, "dead", lease_seconds=60, now=T)
    assert await outbox.claim(db, "alive", lease_seconds=60, now=T + 59) == []
    (again,) = await outbox.claim(db, "alive", lease_seconds=60, now=T + 60)
    assert again.id == item.id and again.attempts == 0
    # the first holder, back from a stall, finds it is no longer its own to send
    assert not await outbox.hold(db, item.id, "dead", now=T + 61)
    assert await outbox.hold(db, item.id, "alive", lease_seconds=60, now=T + 61)
    assert await outbox.claim(db, "third", now=T + 120) == []  # hold renewed it to T + 121
    assert len(await outbox.claim(db, "third", now=T + 121)) == 1


async def test_a_sent_or_dropped_row_is_never_claimed_again(db: Database) -> None:
    first, second, third = await owed(db, 3)
    await outbox.claim(db, "a", now=T)
    await outbox.mark_sent(db, first)
    await outbox.drop(db, dedupe_prefix="nothing:")  # no key matches: nothing changes
    await db.execute("UPDATE outbox SET dedupe_key = 'x:1' WHERE id = ?", (second,))
    assert await outbox.drop(db, dedupe_prefix="x:") == 1
    assert not await outbox.hold(db, first, "a", now=T)
    assert not await outbox.hold(db, second, "a", now=T)
    assert await outbox.hold(db, third, "a", now=T)
    await outbox.mark_failed(db, third, "gone")  # for good
    for later in (T + 1, T + 10**6):
        assert await outbox.claim(db, "b", now=later) == []
    sent = await db.fetchone("SELECT claimed_by, claimed_until FROM outbox WHERE id = ?", (first,))
    assert sent is not None and tuple(sent) == (None, None)  # marking lets go of the claim


async def test_a_retried_row_is_let_go_and_claimed_when_due_again(db: Database) -> None:
    (row_id,) = await owed(db, 1, due_at=0)
    await outbox.claim(db, "a")
    await outbox.mark_failed(db, row_id, "502", retry_in=30)
    retry_at = await db.fetchval("SELECT due_at FROM outbox WHERE id = ?", (row_id,))
    assert await outbox.claim(db, "b", now=retry_at - 1) == []
    (item,) = await outbox.claim(db, "b", now=retry_at)
    assert item.id == row_id and item.attempts == 1


async def test_a_message_sent_is_marked_even_when_the_deliverer_is_cancelled(
    db: Database,
) -> None:
    """A clean stop cancels the deliverer: a message Discord accepted is marked sent all
    the same (left pending, the next start would send it again)."""
    rows = await owed(db, 20)  # more than PostgreSQL's pool has connections: some wait
    await outbox.claim(db, "a", now=T)
    marks = [asyncio.ensure_future(outbox.mark_sent(db, r)) for r in rows]
    await asyncio.sleep(0)  # each has asked for its statement
    for mark in marks:
        mark.cancel()
    done = await asyncio.gather(*marks, return_exceptions=True)
    assert all(isinstance(d, asyncio.CancelledError) for d in done)
    assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 20


async def test_release_lets_go_of_one_owner_or_of_a_process_earlier_lives(db: Database) -> None:
    ids = await owed(db, 4)
    for owner, row_id in zip(
        ["h:all/1-a", "h:all/2-b", "h:0of2/3-c", "h:all/4-d"], ids, strict=True
    ):
        await db.execute(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?",
            (owner, T + 100, row_id),
        )
    await outbox.mark_sent(db, ids[1])
    assert await outbox.release(db, prefix="h:all/") == 2  # pending ones only
    assert [i.id for i in await outbox.claim(db, "new", now=T)] == [ids[0], ids[3]]
    assert await outbox.release(db, owner="h:0of2/3-c") == 1
    assert [i.id for i in await outbox.claim(db, "new", now=T)] == [ids[2]]
    with pytest.raises(ValueError):
        await outbox.release(db)


def snowflake(shard: int) -> int:
    """A guild id on `shard` of any shard count dividing 12 (Discord's rule: id >> 22)."""
    return (1_000 * 12 + shard) << 22 | 12345


async def test_a_claim_takes_only_the_guilds_of_its_shards(db: Database) -> None:
    by_guild = {shard: await owed(db, 2, guild_id=snowflake(shard)) for shard in range(6)}
    picked = await outbox.claim(db, "p1", shard_count=3, shard_ids=[1], now=T)
    assert sorted(i.id for i in picked) == sorted(by_guild[1] + by_guild[4])
    picked = await outbox.claim(db, "p02", shard_count=3, shard_ids=[0, 2], now=T)
    assert {i.guild_id for i in picked} == {snowflake(s) for s in (0, 2, 3, 5)}
    await db.execute("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL")
    assert len(await outbox.claim(db, "all", shard_count=3, now=T)) == 12  # no ids: every one
    await db.execute("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL")
    assert len(await outbox.claim(db, "all", now=T)) == 12
    with pytest.raises(ValueError):
        await outbox.claim(db, "bad", shard_count=3, shard_ids=[3], now=T)
    with pytest.raises(ValueError):
        await outbox.claim(db, "bad", shard_ids=[0], now=T)


async def test_two_processes_claiming_at_once_get_every_row_exactly_once(
    db: Database, db2: Database
) -> None:
    """Two connections (two processes' pools), four deliverers claiming small batches as
    fast as they can and marking what they got sent: no row twice, none left over."""
    ids = await owed(db, 240)
    got: dict[str, list[int]] = {}

    async def deliverer(store: Database, owner: str) -> None:
        mine = got.setdefault(owner, [])
        while batch := await outbox.claim(store, owner, limit=7, now=T):
            for item in batch:
                assert await outbox.hold(store, item.id, owner, now=T)
                mine.append(item.id)
            for item in batch:
                await outbox.mark_sent(store, item.id)

    await asyncio.gather(
        deliverer(db, "one/a"), deliverer(db, "one/b"), deliverer(db2, "two/a"),
        deliverer(db2, "two/b"),
    )  # fmt: skip
    every = [i for claimed in got.values() for i in claimed]
    assert sorted(every) == ids  # each exactly once
    assert sum(1 for claimed in got.values() if claimed) >= 2  # they did claim side by side
    assert await outbox.due(db, now=T) == []


async def test_in_flight_counts_only_claimed_pending_messages(db: Database) -> None:
    """A withdrawal asks whether a DM may be reaching the member now (claimed, pending)."""
    for name in ("a", "b"):
        await outbox.enqueue(db, NOTE, guild_id=G, user_id=1, dedupe_key=f"p:1:{name}", due_at=0)
    assert await outbox.in_flight(db, dedupe_prefix="p:1:", now=100) == 0
    (claimed, *_rest) = await outbox.claim(db, owner="me", now=100, limit=1)
    assert await outbox.in_flight(db, dedupe_prefix="p:1:", now=101) == 1
    assert await outbox.in_flight(db, dedupe_prefix="p:2:", now=101) == 0
    assert await outbox.in_flight(db, dedupe_prefix="p:1:", now=100 + 10_000) == 0  # lapsed
    await outbox.mark_sent(db, claimed.id)
    assert await outbox.in_flight(db, dedupe_prefix="p:1:", now=101) == 0
