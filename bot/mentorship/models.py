"""What the mentorship services hand back: plain frozen dataclasses, no Discord types.

Member ids on proposals and matches are `None` once that member's data was deleted
(the rows stay, anonymous, so the guild's counts do not change).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.cooldowns import Limit
from bot.i18n import N_
from bot.schedules import Schedule

Clock = Callable[[], float]  # epoch seconds; tests pass their own

MIN_CAPACITY = 1
MAX_CAPACITY = 10
MAX_BIO = 300
MAX_GOAL = 300
MAX_COMMENT = 1000
MAX_LANGUAGE_NAME = 30
MAX_LANGUAGES = 25  # an autocomplete shows at most 25 choices
PROPOSAL_TTL = 72 * 3600  # a proposal not answered by both within 72 h expires
CHECKIN_AFTER = 14 * 86400  # both sides get a check-in 14 days into a match
DEFAULT_SCHEDULE = "weekly mon 18:00"
DEFAULT_LANGUAGES = ("English", "Urdu")
DAY = 86400
# /mentee request per member (organizers exempt): a burst of requests would fill the
# queue and the outbox for everyone.
REQUEST_COOLDOWN = Limit(3, 600, N_("ask for a mentor"))

ProfileStatus = Literal["active", "paused", "left"]
RequestStatus = Literal["open", "proposed", "matched", "cancelled", "closed"]
ProposalStatus = Literal["pending", "accepted", "declined", "expired", "withdrawn"]
AnswerValue = Literal["accepted", "declined"]
MatchStatus = Literal["active", "ended"]
Role = Literal["mentor", "mentee"]
CheckinAnswer = Literal["going_well", "not_met", "need_help"]
CHECKIN_ANSWERS: tuple[CheckinAnswer, ...] = ("going_well", "not_met", "need_help")
# A match ends because a side ended it, the mentor left, or a side's data was deleted.
EndReason = Literal["ended", "mentor_left", "data_deleted"]
# Why a request is re-routed: its proposal was declined, expired or withdrawn.
RerouteReason = Literal["declined", "expired", "withdrawn"]
AnswerResult = Literal["accepted", "matched", "declined", "unchanged"]
RoundTrigger = Literal["manual", "scheduled"]


@dataclass(frozen=True)
class MentorProfile:
    guild_id: int
    user_id: int
    topics: tuple[str, ...]  # canonical topic names, in the order given
    capacity: int
    city: str | None  # a guild city, "Remote", or None (not given: matches any city)
    languages: tuple[str, ...]
    levels: tuple[str, ...]  # the mentee levels served (all three by default)
    bio: str | None
    status: ProfileStatus
    created_at: int
    updated_at: int
    active_mentees: int = 0
    pending_proposals: int = 0  # each one holds a place until answered or expired

    @property
    def free_places(self) -> int:
        """capacity − active matches − pending proposals (never below 0: a lowered
        capacity keeps the mentees already there)."""
        return max(0, self.capacity - self.active_mentees - self.pending_proposals)

    @property
    def available(self) -> bool:
        """Gets new proposals: active (not paused, not left) with a free place."""
        return self.status == "active" and self.free_places > 0


@dataclass(frozen=True)
class MenteeRequest:
    """Private: shown only to the member, the proposed/matched mentor and organizers."""

    id: int
    guild_id: int
    user_id: int
    status: RequestStatus
    topics: tuple[str, ...]
    goal: str | None
    city: str | None
    language: str | None
    level: str | None
    created_at: int  # waiting since (kept when the request is updated or re-routed)
    updated_at: int
    closed_at: int | None

    @property
    def is_open(self) -> bool:
        """Still waiting for a mentor (with or without a pending proposal)."""
        return self.status in ("open", "proposed")

    def days_waiting(self, now: float) -> float:
        return max(0.0, (now - self.created_at) / DAY)


@dataclass(frozen=True)
class RequestUpdate:
    """What `/mentee request` did: `previous` is the open request it updated (None: a
    new request), `changes` says what changed in words (empty: nothing did)."""

    request: MenteeRequest
    previous: MenteeRequest | None
    changes: tuple[str, ...]  # e.g. ("topics NLP → NLP, MLOps", "goal changed")


@dataclass(frozen=True)
class Proposal:
    id: int
    guild_id: int
    request_id: int | None
    mentor_id: int | None
    mentee_id: int | None
    status: ProposalStatus
    mentor_answer: AnswerValue | None
    mentee_answer: AnswerValue | None
    score: float
    reasons: tuple[str, ...]  # e.g. ("shared topic: NLP", "both speak Urdu")
    created_at: int
    expires_at: int
    decided_at: int | None
    origin: Literal["round", "reroute"]

    def role_of(self, user_id: int) -> Role | None:
        # A blanked id (deleted member) is nobody's.
        if user_id is None:
            return None
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None

    def other(self, user_id: int) -> int | None:
        """The other side's member id (None if their data was deleted)."""
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id

    def answer_of(self, role: Role) -> AnswerValue | None:
        return self.mentor_answer if role == "mentor" else self.mentee_answer


@dataclass(frozen=True)
class Match:
    id: int
    guild_id: int
    request_id: int | None
    proposal_id: int | None
    mentor_id: int | None
    mentee_id: int | None
    topics: tuple[str, ...]  # the shared topics
    status: MatchStatus
    started_at: int
    ended_at: int | None
    ended_by: int | None
    end_reason: EndReason | None
    thread_id: int | None
    intro_sent_at: int | None  # when the intro was posted in the thread or owed by DM
    checkin_due_at: int
    checkin_sent_at: int | None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def role_of(self, user_id: int) -> Role | None:
        # A blanked id (deleted member) is nobody's.
        if user_id is None:
            return None
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None

    def other(self, user_id: int) -> int | None:
        """The other side's member id (None if their data was deleted)."""
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id


@dataclass(frozen=True)
class Feedback:
    id: int
    match_id: int
    from_role: Role
    rating: int
    comment: str | None
    created_at: int


@dataclass(frozen=True)
class CheckinOutcome:
    match: Match
    answer: CheckinAnswer
    changed: bool  # False: the same answer was already recorded
    alerted: bool  # an organizer notice was owed now (organizer channel, never a public one)


@dataclass(frozen=True)
class Reroute:
    """What happened to a request whose proposal was declined, expired or withdrawn."""

    request_id: int
    previous_proposal_id: int
    reason: RerouteReason
    proposal: Proposal | None  # the new proposal; None = nobody left, back to waiting


@dataclass(frozen=True)
class AnswerOutcome:
    result: AnswerResult  # 'accepted' = waiting for the other side; 'unchanged' = a repeat
    role: Role
    proposal: Proposal  # after this answer
    match: Match | None = None  # the match (result 'matched', or a repeat after it)
    reroute: Reroute | None = None  # after a decline

    @property
    def changed(self) -> bool:
        return self.result != "unchanged"


@dataclass(frozen=True)
class ExpiryOutcome:
    proposal: Proposal  # now 'expired'
    reroute: Reroute | None  # None if the request was no longer waiting


@dataclass(frozen=True)
class LeaveOutcome:
    profile: MentorProfile  # status 'left'
    withdrawn: tuple[int, ...]  # pending proposal ids withdrawn
    reroutes: tuple[Reroute, ...]  # one per withdrawn proposal whose request still waited
    ended: tuple[Match, ...]  # active matches ended (each mentee is told)
    changed: bool  # False: the member had already left


@dataclass(frozen=True)
class UnmatchedRequest:
    request_id: int
    user_id: int
    reason: str  # matching.NO_SHARED_TOPIC | NO_FREE_PLACES | ONLY_EXCLUDED


@dataclass(frozen=True)
class RoundSummary:
    guild_id: int
    ran_at: int
    trigger: RoundTrigger
    requests: int  # open requests considered
    mentors: int  # active mentors considered (with or without free places)
    proposal_ids: tuple[int, ...]
    unmatched: tuple[UnmatchedRequest, ...]
    total_score: float

    @property
    def matched(self) -> int:
        return len(self.proposal_ids)

    @property
    def reasons(self) -> dict[str, int]:
        """How many requests were left for each reason."""
        return dict(Counter(u.reason for u in self.unmatched))


@dataclass(frozen=True)
class MemberStatus:
    profile: MentorProfile | None
    requests: tuple[MenteeRequest, ...]  # newest first
    proposals: tuple[Proposal, ...]  # as mentor or mentee, newest first
    matches: tuple[Match, ...]  # as mentor or mentee, active first, then newest


@dataclass(frozen=True)
class MentorshipStats:
    active_mentors: int
    paused_mentors: int
    places_total: int  # capacity of active mentors
    places_used: int  # their active matches
    places_held: int  # their pending proposals
    places_free: int
    open_requests: int  # open or proposed
    median_wait_days: float | None  # of open requests, None if there are none
    proposals_pending: int
    proposals_accepted: int
    proposals_declined: int
    proposals_expired: int
    proposals_withdrawn: int
    active_matches: int
    ended_matches: int
    feedback_count: int
    average_rating: float | None


@dataclass(frozen=True)
class MentorshipSettings:
    guild_id: int
    schedule: str  # normalised schedule text
    schedule_description: str  # e.g. "every Monday at 18:00 (Asia/Karachi)"
    channel_id: int | None  # where private match threads are made; None = intro by DM
    last_round_at: int | None
    next_round_at: int | None


@dataclass(frozen=True)
class RoundPlan:
    """What the scheduler must run: `rounds.run_scheduled(guild_id)` on `schedule.trigger()`,
    and at once if `overdue` (a tick was missed while the bot was down)."""

    guild_id: int
    schedule: Schedule
    next_at: int | None
    overdue: bool


@dataclass(frozen=True)
class Due:
    """A row that waits for a time: a pending proposal's expiry (`id` = proposal id) or
    an active match's check-in (`id` = match id). cogs/mentorship/_timers.py schedules
    one job per Due; a job that fires early is told the Due again (fire it then)."""

    id: int
    guild_id: int
    at: int  # epoch seconds


@dataclass(frozen=True)
class ProposalView:
    """Everything a proposal DM shows: the mentee sees the mentor's profile, the mentor
    sees the request (with its goal: this is a DM to the proposed mentor only)."""

    proposal: Proposal
    request: MenteeRequest | None
    mentor: MentorProfile | None


@dataclass(frozen=True)
class MatchView:
    """The intro for the private thread (or DMs): goal, shared topics, a first step."""

    match: Match
    request: MenteeRequest | None
    mentor: MentorProfile | None
    first_step: str


@dataclass(frozen=True)
class DeletedMentorshipData:
    profile_removed: bool
    requests_removed: int
    proposals_withdrawn: int
    reroutes: tuple[Reroute, ...]
    matches_ended: int
    feedback_anonymised: int
    checkins_removed: int
    exclusions_removed: int
