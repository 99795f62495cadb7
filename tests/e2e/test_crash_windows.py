"""Crash windows between Discord and the database: the bot is killed (SIGKILL) after it
asked Discord to post an event's announcement, or to create its scheduled event, and
before it recorded the answer. At the next start it finds what Discord made and records
it, or makes it then: never a second announcement or scheduled event, never none."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.test_events import local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


def event_row(store: StoreHandle, title: str) -> tuple[int, int | None, int | None]:
    row = store.fetchone(
        "SELECT id, message_id, scheduled_event_id FROM events WHERE title = ?", (title,)
    )
    assert row is not None, f"no event {title!r}"
    return (row[0], row[1], row[2])


async def until(predicate: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    """Poll (the store changes without a request that would wake a fake waiter)."""
    for _ in range(int(seconds * 10)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def announcements(fake: FakeDiscord, title: str) -> list[int]:
    return [
        m.id
        for m in fake.messages_in("lahore-events")
        if not m.deleted and m.embeds and m.embeds[0].get("title") == title
    ]


async def create_and_kill(
    bot: BotProcess, fake: FakeDiscord, title: str, method_path: tuple[str, str], **fault: object
) -> None:
    method, path = method_path
    seen = len(fake.requests_to(method, path))
    fake.faults.add(method, path, **fault)  # type: ignore[arg-type]
    await fake.slash(
        "admin",
        "event create",
        wait=False,
        options={
            "title": title,
            "city": "Lahore",
            "starts": local(timedelta(days=3)),
            "channel": "lahore-events",
        },
    )
    await fake.wait_until(lambda: len(fake.requests_to(method, path)) > seen, timeout=10)
    bot.kill()
    await bot.wait(10)


async def test_announcement_posted_then_crash_is_recorded_not_repeated(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    channel = fake.world.channel("lahore-events")
    # Discord takes the post, but its answer comes too late: the bot is dead by then
    await create_and_kill(
        bot, fake, "Posted Then Crash", ("POST", rf"^/channels/{channel}/messages$"),
        status=None, delay=2,
    )  # fmt: skip
    await until(lambda: len(announcements(fake, "Posted Then Crash")) == 1, "the late post")
    assert event_row(store, "Posted Then Crash")[1] is None  # the store never learned it
    await bot.start()
    (posted,) = announcements(fake, "Posted Then Crash")
    await until(lambda: event_row(store, "Posted Then Crash")[1] == posted, "the record")
    await asyncio.sleep(1)
    assert announcements(fake, "Posted Then Crash") == [posted]
    going = await fake.click("alice", fake.message(posted), label="Going")
    assert "You're in" in going.content


async def test_announcement_lost_with_the_crash_is_posted_at_start_up(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    channel = fake.world.channel("lahore-events")
    # Discord never gets to make the post before the bot dies
    await create_and_kill(
        bot, fake, "Lost In The Crash", ("POST", rf"^/channels/{channel}/messages$"),
        status=503, delay=10,
    )  # fmt: skip
    assert announcements(fake, "Lost In The Crash") == []
    await bot.start()
    await until(lambda: len(announcements(fake, "Lost In The Crash")) == 1, "the post")
    (posted,) = announcements(fake, "Lost In The Crash")
    await until(lambda: event_row(store, "Lost In The Crash")[1] == posted, "the record")
    await asyncio.sleep(1)
    assert announcements(fake, "Lost In The Crash") == [posted]


async def test_scheduled_event_created_then_crash_is_recorded_not_repeated(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    guild = fake.world.guild_id
    await create_and_kill(
        bot, fake, "Scheduled Then Crash", ("POST", rf"^/guilds/{guild}/scheduled-events$"),
        status=None, delay=2,
    )  # fmt: skip

    def mirrored() -> list[int]:
        return [e.id for e in fake.scheduled_events() if e.name == "Scheduled Then Crash"]

    await until(lambda: len(mirrored()) == 1, "the late scheduled event")
    await bot.start()
    (made,) = mirrored()
    await until(lambda: event_row(store, "Scheduled Then Crash")[2] == made, "the record")
    await asyncio.sleep(1)
    assert mirrored() == [made]
    assert len(announcements(fake, "Scheduled Then Crash")) == 1  # posted before the crash
