"""Making proposals: the matching inputs read from the store, writing a proposal with
the DMs it owes, and re-routing a request whose proposal closed.

Shared by the round (many requests at once, bot/mentorship/rounds.py) and by every
close of a proposal (a decline, an expiry, a withdrawal: bot/mentorship/proposals.py),
which sends the request at once to the next-best mentor with a free place. The pure
algorithm is bot/mentorship/matching.py; this module only feeds it and writes what it
chose. Every method runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.db import Database
from bot.mentorship import matching, store
from bot.mentorship.messages import (
    NoMentorMessage,
    ProposalMessage,
    ReroutedMessage,
    key,
    owe_dm,
)
from bot.mentorship.models import (
    PROPOSAL_TTL,
    MenteeRequest,
    Proposal,
    Reroute,
    RerouteReason,
    Role,
)


class Proposer:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- the matching inputs ---------------------------------------------------------------
    async def mentors(self, guild_id: int) -> list[matching.Mentor]:
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
            for p in await store.load_profiles(self.db, guild_id, "p.status = 'active'")
        ]

    @staticmethod
    def request(request: MenteeRequest, now: int) -> matching.Request:
        return matching.Request(
            id=request.id,
            member_id=request.user_id,
            topics=frozenset(request.topics),
            city=request.city,
            language=request.language,
            level=request.level,
            days_waiting=request.days_waiting(now),
        )

    async def excluded(
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

    # --- writing -----------------------------------------------------------------------------
    async def propose(
        self, request: MenteeRequest, pair: matching.Pair, origin: str, now: int
    ) -> Proposal:
        """Write a pending proposal, mark the request proposed, owe both DMs."""
        proposal_id = await self.db.insert(
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
        sides: tuple[tuple[Role, int], ...] = (
            ("mentor", pair.mentor_id),
            ("mentee", request.user_id),
        )
        for role, user in sides:
            await owe_dm(
                self.db,
                ProposalMessage(proposal_id, role),
                guild_id=request.guild_id,
                user_id=user,
                dedupe_key=key("proposal", proposal_id, role),
                now=now,
            )
        proposal = await store.load_proposal(self.db, proposal_id)
        assert proposal is not None
        return proposal

    async def reroute(self, closed: Proposal, reason: RerouteReason, now: int) -> Reroute | None:
        """Send the closed proposal's request at once to the next-best mentor with a free
        place, or back to waiting; the mentee is told either way. None if the request is
        no longer waiting (cancelled, deleted)."""
        # The caller holds it already (a decision over the closed proposal); taken again
        # here, a no-op, because free places are read and taken below.
        await store.lock_guild(self.db, closed.guild_id)
        request = await store.load_request(self.db, closed.request_id)
        if request is None or not request.is_open:
            return None
        mentors = await self.mentors(request.guild_id)
        excluded = await self.excluded(request.guild_id, [request])
        pair = matching.reroute(self.request(request, now), mentors, excluded)
        if pair is None:
            await self.db.execute(
                "UPDATE mentee_requests SET status = 'open', updated_at = ? WHERE id = ?",
                (now, request.id),
            )
            await owe_dm(
                self.db,
                NoMentorMessage(request.id, closed.id, reason),
                guild_id=request.guild_id,
                user_id=request.user_id,
                dedupe_key=key("no_mentor", closed.id),
                now=now,
            )
            return Reroute(request.id, closed.id, reason, None)
        proposal = await self.propose(request, pair, "reroute", now)
        await owe_dm(
            self.db,
            ReroutedMessage(request.id, closed.id, reason, proposal.id),
            guild_id=request.guild_id,
            user_id=request.user_id,
            dedupe_key=key("rerouted", closed.id),
            now=now,
        )
        return Reroute(request.id, closed.id, reason, proposal)

    async def exclude(self, proposal: Proposal, reason: str, now: int) -> None:
        """Never propose this pair again (a decline or an expiry; not a withdrawal)."""
        if proposal.mentor_id is None or proposal.mentee_id is None:
            return
        await self.db.execute(
            "INSERT INTO mentorship_exclusions(guild_id, mentee_id, mentor_id, reason,"
            " proposal_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (proposal.guild_id, proposal.mentee_id, proposal.mentor_id, reason, proposal.id, now),
        )
