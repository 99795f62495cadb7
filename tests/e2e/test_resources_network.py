"""Feeds and the network, end to end, with the bot's default settings
(FEEDS_ALLOW_PRIVATE_NETWORKS unset): /resource feed-add refuses a feed on the
bot's own machine, the cloud metadata address, an intranet host name and an address
carrying credentials, with one sentence that names the kind of problem (never an
address or a query string), without fetching it and without changing the database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Local Blog</title>'
    b"<item><guid>1</guid><title>Hi</title><link>https://blog.example.org/1</link></item>"
    b"</channel></rss>"
)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def local_feed() -> AsyncIterator[tuple[str, list[str]]]:
    """A feed on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        hits.append(request.path_qs)
        return web.Response(body=RSS, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed.xml", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}", hits
    await runner.cleanup()


async def test_feeds_on_private_networks_are_refused_without_change(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, local_feed: tuple[str, list[str]]
) -> None:
    base, hits = local_feed
    port = base.rsplit(":", 1)[1]
    await fake.slash("alice", "settings show")  # the guild's defaults exist before the dump
    before = store.dump()
    private = "points to a private or local network address, and I only read public feeds"
    for url, says in [
        (f"{base}/feed.xml?token=SECRET", private),
        (f"http://localhost:{port}/feed.xml", private),
        (f"http://[::1]:{port}/feed.xml", private),
        (f"http://0x7f000001:{port}/feed.xml", private),
        ("http://169.254.169.254/latest/meta-data/", private),
        ("http://10.0.0.1/feed.xml", private),
        (f"http://2130706433:{port}/feed.xml", "is not a valid address"),
        (f"http://reader:hunter2@127.0.0.1:{port}/feed.xml", "can't carry a user name"),
    ]:
        result = await fake.slash(
            "admin", "resource feed-add", options={"url": url, "channel": "general"}
        )
        await result.wait_final()
        assert result.ephemeral and says in result.text, (url, result.text)
        for leak in ("SECRET", "127.0.0.1", "169.254", "10.0.0.1", port, "hunter2"):
            assert leak not in result.text, (url, leak, result.text)
    assert hits == []  # never fetched
    assert store.dump() == before


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
    assert "Traceback" not in bot.output()
