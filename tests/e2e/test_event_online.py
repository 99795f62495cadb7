"""Online and hybrid events end to end: the link reaches members going — ticket, /event info
and mine, the reminder and promotion DMs, their calendar file — and nobody else: not the
announcement, the channel reminder, Discord's scheduled event, the waitlisted or strangers."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from bot.testing import BotProcess, FakeDiscord, FakeMessage
from bot.testing.fakediscord import FakeScheduledEvent
from bot.testing.store import StoreHandle
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
LINK = "https://meet.google.com/abc-defg-hij"
HYBRID = "https://meet.google.com/hyb-ridj-amx"


def calendar_of(result_files: dict[str, bytes]) -> tuple[bytes, icalendar.Event]:
    (name, data), *_ = result_files.items()
    assert name.endswith(".ics")
    (vevent,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return data, vevent


def assert_nowhere_public(fake: FakeDiscord, *links: str) -> None:
    """Not in any message others can see (channel posts, edits included), nor in Discord's
    scheduled events."""
    public = [m for m in fake.world.messages.values() if m.guild_id is not None and not m.ephemeral]
    for link in links:
        assert not [m.text[:100] for m in public if link in m.text]
        for scheduled in fake.scheduled_events():
            assert link not in f"{scheduled.location} {scheduled.description}"


def scheduled(fake: FakeDiscord, title: str) -> FakeScheduledEvent:
    (found,) = [s for s in fake.scheduled_events() if s.name == title]
    return found


async def test_the_link_reaches_members_going_and_nobody_else(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await fake.slash("admin", "settings reminders", offsets="1h")
    try:
        # The reminder falls due ~6 s after the create (a start an hour and 6 s away).
        starts = local(timedelta(hours=1, seconds=6), "%Y-%m-%d %H:%M:%S")
        ann = await create(fake, "Flutter Online Night", starts=starts, capacity=1, online_url=LINK)
        eid = event_id(ann)
        assert "Online · Lahore" in ann.text and LINK not in ann.text
        assert scheduled(fake, "Flutter Online Night").location == "Online · Lahore"

        going = await fake.click("alice", ann, label="Going")
        assert "You're in — seat 1 of 1" in going.content
        ticket = await fake.wait_for_dm(
            "alice", lambda m: "Your ticket for **Flutter Online Night**" in m.content, 10
        )
        assert f"Join online: <{LINK}>" in ticket.content
        waiting = await fake.click("bob", ann, label="Going")
        assert "#1 on the waitlist" in waiting.content

        info = await fake.slash("alice", "event info", event=eid)
        assert info.ephemeral and "Going — seat 1" in info.text and LINK in info.text
        mine = await fake.slash("alice", "event mine")
        assert "Flutter Online Night" in mine.text and LINK in mine.text
        _, vevent = calendar_of((await fake.click("alice", ann, label="Add to calendar")).files)
        assert str(vevent["LOCATION"]) == LINK and LINK in str(vevent["DESCRIPTION"])

        for member in ("bob", "carol"):  # waitlisted, and not registered at all
            info = await fake.slash(member, "event info", event=eid)
            assert "Flutter Online Night" in info.text and LINK not in info.text
            mine = await fake.slash(member, "event mine")
            assert LINK not in mine.text
            data, vevent = calendar_of(
                (await fake.click(member, ann, label="Add to calendar")).files
            )
            assert LINK.encode() not in data and str(vevent["LOCATION"]) == "Online · Lahore"

        reminder = await fake.wait_for_dm(
            "alice", lambda m: "Reminder: **Flutter Online Night**" in m.content, 20
        )
        assert f"Join online: <{LINK}>" in reminder.content
        post = await fake.wait_for_message(
            "lahore-events",
            lambda m: "Flutter Online Night" in m.content and "starts" in m.content,
            10,
        )
        assert LINK not in post.text

        # Alice can't go: Bob moves up and his promotion DM brings the link.
        await fake.click("alice", ann, label="Can't go")
        promoted = await fake.wait_for_dm("bob", lambda m: "seat opened up" in m.content, 10)
        assert "Flutter Online Night" in promoted.content
        assert f"Join online: <{LINK}>" in promoted.content
        info = await fake.slash("alice", "event info", event=eid)
        assert "Not registered" in info.text and LINK not in info.text
        assert not [m for m in fake.dms_to("carol") if LINK in m.text]
        assert_nowhere_public(fake, LINK)
    finally:
        await fake.slash("admin", "settings reminders", offsets="24h,1h")


async def test_a_new_link_is_dmed_to_members_going_only(bot: BotProcess, fake: FakeDiscord) -> None:
    # Its own link: the members' DMs of the test before hold the first one.
    ann = await create(fake, "Hybrid Jam", venue="Arfa Tower", capacity=1, online_url=HYBRID)
    eid = event_id(ann)
    assert "Arfa Tower, Lahore · also online" in ann.text and HYBRID not in ann.text
    await fake.click("carol", ann, label="Going")
    await fake.click("bob", ann, label="Going")  # waitlisted

    new = "https://zoom.us/j/987654321?pwd=NewPass"
    edited = await fake.slash("admin", "event edit", event=eid, online_url=new)
    await edited.wait_final()
    assert "The online link changed; 1 member(s) going will get a DM" in edited.text
    dm = await fake.wait_for_dm(
        "carol", lambda m: "**Hybrid Jam** has changed" in m.content and new in m.content, 10
    )
    assert f"new online link: <{new}>" in dm.content
    info = await fake.slash("carol", "event info", event=eid)
    assert new in info.text and HYBRID not in info.text
    assert not [m for m in fake.dms_to("bob") if new in m.text or HYBRID in m.text]
    assert scheduled(fake, "Hybrid Jam").location == "Arfa Tower, Lahore · also online"
    assert_nowhere_public(fake, HYBRID, new)

    cleared = await fake.slash("admin", "event edit", event=eid, online_url="")
    await cleared.wait_final()
    assert "The online link changed" in cleared.text
    await fake.wait_for_dm("carol", lambda m: "no online link any more" in m.content, 10)
    card = await fake.wait_for_message(
        "lahore-events", lambda m: m.id == ann.id and "also online" not in m.text, 6
    )
    assert "Arfa Tower, Lahore" in card.text
    assert scheduled(fake, "Hybrid Jam").location == "Arfa Tower, Lahore"
    info = await fake.slash("carol", "event info", event=eid)
    assert "Join online" not in info.text and new not in info.text


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://meet.google.com/abc-defg-hij", "must start with https://"),
        ("javascript:alert(document.cookie)", "must start with https://"),
        ("ftp://files.example.com/talk", "must start with https://"),
        ("https:///no-host", "needs a host name"),
        ("https://meet.google.com/abc defg", "can't contain spaces"),
        ("https://organizer:hunter2@meet.google.com/abc", "user name or password"),
        ("https://meet.google.com/" + "x" * 480, "at most 500 characters"),
    ],
)
async def test_bad_links_are_refused_without_change(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, url: str, says: str
) -> None:
    before = store.dump()
    options = {"title": "Bad Link", "city": "Lahore", "starts": local(timedelta(days=1))}
    created = await fake.slash("admin", "event create", options={**options, "online_url": url})
    assert created.ephemeral and "Created" not in created.content
    assert says in created.content, created.content
    assert store.dump() == before


async def test_bad_link_on_edit_changes_nothing(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann: FakeMessage = await create(fake, "Steady Link", online_url=LINK)
    await fake.click("alice", ann, label="Going")
    before = store.dump()
    for url, says in [
        ("http://meet.google.com/x", "must start with https://"),
        ("https://u:p@meet.google.com/x", "user name or password"),
    ]:
        result = await fake.slash(
            "admin", "event edit", event=event_id(ann), options={"online_url": url, "title": "X"}
        )
        assert result.ephemeral and says in result.content and "Updated" not in result.content
    assert store.dump() == before


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
