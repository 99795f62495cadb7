"""What the events parts' actions return: plain frozen dataclasses, no Discord types.
Every result that changes seats says what it owes Discord as one `SeatChange`
(`result.seats`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.events.models import (
    DEFAULT_CHECKIN_WINDOW_HOURS,
    CheckInOutcome,
    Event,
    FireOutcome,
    LeaveOutcome,
    RsvpOutcome,
    RsvpStatus,
    Standing,
    Ticket,
)


@dataclass(frozen=True)
class SeatChange:
    """What a change of seats owes Discord once its transaction committed — the one
    shape every seat-changing result hands the cog (`result.seats`), applied in one place
    (cogs/events/_feature.py `EventsFeature.apply`)."""

    event_id: int
    recount: bool = False  # the going/waitlist counts changed: refresh the announcement
    owed: bool = False  # outbox rows written (promotion DMs, role syncs): wake the deliverer
    promoted: tuple[int, ...] = ()  # seated from the waitlist because of it
    release_at: int | None = None  # seats still free then go to those behind: schedule it


@dataclass(frozen=True)
class RsvpResult:
    outcome: RsvpOutcome
    event: Event  # with the counts after this click
    seat: int | None  # rank among going, by click order (when going)
    capacity: int | None
    position: int | None  # place on the waitlist, 1 = next in (when waitlisted)
    ticket: Ticket | None = None  # when going: DM it (new seat) or show it again
    behind: bool = False  # waiting behind members in good standing (the no-show policy)
    standing: Standing | None = None  # when behind: why (no-shows) and how it clears
    release_at: int | None = None  # when behind: seats still free then go to them

    @property
    def going(self) -> bool:
        return self.outcome in ("seated", "already_going")

    @property
    def changed(self) -> bool:
        return self.outcome in ("seated", "waitlisted")

    @property
    def seats(self) -> SeatChange:
        """A new seat owes the event's role (written in its transaction); waiting behind
        needs the seat release armed."""
        role_owed = self.outcome == "seated" and self.event.role_id is not None
        return SeatChange(
            self.event.id, recount=self.changed, owed=role_owed, release_at=self.release_at
        )


@dataclass(frozen=True)
class LeaveResult:
    outcome: LeaveOutcome
    event: Event  # with the counts after leaving
    promoted: tuple[int, ...]  # seated from the waitlist because of this (grant the role)
    voided_ticket: str | None = None  # the leaver's ticket code, now refused at the door

    @property
    def promoted_user_id(self) -> int | None:
        return self.promoted[0] if self.promoted else None

    @property
    def changed(self) -> bool:
        return self.outcome != "not_registered"

    @property
    def seats(self) -> SeatChange:
        """Promotion DMs, and the role taken back and given on."""
        owed = self.changed and (bool(self.promoted) or self.event.role_id is not None)
        return SeatChange(self.event.id, recount=self.changed, owed=owed, promoted=self.promoted)


@dataclass(frozen=True)
class EditResult:
    event: Event
    changed: tuple[str, ...]  # field names that changed, e.g. ("starts_at", "capacity")
    promoted: tuple[int, ...]  # user ids moved from waitlist to going, in order
    over_capacity: int  # how many more are going than the new capacity (all kept), else 0
    notified: int  # 'event.changed' DMs enqueued

    @property
    def time_changed(self) -> bool:
        return "starts_at" in self.changed or "ends_at" in self.changed

    @property
    def seats(self) -> SeatChange:
        """Any change may promote, and a change of time or place DMs everyone going."""
        changed = bool(self.changed)
        return SeatChange(self.event.id, recount=changed, owed=changed, promoted=self.promoted)


@dataclass(frozen=True)
class ReminderFire:
    reminder_id: int
    outcome: FireOutcome
    reason: str  # sent | started | superseded | cancelled | already_<status> | missing | not_due
    event_id: int | None = None
    guild_id: int | None = None
    dms: int = 0  # 'event.reminder' DMs enqueued
    channel_post: bool = False  # 'event.reminder.channel' enqueued
    due_at: int | None = None  # for not_due: schedule again at this time


@dataclass(frozen=True)
class DeletedMemberData:
    rsvps_removed: int  # answers go with them
    promoted: tuple[tuple[int, int], ...]  # (event_id, user_id) seated because of it
    prefs_removed: bool
    tickets_removed: int = 0
    checkins_anonymized: int = 0  # rows kept without the member, so counts stay
    feedback_anonymized: int = 0  # ratings kept without the member; comments deleted

    @property
    def seats(self) -> tuple[SeatChange, ...]:
        """One change per event whose freed seats were passed on."""
        by_event: dict[int, list[int]] = {}
        for event_id, user_id in self.promoted:
            by_event.setdefault(event_id, []).append(user_id)
        return tuple(
            SeatChange(event_id, recount=True, owed=True, promoted=tuple(users))
            for event_id, users in by_event.items()
        )


@dataclass(frozen=True)
class CheckInResult:
    outcome: CheckInOutcome  # 'already': checked in before, nothing recorded now
    event: Event
    member_id: int
    status: RsvpStatus | None  # their RSVP: going, waitlist, or None (no RSVP)
    walk_in: bool  # recorded as a walk-in (for 'already': the first check-in was)
    checked_in_at: int  # now, or when the first check-in happened
    by_user_id: int | None  # who checked them in (the first time, for 'already')
    code: str | None  # their ticket, if seated
    seat: int | None
    # Recorded by an organizer while volunteers couldn't (before the window or after it
    # closed); window_hours is the guild's window it was decided under.
    outside_window: bool = False
    window_hours: int = DEFAULT_CHECKIN_WINDOW_HOURS


@dataclass(frozen=True)
class SeatReleaseResult:
    outcome: Literal["released", "not_due", "noop"]
    event_id: int
    guild_id: int | None
    promoted: tuple[int, ...] = ()  # seated now ('event.promoted' DMs enqueued; grant roles)
    due_at: int | None = None  # for not_due: schedule again at this time

    @property
    def seats(self) -> SeatChange:
        released = self.outcome == "released"
        return SeatChange(self.event_id, recount=released, owed=released, promoted=self.promoted)


@dataclass(frozen=True)
class FeedbackRequest:
    outcome: Literal["sent", "not_due", "skipped", "noop"]
    reason: str  # sent | not_due | cancelled | already_sent | missing
    event_id: int
    guild_id: int | None = None
    enqueued: int = 0  # 'event.feedback_request' DMs
    due_at: int | None = None
