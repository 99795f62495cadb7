"""What the events feature owes members and channels through the outbox: one typed
payload per kind (bot/kinds.py), built by the service, read back by the renderers in
cogs/events/_notify.py with `item.expect(...)`.

The field names are the JSON keys rows were written with before the payloads were typed,
so rows still queued from an older version decode as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kinds import Kind, Payload, payload


@payload(Kind.EVENT_PROMOTED)
@dataclass(frozen=True)
class EventPromoted(Payload):
    """A seat opened up and the member has it (DM, with the ticket's code for the QR)."""

    event_id: int
    seat: int | None = None
    code: str | None = None


@payload(Kind.EVENT_CHANGED)
@dataclass(frozen=True)
class EventChanged(Payload):
    """The time or place changed (DM to everyone going; old and new values). The online
    link is never written here: the renderer reads it for a member still going."""

    event_id: int
    changes: tuple[str, ...] = ()  # of starts_at, ends_at, venue, online_url
    old_starts_at: int | None = None
    new_starts_at: int | None = None
    old_ends_at: int | None = None
    new_ends_at: int | None = None
    old_venue: str | None = None
    new_venue: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(self.changes))  # JSON gives a list


@payload(Kind.EVENT_CANCELLED)
@dataclass(frozen=True)
class EventCancelled(Payload):
    """The event was cancelled (DM to everyone going or waitlisted, with the reason)."""

    event_id: int
    reason: str | None = None
    status: str | None = None  # the member's RSVP when it was cancelled


@payload(Kind.EVENT_REMINDER)
@dataclass(frozen=True)
class EventReminder(Payload):
    """A reminder DM to a member going (offset: how long before the start it was due)."""

    event_id: int
    offset_seconds: int = 0
    starts_at: int | None = None


@payload(Kind.EVENT_REMINDER_POST)
@dataclass(frozen=True)
class EventReminderPost(Payload):
    """The same reminder posted in the announcement's channel, pinging the event's role."""

    event_id: int
    offset_seconds: int = 0
    starts_at: int | None = None
    role_id: int | None = None


@payload(Kind.EVENT_FEEDBACK_REQUEST)
@dataclass(frozen=True)
class FeedbackRequested(Payload):
    """After the event: ask a checked-in member how it was (DM with the feedback button)."""

    event_id: int
