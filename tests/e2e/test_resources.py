"""AI-learning resources end to end: add and refusals, suggest → review → DM, search and list
with paging buttons, done/progress/next, autoposts and a feed poll fired by their timers,
feeds served by a local aiohttp server (new entries posted once, failure → turned off),
the /settings additions, and nothing pinging or breaking Discord's limits."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from aiohttp import web

from bot.testing import (
    BotProcess,
    FakeDiscord,
    FakeMessage,
    InteractionResult,
    Overwrite,
    P,
    World,
)
from bot.testing.store import StoreHandle
from tests.e2e.conftest import assert_no_personal_data_in_public

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
KARACHI = ZoneInfo("Asia/Karachi")
REFUSAL = "Only organizers can do this"


# --- a feed server on 127.0.0.1 --------------------------------------------------------------
@dataclass
class Site:
    """One feed the local server serves; tests change it between checks."""

    title: str
    items: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    html: bool = False
    user_agents: list[str] = field(default_factory=list)
    conditional: int = 0  # requests answered 304

    def add(self, guid: str, title: str, link: str, summary: str = "", age: int = 0) -> None:
        """Put a new entry at the top (newest first, like real feeds)."""
        published = int(time.time()) - age
        self.items.insert(
            0, {"guid": guid, "title": title, "link": link, "summary": summary, "at": published}
        )

    def rss(self) -> bytes:
        entries = "".join(
            f"<item><title>{escape(i['title'])}</title><link>{escape(i['link'])}</link>"
            f'<guid isPermaLink="false">{i["guid"]}</guid>'
            f"<pubDate>{format_datetime(datetime.fromtimestamp(i['at'], UTC))}</pubDate>"
            f"<description>{escape(i['summary'])}</description></item>"
            for i in self.items
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.title)}</title><link>https://blog.example.org/</link>"
            f"<description>Test feed</description>{entries}</channel></rss>"
        ).encode()


class FeedServer:
    def __init__(self) -> None:
        self.sites: dict[str, Site] = {}
        self.base = ""

    def site(self, name: str, title: str) -> tuple[Site, str]:
        self.sites[name] = Site(title)
        return self.sites[name], f"{self.base}/feeds/{name}.xml"

    async def handle(self, request: web.Request) -> web.Response:
        site = self.sites.get(request.match_info["name"])
        if site is None:
            return web.Response(status=404, text="no such feed")
        site.user_agents.append(request.headers.get("User-Agent", ""))
        if site.status != 200:
            return web.Response(status=site.status, text="broken")
        if site.html:
            return web.Response(
                text="<!DOCTYPE html><html><body><h1>A blog</h1></body></html>",
                content_type="text/html",
            )
        body = site.rss()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            site.conditional += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    app = web.Application()
    app.router.add_get("/feeds/{name}.xml", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.base = f"http://{host}:{port}"
    yield server
    await runner.cleanup()


# --- this module's world and bot ----------------------------------------------------------------
@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    """The default world plus a Curator role and member, a member for the cooldown, a
    channel the Organizer role can't see, and an organizers-only channel for notices."""
    world = World.default()
    world.add_role("Curator", id=1105)
    for uid, name, roles in [(2007, "curie", ["Curator"]), (2008, "dave", [])]:
        world.add_user(name, id=uid, global_name=name.capitalize())
        world.add_member(name, roles=roles)
    organizers = world.role("Organizer")
    world.add_channel(
        "staff-only", id=1290, overwrites=[Overwrite(organizers, 0, deny=P.VIEW_CHANNEL)]
    )
    see_and_send = P.VIEW_CHANNEL | P.SEND_MESSAGES
    world.add_channel(
        "organizers",
        id=1291,
        overwrites=[
            Overwrite(world.guild_id, 0, deny=P.VIEW_CHANNEL),
            *(
                Overwrite(world.role(r), 0, allow=see_and_send)
                for r in ("Organizer", "Admin", "GDG Bot")
            ),
        ],
    )
    async with FakeDiscord(world) as fd:
        yield fd


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, store: StoreHandle) -> AsyncIterator[BotProcess]:
    """The real bot; its feeds come from 127.0.0.1, so private networks are allowed here
    (tests/e2e/test_resources_network.py runs a bot with the default, refusing them)."""
    env = {**store.env(), "LOG_LEVEL": "INFO", "FEEDS_ALLOW_PRIVATE_NETWORKS": "true"}
    proc = BotProcess(fake, store.path, extra_env=env)
    await proc.start()
    yield proc
    await proc.stop()
    assert_no_personal_data_in_public(fake, store)


# --- helpers ------------------------------------------------------------------------------------
def feed_id_of(result: InteractionResult) -> int:
    match = re.search(r"feed #(\d+)", result.text)
    assert match, result.text
    return int(match.group(1))


def select_id(message: FakeMessage, placeholder: str) -> str:
    for c in message.walk_components():
        if c.get("type") == 3 and c.get("placeholder") == placeholder:
            return str(c["custom_id"])
    raise AssertionError(f"no {placeholder!r} select in {message.components}")


def button(message: FakeMessage, label: str) -> dict[str, Any]:
    return message.button(label)


def footer(message: FakeMessage) -> str:
    return str(message.embeds[0]["footer"]["text"])


def next_minute_schedule() -> tuple[str, int]:
    """`daily HH:MM` for the coming minute in Asia/Karachi (at least 10 s away), and its epoch."""
    now = datetime.now(KARACHI)
    at = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (at - now).total_seconds() < 10:
        at += timedelta(minutes=1)
    return f"daily {at:%H:%M}", int(at.timestamp())


def make_feed_due(store: StoreHandle, feed_id: int) -> None:
    """As if the poll interval had passed (the database is the scheduler's ledger)."""
    store.execute("UPDATE resource_feeds SET next_poll_at = 0 WHERE id = ?", (feed_id,))


async def settled(store: StoreHandle, within: float = 15) -> list[str]:
    """store.dump() once the outbox has sent everything due (so nothing changes behind a
    test)."""
    due = "SELECT id, kind FROM outbox WHERE status = 'pending' AND due_at <= ?"
    deadline = time.monotonic() + within
    while rows := store.fetchall(due, (int(time.time()),)):
        assert time.monotonic() < deadline, f"outbox still owes {rows}"
        await asyncio.sleep(0.1)
    return store.dump()


async def add(fake: FakeDiscord, user: str, url: str, title: str, **extra: str) -> str:
    options = {"url": url, "title": title, "topic": "NLP", "level": "beginner", **extra}
    return (await fake.slash(user, "resource add", options=options)).content


# --- the library ------------------------------------------------------------------------------
async def test_add_names_duplicates_and_refuses_bad_links(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("alice", "settings show")  # the guild's defaults exist from here on
    added = await fake.slash(
        "admin",
        "resource add",
        options={
            "url": "https://Tutorials.Example.org/transformers?utm_source=x&page=2#intro",
            "title": "Transformers from scratch",
            "topic": "deep learning",
            "level": "Int",
            "description": "Attention, step by step.",
        },
    )
    assert added.ephemeral
    assert "Added **Transformers from scratch**" in added.content
    assert "Deep Learning · intermediate" in added.content
    card = added.embed
    assert card["url"].startswith("https://Tutorials.Example.org/transformers")
    rid = re.search(r"\(#(\d+)\)", added.content)
    assert rid

    before = store.dump()
    same = await add(
        fake, "admin", "https://tutorials.example.org/transformers?page=2&utm_medium=y", "Again"
    )
    assert f"already in the library as “Transformers from scratch” (#{rid.group(1)})" in same
    script = await add(fake, "admin", "javascript:alert(1)", "Evil")
    assert "javascript: links run code" in script
    no_host = await add(fake, "admin", "https:///path-only", "No host")
    assert "no host" in no_host
    topic = await add(fake, "admin", "https://example.org/x", "X", topic="Astrology")
    assert "“Astrology” is not a topic here" in topic and "Generative AI" in topic
    level = await add(fake, "admin", "https://example.org/x", "X", level="expert")
    assert "not a level" in level and "beginner, intermediate and advanced" in level
    assert store.dump() == before


async def test_topic_and_level_autocomplete(bot: BotProcess, fake: FakeDiscord) -> None:
    topics = await fake.autocomplete("admin", "resource add", "topic", "gen")
    assert [c["value"] for c in topics] == ["Generative AI"]
    levels = await fake.autocomplete("admin", "resource add", "level", "adv")
    assert [c["value"] for c in levels] == ["advanced"]
    everything = await fake.autocomplete("alice", "resource search", "topic", "")
    assert len(everything) == 10 and everything[0]["value"] == "Machine Learning"


async def test_suggest_review_approve_reject_and_dms(bot: BotProcess, fake: FakeDiscord) -> None:
    first = await fake.slash(
        "alice",
        "resource suggest",
        url="https://course.example.com/nlp-101",
        options={"title": "NLP 101", "note": "Clear and free"},
    )
    assert first.ephemeral and "**NLP 101** is in the review queue" in first.content
    again = await fake.slash("carol", "resource suggest", url="https://course.example.com/nlp-101")
    assert "already suggested" in again.content
    second = await fake.slash("bob", "resource suggest", url="https://spam.example.net/buy-now")
    assert "review queue" in second.content

    refused = await fake.slash("alice", "resource review")
    assert REFUSAL in refused.content

    review = await fake.slash("admin", "resource review")
    assert review.ephemeral
    assert review.embed["title"] == "NLP 101" and "<@2004>" in review.text
    assert "Clear and free" in review.text and "2 waiting" in footer(review.message)
    assert [b["label"] for b in review.message.buttons] == ["Approve", "Reject", "Skip"]

    skipped = await fake.click("admin", review, label="Skip")
    assert "Skipped" in skipped.content and "buy-now" in skipped.text
    rejected = await fake.click("admin", review, label="Reject")
    assert "Declined" in rejected.content and rejected.embed["title"] == "NLP 101"

    approving = await fake.click("admin", review, label="Approve")
    message = approving.message
    assert message is not None and "Pick a topic and a level" in message.content
    assert button(message, "Confirm").get("disabled")
    await fake.select("admin", message, select_id(message, "Topic"), ["NLP"])
    message = fake.message(message.id)
    await fake.select("admin", message, select_id(message, "Level"), ["beginner"])
    message = fake.message(message.id)
    assert not button(message, "Confirm").get("disabled")
    done = await fake.click("admin", message, label="Confirm")
    assert "✅ Approved **NLP 101**" in done.content and "NLP · beginner" in done.content
    assert "No more suggestions are waiting" in done.content and not done.components

    approved_dm = await fake.wait_for_dm("alice", lambda m: "was approved" in m.content, 10)
    assert "NLP 101" in approved_dm.content and "GDG Islamabad" in approved_dm.content
    rejected_dm = await fake.wait_for_dm("bob", lambda m: "decided not to add" in m.content, 10)
    assert "buy-now" in rejected_dm.content

    found = await fake.slash("carol", "resource search", query="nlp 10")
    assert "NLP 101" in found.text
    empty = await fake.slash("admin", "resource review")
    assert "No suggestions are waiting" in empty.content


async def test_import_search_paging_and_list(bot: BotProcess, fake: FakeDiscord) -> None:
    refused = await fake.slash("alice", "resource import-starter")
    assert REFUSAL in refused.content
    imported = await fake.slash("admin", "resource import-starter")
    count = re.search(r"Imported (\d+) of the (\d+)", imported.content)
    assert count and int(count.group(1)) == int(count.group(2)) >= 30
    again = await fake.slash("admin", "resource import-starter")
    assert "Imported 0 of" in again.content and "already here" in again.content

    search = await fake.slash("carol", "resource search", query="learn")
    assert search.ephemeral
    pages = re.search(r"Page 1 of (\d+)", footer(search.message))
    assert pages and int(pages.group(1)) >= 2
    assert search.embed["description"].startswith("**1.** [")
    prev, nxt = search.message.buttons
    assert prev["label"] == "Previous" and prev.get("disabled") and not nxt.get("disabled")
    turned = await fake.click("carol", search, label="Next")
    assert "Page 2 of" in footer(turned.message) and "**6.**" in turned.embed["description"]
    back = await fake.click("carol", search, label="Previous")
    assert "Page 1 of" in footer(back.message)
    with pytest.raises(AssertionError, match="ephemeral"):  # nobody else even sees it
        await fake.click("bob", search, label="Next")

    title_first = await fake.slash("carol", "resource search", query="crash course")
    assert "Machine Learning Crash Course" in title_first.embed["description"].split("\n")[0]

    filtered = await fake.slash(
        "carol", "resource search", query="learn", options={"topic": "generative ai"}
    )
    assert "Generative AI" in filtered.embed["description"]
    for topic in ("Deep Learning", "Data Science"):
        assert f"{topic} · " not in filtered.embed["description"]

    none = await fake.slash("carol", "resource search", query="zzqxv")
    assert "Nothing in the library matches “zzqxv”" in none.content
    assert "/resource list" in none.content

    listing = await fake.slash("carol", "resource list", options={"topic": "NLP"})
    assert listing.embed["title"] == "Library in NLP"
    assert "NLP 101" in listing.embed["description"]  # approved at review: newest first
    lines = [ln for ln in listing.embed["description"].split("\n") if "`#" in ln]
    assert lines and all(ln.startswith("NLP · ") for ln in lines)
    bad = await fake.slash("carol", "resource list", options={"topic": "Astrology"})
    assert "is not a topic here" in bad.content


async def test_done_progress_and_next(bot: BotProcess, fake: FakeDiscord) -> None:
    first = await fake.slash("carol", "resource next")
    assert first.ephemeral and "your level: beginner" in first.content
    rid = re.search(r"/resource done resource:(\d+)", first.content)
    assert rid, first.content
    choices = await fake.autocomplete("carol", "resource done", "resource", rid.group(1))
    assert choices[0]["value"] == rid.group(1)

    done = await fake.slash("carol", "resource done", resource=rid.group(1))
    assert done.ephemeral and "marked as done" in done.content
    twice = await fake.slash("carol", "resource done", resource=rid.group(1))
    assert "already marked as done" in twice.content
    by_title = await fake.slash("carol", "resource done", resource="machine learning crash course")
    assert "**Machine Learning Crash Course** is marked as done" in by_title.content

    progress = await fake.slash("carol", "resource progress")
    assert progress.ephemeral
    description = progress.embed["description"]
    assert re.search(r"`▰+▱+` \*\*Machine Learning\*\* — 1/\d+", description), description
    assert re.search(r"Overall: `▰▱+` 2/\d+ done", progress.text), progress.text

    topic = first.embed["fields"][0]["value"]
    nxt = await fake.slash("carol", "resource next")
    assert "/resource done resource:" in nxt.content
    assert rid.group(1) not in re.findall(r"resource:(\d+)", nxt.content)
    in_topic = await fake.slash("carol", "resource next", options={"topic": topic})
    assert in_topic.embed["fields"][0]["value"] == topic

    unknown = await fake.slash("carol", "resource done", resource="999999")
    assert "There is no resource #999999" in unknown.content
    assert not fake.ephemerals_to("alice") or all(
        "progress" not in m.text for m in fake.ephemerals_to("alice")
    )


async def test_remove_by_autocomplete(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await add(fake, "admin", "https://example.org/remove-me", "Remove Me Soon")
    choices = await fake.autocomplete("admin", "resource remove", "resource", "remove me")
    assert choices and choices[0]["name"].startswith("Remove Me Soon (#")
    before = store.dump()
    refused = await fake.slash("alice", "resource remove", resource=choices[0]["value"])
    assert REFUSAL in refused.content
    assert store.dump() == before
    removed = await fake.slash("admin", "resource remove", resource=choices[0]["value"])
    assert "Removed **Remove Me Soon**" in removed.content
    gone = await fake.slash("alice", "resource search", query="remove soon")
    assert "Nothing in the library matches" in gone.content, gone.text


async def test_a_members_add_goes_to_review_even_as_a_mentor(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    """Only organizers and curators add directly: joining as a mentor skips nothing."""
    mentoring = any(c["name"] == "mentor" for c in fake.commands())
    if mentoring:
        await fake.slash("bob", "mentor join", topics="NLP", capacity=2)
    try:
        before = await settled(store)
        bad = await add(fake, "bob", "https://example.org/mentor-pick", "Pick", topic="Astrology")
        assert "“Astrology” is not a topic here" in bad
        assert store.dump() == before
        added = await add(
            fake,
            "bob",
            "https://example.org/mentor-pick",
            "Mentor's pick",
            description="Short  and clear.",
        )
        assert "Only organizers and curators add to the library directly" in added
        assert "**Mentor's pick** is in the review queue (suggestion #" in added
        [row] = store.fetchall(
            "SELECT status, suggested_by, added_by, note FROM resources WHERE url = ?",
            ("https://example.org/mentor-pick",),
        )
        assert row == ("pending", 2005, None, "Suggested as NLP · beginner. Short and clear.")
        review = await fake.slash("admin", "resource review")
        assert review.embed["title"] == "Mentor's pick" and "NLP · beginner" in review.text
        assert "Declined" in (await fake.click("admin", review, label="Reject")).content
    finally:
        if mentoring:
            await fake.slash("bob", "mentor leave")


async def test_curators_add_directly_but_never_a_declined_link(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings organizer-role", options={"role": "Organizer"})
    before = await settled(store)
    for user, role, says in [
        ("organizer", "Curator", "Only members with the Manage Server permission"),
        ("alice", "Curator", "Only members with the Manage Server permission"),
        ("admin", 1000, "@everyone can't be the curator role"),
        ("admin", "GDG Bot", "@GDG Bot belongs to a bot or an integration"),
    ]:
        result = await fake.slash(user, "settings curator-role", options={"role": role})
        assert result.ephemeral and says in result.content, (user, role, result.content)
    assert store.dump() == before

    chosen = await fake.slash("admin", "settings curator-role", options={"role": "Curator"})
    assert "Members with <@&1105> now add resources to the library directly" in chosen.content
    shown = await fake.slash("alice", "settings show")
    assert "members with <@&1105> add resources without review" in shown.text
    added = await add(fake, "curie", "https://example.org/curated", "Curated pick")
    assert "Added **Curated pick**" in added, added

    await fake.slash("carol", "resource suggest", url="https://example.org/declined-once")
    review = await fake.slash("admin", "resource review")
    assert "declined-once" in review.text
    assert "Declined" in (await fake.click("admin", review, label="Reject")).content
    before = await settled(store)
    refused = await add(fake, "curie", "https://example.org/declined-once", "Declined once")
    assert "The organizers declined that link before" in refused
    assert "only an organizer can add it" in refused
    assert store.dump() == before
    readded = await add(fake, "organizer", "https://example.org/declined-once", "Declined once")
    assert "Added **Declined once**" in readded, readded

    cleared = await fake.slash("admin", "settings curator-role")
    assert "There is no curator role now" in cleared.content
    assert "no curator role" in (await fake.slash("alice", "settings show")).text
    queued = await add(fake, "curie", "https://example.org/curated-2", "Curated two")
    assert "is in the review queue" in queued
    review = await fake.slash("admin", "resource review")
    assert "Declined" in (await fake.click("admin", review, label="Reject")).content


# --- scheduled work ---------------------------------------------------------------------------
async def test_autopost_and_feed_poll_fire_on_their_own(
    bot: BotProcess, fake: FakeDiscord, feed_server: FeedServer, store: StoreHandle
) -> None:
    """A real tick of the autopost's cron job, and a feed poll by the feed's own timer, armed
    at its next_poll_at from resource_feeds when the bot starts."""
    schedule, due = next_minute_schedule()
    started = await fake.slash(
        "admin", "resource autopost", options={"channel": "islamabad-events", "schedule": schedule}
    )
    assert f"Next post: <t:{due}:F>" in started.content, started.content
    listed = await fake.slash("admin", "resource autopost-list")
    assert "<#1204>" in listed.text and f"<t:{due}:F>" in listed.text

    site, url = feed_server.site("scheduled", "Scheduled Blog")
    site.add("s-1", "Old news", "https://blog.example.org/old")
    added = await fake.slash(
        "admin", "resource feed-add", options={"url": url, "channel": "mentorship"}
    )
    await added.wait_final()
    assert "Following **Scheduled Blog**" in added.text
    site.add("s-2", "Fresh from the scheduler", "https://blog.example.org/fresh", "Polled.")
    make_feed_due(store, feed_id_of(added))
    await bot.restart()  # the timers are rebuilt from the tables: the feed is due at once

    post, entry = await asyncio.gather(
        fake.wait_for_message("islamabad-events", lambda m: bool(m.embeds), timeout=80),
        fake.wait_for_message(
            "mentorship", lambda m: "Fresh from the scheduler" in m.text, timeout=80
        ),
    )
    assert post.embeds[0]["url"].startswith("http") and "Resource #" in footer(post)
    assert f"<t:{due}:F>" in post.text
    assert entry.embeds[0]["url"] == "https://blog.example.org/fresh"
    assert "Old news" not in "".join(m.text for m in fake.messages_in("mentorship"))

    await bot.restart()  # the tick served is recorded: a restart does not post it again
    await asyncio.sleep(1)
    assert len([m for m in fake.messages_in("islamabad-events") if m.embeds]) == 1
    stopped = await fake.slash(
        "admin", "resource autopost-stop", options={"channel": "islamabad-events"}
    )
    assert "Stopped the autopost in <#1204>" in stopped.content
    assert "No autopost schedules" in (await fake.slash("admin", "resource autopost-list")).content
    await fake.slash("admin", "resource feed-remove", feed=str(feed_id_of(added)))


async def test_bad_schedules_are_refused_without_change(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    before = store.dump()
    for schedule, says in [
        ("every morning", "daily 10:00"),
        ("daily 25:00", "24-hour time"),
        ("*/30 * * * *", "at most once an hour"),
        ("weekly funday 10:00", "not a day of the week"),
    ]:
        result = await fake.slash(
            "admin", "resource autopost", options={"channel": "general", "schedule": schedule}
        )
        assert result.ephemeral and says in result.content, (schedule, result.content)
    member = await fake.slash(
        "alice", "resource autopost", options={"channel": "general", "schedule": "daily 9:00"}
    )
    assert REFUSAL in member.content
    missing = await fake.slash("admin", "resource autopost-stop", options={"channel": "general"})
    assert "no autopost schedule in <#1201>" in missing.content
    assert store.dump() == before


async def test_timezone_change_moves_autopost_times(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.slash(
        "admin", "resource autopost", options={"channel": "general", "schedule": "daily 10:00"}
    )
    try:
        karachi = (await fake.slash("admin", "resource autopost-list")).text
        await fake.slash("admin", "settings timezone", name="UTC")
        utc = (await fake.slash("admin", "resource autopost-list")).text
        assert "(UTC)" in utc and "(Asia/Karachi)" in karachi
        times = [re.search(r"next post <t:(\d+):F>", t) for t in (karachi, utc)]
        assert times[0] and times[1]
        assert (int(times[1].group(1)) - int(times[0].group(1))) % 86400 == 5 * 3600
    finally:
        await fake.slash("admin", "settings timezone", name="Asia/Karachi")
        await fake.slash("admin", "resource autopost-stop", options={"channel": "general"})


# --- feeds ------------------------------------------------------------------------------------
async def test_feed_posts_new_entries_once(
    bot: BotProcess, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    site, url = feed_server.site("blog", "Example AI Blog")
    site.add("b-1", "Already there", "https://blog.example.org/1", age=3600)
    site.add("b-2", "Also there", "https://blog.example.org/2", age=60)
    added = await fake.slash(
        "admin",
        "resource feed-add",
        options={"url": url, "channel": "general", "topic": "generative ai"},
    )
    assert added.deferred
    await added.wait_final()
    assert "Following **Example AI Blog**" in added.text and "<#1201>" in added.text
    assert site.user_agents and "GDGCommunityBot" in site.user_agents[0]
    fid = feed_id_of(added)
    await asyncio.sleep(0.5)
    assert not [m for m in fake.messages_in("general") if "blog.example.org" in str(m.embeds)]

    site.add(
        "b-3",
        "@everyone Gemini 2 is out",
        "https://blog.example.org/3",
        "<p>A <b>long</b> summary</p> " + "word " * 200,
    )
    # an entry whose link is in the library (tracking parameters aside) takes its topic and level
    site.add(
        "b-4",
        "Crash course, again",
        "https://developers.google.com/machine-learning/crash-course?utm_source=rss",
    )
    choices = await fake.autocomplete("admin", "resource feed-check", "feed", "example ai")
    assert choices[0]["value"] == str(fid) and "#general" in choices[0]["name"]
    # titles only (an address may carry a secret), and organizers only
    assert all("://" not in c["name"] for c in choices)
    assert await fake.autocomplete("admin", "resource feed-check", "feed", "feeds/blog") == []
    for command in ("feed-check", "feed-remove"):
        assert await fake.autocomplete("alice", f"resource {command}", "feed", "") == []
        assert await fake.autocomplete("alice", f"resource {command}", "feed", "example") == []
    checked = await fake.slash("admin", "resource feed-check", feed=str(fid))
    await checked.wait_final()
    assert "2 new entries posted in <#1201>" in checked.text, checked.text

    gemini = await fake.wait_for_message("general", lambda m: "Gemini 2" in m.text, timeout=10)
    crash = await fake.wait_for_message("general", lambda m: "Crash course" in m.text, timeout=10)
    embed = gemini.embeds[0]
    assert embed["url"] == "https://blog.example.org/3"
    assert embed["description"].startswith("A long summary") and len(embed["description"]) <= 300
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Topic"] == "Generative AI" and re.fullmatch(
        r"<t:\d+:F> \(<t:\d+:R>\)", fields["Published"]
    )
    assert not gemini.pings["everyone"] and not gemini.pings["roles"]
    crash_fields = {f["name"]: f["value"] for f in crash.embeds[0]["fields"]}
    assert crash_fields["Topic"] == "Machine Learning" and crash_fields["Level"] == "Beginner"
    assert "in the library as #" in footer(crash)

    again = await fake.slash("admin", "resource feed-check", feed=str(fid))
    await again.wait_final()
    assert "unchanged since the last check" in again.text and site.conditional == 1
    site.add("b-5", "One more", "https://blog.example.org/5")
    third = await fake.slash("admin", "resource feed-check", feed="Example AI Blog")
    await third.wait_final()
    assert "1 new entry posted" in third.text
    await fake.wait_for_message("general", lambda m: "One more" in m.text, timeout=10)
    posted = [m.embeds[0]["title"] for m in fake.messages_in("general") if m.embeds]
    posted = [t for t in posted if t.startswith(("@everyone Gemini", "Crash", "One", "Al"))]
    # each new entry once; what the first fetch found never
    assert sorted(posted) == ["@everyone Gemini 2 is out", "Crash course, again", "One more"]

    health = await fake.slash("admin", "resource feed-list")
    assert f"`#{fid}` **Example AI Blog** → <#1201>" in health.text and "✅ ok" in health.text
    removed = await fake.slash("admin", "resource feed-remove", feed=str(fid))
    assert "Stopped following **Example AI Blog**" in removed.content


async def test_bad_feeds_are_refused_without_change(
    bot: BotProcess, fake: FakeDiscord, feed_server: FeedServer, store: StoreHandle
) -> None:
    html, html_url = feed_server.site("homepage", "Homepage")
    html.html = True
    _, empty_url = feed_server.site("empty", "Empty")
    ok, ok_url = feed_server.site("dup", "Dup Feed")
    ok.add("d-1", "One", "https://blog.example.org/d1")
    first = await fake.slash(
        "admin", "resource feed-add", options={"url": ok_url, "channel": "general"}
    )
    await first.wait_final()
    fid = feed_id_of(first)

    before = store.dump()
    for url, says in [
        (html_url, "answers HTML, not a feed"),
        (f"{feed_server.base}/feeds/nowhere.xml", "answered HTTP 404"),
        (empty_url, "has no entries"),
        ("javascript:alert(1)", "javascript: links run code"),
        ("http://127.0.0.1:1/feed.xml?key=SECRET", "could not be reached"),
        ("http://user:pw@127.0.0.1:1/feed.xml", "can't carry a user name or password"),
        (ok_url, f"already posts in <#1201> (feed #{fid})"),
    ]:
        result = await fake.slash(
            "admin", "resource feed-add", options={"url": url, "channel": "general"}
        )
        await result.wait_final()
        assert result.ephemeral and says in result.text, (url, result.text)
        # the kind of failure, never the raw exception, an address or a query string
        assert "127.0.0.1" not in result.text and "SECRET" not in result.text, result.text
        assert "Cannot connect" not in result.text and "pw" not in result.text, result.text
    member = await fake.slash(
        "alice", "resource feed-add", options={"url": ok_url, "channel": "general"}
    )
    assert REFUSAL in member.content
    for command in ("feed-list", "autopost-list"):
        assert REFUSAL in (await fake.slash("alice", f"resource {command}")).content
    assert store.dump() == before
    await fake.slash("admin", "resource feed-remove", feed=str(fid))


async def test_failing_feed_is_turned_off_and_organizers_told(
    bot: BotProcess, fake: FakeDiscord, feed_server: FeedServer, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings announcements", options={"channel": "announcements"})
    site, url = feed_server.site("flaky", "Flaky Feed")
    site.add("f-1", "Fine", "https://blog.example.org/f1")
    added = await fake.slash(
        "admin", "resource feed-add", options={"url": url, "channel": "general"}
    )
    await added.wait_final()
    fid = feed_id_of(added)

    site.status = 500
    for n in range(1, 10):
        checked = await fake.slash("admin", "resource feed-check", feed=str(fid))
        await checked.wait_final()
        assert "answered HTTP 500" in checked.text and f"{n} failed check(s)" in checked.text
    failing = await fake.slash("admin", "resource feed-list")
    assert "⚠️ failing since <t:" in failing.text and "9 in a row" in failing.text

    last = await fake.slash("admin", "resource feed-check", feed=str(fid))
    await last.wait_final()
    assert "now turned off" in last.text
    # The notice is the organizers' (written with the cause): it waits for their channel,
    # or is owed to it; never to the announcements channel or the feed's public channel.
    waiting = store.fetchall("SELECT text FROM organizer_notices")
    owed = store.fetchall(
        "SELECT channel_id, payload FROM outbox WHERE kind = 'organizer.notice'"
        " AND payload LIKE '%Flaky Feed%'",
    )
    [text] = [t for (t,) in waiting if "Flaky Feed" in t] + [p for _, p in owed]
    assert "turned off after 10 failed checks" in text and "HTTP 500" in text
    assert "<#1201>" in text
    assert not store.fetchall("SELECT 1 FROM outbox WHERE kind = 'resource.feed_disabled'")
    if any(
        o["name"] == "organizer-channel"
        for c in fake.commands()
        if c["name"] == "settings"
        for o in c.get("options", [])
    ):
        chosen = await fake.slash(
            "admin", "settings organizer-channel", options={"channel": "organizers"}
        )
        assert "<#1291>" in chosen.content, chosen.content
        notice = await fake.wait_for_message("organizers", lambda m: "Flaky Feed" in m.text, 10)
        assert "10 failed checks" in notice.content and not notice.pings["everyone"]
    for public in ("announcements", "general"):
        assert not [m for m in fake.messages_in(public) if "Flaky Feed" in m.text]
    off = await fake.slash("admin", "resource feed-list")
    assert "⛔ disabled after 10 failed checks" in off.text
    skipped = await fake.slash("admin", "resource feed-check", feed=str(fid))
    await skipped.wait_final()
    assert "is turned off" in skipped.text

    site.status = 200
    back = await fake.slash(
        "admin", "resource feed-add", options={"url": url, "channel": "general"}
    )
    await back.wait_final()
    assert f"feed #{fid}" in back.text
    assert "✅ ok" in (await fake.slash("admin", "resource feed-list")).text
    await fake.slash("admin", "resource feed-remove", feed=str(fid))


# --- settings, help, mentions, limits ------------------------------------------------------------
async def test_topic_add_and_feed_interval_settings(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    before = store.dump()
    for command, options in [
        ("settings topic-add", {"name": "Robotics"}),
        ("settings feed-interval", {"minutes": 15}),
    ]:
        assert REFUSAL in (await fake.slash("alice", command, options=options)).content
    assert store.dump() == before

    added = await fake.slash("admin", "settings topic-add", name="Reinforcement  Learning")
    assert "Added the topic **Reinforcement Learning**" in added.content
    twice = await fake.slash("admin", "settings topic-add", name="reinforcement learning")
    assert "already a topic" in twice.content
    choices = await fake.autocomplete("alice", "resource list", "topic", "reinf")
    assert [c["value"] for c in choices] == ["Reinforcement Learning"]

    fast = await fake.slash("admin", "settings feed-interval", minutes=5)
    assert "at most every 10 minutes" in fast.content
    ok = await fake.slash("admin", "settings feed-interval", minutes=15)
    assert "every 15 minutes" in ok.content
    shown = (await fake.slash("alice", "settings show")).text
    assert "Resources" in shown and "15 minutes" in shown and "Reinforcement Learning" in shown
    await fake.slash("admin", "settings feed-interval", minutes=30)


async def test_help_lists_resource_commands(bot: BotProcess, fake: FakeDiscord) -> None:
    # Each page's text as it is shown: Next edits the one message in place.
    result = await fake.slash("alice", "help")
    pages = [result.text]
    while (nxt := result.message) is not None and any(
        b["label"] == "Next" and not b.get("disabled") for b in nxt.buttons
    ):
        result = await fake.click("alice", nxt, label="Next")
        pages.append(result.text)
    text = "\n".join(pages)
    for command in ("add", "suggest", "review", "search", "next", "autopost", "feed-add"):
        assert f"/resource {command}" in text
    assert "/settings topic-add" in text and "**Resources**" in text


async def test_member_text_never_pings(bot: BotProcess, fake: FakeDiscord) -> None:
    title = "@everyone read <@&1102> this <@2005>"
    added = await fake.slash(
        "admin",
        "resource add",
        options={
            "url": "https://example.org/pings",
            "title": title,
            "topic": "NLP",
            "level": "advanced",
        },
    )
    assert "Added" in added.content
    assert not any(added.message.pings[k] for k in ("everyone", "roles", "users"))
    listed = await fake.slash("bob", "resource search", query="read this")
    assert "@everyone" in listed.text and not listed.message.pings["everyone"]


async def test_a_channel_the_organizer_cannot_post_in_is_refused(
    bot: BotProcess, fake: FakeDiscord, feed_server: FeedServer, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings organizer-role", options={"role": "Organizer"})
    site, url = feed_server.site("staff", "Staff Feed")
    site.add("st-1", "Inside", "https://blog.example.org/inside")
    before = await settled(store)
    for command, options in [
        ("resource autopost", {"channel": "staff-only", "schedule": "daily 10:00"}),
        ("resource feed-add", {"url": url, "channel": "staff-only"}),
    ]:
        result = await fake.slash("organizer", command, options=options)
        assert result.ephemeral, command
        assert "You can't post in <#1290> yourself, so I won't post there" in result.content
    assert store.dump() == before and site.user_agents == []  # not even fetched
    # the same organizer, in a channel they can post in
    ok = await fake.slash(
        "organizer",
        "resource autopost",
        options={"channel": "lahore-events", "schedule": "daily 9:00"},
    )
    assert "<#1203> gets one resource" in ok.content, ok.content
    await fake.slash("organizer", "resource autopost-stop", options={"channel": "lahore-events"})


async def test_suggestions_have_a_cooldown_but_not_for_organizers_or_curators(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    for n in range(4):
        ok = await fake.slash("dave", "resource suggest", url=f"https://example.org/dave-{n}")
        assert "is in the review queue" in ok.content, ok.content
    fifth = await add(fake, "dave", "https://example.org/dave-4", "Dave's fifth")
    assert "is in the review queue" in fifth  # an add that becomes a suggestion counts
    before = await settled(store)
    suggested = await fake.slash("dave", "resource suggest", url="https://example.org/dave-5")
    added = await add(fake, "dave", "https://example.org/dave-6", "Dave's sixth")
    for refused in (suggested.content, added):
        assert refused.startswith("Slow down a little: you can suggest resources again in ")
        assert refused.endswith("minutes."), refused
    assert store.dump() == before

    await fake.slash("admin", "settings curator-role", options={"role": "Curator"})
    for user in ("admin", "curie"):
        for n in range(6):
            ok = await fake.slash(user, "resource suggest", url=f"https://example.org/{user}-{n}")
            assert "is in the review queue" in ok.content, (user, n, ok.content)
    await fake.slash("admin", "settings curator-role")


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
    assert "Traceback" not in bot.output()
