"""Feeds against a local aiohttp server on 127.0.0.1 (never the internet): parsing real-world
shaped RSS 2.0 and Atom 1.0, every way a fetch can fail, first-fetch silence, posting new
entries once, backoff and disabling."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import organizer_notices
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotFound
from bot.guilds import GuildSettings
from bot.resources import feeds as feeds_mod
from bot.resources.feeds import (
    FeedService,
    backoff_seconds,
    feed_session,
    fetch_feed,
    parse_feed,
)
from bot.resources.service import ResourceService

DATA = Path(__file__).resolve().parent.parent / "data" / "feeds"
G = 900
CH = 9001
ANNOUNCE = 9999
ORG_CHANNEL = 9998
ORG = 12
T0 = int(datetime(2026, 7, 1, tzinfo=UTC).timestamp())


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Site:
    """What the local server serves; tests change it between polls."""

    items: list[tuple[str, str, int]] = field(default_factory=list)  # (guid, title, epoch)
    fail_status: int | None = None
    requests: list[dict[str, str]] = field(default_factory=list)

    def rss(self) -> bytes:
        parts = [
            f"<item><title>{title}</title><link>https://news.example.org/{guid}</link>"
            f"<guid>{guid}</guid><pubDate>{format_datetime(datetime.fromtimestamp(ts, UTC))}"
            f"</pubDate><description>About {title}</description></item>"
            for guid, title, ts in self.items
        ]
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Dynamic news</title>'
            "<link>https://news.example.org/</link>" + "".join(parts) + "</channel></rss>"
        ).encode()


RSS_ETAG = '"rss-v1"'
RSS_MODIFIED = "Tue, 30 Jun 2026 16:05:12 GMT"


def build_app(site: Site) -> web.Application:
    async def record(request: web.Request) -> None:
        site.requests.append({k: v for k, v in request.headers.items()} | {"path": request.path})

    async def rss(request: web.Request) -> web.StreamResponse:
        await record(request)
        if request.headers.get("If-None-Match") == RSS_ETAG:
            return web.Response(status=304, headers={"ETag": RSS_ETAG})
        return web.Response(
            body=(DATA / "rss20_blog.xml").read_bytes(),
            content_type="application/rss+xml",
            headers={"ETag": RSS_ETAG, "Last-Modified": RSS_MODIFIED},
        )

    async def atom(request: web.Request) -> web.StreamResponse:
        await record(request)
        return web.Response(
            body=(DATA / "atom10_releases.xml").read_bytes(), content_type="application/atom+xml"
        )

    def static(name: str, content_type: str):
        async def handler(request: web.Request) -> web.StreamResponse:
            await record(request)
            return web.Response(body=(DATA / name).read_bytes(), content_type=content_type)

        return handler

    async def missing(request: web.Request) -> web.StreamResponse:
        await record(request)
        return web.Response(status=404, text="no such page")

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(5)
        return web.Response(text="late")

    async def big(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"<rss>" + b" " * (6 * 1024 * 1024), content_type="text/xml")

    async def big_chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        chunk = b"<!-- padding -->" * 4096
        try:
            for _ in range(200):  # 12.8 MB if nobody stops reading
                await resp.write(chunk)
        except (ConnectionResetError, aiohttp.ClientConnectionResetError):
            pass
        return resp

    async def dynamic(request: web.Request) -> web.StreamResponse:
        await record(request)
        if site.fail_status:
            return web.Response(status=site.fail_status, text="down")
        return web.Response(body=site.rss(), content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/rss", rss)
    app.router.add_get("/atom", atom)
    app.router.add_get("/html", static("not_a_feed.html", "text/html"))
    app.router.add_get("/html-as-xml", static("not_a_feed.html", "application/xml"))
    app.router.add_get("/malformed", static("malformed.xml", "application/xml"))
    app.router.add_get("/empty", static("no_entries.xml", "application/rss+xml"))
    app.router.add_get("/missing", missing)
    app.router.add_get("/slow", slow)
    app.router.add_get("/big", big)
    app.router.add_get("/big-chunked", big_chunked)
    app.router.add_get("/dynamic", dynamic)
    return app


@pytest.fixture
async def site() -> Site:
    return Site()


@pytest.fixture
async def server(site: Site) -> AsyncIterator[TestServer]:
    srv = TestServer(build_app(site), host="127.0.0.1", port=0)
    await srv.start_server()
    try:
        yield srv
    finally:
        await srv.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    # The bot's own feed session; these local servers need FEEDS_ALLOW_PRIVATE_NETWORKS.
    async with feed_session(allow_private_networks=True) as s:
        yield s


@pytest.fixture
def rclock() -> Clock:
    return Clock()


@pytest.fixture
def fs(db: Database, rclock: Clock) -> FeedService:
    return FeedService(db, clock=rclock)


def url(server: TestServer, path: str) -> str:
    return str(server.make_url(path))


async def posted(db: Database, kind: str = "resource.feed_entry") -> list[dict]:
    rows = await db.fetchall(
        "SELECT channel_id, user_id, payload, dedupe_key FROM outbox WHERE kind = ? ORDER BY id",
        (kind,),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


# --- parsing the stored samples -----------------------------------------------------------
def test_parse_rss20_sample() -> None:
    title, entries = parse_feed((DATA / "rss20_blog.xml").read_bytes(), "application/rss+xml")
    assert title == "Developers Blog – AI & Machine Learning"
    assert [e.key for e in entries] == [
        "https://blog.example.dev/?p=10452",
        "https://blog.example.dev/?p=10431",
        "https://blog.example.dev/2026/06/cv-study-group/",  # no guid: the canonical link
    ]
    first = entries[0]
    assert first.title == "Fine-tuning Gemma for your domain: a step-by-step guide"
    assert first.link is not None and first.link.startswith("https://blog.example.dev/2026/06/")
    assert first.summary.startswith("Learn how to adapt an open model to your own data with LoRA,")
    assert "<" not in first.summary and "alert" not in first.summary
    assert first.published == int(datetime(2026, 6, 30, 16, 0, tzinfo=UTC).timestamp())
    long = entries[1]
    assert len(long.summary) == 300 and long.summary.endswith("…")
    assert long.title == "What’s new in the Machine Learning Crash Course"
    # pubDate with a +0500 offset.
    assert entries[2].published == int(datetime(2026, 6, 27, 7, 0, tzinfo=UTC).timestamp())


def test_parse_atom10_sample() -> None:
    title, entries = parse_feed((DATA / "atom10_releases.xml").read_bytes(), "application/atom+xml")
    assert title == "Release notes from ml-toolkit"
    assert [e.title for e in entries] == ["v2.4.0", "v2.3.1 (bug fixes)", "v2.3.0"]
    assert entries[0].key == "tag:code.example.org,2008:Repository/123456/v2.4.0"
    assert entries[0].link == "https://code.example.org/example/ml-toolkit/releases/tag/v2.4.0"
    assert "Faster tokenizers & lower memory use" in entries[0].summary
    assert entries[1].summary == "Fixes a crash when loading checkpoints saved on Windows."
    # published wins over updated when both are there.
    assert entries[2].published == int(datetime(2026, 5, 20, 9, 45, tzinfo=UTC).timestamp())


def test_a_stray_ampersand_does_not_reject_a_feed() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Q&A night</title><link>https://example.org/qa</link></item>"
        b"</channel></rss>"
    )
    _, entries = parse_feed(body, "application/rss+xml")
    assert [e.key for e in entries] == ["https://example.org/qa"]


# --- fetching: every outcome -----------------------------------------------------------
async def test_fetch_ok_then_304_with_etag(
    server: TestServer, session: aiohttp.ClientSession, site: Site
) -> None:
    first = await fetch_feed(session, url(server, "/rss"))
    assert first.outcome == "ok" and first.http_status == 200 and len(first.entries) == 3
    assert first.etag == RSS_ETAG and first.last_modified == RSS_MODIFIED
    sent = site.requests[-1]
    assert "GDGCommunityBot" in sent["User-Agent"]
    assert "If-None-Match" not in sent
    second = await fetch_feed(
        session, url(server, "/rss"), etag=first.etag, last_modified=first.last_modified
    )
    assert second.outcome == "unchanged" and second.http_status == 304 and not second.entries
    assert site.requests[-1]["If-None-Match"] == RSS_ETAG
    assert site.requests[-1]["If-Modified-Since"] == RSS_MODIFIED


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/missing", "answered HTTP 404 (Not Found)"),
        ("/html", "answers HTML, not a feed"),
        ("/html-as-xml", "answers HTML, not a feed"),
        ("/malformed", "is not a readable RSS or Atom feed (bad XML"),
        ("/empty", "has no entries"),
        ("/big", "is larger than 5 MB"),
        ("/big-chunked", "is larger than 5 MB"),
    ],
)
async def test_fetch_failures_say_why(
    server: TestServer, session: aiohttp.ClientSession, path: str, says: str
) -> None:
    result = await fetch_feed(session, url(server, path))
    assert result.outcome == "failed" and result.error is not None
    assert result.error.startswith(says), result.error


async def test_fetch_timeout(server: TestServer, session: aiohttp.ClientSession) -> None:
    result = await fetch_feed(session, url(server, "/slow"), timeout_seconds=0.3)
    assert result.outcome == "failed" and result.error == "did not answer within 0.3 seconds"


async def test_fetch_unreachable(session: aiohttp.ClientSession) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await fetch_feed(session, f"http://127.0.0.1:{port}/feed")
    assert result.outcome == "failed" and result.error is not None
    assert result.error.startswith("could not be reached")


# --- adding a feed ----------------------------------------------------------------------
async def test_add_feed_records_without_posting(
    fs: FeedService, server: TestServer, session: aiohttp.ClientSession, db: Database
) -> None:
    feed = await fs.subscriptions.add(
        G, url(server, "/rss"), CH, session, topic="nlp", created_by=ORG
    )
    assert feed.status == "ok" and feed.title == "Developers Blog – AI & Machine Learning"
    assert feed.topic == "NLP" and feed.next_poll_at == T0 + 30 * 60
    assert await db.fetchval("SELECT COUNT(*) FROM resource_feed_entries") == 3
    assert await posted(db) == []
    [listed] = await fs.subscriptions.in_guild(G)
    assert listed.id == feed.id and listed.failures == 0 and listed.failing_since is None
    with pytest.raises(AlreadyExists, match=f"feed #{feed.id}"):
        await fs.subscriptions.add(G, url(server, "/rss") + "?utm_source=x", CH, session)
    # The same feed may post in another channel too.
    await fs.subscriptions.add(G, url(server, "/rss"), CH + 1, session)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/html", "it answers HTML, not a feed"),
        ("/missing", "it answered HTTP 404"),
        ("/malformed", "not a readable RSS or Atom feed"),
        ("/empty", "has no entries"),
    ],
)
async def test_add_feed_refuses_with_the_reason(
    fs: FeedService,
    server: TestServer,
    session: aiohttp.ClientSession,
    db: Database,
    path: str,
    says: str,
) -> None:
    with pytest.raises(InvalidInput, match=says) as info:
        await fs.subscriptions.add(G, url(server, path), CH, session)
    assert "RSS or Atom" in str(info.value)
    assert await fs.subscriptions.in_guild(G) == []


async def test_add_feed_refuses_bad_links(fs: FeedService, session: aiohttp.ClientSession) -> None:
    with pytest.raises(InvalidInput, match="javascript:"):
        await fs.subscriptions.add(G, "javascript:alert(1)", CH, session)
    with pytest.raises(InvalidInput, match="file:"):
        await fs.subscriptions.add(G, "file:///etc/hosts", CH, session)


# --- polling --------------------------------------------------------------------------
async def test_new_entries_are_posted_once(
    fs: FeedService,
    server: TestServer,
    session: aiohttp.ClientSession,
    db: Database,
    site: Site,
    rclock: Clock,
) -> None:
    site.items = [("a", "Alpha", T0 - 100)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session, topic="MLOps")
    site.items = [("b", "Beta", T0 + 50), *site.items]
    rclock.advance(1800)
    r = await fs.polling.poll(feed.id, session)
    assert (r.outcome, r.posted, r.recorded) == ("posted", 1, 0)
    assert r.next_poll_at == T0 + 3600
    again = await fs.polling.poll(feed.id, session)
    assert (again.outcome, again.posted) == ("posted", 0)
    [post] = await posted(db)
    assert post["channel_id"] == CH
    assert post["payload"] == {
        "feed_id": feed.id,
        "feed_title": "Dynamic news",
        "title": "Beta",
        "link": "https://news.example.org/b",
        "summary": "About Beta",
        "published": T0 + 50,
        "resource_id": None,
        "topic": "MLOps",
        "level": None,
    }
    assert post["dedupe_key"].startswith(f"feed:{feed.id}:")


async def test_at_most_five_per_poll_newest_first_oldest_posted_first(
    fs: FeedService, server: TestServer, session: aiohttp.ClientSession, db: Database, site: Site
) -> None:
    site.items = [("old", "Old", T0 - 1000)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    site.items = [(f"n{i}", f"New {i}", T0 + i) for i in range(8)] + site.items
    r = await fs.polling.poll(feed.id, session)
    assert (r.posted, r.recorded) == (5, 3)
    assert [p["payload"]["title"] for p in await posted(db)] == [f"New {i}" for i in range(3, 8)]
    r2 = await fs.polling.poll(feed.id, session)
    assert (r2.posted, r2.recorded) == (0, 0)  # the three over the cap are not posted later


async def test_library_entries_carry_topic_and_level(
    fs: FeedService,
    server: TestServer,
    session: aiohttp.ClientSession,
    db: Database,
    site: Site,
) -> None:
    lib = ResourceService(db)
    res = await lib.library.add(
        G, "https://news.example.org/lib?utm_source=feed", "Lib", "Computer Vision", "advanced", ORG
    )
    site.items = [("x", "X", T0 - 5)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    site.items = [("lib", "In the library", T0 + 1), *site.items]
    await fs.polling.poll(feed.id, session)
    [post] = await posted(db)
    assert post["payload"]["resource_id"] == res.id
    assert (post["payload"]["topic"], post["payload"]["level"]) == ("Computer Vision", "advanced")


async def test_304_counts_as_healthy(
    fs: FeedService, server: TestServer, session: aiohttp.ClientSession, site: Site
) -> None:
    feed = await fs.subscriptions.add(G, url(server, "/rss"), CH, session)
    r = await fs.polling.poll(feed.id, session)
    assert r.outcome == "unchanged"
    assert site.requests[-1]["If-None-Match"] == RSS_ETAG


async def test_backoff_doubles_then_disables_after_ten(
    fs: FeedService,
    server: TestServer,
    session: aiohttp.ClientSession,
    db: Database,
    site: Site,
    rclock: Clock,
    guilds: GuildSettings,
) -> None:
    await guilds.set_announcements_channel(G, ANNOUNCE)
    site.items = [("a", "A", T0)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    site.fail_status = 503
    first_failure = None
    delays = []
    for n in range(1, 11):
        rclock.advance(60)
        r = await fs.polling.poll(feed.id, session)
        state = await fs.subscriptions.get(G, feed.id)
        first_failure = first_failure or int(rclock())
        assert state.failures == n and state.failing_since == first_failure
        assert state.last_error == "answered HTTP 503 (Service Unavailable)"
        if n < 10:
            assert r.outcome == "failed" and state.status == "failing"
            delays.append(state.next_poll_at - int(rclock()))
        else:
            assert r.outcome == "disabled" and state.status == "disabled"
    assert delays == [1800, 3600, 7200, 14400, 21600, 21600, 21600, 21600, 21600]
    # The organizers are told in their own channel: not in the announcements channel,
    # not in the feed's public channel. Until that channel is set, the notice waits.
    assert await posted(db, "resource.feed_disabled") == []
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 0
    [waiting] = await db.fetchall("SELECT text FROM organizer_notices WHERE guild_id = ?", (G,))
    assert f"feed #{feed.id}, posting in <#{CH}>" in waiting["text"]
    assert "turned off after 10 failed checks" in waiting["text"]
    assert "answered HTTP 503 (Service Unavailable)" in waiting["text"]
    assert await organizer_notices.set_channel(db, G, ORG_CHANNEL) == 1
    [notice] = await posted(db, organizer_notices.KIND)
    assert notice["channel_id"] == ORG_CHANNEL and notice["user_id"] is None
    # Disabled feeds are not polled and not due.
    assert (await fs.polling.poll(feed.id, session)).outcome == "skipped"
    assert await fs.polling.due(rclock() + 10**6) == []
    # Adding it again (once it works) re-enables the same subscription.
    site.fail_status = None
    again = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    assert again.id == feed.id and again.status == "ok" and again.failures == 0


async def test_a_disabled_feed_is_told_in_the_organizer_channel_without_secrets(
    fs: FeedService,
    server: TestServer,
    session: aiohttp.ClientSession,
    db: Database,
    site: Site,
    rclock: Clock,
    guilds: GuildSettings,
) -> None:
    await guilds.ensure(G)
    await organizer_notices.set_channel(db, G, ORG_CHANNEL)
    site.items = [("a", "A", T0)]
    feed_url = url(server, "/dynamic") + "?token=SECRET"
    feed = await fs.subscriptions.add(G, feed_url, CH, session)
    site.fail_status = 500
    for _ in range(10):
        rclock.advance(60)
        await fs.polling.poll(feed.id, session)
    [notice] = await posted(db, organizer_notices.KIND)
    text = notice["payload"]["text"]
    assert notice["channel_id"] == ORG_CHANNEL
    assert "SECRET" not in text and "token" not in text
    assert f"<{url(server, '/dynamic')}>" in text
    assert [r["channel_id"] for r in await db.fetchall("SELECT channel_id FROM outbox")] == [
        ORG_CHANNEL
    ]


async def test_a_success_clears_the_failure_state(
    fs: FeedService, server: TestServer, session: aiohttp.ClientSession, site: Site
) -> None:
    site.items = [("a", "A", T0)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    site.fail_status = 500
    await fs.polling.poll(feed.id, session)
    await fs.polling.poll(feed.id, session)
    site.fail_status = None
    r = await fs.polling.poll(feed.id, session)
    state = await fs.subscriptions.get(G, feed.id)
    assert r.outcome == "posted" and state.status == "ok" and state.failures == 0
    assert state.failing_since is None and state.last_error is None


def test_backoff_schedule() -> None:
    assert [backoff_seconds(n, 30) // 60 for n in range(0, 7)] == [30, 30, 60, 120, 240, 360, 360]
    assert backoff_seconds(1, 10) == 600 and backoff_seconds(3, 10) == 2400


async def test_run_due_polls_only_what_is_due(
    fs: FeedService,
    server: TestServer,
    session: aiohttp.ClientSession,
    site: Site,
    rclock: Clock,
    db: Database,
) -> None:
    """What a feed's timer runs: a poll only when the feed is due, whenever it fires."""
    site.items = [("a", "A", T0)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    fetched = len(site.requests)
    early = await fs.polling.run_due(feed.id, session)
    assert await fs.polling.due() == [] and (early.outcome, early.posted) == ("not_due", 0)
    assert early.next_poll_at == T0 + 1800 and len(site.requests) == fetched  # not fetched
    assert await fs.polling.pending() == [(feed.id, T0 + 1800)]
    assert await fs.polling.pending(G + 1) == []
    rclock.advance(1800)
    site.items = [("b", "B", T0 + 10), *site.items]
    r = await fs.polling.run_due(feed.id, session)
    assert r.feed_id == feed.id and r.posted == 1 and r.next_poll_at == T0 + 3600
    assert await fs.polling.due() == []


async def test_feed_interval_setting(fs: FeedService) -> None:
    interval = fs.interval
    assert await interval.get(G) == 30
    assert await interval.set(G, 10) == 10
    assert await interval.get(G) == 10
    with pytest.raises(InvalidInput, match="10 minutes"):
        await interval.set(G, 9)


async def test_interval_setting_moves_healthy_feeds(
    fs: FeedService, server: TestServer, session: aiohttp.ClientSession, site: Site
) -> None:
    site.items = [("a", "A", T0)]
    feed = await fs.subscriptions.add(G, url(server, "/dynamic"), CH, session)
    await fs.interval.set(G, 120)
    assert (await fs.subscriptions.get(G, feed.id)).next_poll_at == T0 + 120 * 60


async def test_resolve_autocomplete_and_remove(
    fs: FeedService, server: TestServer, session: aiohttp.ClientSession, db: Database
) -> None:
    a = await fs.subscriptions.add(G, url(server, "/rss"), CH, session)
    b = await fs.subscriptions.add(G, url(server, "/atom"), CH, session)
    assert (await fs.subscriptions.resolve(G, f"#{a.id}")).id == a.id
    assert (await fs.subscriptions.resolve(G, url(server, "/atom"))).id == b.id
    assert [i for i, _ in await fs.subscriptions.autocomplete(G, "release")] == [b.id]
    assert {i for i, _ in await fs.subscriptions.autocomplete(G, "")} == {a.id, b.id}
    # Titles only: an address (which may carry a secret) is neither matched nor shown.
    assert await fs.subscriptions.autocomplete(G, "/atom") == []
    assert await fs.subscriptions.autocomplete(G, "127.0.0.1") == []
    assert all("://" not in label for _, label in await fs.subscriptions.autocomplete(G, ""))
    removed = await fs.subscriptions.remove(G, str(a.id))
    assert removed.id == a.id
    assert (
        await db.fetchval("SELECT COUNT(*) FROM resource_feed_entries WHERE feed_id = ?", (a.id,))
        == 0
    )
    with pytest.raises(NotFound):
        await fs.subscriptions.remove(G, a.id)
    with pytest.raises(NotFound):
        await fs.subscriptions.get(G + 1, b.id)


async def test_user_agent_names_the_bot() -> None:
    assert "GDGCommunityBot" in feeds_mod.USER_AGENT and "Discord bot" in feeds_mod.USER_AGENT
