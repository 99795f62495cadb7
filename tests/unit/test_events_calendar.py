"""A member's calendar subscription feed (parsed back with icalendar) on both stores, and
the announcement's "Add to Google Calendar" link: encoding, dates and Discord's 512."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from bot.db import Database
from bot.events import Event, EventService, event_uid
from bot.events.calendar_feed import FeedEntry, calendar_name, feed_ics
from bot.events.calendar_links import CalendarLinks, feed_path, webcal
from bot.events.google_calendar import MAX_URL, google_calendar_url
from bot.events.models import MemberStatus
from bot.web.links import BadLink, LinkRevocations, LinkSigner

if TYPE_CHECKING:
    from conftest import FakeClock

G, OTHER_G = 1000, 2000
ORG = 1
LINK = "https://meet.google.com/abc-defg-hij"
GOING, GOING2, WAITING, STRANGER = 10, 13, 11, 12


async def create(service: EventService, guild: int = G, **kw: object) -> Event:
    args: dict[str, object] = {"title": "Flutter Forward", "city": "Lahore"}
    args["starts"] = "2026-07-26 10:00"
    args.update(kw)
    return await service.catalogue.create(guild, ORG, **args)  # type: ignore[arg-type]


async def feed(
    service: EventService, user: int | None, city: str | None = None, guild: int = G
) -> dict[str, icalendar.Event]:
    """The feed as a calendar app reads it: entries by SUMMARY."""
    entries = await service.calendar.entries(guild, user, city)
    data = feed_ics(calendar_name("GDG Lahore", city), entries, service.store.now())
    cal = icalendar.Calendar.from_ical(data)
    return {str(v["SUMMARY"]): v for v in cal.walk("VEVENT")}


def description(vevent: icalendar.Event) -> str:
    return str(vevent.get("DESCRIPTION", ""))


# --- the feed -------------------------------------------------------------------------------
async def test_each_member_sees_their_own_place(event_service: EventService) -> None:
    event = await create(event_service, capacity=2, online_url=LINK)
    await event_service.seats.rsvp(G, event.id, GOING)
    await event_service.seats.rsvp(G, event.id, GOING2)
    await event_service.seats.rsvp(G, event.id, WAITING)  # full: waitlisted
    first = (await feed(event_service, GOING))["Flutter Forward"]
    assert description(first).startswith("You're going — seat 1.")
    second = (await feed(event_service, GOING2))["Flutter Forward"]
    assert description(second).startswith("You're going — seat 2.")
    waiting = (await feed(event_service, WAITING))["Flutter Forward"]
    assert description(waiting).startswith("You're on the waitlist — position 1.")
    stranger = (await feed(event_service, STRANGER))["Flutter Forward"]
    assert description(stranger).startswith("Not registered — RSVP in Discord.")
    nobody = (await feed(event_service, None))["Flutter Forward"]
    assert "You're" not in description(nobody) and "seat" not in description(nobody)


async def test_the_online_link_only_in_events_the_member_is_going_to(
    event_service: EventService,
) -> None:
    online = await create(event_service, title="Online Jam", capacity=1, online_url=LINK)
    hybrid = await create(event_service, title="Hybrid Jam", venue="Arfa Tower", online_url=LINK)
    await event_service.seats.rsvp(G, online.id, GOING)
    await event_service.seats.rsvp(G, online.id, WAITING)
    await event_service.seats.rsvp(G, hybrid.id, WAITING)  # unlimited: going
    mine = await feed(event_service, GOING)
    assert str(mine["Online Jam"]["LOCATION"]) == LINK
    assert f"Join online: {LINK}" in description(mine["Online Jam"])
    assert LINK not in description(mine["Hybrid Jam"])  # not going to that one
    assert str(mine["Hybrid Jam"]["LOCATION"]) == "Arfa Tower, Lahore · also online"
    theirs = await feed(event_service, WAITING)
    assert LINK not in description(theirs["Online Jam"])
    assert str(theirs["Online Jam"]["LOCATION"]) == "Online · Lahore"
    assert LINK in description(theirs["Hybrid Jam"])
    for user in (STRANGER, None):
        entries = await event_service.calendar.entries(G, user)
        assert LINK.encode() not in feed_ics("x", entries, 0)


async def test_a_cancelled_event_stays_with_a_bumped_sequence_and_no_link(
    event_service: EventService,
) -> None:
    event = await create(event_service, online_url=LINK)
    await event_service.seats.rsvp(G, event.id, GOING)
    before = (await feed(event_service, GOING))["Flutter Forward"]
    await event_service.catalogue.cancel(G, event.id, "Speaker ill")
    after = (await feed(event_service, GOING))["Flutter Forward"]
    assert after["UID"] == before["UID"] == event_uid(event)
    assert str(after["STATUS"]) == "CANCELLED" and str(before["STATUS"]) == "CONFIRMED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert description(after).startswith("Cancelled: Speaker ill")
    assert LINK not in description(after) and "seat" not in description(after)


async def test_an_edit_keeps_the_uid_and_raises_the_sequence(event_service: EventService) -> None:
    event = await create(event_service)
    before = (await feed(event_service, STRANGER))["Flutter Forward"]
    await event_service.catalogue.edit(G, event.id, starts="2026-07-27 11:00")
    after = (await feed(event_service, STRANGER))["Flutter Forward"]
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == datetime(2026, 7, 27, 6, 0, tzinfo=UTC)
    assert after.decoded("DTSTART").utcoffset() == timedelta(0)
    for name in ("DTSTAMP", "LAST-MODIFIED", "DTEND", "LOCATION"):
        assert name in after


async def test_the_window_a_month_back_and_cancelled_ones_only_ahead(
    event_service: EventService, clock: FakeClock
) -> None:
    await create(event_service, title="Long ago", starts="2026-07-02 10:00")
    await create(event_service, title="Last week", starts="2026-07-25 10:00")
    gone = await create(event_service, title="Cancelled earlier", starts="2026-07-28 10:00")
    await event_service.catalogue.cancel(G, gone.id)
    ahead = await create(event_service, title="Cancelled ahead", starts="2026-08-10 10:00")
    await event_service.catalogue.cancel(G, ahead.id)
    await create(event_service, title="Next week", starts="2026-08-08 10:00")
    clock.set(datetime(2026, 8, 3, tzinfo=UTC).timestamp())
    seen = await feed(event_service, STRANGER)
    assert list(seen) == ["Last week", "Next week", "Cancelled ahead"]
    assert str(seen["Cancelled ahead"]["STATUS"]) == "CANCELLED"
    assert "RSVP" not in description(seen["Last week"])  # over: nothing to ask


async def test_a_past_event_says_where_the_member_was(
    event_service: EventService, clock: FakeClock
) -> None:
    event = await create(event_service)
    await event_service.seats.rsvp(G, event.id, GOING)
    clock.set(event.ends_at + 86400)
    assert description((await feed(event_service, GOING))["Flutter Forward"]).startswith(
        "You went — seat 1."
    )


async def test_other_servers_events_never_appear(event_service: EventService) -> None:
    mine = await create(event_service, title="Ours")
    theirs = await create(event_service, guild=OTHER_G, title="Theirs")
    await event_service.seats.rsvp(OTHER_G, theirs.id, GOING)
    seen = await feed(event_service, GOING)
    assert list(seen) == ["Ours"]
    assert str(seen["Ours"]["UID"]) == event_uid(mine)
    assert list(await feed(event_service, GOING, guild=OTHER_G)) == ["Theirs"]


async def test_the_city_filter(event_service: EventService) -> None:
    await create(event_service, title="In Lahore")
    await create(event_service, title="In Islamabad", city="Islamabad")
    assert list(await feed(event_service, GOING, "lahore")) == ["In Lahore"]
    assert list(await feed(event_service, GOING, "Islamabad")) == ["In Islamabad"]
    assert list(await feed(event_service, GOING)) == ["In Lahore", "In Islamabad"]
    assert list(await feed(event_service, GOING, "Karachi")) == []


async def test_statuses_come_in_one_query(event_service: EventService, db: Database) -> None:
    for n in range(5):
        event = await create(event_service, title=f"Event {n}")
        await event_service.seats.rsvp(G, event.id, GOING)
    seen: list[str] = []
    fetchall = db.fetchall

    async def counting(sql: str, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return await fetchall(sql, *args, **kw)  # type: ignore[arg-type]

    db.fetchall = counting  # type: ignore[method-assign]
    try:
        entries = await event_service.calendar.entries(G, GOING)
    finally:
        del db.fetchall  # type: ignore[method-assign]
    assert len(entries) == 5 and all(e.status.status == "going" for e in entries)
    assert len(seen) == 1


async def test_the_calendar_itself(event_service: EventService) -> None:
    event = await create(event_service)
    await event_service.posting.announcement_posted(event.id, 500, 600, thread_next=False)
    entries = await event_service.calendar.entries(G, GOING, "Lahore")
    cal = icalendar.Calendar.from_ical(feed_ics(calendar_name("GDG Lahore", "Lahore"), entries, 0))
    assert str(cal["X-WR-CALNAME"]) == "GDG Lahore · Lahore events"
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0"
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in cal.to_ical()
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["URL"]) == f"https://discord.com/channels/{G}/500/600"
    assert description(vevent).endswith(f"https://discord.com/channels/{G}/500/600")
    assert calendar_name("GDG Islamabad", None) == "GDG Islamabad events"


def test_an_entry_without_a_member_has_no_place() -> None:
    entry = FeedEntry(_event(), MemberStatus(None, None, None))
    assert entry.online_link is None


# --- the Google Calendar link ----------------------------------------------------------------
def _event(**kw: object) -> Event:
    values: dict[str, object] = {
        "id": 7,
        "guild_id": G,
        "title": "I/O Extended",
        "city": "Lahore",
        "venue": "Arfa Tower",
        "description": "Talks & codelabs",
        "starts_at": int(datetime(2026, 7, 26, 5, 0, tzinfo=UTC).timestamp()),
        "ends_at": int(datetime(2026, 7, 26, 12, 30, tzinfo=UTC).timestamp()),
        "capacity": None,
        "channel_id": 500,
        "message_id": 600,
        "role_id": None,
        "organizer_id": ORG,
        "status": "scheduled",
        "cancel_reason": None,
        "scheduled_event_id": None,
        "sequence": 0,
        "created_at": 0,
        "updated_at": 0,
    }
    values.update(kw)
    return Event(**values)  # type: ignore[arg-type]


def parsed(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/render",
    )
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values())
    return {k: v[0] for k, v in query.items()}


def test_the_google_link_parses_back() -> None:
    jump = f"https://discord.com/channels/{G}/500/600"
    url = google_calendar_url(_event(title="Flutter & Friends: A/B #1 ?=+%"), jump)
    got = parsed(url)
    assert got["action"] == "TEMPLATE"
    assert got["text"] == "Flutter & Friends: A/B #1 ?=+%"
    assert got["dates"] == "20260726T050000Z/20260726T123000Z"
    assert got["location"] == "Arfa Tower, Lahore"
    assert got["details"] == f"Talks & codelabs\n\nRSVP in Discord: {jump}"
    assert " " not in url and "\n" not in url


def test_the_google_link_never_has_the_online_link() -> None:
    url = google_calendar_url(_event(online_url=LINK, venue=None), None)
    assert LINK not in url and "meet.google.com" not in url
    assert parsed(url)["location"] == "Online · Lahore"


@pytest.mark.parametrize(
    ("title", "venue", "text"),
    [
        ("A" * 100, "V" * 200, "D" * 2000),
        ("😀" * 100, "🏢" * 200, "📅" * 2000),
        ("اسلام آباد " * 9, "جناح کنونشن سینٹر " * 11, "تفصیل " * 300),
        ("%" * 100, "&=?#+" * 40, "\n\t\"'<>" * 300),
    ],
)
def test_the_google_link_fits_discords_512(title: str, venue: str, text: str) -> None:
    jump = f"https://discord.com/channels/{G}/{'9' * 19}/{'9' * 19}"
    url = google_calendar_url(_event(title=title[:100], venue=venue[:200], description=text), jump)
    assert len(url) <= MAX_URL
    got = parsed(url)
    assert got["dates"] == "20260726T050000Z/20260726T123000Z"
    assert got["text"].rstrip("…") and title.startswith(got["text"].rstrip("…").rstrip())
    for key in ("location", "details"):  # cut with an ellipsis, never mid-character
        if key in got:
            assert "\ufffd" not in got[key]
    if "details" in got:  # the announcement's link is whole or absent, never cut
        assert got["details"].endswith(jump) or "discord.com" not in got["details"]


def test_a_short_event_keeps_everything() -> None:
    got = parsed(google_calendar_url(_event(description=None), None))
    assert got["text"] == "I/O Extended" and "details" not in got


# --- the signed links ------------------------------------------------------------------------
SECRET = b"s" * 32


async def test_a_link_opens_until_reset(db: Database, clock: FakeClock) -> None:
    links = CalendarLinks(LinkSigner(SECRET, clock), LinkRevocations(db), clock)
    first = await links.make(G, GOING, "Lahore")
    assert first.expires_at == clock() + 365 * 86400
    opened = await links.open(first.token)
    assert (opened.guild_id, opened.user_id, opened.city) == (G, GOING, "Lahore")
    everything = await links.make(G, WAITING)
    assert (await links.open(everything.token)).city is None

    fresh = await links.make(G, GOING, reset=True)
    assert (await links.open(fresh.token)).city is None
    with pytest.raises(BadLink, match="revoked"):
        await links.open(first.token)
    assert (await links.open(everything.token)).user_id == WAITING  # theirs still open

    clock.advance(365 * 86400)
    with pytest.raises(BadLink, match="expired"):
        await links.open(fresh.token)


async def test_other_signed_links_do_not_open_a_calendar(db: Database, clock: FakeClock) -> None:
    signer = LinkSigner(SECRET, clock)
    links = CalendarLinks(signer, LinkRevocations(db), clock)
    subject: dict[str, int | str] = {"g": G, "m": GOING, "gen": 0}
    with pytest.raises(BadLink):
        await links.open(signer.sign("door", subject, int(clock()) + 60))
    with pytest.raises(BadLink, match="not a calendar subject"):
        await links.open(signer.sign("calendar", {"g": G, "gen": 0}, int(clock()) + 60))
    with pytest.raises(BadLink):
        await links.open(LinkSigner(b"t" * 32, clock).sign("calendar", subject, int(clock()) + 60))


def test_webcal_is_the_same_address() -> None:
    assert webcal("https://bot.example.org/calendar/a.b.ics") == (
        "webcal://bot.example.org/calendar/a.b.ics"
    )
    assert (
        webcal("http://127.0.0.1:8080/calendar/x.ics") == "webcal://127.0.0.1:8080/calendar/x.ics"
    )
    assert feed_path("tok.en") == "/calendar/tok.en.ics"
