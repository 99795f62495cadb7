"""Urdu for members who prefer it, end to end: a member's choice beats the server's
default, English stays English for everyone else, public posts follow the server, and
member-typed text is never translated."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from bot.i18n import FSI, PDI, in_language
from bot.testing import BotProcess, FakeDiscord, FakeMessage
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN = re.compile(r"[A-Za-z]")


def ur(msgid: str, **params: object) -> str:
    return in_language("ur", msgid, **params)


def is_urdu(text: str, *member_text: str) -> bool:
    """Mostly Urdu letters once the member-typed text, codes, markup and links are removed."""
    for fragment in member_text:
        text = text.replace(fragment, "")
    text = re.sub(
        r"<[^>]*>|`[^`]*`|https?://\S+|/[a-z-]+( [a-z-]+)?|[A-Z0-9]{4}-[A-Z0-9]{4}", "", text
    )
    return len(ARABIC.findall(text)) > len(LATIN.findall(text))


def is_english(text: str) -> bool:
    return not ARABIC.search(text)


def labels(message: FakeMessage) -> list[str]:
    return [b["label"] for b in message.buttons]


async def test_a_member_who_chose_urdu_gets_urdu_and_the_others_english(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    chosen = await fake.slash("alice", "language set", language="ur")
    assert chosen.ephemeral and is_urdu(chosen.text), chosen.text
    assert "اردو" in chosen.text

    title = "Flutter Forward Lahore"
    ann = await create(fake, title, capacity=5)
    assert is_english(ann.text), "the server's default is English"
    assert labels(ann)[:3] == ["Going", "Can't go", "Add to calendar"]

    going = await fake.click("alice", ann, label="Going")
    assert going.ephemeral and is_urdu(going.content, title), going.content
    ticket = await fake.wait_for_dm("alice", lambda m: title in m.content, 10)
    assert is_urdu(ticket.content, title), ticket.content
    # The title keeps its own direction inside the Urdu sentence; the code stays readable.
    assert f"{FSI}{title}{PDI}" in ticket.content
    (code,) = re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}", ticket.content)
    assert ticket.buttons and all(is_urdu(label) for label in labels(ticket)), labels(ticket)
    assert ur("Add to calendar") in labels(ticket)

    bob = await fake.click("bob", ann, label="Going")
    assert is_english(bob.content) and "You're in — seat 2 of 5" in bob.content
    bob_ticket = await fake.wait_for_dm("bob", lambda m: title in m.content, 10)
    assert is_english(bob_ticket.content) and "Your ticket for" in bob_ticket.content
    assert "Add to calendar" in labels(bob_ticket)

    # A button on the Urdu ticket DM answers in Urdu (from the DM, with no server).
    ics = await fake.click("alice", ticket, label=ur("Add to calendar"))
    assert ics.files and is_urdu(ics.content), ics.content

    # The door: the code copied out of the Urdu DM, isolation marks and all, still works.
    door = await fake.slash("admin", "event checkin", event=event_id(ann), code=f"{FSI}{code}{PDI}")
    assert "checked in" in door.text, door.text


async def test_a_refusal_comes_in_the_members_language(bot: BotProcess, fake: FakeDiscord) -> None:
    title = "Sunrise Study Jam"
    starts = local(timedelta(seconds=4), "%Y-%m-%d %H:%M:%S")
    ann = await create(fake, title, starts=starts)
    await asyncio.sleep(5)
    refused = await fake.click("alice", ann, label="Going")
    assert refused.ephemeral and is_urdu(refused.content, title), refused.content
    assert title in refused.content  # member text is never translated
    english = await fake.click("bob", ann, label="Going")
    assert "has already started, so RSVPs are closed" in english.content


async def test_help_in_urdu_keeps_the_english_command_names(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    shown = await fake.slash("alice", "help")
    page = shown.embeds[0]["description"]
    assert "/event create" in page and is_urdu(page), page[:300]
    line = next(line for line in page.splitlines() if "/event create" in line)
    assert ARABIC.search(line), line
    english = (await fake.slash("bob", "help")).embeds[0]["description"]
    assert is_english(english) and "/event create" in english


async def test_the_server_default_changes_public_posts_but_not_a_member_who_chose_english(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    refused = await fake.slash("alice", "settings language", language="ur")
    assert not is_english(refused.text) and "Manage Server" in refused.text  # in Urdu
    await fake.slash("bob", "language set", language="en")
    done = await fake.slash("admin", "settings language", language="ur")
    assert is_urdu(done.text), done.text  # the admin chose nothing: the server's language now
    shown = await fake.slash("bob", "settings show")
    assert "اردو (Urdu)" in shown.text

    title = "Gemini Build Day"
    result = await fake.slash(
        "admin",
        "event create",
        title=title,
        options={"city": "Lahore", "starts": local(timedelta(days=4)), "channel": "lahore-events"},
    )
    await result.wait_final()
    ann = await fake.wait_for_message(
        "lahore-events", lambda m: bool(m.embeds) and m.embeds[0]["title"] == title
    )
    assert is_urdu(ann.text, title, "Lahore"), ann.text
    assert ur("Going") in labels(ann)

    english = await fake.click("bob", ann, label=ur("Going"))
    assert is_english(english.content) and "You're in" in english.content
    carol = await fake.click("carol", ann, label=ur("Going"))
    assert is_urdu(carol.content, title), carol.content  # no choice: the server's language
    alice = await fake.click("alice", ann, label=ur("Going"))
    assert is_urdu(alice.content, title)

    # Back to English: announcements made from now on are English again.
    await fake.slash("admin", "settings language", language="en")
    later = await create(fake, "Back In English")
    assert is_english(later.text)
