"""Right-click a message → Suggest as resource, end to end: its first link goes to the
review queue with the message as the note, under /resource suggest's rules (links
normalised, duplicates refused, 5 per 10 minutes for members), suggested by the member
who clicked, who gets the DM; a message without a link is one clear sentence."""

from __future__ import annotations

import pytest

from bot.resources.from_message import NO_LINK
from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.test_resources import select_id, settled

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
MENU = "Suggest as resource"


async def test_the_menu_is_synced_for_messages_in_servers(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    (menu,) = [c for c in fake.commands() if c["name"] == MENU]
    assert menu["type"] == 3  # a message command
    assert menu.get("default_member_permissions") is None  # everyone; the bot checks
    resource = next(c for c in fake.commands() if c["name"] == "resource")
    assert menu.get("guild_id") == resource.get("guild_id")  # synced with the slash commands


async def test_a_messages_link_goes_to_review_with_the_message_as_note(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    text = (
        "Loved this intro, @everyone <@&1102> <@2006> should see it: "
        "<https://Course.Example.com/transformers?utm_source=chat> (free)"
    )
    posted = await fake.post_message("alice", "general", text)
    result = await fake.message_menu("bob", MENU, message=posted.id)
    assert result.ephemeral
    assert "**Course.Example.com/transformers** is in the review queue" in result.content
    assert "DM you" in result.content

    again = await fake.message_menu("carol", MENU, message=posted.id)
    assert "already suggested" in again.content  # the same link, once
    same = await fake.slash(
        "carol", "resource suggest", url="https://course.example.com/transformers"
    )
    assert "already suggested" in same.content  # normalised like /resource suggest's

    review = await fake.slash("admin", "resource review")
    assert review.embed["title"] == "Course.Example.com/transformers"
    assert "<@2005>" in review.text  # suggested by bob, who right-clicked
    assert "Loved this intro, @everyone <@&1102> <@2006> should see it" in review.text
    assert not any(review.message.pings[k] for k in ("everyone", "roles", "users"))

    approving = await fake.click("admin", review, label="Approve")
    message = approving.message
    assert message is not None
    await fake.select("admin", message, select_id(message, "Topic"), ["NLP"])
    message = fake.message(message.id)
    await fake.select("admin", message, select_id(message, "Level"), ["beginner"])
    done = await fake.click("admin", fake.message(message.id), label="Confirm")
    assert "✅ Approved" in done.content
    dm = await fake.wait_for_dm("bob", lambda m: "was approved" in m.content, 10)
    assert "Course.Example.com/transformers" in dm.content


async def test_a_message_without_a_link_is_one_sentence_and_nothing_queued(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    posted = await fake.post_message("alice", "general", "anyone know a good NLP course?")
    before = await settled(store)
    result = await fake.message_menu("bob", MENU, message=posted.id)
    assert result.ephemeral and result.content == NO_LINK
    assert store.dump() == before


async def test_members_get_five_per_ten_minutes_organizers_more(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("erin")  # a member with the whole allowance
    post = fake.post_message
    links = [await post("alice", "general", f"https://example.org/m-{n}") for n in range(8)]
    for posted in links[:5]:
        ok = await fake.message_menu("erin", MENU, message=posted.id)
        assert "is in the review queue" in ok.content, ok.content
    before = await settled(store)
    refused = await fake.message_menu("erin", MENU, message=links[5].id)
    assert refused.content.startswith("Slow down a little: you can suggest resources again in ")
    assert store.dump() == before
    for posted in links[5:]:  # organizers are exempt, as for /resource suggest
        ok = await fake.message_menu("admin", MENU, message=posted.id)
        assert "is in the review queue" in ok.content, ok.content


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
    assert "Traceback" not in bot.output()
