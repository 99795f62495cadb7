"""A channel or role deleted while the bot relies on it: references are cleared,
organizers are told in their own channel (never a public one), and everything carries on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, World
from bot.testing.store import StoreHandle
from tests.e2e.conftest import add_organizers_channel, organizers_only
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    world = World.default()
    add_organizers_channel(world)
    async with FakeDiscord(world) as fd:
        yield fd


async def test_deleted_city_channel_and_role(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.slash("admin", "settings announcements", options={"channel": "announcements"})
    await fake.slash("admin", "settings organizer-channel", options={"channel": "organizers"})
    await fake.slash(
        "admin", "settings city-edit", name="Lahore", options={"channel": "lahore-events"}
    )
    await fake.slash("admin", "settings volunteer-role", options={"role": "Volunteer"})
    ann = await create(fake, "Doomed Channel Meetup", role="Volunteer")
    eid = event_id(ann)

    await fake.delete_channel("lahore-events")
    notice = await fake.wait_for_message(
        "organizers", lambda m: "#lahore-events was deleted" in m.content, timeout=10
    )
    assert "the channel of Lahore" in notice.content
    assert "Doomed Channel Meetup" in notice.content and not notice.pings["everyone"]
    shown = await fake.slash("admin", "settings show")
    assert "Lahore — channel not set" in shown.text
    still = await fake.slash("carol", "event rsvp", event=eid)  # the event carries on
    assert "You're in" in still.content

    await fake.delete_role("Volunteer")
    role_notice = await fake.wait_for_message(
        "organizers", lambda m: "@Volunteer was deleted" in m.content, timeout=10
    )
    assert (
        "volunteer role" in role_notice.content and "Doomed Channel Meetup" in role_notice.content
    )
    after = await fake.slash("bob", "event rsvp", event=eid)  # no role to grant: still fine
    assert "You're in" in after.content
    public = [m.content for m in fake.messages_in("announcements")]
    assert not any("was deleted" in text for text in public), "organizer notices stay private"


async def test_notices_wait_until_the_organizer_channel_is_set(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    """Without an organizer channel the notice waits (shown in /settings show) and goes out
    when one is set; the public channels never see it."""
    await fake.slash("admin", "settings announcements", options={"channel": "announcements"})
    await fake.delete_channel("organizers")  # the organizer channel itself is gone
    # the bot handles the deletion while it answers other things (on PostgreSQL another
    # connection may answer /settings show first): wait until it has
    await fake.wait_until(lambda: "#organizers was deleted" in bot.output(), timeout=10)
    shown = await fake.slash("admin", "settings show")
    assert "Organizer channel:** not set" in shown.text
    before = {c: len(fake.messages_in(c)) for c in ("general", "announcements")}
    await fake.delete_channel("announcements")
    await fake.wait_until(lambda: "announcements was deleted" in bot.output(), timeout=10)
    shown = await fake.slash("admin", "settings show")
    assert "Announcements channel:** not set" in shown.text
    # the organizer channel's own deletion and the announcements channel's
    assert "2 notice(s) for organizers waiting" in shown.text
    assert len(fake.messages_in("general")) == before["general"]
    public = await fake.slash("admin", "settings organizer-channel", options={"channel": "general"})
    assert "Everyone can read" in public.content
    await fake.create_channel("org-private", overwrites=organizers_only(fake.world))
    chosen = await fake.slash(
        "admin", "settings organizer-channel", options={"channel": "org-private"}
    )
    assert "2 waiting notice(s) are on their way" in chosen.content
    late = await fake.wait_for_message(
        "org-private", lambda m: "#announcements was deleted" in m.content, timeout=10
    )
    assert late.content.startswith("Organizers:")
    assert len(fake.messages_in("general")) == before["general"]
    created = await fake.slash(
        "admin",
        "event create",
        title="After The Deletion",
        city="Islamabad",
        starts=local(timedelta(days=2)),
    )
    await created.wait_final()
    assert "Created" in created.text


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
