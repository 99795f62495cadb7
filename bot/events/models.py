"""The events feature's things and limits: events, tickets, the no-show policy and the
read models the parts hand back (plain frozen dataclasses, no Discord types). What an
action returns is in results.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, NamedTuple

from bot.i18n import _

MAX_TITLE = 100
MAX_VENUE = 200
MAX_DESCRIPTION = 2000
MAX_CAPACITY = 100_000
MAX_REASON = 500
MAX_ONLINE_URL = 500  # as the column's CHECK (migration 0016)
DEFAULT_DURATION = 3 * 3600
MAX_DURATION = 30 * 86400
DEFAULT_REMINDER_OFFSETS = (86400, 3600)
# Registration questions: 4 keeps registering quick; 45 is Discord's limit on a modal
# input's label, 200 what the modal lets a member type per answer.
MAX_QUESTIONS = 4
MAX_QUESTION = 45
MAX_ANSWER = 200
# The check-in window: volunteers check members in from the guild's `checkin_window_hours`
# before the start (/settings checkin-window; 0 = from the start) until an hour after the
# end (late check-ins of people who came); organizers at any time. Feedback DMs go out an
# hour after the end.
DEFAULT_CHECKIN_WINDOW_HOURS = 24
MAX_CHECKIN_WINDOW_HOURS = 168
CHECKIN_GRACE_AFTER = 3600
FEEDBACK_DELAY = 3600
MAX_COMMENT = 1000
CURVE_SLOT = 15 * 60
# Members in poor standing get seats nobody in good standing took from this long before
# the start (see standing.py).
POOR_STANDING_RELEASE = 24 * 3600
# A scheduler job may wake a moment before the row's due time (clock steps, rounding);
# firing that early is fine, but a job left over from an old start time is not.
FIRE_EARLY_TOLERANCE = 5

RsvpStatus = Literal["going", "waitlist"]
RsvpOutcome = Literal["seated", "waitlisted", "already_going", "already_waitlisted"]
LeaveOutcome = Literal["was_going", "was_waitlisted", "not_registered"]
ReminderStatus = Literal["pending", "sent", "skipped", "cancelled"]
FireOutcome = Literal["sent", "skipped", "not_due", "noop"]
CheckInOutcome = Literal["checked_in", "walk_in", "already"]
StandingStatus = Literal["good", "poor"]


@dataclass(frozen=True)
class Event:
    id: int
    guild_id: int
    title: str
    city: str
    venue: str | None
    description: str | None
    starts_at: int  # epoch seconds, UTC
    ends_at: int
    capacity: int | None  # None = unlimited
    channel_id: int | None
    message_id: int | None
    role_id: int | None
    organizer_id: int
    status: Literal["scheduled", "cancelled"]
    cancel_reason: str | None
    scheduled_event_id: int | None
    sequence: int  # bumped on every edit and on cancel (iCalendar SEQUENCE)
    created_at: int
    updated_at: int
    going: int = 0
    waitlist: int = 0
    questions: tuple[str, ...] = ()  # asked when registering (answers go with the RSVP)
    series_id: int | None = None  # a recurring series' occurrence (series.py)
    series_index: int | None = None  # 0 = the series' first
    # https link for members going only (link_for); kept out of repr, so out of logs too.
    online_url: str | None = field(default=None, repr=False)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def starts(self) -> datetime:
        return datetime.fromtimestamp(self.starts_at, UTC)

    @property
    def ends(self) -> datetime:
        return datetime.fromtimestamp(self.ends_at, UTC)

    @property
    def seats_left(self) -> int | None:
        """None when unlimited; never negative (going may exceed a lowered capacity)."""
        return None if self.capacity is None else max(0, self.capacity - self.going)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.going >= self.capacity

    @property
    def location(self) -> str:
        """Where, as everyone may see it: `venue, city`, `Online · city` (a link and no
        venue), `venue, city · also online`, or just the city. Never the link itself."""
        if self.venue:
            place = f"{self.venue}, {self.city}"
            return _("{place} · also online", place=place) if self.online_url else place
        return _("Online · {city}", city=self.city) if self.online_url else self.city

    def link_for(self, status: RsvpStatus | None) -> str | None:
        """The online link as the member with this RSVP status may see it: only going
        members get it (not the waitlisted, nor anyone once the event is cancelled)."""
        return self.online_url if status == "going" and not self.cancelled else None

    def has_started(self, now: float) -> bool:
        return now >= self.starts_at

    def is_over(self, now: float) -> bool:
        return now >= self.ends_at

    def checkin_opens_at(self, window_hours: int) -> int:
        """When volunteers may start checking members in, under the guild's window."""
        return self.starts_at - window_hours * 3600

    def in_checkin_window(self, now: float, window_hours: int) -> bool:
        return self.checkin_opens_at(window_hours) <= now < self.checkin_closes_at

    @property
    def checkin_closes_at(self) -> int:
        return self.ends_at + CHECKIN_GRACE_AFTER

    @property
    def feedback_due_at(self) -> int:
        return self.ends_at + FEEDBACK_DELAY

    @property
    def seat_release_at(self) -> int:
        """From then on, seats left free go to members in poor standing too."""
        return self.starts_at - POOR_STANDING_RELEASE


@dataclass(frozen=True)
class Ticket:
    code: str  # 'K7QX-9M2P'; the QR code holds exactly this text
    event_id: int
    user_id: int
    issued_at: int
    voided_at: int | None = None
    void_reason: str | None = None  # 'left' (gave up the seat)

    @property
    def live(self) -> bool:
        return self.voided_at is None


@dataclass(frozen=True)
class NoShowPolicy:
    limit: int  # no-shows that put a member in poor standing; 0 = policy off
    window: int  # counted over the member's last `window` ended events

    @property
    def enabled(self) -> bool:
        return self.limit > 0


@dataclass(frozen=True)
class Standing:
    """A member's standing in a guild. Poor = the policy is on, the member has at least
    `limit` no-shows among their last `window` ended events, and the latest of those was a
    no-show. Attending one event (checked in, with a seat or as a walk-in) makes the latest
    an attendance, so standing is good again."""

    status: StandingStatus
    policy: NoShowPolicy
    no_shows: int  # no-shows among the events counted
    counted: int  # ended events counted (at most policy.window)
    last_attended: bool | None  # the latest ended event; None = no ended events yet

    @property
    def good(self) -> bool:
        return self.status == "good"


class MemberRecord(NamedTuple):
    """`attended, no_shows = record`, over this guild's ended, not cancelled events where
    the member had a seat or checked in (a walk-in counts as attended)."""

    attended: int
    no_shows: int


@dataclass(frozen=True)
class MemberStatus:
    status: RsvpStatus | None  # None = not registered
    seat: int | None
    position: int | None


@dataclass(frozen=True)
class MyEvent:
    event: Event
    status: RsvpStatus
    seat: int | None
    position: int | None

    @property
    def online_link(self) -> str | None:
        """The link, for an event the member is going to."""
        return self.event.link_for(self.status)


@dataclass(frozen=True)
class Attendee:
    user_id: int
    status: RsvpStatus
    rsvp_time: str  # ISO 8601, UTC, e.g. 2026-07-20T09:15:02Z
    seat: int | None  # 1.. for going
    position: int | None  # 1.. for waitlist
    answers: tuple[tuple[str, str], ...] = ()  # (question, answer), as asked when registering
    standing: StandingStatus = "good"  # now, under the guild's no-show policy
    checked_in: str | None = None  # ISO 8601, UTC
    behind: bool = False  # waiting behind members in good standing


@dataclass(frozen=True)
class Reminder:
    id: int
    event_id: int
    guild_id: int
    offset_seconds: int
    due_at: int
    status: ReminderStatus
    processed_at: int | None


@dataclass(frozen=True)
class CheckIn:
    user_id: int | None  # None once the member's data was deleted
    checked_in_at: int
    by_user_id: int | None
    code: str | None
    walk_in: bool


@dataclass(frozen=True)
class CheckInChoice:
    """An event a member can be checked in to now (the member's context menu), with their
    RSVP there: going, waitlist, or None (they would be a walk-in)."""

    event: Event
    status: RsvpStatus | None


@dataclass(frozen=True)
class EventStats:
    event: Event
    going: int
    waitlisted: int
    checked_in: int  # everyone checked in, walk-ins included
    walk_ins: int  # checked in without a seat (waitlisted or no RSVP)
    no_shows: int | None  # seated and not checked in; None until the event has ended
    undelivered: int  # this event's messages that failed (closed DMs, …)
    curve: tuple[tuple[int, int], ...]  # (slot start epoch, check-ins), 15-min slots, gaps = 0
    ended: bool
    curve_walk_ins: tuple[int, ...] = ()  # how many of each curve slot's check-ins were walk-ins


@dataclass(frozen=True)
class SeatRelease:
    """A job for the cog: at release_at call `seats.release(event_id)`."""

    event_id: int
    guild_id: int
    release_at: int


@dataclass(frozen=True)
class FeedbackJob:
    """A job for the cog: at due_at call `feedback.request(event_id)`."""

    event_id: int
    guild_id: int
    due_at: int


@dataclass(frozen=True)
class FeedbackDue:
    event: Event
    members: tuple[int, ...]  # checked-in members, in check-in order


@dataclass(frozen=True)
class Feedback:
    event_id: int
    user_id: int
    rating: int
    comment: str | None
    created_at: int


@dataclass(frozen=True)
class FeedbackComment:
    rating: int
    comment: str
    created_at: int


@dataclass(frozen=True)
class FeedbackSummary:
    """Anonymous: organizers see ratings and comments, never who wrote them."""

    event: Event
    count: int
    average: float | None  # None when nobody rated
    distribution: dict[int, int]  # rating 1..5 → count (every key present)
    comments: tuple[FeedbackComment, ...]  # oldest first
