"""Feed subscriptions: which feed posts in which channel, added, found and removed by
organizers.

Adding fetches the feed at once (refusing, with the reason, one that can't be used) and
records the entries already there without posting them, so a channel never gets a feed's
whole history. A disabled subscription to the same feed and channel is turned back on.
Removing one drops its remembered entries and any of its posts not yet sent. Re-arm or
cancel the feed's timer after (cogs/resources/_timers.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp

from bot import outbox
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotFound
from bot.i18n import _
from bot.resources.feeds.fetch import fetch_feed, has_credentials
from bot.resources.feeds.interval import FeedInterval
from bot.resources.feeds.records import COLUMNS, Feed, feed_of, feed_row
from bot.resources.records import is_id
from bot.resources.urls import canonical_or_none, check_url
from bot.taxonomy import Taxonomy

MAX_FEEDS_PER_GUILD = 50


class Subscriptions:
    def __init__(
        self,
        db: Database,
        taxonomy: Taxonomy,
        interval: FeedInterval,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.taxonomy = taxonomy
        self.interval = interval
        self.clock = clock

    async def get(self, guild_id: int, feed_id: int) -> Feed:
        row = await feed_row(self.db, feed_id)
        if row is None or row["guild_id"] != guild_id:
            raise NotFound(_("There is no feed #{id} in this server.", id=feed_id))
        return feed_of(row)

    async def in_guild(self, guild_id: int) -> list[Feed]:
        """Every feed of the guild with its health (status, failures, failing_since, last_error)."""
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM resource_feeds WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [feed_of(r) for r in rows]

    async def _same(self, guild_id: int, canonical: str, channel_id: int) -> int | None:
        """The id of this feed's subscription in this channel if it is on (AlreadyExists),
        or of the disabled one to turn back on; None when there is none."""
        row = await self.db.fetchone(
            "SELECT id, status FROM resource_feeds WHERE guild_id = ? AND url_canonical = ?"
            " AND channel_id = ?",
            (guild_id, canonical, channel_id),
        )
        if row is not None and row["status"] != "disabled":
            raise AlreadyExists(
                _(
                    "That feed already posts in <#{channel_id}> (feed #{id}).",
                    channel_id=channel_id,
                    id=row["id"],
                )
            )
        return None if row is None else int(row["id"])

    async def add(
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
                _(
                    "A feed's address can't carry a user name or password (user:password@…):"
                    " I never send credentials to a feed. Give its public address."
                )
            )
        topic_name = await self.taxonomy.resolve_topic(guild_id, topic) if topic else None
        if await self._same(guild_id, checked.canonical, channel_id) is None:
            count = await self.db.fetchval(
                "SELECT COUNT(*) FROM resource_feeds WHERE guild_id = ?", (guild_id,)
            )
            if count >= MAX_FEEDS_PER_GUILD:
                raise InvalidInput(
                    _(
                        "This server already follows {count} feeds; remove one first.",
                        count=MAX_FEEDS_PER_GUILD,
                    )
                )
        result = await fetch_feed(session, checked.url)
        if result.outcome != "ok":
            # Said in the organizer's language (`error` is the English clause, as stored).
            reason = result.problem.text() if result.problem else result.error
            raise InvalidInput(
                _(
                    "I can't use that feed: it {problem}. Give the address of an RSS or Atom feed.",
                    problem=reason or _("did not answer"),
                )
            )
        interval = await self.interval.get(guild_id)
        now = int(self.clock())
        async with self.db.transaction():
            # Again: another organizer may have added it during the fetch.
            again = await self._same(guild_id, checked.canonical, channel_id)
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
                feed_id = again
                await self.db.execute(
                    "UPDATE resource_feeds SET url = ?, topic = ?, title = ?, etag = ?,"
                    " last_modified = ?, next_poll_at = ?, last_polled_at = ?, last_ok_at = ?,"
                    " status = 'ok', failures = 0, failing_since = NULL, last_error = NULL"
                    " WHERE id = ?",
                    (*values, feed_id),
                )
            else:
                feed_id = await self.db.insert(
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
        if is_id(digits):
            return await self.get(guild_id, int(digits))
        canonical = canonical_or_none(cleaned)
        rows = await self.db.fetchall(
            f"SELECT {COLUMNS} FROM resource_feeds WHERE guild_id = ?"
            " AND (url_canonical = ? OR lower(title) = lower(?)) ORDER BY id",
            (guild_id, canonical or "", cleaned.replace("\x00", "")),  # titles hold no NUL
        )
        if len(rows) == 1:
            return feed_of(rows[0])
        if rows:
            ids = ", ".join(
                _("#{id} (in <#{channel_id}>)", id=r["id"], channel_id=r["channel_id"])
                for r in rows
            )
            raise NotFound(_("Several feeds match; name one by its id: {ids}.", ids=ids))
        raise NotFound(
            _("No feed here matches “{query}”; see /resource feed-list.", query=cleaned[:80])
        )

    async def autocomplete(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[tuple[int, str]]:
        """(id, label) pairs: the label is the feed's title (the cog adds the channel).
        Matches the id or the title, never the address, and never shows it: a feed's
        address can carry a secret in its query string."""
        key = (text or "").strip().casefold().removeprefix("#")
        out: list[tuple[int, str]] = []
        for f in await self.in_guild(guild_id):
            label = f.title or _("untitled feed")
            if not key or key == str(f.id) or key in label.casefold():
                out.append((f.id, label))
        return out[:limit]

    async def remove(self, guild_id: int, feed: str | int) -> Feed:
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
