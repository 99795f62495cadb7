"""A thread per event, end to end: the announcement opens a public thread named after the
event; the setting turns it off; a missing permission still creates the event and says
what to grant where; a day after the end (or at a cancel, with a note) the thread is
archived, once, across restarts; a restart in the middle of opening it still gives one."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, FakeMessage, Overwrite, P, World
from bot.testing.fakediscord.world import FakeChannel
from bot.testing.store import StoreHandle
from tests.e2e.test_crash_windows import until
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
DAY = 86400


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    world = World.default()
    bot_role = world.role("GDG Bot")
    no_threads = int(P.CREATE_PUBLIC_THREADS)
    world.add_channel("no-threads", overwrites=[Overwrite(bot_role, 0, deny=no_threads)])
    async with FakeDiscord(world) as fd:
        yield fd


def thread_of(fake: FakeDiscord, announcement: FakeMessage) -> FakeChannel | None:
    found = [t for t in fake.threads() if t.id == announcement.id]
    return found[0] if found else None


def archives(fake: FakeDiscord, thread: FakeChannel) -> int:
    """How many times the bot asked Discord to archive the thread."""
    return sum(
        1
        for r in fake.requests_to("PATCH", rf"^/channels/{thread.id}$")
        if (r.json or {}).get("archived") is True
    )


def archived_at(store: StoreHandle, eid: str) -> int | None:
    row = store.fetchone("SELECT thread_archived_at FROM events WHERE id = ?", (int(eid),))
    assert row is not None
    return row[0]


async def test_the_announcement_gets_a_thread_named_after_the_event(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    title = "Flutter Forward: Q&A"
    ann = await create(fake, title)
    thread = thread_of(fake, ann)
    assert thread is not None, "a thread under the announcement"
    assert thread.name == title and thread.parent_id == fake.world.channel("lahore-events")
    assert thread.type == 11 and not thread.archived  # public, open for questions
    row = store.fetchone("SELECT thread_id FROM events WHERE id = ?", (int(event_id(ann)),))
    assert row is not None and row[0] == thread.id


async def test_setting_off_no_thread_and_settings_show_it(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    off = await fake.slash("admin", "settings event-threads", enabled=False)
    assert "no thread" in off.content
    shown = await fake.slash("admin", "settings show")
    assert "Thread under each announcement" in shown.text and "off" in shown.text
    ann = await create(fake, "Quiet Hack Night")
    assert thread_of(fake, ann) is None
    member = await fake.slash("alice", "settings event-threads", enabled=True)
    assert "Only organizers" in member.content  # a member can't turn it back on
    on = await fake.slash("admin", "settings event-threads", enabled=True)
    assert "get a thread" in on.content
    assert thread_of(fake, await create(fake, "Loud Hack Night")) is not None


async def test_missing_permission_still_creates_the_event_and_says_what_to_grant(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    result = await fake.slash(
        "admin",
        "event create",
        title="Threadless Meetup",
        city="Lahore",
        starts=local(timedelta(days=2)),
        options={"channel": "no-threads"},
    )
    await result.wait_final()
    channel = fake.world.channel("no-threads")
    assert "Created **Threadless Meetup**" in result.text
    assert f"Announced in <#{channel}>" in result.text
    assert f"give me Create Public Threads in <#{channel}>" in result.text
    ann = await fake.wait_for_message("no-threads", lambda m: "Threadless Meetup" in m.text)
    assert thread_of(fake, ann) is None
    going = await fake.click("bob", ann, label="Going")
    assert "You're in" in going.content  # the event works without its thread


async def test_archived_a_day_after_the_end_once_across_restarts(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Keras Study Group", starts=local(timedelta(hours=2)))
    eid, thread = event_id(ann), thread_of(fake, ann)
    assert thread is not None
    await bot.stop()  # a restart before the archive was due (armed at the create)
    now = int(time.time())  # then time passed: it ended a day and a minute ago
    store.execute(
        "UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?",
        (now - DAY - 3 * 3600, now - DAY - 60, int(eid)),
    )
    assert not thread.archived and archived_at(store, eid) is None
    await bot.start()  # the job is armed again from the database
    await fake.wait_until(lambda: thread.archived, timeout=15, what="the archive")
    await until(lambda: archived_at(store, eid) is not None, "its record")
    await bot.restart()  # and not again: done once
    await fake.slash("alice", "event list")  # a round trip after start-up's rebuild
    assert thread.archived and archives(fake, thread) == 1


async def test_cancel_notes_it_in_the_thread_and_archives_it(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Called Off Codelab")
    eid, thread = event_id(ann), thread_of(fake, ann)
    assert thread is not None
    result = await fake.slash("admin", "event cancel", event=eid)
    await result.wait_final()
    assert "Cancelled" in result.text
    await fake.wait_until(lambda: thread.archived, timeout=15, what="the archive")
    (note,) = fake.messages_in(thread.id)
    assert "cancelled" in note.content
    await until(lambda: archived_at(store, eid) is not None, "its record")


async def test_a_deleted_thread_is_recorded_as_done(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Vanishing Thread Talk")
    eid, thread = event_id(ann), thread_of(fake, ann)
    assert thread is not None
    await fake.delete_channel(thread.id)
    result = await fake.slash("admin", "event cancel", event=eid)
    await result.wait_final()
    assert "Cancelled" in result.text
    await until(lambda: archived_at(store, eid) is not None, "the thread recorded as done")
    assert archives(fake, thread) == 0
    assert bot.running


async def test_crash_after_discord_made_the_thread_records_it_not_twice(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    title = "Thread Then Crash"
    threads = r"^/channels/\d+/messages/\d+/threads$"
    # Discord makes the thread, but its answer comes too late: the bot is dead by then
    await create_and_kill(bot, fake, title, threads, status=None, delay=2)
    await until(lambda: any(t.name == title for t in fake.threads()), "the late thread")
    await bot.start()
    (made,) = [t for t in fake.threads() if t.name == title]
    row = lambda: store.fetchone("SELECT thread_id FROM events WHERE title = ?", (title,))  # noqa: E731
    await until(lambda: (row() or [None])[0] == made.id, "the record")
    assert [t.id for t in fake.threads() if t.name == title] == [made.id]


async def test_crash_before_the_thread_opens_it_at_start_up(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    title = "Crash Before Thread"
    threads = r"^/channels/\d+/messages/\d+/threads$"
    # Discord never gets to make the thread before the bot dies
    await create_and_kill(bot, fake, title, threads, status=503, delay=10)
    assert not any(t.name == title for t in fake.threads())
    await bot.start()
    await until(lambda: any(t.name == title for t in fake.threads()), "the thread")
    (made,) = [t for t in fake.threads() if t.name == title]
    row = lambda: store.fetchone("SELECT thread_id FROM events WHERE title = ?", (title,))  # noqa: E731
    await until(lambda: (row() or [None])[0] == made.id, "the record")
    ann = fake.message(made.id)  # the thread has its announcement's id
    assert ann.embeds[0]["title"] == title


async def create_and_kill(
    bot: BotProcess, fake: FakeDiscord, title: str, path: str, **fault: object
) -> None:
    seen = len(fake.requests_to("POST", path))
    fake.faults.add("POST", path, **fault)  # type: ignore[arg-type]
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
    await fake.wait_until(lambda: len(fake.requests_to("POST", path)) > seen, timeout=10)
    bot.kill()
    await bot.wait(10)
