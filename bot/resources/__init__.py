"""AI-learning resources: the curated library, search, progress, autoposts and feeds.

Domain code only (no Discord): `cogs/resources/` renders and calls these services.
"""

from bot.resources.autopost import Autopost, AutopostJob, AutopostService, TickResult
from bot.resources.feeds import Feed, FeedEntry, FeedService, FetchResult, PollResult
from bot.resources.service import (
    ImportResult,
    NextPick,
    Resource,
    ResourceService,
    TopicProgress,
)
from bot.taxonomy import DEFAULT_TOPICS, LEVELS, Taxonomy, resolve_level

__all__ = [
    "DEFAULT_TOPICS",
    "LEVELS",
    "Autopost",
    "AutopostJob",
    "AutopostService",
    "Feed",
    "FeedEntry",
    "FeedService",
    "FetchResult",
    "ImportResult",
    "NextPick",
    "PollResult",
    "Resource",
    "ResourceService",
    "Taxonomy",
    "TickResult",
    "TopicProgress",
    "resolve_level",
]
