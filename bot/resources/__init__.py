"""AI-learning resources: the curated library, search, progress, autoposts and feeds.

Domain code only (no Discord): `cogs/resources/` renders and calls these. Three fronts,
each a handful of small parts (their docstrings say what each owns):

- `ResourceService` (service.py): library, review, finder, progress, member data;
- `AutopostService` (autopost/): schedules, ticks, delivery results;
- `FeedService` (feeds/): interval, subscriptions, polling, posting.

What the feature owes Discord is declared once, as typed payloads, in messages.py.
"""

from bot.resources.autopost import Autopost, AutopostPlan, AutopostService, TickResult
from bot.resources.feeds import Feed, FeedEntry, FeedService, FetchResult, PollResult
from bot.resources.records import ImportResult, NextPick, Resource, TopicProgress
from bot.resources.service import ResourceService
from bot.taxonomy import DEFAULT_TOPICS, LEVELS, Taxonomy, resolve_level

__all__ = [
    "DEFAULT_TOPICS",
    "LEVELS",
    "Autopost",
    "AutopostPlan",
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
