"""Fetching and reading one RSS or Atom feed, safely.

`fetch_feed` uses a session from `feed_session` (20 s timeout, a User-Agent naming the
bot, a 5 MB cap while reading, conditional requests, at most 5 redirects). That
session's connector keeps every connection, redirects included, on the public
internet (bot/resources/feeds/netguard.py) unless the self-hoster allows private networks.
Bytes are parsed with feedparser in a thread.

What counts as a failure: an HTTP error status, a timeout or connection error, a
private or local address, an HTML page, a document feedparser cannot read as
RSS/Atom, or a feed without entries. A document feedparser flags as slightly
malformed (`bozo`) but still reads as a feed with entries is accepted: real feeds
often carry a stray `&`. A failure is a short clause naming its kind ("answered
HTTP 404 (Not Found)", "did not answer within 20 seconds"); it never carries the
raw exception, an address the bot resolved, or the feed URL's query string, because
organizers see it (and the error text must not work as a port scanner).
"""

from __future__ import annotations

import asyncio
import calendar
import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import feedparser

from bot.resources.feeds.netguard import (
    AddressPolicy,
    BlockedAddress,
    BlockedSocket,
    GuardedConnector,
    IPNetwork,
)
from bot.resources.urls import canonical_or_none

log = logging.getLogger(__name__)

USER_AGENT = "GDGCommunityBot/0.1 (Discord bot for GDG Islamabad and Lahore; feed reader)"
FETCH_TIMEOUT = 20.0
MAX_FEED_BYTES = 5 * 1024 * 1024
SUMMARY_LIMIT = 300
TITLE_LIMIT = 256

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Block-level tags become spaces; inline ones vanish, so "<b>x</b>," stays "x,".
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|section)\b[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]+>")
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)


class FeedError(Exception):
    """A fetch or parse failure; str() is a clause like `answered HTTP 404 (Not Found)`."""


@dataclass(frozen=True)
class FeedEntry:
    key: str  # the entry's id, else its canonical link (dedupe)
    title: str
    link: str | None
    summary: str  # plain text, at most 300 characters
    published: int | None  # epoch seconds


@dataclass(frozen=True)
class FetchResult:
    outcome: str  # 'ok' | 'unchanged' (304) | 'failed'
    http_status: int | None = None
    error: str | None = None  # for 'failed': a clause such as "answers HTML, not a feed"
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    entries: tuple[FeedEntry, ...] = ()


BLOCKED_TEXT = "points to a private or local network address, and I only read public feeds"
CREDENTIALS_TEXT = "has a user name or password in it, which I never send to a feed"


def feed_session(
    *,
    allow_private_networks: bool = False,
    extra_public: Iterable[IPNetwork] = (),
    resolver: aiohttp.abc.AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """The session feeds are fetched with: guarded connector, no proxies from the
    environment, a User-Agent naming the bot. `extra_public` and `resolver` are for tests."""
    policy = AddressPolicy(allow_private_networks=allow_private_networks, extra_public=extra_public)
    connector = GuardedConnector(policy=policy, resolver=resolver)
    return aiohttp.ClientSession(
        connector=connector, trust_env=False, headers={"User-Agent": USER_AGENT}
    )


def has_credentials(url: str) -> bool:
    """True for an address with a user name or password (`https://user:pw@host/`)."""
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


def _status_text(status: int) -> str:
    try:
        return f"answered HTTP {status} ({HTTPStatus(status).phrase})"
    except ValueError:  # the server's own reason phrase is never shown: it is its text
        return f"answered HTTP {status}"


def _connection_problem(exc: aiohttp.ClientError) -> str:
    """The kind of a connection failure, never its text (which names addresses)."""
    os_error = getattr(exc, "os_error", None)
    if isinstance(exc, BlockedAddress) or isinstance(os_error, BlockedSocket):
        return BLOCKED_TEXT
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "could not be reached: its host name was not found"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "could not be reached securely: its TLS certificate is not valid"
    if isinstance(exc, aiohttp.ClientSSLError):
        return "could not be reached securely: the TLS handshake failed"
    if isinstance(exc, aiohttp.InvalidUrlRedirectClientError):
        return "redirects to an address I can't use"
    if isinstance(exc, aiohttp.InvalidURL):
        return "is not a valid address"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "could not be reached: the connection failed"
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return "could not be reached: the connection broke off"
    return "could not be reached"


async def fetch_feed(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout_seconds: float = FETCH_TIMEOUT,
    max_bytes: int = MAX_FEED_BYTES,
) -> FetchResult:
    """Fetch and classify a feed. Never raises for network or content problems."""
    if has_credentials(url):
        return FetchResult("failed", None, CREDENTIALS_TEXT)
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with session.get(
            url,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            allow_redirects=True,
            max_redirects=5,
        ) as resp:
            if resp.status == 304:
                return FetchResult(
                    "unchanged",
                    304,
                    etag=resp.headers.get("ETag") or etag,
                    last_modified=resp.headers.get("Last-Modified") or last_modified,
                )
            if resp.status >= 400:
                return FetchResult("failed", resp.status, _status_text(resp.status))
            limit_text = (
                f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1 << 20 else f"{max_bytes} bytes"
            )
            if resp.content_length is not None and resp.content_length > max_bytes:
                return FetchResult("failed", resp.status, f"is larger than {limit_text}")
            body = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    return FetchResult("failed", resp.status, f"is larger than {limit_text}")
            content_type = resp.headers.get("Content-Type")
            new_etag = resp.headers.get("ETag")
            new_modified = resp.headers.get("Last-Modified")
            status = resp.status
    except TimeoutError:
        return FetchResult("failed", None, f"did not answer within {timeout_seconds:g} seconds")
    except aiohttp.TooManyRedirects:
        return FetchResult("failed", None, "redirects too many times")
    except aiohttp.ClientError as exc:
        problem = _connection_problem(exc)
        log.info("feed fetch failed (%s): %r", problem, exc)
        return FetchResult("failed", None, problem)
    try:
        title, entries = await asyncio.to_thread(parse_feed, bytes(body), content_type, url)
    except FeedError as exc:
        return FetchResult("failed", status, str(exc))
    return FetchResult(
        "ok",
        status,
        etag=new_etag,
        last_modified=new_modified,
        title=title,
        entries=tuple(entries),
    )


def parse_feed(
    body: bytes, content_type: str | None = None, url: str | None = None
) -> tuple[str | None, list[FeedEntry]]:
    """(feed title, entries in document order) or FeedError with the reason."""
    if not body.strip():
        raise FeedError("answered with an empty document")
    if _HTML_START.match(body[:4096]):
        raise FeedError("answers HTML, not a feed")
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    if not parsed.get("version"):
        if content_type and "html" in content_type.lower():
            raise FeedError("answers HTML, not a feed")
        problem = parsed.get("bozo_exception")
        if problem is not None and parsed.get("bozo"):
            raise FeedError(f"is not a readable RSS or Atom feed ({_xml_problem(problem)})")
        raise FeedError("is XML but not an RSS or Atom feed")
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        if parsed.get("bozo") and problem is not None:
            raise FeedError(f"is not a readable RSS or Atom feed ({_xml_problem(problem)})")
        raise FeedError("has no entries")
    title = _text(parsed.feed.get("title")) or None
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        entry = _entry(item)
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    if not entries:
        raise FeedError("has no entries with an id or a link")
    return title, entries


def _xml_problem(problem: Exception) -> str:
    # feedparser rewrites the document before parsing, so SAX line numbers are off: omit them.
    message = problem.getMessage() if hasattr(problem, "getMessage") else str(problem)
    return f"bad XML: {message}"[:160]


def _text(value: Any) -> str:
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", str(value or ""))))
    return " ".join(text.replace("\x00", "").split())  # PostgreSQL's text can't hold NUL


def cut(text: str, limit: int) -> str:
    """Cut to `limit` characters, ending with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _entry(item: Any) -> FeedEntry | None:
    link = item.get("link") or None
    canonical = canonical_or_none(link)
    entry_id = (item.get("id") or "").replace("\x00", "").strip()
    key = entry_id or canonical
    if not key:
        return None
    stamp = item.get("published_parsed") or item.get("updated_parsed")
    published = calendar.timegm(stamp) if stamp else None
    summary = _text(item.get("summary") or item.get("description"))
    title = _text(item.get("title")) or link or "(untitled)"
    return FeedEntry(
        key=key[:1000],
        title=cut(title, TITLE_LIMIT),
        link=link if canonical else None,
        summary=cut(summary, SUMMARY_LIMIT),
        published=published,
    )
