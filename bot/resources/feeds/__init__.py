"""RSS and Atom feeds posted into channels.

The front holds four parts, each owning one job:

- `interval`       how often a guild's feeds are polled (interval.py);
- `subscriptions`  which feed posts in which channel: add, find, remove (subscriptions.py);
- `polling`        fetching one feed, backing off, turning it off; what is due (polling.py);
- `posting`        which entries are new and the posts they are owed (posting.py).

Fetching and reading one feed is fetch.py; keeping those fetches on the public
internet is netguard.py. The timers that poll each feed at its `next_poll_at` are on the
Discord side (cogs/resources/_timers.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.db import Database
from bot.resources.feeds.fetch import (
    USER_AGENT,
    FeedEntry,
    FetchResult,
    feed_session,
    fetch_feed,
    parse_feed,
)
from bot.resources.feeds.interval import FeedInterval
from bot.resources.feeds.polling import MAX_FAILURES, Polling, PollResult, backoff_seconds
from bot.resources.feeds.posting import MAX_POSTS_PER_POLL, Posting
from bot.resources.feeds.records import Feed
from bot.resources.feeds.subscriptions import Subscriptions
from bot.taxonomy import Taxonomy

__all__ = [
    "MAX_FAILURES",
    "MAX_POSTS_PER_POLL",
    "USER_AGENT",
    "Feed",
    "FeedEntry",
    "FeedInterval",
    "FeedService",
    "FetchResult",
    "PollResult",
    "backoff_seconds",
    "feed_session",
    "fetch_feed",
    "parse_feed",
]


class FeedService:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.interval = FeedInterval(db, clock)
        self.subscriptions = Subscriptions(db, Taxonomy(db, clock), self.interval, clock)
        self.posting = Posting(db)
        self.polling = Polling(db, self.interval, self.posting, clock)
