"""How often a guild's feeds are polled: `resource_settings.feed_interval_minutes`.

The guild's `resource_settings` row is created with its topics (bot/taxonomy.py
`ensure_guild`); this part reads and sets the interval column. Changing the interval
moves every healthy feed to the new pace at once (failing feeds keep their backoff);
the feed timers must be re-armed after (cogs/resources/_timers.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.db import Database
from bot.errors import InvalidInput
from bot.i18n import _
from bot.taxonomy import ensure_guild

DEFAULT_FEED_INTERVAL = 30  # minutes (the column's default)
MIN_FEED_INTERVAL = 10
MAX_FEED_INTERVAL = 24 * 60


class FeedInterval:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    async def get(self, guild_id: int) -> int:
        """Minutes between polls of the guild's feeds (default 30)."""
        await ensure_guild(self.db, guild_id, self.clock)
        return int(
            await self.db.fetchval(
                "SELECT feed_interval_minutes FROM resource_settings WHERE guild_id = ?",
                (guild_id,),
            )
        )

    async def set(self, guild_id: int, minutes: int) -> int:
        """Set the poll interval (at least 10 minutes); healthy feeds move to the new pace."""
        if minutes < MIN_FEED_INTERVAL:
            raise InvalidInput(
                _("Feeds are polled at most every {minutes} minutes.", minutes=MIN_FEED_INTERVAL)
            )
        if minutes > MAX_FEED_INTERVAL:
            raise InvalidInput(_("Poll feeds at least once a day (at most 1440 minutes)."))
        await ensure_guild(self.db, guild_id, self.clock)
        now = int(self.clock())
        async with self.db.transaction():
            await self.db.execute(
                "UPDATE resource_settings SET feed_interval_minutes = ? WHERE guild_id = ?",
                (minutes, guild_id),
            )
            await self.db.execute(
                "UPDATE resource_feeds SET next_poll_at = COALESCE(last_polled_at, ?) + ?"
                " WHERE guild_id = ? AND status = 'ok'",
                (now, minutes * 60, guild_id),
            )
        return minutes
