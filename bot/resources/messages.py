"""What the resources feature owes Discord, one typed payload per outbox kind.

The services build these inside the transaction that causes them
(`outbox.enqueue(db, SuggestionApproved(...), …)`); cogs/resources/_notify.py reads them
back with `item.expect(...)` and renders them. Field names are the JSON keys rows have
always been stored with, so rows queued by an older version still decode.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kinds import Kind, Payload, payload


@payload(Kind.RESOURCE_SUGGESTION_APPROVED)
@dataclass(frozen=True)
class SuggestionApproved(Payload):
    """DM to the member whose suggestion is now in the library."""

    resource_id: int
    title: str
    url: str
    topic: str
    level: str


@payload(Kind.RESOURCE_SUGGESTION_REJECTED)
@dataclass(frozen=True)
class SuggestionRejected(Payload):
    """DM to the member whose suggestion the organizers declined."""

    resource_id: int
    title: str
    url: str
    reason: str | None = None


@payload(Kind.RESOURCE_AUTOPOST)
@dataclass(frozen=True)
class AutopostPost(Payload):
    """A library resource posted in a channel by its schedule, at tick `tick_at`."""

    autopost_id: int
    resource_id: int
    title: str
    url: str
    description: str | None
    topic: str | None
    level: str | None
    tick_at: int | None


@payload(Kind.RESOURCE_FEED_ENTRY)
@dataclass(frozen=True)
class FeedEntryPost(Payload):
    """A new feed entry posted in the feed's channel; library facts when its link is there."""

    feed_id: int
    feed_title: str | None
    title: str
    link: str | None
    summary: str | None
    published: int | None
    resource_id: int | None
    topic: str | None
    level: str | None
