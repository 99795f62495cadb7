"""Matching rounds: every open request matched at once, an exact optimum over all of
them (bot/mentorship/matching.py), run by an organizer or on the guild's schedule.

A scheduled round serves the schedule's next tick not yet served (`last_tick_at`), so
a job that fires twice for one tick runs one round, and ticks missed while the bot was
down are served by one round at start-up (`plan(...).overdue`). The round decides in
one transaction under the guild's mentorship lock (its settings row: two processes never
run one tick twice, nor two rounds over the same places); the solver runs off the event
loop meanwhile.
"""

from __future__ import annotations

import asyncio

from bot.db import Database
from bot.mentorship import matching, store
from bot.mentorship.config import MentorshipConfig, next_tick
from bot.mentorship.models import (
    Clock,
    RoundPlan,
    RoundSummary,
    RoundTrigger,
    UnmatchedRequest,
)
from bot.mentorship.proposing import Proposer

# A scheduled job may fire a moment before the stored tick; treat that as due.
DUE_GRACE_SECONDS = 5


class MatchingRounds:
    def __init__(
        self, db: Database, config: MentorshipConfig, proposer: Proposer, clock: Clock
    ) -> None:
        self.db = db
        self.config = config
        self.proposer = proposer
        self.clock = clock

    async def run(self, guild_id: int) -> RoundSummary:
        """Organizers: match every open request now."""
        summary = await self._round(guild_id, "manual", None)
        assert summary is not None
        return summary

    async def run_scheduled(self, guild_id: int, now: float | None = None) -> RoundSummary | None:
        """What the round's job calls: run the round owed by the schedule, if one is due
        (else None). A tick already served is never run twice; ticks missed while the bot
        was down are served by one round."""
        return await self._round(guild_id, "scheduled", now)

    async def _round(
        self, guild_id: int, trigger: RoundTrigger, at: float | None
    ) -> RoundSummary | None:
        await self.config.ensure(guild_id)
        schedule = await self.config.schedule(guild_id) if trigger == "scheduled" else None
        now = int(self.clock() if at is None else at)
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)
            settings = await self.config.row(guild_id)  # read after the lock: fresh
            due = None
            if schedule is not None:
                due = next_tick(schedule, settings)
                if due is None or due > now + DUE_GRACE_SECONDS:
                    return None
            rows = await self.db.fetchall(
                f"SELECT {store.REQUEST_COLUMNS} FROM mentee_requests WHERE guild_id = ?"
                " AND status = 'open' ORDER BY id",
                (guild_id,),
            )
            requests = [store.request_of(r) for r in rows]
            mentors = await self.proposer.mentors(guild_id)
            excluded = await self.proposer.excluded(guild_id, requests)
            inputs = [self.proposer.request(r, now) for r in requests]
            # The solver is CPU work: off the event loop (the store stays locked meanwhile).
            result = await asyncio.to_thread(matching.match, mentors, inputs, excluded)
            by_id = {r.id: r for r in requests}
            proposal_ids = [
                (await self.proposer.propose(by_id[pair.request_id], pair, "round", now)).id
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

    async def plan(self, guild_id: int) -> RoundPlan:
        """The guild's round schedule and its next tick (overdue if missed while down)."""
        schedule = await self.config.schedule(guild_id)
        next_at = next_tick(schedule, await self.config.row(guild_id))
        overdue = next_at is not None and next_at <= int(self.clock())
        return RoundPlan(guild_id, schedule, next_at, overdue)

    async def plans(self) -> list[RoundPlan]:
        """One plan per guild that uses mentorship: what the timers schedule at start-up."""
        rows = await self.db.fetchall("SELECT guild_id FROM mentorship_settings ORDER BY guild_id")
        return [await self.plan(r["guild_id"]) for r in rows]
