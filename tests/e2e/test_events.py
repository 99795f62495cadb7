"""Events end to end: create → announce → RSVP clicks → waitlist promotion → csv →
edit → cancel; buttons after a restart; reminders; permissions; bad input."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.testing import BotProcess, FakeDiscord, FakeMessage
from bot.testing.store import StoreHandle

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
KARACHI = ZoneInfo("Asia/Karachi")


def local(delta: timedelta, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time `delta` from now, written as an organizer in Asia/Karachi would type it."""
    return (datetime.now(KARACHI) + delta).strftime(fmt)


async def create(fake: FakeDiscord, title: str, **options: object) -> FakeMessage:
    """Create an event as the admin and return its announcement."""
    options.setdefault("city", "Lahore")
    options.setdefault("starts", local(timedelta(days=3)))
    options.setdefault("channel", "lahore-events")
    channel = options["channel"]
    result = await fake.slash("admin", "event create", title=title, options=options)
    await result.wait_final()
    assert "Created" in result.text, result.text
    return await fake.wait_for_message(
        channel, lambda m: bool(m.embeds) and m.embeds[0]["title"] == title
    )


def event_id(announcement: FakeMessage) -> str:
    return announcement.embeds[0]["footer"]["text"].removeprefix("Event #")


async def test_create_echoes_times_and_announces(bot: BotProcess, fake: FakeDiscord) -> None:
    starts = local(timedelta(days=2))
    result = await fake.slash(
        "admin",
        "event create",
        title="I/O Extended Lahore",
        city="lahore",
        starts=starts,
        venue="Arfa Tower",
        options={"capacity": 300, "channel": "lahore-events"},
    )
    await result.wait_final()
    epoch = int(datetime.strptime(starts, "%Y-%m-%d %H:%M").replace(tzinfo=KARACHI).timestamp())
    assert result.ephemeral
    assert f"<t:{epoch}:F>" in result.text and f"<t:{epoch + 3 * 3600}:F>" in result.text
    assert "300 seats" in result.text and "Announced in <#1203>" in result.text
    ann = await fake.wait_for_message("lahore-events", lambda m: "I/O Extended Lahore" in m.text)
    going, leave, ics, google = ann.buttons
    assert [b["label"] for b in (going, leave, ics)] == ["Going", "Can't go", "Add to calendar"]
    assert all(b["custom_id"].startswith("rsvp:v1:") for b in (going, leave, ics))
    assert google["label"] == "Add to Google Calendar" and google["url"].startswith(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&"
    )
    assert "0/300 going" in ann.text and "Arfa Tower, Lahore" in ann.text
    assert f"<t:{epoch}:R>" in ann.text
    assert fake.scheduled_events(), "a Discord scheduled event mirrors it (bot has Manage Events)"


async def test_rsvp_waitlist_promotion_and_csv(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Gemini Study Jam", capacity=2)
    first = await fake.click("alice", ann, label="Going")
    assert first.ephemeral and "You're in — seat 1 of 2" in first.content
    assert "seat 2 of 2" in (await fake.click("bob", ann, label="Going")).content
    wait = await fake.click("carol", ann, label="Going")
    assert "The event is full — you're #1 on the waitlist" in wait.content
    again = await fake.click("alice", ann, label="Going")
    assert "already going" in again.content and "Nothing changed" in again.content

    # the announcement catches up (coalesced) with the counts
    await fake.wait_for_message(
        "lahore-events",
        lambda m: m.id == ann.id and "2/2 going" in m.text and "full" in m.text,
        timeout=6,
    )

    left = await fake.click("alice", ann, label="Can't go")
    assert "given up your seat" in left.content
    dm = await fake.wait_for_dm("carol", lambda m: "seat opened up" in m.content, timeout=10)
    assert "Gemini Study Jam" in dm.content and dm.embeds
    twice = await fake.click("alice", ann, label="Can't go")
    assert "weren't registered" in twice.content and "nothing changed" in twice.content

    csv_result = await fake.slash(
        "admin", "event attendees", event=event_id(ann), options={"format": "csv"}
    )
    (_, data), *_ = csv_result.files.items()
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert list(rows[0]) == [
        "member_id",
        "display_name",
        "status",
        "rsvp_time",
        "waitlist_position",
        "standing",
        "checked_in",
    ]
    assert [(r["member_id"], r["status"]) for r in rows] == [("2005", "going"), ("2006", "going")]
    assert rows[0]["display_name"] == "Bob" and rows[0]["rsvp_time"].endswith("Z")

    listed = await fake.slash("admin", "event attendees", event=event_id(ann))
    assert "Going (2)" in listed.text and "<@2005>" in listed.text


async def test_edit_capacity_time_and_cancel(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "ML Bootcamp", capacity=1)
    eid = event_id(ann)
    await fake.click("alice", ann, label="Going")
    await fake.click("bob", ann, label="Going")
    more = await fake.slash("admin", "event edit", event=eid, options={"capacity": 2})
    await more.wait_final()
    assert "1 member(s) moved up from the waitlist" in more.text
    await fake.wait_for_dm("bob", lambda m: "ML Bootcamp" in m.content, timeout=10)

    less = await fake.slash("admin", "event edit", event=eid, options={"capacity": 1})
    await less.wait_final()
    assert "nobody was bumped" in less.text

    new_start = local(timedelta(days=4))
    moved = await fake.slash("admin", "event edit", event=eid, starts=new_start)
    await moved.wait_final()
    assert "reminders moved" in moved.text
    await fake.wait_for_dm("alice", lambda m: "has changed" in m.content, timeout=10)

    cancelled = await fake.slash("admin", "event cancel", event=eid, reason="Venue flooded")
    await cancelled.wait_final()
    assert "Cancelled **ML Bootcamp**" in cancelled.text
    dm = await fake.wait_for_dm("alice", lambda m: "cancelled" in m.content, timeout=10)
    assert "Venue flooded" in dm.content
    ann = fake.message(ann.id)
    assert "[Cancelled]" in ann.text
    going, leave, ics = ann.buttons
    assert going.get("disabled") and leave.get("disabled") and not ics.get("disabled")
    late = await fake.slash("carol", "event rsvp", event=eid)
    assert late.ephemeral and "cancelled" in late.content


async def test_calendar_links_say_the_web_server_is_off(bot: BotProcess, fake: FakeDiscord) -> None:
    result = await fake.slash("alice", "event calendar")
    assert result.ephemeral
    assert result.content == (
        "Calendar links need the bot's web server, which is off here: an organizer must set "
        "WEB_PORT and PUBLIC_URL (see the README's Web section)."
    )


async def test_add_to_calendar_gives_an_ics_file(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Calendar Test", venue="NUST")
    result = await fake.click("alice", ann, label="Add to calendar")
    assert result.ephemeral
    (name, data), *_ = result.files.items()
    assert name.endswith(".ics")
    cal = icalendar.Calendar.from_ical(data)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Calendar Test"
    assert "NUST" in str(vevent["LOCATION"])
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(vevent["URL"]).endswith(str(ann.id))


async def test_list_info_mine_and_slash_rsvp(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Islamabad Kaggle Night", city="Islamabad", channel="islamabad-events")
    eid = event_id(ann)
    choices = await fake.autocomplete("carol", "event rsvp", "event", "kaggle")
    assert choices[0]["value"] == eid and "Islamabad" in choices[0]["name"]
    joined = await fake.slash("carol", "event rsvp", event=eid)
    assert "You're in — seat 1" in joined.content
    info = await fake.slash("carol", "event info", event=eid)
    assert info.ephemeral and "Going — seat 1" in info.text
    mine = await fake.slash("carol", "event mine")
    assert "Islamabad Kaggle Night" in mine.text
    listing = await fake.slash("carol", "event list", city="Islamabad")
    assert "Islamabad Kaggle Night" in listing.text and "Lahore" not in listing.text
    left = await fake.slash("carol", "event leave", event=eid)
    assert "given up your seat" in left.content


async def test_role_is_granted_and_taken_back(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Volunteers Meetup", role="Volunteer")
    await fake.click("carol", ann, label="Going")
    await fake.wait_until(lambda: "Volunteer" in fake.member_roles("carol"), timeout=5)
    await fake.click("carol", ann, label="Can't go")
    await fake.wait_until(lambda: "Volunteer" not in fake.member_roles("carol"), timeout=5)


async def test_mentions_in_text_never_ping(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(
        fake, "Hello @everyone <@&1102>", description="ping <@2004> @here", city="Lahore"
    )
    assert not ann.pings["everyone"] and not ann.pings["roles"] and not ann.pings["users"]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"starts": "2020-01-01 10:00"}, "past"),
        ({"starts": "next blursday"}, "2026-07-26 10:00"),
        ({"ends": "yesterday 10:00"}, None),
        ({"title": "x" * 101}, "100 characters"),
        ({"city": "Atlantis"}, "Islamabad, Lahore"),
    ],
)
async def test_bad_create_input_is_refused_without_change(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, options: dict, says: str | None
) -> None:
    full = {"title": "Bad", "city": "Lahore", "starts": local(timedelta(days=1)), **options}
    before = store.dump()
    result = await fake.slash("admin", "event create", options=full)
    assert result.ephemeral
    assert "Created" not in result.content
    if says:
        assert says in result.content, result.content
    assert store.dump() == before


async def test_members_cannot_run_organizer_commands(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Guarded Event")
    eid = event_id(ann)
    before = store.dump()
    for command, options in [
        ("event create", {"title": "Nope", "city": "Lahore", "starts": local(timedelta(days=1))}),
        ("event edit", {"event": eid, "title": "Hacked"}),
        ("event cancel", {"event": eid}),
        ("event attendees", {"event": eid}),
    ]:
        result = await fake.slash("alice", command, options=options)
        assert result.ephemeral and "Only organizers can do this" in result.content
    assert store.dump() == before


async def test_buttons_work_after_a_restart(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Restart Proof", capacity=5)
    await bot.restart()
    result = await fake.click("bob", ann, label="Going")
    assert "You're in — seat 1 of 5" in result.content


async def test_reminder_fires_once_and_survives_restart(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.slash("admin", "settings reminders", offsets="1h")
    try:
        # due in ~4 s: starts one hour and four seconds from now (seconds are accepted)
        starts = local(timedelta(hours=1, seconds=4), "%Y-%m-%d %H:%M:%S")
        ann = await create(fake, "Reminder Soon", starts=starts, role="Volunteer")
        await fake.click("alice", ann, label="Going")
        await fake.slash("bob", "event reminders", enabled=False)
        await fake.click("bob", ann, label="Going")
        dm = await fake.wait_for_dm(
            "alice", lambda m: "Reminder: **Reminder Soon**" in m.content, 15
        )
        assert dm.embeds
        post = await fake.wait_for_message(
            "lahore-events", lambda m: "Reminder Soon" in m.content and "starts" in m.content, 10
        )
        assert post.pings["roles"] == {1101}
        await bot.restart()
        await asyncio.sleep(0.5)
        reminders = [m for m in fake.dms_to("alice") if "Reminder: **Reminder Soon**" in m.content]
        assert len(reminders) == 1
        assert not [m for m in fake.dms_to("bob") if "Reminder: **Reminder Soon" in m.content]
    finally:
        await fake.slash("bob", "event reminders", enabled=True)
        await fake.slash("admin", "settings reminders", offsets="24h,1h")


async def test_overdue_reminder_is_sent_at_startup(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.slash("admin", "settings reminders", offsets="1h")
    try:
        starts = local(timedelta(hours=1, seconds=6), "%Y-%m-%d %H:%M:%S")
        ann = await create(fake, "Downtime Reminder", starts=starts)
        await fake.click("carol", ann, label="Going")
        await bot.stop()
        await asyncio.sleep(7)  # the reminder falls due while the bot is down
        await bot.start()
        await fake.wait_for_dm("carol", lambda m: "Downtime Reminder" in m.content, 15)
    finally:
        await fake.slash("admin", "settings reminders", offsets="24h,1h")


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []


async def test_a_burst_of_clicks_is_coalesced_into_few_edits(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    members = [await fake.add_member(f"burst{i:02d}") for i in range(20)]
    ann = await create(fake, "Coalesced Counts", capacity=15)
    edits_before = fake.message(ann.id).edit_count
    results = await asyncio.gather(*(fake.click(m, ann, label="Going") for m in members))
    assert sum("You're in" in r.content for r in results) == 15
    assert sum("waitlist" in r.content for r in results) == 5
    final = await fake.wait_for_message(
        "lahore-events", lambda m: m.id == ann.id and "15/15 going" in m.text, timeout=6
    )
    fields = {f["name"]: f["value"] for f in final.embeds[0]["fields"]}
    assert fields["Waitlist"] == "5" and fields["Seats"] == "15/15 going — full"
    # 20 clicks in well under 2 s: one or two edits, never one per click
    assert 1 <= final.edit_count - edits_before <= 2
