"""Recurring events end to end: a series is announced a lead ahead, one event per
occurrence; the next is announced by the scheduler when due (and after a restart, once);
edit and cancel ask 'only this one or this and all later'; bad input creates nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.testing import BotProcess, FakeDiscord, FakeMessage, InteractionResult

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
KARACHI = ZoneInfo("Asia/Karachi")
CHANNEL = "lahore-events"


def local(delta: timedelta, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return (datetime.now(KARACHI) + delta).strftime(fmt)


def announcements(fake: FakeDiscord, title: str) -> list[FakeMessage]:
    return [
        m
        for m in fake.messages_in(CHANNEL)
        if m.embeds and m.embeds[0]["title"] == title and not m.deleted
    ]


def event_id(announcement: FakeMessage) -> str:
    return announcement.embeds[0]["footer"]["text"].removeprefix("Event #")


async def series(fake: FakeDiscord, title: str, **options: object) -> InteractionResult:
    options.setdefault("city", "Lahore")
    options.setdefault("starts", local(timedelta(days=3)))
    options.setdefault("channel", CHANNEL)
    options.setdefault("repeat", "weekly")
    result = await fake.slash("admin", "event create", title=title, options=options)
    return await result.wait_final()


async def answer(fake: FakeDiscord, clicked: InteractionResult) -> str:
    """What the bot said after a scope button: its follow-up (the click's own response
    only replaces the question)."""
    await fake.wait_until(lambda: bool(clicked.followups), 15, "the follow-up")
    return "\n".join(m.text for m in clicked.followups)


async def test_a_weekly_series_announces_each_occurrence_within_the_lead(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    created = await series(fake, "Weekly Study Jam", capacity=1)
    assert "It repeats weekly on" in created.text
    assert "each is announced 14 days ahead" in created.text
    posts = announcements(fake, "Weekly Study Jam")
    assert len(posts) == 2  # in 3 and in 10 days; the one in 17 days comes later
    first, second = posts
    assert event_id(first) != event_id(second)
    assert f"`#{event_id(first)}`" in created.text and f"`#{event_id(second)}`" in created.text
    # each occurrence is its own event: its own seat
    assert "You're in" in (await fake.click("alice", first, label="Going")).content
    assert "You're in" in (await fake.click("bob", second, label="Going")).content
    mine = await fake.slash("alice", "event mine")
    assert mine.text.count("Weekly Study Jam") == 1
    # the list and the autocomplete show each occurrence with its date
    listed = await fake.slash("carol", "event list")
    assert listed.text.count("Weekly Study Jam") == 2
    choices = await fake.autocomplete("carol", "event info", "event", "Weekly Study")
    assert len({c["name"] for c in choices if c["name"].startswith("Weekly Study Jam")}) == 2


async def test_the_next_occurrence_is_announced_when_due_and_once(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await fake.slash("admin", "settings series-lead", days=7)
    try:
        # Weekly from 8 s from now: the second is due to be announced 7 days before it,
        # that is when the first starts.
        starts = local(timedelta(seconds=8), "%Y-%m-%d %H:%M:%S")
        created = await series(fake, "Due Soon Jam", starts=starts)
        assert "announced 7 days ahead" in created.text
        assert len(announcements(fake, "Due Soon Jam")) == 1
        await fake.wait_until(lambda: len(announcements(fake, "Due Soon Jam")) == 2, 20)
        await bot.restart()
        await asyncio.sleep(1)
        assert len(announcements(fake, "Due Soon Jam")) == 2
        # due while the bot is down: announced at the next start, once
        starts = local(timedelta(seconds=6), "%Y-%m-%d %H:%M:%S")
        await series(fake, "Down Time Jam", starts=starts)
        await bot.stop()
        await asyncio.sleep(7)
        await bot.start()
        await fake.wait_until(lambda: len(announcements(fake, "Down Time Jam")) == 2, 20)
        await asyncio.sleep(1)
        assert len(announcements(fake, "Down Time Jam")) == 2
    finally:
        await fake.slash("admin", "settings series-lead", days=14)


async def test_edit_asks_and_this_and_all_later_changes_them_all(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await series(fake, "Flutter Meetup")
    first, second = announcements(fake, "Flutter Meetup")
    asked = await fake.slash(
        "admin", "event edit", event=event_id(first), options={"title": "Flutter Forward"}
    )
    assert "part of a recurring series" in asked.text and asked.ephemeral
    done = await fake.click("admin", asked, label="This and all later")
    assert "Changing this one and all later ones" in done.content
    said = await answer(fake, done)
    assert "Updated **Flutter Forward**" in said
    assert "1 later occurrence(s) of the series changed too" in said
    await fake.wait_until(lambda: len(announcements(fake, "Flutter Forward")) == 2, 20)
    # only this one: the other keeps its title
    asked = await fake.slash(
        "admin", "event edit", event=event_id(second), options={"venue": "Arfa Tower"}
    )
    only = await fake.click("admin", asked, label="Only this one")
    assert "Updated **Flutter Forward**" in await answer(fake, only)
    await fake.wait_until(
        lambda: "Arfa Tower" in announcements(fake, "Flutter Forward")[1].text, 20
    )
    assert "Arfa Tower" not in announcements(fake, "Flutter Forward")[0].text


async def test_cancel_this_and_all_later_ends_the_series(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await series(fake, "TensorFlow Tuesdays")
    first, second = announcements(fake, "TensorFlow Tuesdays")
    await fake.click("carol", second, label="Going")
    asked = await fake.slash(
        "admin", "event cancel", event=event_id(first), options={"reason": "Venue closed"}
    )
    done = await fake.click("admin", asked, label="This and all later")
    said = await answer(fake, done)
    assert "1 later occurrence(s) cancelled too, and no more will be made" in said
    assert "1 member(s) going or waitlisted will get a DM" in said
    await fake.wait_for_dm("carol", lambda m: "TensorFlow Tuesdays" in m.text, 10)
    # a cancelled occurrence isn't asked about again, and nothing more is made
    listed = await fake.slash("carol", "event list")
    assert "TensorFlow Tuesdays" not in listed.text


async def test_bad_series_input_is_refused_and_creates_nothing(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    before = len(fake.messages_in(CHANNEL))
    for options, words in (
        ({"repeat": None, "until": "2027-01-01"}, "are for a recurring event"),
        ({"until": local(timedelta(days=1), "%Y-%m-%d")}, "before its first event"),
        ({"until": "someday"}, "as a date"),
    ):
        given = {k: v for k, v in options.items() if v is not None}
        if options.get("repeat", "weekly") is None:
            result = await fake.slash(
                "admin",
                "event create",
                title="Never Made",
                options={
                    "city": "Lahore",
                    "starts": local(timedelta(days=3)),
                    "channel": CHANNEL,
                    **given,
                },
            )
        else:
            result = await series(fake, "Never Made", **given)
        assert words in result.text and result.ephemeral
    assert len(fake.messages_in(CHANNEL)) == before
    assert "Never Made" not in (await fake.slash("carol", "event list")).text


async def test_the_lead_setting_is_shown_and_announces_what_it_brings_in(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    shown = await fake.slash("admin", "settings show")
    assert "Recurring events announced" in shown.text and "14 days ahead" in shown.text
    await series(fake, "Lead Change Jam")
    assert len(announcements(fake, "Lead Change Jam")) == 2
    try:
        changed = await fake.slash("admin", "settings series-lead", days=25)
        assert "now announced 25 days ahead" in changed.text
        assert "occurrence(s) came within that" in changed.text
        await fake.wait_until(lambda: len(announcements(fake, "Lead Change Jam")) == 4, 20)
        refused = await fake.slash("bob", "settings series-lead", days=20)
        assert "organizer" in refused.text.lower()
    finally:
        await fake.slash("admin", "settings series-lead", days=14)
