"""Mentorship's timers: one APScheduler job per row that waits for a time.

    mentorship:expiry:{proposal_id}   at the pending proposal's expires_at (72 hours)
    mentorship:checkin:{match_id}     at the active match's checkin_due_at (14 days)
    mentorship:round:{guild_id}       the guild's round schedule (cron, in its time zone),
                                      and :catch-up once at start-up for a missed tick

The database is the source of truth (bot/scheduler.py): `rebuild` arms every job from
the tables at start-up, and `changed(guild_id)`, called after anything that makes or
closes proposals or matches (or a guild's first profile or request), arms the jobs of
rows made since. No polling. Every fire
is idempotent in the domain: a job that finds its row closed does nothing, one that
fires early is re-armed for the row's time, and a round fired twice for one tick runs
once (bot/mentorship/rounds.py), so a job left over for a row closed meanwhile is
harmless. With several processes (bot/shards.py) each arms the jobs of its own guilds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.mentorship import Due, MentorshipService, RoundPlan
from bot.scheduler import Scheduler
from bot.shards import ALL, Shards

log = logging.getLogger(__name__)

NAME = "mentorship"
PREFIX = "mentorship:"


def expiry_job(proposal_id: int) -> str:
    return f"mentorship:expiry:{proposal_id}"


def checkin_job(match_id: int) -> str:
    return f"mentorship:checkin:{match_id}"


def round_job(guild_id: int) -> str:
    return f"mentorship:round:{guild_id}"


class MentorshipTimers:
    def __init__(
        self,
        scheduler: Scheduler,
        service: MentorshipService,
        wake: Callable[[], None],
        shards: Shards = ALL,
    ) -> None:
        self.scheduler = scheduler
        self.shards = shards  # whose jobs are this process's
        self.service = service
        self.wake = wake  # the deliverer: what a fire owed goes out now

    async def start(self) -> None:
        """Register the rebuilder; on a reload (the scheduler already runs) rebuild now."""
        self.scheduler.add_rebuilder(NAME, self.rebuild)
        if self.scheduler.running:
            await self.rebuild()

    def stop(self) -> None:
        self.scheduler.remove_rebuilder(NAME)
        self.scheduler.cancel_prefix(PREFIX)

    async def rebuild(self) -> int:
        """Every job from the database: each guild's rounds, every pending expiry and
        every check-in still owed. Returns how many jobs were armed."""
        count = 0
        for plan in await self.service.rounds.plans():
            if self.shards.owns(plan.guild_id):
                count += self._arm_round(plan)
        return count + await self._arm_rows(None, replace=True)

    async def changed(self, guild_id: int | None = None) -> None:
        """Something was decided in the guild (None: in any): send what it owes now, and
        arm the jobs of the rows it made (and the guild's round, the first time it uses
        mentorship after start-up)."""
        self.wake()
        if guild_id is not None and not self.shards.owns(guild_id):
            return  # another process's guild: bot/signals.py runs this there
        if guild_id is not None and not self.scheduler.has(round_job(guild_id)):
            await self.reschedule_round(guild_id)
        await self._arm_rows(guild_id, replace=False)

    async def reschedule_round(self, guild_id: int) -> None:
        """The guild's schedule or time zone changed: the round job follows it."""
        if self.shards.owns(guild_id):
            self._arm_round(await self.service.rounds.plan(guild_id))

    # --- arming ------------------------------------------------------------------------------
    def _arm_round(self, plan: RoundPlan) -> int:
        self.scheduler.every(
            round_job(plan.guild_id), plan.schedule.trigger(), self.fire_round, plan.guild_id
        )
        if not plan.overdue:
            return 1
        # A tick passed while the bot was down: one round now serves it (and any before).
        self.scheduler.at(f"{round_job(plan.guild_id)}:catch-up", 0, self.fire_round, plan.guild_id)
        return 2

    async def _arm_rows(self, guild_id: int | None, *, replace: bool) -> int:
        """A job per pending expiry and owed check-in (of one guild, or all); with
        `replace` False, only for rows that have none yet."""
        armed = 0
        expiries = await self.service.proposals.expiries(guild_id)
        checkins = await self.service.checkins.owed(guild_id)
        for rows, job_id, fire in (
            (expiries, expiry_job, self.fire_expiry),
            (checkins, checkin_job, self.fire_checkin),
        ):
            for due in rows:
                if not self.shards.owns(due.guild_id):
                    continue
                if replace or not self.scheduler.has(job_id(due.id)):
                    self._arm(job_id(due.id), due, fire)
                    armed += 1
        return armed

    def _arm(self, job_id: str, due: Due, fire: Callable[[int], Awaitable[None]]) -> None:
        self.scheduler.at(job_id, due.at, fire, due.id)

    # --- firing ------------------------------------------------------------------------------
    async def fire_expiry(self, proposal_id: int) -> None:
        try:
            result = await self.service.proposals.expire(proposal_id)
        except Exception:
            log.exception("mentorship: expiring proposal %s failed; retried at start", proposal_id)
            return
        if isinstance(result, Due):  # fired early: again at the row's time
            self._arm(expiry_job(proposal_id), result, self.fire_expiry)
        elif result is not None:  # expired: the mentor is told, the request re-routed
            await self.changed(result.proposal.guild_id)

    async def fire_checkin(self, match_id: int) -> None:
        try:
            result = await self.service.checkins.send(match_id)
        except Exception:
            log.exception("mentorship: check-in of match %s failed; retried at start", match_id)
            return
        if isinstance(result, Due):
            self._arm(checkin_job(match_id), result, self.fire_checkin)
        elif result:
            self.wake()

    async def fire_round(self, guild_id: int) -> None:
        try:
            summary = await self.service.rounds.run_scheduled(guild_id)
        except Exception:
            log.exception("scheduled mentorship round for guild %s failed", guild_id)
            return
        if summary is not None:
            log.info("mentorship round in %s: %d proposal(s)", guild_id, summary.matched)
            await self.changed(guild_id)
