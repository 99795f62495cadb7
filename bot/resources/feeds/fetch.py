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

Each clause is a catalogue message (`FeedProblem`): `error` holds it in English, as it
is stored (`last_error`) and logged; `problem` says it in the reader's language.
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

from bot.i18n import ENGLISH, N_, _, in_language
from bot.resources.feeds.netguard import (
    AddressPolicy,
    BlockedAddress,
    BlockedSocket,
    GuardedConnector,
    IPNetwork,
)
from bot.resources.urls import canonical_or_none

log = logging.getLogger(__name__)

# i18n: not translated
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


@dataclass(frozen=True)
class FeedProblem:
    """Why a feed can't be used: a catalogue clause and its values ("answered HTTP
    {status} ({phrase})", status=404, phrase="Not Found")."""

    msgid: str
    params: tuple[tuple[str, str | int], ...] = ()

    @property
    def english(self) -> str:
        """The clause in English: what is stored and logged."""
        return in_language(ENGLISH, self.msgid, **dict(self.params))

    def text(self) -> str:
        """The clause in the language being spoken."""
        return _(self.msgid, **dict(self.params))


def problem(msgid: str, **params: str | int) -> FeedProblem:
    return FeedProblem(msgid, tuple(params.items()))


class FeedError(Exception):
    """A fetch or parse failure; str() is a clause like `answered HTTP 404 (Not Found)`."""

    def __init__(self, msgid: str, **params: str | int) -> None:
        self.problem = problem(msgid, **params)
        super().__init__(self.problem.english)


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
    problem: FeedProblem | None = None  # `error` as a catalogue message


def failed(status: int | None, why: FeedProblem) -> FetchResult:
    """A failed fetch: `why` in English as `error`, and as itself to translate."""
    return FetchResult("failed", status, why.english, problem=why)


BLOCKED_TEXT = N_("points to a private or local network address, and I only read public feeds")
CREDENTIALS_TEXT = N_("has a user name or password in it, which I never send to a feed")


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


def _status_problem(status: int) -> FeedProblem:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # the server's own reason phrase is never shown: it is its text
        return problem(N_("answered HTTP {status}"), status=status)
    return problem(N_("answered HTTP {status} ({phrase})"), status=status, phrase=phrase)


def _connection_problem(exc: aiohttp.ClientError) -> FeedProblem:
    """The kind of a connection failure, never its text (which names addresses)."""
    return problem(_connection_clause(exc))


def _connection_clause(exc: aiohttp.ClientError) -> str:
    os_error = getattr(exc, "os_error", None)
    if isinstance(exc, BlockedAddress) or isinstance(os_error, BlockedSocket):
        return BLOCKED_TEXT
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return N_("could not be reached: its host name was not found")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return N_("could not be reached securely: its TLS certificate is not valid")
    if isinstance(exc, aiohttp.ClientSSLError):
        return N_("could not be reached securely: the TLS handshake failed")
    if isinstance(exc, aiohttp.InvalidUrlRedirectClientError):
        return N_("redirects to an address I can't use")
    if isinstance(exc, aiohttp.InvalidURL):
        return N_("is not a valid address")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return N_("could not be reached: the connection failed")
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return N_("could not be reached: the connection broke off")
    return N_("could not be reached")


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
        return failed(None, problem(CREDENTIALS_TEXT))
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
                return failed(resp.status, _status_problem(resp.status))
            too_large = (
                problem(N_("is larger than {size} MB"), size=max_bytes // (1024 * 1024))
                if max_bytes >= 1 << 20
                else problem(N_("is larger than {size} bytes"), size=max_bytes)
            )
            if resp.content_length is not None and resp.content_length > max_bytes:
                return failed(resp.status, too_large)
            body = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    return failed(resp.status, too_large)
            content_type = resp.headers.get("Content-Type")
            new_etag = resp.headers.get("ETag")
            new_modified = resp.headers.get("Last-Modified")
            status = resp.status
    except TimeoutError:
        return failed(
            None,
            problem(N_("did not answer within {seconds} seconds"), seconds=f"{timeout_seconds:g}"),
        )
    except aiohttp.TooManyRedirects:
        return failed(None, problem(N_("redirects too many times")))
    except aiohttp.ClientError as exc:
        why = _connection_problem(exc)
        log.info("feed fetch failed (%s): %r", why.english, exc)
        return failed(None, why)
    try:
        title, entries = await asyncio.to_thread(parse_feed, bytes(body), content_type, url)
    except FeedError as exc:
        return failed(status, exc.problem)
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
        raise FeedError(N_("answered with an empty document"))
    if _HTML_START.match(body[:4096]):
        raise FeedError(N_("answers HTML, not a feed"))
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    if not parsed.get("version"):
        if content_type and "html" in content_type.lower():
            raise FeedError(N_("answers HTML, not a feed"))
        bad_xml = parsed.get("bozo_exception")
        if bad_xml is not None and parsed.get("bozo"):
            raise FeedError(NOT_READABLE, problem=_xml_problem(bad_xml))
        raise FeedError(N_("is XML but not an RSS or Atom feed"))
    if not parsed.entries:
        bad_xml = parsed.get("bozo_exception")
        if parsed.get("bozo") and bad_xml is not None:
            raise FeedError(NOT_READABLE, problem=_xml_problem(bad_xml))
        raise FeedError(N_("has no entries"))
    title = _text(parsed.feed.get("title")) or None
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        entry = _entry(item)
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    if not entries:
        raise FeedError(N_("has no entries with an id or a link"))
    return title, entries


NOT_READABLE = N_("is not a readable RSS or Atom feed ({problem})")


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
