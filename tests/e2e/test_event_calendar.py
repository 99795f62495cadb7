"""Calendar subscriptions end to end, through the real bot process with its web server:
/event calendar's personal links, the feed a calendar app fetches (the member's own
place, an edit updating the same entry), every bad link a plain 403, a member who left
refused, and the announcement's "Add to Google Calendar" button."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import aiohttp
import icalendar
import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from bot.web.links import LinkSigner
from tests.e2e.conftest import assert_no_personal_data_in_public
from tests.e2e.test_events import KARACHI, create, event_id, local
from tests.e2e.test_web import free_port, healthz_until

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
SECRET = "e2e-calendar-secret-" + "c" * 32
FORBIDDEN = "This link is not valid. Ask the bot for a new one."
LINK = "https://meet.google.com/cal-endr-xyz"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, store: StoreHandle) -> AsyncIterator[BotProcess]:
    env: dict[str, str | None] = {
        **store.env(),
        "LOG_LEVEL": "INFO",
        "WEB_PORT": str(PORT),
        "WEB_HOST": "127.0.0.1",
        "PUBLIC_URL": None,
        "WEB_SECRET": SECRET,  # so the tests can sign links the bot would accept
    }
    proc = BotProcess(fake, store.path, extra_env=env, keep_lines=100_000)
    await proc.start()
    # Until discord.py is ready the member list isn't known and the feed answers 503.
    async with aiohttp.ClientSession(base_url=BASE) as session:
        assert await healthz_until(session, 200) == (200, "ok")
    yield proc
    await proc.stop()
    assert_no_personal_data_in_public(fake, store)  # as conftest's bot fixture does


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def calendar_links(fake: FakeDiscord, user: str, **options: object) -> tuple[str, str]:
    """/event calendar as `user`: (webcal link, https link), from an ephemeral reply."""
    result = await fake.slash(user, "event calendar", options=options)
    assert result.ephemeral, "the personal link is never posted publicly"
    text = result.content
    (webcal,) = re.findall(r"webcal://\S+\.ics", text)
    (https,) = re.findall(r"<(http://\S+\.ics)>", text)
    assert webcal.removeprefix("webcal://") == https.removeprefix("http://")
    assert https.startswith(f"{BASE}/calendar/")
    assert "Settings → Add calendar → From URL" in text and "365 days" in text
    return webcal, https


async def fetch(http: aiohttp.ClientSession, url: str) -> tuple[int, str, dict[str, str]]:
    async with http.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


async def feed(http: aiohttp.ClientSession, url: str) -> dict[str, icalendar.Event]:
    """The feed as a calendar app reads it: entries by SUMMARY."""
    status, text, headers = await fetch(http, url)
    assert status == 200, text
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    cal = icalendar.Calendar.from_ical(text)
    return {str(v["SUMMARY"]): v for v in cal.walk("VEVENT")}


async def assert_forbidden(http: aiohttp.ClientSession, url: str) -> None:
    status, text, headers = await fetch(http, url)
    assert (status, text) == (403, FORBIDDEN)
    assert headers["Content-Type"].startswith("text/plain")


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


async def test_the_feed_shows_the_members_own_place(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    ann = await create(fake, "Compose Camp", capacity=1, online_url=LINK)
    await fake.click("alice", ann, label="Going")
    await fake.click("bob", ann, label="Going")  # full: waitlisted
    _, alice_url = await calendar_links(fake, "alice")
    _, bob_url = await calendar_links(fake, "bob")
    _, carol_url = await calendar_links(fake, "carol")

    mine = (await feed(http, alice_url))["Compose Camp"]
    assert str(mine["DESCRIPTION"]).startswith("You're going — seat 1.")
    assert f"Join online: {LINK}" in str(mine["DESCRIPTION"])
    assert str(mine["URL"]).endswith(f"/{ann.id}")
    bobs = (await feed(http, bob_url))["Compose Camp"]
    assert str(bobs["DESCRIPTION"]).startswith("You're on the waitlist — position 1.")
    carols = (await feed(http, carol_url))["Compose Camp"]
    assert str(carols["DESCRIPTION"]).startswith("Not registered — RSVP in Discord.")
    for other in (bobs, carols):
        assert LINK not in other.to_ical().decode()


async def test_an_edit_updates_the_same_entry(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    ann = await create(fake, "Kotlin Evening")
    _, url = await calendar_links(fake, "alice")
    before = (await feed(http, url))["Kotlin Evening"]
    new_start = local(timedelta(days=5))
    moved = await fake.slash("admin", "event edit", event=event_id(ann), starts=new_start)
    await moved.wait_final()
    after = (await feed(http, url))["Kotlin Evening"]
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    typed = datetime.strptime(new_start, "%Y-%m-%d %H:%M").replace(tzinfo=KARACHI)
    assert after.decoded("DTSTART") == typed
    assert after.decoded("DTSTART").utcoffset() == timedelta(0)

    cancelled = await fake.slash("admin", "event cancel", event=event_id(ann), reason="Rain")
    await cancelled.wait_final()
    gone = (await feed(http, url))["Kotlin Evening"]
    assert gone["UID"] == before["UID"] and str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) > int(after["SEQUENCE"])


async def test_a_city_calendar_and_a_bad_city(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    await create(fake, "Islamabad Only", city="Islamabad", channel="islamabad-events")
    await create(fake, "Lahore Only")
    choices = await fake.autocomplete("carol", "event calendar", "city", "isl")
    assert [c["value"] for c in choices] == ["Islamabad"]
    _, url = await calendar_links(fake, "carol", city="islamabad")
    cal_text = (await fetch(http, url))[1]
    assert "X-WR-CALNAME:" in cal_text and "Islamabad events" in cal_text
    seen = await feed(http, url)
    assert "Islamabad Only" in seen and "Lahore Only" not in seen

    refused = await fake.slash("carol", "event calendar", options={"city": "Karachi"})
    assert refused.ephemeral and "There is no city called “Karachi”" in refused.content
    assert "calendar/" not in refused.content


async def test_bad_links_get_a_plain_403(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    _, url = await calendar_links(fake, "alice")
    token = token_of(url)
    payload, signature = token.split(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    for bad in (
        f"{flipped}.{signature}",  # tampered
        f"{payload}.{signature[:-2]}",  # cut
        "not-a-token",
        "x" * 3000,
    ):
        await assert_forbidden(http, f"{BASE}/calendar/{bad}.ics")

    signer = LinkSigner(SECRET.encode())
    alice = {"g": fake.world.guild_id, "m": fake.world.user("alice"), "gen": 0}
    expired = signer.sign("calendar", alice, int(time.time()) - 1)
    await assert_forbidden(http, f"{BASE}/calendar/{expired}.ics")
    door = signer.sign("door", alice, int(time.time()) + 3600)  # made for another page
    await assert_forbidden(http, f"{BASE}/calendar/{door}.ics")
    good = signer.sign("calendar", alice, int(time.time()) + 3600)  # the same, but right
    assert (await fetch(http, f"{BASE}/calendar/{good}.ics"))[0] == 200
    assert token not in bot.output() and SECRET not in bot.output()


async def test_reset_revokes_the_earlier_links(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    _, old = await calendar_links(fake, "bob")
    assert (await fetch(http, old))[0] == 200
    result = await fake.slash("bob", "event calendar", options={"reset": True})
    assert result.ephemeral and "Your earlier calendar links no longer work." in result.content
    (new,) = re.findall(r"<(http://\S+\.ics)>", result.content)
    await assert_forbidden(http, old)
    assert (await fetch(http, new))[0] == 200
    _, alice = await calendar_links(fake, "alice")  # someone else's reset: not theirs
    assert (await fetch(http, alice))[0] == 200


async def test_a_member_who_left_gets_a_403(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    await fake.add_member("calleaver")
    ann = await create(fake, "Leavers Meetup")
    await fake.click("calleaver", ann, label="Going")
    _, url = await calendar_links(fake, "calleaver")
    assert "Leavers Meetup" in await feed(http, url)
    await fake.remove_member("calleaver")
    for _ in range(100):  # the departure reaches the bot's cache a moment later
        if (await fetch(http, url))[0] == 403:
            break
        await asyncio.sleep(0.1)
    await assert_forbidden(http, url)


async def test_the_google_calendar_button(bot: BotProcess, fake: FakeDiscord) -> None:
    title = "Gemini & Friends: A/B #1 — اسلام آباد"
    starts = local(timedelta(days=6))
    ann = await create(
        fake, title, starts=starts, venue="NUST H-12", online_url=LINK, description="Talks"
    )
    button = ann.button("Add to Google Calendar")
    assert button["style"] == 5 and "custom_id" not in button
    url = button["url"]
    assert len(url) <= 512 and LINK not in url
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("calendar.google.com", "/calendar/render")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["action"] == "TEMPLATE" and query["text"] == title
    begin = datetime.strptime(starts, "%Y-%m-%d %H:%M").replace(tzinfo=KARACHI)
    end = begin + timedelta(hours=3)
    stamps = [t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (begin, end)]
    assert query["dates"] == "/".join(stamps)
    assert query["location"] == "NUST H-12, Lahore · also online"
    assert query["details"].startswith("Talks")
    # the other buttons are as they were, and the ics reply offers the link too
    assert [b["label"] for b in ann.buttons] == [
        "Going",
        "Can't go",
        "Add to calendar",
        "Add to Google Calendar",
    ]
    ics = await fake.click("alice", ann, label="Add to calendar")
    assert ics.ephemeral and ics.files and "/event calendar" in ics.content
    assert ics.message is not None
    assert ics.message.button("Add to Google Calendar")["url"].startswith(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&dates="
    )
