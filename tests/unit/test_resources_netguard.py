"""Feed fetches stay on the public internet: the address classifier over a table, IP
literals and odd numeric hosts, names that resolve to private addresses (DNS rebinding
included), redirects from an allowed server to a forbidden one, credentials in URLs,
environment proxies, and error texts that name the kind of failure and nothing else.

Local servers stand in for both sides: one on 127.0.0.1 (forbidden, and it records
every hit, so "refused" also means "never reached"), one on 127.0.0.2 that the guard
is told to treat as public (Linux routes all of 127/8 to loopback)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from ipaddress import ip_network
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from bot.db import Database
from bot.errors import InvalidInput
from bot.resources.feeds import FeedService
from bot.resources.feeds.fetch import BLOCKED_TEXT, CREDENTIALS_TEXT, feed_session, fetch_feed
from bot.resources.feeds.netguard import (
    AddressPolicy,
    BlockedSocket,
    GuardedConnector,
    address_kind,
)

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Public Blog</title>'
    b"<item><guid>1</guid><title>Hello</title><link>https://blog.example.org/1</link></item>"
    b"</channel></rss>"
)
PUBLIC_TEST_NET = ip_network("127.0.0.2/32")


# --- the classifier -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("1.1.1.1", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),  # IPv4-mapped: judged by the IPv4 address
        ("64:ff9b::808:808", None),  # NAT64 of a public address (IPv6-only networks)
        ("2002:808:808::1", None),  # 6to4 of a public address
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),  # 6to4 carrying 127.0.0.1
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("::ffff:192.168.1.1", "private"),
        ("2002:c0a8:101::", "private"),  # 6to4 carrying 192.168.1.1
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private"),  # Teredo (2001::/32)
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("100.64.0.1", "shared"),  # carrier-grade NAT
        ("100.127.255.254", "shared"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),  # "this network"
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::7f00:1", "reserved"),  # IPv4-compatible (deprecated)
        ("192.0.2.10", "private"),  # documentation
        ("2001:db8::1", "private"),  # documentation
        ("198.18.0.1", "private"),  # benchmarking
        ("not an address", "reserved"),
    ],
)
def test_address_kind(address: str, kind: str | None) -> None:
    assert address_kind(address) == kind


def test_policy_allows_intranet_addresses_only_when_told() -> None:
    strict = AddressPolicy()
    intranet = AddressPolicy(allow_private_networks=True)
    for address in ("127.0.0.1", "::1", "10.1.2.3", "fd00::5", "100.64.1.1"):
        assert strict.refusal(address) is not None
        assert intranet.refusal(address) is None, address
    # Even an intranet setup never reaches the metadata service or odd addresses.
    for address in ("169.254.169.254", "fe80::1", "224.0.0.1", "0.0.0.0", "240.0.0.1"):
        assert intranet.refusal(address) is not None, address
    assert AddressPolicy(extra_public=[PUBLIC_TEST_NET]).refusal("127.0.0.2") is None
    assert AddressPolicy(extra_public=[PUBLIC_TEST_NET]).refusal("127.0.0.1") == "loopback"


# --- local servers ------------------------------------------------------------------------
class Hits:
    def __init__(self) -> None:
        self.paths: list[str] = []


def app(hits: Hits, redirect_to: list[str]) -> web.Application:
    async def rss(request: web.Request) -> web.Response:
        hits.paths.append(request.path_qs)
        return web.Response(body=RSS, content_type="application/rss+xml")

    async def hop(request: web.Request) -> web.Response:
        hits.paths.append(request.path_qs)
        raise web.HTTPFound(redirect_to[0])

    async def broken(request: web.Request) -> web.Response:
        hits.paths.append(request.path_qs)
        return web.Response(status=500, reason="Oops at 10.9.8.7 token=SECRET")

    a = web.Application()
    a.router.add_get("/rss", rss)
    a.router.add_get("/hop", hop)
    a.router.add_get("/broken", broken)
    return a


@pytest.fixture
async def private_hits() -> AsyncIterator[tuple[TestServer, Hits]]:
    """A feed server on 127.0.0.1: the guard must never let a fetch reach it."""
    hits = Hits()
    srv = TestServer(app(hits, [""]), host="127.0.0.1", port=0)
    await srv.start_server()
    try:
        yield srv, hits
    finally:
        await srv.close()


@pytest.fixture
async def public() -> AsyncIterator[tuple[TestServer, Hits, list[str]]]:
    """A feed server on 127.0.0.2, which the tests' guard counts as public."""
    hits, target = Hits(), [""]
    srv = TestServer(app(hits, target), host="127.0.0.2", port=0)
    await srv.start_server()
    try:
        yield srv, hits, target
    finally:
        await srv.close()


@pytest.fixture
async def guarded() -> AsyncIterator[aiohttp.ClientSession]:
    async with feed_session(extra_public=[PUBLIC_TEST_NET]) as s:
        yield s


def assert_blocked(result: Any, *leaks: str) -> None:
    assert result.outcome == "failed" and result.error == BLOCKED_TEXT, result
    for leak in leaks:
        assert leak not in result.error


# --- literals, names, odd numeric hosts -------------------------------------------------------
async def test_a_feed_on_loopback_is_refused_and_never_reached(
    private_hits: tuple[TestServer, Hits],
) -> None:
    srv, hits = private_hits
    async with feed_session() as session:
        result = await fetch_feed(session, f"http://127.0.0.1:{srv.port}/rss", timeout_seconds=5)
    assert_blocked(result, "127.0.0.1", str(srv.port))
    assert hits.paths == []


@pytest.mark.parametrize(
    "host",
    [
        "[::1]",
        "[::ffff:127.0.0.1]",
        "0x7f000001",
        "2130706433",
        "017700000001",
        "127.1",
        "0.0.0.0",
        "localhost",
        "169.254.169.254",
        "10.0.0.1",
        "100.64.0.1",
        "[fd00::1]",
    ],
)
async def test_every_spelling_of_a_private_address_is_refused(
    private_hits: tuple[TestServer, Hits], guarded: aiohttp.ClientSession, host: str
) -> None:
    srv, hits = private_hits
    result = await fetch_feed(guarded, f"http://{host}:{srv.port}/rss", timeout_seconds=5)
    assert result.outcome == "failed" and result.error is not None
    # aiohttp itself refuses the non-canonical numeric forms; the guard everything else
    assert result.error in (BLOCKED_TEXT, "is not a valid address"), (host, result.error)
    assert host.strip("[]") not in result.error and str(srv.port) not in result.error
    assert hits.paths == []


class MapResolver(AbstractResolver):
    """A resolver that answers from a table; each name's answers are used in turn
    (the last one repeats), so a test can make a name re-resolve elsewhere."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        answers = self.table[host]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        pass


async def test_a_name_that_resolves_to_a_private_address_is_refused() -> None:
    resolver = MapResolver({"rebind.test": ["10.0.0.1"], "meta.test": ["169.254.169.254"]})
    async with feed_session(resolver=resolver) as session:
        for name in ("rebind.test", "meta.test"):
            result = await fetch_feed(session, f"http://{name}/feed.xml", timeout_seconds=5)
            assert_blocked(result, "10.0.0.1", "169.254")
    assert resolver.asked == ["rebind.test", "meta.test"]


async def test_dns_rebinding_is_caught_at_the_next_connection(
    public: tuple[TestServer, Hits, list[str]], private_hits: tuple[TestServer, Hits]
) -> None:
    """The name first resolves to the (public) server, then to loopback: every
    connection checks the address it connects to, so the second fetch is refused."""
    srv, hits, _ = public
    _, private = private_hits
    resolver = MapResolver({"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    connector = GuardedConnector(
        policy=AddressPolicy(extra_public=[PUBLIC_TEST_NET]),
        resolver=resolver,
        use_dns_cache=False,
        force_close=True,
    )
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:
        first = await fetch_feed(session, f"http://rebind.test:{srv.port}/rss")
        assert first.outcome == "ok" and first.title == "Public Blog"
        second = await fetch_feed(session, f"http://rebind.test:{srv.port}/rss", timeout_seconds=5)
    assert_blocked(second, "127.0.0.1")
    assert hits.paths == ["/rss"] and private.paths == []


# --- redirects ---------------------------------------------------------------------------
async def test_a_redirect_to_a_private_address_is_refused(
    public: tuple[TestServer, Hits, list[str]],
    private_hits: tuple[TestServer, Hits],
    guarded: aiohttp.ClientSession,
) -> None:
    srv, hits, target = public
    private_srv, private = private_hits
    target[0] = f"http://127.0.0.1:{private_srv.port}/rss?token=SECRET"
    result = await fetch_feed(guarded, f"http://127.0.0.2:{srv.port}/hop", timeout_seconds=5)
    assert_blocked(result, "127.0.0.1", "SECRET")
    assert hits.paths == ["/hop"] and private.paths == []

    # a redirect that stays on public addresses is followed
    target[0] = f"http://127.0.0.2:{srv.port}/rss"
    followed = await fetch_feed(guarded, f"http://127.0.0.2:{srv.port}/hop")
    assert followed.outcome == "ok" and followed.title == "Public Blog"


async def test_the_socket_factory_refuses_even_if_the_resolve_check_is_skipped(
    private_hits: tuple[TestServer, Hits],
) -> None:
    """Second line of defence: were aiohttp to stop calling _resolve_host, the address
    is still checked just before connect()."""

    class Unchecked(GuardedConnector):
        async def _resolve_host(self, host: str, port: int, traces: Any = None) -> Any:
            return await aiohttp.TCPConnector._resolve_host(self, host, port, traces=traces)

    srv, hits = private_hits
    async with aiohttp.ClientSession(connector=Unchecked(), trust_env=False) as session:
        result = await fetch_feed(session, f"http://127.0.0.1:{srv.port}/rss", timeout_seconds=5)
    assert_blocked(result, "127.0.0.1")
    assert hits.paths == []
    connector = GuardedConnector()
    with pytest.raises(BlockedSocket):
        connector._socket((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 80)))
    connector._socket((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", 80))).close()
    await connector.close()


# --- proxies, credentials, error texts -------------------------------------------------------
async def test_environment_proxies_are_ignored(
    public: tuple[TestServer, Hits, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, hits, _ = public
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # would route around the guard
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with feed_session(extra_public=[PUBLIC_TEST_NET]) as session:
        assert session.trust_env is False
        result = await fetch_feed(session, f"http://127.0.0.2:{srv.port}/rss")
    assert result.outcome == "ok" and hits.paths == ["/rss"]


async def test_credentials_in_a_feed_address_are_refused(
    public: tuple[TestServer, Hits, list[str]],
    guarded: aiohttp.ClientSession,
    db: Database,
) -> None:
    srv, hits, _ = public
    url = f"http://user:hunter2@127.0.0.2:{srv.port}/rss"
    result = await fetch_feed(guarded, url)
    assert result.outcome == "failed" and result.error == CREDENTIALS_TEXT
    before = await db.fetchall("SELECT * FROM resource_feeds")
    with pytest.raises(InvalidInput, match="can't carry a user name or password") as info:
        await FeedService(db).subscriptions.add(900, url, 9001, guarded)
    assert "hunter2" not in str(info.value)
    assert hits.paths == [] and await db.fetchall("SELECT * FROM resource_feeds") == before


async def test_errors_name_the_kind_of_failure_only(
    public: tuple[TestServer, Hits, list[str]], guarded: aiohttp.ClientSession
) -> None:
    srv, _, _ = public
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        closed_port = s.getsockname()[1]
    unreachable = await fetch_feed(guarded, f"http://127.0.0.2:{closed_port}/f?key=SECRET")
    assert unreachable.error == "could not be reached: the connection failed"
    broken = await fetch_feed(guarded, f"http://127.0.0.2:{srv.port}/broken?key=SECRET")
    # the server's own reason phrase (its text, maybe an address) is not repeated
    assert broken.error == "answered HTTP 500 (Internal Server Error)"
    missing = await fetch_feed(guarded, f"http://127.0.0.2:{srv.port}/nope?key=SECRET")
    assert missing.error == "answered HTTP 404 (Not Found)"
    resolver = MapResolver({})
    resolver.resolve = _no_such_host  # type: ignore[method-assign]
    async with feed_session(resolver=resolver) as session:
        unknown = await fetch_feed(session, "https://no-such-host.test/feed?key=SECRET")
    assert unknown.error == "could not be reached: its host name was not found"
    for result in (unreachable, broken, missing, unknown):
        assert result.error is not None
        for leak in ("SECRET", "127.0.0", str(closed_port), str(srv.port), "10.9.8.7"):
            assert leak not in result.error, result.error


async def _no_such_host(host: str, port: int = 0, family: int = 0) -> list[ResolveResult]:
    raise OSError(-2, f"Name or service not known: {host}")
