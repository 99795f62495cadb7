"""Polling feeds: fetch one, post what is new, back off when it fails, turn it off.

The database is the ledger: `next_poll_at` says when a feed is owed its next poll, and a
poll records the next one in the same transaction as the posts it owes. A failure
doubles the delay (capped at 6 hours); ten failures in a row turn the feed off and the
organizers are told in their own channel (bot/organizer_notices.py), never in the public
channel the feed posts in.

`pending` and `run_due` are what the feed timers use (cogs/resources/_timers.py): one
timer per feed at its `next_poll_at`, re-armed from the `next_poll_at` each poll returns.
`run_due` polls only a feed that is due, so a timer firing twice, or late after a manual
check, fetches nothing extra.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bot import organizer_notices
from bot.db import Database, Row
from bot.i18n import N_, speaking
from bot.languages import Languages
from bot.resources.feeds.fetch import FeedProblem, fetch_feed
from bot.resources.feeds.interval import FeedInterval
from bot.resources.feeds.posting import Posting
from bot.resources.feeds.records import feed_row
from bot.resources.urls import shown_url
from bot.shards import ALL, Shards

log = logging.getLogger(__name__)

MAX_FAILURES = 10
MAX_BACKOFF_SECONDS = 6 * 3600
# A timer may fire a moment before the stored due time; treat that as due.
DUE_GRACE_SECONDS = 5
# How long a timer's claim on a due feed keeps other processes off it: well past a fetch's
# 20 s timeout (fetch.py).
CLAIM_SECONDS = 120


@dataclass(frozen=True)
class PollResult:
    feed_id: int
    # 'posted' (new entries, maybe 0) | 'unchanged' | 'failed' | 'disabled' | 'skipped'
    # (removed or turned off) | 'not_due' (run_due before next_poll_at: nothing fetched)
    outcome: str
    posted: int = 0
    recorded: int = 0  # new entries recorded without posting (over the per-poll cap)
    error: str | None = None  # in English (as stored in last_error)
    next_poll_at: int | None = None  # when the feed is owed its next poll (None: never)
    problem: FeedProblem | None = None  # `error` as a catalogue message, to translate


def backoff_seconds(failures: int, interval_minutes: int) -> int:
    """Delay before the next poll after `failures` failures in a row: doubling, capped at 6 h."""
    if failures <= 0:
        return interval_minutes * 60
    return min(interval_minutes * 60 * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)


_MARKDOWN = re.compile(r"([\\*_~`|>\[\]#])")


def _inert(text: str) -> str:
    """Feed text made inert in Markdown (the deliverer already blocks pings)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


DISABLED_NOTICE = N_(
    "⛔ The feed **{name}** (feed #{id}, posting in <#{channel_id}>) was turned off after"
    " {failures} failed checks in a row (failing since <t:{failing_since}:R>).\n"
    "Last error: it {error}.\n<{url}>\nOnce the feed works again, run `/resource feed-add`"
    " with the same address and channel to turn it back on."
)


def disabled_notice(
    row: Row, failures: int, failing_since: int, error: str | FeedProblem
) -> dict[str, str | int]:
    """The params of DISABLED_NOTICE, the organizers' notice for a feed turned off (its
    address without the query string), said in the language being spoken."""
    text = error.text() if isinstance(error, FeedProblem) else error
    return {
        "name": _inert(row["title"] or shown_url(row["url"]))[:150],
        "id": row["id"],
        "channel_id": row["channel_id"],
        "failures": failures,
        "failing_since": failing_since,
        "error": _inert(text[:300]),
        "url": shown_url(row["url"]),
    }


class Polling:
    def __init__(
        self,
        db: Database,
        interval: FeedInterval,
        posting: Posting,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.interval = interval
        self.posting = posting
        self.clock = clock

    async def run_due(
        self, feed_id: int, session: aiohttp.ClientSession, now: float | None = None
    ) -> PollResult:
        """What the feed's timer calls: poll the feed if it is due; else say when it is.

        A due feed is claimed first: its `next_poll_at` moves CLAIM_SECONDS on (compared
        and set in one statement), so another process's timer for it finds it not due
        while this one fetches. The poll then records the real next time; a process that
        dies mid-fetch leaves the feed due again when the claim runs out."""
        now_i = int(now if now is not None else self.clock())
        row = await feed_row(self.db, feed_id)
        if row is None or row["status"] == "disabled":
            return PollResult(feed_id, "skipped")
        if row["next_poll_at"] > now_i + DUE_GRACE_SECONDS:
            return PollResult(feed_id, "not_due", next_poll_at=row["next_poll_at"])
        claimed = await self.db.execute_rowcount(
            "UPDATE resource_feeds SET next_poll_at = ? WHERE id = ? AND next_poll_at = ?"
            " AND status <> 'disabled'",
            (now_i + CLAIM_SECONDS, feed_id, row["next_poll_at"]),
        )
        if not claimed:  # another process claimed it (or it changed) meanwhile
            fresh = await feed_row(self.db, feed_id)
            if fresh is None or fresh["status"] == "disabled":
                return PollResult(feed_id, "skipped")
            return PollResult(feed_id, "not_due", next_poll_at=fresh["next_poll_at"])
        return await self.poll(feed_id, session)

    async def poll(self, feed_id: int, session: aiohttp.ClientSession) -> PollResult:
        """Fetch one feed now (whatever its next_poll_at) and post up to 5 new entries."""
        row = await feed_row(self.db, feed_id)
        if row is None or row["status"] == "disabled":
            return PollResult(feed_id, "skipped")
        result = await fetch_feed(
            session, row["url"], etag=row["etag"], last_modified=row["last_modified"]
        )
        interval = await self.interval.get(row["guild_id"])
        async with self.db.transaction():
            # Locked: a poll of the same feed by another process waits, then finds the
            # entries this one recorded, so nothing is posted twice.
            row = await feed_row(self.db, feed_id, lock=True)
            if row is None or row["status"] == "disabled":
                return PollResult(feed_id, "skipped")  # removed or disabled meanwhile
            if result.outcome == "failed":
                return await self._failed(row, result.error or "failed", result.problem, interval)
            now = int(self.clock())
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
            posted, recorded = await self.posting.record_entries(row, result.entries, now)
        return PollResult(feed_id, "posted", posted, recorded, next_poll_at=next_poll)

    async def _failed(
        self, row: Row, error: str, problem: FeedProblem | None, interval: int
    ) -> PollResult:
        now = int(self.clock())
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
            return PollResult(
                row["id"], "failed", error=error, next_poll_at=next_poll, problem=problem
            )
        log.warning("feed %s disabled after %d failures: %s", row["id"], failures, error)
        # notify says the notice in the server's language; its values are said in it too.
        with speaking(await Languages(self.db).of_server(row["guild_id"])):
            params = disabled_notice(row, failures, failing_since, problem or error)
        await organizer_notices.notify(
            self.db,
            row["guild_id"],
            DISABLED_NOTICE,
            params=params,
            dedupe_key=f"feed-disabled:{row['id']}:{failing_since}",
            now=now,
        )
        return PollResult(row["id"], "disabled", error=error, problem=problem)

    # --- what the timers arm ----------------------------------------------------
    async def pending(
        self, guild_id: int | None = None, *, shards: Shards = ALL
    ) -> list[tuple[int, int]]:
        """(feed id, next_poll_at) of every feed not turned off (all guilds of `shards`,
        or one)."""
        rows = await self.db.fetchall(
            "SELECT id, next_poll_at FROM resource_feeds WHERE status <> 'disabled'"
            f" AND {shards.where('guild_id')}"
            + (" AND guild_id = ?" if guild_id is not None else "")
            + " ORDER BY id",
            (guild_id,) if guild_id is not None else (),
        )
        return [(r["id"], r["next_poll_at"]) for r in rows]

    async def due(self, now: float | None = None) -> list[int]:
        """Ids of feeds (any guild, not turned off) whose next poll is due, earliest first."""
        rows = await self.db.fetchall(
            "SELECT id FROM resource_feeds WHERE status <> 'disabled' AND next_poll_at <= ?"
            " ORDER BY next_poll_at, id",
            (int(now if now is not None else self.clock()),),
        )
        return [r["id"] for r in rows]
