"""Events when Discord says no: a channel the bot may not post in, members with DMs
closed, and the mirrored Discord scheduled event following edits and cancels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, Overwrite, P, World
from bot.testing.store import StoreHandle
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    world = World.default()
    bot_role = world.role("GDG Bot")
    world.add_channel("read-only", overwrites=[Overwrite(bot_role, 0, deny=int(P.SEND_MESSAGES))])
    world.close_dms("alice")
    async with FakeDiscord(world) as fd:
        yield fd


async def test_forbidden_announcement_still_creates_the_event(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    result = await fake.slash(
        "admin",
        "event create",
        title="Hidden Meetup",
        city="Lahore",
        starts=local(timedelta(days=2)),
        options={"channel": "read-only", "capacity": 10},
    )
    await result.wait_final()
    assert "Created **Hidden Meetup**" in result.text
    channel_id = fake.world.channel("read-only")
    assert f"couldn't post the announcement in <#{channel_id}>" in result.text
    assert "Send Messages" in result.text
    assert not fake.messages_in("read-only")
    choices = await fake.autocomplete("bob", "event rsvp", "event", "hidden")
    joined = await fake.slash("bob", "event rsvp", event=choices[0]["value"])
    assert "You're in — seat 1 of 10" in joined.content


async def test_closed_dms_are_counted_and_do_not_stop_the_batch(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    ann = await create(fake, "Tiny Workshop", capacity=1)
    await fake.click("owner", ann, label="Going")
    await fake.click("alice", ann, label="Going")  # waitlisted; DMs closed
    await fake.click("carol", ann, label="Going")  # waitlisted after alice
    more = await fake.slash("admin", "event edit", event=event_id(ann), options={"capacity": 3})
    await more.wait_final()
    assert "2 member(s) moved up" in more.text
    # alice's promotion DM fails; carol's (queued after it) still arrives
    await fake.wait_for_dm("carol", lambda m: "Tiny Workshop" in m.content, timeout=10)
    await fake.wait_until(
        lambda: any(r.status == 403 and "/channels/" in r.path for r in fake.requests), timeout=5
    )
    listed = await fake.slash("admin", "event attendees", event=event_id(ann))
    assert "1 message(s) about this event could not be delivered" in listed.text
    mine = await fake.slash("alice", "event mine")
    assert "Tiny Workshop" in mine.text and "Going — seat 2 of 3" in mine.text


async def test_ticket_falls_back_to_an_ephemeral_reply_when_dms_are_closed(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    ann = await create(fake, "Closed DMs Ticket", capacity=5)
    result = await fake.click("alice", ann, label="Going")
    assert "You're in" in result.content
    await fake.wait_until(lambda: bool(result.followups), timeout=5)
    followup = result.followups[0]
    assert followup.ephemeral and "DMs are closed" in followup.content
    assert any(name.endswith(".png") for name in followup.files)


async def test_scheduled_event_follows_edit_and_cancel(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Mirrored Event", venue="LUMS")
    (scheduled,) = [e for e in fake.scheduled_events() if e.name == "Mirrored Event"]
    assert scheduled.entity_type == 3 and "LUMS" in (scheduled.location or "")
    edited = await fake.slash("admin", "event edit", event=event_id(ann), venue="NUST")
    await edited.wait_final()
    await fake.wait_until(lambda: "NUST" in (scheduled.location or ""), timeout=5)
    cancelled = await fake.slash("admin", "event cancel", event=event_id(ann))
    await cancelled.wait_final()
    await fake.wait_until(lambda: scheduled.status == 4, timeout=5)  # 4 = CANCELED
