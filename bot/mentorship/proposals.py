"""Proposals after they are made: each side's answer, the 72-hour expiry, and
withdrawal (a request cancelled, a mentor stepping down or leaving, data deleted).

Every decision is one `db.transaction()` that reads and writes together under the
guild's mentorship lock and the proposal's row lock (bot/mentorship/store.py: on
PostgreSQL, across processes), so two clicks, both sides answering at once, or a click
racing the expiry job, cannot both win; the DMs it owes are written in that transaction.
Both accepted → the match (bot/mentorship/matches.py). A decline or an expiry excludes the
pair and re-routes the request at once (bot/mentorship/proposing.py); a withdrawal
excludes nobody. A pending proposal holds one of its mentor's places until it closes.

The expiry is a timer: `expiries()` lists every pending proposal with its time, one job
each (cogs/mentorship/_timers.py), and `expire(id)` is what that job calls.
"""

from __future__ import annotations

from bot import outbox
from bot.db import Database
from bot.errors import NotAllowed, NotFound
from bot.i18n import N_, _
from bot.mentorship import store
from bot.mentorship.matches import Matches
from bot.mentorship.messages import DeclinedMessage, ExpiredMessage, WithdrawnMessage, key, owe_dm
from bot.mentorship.models import (
    AnswerOutcome,
    Clock,
    Due,
    ExpiryOutcome,
    Proposal,
    ProposalView,
    Reroute,
    Role,
)
from bot.mentorship.proposing import Proposer

EXPIRED = N_("This proposal has expired: it wasn't answered by both sides within 72 hours.")
WITHDRAWN = N_(
    "This proposal was withdrawn (the mentor stepped down or the request was cancelled), "
    "so it can't be answered any more."
)
DECLINED = N_("This proposal was declined, so it can't be answered any more.")
NOT_YOURS = N_("This proposal isn't yours.")


def other_role(role: Role) -> Role:
    return "mentee" if role == "mentor" else "mentor"


class Proposals:
    def __init__(self, db: Database, proposer: Proposer, matches: Matches, clock: Clock) -> None:
        self.db = db
        self.proposer = proposer
        self.matches = matches
        self.clock = clock

    async def get(self, proposal_id: int) -> Proposal:
        found = await store.load_proposal(self.db, proposal_id)
        if found is None:
            raise NotFound(_("That proposal no longer exists."))
        return found

    async def view(self, proposal_id: int, viewer_id: int | None = None) -> ProposalView:
        """What a proposal DM shows. With `viewer_id`, only the two sides may see it."""
        proposal = await self.get(proposal_id)
        if viewer_id is not None and proposal.role_of(viewer_id) is None:
            raise NotAllowed(_(NOT_YOURS))
        mentor = await store.load_profile(self.db, proposal.guild_id, proposal.mentor_id)
        request = await store.load_request(self.db, proposal.request_id)
        return ProposalView(proposal, request, mentor)

    # --- answers -----------------------------------------------------------------------------
    async def answer(self, proposal_id: int, user_id: int, accept: bool) -> AnswerOutcome:
        """A side's Accept or Decline.

        Both accepted → the match (the cog then makes the thread). A decline → the pair is
        excluded and the request re-routed at once. Answering again the same way changes
        nothing. Refused: a proposal not yours, expired, withdrawn, or declined.
        """
        now = int(self.clock())
        async with self.db.transaction():
            await store.lock_guild_of(self.db, "mentorship_proposals", proposal_id)
            proposal = await store.load_proposal(self.db, proposal_id, lock=True)
            if proposal is None:
                raise NotFound(_("That proposal no longer exists."))
            role = proposal.role_of(user_id)
            if role is None:
                raise NotAllowed(_(NOT_YOURS))
            if not (proposal.status == "pending" and proposal.expires_at <= now):
                return await self._answer(proposal, role, accept, now)
            # Lapsed, and its job has not run yet: expire it now (committed), then refuse.
            await self._expire(proposal, now)
        raise NotAllowed(_(EXPIRED))

    async def _answer(
        self, proposal: Proposal, role: Role, accept: bool, now: int
    ) -> AnswerOutcome:
        value = "accepted" if accept else "declined"
        mine = proposal.answer_of(role)
        # Refusals first: nothing has been written yet, so raising rolls back nothing.
        if proposal.status == "accepted":
            match = await store.match_for_proposal(self.db, proposal.id)
            if accept:
                return AnswerOutcome("unchanged", role, proposal, match)
            raise NotAllowed(
                _(
                    "You both accepted this proposal already; use /mentorship end to finish "
                    "the mentorship."
                )
            )
        if proposal.status == "declined":
            if not accept and mine == "declined":
                return AnswerOutcome("unchanged", role, proposal)
            raise NotAllowed(_(DECLINED))
        if proposal.status == "expired":
            raise NotAllowed(_(EXPIRED))
        if proposal.status == "withdrawn":
            raise NotAllowed(_(WITHDRAWN))
        if mine == value:
            return AnswerOutcome("unchanged", role, proposal)

        column = f"{role}_answer"  # one of two fixed names, never member input
        if not accept:
            await self.db.execute(
                f"UPDATE mentorship_proposals SET {column} = 'declined', status = 'declined',"
                " decided_at = ? WHERE id = ?",
                (now, proposal.id),
            )
            await self.proposer.exclude(proposal, "declined", now)
            if role == "mentee":
                # The mentor learns their place is free again; a mentor's decline is told
                # to the mentee by the re-route message.
                await owe_dm(
                    self.db,
                    DeclinedMessage(proposal.id),
                    guild_id=proposal.guild_id,
                    user_id=proposal.mentor_id,
                    dedupe_key=key("declined", proposal.id),
                    now=now,
                )
            reroute = await self.proposer.reroute(proposal, "declined", now)
            return AnswerOutcome("declined", role, await self.get(proposal.id), reroute=reroute)

        await self.db.execute(
            f"UPDATE mentorship_proposals SET {column} = 'accepted' WHERE id = ?",
            (proposal.id,),
        )
        if proposal.answer_of(other_role(role)) != "accepted":
            return AnswerOutcome("accepted", role, await self.get(proposal.id))
        match = await self.matches.create(proposal, now)
        return AnswerOutcome("matched", role, await self.get(proposal.id), match)

    # --- expiry ------------------------------------------------------------------------------
    async def expiries(self, guild_id: int | None = None) -> list[Due]:
        """Every pending proposal's expiry (all guilds, or one): one timer job each."""
        scope = "" if guild_id is None else " AND guild_id = ?"
        rows = await self.db.fetchall(
            "SELECT id, guild_id, expires_at FROM mentorship_proposals"
            f" WHERE status = 'pending'{scope} ORDER BY expires_at, id",
            () if guild_id is None else (guild_id,),
        )
        return [Due(r["id"], r["guild_id"], r["expires_at"]) for r in rows]

    async def expire(
        self, proposal_id: int, now: float | None = None
    ) -> ExpiryOutcome | Due | None:
        """The proposal's expiry job. An ExpiryOutcome: it expired now (the pair excluded,
        the request re-routed, as after a decline). A Due: still pending but not due yet
        (fire again then). None: nothing to do (answered, withdrawn, expired already), so
        a job that fires twice changes nothing."""
        at = int(self.clock() if now is None else now)
        async with self.db.transaction():
            await store.lock_guild_of(self.db, "mentorship_proposals", proposal_id)
            proposal = await store.load_proposal(self.db, proposal_id, lock=True)
            if proposal is None or proposal.status != "pending":
                return None
            if proposal.expires_at > at:
                return Due(proposal.id, proposal.guild_id, proposal.expires_at)
            return await self._expire(proposal, at)

    async def _expire(self, proposal: Proposal, now: int) -> ExpiryOutcome | None:
        changed = await self.db.execute_rowcount(
            "UPDATE mentorship_proposals SET status = 'expired', decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (now, proposal.id),
        )
        if not changed:
            return None
        await self.proposer.exclude(proposal, "expired", now)
        await owe_dm(
            self.db,
            ExpiredMessage(proposal.id),
            guild_id=proposal.guild_id,
            user_id=proposal.mentor_id,
            dedupe_key=key("expired", proposal.id),
            now=now,
        )
        reroute = await self.proposer.reroute(proposal, "expired", now)
        return ExpiryOutcome(await self.get(proposal.id), reroute)

    # --- withdrawal (inside the caller's transaction, which holds the guild's lock) ------------
    async def withdraw_for_request(self, request_id: int, reason: str, now: int) -> int:
        """Withdraw the request's pending proposal; its mentor is told if they saw it.
        Returns how many were withdrawn."""
        pending = await store.proposals(
            self.db, "request_id = ? AND status = 'pending'", (request_id,), lock=True
        )
        for proposal in pending:
            if await self._withdraw(proposal, now):
                await owe_dm(
                    self.db,
                    WithdrawnMessage(proposal.id, reason),
                    guild_id=proposal.guild_id,
                    user_id=proposal.mentor_id,
                    dedupe_key=key("withdrawn", proposal.id),
                    now=now,
                )
        return len(pending)

    async def withdraw_as_mentor(
        self, guild_id: int, user_id: int, now: int
    ) -> tuple[tuple[int, ...], tuple[Reroute, ...]]:
        """The mentor steps down or leaves: withdraw their pending proposals and re-route
        each request at once. Returns (withdrawn ids, re-routes)."""
        pending = await store.proposals(
            self.db,
            "guild_id = ? AND mentor_id = ? AND status = 'pending'",
            (guild_id, user_id),
            lock=True,
        )
        reroutes: list[Reroute] = []
        for proposal in pending:
            await self._withdraw(proposal, now)
            reroute = await self.proposer.reroute(proposal, "withdrawn", now)
            if reroute is not None:
                reroutes.append(reroute)
        return tuple(p.id for p in pending), tuple(reroutes)

    async def _withdraw(self, proposal: Proposal, now: int) -> bool:
        """Mark a pending proposal withdrawn (no exclusion) and drop its DMs not yet sent.
        Returns whether the mentor's proposal DM had already gone out, or may be going."""
        await self.db.execute(
            "UPDATE mentorship_proposals SET status = 'withdrawn', decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (now, proposal.id),
        )
        to_mentor = key("proposal", proposal.id, "mentor")
        # Claimed by a deliverer: it may be reaching the mentor right now, so tell them.
        sending = await outbox.in_flight(self.db, dedupe_prefix=to_mentor, now=now)
        unsent_to_mentor = await outbox.drop(self.db, dedupe_prefix=to_mentor)
        await outbox.drop(self.db, dedupe_prefix=key("proposal", proposal.id, "mentee"))
        return unsent_to_mentor == 0 or sending > 0
