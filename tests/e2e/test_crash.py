"""Crash safety: SIGKILL in the middle of an RSVP burst, SIGKILL again and again while
reminders go out (on each store in STORES), and a backup taken during a burst (SQLite's;
PostgreSQL is backed up with pg_dump).

The reminder guarantee tested here (and stated in the README): **no reminder is lost,
and a kill can repeat at most the one DM that was in flight when it hit** — the outbox
row is marked sent only after Discord accepted the message, so a kill between the two
sends that one message again at the next start. Reminder batches themselves are
exactly-once: the reminder row is marked in the same transaction that queues its DMs.

`SOAK=1` runs the long loop (100 kills instead of 20):
    SOAK=1 python3 dev.py test tests/e2e/test_crash.py
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.testing import BotProcess, FakeDiscord, InteractionResult, World
from bot.testing.store import StoreHandle
from tests.e2e.test_cli import run_cli

pytestmark = [pytest.mark.e2e]
KILLS = 100 if os.environ.get("SOAK") else 20


def karachi(delta: timedelta, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return (datetime.now(ZoneInfo("Asia/Karachi")) + delta).strftime(fmt)


async def create_event(fake: FakeDiscord, title: str, **options: object) -> str:
    result = await fake.slash("admin", "event create", title=title, options=options)
    await result.wait_final()
    assert "Created" in result.text, result.text
    return result.text.split("(event #")[1].split(")")[0]


def intact(store: StoreHandle) -> bool:
    """SQLite's own check of the file (PostgreSQL keeps its files to itself)."""
    return store.kind != "sqlite" or store.fetchall("PRAGMA integrity_check") == [("ok",)]


async def test_sigkill_mid_burst_loses_no_answered_rsvp(
    fresh_store: StoreHandle, tmp_path: Path
) -> None:
    world = World.default()
    members = world.add_members(2000)
    store = fresh_store
    env = {**store.env(), "LOG_LEVEL": "WARNING"}
    async with FakeDiscord(world, enforce_deadline=False) as fake:
        proc = BotProcess(fake, store.path, extra_env=env)
        await proc.start(timeout=60)
        try:
            event_id = await create_event(
                fake,
                "Crash Burst",
                city="Lahore",
                starts=karachi(timedelta(days=3)),
                capacity=300,
                channel="lahore-events",
            )
            ann = await fake.wait_for_message("lahore-events", lambda m: "Crash Burst" in m.text)
            clicks = [
                asyncio.ensure_future(fake.click(u, ann, label="Going", wait=True, timeout=120))
                for u in members
            ]
            # kill once a good part of the burst was answered (well past the 300 seats); a
            # click deferred in the burst is answered when its follow-up arrives
            await fake.wait_until(
                lambda: (
                    sum(1 for c in clicks if c.done() and not c.exception() and c.result().content)
                    >= 700
                ),
                timeout=120,
                what="700 answers",
            )
            if store.kind == "sqlite":
                # a backup taken in the middle of the burst is a consistent copy (on
                # PostgreSQL that is pg_dump's promise, not the bot's)
                copy = tmp_path / "during-burst.sqlite3"
                backup = await asyncio.to_thread(
                    run_cli, "backup", str(copy), env=store.env(), cwd=tmp_path
                )
                assert backup.returncode == 0, backup.stderr
                assert intact(StoreHandle.sqlite(copy))
            proc.kill()
            await proc.wait(timeout=10)
        finally:
            await proc.stop()
        await asyncio.wait(clicks, timeout=5)
        for c in clicks:
            if not c.done():
                c.cancel()
        answered: list[InteractionResult] = [
            c.result() for c in clicks if c.done() and not c.cancelled() and not c.exception()
        ]
        answered = [r for r in answered if r.responded and r.content]
        assert len(answered) >= 700

        await proc.start(timeout=60)  # restart on the same database
        await proc.stop()

    assert intact(store)
    stored = {
        user: (status, seq)
        for user, status, seq in store.fetchall(
            "SELECT user_id, status, seq FROM rsvps WHERE event_id = ?", (int(event_id),)
        )
    }
    said_seated = [r for r in answered if "You're in" in r.content]
    said_waiting = [r for r in answered if "waitlist" in r.content]
    assert len(said_seated) + len(said_waiting) == len(answered)
    for r in said_seated:
        assert stored[r.user_id][0] == "going", f"answered seat of {r.user_id} lost"
    for r in said_waiting:
        assert stored[r.user_id][0] == "waitlist", f"answered waitlist place of {r.user_id} lost"
    assert sum(1 for s, _ in stored.values() if s == "going") == 300  # exactly the capacity
    # the waitlist keeps the click order of the answered clicks
    clicked = [r.user_id for r in sorted(said_waiting, key=lambda r: r.sent_at or 0)]
    in_db = sorted(clicked, key=lambda u: stored[u][1])
    assert in_db == clicked


async def test_reminders_survive_repeated_sigkill(fresh_store: StoreHandle) -> None:
    world = World.default()
    members = world.add_members(150)
    store = fresh_store
    env = {**store.env(), "LOG_LEVEL": "WARNING"}
    rng = random.Random(7)
    async with FakeDiscord(world) as fake:
        await reminder_due_while_down(fake, store, env, "Kill Loop", members)
        # Slow Discord down a little so every kill lands while DMs are in flight.
        fake.faults.add(
            method="POST", path=r"^/channels/\d+/messages$", status=None, delay=0.02, times=None
        )

        in_flight_kills = 0
        for _ in range(KILLS):
            quick = BotProcess(fake, store.path, extra_env=env, ready="identify")
            await quick.start(timeout=60)
            sent_before = len(fake.requests_to("POST", r"^/channels/\d+/messages$"))
            try:
                await fake.wait_until(
                    lambda n=sent_before: (
                        len(fake.requests_to("POST", r"^/channels/\d+/messages$")) > n
                    ),
                    timeout=10,
                    what="a reminder DM",
                )
            except Exception:
                quick.kill()
                await quick.wait(timeout=10)
                break  # everything was delivered already
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            quick.kill()
            await quick.wait(timeout=10)
            in_flight_kills += 1

        final = BotProcess(fake, store.path, extra_env=env)
        await final.start(timeout=60)
        await fake.wait_until(
            lambda: all(_reminders(fake, u, "Kill Loop") for u in members),
            timeout=120,
            what="every reminder",
        )
        await asyncio.sleep(1)
        await final.stop()

    assert in_flight_kills == KILLS, "the loop ran out of reminders to interrupt"
    per_member = Counter({u: len(_reminders(fake, u, "Kill Loop")) for u in members})
    assert min(per_member.values()) >= 1, "a reminder was lost"
    duplicates = sum(n - 1 for n in per_member.values())
    assert duplicates <= KILLS, f"{duplicates} duplicates for {KILLS} kills"
    posts = [m for m in fake.messages_in("general") if "Kill Loop** starts" in m.content]
    assert 1 <= len(posts) <= 2
    assert store.fetchall("SELECT status FROM event_reminders") == [("sent",)]
    assert intact(store)
    print(
        f"\n{KILLS} kills while reminders were in flight; "
        f"{duplicates} duplicate DM(s) of {sum(per_member.values())}",
        file=sys.stderr,
    )


async def reminder_due_while_down(
    fake: FakeDiscord, store: StoreHandle, env: dict[str, str], title: str, members: list[int]
) -> None:
    """A bot run in which `members` go to `title`, whose 1 h reminder falls due while the
    bot is down again."""
    proc = BotProcess(fake, store.path, extra_env=env)
    await proc.start(timeout=60)
    await fake.slash("admin", "settings reminders", offsets="1h")
    starts = karachi(timedelta(hours=1, seconds=4), "%Y-%m-%d %H:%M:%S")
    await create_event(fake, title, city="Lahore", starts=starts, channel="general")
    ann = await fake.wait_for_message(
        "general", lambda m: bool(m.embeds) and m.embeds[0]["title"] == title
    )
    await asyncio.gather(*(fake.click(u, ann, label="Going") for u in members))
    await proc.stop()
    await asyncio.sleep(5)  # the reminder falls due while the bot is down


def _reminders(fake: FakeDiscord, user: int, title: str) -> list:
    return [m for m in fake.dms_to(user) if f"Reminder: **{title}**" in m.content]


async def test_a_clean_stop_mid_send_repeats_nothing(fresh_store: StoreHandle) -> None:
    """SIGTERM while Discord is slow to accept a reminder DM: the deliverer finishes that
    send and marks it before the bot stops, so the next start sends each reminder once."""
    world = World.default()
    members = world.add_members(6)
    store = fresh_store
    env = {**store.env(), "LOG_LEVEL": "WARNING"}
    async with FakeDiscord(world) as fake:
        await reminder_due_while_down(fake, store, env, "Clean Stop", members)
        fake.faults.add(method="POST", path=r"^/channels/\d+/messages$", status=None, delay=1.5)
        again = BotProcess(fake, store.path, extra_env=env, ready="identify")
        await again.start(timeout=60)
        before = len(fake.requests_to("POST", r"^/channels/\d+/messages$"))
        await fake.wait_until(
            lambda: len(fake.requests_to("POST", r"^/channels/\d+/messages$")) > before,
            timeout=20,
            what="a reminder DM on its way",
        )
        assert await again.stop() == 0  # SIGTERM while Discord holds the send
        fake.faults.clear()
        last = BotProcess(fake, store.path, extra_env=env)
        await last.start(timeout=60)
        await fake.wait_until(
            lambda: all(_reminders(fake, u, "Clean Stop") for u in members),
            timeout=60,
            what="every reminder",
        )
        await asyncio.sleep(1)
        await last.stop()
    assert {u: len(_reminders(fake, u, "Clean Stop")) for u in members} == {u: 1 for u in members}
