"""Matches: made when both sides accept, introduced (a private thread, else by DM),
read by their two sides, and ended by either side, by a mentor leaving, or by a
member's data being deleted.

Ending a match frees the mentor's place, closes its request, tells the side that did
not end it, and drops its check-in DMs not yet sent; ending it twice changes nothing.
The private thread's steps are bot/mentorship/threads.py; check-ins and feedback are
bot/mentorship/checkins.py and feedback.py.
"""

from __future__ import annotations

import json

from bot import outbox
from bot.db import Database
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_, _
from bot.mentorship import store
from bot.mentorship.config import MentorshipConfig
from bot.mentorship.messages import EndedMessage, MatchedMessage, key, owe_dm
from bot.mentorship.models import (
    CHECKIN_AFTER,
    Clock,
    EndReason,
    Match,
    MatchView,
    Proposal,
    Role,
)

NOT_YOURS = N_("This mentorship isn't yours.")


def first_step(match: Match, has_goal: bool = True) -> str:
    """A suggested first step for the intro (no private text: the goal is shown apart),
    in the reader's language."""
    topics = ", ".join(match.topics) or _("the topics you share")
    if has_goal:
        return _(
            "Pick a time for a first 30-minute call this week. Mentee: bring the goal above; "
            "mentor: suggest one small thing to try in {topics} before you meet again.",
            topics=topics,
        )
    return _(
        "Pick a time for a first 30-minute call this week. Mentee: bring what you want to "
        "learn; mentor: suggest one small thing to try in {topics} before you meet again.",
        topics=topics,
    )


def sides(match: Match | Proposal) -> tuple[tuple[Role, int | None], ...]:
    """(role, member id) of both sides; an id is None once that member's data is deleted."""
    return (("mentor", match.mentor_id), ("mentee", match.mentee_id))


class Matches:
    def __init__(self, db: Database, config: MentorshipConfig, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    # --- reading -----------------------------------------------------------------------------
    async def get(self, match_id: int) -> Match:
        found = await store.load_match(self.db, match_id)
        if found is None:
            raise NotFound(_("That mentorship no longer exists."))
        return found

    async def view(self, match_id: int, viewer_id: int | None = None) -> MatchView:
        """The intro (goal, shared topics, a first step). With `viewer_id`, sides only."""
        match = await self.get(match_id)
        if viewer_id is not None and match.role_of(viewer_id) is None:
            raise NotAllowed(_(NOT_YOURS))
        mentor = await store.load_profile(self.db, match.guild_id, match.mentor_id)
        request = await store.load_request(self.db, match.request_id)
        has_goal = request is not None and request.goal is not None
        return MatchView(match, request, mentor, first_step(match, has_goal))

    async def active(self, guild_id: int, user_id: int) -> list[Match]:
        """The member's active matches on either side, newest first (for autocomplete)."""
        return list(reversed(await store.active_matches_of(self.db, guild_id, user_id)))

    async def resolve(self, guild_id: int, user_id: int, text: str) -> Match:
        """A match from what the member typed: its id (`12`, `#12`, the autocomplete value)."""
        ident = text.strip().removeprefix("#").strip()
        if not ident.isdecimal() or len(ident) > 18:  # ² and ① are digits int() refuses
            raise InvalidInput(_("Pick one of your mentorships from the list, or give its number."))
        match = await store.load_match(self.db, int(ident))
        if match is None or match.guild_id != guild_id:
            raise NotFound(_("There is no mentorship #{id} here.", id=ident))
        if match.role_of(user_id) is None:
            raise NotAllowed(_(NOT_YOURS))
        return match

    async def missing_intro(self, guild_id: int | None = None) -> list[Match]:
        """Active matches whose intro is not done (e.g. a restart in between): the cog
        finishes their thread (bot/mentorship/threads.py), or the intro by DM, at start-up."""
        scope = "" if guild_id is None else " AND guild_id = ?"
        return await store.matches(
            self.db,
            f"status = 'active' AND intro_sent_at IS NULL{scope}",
            () if guild_id is None else (guild_id,),
        )

    # --- making and introducing ---------------------------------------------------------------
    async def create(self, proposal: Proposal, now: int) -> Match:
        """Both sides accepted (inside the answer's transaction): the match, on the topics
        the request and the mentor share; with no thread channel, the intro by DM."""
        await self.db.execute(
            "UPDATE mentorship_proposals SET status = 'accepted', decided_at = ? WHERE id = ?",
            (now, proposal.id),
        )
        request = await store.load_request(self.db, proposal.request_id)
        mentor = await store.load_profile(self.db, proposal.guild_id, proposal.mentor_id)
        request_topics = request.topics if request else ()
        topics = store.shared_topics(request_topics, mentor.topics) if mentor else request_topics
        match_id = await self.db.insert(
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
        settings = await self.config.row(proposal.guild_id)
        if settings["channel_id"] is None:
            # No thread channel: the intro goes to both by DM.
            await self._intro_dms(match_id, now)
        match = await store.load_match(self.db, match_id)
        assert match is not None
        return match

    async def intro_by_dm(self, match_id: int) -> bool:
        """Fallback when the thread could not be made: owe the intro to both by DM."""
        async with self.db.transaction():
            return await self._intro_dms(match_id, int(self.clock()))

    async def _intro_dms(self, match_id: int, now: int) -> bool:
        match = await store.load_match(self.db, match_id)
        if match is None or not match.active:
            return False
        owed = False
        for role, user in sides(match):
            owed |= await owe_dm(
                self.db,
                MatchedMessage(match.id, role),
                guild_id=match.guild_id,
                user_id=user,
                dedupe_key=key("matched", match.id, role),
                now=now,
            )
        await self.db.execute(
            "UPDATE mentorship_matches SET intro_sent_at = COALESCE(intro_sent_at, ?) WHERE id = ?",
            (now, match.id),
        )
        return owed

    # --- ending ------------------------------------------------------------------------------
    async def end(self, guild_id: int, match_id: int, user_id: int) -> Match:
        """Either side ends the match: the mentor's place is free, the other side is told.
        Ending an ended match changes nothing (feedback can still be given)."""
        now = int(self.clock())
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)  # a place is freed
            match = await store.load_match(self.db, match_id, lock=True)
            if match is None or match.guild_id != guild_id:
                raise NotFound(_("There is no mentorship #{id} here.", id=match_id))
            if match.role_of(user_id) is None:
                raise NotAllowed(_(NOT_YOURS))
            if not match.active:
                return match
            return await self.close(match, user_id, "ended", now)

    async def close(
        self, match: Match, by: int | None, reason: EndReason, now: int, notice: str | None = None
    ) -> Match:
        """End an active match (inside the caller's transaction), close its request and
        tell the side that did not end it (`notice`: the reason they are told, when it
        says more than `reason`)."""
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
        for role, user in sides(match):
            if user is not None and user != by:
                await owe_dm(
                    self.db,
                    EndedMessage(match.id, role, notice or reason),
                    guild_id=match.guild_id,
                    user_id=user,
                    dedupe_key=key("ended", match.id, role),
                    now=now,
                )
        # Check-in DMs not yet delivered make no sense any more.
        await outbox.drop(self.db, dedupe_prefix=key("checkin", match.id, ""))
        ended = await store.load_match(self.db, match.id)
        assert ended is not None
        return ended

    async def close_all_of(
        self, guild_id: int, user_id: int, reason: EndReason, now: int, *, as_mentor: bool = False
    ) -> tuple[Match, ...]:
        """End the member's active matches (only those they mentor, with `as_mentor`)."""
        if as_mentor:
            found = await store.matches(
                self.db, "guild_id = ? AND status = 'active' AND mentor_id = ?", (guild_id, user_id)
            )
        else:
            found = await store.active_matches_of(self.db, guild_id, user_id)
        return tuple([await self.close(m, user_id, reason, now) for m in found])
