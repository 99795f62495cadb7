"""Posting a feed's new entries: which of the entries a poll found are new, which of
those are posted (at most five, oldest of them first), and the post itself.

Each entry is remembered by its key (`resource_feed_entries`), so an entry is posted
once however often it is seen; entries gone from the feed are forgotten after 90 days.
The posts (`FeedEntryPost`, dedupe key `feed:{id}:{hash of the key}`) are written in the
poll's transaction. An entry whose link is in the library carries that resource's topic
and level.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot import outbox
from bot.db import Database, Row
from bot.resources.feeds.fetch import FeedEntry
from bot.resources.messages import FeedEntryPost
from bot.resources.urls import canonical_or_none

MAX_POSTS_PER_POLL = 5
# Entries no longer in the feed are forgotten after this long.
ENTRY_MEMORY_SECONDS = 90 * 86400


def entry_dedupe_key(feed_id: int, key: str) -> str:
    return f"feed:{feed_id}:{hashlib.sha1(key.encode()).hexdigest()[:20]}"


class Posting:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record_entries(
        self, row: Row, entries: Sequence[FeedEntry], now: int
    ) -> tuple[int, int]:
        """Remember what the feed lists and owe posts for the new entries, inside the
        poll's transaction. Returns (posted, recorded without posting: over the cap)."""
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
            "INSERT INTO resource_feed_entries(feed_id, entry_key, first_seen_at,"
            " last_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(feed_id, e.key, now, now) for _, e in skipped],
        )
        for _, entry in to_post:
            await self.db.execute(
                "INSERT INTO resource_feed_entries(feed_id, entry_key, first_seen_at,"
                " last_seen_at, posted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (feed_id, entry.key, now, now, now),
            )
            await outbox.enqueue(
                self.db,
                await self._post(row, entry),
                guild_id=row["guild_id"],
                channel_id=row["channel_id"],
                dedupe_key=entry_dedupe_key(feed_id, entry.key),
            )
        await self.db.execute(
            "DELETE FROM resource_feed_entries WHERE feed_id = ? AND last_seen_at < ?",
            (feed_id, now - ENTRY_MEMORY_SECONDS),
        )
        return len(to_post), len(skipped)

    async def _post(self, row: Row, entry: FeedEntry) -> FeedEntryPost:
        library = None
        canonical = canonical_or_none(entry.link)
        if canonical:
            library = await self.db.fetchone(
                "SELECT id, topic, level FROM resources WHERE guild_id = ? AND url_canonical = ?"
                " AND status = 'approved'",
                (row["guild_id"], canonical),
            )
        return FeedEntryPost(
            feed_id=row["id"],
            feed_title=row["title"],
            title=entry.title,
            link=entry.link,
            summary=entry.summary,
            published=entry.published,
            resource_id=library["id"] if library else None,
            topic=library["topic"] if library else row["topic"],
            level=library["level"] if library else None,
        )
