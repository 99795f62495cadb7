"""Mentorship over the store: profiles, requests, rounds, answers, timers, matches.

Every decision (a round's proposals, an answer, an expiry, a leave) is made inside
one `db.transaction()` (BEGIN IMMEDIATE) that reads and writes together, so two
clicks or a click racing the expiry timer cannot both win. Messages owed because of
a decision are written to the outbox in that same transaction, with dedupe keys
`mentorship:…`, so a repeat enqueues nothing.

Capacity: a mentor's free places are capacity − active matches − pending proposals.
A pending proposal holds its place until it is accepted (the place stays used by
the match), declined, expired or withdrawn (the place is free again).

Privacy: outbox payloads carry ids, roles and reasons only; the renderer reads the
rest through `proposal_view`/`match_view` for the member the DM is for. A request's
goal never goes into a payload, and the organizer notice of a struggling match carries
its id and the answer only (to the organizer-only channel, never a public one).

Timers live in the database: `next_timer_at()` is the earliest proposal expiry or
check-in due, `run_timers()` serves everything due; rounds follow the guild's
schedule (`round_plan`, `run_scheduled_round`), and a tick already served is never
run again.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from bot import organizer_notices, outbox
from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.guilds import GuildSettings
from bot.mentorship import matching
from bot.mentorship import profiles as pf
from bot.mentorship.models import (
    CHECKIN_AFTER,
    CHECKIN_ANSWERS,
    DEFAULT_SCHEDULE,
    PROPOSAL_TTL,
    AnswerOutcome,
    CheckinAnswer,
    CheckinOutcome,
    DeletedMentorshipData,
    ExpiryOutcome,
    Feedback,
    LeaveOutcome,
    Match,
    MatchView,
    MemberStatus,
    MenteeRequest,
    MentorProfile,
    MentorshipSettings,
    MentorshipStats,
    Proposal,
    ProposalView,
    Reroute,
    RerouteReason,
    Role,
    RoundPlan,
    RoundSummary,
    RoundTrigger,
    TimerRun,
    UnmatchedRequest,
)
from bot.schedules import Schedule, parse_schedule
from bot.taxonomy import LEVELS, Taxonomy, resolve_level

# A scheduled job may fire a moment before the stored tick; treat that as due.
DUE_GRACE_SECONDS = 5
MAX_PER_PAGE = 25
STATUS_LIMIT = 10

# Outbox kinds (each cog renderer reads the rest by id).
KIND_PROPOSAL = "mentorship.proposal"  # {proposal_id, role} to each side
KIND_REROUTED = "mentorship.rerouted"  # to the mentee: a new proposal after a close
KIND_NO_MENTOR = "mentorship.no_mentor"  # to the mentee: nobody left, back to waiting
KIND_DECLINED = "mentorship.declined"  # to the mentor: the mentee declined
KIND_EXPIRED = "mentorship.expired"  # to the mentor: 72 h passed without both answers
KIND_WITHDRAWN = "mentorship.withdrawn"  # to the mentor: the request was cancelled
KIND_MATCHED = "mentorship.matched"  # to each side: the intro, when there is no thread
KIND_ENDED = "mentorship.ended"  # to the other side of an ended match
KIND_CHECKIN = "mentorship.checkin"  # to each side, 14 days in
# A "not met" or "need help" check-in is an organizer notice (bot/organizer_notices.py),
# never a post in a public channel: match id and answer only.
_ALERT = {"not_met": "they haven't met yet", "need_help": "they'd like some help"}

_EXPIRED = "This proposal has expired: it wasn't answered by both sides within 72 hours."
_WITHDRAWN = (
    "This proposal was withdrawn (the mentor stepped down or the request was cancelled), "
    "so it can't be answered any more."
)
_DECLINED = "This proposal was declined, so it can't be answered any more."
_NOT_YOURS = "This proposal isn't yours."
_MATCH_NOT_YOURS = "This mentorship isn't yours."

_PROPOSAL_COLUMNS = (
    "id, guild_id, request_id, mentor_id, mentee_id, status, mentor_answer, mentee_answer,"
    " score, reasons, created_at, expires_at, decided_at, origin"
)
_MATCH_COLUMNS = (
    "id, guild_id, request_id, proposal_id, mentor_id, mentee_id, topics, status, started_at,"
    " ended_at, ended_by, end_reason, thread_id, intro_sent_at, checkin_due_at, checkin_sent_at"
)
_REQUEST_COLUMNS = (
    "id, guild_id, user_id, status, topics, goal, city, language, level, created_at,"
    " updated_at, closed_at"
)
_OPEN = "('open', 'proposed')"

# `None` leaves a profile or request field as it is.
_KEEP: Any = None


def _proposal(row: sqlite3.Row) -> Proposal:
    return Proposal(**{**dict(row), "reasons": tuple(json.loads(row["reasons"]))})


def _match(row: sqlite3.Row) -> Match:
    return Match(**{**dict(row), "topics": tuple(json.loads(row["topics"]))})


def _request(row: sqlite3.Row) -> MenteeRequest:
    return MenteeRequest(**{**dict(row), "topics": tuple(json.loads(row["topics"]))})


def _key(*parts: object) -> str:
    return ":".join(["mentorship", *map(str, parts)])


def _other_role(role: Role) -> Role:
    return "mentee" if role == "mentor" else "mentor"


def _shared(request_topics: Sequence[str], mentor_topics: Iterable[str]) -> tuple[str, ...]:
    theirs = {t.casefold() for t in mentor_topics}
    return tuple(t for t in request_topics if t.casefold() in theirs)


def first_step(match: Match, has_goal: bool = True) -> str:
    """A suggested first step for the intro (no private text: the goal is shown apart)."""
    topics = ", ".join(match.topics) or "the topics you share"
    bring = "the goal above" if has_goal else "what you want to learn"
    return (
        f"Pick a time for a first 30-minute call this week. Mentee: bring {bring}; "
        f"mentor: suggest one small thing to try in {topics} before you meet again."
    )


class MentorshipService:
    """The mentorship feature's rules. `clock` returns epoch seconds (tests pass their own)."""

    def __init__(
        self,
        db: Database,
        guilds: GuildSettings,
        taxonomy: Taxonomy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.taxonomy = taxonomy
        self.clock = clock

    def _now(self) -> int:
        return int(self.clock())

    async def _ensure(self, guild_id: int) -> None:
        """The guild's mentorship settings row and languages, the first time only."""
        if await self.db.fetchone(
            "SELECT 1 FROM mentorship_settings WHERE guild_id = ?", (guild_id,)
        ):
            return
        await self.guilds.ensure(guild_id)
        now = self._now()
        async with self.db.transaction():
            created = await self.db.execute_rowcount(
                "INSERT OR IGNORE INTO mentorship_settings(guild_id, schedule, schedule_set_at,"
                " created_at) VALUES (?, ?, ?, ?)",
                (guild_id, DEFAULT_SCHEDULE, now, now),
            )
            if created:
                await pf.ensure_languages(self.db, guild_id)

    async def _dm(
        self,
        guild_id: int,
        user_id: int | None,
        kind: str,
        payload: dict[str, Any],
        key: str,
        now: int,
    ) -> bool:
        if user_id is None:  # that member's data was deleted
            return False
        return await outbox.enqueue(
            self.db,
            guild_id=guild_id,
            kind=kind,
            user_id=user_id,
            payload=payload,
            due_at=now,
            dedupe_key=key,
        )

    # --- languages -------------------------------------------------------------------
    async def languages(self, guild_id: int) -> list[str]:
        """The languages members may pick here (English and Urdu, then any added)."""
        await self._ensure(guild_id)
        return await pf.languages(self.db, guild_id)

    async def add_language(self, guild_id: int, name: str) -> str:
        """Organizers: add a language; AlreadyExists if it is there (any case)."""
        await self._ensure(guild_id)
        return await pf.add_language(self.db, guild_id, name)

    # --- profiles --------------------------------------------------------------------
    async def join(
        self,
        guild_id: int,
        user_id: int,
        *,
        topics: str,
        capacity: int,
        city: str | None = None,
        languages: str | None = None,
        levels: str | None = None,
        bio: str | None = None,
    ) -> MentorProfile:
        """Create or update the member's mentor profile.

        Optional fields given as None keep their current value (on creation: no city,
        the guild's first language, all levels, no bio); an empty city or bio clears
        it. Every input is checked before anything is written. Joining again after
        leaving re-activates the profile; a paused profile stays paused.
        """
        await self._ensure(guild_id)
        topic_names = await pf.parse_topics(self.taxonomy, guild_id, topics)
        cap = pf.check_capacity(capacity)
        city_name = (
            _KEEP
            if city is None
            else (await pf.parse_city(self.guilds, guild_id, city) if city.strip() else "")
        )
        langs = (
            _KEEP
            if languages is None or not languages.strip()
            else await pf.parse_languages(self.db, guild_id, languages)
        )
        level_names = _KEEP if levels is None else pf.parse_levels(levels)
        bio_text = _KEEP if bio is None else (pf.clean_bio(bio) or "")
        now = self._now()
        async with self.db.transaction():
            old = await pf.load_profile(self.db, guild_id, user_id)
            if langs is _KEEP:
                langs = old.languages if old else tuple((await pf.languages(self.db, guild_id))[:1])
            await pf.save_profile(
                self.db,
                guild_id,
                user_id,
                topics=topic_names,
                capacity=cap,
                city=(old.city if old else None) if city_name is _KEEP else (city_name or None),
                languages=langs,
                levels=(old.levels if old else LEVELS) if level_names is _KEEP else level_names,
                bio=(old.bio if old else None) if bio_text is _KEEP else (bio_text or None),
                status="paused" if old and old.status == "paused" else "active",
                now=now,
            )
            profile = await pf.load_profile(self.db, guild_id, user_id)
        assert profile is not None
        return profile

    async def _own_profile(self, guild_id: int, user_id: int) -> MentorProfile:
        profile = await pf.load_profile(self.db, guild_id, user_id)
        if profile is None:
            raise NotFound("You don't have a mentor profile here; use /mentor join to create one.")
        if profile.status == "left":
            raise NotFound("You left mentoring here; use /mentor join to come back.")
        return profile

    async def _set_status(self, guild_id: int, user_id: int, status: str) -> MentorProfile:
        async with self.db.transaction():
            profile = await self._own_profile(guild_id, user_id)
            if profile.status != status:
                await self.db.execute(
                    "UPDATE mentor_profiles SET status = ?, updated_at = ?"
                    " WHERE guild_id = ? AND user_id = ?",
                    (status, self._now(), guild_id, user_id),
                )
            fresh = await pf.load_profile(self.db, guild_id, user_id)
        assert fresh is not None
        return fresh

    async def pause(self, guild_id: int, user_id: int) -> MentorProfile:
        """No new proposals; pending proposals stay open and current mentees are kept."""
        return await self._set_status(guild_id, user_id, "paused")

    async def resume(self, guild_id: int, user_id: int) -> MentorProfile:
        return await self._set_status(guild_id, user_id, "active")

    async def leave(self, guild_id: int, user_id: int) -> LeaveOutcome:
        """Stop mentoring: pending proposals are withdrawn and their requests re-routed at
        once; active matches end and each mentee is told. Leaving twice changes nothing."""
        now = self._now()
        async with self.db.transaction():
            profile = await pf.load_profile(self.db, guild_id, user_id)
            if profile is None:
                raise NotFound("You don't have a mentor profile here.")
            await self.db.execute(
                "UPDATE mentor_profiles SET status = 'left', updated_at = ?"
                " WHERE guild_id = ? AND user_id = ? AND status != 'left'",
                (now, guild_id, user_id),
            )
            withdrawn, reroutes = await self._withdraw_as_mentor(guild_id, user_id, now)
            ended = await self._end_as_mentor(guild_id, user_id, "mentor_left", now)
            fresh = await pf.load_profile(self.db, guild_id, user_id)
        assert fresh is not None
        changed = profile.status != "left" or bool(withdrawn or ended)
        return LeaveOutcome(fresh, withdrawn, reroutes, ended, changed)

    async def _withdraw_as_mentor(
        self, guild_id: int, user_id: int, now: int
    ) -> tuple[tuple[int, ...], tuple[Reroute, ...]]:
        rows = await self.db.fetchall(
            f"SELECT {_PROPOSAL_COLUMNS} FROM mentorship_proposals"
            " WHERE guild_id = ? AND mentor_id = ? AND status = 'pending' ORDER BY id",
            (guild_id, user_id),
        )
        reroutes: list[Reroute] = []
        for row in rows:
            proposal = _proposal(row)
            await self._withdraw(proposal, now)
            reroute = await self._reroute(proposal, "withdrawn", now)
            if reroute is not None:
                reroutes.append(reroute)
        return tuple(r["id"] for r in rows), tuple(reroutes)

    async def _end_as_mentor(
        self, guild_id: int, user_id: int, reason: str, now: int
    ) -> tuple[Match, ...]:
        rows = await self.db.fetchall(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches"
            " WHERE guild_id = ? AND mentor_id = ? AND status = 'active' ORDER BY id",
            (guild_id, user_id),
        )
        return tuple([await self._end(_match(r), user_id, reason, now) for r in rows])

    async def profile(self, guild_id: int, user_id: int) -> MentorProfile:
        """A mentor's public profile; NotFound if they are not (or no longer) a mentor."""
        profile = await pf.load_profile(self.db, guild_id, user_id)
        if profile is None or profile.status == "left":
            raise NotFound("That member isn't a mentor here.")
        return profile

    async def is_active_mentor(self, guild_id: int, user_id: int) -> bool:
        """An active (not paused, not left) mentor: may add resources to the library."""
        profile = await pf.load_profile(self.db, guild_id, user_id)
        return profile is not None and profile.status == "active"

    async def list_mentors(
        self, guild_id: int, topic: str | None = None, page: int = 0, per_page: int = 10
    ) -> tuple[list[MentorProfile], int]:
        """Active mentors with free places (most free places first), one page, and the total."""
        where: str = "p.status = 'active'"
        params: list[Any] = []
        if topic is not None and topic.strip():
            name = await self.taxonomy.resolve_topic(guild_id, topic)
            where += (
                " AND EXISTS (SELECT 1 FROM mentor_topics x WHERE x.guild_id = p.guild_id"
                " AND x.user_id = p.user_id AND x.topic = ?)"
            )
            params.append(name)
        found = [p for p in await pf.load_profiles(self.db, guild_id, where, params) if p.available]
        found.sort(key=lambda p: (-p.free_places, p.created_at, p.user_id))
        per_page = max(1, min(MAX_PER_PAGE, per_page))
        start = max(0, page) * per_page
        return found[start : start + per_page], len(found)

    async def free_places(self, guild_id: int, user_id: int) -> int:
        """capacity − active matches − pending proposals (0 for a non-mentor; a paused
        mentor keeps the number but gets no proposals)."""
        profile = await pf.load_profile(self.db, guild_id, user_id)
        return 0 if profile is None or profile.status == "left" else profile.free_places

    # --- requests ----------------------------------------------------------------------
    async def open_request(self, guild_id: int, user_id: int) -> MenteeRequest | None:
        row = await self.db.fetchone(
            f"SELECT {_REQUEST_COLUMNS} FROM mentee_requests WHERE guild_id = ? AND user_id = ?"
            f" AND status IN {_OPEN}",
            (guild_id, user_id),
        )
        return None if row is None else _request(row)

    async def request(
        self,
        guild_id: int,
        user_id: int,
        *,
        topics: str,
        goal: str | None = None,
        city: str | None = None,
        language: str | None = None,
        level: str | None = None,
    ) -> MenteeRequest:
        """Ask for a mentor (one open request per member per guild; a second call updates it,
        keeping its place in the queue). None keeps a field, an empty string clears it.

        Refused: while a proposal for it awaits answers (answer or cancel first), and for a
        topic of one of the member's active matches (a member may have mentors for
        different topics, never two at once for the same one).
        """
        await self._ensure(guild_id)
        topic_names = await pf.parse_topics(self.taxonomy, guild_id, topics)
        goal_text = _KEEP if goal is None else (pf.clean_goal(goal) or "")
        city_name = (
            _KEEP
            if city is None
            else (await pf.parse_city(self.guilds, guild_id, city) if city.strip() else "")
        )
        lang = (
            _KEEP
            if language is None
            else (await pf.parse_language(self.db, guild_id, language) if language.strip() else "")
        )
        level_name = _KEEP if level is None else (resolve_level(level) if level.strip() else "")
        now = self._now()
        async with self.db.transaction():
            old = await self.open_request(guild_id, user_id)
            if old is not None and old.status == "proposed":
                raise NotAllowed(
                    "A mentor has been proposed for your request: accept or decline that "
                    "proposal first, or use /mentee cancel."
                )
            await self._check_topics_free(guild_id, user_id, topic_names)

            def pick(new: Any, current: str | None) -> str | None:
                return current if new is _KEEP else (new or None)

            values = (
                json.dumps(list(topic_names)),
                pick(goal_text, old.goal if old else None),
                pick(city_name, old.city if old else None),
                pick(lang, old.language if old else None),
                pick(level_name, old.level if old else None),
                now,
            )
            if old is None:
                request_id = await self.db.execute(
                    "INSERT INTO mentee_requests(topics, goal, city, language, level, updated_at,"
                    " guild_id, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, guild_id, user_id, now),
                )
            else:
                request_id = old.id
                await self.db.execute(
                    "UPDATE mentee_requests SET topics = ?, goal = ?, city = ?, language = ?,"
                    " level = ?, updated_at = ? WHERE id = ?",
                    (*values, request_id),
                )
            request = await self._load_request(request_id)
        assert request is not None
        return request

    async def _check_topics_free(self, guild_id: int, user_id: int, topics: Sequence[str]) -> None:
        rows = await self.db.fetchall(
            "SELECT id, topics FROM mentorship_matches WHERE guild_id = ? AND mentee_id = ?"
            " AND status = 'active' ORDER BY id",
            (guild_id, user_id),
        )
        for row in rows:
            taken = _shared(topics, json.loads(row["topics"]))
            if taken:
                raise InvalidInput(
                    f"You already have a mentor for {', '.join(taken)} (mentorship "
                    f"#{row['id']}). Ask for other topics, or end that mentorship first."
                )

    async def cancel_request(self, guild_id: int, user_id: int) -> MenteeRequest:
        """Withdraw the open request and any proposal for it (its mentor is told)."""
        now = self._now()
        async with self.db.transaction():
            request = await self.open_request(guild_id, user_id)
            if request is None:
                raise NotFound("You have no open mentorship request to cancel.")
            await self._withdraw_for_request(request.id, "cancelled", now)
            await self.db.execute(
                "UPDATE mentee_requests SET status = 'cancelled', updated_at = ?, closed_at = ?"
                " WHERE id = ?",
                (now, now, request.id),
            )
            fresh = await self._load_request(request.id)
        assert fresh is not None
        return fresh

    async def _withdraw_for_request(self, request_id: int, reason: str, now: int) -> int:
        rows = await self.db.fetchall(
            f"SELECT {_PROPOSAL_COLUMNS} FROM mentorship_proposals"
            " WHERE request_id = ? AND status = 'pending'",
            (request_id,),
        )
        for row in rows:
            proposal = _proposal(row)
            mentor_saw_it = await self._withdraw(proposal, now)
            if mentor_saw_it:
                await self._dm(
                    proposal.guild_id,
                    proposal.mentor_id,
                    KIND_WITHDRAWN,
                    {"proposal_id": proposal.id, "reason": reason},
                    _key("withdrawn", proposal.id),
                    now,
                )
        return len(rows)

    async def _withdraw(self, proposal: Proposal, now: int) -> bool:
        """Mark a pending proposal withdrawn (no exclusion) and drop its DMs not yet sent.
        Returns whether the mentor's proposal DM had already gone out."""
        await self.db.execute(
            "UPDATE mentorship_proposals SET status = 'withdrawn', decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (now, proposal.id),
        )
        unsent_mentor = await outbox.drop(
            self.db, dedupe_prefix=_key("proposal", proposal.id, "mentor")
        )
        await outbox.drop(self.db, dedupe_prefix=_key("proposal", proposal.id, "mentee"))
        return unsent_mentor == 0

    async def _load_request(self, request_id: int | None) -> MenteeRequest | None:
        if request_id is None:
            return None
        row = await self.db.fetchone(
            f"SELECT {_REQUEST_COLUMNS} FROM mentee_requests WHERE id = ?", (request_id,)
        )
        return None if row is None else _request(row)

    # --- matching inputs -------------------------------------------------------------------
    async def _mentor_inputs(self, guild_id: int) -> list[matching.Mentor]:
        """Every active mentor (paused and left ones get no proposals), with free places."""
        return [
            matching.Mentor(
                id=p.user_id,
                topics=frozenset(p.topics),
                free_places=p.free_places,
                city=p.city,
                languages=frozenset(p.languages),
                levels=frozenset(p.levels),
            )
            for p in await pf.load_profiles(self.db, guild_id, "p.status = 'active'")
        ]

    @staticmethod
    def _request_input(request: MenteeRequest, now: int) -> matching.Request:
        return matching.Request(
            id=request.id,
            member_id=request.user_id,
            topics=frozenset(request.topics),
            city=request.city,
            language=request.language,
            level=request.level,
            days_waiting=request.days_waiting(now),
        )

    async def _excluded(
        self, guild_id: int, requests: Sequence[MenteeRequest]
    ) -> set[tuple[int, int]]:
        """(request id, mentor id) never to propose: the member's earlier declines and
        expiries, and mentors already mentoring the member."""
        rows = await self.db.fetchall(
            "SELECT mentee_id, mentor_id FROM mentorship_exclusions WHERE guild_id = ?1"
            " UNION SELECT mentee_id, mentor_id FROM mentorship_matches WHERE guild_id = ?1"
            " AND status = 'active' AND mentee_id IS NOT NULL AND mentor_id IS NOT NULL",
            (guild_id,),
        )
        by_mentee: dict[int, set[int]] = {}
        for r in rows:
            by_mentee.setdefault(r["mentee_id"], set()).add(r["mentor_id"])
        return {(q.id, m) for q in requests for m in by_mentee.get(q.user_id, ())}

    async def _propose(
        self, request: MenteeRequest, pair: matching.Pair, origin: str, now: int
    ) -> Proposal:
        """Write a pending proposal, mark the request proposed, owe both DMs."""
        proposal_id = await self.db.execute(
            "INSERT INTO mentorship_proposals(guild_id, request_id, mentor_id, mentee_id, score,"
            " reasons, origin, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request.guild_id,
                request.id,
                pair.mentor_id,
                request.user_id,
                pair.score,
                json.dumps(list(pair.reasons)),
                origin,
                now,
                now + PROPOSAL_TTL,
            ),
        )
        await self.db.execute(
            "UPDATE mentee_requests SET status = 'proposed', updated_at = ? WHERE id = ?",
            (now, request.id),
        )
        for role, user in (("mentor", pair.mentor_id), ("mentee", request.user_id)):
            await self._dm(
                request.guild_id,
                user,
                KIND_PROPOSAL,
                {"proposal_id": proposal_id, "role": role},
                _key("proposal", proposal_id, role),
                now,
            )
        proposal = await self._load_proposal(proposal_id)
        assert proposal is not None
        return proposal

    async def _reroute(self, closed: Proposal, reason: RerouteReason, now: int) -> Reroute | None:
        """Send the closed proposal's request at once to the next-best mentor with a free
        place, or back to waiting; the mentee is told either way. None if the request is
        no longer waiting (cancelled, deleted)."""
        request = await self._load_request(closed.request_id)
        if request is None or not request.is_open:
            return None
        mentors = await self._mentor_inputs(request.guild_id)
        excluded = await self._excluded(request.guild_id, [request])
        pair = matching.reroute(self._request_input(request, now), mentors, excluded)
        payload: dict[str, Any] = {
            "request_id": request.id,
            "previous_proposal_id": closed.id,
            "reason": reason,
        }
        if pair is None:
            await self.db.execute(
                "UPDATE mentee_requests SET status = 'open', updated_at = ? WHERE id = ?",
                (now, request.id),
            )
            await self._dm(
                request.guild_id,
                request.user_id,
                KIND_NO_MENTOR,
                payload,
                _key("no_mentor", closed.id),
                now,
            )
            return Reroute(request.id, closed.id, reason, None)
        proposal = await self._propose(request, pair, "reroute", now)
        await self._dm(
            request.guild_id,
            request.user_id,
            KIND_REROUTED,
            {**payload, "proposal_id": proposal.id},
            _key("rerouted", closed.id),
            now,
        )
        return Reroute(request.id, closed.id, reason, proposal)

    async def _exclude(self, proposal: Proposal, reason: str, now: int) -> None:
        if proposal.mentor_id is None or proposal.mentee_id is None:
            return
        await self.db.execute(
            "INSERT OR IGNORE INTO mentorship_exclusions(guild_id, mentee_id, mentor_id, reason,"
            " proposal_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (proposal.guild_id, proposal.mentee_id, proposal.mentor_id, reason, proposal.id, now),
        )

    # --- rounds ----------------------------------------------------------------------------
    async def run_round(self, guild_id: int) -> RoundSummary:
        """Organizers: match every open request now (an exact optimum over all of them)."""
        summary = await self._round(guild_id, "manual", None)
        assert summary is not None
        return summary

    async def run_scheduled_round(
        self, guild_id: int, now: float | None = None
    ) -> RoundSummary | None:
        """What the scheduled job calls: run the round owed by the schedule, if one is due
        (else None). A tick already served is never run twice; ticks missed while the bot
        was down are served by one round."""
        return await self._round(guild_id, "scheduled", now)

    async def _round(
        self, guild_id: int, trigger: RoundTrigger, at: float | None
    ) -> RoundSummary | None:
        await self._ensure(guild_id)
        schedule = await self.schedule(guild_id) if trigger == "scheduled" else None
        now = self._now() if at is None else int(at)
        async with self.db.transaction():
            settings = await self._settings_row(guild_id)
            due = None
            if schedule is not None:
                due = self._next_tick(schedule, settings)
                if due is None or due > now + DUE_GRACE_SECONDS:
                    return None
            rows = await self.db.fetchall(
                f"SELECT {_REQUEST_COLUMNS} FROM mentee_requests WHERE guild_id = ?"
                " AND status = 'open' ORDER BY id",
                (guild_id,),
            )
            requests = [_request(r) for r in rows]
            mentors = await self._mentor_inputs(guild_id)
            excluded = await self._excluded(guild_id, requests)
            inputs = [self._request_input(r, now) for r in requests]
            # The solver is CPU work: off the event loop (the store stays locked meanwhile).
            result = await asyncio.to_thread(matching.match, mentors, inputs, excluded)
            by_id = {r.id: r for r in requests}
            proposal_ids = [
                (await self._propose(by_id[pair.request_id], pair, "round", now)).id
                for pair in sorted(result.pairs, key=lambda p: p.request_id)
            ]
            unmatched = tuple(
                UnmatchedRequest(rid, by_id[rid].user_id, reason)
                for rid, reason in sorted(result.unmatched.items())
            )
            await self.db.execute(
                "UPDATE mentorship_settings SET last_round_at = ?,"
                " last_tick_at = COALESCE(?, last_tick_at) WHERE guild_id = ?",
                (now, None if due is None else max(due, now), guild_id),
            )
        return RoundSummary(
            guild_id=guild_id,
            ran_at=now,
            trigger=trigger,
            requests=len(requests),
            mentors=len(mentors),
            proposal_ids=tuple(proposal_ids),
            unmatched=unmatched,
            total_score=result.total,
        )

    @staticmethod
    def _next_tick(schedule: Schedule, settings: sqlite3.Row) -> int | None:
        base = max(settings["last_tick_at"] or 0, settings["schedule_set_at"])
        return schedule.next_fire(base)

    async def round_plan(self, guild_id: int) -> RoundPlan:
        """The guild's round schedule and its next tick (overdue if missed while down)."""
        await self._ensure(guild_id)
        schedule = await self.schedule(guild_id)
        settings = await self._settings_row(guild_id)
        next_at = self._next_tick(schedule, settings)
        return RoundPlan(
            guild_id, schedule, next_at, next_at is not None and next_at <= self._now()
        )

    async def round_plans(self) -> list[RoundPlan]:
        """One plan per guild that uses mentorship: what the cog schedules at start-up."""
        rows = await self.db.fetchall("SELECT guild_id FROM mentorship_settings ORDER BY guild_id")
        return [await self.round_plan(r["guild_id"]) for r in rows]

    # --- settings --------------------------------------------------------------------------
    async def _settings_row(self, guild_id: int) -> sqlite3.Row:
        row = await self.db.fetchone(
            "SELECT guild_id, schedule, schedule_set_at, channel_id, last_round_at, last_tick_at"
            " FROM mentorship_settings WHERE guild_id = ?",
            (guild_id,),
        )
        assert row is not None, "call _ensure first"
        return row

    async def schedule(self, guild_id: int) -> Schedule:
        """The round schedule, parsed in the guild's current time zone."""
        await self._ensure(guild_id)
        row = await self._settings_row(guild_id)
        return parse_schedule(row["schedule"], (await self.guilds.get(guild_id)).tz)

    async def settings(self, guild_id: int) -> MentorshipSettings:
        await self._ensure(guild_id)
        schedule = await self.schedule(guild_id)
        row = await self._settings_row(guild_id)
        return MentorshipSettings(
            guild_id=guild_id,
            schedule=schedule.text,
            schedule_description=schedule.describe(),
            channel_id=row["channel_id"],
            last_round_at=row["last_round_at"],
            next_round_at=self._next_tick(schedule, row),
        )

    async def set_schedule(self, guild_id: int, text: str) -> MentorshipSettings:
        """Organizers: when rounds run (`daily 10:00`, `weekly mon 18:00`, cron). Re-arm the
        round job with `round_plan` after."""
        await self._ensure(guild_id)
        parsed = parse_schedule(text, (await self.guilds.get(guild_id)).tz)
        await self.db.execute(
            "UPDATE mentorship_settings SET schedule = ?, schedule_set_at = ? WHERE guild_id = ?",
            (parsed.text, self._now(), guild_id),
        )
        return await self.settings(guild_id)

    async def set_channel(self, guild_id: int, channel_id: int | None) -> MentorshipSettings:
        """Organizers: the channel for private match threads (None: intros go by DM)."""
        await self._ensure(guild_id)
        await self.db.execute(
            "UPDATE mentorship_settings SET channel_id = ? WHERE guild_id = ?",
            (channel_id, guild_id),
        )
        return await self.settings(guild_id)

    # --- proposals and answers ---------------------------------------------------------------
    async def _load_proposal(self, proposal_id: int) -> Proposal | None:
        row = await self.db.fetchone(
            f"SELECT {_PROPOSAL_COLUMNS} FROM mentorship_proposals WHERE id = ?", (proposal_id,)
        )
        return None if row is None else _proposal(row)

    async def proposal(self, proposal_id: int) -> Proposal:
        found = await self._load_proposal(proposal_id)
        if found is None:
            raise NotFound("That proposal no longer exists.")
        return found

    async def proposal_view(self, proposal_id: int, viewer_id: int | None = None) -> ProposalView:
        """What a proposal DM shows. With `viewer_id`, only the two sides may see it."""
        proposal = await self.proposal(proposal_id)
        if viewer_id is not None and proposal.role_of(viewer_id) is None:
            raise NotAllowed(_NOT_YOURS)
        mentor = (
            None
            if proposal.mentor_id is None
            else await pf.load_profile(self.db, proposal.guild_id, proposal.mentor_id)
        )
        return ProposalView(proposal, await self._load_request(proposal.request_id), mentor)

    async def answer(self, proposal_id: int, user_id: int, accept: bool) -> AnswerOutcome:
        """A side's Accept or Decline.

        Both accepted → the match (the cog then makes the thread). A decline → the pair is
        excluded and the request re-routed at once. Answering again the same way changes
        nothing. Refused: a proposal not yours, expired, withdrawn, or declined.
        """
        now = self._now()
        async with self.db.transaction():
            proposal = await self._load_proposal(proposal_id)
            if proposal is None:
                raise NotFound("That proposal no longer exists.")
            role = proposal.role_of(user_id)
            if role is None:
                raise NotAllowed(_NOT_YOURS)
            lapsed = proposal.status == "pending" and proposal.expires_at <= now
            if lapsed:
                # The timer has not run yet: expire it now (committed), then refuse.
                await self._expire(proposal, now)
            else:
                return await self._answer(proposal, role, accept, now)
        raise NotAllowed(_EXPIRED)

    async def _answer(
        self, proposal: Proposal, role: Role, accept: bool, now: int
    ) -> AnswerOutcome:
        value = "accepted" if accept else "declined"
        mine = proposal.answer_of(role)
        # Refusals first: nothing has been written yet, so raising rolls back nothing.
        if proposal.status == "accepted":
            match = await self._match_for_proposal(proposal.id)
            if accept:
                return AnswerOutcome("unchanged", role, proposal, match)
            raise NotAllowed(
                "You both accepted this proposal already; use /mentorship end to finish "
                "the mentorship."
            )
        if proposal.status == "declined":
            if not accept and mine == "declined":
                return AnswerOutcome("unchanged", role, proposal)
            raise NotAllowed(_DECLINED)
        if proposal.status == "expired":
            raise NotAllowed(_EXPIRED)
        if proposal.status == "withdrawn":
            raise NotAllowed(_WITHDRAWN)
        if mine == value:
            return AnswerOutcome("unchanged", role, proposal)

        column = f"{role}_answer"  # one of two fixed names, never member input
        if not accept:
            await self.db.execute(
                f"UPDATE mentorship_proposals SET {column} = 'declined', status = 'declined',"
                " decided_at = ? WHERE id = ?",
                (now, proposal.id),
            )
            await self._exclude(proposal, "declined", now)
            if role == "mentee":
                # The mentor learns their place is free again; a mentor's decline is told
                # to the mentee by the re-route message below.
                await self._dm(
                    proposal.guild_id,
                    proposal.mentor_id,
                    KIND_DECLINED,
                    {"proposal_id": proposal.id},
                    _key("declined", proposal.id),
                    now,
                )
            reroute = await self._reroute(proposal, "declined", now)
            fresh = await self._load_proposal(proposal.id)
            assert fresh is not None
            return AnswerOutcome("declined", role, fresh, reroute=reroute)

        await self.db.execute(
            f"UPDATE mentorship_proposals SET {column} = 'accepted' WHERE id = ?",
            (proposal.id,),
        )
        if proposal.answer_of(_other_role(role)) != "accepted":
            fresh = await self._load_proposal(proposal.id)
            assert fresh is not None
            return AnswerOutcome("accepted", role, fresh)
        match = await self._create_match(proposal, now)
        fresh = await self._load_proposal(proposal.id)
        assert fresh is not None
        return AnswerOutcome("matched", role, fresh, match)

    async def _create_match(self, proposal: Proposal, now: int) -> Match:
        await self.db.execute(
            "UPDATE mentorship_proposals SET status = 'accepted', decided_at = ? WHERE id = ?",
            (now, proposal.id),
        )
        request = await self._load_request(proposal.request_id)
        mentor = (
            None
            if proposal.mentor_id is None
            else await pf.load_profile(self.db, proposal.guild_id, proposal.mentor_id)
        )
        request_topics = request.topics if request else ()
        topics = _shared(request_topics, mentor.topics) if mentor else request_topics
        match_id = await self.db.execute(
            "INSERT INTO mentorship_matches(guild_id, request_id, proposal_id, mentor_id,"
            " mentee_id, topics, started_at, checkin_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                proposal.guild_id,
                proposal.request_id,
                proposal.id,
                proposal.mentor_id,
                proposal.mentee_id,
                json.dumps(list(topics or request_topics)),
                now,
                now + CHECKIN_AFTER,
            ),
        )
        if request is not None:
            await self.db.execute(
                "UPDATE mentee_requests SET status = 'matched', updated_at = ? WHERE id = ?",
                (now, request.id),
            )
        settings = await self._settings_row(proposal.guild_id)
        if settings["channel_id"] is None:
            # No thread channel: the intro goes to both by DM.
            await self._intro_dms(match_id, now)
        match = await self._load_match(match_id)
        assert match is not None
        return match

    async def _intro_dms(self, match_id: int, now: int) -> bool:
        match = await self._load_match(match_id)
        if match is None or not match.active:
            return False
        owed = False
        for role, user in (("mentor", match.mentor_id), ("mentee", match.mentee_id)):
            owed |= await self._dm(
                match.guild_id,
                user,
                KIND_MATCHED,
                {"match_id": match.id, "role": role},
                _key("matched", match.id, role),
                now,
            )
        await self.db.execute(
            "UPDATE mentorship_matches SET intro_sent_at = COALESCE(intro_sent_at, ?) WHERE id = ?",
            (now, match.id),
        )
        return owed

    # --- expiry ------------------------------------------------------------------------------
    async def _expire(self, proposal: Proposal, now: int) -> ExpiryOutcome | None:
        changed = await self.db.execute_rowcount(
            "UPDATE mentorship_proposals SET status = 'expired', decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (now, proposal.id),
        )
        if not changed:
            return None
        await self._exclude(proposal, "expired", now)
        await self._dm(
            proposal.guild_id,
            proposal.mentor_id,
            KIND_EXPIRED,
            {"proposal_id": proposal.id},
            _key("expired", proposal.id),
            now,
        )
        reroute = await self._reroute(proposal, "expired", now)
        fresh = await self._load_proposal(proposal.id)
        assert fresh is not None
        return ExpiryOutcome(fresh, reroute)

    async def expire_due(self, now: float | None = None) -> list[ExpiryOutcome]:
        """Expire every pending proposal past its 72 hours (in all guilds): the pair is
        excluded and the request re-routed, as after a decline. A second call finds none."""
        at = self._now() if now is None else int(now)
        rows = await self.db.fetchall(
            "SELECT id FROM mentorship_proposals WHERE status = 'pending' AND expires_at <= ?"
            " ORDER BY expires_at, id",
            (at,),
        )
        done: list[ExpiryOutcome] = []
        for r in rows:
            async with self.db.transaction():
                proposal = await self._load_proposal(r["id"])
                if proposal is None:
                    continue
                outcome = await self._expire(proposal, at)
            if outcome is not None:
                done.append(outcome)
        return done

    # --- check-ins and timers -------------------------------------------------------------
    async def due_checkins(self, now: float | None = None) -> list[Match]:
        """Active matches 14 days old whose check-in has not been sent (all guilds)."""
        at = self._now() if now is None else int(now)
        rows = await self.db.fetchall(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE status = 'active'"
            " AND checkin_sent_at IS NULL AND checkin_due_at <= ? ORDER BY checkin_due_at, id",
            (at,),
        )
        return [_match(r) for r in rows]

    async def mark_checkin_sent(self, match_id: int) -> bool:
        """Owe the check-in DM to both sides and record it; False if already done (or the
        match ended)."""
        now = self._now()
        async with self.db.transaction():
            match = await self._load_match(match_id)
            if match is None or not match.active or match.checkin_sent_at is not None:
                return False
            await self.db.execute(
                "UPDATE mentorship_matches SET checkin_sent_at = ? WHERE id = ?", (now, match_id)
            )
            for role, user in (("mentor", match.mentor_id), ("mentee", match.mentee_id)):
                await self._dm(
                    match.guild_id,
                    user,
                    KIND_CHECKIN,
                    {"match_id": match_id, "role": role},
                    _key("checkin", match_id, user),
                    now,
                )
        return True

    async def record_checkin(self, match_id: int, user_id: int, answer: str) -> CheckinOutcome:
        """A side's check-in answer: going_well, not_met or need_help. The last two owe the
        organizers a notice in their own channel (match id and answer only)."""
        value = answer.strip().casefold().replace(" ", "_").replace("-", "_")
        if value not in CHECKIN_ANSWERS:
            raise InvalidInput("A check-in answer is going_well, not_met or need_help.")
        checked = cast(CheckinAnswer, value)
        match = await self._load_match(match_id)
        if match is None:
            raise NotFound("That mentorship no longer exists.")
        now = self._now()
        async with self.db.transaction():
            match = await self._load_match(match_id)
            assert match is not None
            if match.role_of(user_id) is None:
                raise NotAllowed(_MATCH_NOT_YOURS)
            if not match.active:
                raise NotAllowed("This mentorship has ended, so there is nothing to check in on.")
            old = await self.db.fetchval(
                "SELECT answer FROM mentorship_checkins WHERE match_id = ? AND user_id = ?",
                (match_id, user_id),
            )
            if old == checked:
                return CheckinOutcome(match, checked, False, False)
            await self.db.execute(
                "INSERT INTO mentorship_checkins(match_id, user_id, answer, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(match_id, user_id) DO UPDATE SET"
                " answer = excluded.answer, answered_at = excluded.answered_at",
                (match_id, user_id, checked, now),
            )
            alerted = False
            if checked in _ALERT:
                alerted = await organizer_notices.notify(
                    self.db,
                    match.guild_id,
                    f"A member of mentorship #{match_id} says {_ALERT[checked]} (check-in). "
                    "`/mentorship stats` has the overview.",
                    dedupe_key=_key("checkin_alert", match_id, checked),
                    now=now,
                )
        return CheckinOutcome(match, checked, True, alerted)

    async def next_timer_at(self, guild_id: int | None = None) -> int | None:
        """The earliest proposal expiry or check-in still owed (epoch seconds), or None.
        Arm one timer job for it; re-read after anything that makes proposals or matches."""
        scope = "" if guild_id is None else " AND guild_id = ?"
        params = () if guild_id is None else (guild_id,)
        expiry = await self.db.fetchval(
            f"SELECT MIN(expires_at) FROM mentorship_proposals WHERE status = 'pending'{scope}",
            params,
        )
        checkin = await self.db.fetchval(
            "SELECT MIN(checkin_due_at) FROM mentorship_matches WHERE status = 'active'"
            f" AND checkin_sent_at IS NULL{scope}",
            params,
        )
        times = [t for t in (expiry, checkin) if t is not None]
        return min(times) if times else None

    async def run_timers(self, now: float | None = None) -> TimerRun:
        """What the timer job calls: expire what is due, owe the check-ins due, and say when
        to wake next. Safe to call any time, any number of times."""
        expired = await self.expire_due(now)
        sent = [m.id for m in await self.due_checkins(now) if await self.mark_checkin_sent(m.id)]
        return TimerRun(tuple(expired), tuple(sent), await self.next_timer_at())

    # --- matches -----------------------------------------------------------------------------
    async def _load_match(self, match_id: int) -> Match | None:
        row = await self.db.fetchone(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE id = ?", (match_id,)
        )
        return None if row is None else _match(row)

    async def _match_for_proposal(self, proposal_id: int) -> Match | None:
        row = await self.db.fetchone(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE proposal_id = ?",
            (proposal_id,),
        )
        return None if row is None else _match(row)

    async def get_match(self, match_id: int) -> Match:
        found = await self._load_match(match_id)
        if found is None:
            raise NotFound("That mentorship no longer exists.")
        return found

    async def match_view(self, match_id: int, viewer_id: int | None = None) -> MatchView:
        """The intro (goal, shared topics, a first step). With `viewer_id`, sides only."""
        match = await self.get_match(match_id)
        if viewer_id is not None and match.role_of(viewer_id) is None:
            raise NotAllowed(_MATCH_NOT_YOURS)
        mentor = (
            None
            if match.mentor_id is None
            else await pf.load_profile(self.db, match.guild_id, match.mentor_id)
        )
        request = await self._load_request(match.request_id)
        has_goal = request is not None and request.goal is not None
        return MatchView(match, request, mentor, first_step(match, has_goal))

    async def active_matches(self, guild_id: int, user_id: int) -> list[Match]:
        """The member's active matches on either side, newest first (for autocomplete)."""
        rows = await self.db.fetchall(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE guild_id = ?1"
            " AND status = 'active' AND (mentor_id = ?2 OR mentee_id = ?2) ORDER BY id DESC",
            (guild_id, user_id),
        )
        return [_match(r) for r in rows]

    async def resolve_match(self, guild_id: int, user_id: int, text: str) -> Match:
        """A match from what the member typed: its id (`12`, `#12`, the autocomplete value)."""
        ident = text.strip().removeprefix("#").strip()
        if not ident.isdecimal() or len(ident) > 18:  # ² and ① are digits int() refuses
            raise InvalidInput("Pick one of your mentorships from the list, or give its number.")
        match = await self._load_match(int(ident))
        if match is None or match.guild_id != guild_id:
            raise NotFound(f"There is no mentorship #{ident} here.")
        if match.role_of(user_id) is None:
            raise NotAllowed(_MATCH_NOT_YOURS)
        return match

    async def end_match(self, guild_id: int, match_id: int, user_id: int) -> Match:
        """Either side ends the match: the mentor's place is free, the other side is told.
        Ending an ended match changes nothing (feedback can still be given)."""
        now = self._now()
        async with self.db.transaction():
            match = await self._load_match(match_id)
            if match is None or match.guild_id != guild_id:
                raise NotFound(f"There is no mentorship #{match_id} here.")
            if match.role_of(user_id) is None:
                raise NotAllowed(_MATCH_NOT_YOURS)
            if not match.active:
                return match
            return await self._end(match, user_id, "ended", now)

    async def _end(
        self, match: Match, by: int | None, reason: str, now: int, notice: str | None = None
    ) -> Match:
        """End an active match, close its request and tell the side that did not end it
        (`notice`: the reason they are told, when it says more than `reason`)."""
        await self.db.execute(
            "UPDATE mentorship_matches SET status = 'ended', ended_at = ?, ended_by = ?,"
            " end_reason = ? WHERE id = ? AND status = 'active'",
            (now, by, reason, match.id),
        )
        if match.request_id is not None:
            await self.db.execute(
                "UPDATE mentee_requests SET status = 'closed', updated_at = ?, closed_at = ?"
                " WHERE id = ? AND status = 'matched'",
                (now, now, match.request_id),
            )
        for role, user in (("mentor", match.mentor_id), ("mentee", match.mentee_id)):
            if user is not None and user != by:
                await self._dm(
                    match.guild_id,
                    user,
                    KIND_ENDED,
                    {"match_id": match.id, "role": role, "reason": notice or reason},
                    _key("ended", match.id, role),
                    now,
                )
        # Check-in DMs not yet delivered make no sense any more.
        await outbox.drop(self.db, dedupe_prefix=_key("checkin", match.id, ""))
        ended = await self._load_match(match.id)
        assert ended is not None
        return ended

    async def intro_by_dm(self, match_id: int) -> bool:
        """Fallback when the thread could not be made: owe the intro to both by DM."""
        async with self.db.transaction():
            return await self._intro_dms(match_id, self._now())

    async def matches_missing_intro(self, guild_id: int | None = None) -> list[Match]:
        """Active matches whose intro is not done (e.g. a restart in between): the cog
        finishes their thread (bot/mentorship/threads.py), or the intro by DM, at start-up."""
        scope = "" if guild_id is None else " AND guild_id = ?"
        rows = await self.db.fetchall(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE status = 'active'"
            f" AND intro_sent_at IS NULL{scope} ORDER BY id",
            () if guild_id is None else (guild_id,),
        )
        return [_match(r) for r in rows]

    # --- feedback ----------------------------------------------------------------------------
    async def give_feedback(
        self, match_id: int, user_id: int, rating: int, comment: str | None = None
    ) -> Feedback:
        """A side rates an ended match 1–5 (optional comment ≤ 1000), once per side."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidInput("A rating is a whole number from 1 to 5.")
        text = pf.clean_comment(comment)
        now = self._now()
        async with self.db.transaction():
            match = await self._load_match(match_id)
            if match is None:
                raise NotFound("That mentorship no longer exists.")
            role = match.role_of(user_id)
            if role is None:
                raise NotAllowed(_MATCH_NOT_YOURS)
            if match.active:
                raise NotAllowed(
                    "Feedback is for a mentorship that has ended; use /mentorship end first."
                )
            if await self.db.fetchone(
                "SELECT 1 FROM mentorship_feedback WHERE match_id = ? AND from_role = ?",
                (match_id, role),
            ):
                raise AlreadyExists("You have already given feedback on this mentorship.")
            feedback_id = await self.db.execute(
                "INSERT INTO mentorship_feedback(guild_id, match_id, from_id, from_role, rating,"
                " comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (match.guild_id, match_id, user_id, role, rating, text, now),
            )
        return Feedback(feedback_id, match_id, role, rating, text, now)

    async def feedback_given(self, match_id: int, user_id: int) -> bool:
        """Whether this side has rated the match (the cog skips the modal if so)."""
        match = await self._load_match(match_id)
        role = None if match is None else match.role_of(user_id)
        if role is None:
            return False
        return bool(
            await self.db.fetchone(
                "SELECT 1 FROM mentorship_feedback WHERE match_id = ? AND from_role = ?",
                (match_id, role),
            )
        )

    # --- status and stats --------------------------------------------------------------------
    async def status(self, guild_id: int, user_id: int) -> MemberStatus:
        """The member's own profile, requests, proposals and matches (for an ephemeral reply)."""
        profile = await pf.load_profile(self.db, guild_id, user_id)
        requests = await self.db.fetchall(
            f"SELECT {_REQUEST_COLUMNS} FROM mentee_requests WHERE guild_id = ? AND user_id = ?"
            " ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, STATUS_LIMIT),
        )
        proposals = await self.db.fetchall(
            f"SELECT {_PROPOSAL_COLUMNS} FROM mentorship_proposals WHERE guild_id = ?1"
            " AND (mentor_id = ?2 OR mentee_id = ?2) ORDER BY status = 'pending' DESC, id DESC"
            " LIMIT ?3",
            (guild_id, user_id, STATUS_LIMIT),
        )
        matches = await self.db.fetchall(
            f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE guild_id = ?1"
            " AND (mentor_id = ?2 OR mentee_id = ?2) ORDER BY status = 'active' DESC, id DESC"
            " LIMIT ?3",
            (guild_id, user_id, STATUS_LIMIT),
        )
        return MemberStatus(
            profile,
            tuple(_request(r) for r in requests),
            tuple(_proposal(r) for r in proposals),
            tuple(_match(r) for r in matches),
        )

    async def stats(self, guild_id: int) -> MentorshipStats:
        """Organizers: the guild's numbers (no member is named)."""
        now = self._now()
        mentors = await pf.load_profiles(self.db, guild_id, "p.status IN ('active', 'paused')")
        active = [p for p in mentors if p.status == "active"]
        waits = [
            (now - r["created_at"]) / 86400
            for r in await self.db.fetchall(
                f"SELECT created_at FROM mentee_requests WHERE guild_id = ? AND status IN {_OPEN}",
                (guild_id,),
            )
        ]
        proposals = {
            r["status"]: r["n"]
            for r in await self.db.fetchall(
                "SELECT status, COUNT(*) AS n FROM mentorship_proposals WHERE guild_id = ?"
                " GROUP BY status",
                (guild_id,),
            )
        }
        matches = {
            r["status"]: r["n"]
            for r in await self.db.fetchall(
                "SELECT status, COUNT(*) AS n FROM mentorship_matches WHERE guild_id = ?"
                " GROUP BY status",
                (guild_id,),
            )
        }
        feedback = await self.db.fetchone(
            "SELECT COUNT(*) AS n, AVG(rating) AS avg FROM mentorship_feedback WHERE guild_id = ?",
            (guild_id,),
        )
        assert feedback is not None
        return MentorshipStats(
            active_mentors=len(active),
            paused_mentors=len(mentors) - len(active),
            places_total=sum(p.capacity for p in active),
            places_used=sum(p.active_mentees for p in active),
            places_held=sum(p.pending_proposals for p in active),
            places_free=sum(p.free_places for p in active),
            open_requests=len(waits),
            median_wait_days=max(0.0, statistics.median(waits)) if waits else None,
            proposals_pending=proposals.get("pending", 0),
            proposals_accepted=proposals.get("accepted", 0),
            proposals_declined=proposals.get("declined", 0),
            proposals_expired=proposals.get("expired", 0),
            proposals_withdrawn=proposals.get("withdrawn", 0),
            active_matches=matches.get("active", 0),
            ended_matches=matches.get("ended", 0),
            feedback_count=feedback["n"],
            average_rating=None if feedback["avg"] is None else float(feedback["avg"]),
        )

    # --- privacy -------------------------------------------------------------------------------
    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """A channel was deleted: new pairs are introduced by DM until one is set again."""
        if await self.db.execute_rowcount(
            "UPDATE mentorship_settings SET channel_id = NULL"
            " WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        ):
            return ["the mentorship channel (new pairs are introduced by DM)"]
        return []

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything the mentorship feature stores about a member in this guild, by table
        (see bot/privacy.py), each row with its key: profile and topics, requests,
        proposals and matches on either side, exclusions either way, check-ins and the
        feedback they gave."""
        q = self.db.fetch_dicts
        args = (guild_id, user_id)
        either = "guild_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)"
        return {
            "mentor_profiles": await q(
                "SELECT guild_id, user_id, capacity, city, languages, levels, bio, status,"
                " created_at, updated_at FROM mentor_profiles WHERE guild_id = ? AND user_id = ?",
                args,
            ),
            "mentor_topics": await q(
                "SELECT guild_id, user_id, topic, position FROM mentor_topics"
                " WHERE guild_id = ? AND user_id = ? ORDER BY position",
                args,
            ),
            "mentee_requests": await q(
                "SELECT id, status, topics, goal, city, language, level, created_at, closed_at"
                " FROM mentee_requests WHERE guild_id = ? AND user_id = ? ORDER BY id",
                args,
            ),
            "mentorship_proposals": await q(
                "SELECT id, mentor_id, mentee_id, status, mentor_answer, mentee_answer, reasons,"
                f" created_at, decided_at FROM mentorship_proposals WHERE {either} ORDER BY id",
                args,
            ),
            "mentorship_matches": await q(
                "SELECT id, mentor_id, mentee_id, topics, status, started_at, ended_at,"
                " ended_by, end_reason FROM mentorship_matches"
                " WHERE guild_id = ?1 AND ?2 IN (mentor_id, mentee_id, ended_by) ORDER BY id",
                args,
            ),
            "mentorship_exclusions": await q(
                "SELECT guild_id, mentee_id, mentor_id, reason, created_at"
                f" FROM mentorship_exclusions WHERE {either}",
                args,
            ),
            "mentorship_checkins": await q(
                "SELECT c.match_id, c.user_id, c.answer, c.answered_at FROM mentorship_checkins c"
                " JOIN mentorship_matches m ON m.id = c.match_id"
                " WHERE m.guild_id = ? AND c.user_id = ?",
                args,
            ),
            "mentorship_feedback": await q(
                "SELECT id, match_id, from_role, rating, comment, created_at"
                " FROM mentorship_feedback WHERE guild_id = ? AND from_id = ?",
                args,
            ),
        }

    async def delete_member_data(self, guild_id: int, user_id: int) -> DeletedMentorshipData:
        """Forget a member here. Their proposals are withdrawn (requests they were proposed
        to mentor are re-routed), their matches end (the other side is told), then their
        profile, requests, check-ins and exclusions are deleted and their feedback loses
        its comment and author. Proposals and matches stay with their id blanked, so the
        guild's counts and average rating do not change."""
        now = self._now()
        async with self.db.transaction():
            # Out of the running first, so no request is re-routed back to them.
            profile_removed = await self.db.execute_rowcount(
                "UPDATE mentor_profiles SET status = 'left' WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            withdrawn = 0
            request = await self.open_request(guild_id, user_id)
            if request is not None:
                withdrawn += await self._withdraw_for_request(request.id, "data_deleted", now)
            as_mentor, reroutes = await self._withdraw_as_mentor(guild_id, user_id, now)
            withdrawn += len(as_mentor)
            ended = 0
            rows = await self.db.fetchall(
                f"SELECT {_MATCH_COLUMNS} FROM mentorship_matches WHERE guild_id = ?1"
                " AND status = 'active' AND (mentor_id = ?2 OR mentee_id = ?2) ORDER BY id",
                (guild_id, user_id),
            )
            for row in rows:
                await self._end(_match(row), user_id, "data_deleted", now)
                ended += 1
            # Messages still owed to them are moot now.
            pending_to_them = await self.db.fetchall(
                "SELECT id FROM mentorship_proposals WHERE guild_id = ?1"
                " AND (mentor_id = ?2 OR mentee_id = ?2)",
                (guild_id, user_id),
            )
            for p in pending_to_them:
                await outbox.drop(self.db, dedupe_prefix=_key("proposal", p["id"], ""))
            requests_removed = await self.db.execute_rowcount(
                "DELETE FROM mentee_requests WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            for column in ("mentor_id", "mentee_id"):  # fixed names, never member input
                await self.db.execute(
                    f"UPDATE mentorship_proposals SET {column} = NULL"
                    f" WHERE guild_id = ? AND {column} = ?",
                    (guild_id, user_id),
                )
            for column in ("mentor_id", "mentee_id", "ended_by"):
                await self.db.execute(
                    f"UPDATE mentorship_matches SET {column} = NULL"
                    f" WHERE guild_id = ? AND {column} = ?",
                    (guild_id, user_id),
                )
            checkins = await self.db.execute_rowcount(
                "DELETE FROM mentorship_checkins WHERE user_id = ? AND match_id IN"
                " (SELECT id FROM mentorship_matches WHERE guild_id = ?)",
                (user_id, guild_id),
            )
            feedback = await self.db.execute_rowcount(
                "UPDATE mentorship_feedback SET from_id = NULL, comment = NULL"
                " WHERE guild_id = ? AND from_id = ?",
                (guild_id, user_id),
            )
            exclusions = await self.db.execute_rowcount(
                "DELETE FROM mentorship_exclusions WHERE guild_id = ?1"
                " AND (mentee_id = ?2 OR mentor_id = ?2)",
                (guild_id, user_id),
            )
            await self.db.execute(
                "DELETE FROM mentor_profiles WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        return DeletedMentorshipData(
            profile_removed=profile_removed > 0,
            requests_removed=requests_removed,
            proposals_withdrawn=withdrawn,
            reroutes=reroutes,
            matches_ended=ended,
            feedback_anonymised=feedback,
            checkins_removed=checkins,
            exclusions_removed=exclusions,
        )
