"""Who may widen power, where the bot may be told to post, how fast a member may make it
work, what organizer views tell members, and where failures are reported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, Overwrite, P, World
from bot.testing.store import StoreHandle
from tests.e2e.conftest import add_organizers_channel
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
MANAGE_ONLY = "Only members with the Manage Server permission"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    w = World.default()
    add_organizers_channel(w)
    # a channel the Organizer role may read but not write in
    w.add_channel(
        "read-only",
        guild=w.guild_id,
        id=1291,
        overwrites=[Overwrite(1102, 0, deny=P.SEND_MESSAGES)],
    )
    async with FakeDiscord(w) as fd:
        yield fd


async def test_only_manage_server_decides_who_holds_power(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings organizer-role", options={"role": "Organizer"})
    await fake.slash("organizer", "settings show")
    before = store.dump()
    for command in ("settings organizer-role", "settings volunteer-role"):
        widened = await fake.slash("organizer", command, options={"role": "Volunteer"})
        assert widened.ephemeral and widened.content.startswith(MANAGE_ONLY), widened.content
        everyone = await fake.slash("admin", command, options={"role": "@everyone"})
        assert "@everyone can't be the" in everyone.content
        managed = await fake.slash("admin", command, options={"role": "GDG Bot"})
        assert "belongs to a bot or an integration" in managed.content
    assert store.dump() == before
    ok = await fake.slash("admin", "settings volunteer-role", options={"role": "Volunteer"})
    assert "<@&1101>" in ok.content


async def test_a_channel_the_organizer_cannot_post_in_is_refused(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings organizer-role", options={"role": "Organizer"})
    before = store.dump()
    for channel in ("read-only", "organizers"):
        refused = await fake.slash(
            "organizer" if channel == "read-only" else "alice",
            "event create",
            options={
                "title": "Sneaky Post",
                "city": "Lahore",
                "starts": local(timedelta(days=2)),
                "channel": channel,
            },
        )
        assert refused.ephemeral and "Created" not in refused.content
    assert store.dump() == before
    created = await fake.slash(
        "organizer",
        "event create",
        options={"title": "Fair Post", "city": "Lahore", "starts": local(timedelta(days=2)),
                 "channel": "general"},
    )  # fmt: skip
    await created.wait_final()
    assert "Created" in created.text


async def test_the_organizer_channel_must_be_private(bot: BotProcess, fake: FakeDiscord) -> None:
    public = await fake.slash("admin", "settings organizer-channel", options={"channel": "general"})
    assert "Everyone can read <#1201>" in public.content
    shown = await fake.slash("admin", "settings show")
    assert "Organizer channel:** not set" in shown.text
    ok = await fake.slash("admin", "settings organizer-channel", options={"channel": "organizers"})
    assert "Notices for organizers will go to <#1290>" in ok.content


async def test_going_and_cant_go_cycling_has_a_cooldown(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Cycle Night")
    for _ in range(4):  # 8 changes in the window are fine
        assert "You're in" in (await fake.click("bob", ann, label="Going")).content
        assert "given up" in (await fake.click("bob", ann, label="Can't go")).content
    same = await fake.click("bob", ann, label="Can't go")  # changes nothing, counts nothing
    assert "weren't registered" in same.content
    before = store.dump()
    refused = await fake.click("bob", ann, label="Going")
    assert refused.ephemeral
    assert "Slow down a little: you can change your RSVPs again in" in refused.content
    assert store.dump() == before
    # organizers are exempt
    for _ in range(5):
        assert "You're in" in (await fake.click("admin", ann, label="Going")).content
        assert "given up" in (await fake.click("admin", ann, label="Can't go")).content


async def test_organizer_views_autocomplete_nothing_for_members(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    ann = await create(fake, "Autocomplete Secrets")
    eid = event_id(ann)
    for command in ("event attendees", "event stats", "event feedback", "event cancel"):
        assert await fake.autocomplete("alice", command, "event", "Autocomplete") == []
        choices = await fake.autocomplete("admin", command, "event", "Autocomplete")
        assert [c["value"] for c in choices] == [eid]
    member_view = await fake.autocomplete("alice", "event info", "event", "Autocomplete")
    assert [c["value"] for c in member_view] == [eid]


async def test_a_failed_channel_post_is_told_to_organizers_only(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await fake.slash("admin", "settings organizer-channel", options={"channel": "organizers"})
    await fake.slash("admin", "settings reminders", offsets="1h")
    try:  # the reminder falls due 5 s from now, with a post in the announcement's channel
        starts = local(timedelta(hours=1, seconds=5), "%Y-%m-%d %H:%M:%S")
        ann = await create(fake, "Hidden Reminder", starts=starts)
        # the bot loses the right to post in that channel before the reminder
        fake.world.channels[ann.channel_id].overwrites.append(
            Overwrite(1104, 0, deny=P.SEND_MESSAGES)
        )
        await fake.click("carol", ann, label="Going")
        notice = await fake.wait_for_message(
            "organizers",
            lambda m: f"I couldn't post in <#{ann.channel_id}>" in m.content,
            timeout=20,
        )
        assert "Send Messages" in notice.content
        await fake.wait_for_dm("carol", lambda m: "Reminder: **Hidden Reminder**" in m.content)
    finally:
        await fake.slash("admin", "settings reminders", offsets="24h,1h")
    public = [m.content for c in ("general", "announcements", "lahore-events")
              for m in fake.messages_in(c)]  # fmt: skip
    assert not any("couldn't post" in text for text in public)
