"""RSS and Atom feeds posted into channels: subscribe, poll, dedupe, back off.

Fetching and reading one feed is in bot/resources/fetch.py (and keeping those fetches
on the public internet in netguard.py); this module is the service over the store.

The database is the ledger: `next_poll_at` says when a feed is owed a poll, and
new entries are recorded in the same transaction as their outbox posts. A feed that
fails ten checks in a row is turned off and the organizers are told in their own
channel (bot/organizer_notices.py), never in the public channel the feed posts in.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot import organizer_notices, outbox
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotFound
from bot.guilds import GuildSettings
from bot.resources.fetch import (
    USER_AGENT,
    FeedEntry,
    FetchResult,
    feed_session,
    fetch_feed,
    has_credentials,
    parse_feed,
)
from bot.resources.urls import canonical_or_none, check_url, shown_url
from bot.taxonomy import Taxonomy

__all__ = [
    "USER_AGENT",
    "Feed",
    "FeedEntry",
    "FeedService",
    "FetchResult",
    "PollResult",
    "backoff_seconds",
    "feed_session",
    "fetch_feed",
    "parse_feed",
]

log = logging.getLogger(__name__)

MAX_POSTS_PER_POLL = 5
MAX_FAILURES = 10
MAX_BACKOFF_SECONDS = 6 * 3600
MAX_FEEDS_PER_GUILD = 50
# Entries no longer in the feed are forgotten after this long.
ENTRY_MEMORY_SECONDS = 90 * 86400
ENTRY_KIND = "resource.feed_entry"

_FEED_COLUMNS = (
    "id, guild_id, url, channel_id, topic, title, status, failures, failing_since, last_error,"
    " next_poll_at, last_polled_at, last_ok_at, created_by, created_at"
)


@dataclass(frozen=True)
class Feed:
    id: int
    guild_id: int
    url: str
    channel_id: int
    topic: str | None
    title: str | None
    status: str  # 'ok' | 'failing' | 'disabled'
    failures: int  # failed polls in a row
    failing_since: int | None
    last_error: str | None
    next_poll_at: int
    last_polled_at: int | None
    last_ok_at: int | None
    created_by: int | None
    created_at: int


@dataclass(frozen=True)
class PollResult:
    feed_id: int
    # 'posted' (new entries, maybe 0) | 'unchanged' | 'failed' | 'disabled' | 'skipped'
    outcome: str
    posted: int = 0
    recorded: int = 0  # new entries recorded without posting (over the per-poll cap)
    error: str | None = None
    next_poll_at: int | None = None


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(**{k: row[k] for k in Feed.__dataclass_fields__})


def backoff_seconds(failures: int, interval_minutes: int) -> int:
    """Delay before the next poll after `failures` failures in a row: doubling, capped at 6 h."""
    if failures <= 0:
        return interval_minutes * 60
    return min(interval_minutes * 60 * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)


_MARKDOWN = re.compile(r"([\\*_~`|>\[\]#])")


def _inert(text: str) -> str:
    """Feed text made inert in Markdown (the deliverer already blocks pings)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def disabled_notice(row: sqlite3.Row, failures: int, failing_since: int, error: str) -> str:
    """The organizers' notice for a feed turned off (its address without the query string)."""
    name = _inert(row["title"] or shown_url(row["url"]))[:150]
    return (
        f"⛔ The feed **{name}** (feed #{row['id']}, posting in <#{row['channel_id']}>) was "
        f"turned off after {failures} failed checks in a row (failing since "
        f"<t:{failing_since}:R>).\nLast error: it {_inert(error[:300])}.\n"
        f"<{shown_url(row['url'])}>\nOnce the feed works again, run `/resource feed-add` "
        "with the same address and channel to turn it back on."
    )


def _entry_dedupe(feed_id: int, key: str) -> str:
    return f"feed:{feed_id}:{hashlib.sha1(key.encode()).hexdigest()[:20]}"


# --- the service ----------------------------------------------------------------
class FeedService:
    def __init__(
        self, db: Database, guilds: GuildSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.clock = clock
        self.taxonomy = Taxonomy(db, clock)

    def _now(self) -> int:
        return int(self.clock())

    async def _row(self, feed_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            f"SELECT {_FEED_COLUMNS}, etag, last_modified FROM resource_feeds WHERE id = ?",
            (feed_id,),
        )

    async def get(self, guild_id: int, feed_id: int) -> Feed:
        row = await self._row(feed_id)
        if row is None or row["guild_id"] != guild_id:
            raise NotFound(f"There is no feed #{feed_id} in this server.")
        return _feed(row)

    async def list_feeds(self, guild_id: int) -> list[Feed]:
        """Every feed of the guild with its health (status, failures, failing_since, last_error)."""
        rows = await self.db.fetchall(
            f"SELECT {_FEED_COLUMNS} FROM resource_feeds WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [_feed(r) for r in rows]

    async def add_feed(
        self,
        guild_id: int,
        url: str,
        channel_id: int,
        session: aiohttp.ClientSession,
        topic: str | None = None,
        created_by: int | None = None,
    ) -> Feed:
        """Subscribe a channel. Fetches at once (up to 20 s: defer first); refuses with the
        reason a feed that can't be used. Records the entries there without posting them.
        A disabled subscription to the same feed and channel is re-enabled."""
        checked = check_url(url)
        if has_credentials(checked.url):
            raise InvalidInput(
                "A feed's address can't carry a user name or password (user:password@…): "
                "I never send credentials to a feed. Give its public address."
            )
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic) if topic else None
        existing = await self.db.fetchone(
            "SELECT id, status FROM resource_feeds WHERE guild_id = ? AND url_canonical = ?"
            " AND channel_id = ?",
            (guild_id, checked.canonical, channel_id),
        )
        if existing is not None and existing["status"] != "disabled":
            raise AlreadyExists(
                f"That feed already posts in <#{channel_id}> (feed #{existing['id']})."
            )
        if existing is None:
            count = await self.db.fetchval(
                "SELECT COUNT(*) FROM resource_feeds WHERE guild_id = ?", (guild_id,)
            )
            if count >= MAX_FEEDS_PER_GUILD:
                raise InvalidInput(
                    f"This server already follows {MAX_FEEDS_PER_GUILD} feeds; remove one first."
                )
        result = await fetch_feed(session, checked.url)
        if result.outcome != "ok":
            raise InvalidInput(
                f"I can't use that feed: it {result.error or 'did not answer'}. "
                "Give the address of an RSS or Atom feed."
            )
        interval = await self.taxonomy.feed_interval(guild_id)
        now = self._now()
        async with self.db.transaction():
            again = await self.db.fetchone(
                "SELECT id, status FROM resource_feeds WHERE guild_id = ? AND url_canonical = ?"
                " AND channel_id = ?",
                (guild_id, checked.canonical, channel_id),
            )
            if again is not None and again["status"] != "disabled":
                raise AlreadyExists(
                    f"That feed already posts in <#{channel_id}> (feed #{again['id']})."
                )
            values = (
                checked.url,
                topic_name,
                result.title,
                result.etag,
                result.last_modified,
                now + interval * 60,
                now,
                now,
            )
            if again is not None:
                feed_id = again["id"]
                await self.db.execute(
                    "UPDATE resource_feeds SET url = ?, topic = ?, title = ?, etag = ?,"
                    " last_modified = ?, next_poll_at = ?, last_polled_at = ?, last_ok_at = ?,"
                    " status = 'ok', failures = 0, failing_since = NULL, last_error = NULL"
                    " WHERE id = ?",
                    (*values, feed_id),
                )
            else:
                feed_id = await self.db.execute(
                    "INSERT INTO resource_feeds(url, topic, title, etag, last_modified,"
                    " next_poll_at, last_polled_at, last_ok_at, guild_id, url_canonical,"
                    " channel_id, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, guild_id, checked.canonical, channel_id, created_by, now),
                )
            # The first fetch posts nothing: it only records what is already there.
            await self.db.executemany(
                "INSERT INTO resource_feed_entries(feed_id, entry_key, first_seen_at,"
                " last_seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(feed_id, entry_key)"
                " DO UPDATE SET last_seen_at = excluded.last_seen_at",
                [(feed_id, e.key, now, now) for e in result.entries],
            )
        return await self.get(guild_id, feed_id)

    async def resolve(self, guild_id: int, text: str) -> Feed:
        """A feed from what an organizer typed: its id (`3`, `#3`) or its address."""
        cleaned = (text or "").strip()
        digits = cleaned.removeprefix("#")
        if digits.isdecimal() and len(digits) <= 18:  # an id (a longer one fits no column)
            return await self.get(guild_id, int(digits))
        canonical = canonical_or_none(cleaned)
        rows = await self.db.fetchall(
            f"SELECT {_FEED_COLUMNS} FROM resource_feeds WHERE guild_id = ?"
            " AND (url_canonical = ? OR title = ? COLLATE NOCASE) ORDER BY id",
            (guild_id, canonical or "", cleaned),
        )
        if len(rows) == 1:
            return _feed(rows[0])
        if rows:
            ids = ", ".join(f"#{r['id']} (in <#{r['channel_id']}>)" for r in rows)
            raise NotFound(f"Several feeds match; name one by its id: {ids}.")
        raise NotFound(f"No feed here matches “{cleaned[:80]}”; see /resource feed-list.")

    async def autocomplete(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[tuple[int, str]]:
        """(id, label) pairs: the label is the feed's title (the cog adds the channel).
        Matches the id or the title, never the address, and never shows it: a feed's
        address can carry a secret in its query string."""
        key = (text or "").strip().casefold().removeprefix("#")
        out: list[tuple[int, str]] = []
        for f in await self.list_feeds(guild_id):
            label = f.title or "untitled feed"
            if not key or key == str(f.id) or key in label.casefold():
                out.append((f.id, label))
        return out[:limit]

    async def remove_feed(self, guild_id: int, feed: str | int) -> Feed:
        """Unsubscribe (its remembered entries go with it); returns what it was."""
        found = (
            await self.get(guild_id, feed)
            if isinstance(feed, int)
            else await self.resolve(guild_id, feed)
        )
        async with self.db.transaction():
            await self.db.execute("DELETE FROM resource_feeds WHERE id = ?", (found.id,))
            await outbox.drop(self.db, dedupe_prefix=f"feed:{found.id}:")
        return found

    # --- polling -------------------------------------------------------------------
    async def poll(self, feed_id: int, session: aiohttp.ClientSession) -> PollResult:
        """Fetch one feed now (whatever its next_poll_at) and post up to 5 new entries."""
        row = await self._row(feed_id)
        if row is None or row["status"] == "disabled":
            return PollResult(feed_id, "skipped")
        result = await fetch_feed(
            session, row["url"], etag=row["etag"], last_modified=row["last_modified"]
        )
        interval = await self.taxonomy.feed_interval(row["guild_id"])
        async with self.db.transaction():
            row = await self._row(feed_id)
            if row is None or row["status"] == "disabled":
                return PollResult(feed_id, "skipped")  # removed or disabled meanwhile
            if result.outcome == "failed":
                return await self._failed(row, result.error or "failed", interval)
            now = self._now()
            next_poll = now + interval * 60
            await self.db.execute(
                "UPDATE resource_feeds SET status = 'ok', failures = 0, failing_since = NULL,"
                " last_error = NULL, next_poll_at = ?, last_polled_at = ?, last_ok_at = ?,"
                " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
                " title = COALESCE(?, title) WHERE id = ?",
                (
                    next_poll,
                    now,
                    now,
                    result.etag,
                    result.last_modified,
                    result.title,
                    feed_id,
                ),
            )
            if result.outcome == "unchanged":
                return PollResult(feed_id, "unchanged", next_poll_at=next_poll)
            posted, recorded = await self._record_entries(row, result.entries, now)
        return PollResult(feed_id, "posted", posted, recorded, next_poll_at=next_poll)

    async def _record_entries(
        self, row: sqlite3.Row, entries: Sequence[FeedEntry], now: int
    ) -> tuple[int, int]:
        feed_id = row["id"]
        known = {
            r["entry_key"]
            for r in await self.db.fetchall(
                "SELECT entry_key FROM resource_feed_entries WHERE feed_id = ?", (feed_id,)
            )
        }
        # Feeds list newest first; entries without dates keep that order.
        fresh = [(i, e) for i, e in enumerate(entries) if e.key not in known]
        fresh.sort(key=lambda ie: (-(ie[1].published or 0), ie[0]))
        to_post = list(reversed(fresh[:MAX_POSTS_PER_POLL]))  # oldest of them first
        skipped = fresh[MAX_POSTS_PER_POLL:]
        await self.db.executemany(
            "UPDATE resource_feed_entries SET last_seen_at = ? WHERE feed_id = ? AND entry_key = ?",
            [(now, feed_id, e.key) for e in entries if e.key in known],
        )
        await self.db.executemany(
            "INSERT OR IGNORE INTO resource_feed_entries(feed_id, entry_key, first_seen_at,"
            " last_seen_at) VALUES (?, ?, ?, ?)",
            [(feed_id, e.key, now, now) for _, e in skipped],
        )
        for _, entry in to_post:
            await self.db.execute(
                "INSERT OR IGNORE INTO resource_feed_entries(feed_id, entry_key, first_seen_at,"
                " last_seen_at, posted_at) VALUES (?, ?, ?, ?, ?)",
                (feed_id, entry.key, now, now, now),
            )
            await outbox.enqueue(
                self.db,
                guild_id=row["guild_id"],
                kind=ENTRY_KIND,
                channel_id=row["channel_id"],
                payload=await self._entry_payload(row, entry),
                dedupe_key=_entry_dedupe(feed_id, entry.key),
            )
        await self.db.execute(
            "DELETE FROM resource_feed_entries WHERE feed_id = ? AND last_seen_at < ?",
            (feed_id, now - ENTRY_MEMORY_SECONDS),
        )
        return len(to_post), len(skipped)

    async def _entry_payload(self, row: sqlite3.Row, entry: FeedEntry) -> dict[str, Any]:
        library = None
        canonical = canonical_or_none(entry.link)
        if canonical:
            library = await self.db.fetchone(
                "SELECT id, topic, level FROM resources WHERE guild_id = ? AND url_canonical = ?"
                " AND status = 'approved'",
                (row["guild_id"], canonical),
            )
        return {
            "feed_id": row["id"],
            "feed_title": row["title"],
            "title": entry.title,
            "link": entry.link,
            "summary": entry.summary,
            "published": entry.published,
            "resource_id": library["id"] if library else None,
            "topic": library["topic"] if library else row["topic"],
            "level": library["level"] if library else None,
        }

    async def _failed(self, row: sqlite3.Row, error: str, interval: int) -> PollResult:
        now = self._now()
        failures = row["failures"] + 1
        failing_since = row["failing_since"] or now
        disabled = failures >= MAX_FAILURES
        next_poll = now + backoff_seconds(failures, interval)
        await self.db.execute(
            "UPDATE resource_feeds SET status = ?, failures = ?, failing_since = ?,"
            " last_error = ?, last_polled_at = ?, next_poll_at = ? WHERE id = ?",
            (
                "disabled" if disabled else "failing",
                failures,
                failing_since,
                error[:500],
                now,
                next_poll,
                row["id"],
            ),
        )
        log.info("feed %s failed (%d in a row): %s", row["id"], failures, error)
        if not disabled:
            return PollResult(row["id"], "failed", error=error, next_poll_at=next_poll)
        log.warning("feed %s disabled after %d failures: %s", row["id"], failures, error)
        await organizer_notices.notify(
            self.db,
            row["guild_id"],
            disabled_notice(row, failures, failing_since, error),
            dedupe_key=f"feed-disabled:{row['id']}:{failing_since}",
            now=now,
        )
        return PollResult(row["id"], "disabled", error=error)

    async def due_feeds(self, now: float | None = None) -> list[int]:
        """Ids of feeds (any guild, not disabled) whose next poll is due, earliest first."""
        rows = await self.db.fetchall(
            "SELECT id FROM resource_feeds WHERE status <> 'disabled' AND next_poll_at <= ?"
            " ORDER BY next_poll_at, id",
            (int(now if now is not None else self.clock()),),
        )
        return [r["id"] for r in rows]

    async def poll_due(
        self, session: aiohttp.ClientSession, now: float | None = None, concurrency: int = 4
    ) -> list[PollResult]:
        """Poll every due feed, a few at a time. The one job the scheduler needs for feeds."""
        ids = await self.due_feeds(now)
        gate = asyncio.Semaphore(concurrency)

        async def one(feed_id: int) -> PollResult:
            async with gate:
                try:
                    return await self.poll(feed_id, session)
                except Exception:
                    log.exception("polling feed %s failed unexpectedly", feed_id)
                    return PollResult(feed_id, "skipped", error="unexpected error")

        return list(await asyncio.gather(*(one(i) for i in ids)))

    async def poll_plan(self) -> list[tuple[int, int]]:
        """(feed id, next_poll_at) of every feed not disabled: what start-up must keep polling."""
        rows = await self.db.fetchall(
            "SELECT id, next_poll_at FROM resource_feeds WHERE status <> 'disabled' ORDER BY id"
        )
        return [(r["id"], r["next_poll_at"]) for r in rows]

    async def next_poll_at(self) -> int | None:
        """The earliest next_poll_at over all feeds not disabled (None: no feeds)."""
        value = await self.db.fetchval(
            "SELECT MIN(next_poll_at) FROM resource_feeds WHERE status <> 'disabled'"
        )
        return None if value is None else int(value)
