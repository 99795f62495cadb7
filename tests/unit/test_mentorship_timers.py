"""Mentorship's timers (cogs/mentorship/_timers.py) on the real scheduler: one job per
row that waits for a time, armed from the database at start-up and for the rows each
decision makes; every fire idempotent (early: re-armed; twice: nothing more); the round
job follows the schedule and the time zone; unloading leaves no job behind."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.guilds import GuildSettings
from bot.mentorship import MentorshipService
from bot.mentorship.models import CHECKIN_AFTER, PROPOSAL_TTL
from bot.scheduler import Scheduler
from bot.taxonomy import Taxonomy
from cogs.mentorship._timers import MentorshipTimers, checkin_job, expiry_job, round_job

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 630
A, B = 1, 2
M1, M2 = 11, 12
DAY = 86400


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    # A month ahead of the real clock: no job comes due while a test runs; tests fire
    # jobs themselves, as the scheduler would at their time.
    clock.set(int(time.time()) + 30 * DAY)
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


@pytest.fixture
async def scheduler() -> AsyncIterator[Scheduler]:
    running = Scheduler()
    running.start()
    yield running
    running.shutdown()


class Wakes:
    """Stands in for the deliverer's kick: counts the wake-ups."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def next_utc(scheduler: Scheduler, job_id: str) -> datetime:
    when = scheduler.next_run(job_id)
    assert when is not None, f"no job {job_id}"
    return when.astimezone(UTC)


async def outbox_rows(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM outbox"))


async def a_match_and_a_pending_proposal(ms: MentorshipService) -> tuple[int, int]:
    """A mentors M1 (matched) and is proposed to M2 (pending). (match id, proposal id)."""
    await ms.mentors.join(G, A, topics="NLP", capacity=2)
    await ms.requests.ask(G, M1, topics="NLP")
    (first,) = (await ms.rounds.run(G)).proposal_ids
    await ms.proposals.answer(first, A, True)
    match = (await ms.proposals.answer(first, M1, True)).match
    assert match is not None
    await ms.requests.ask(G, M2, topics="NLP")
    (pending,) = (await ms.rounds.run(G)).proposal_ids
    return match.id, pending


async def test_start_rebuilds_one_job_per_waiting_row_and_stop_removes_them(
    ms: MentorshipService, scheduler: Scheduler
) -> None:
    match_id, pid = await a_match_and_a_pending_proposal(ms)
    timers = MentorshipTimers(scheduler, ms, Wakes())
    await timers.start()  # the scheduler runs already (a reload): rebuilt at once
    assert scheduler.job_ids("mentorship:") == sorted(
        [expiry_job(pid), checkin_job(match_id), round_job(G)]
    )
    proposal = await ms.proposals.get(pid)
    match = await ms.matches.get(match_id)
    assert scheduler.next_run(expiry_job(pid)) == at(proposal.expires_at)
    assert scheduler.next_run(checkin_job(match_id)) == at(match.checkin_due_at)
    assert scheduler.next_run(round_job(G)) is not None
    # The rebuilder is registered: a restart's rebuild arms the same jobs again.
    assert (await scheduler.rebuild())["mentorship"] == 3
    timers.stop()
    assert scheduler.job_ids("mentorship:") == []
    assert "mentorship" not in await scheduler.rebuild()


async def test_start_before_the_scheduler_runs_only_registers(
    ms: MentorshipService, db: Database
) -> None:
    await a_match_and_a_pending_proposal(ms)
    scheduler = Scheduler()  # start-up: cogs load before the scheduler starts
    timers = MentorshipTimers(scheduler, ms, Wakes())
    await timers.start()
    assert scheduler.job_ids("mentorship:") == []
    assert await scheduler.rebuild() == {"mentorship": 3}


async def test_a_decision_arms_the_jobs_of_the_rows_it_made(
    ms: MentorshipService, scheduler: Scheduler
) -> None:
    wakes = Wakes()
    timers = MentorshipTimers(scheduler, ms, wakes)
    await timers.start()
    assert scheduler.job_ids("mentorship:") == []
    await ms.mentors.join(G, A, topics="NLP", capacity=1)
    await ms.requests.ask(G, M1, topics="NLP")
    (pid,) = (await ms.rounds.run(G)).proposal_ids
    assert not scheduler.has(expiry_job(pid))  # armed by the feature after the decision
    await timers.changed(G)
    assert scheduler.has(expiry_job(pid)) and wakes.count == 1
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    await timers.changed(G)
    assert scheduler.next_run(checkin_job(match.id)) == at(match.checkin_due_at)
    assert wakes.count == 2


async def test_an_expiry_job_fired_early_waits_and_fired_twice_does_nothing_more(
    ms: MentorshipService, scheduler: Scheduler, db: Database, clock: FakeClock
) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=1, languages="Urdu")
    await ms.mentors.join(G, B, topics="NLP", capacity=1)
    await ms.requests.ask(G, M1, topics="NLP", language="Urdu")
    (pid,) = (await ms.rounds.run(G)).proposal_ids
    wakes = Wakes()
    timers = MentorshipTimers(scheduler, ms, wakes)
    await timers.start()
    expires_at = (await ms.proposals.get(pid)).expires_at
    await timers.fire_expiry(pid)  # early: nothing changes, the job waits for its time
    assert (await ms.proposals.get(pid)).status == "pending"
    assert scheduler.next_run(expiry_job(pid)) == at(expires_at) and wakes.count == 0
    clock.advance(PROPOSAL_TTL)
    await timers.fire_expiry(pid)
    assert (await ms.proposals.get(pid)).status == "expired" and wakes.count == 1
    # The request went on to B: that proposal's expiry is armed at once.
    (next_one,) = await ms.proposals.expiries(G)
    assert (await ms.proposals.get(next_one.id)).mentor_id == B
    assert scheduler.next_run(expiry_job(next_one.id)) == at(next_one.at)
    before = await outbox_rows(db)
    await timers.fire_expiry(pid)  # again: the row no longer waits
    assert await outbox_rows(db) == before and wakes.count == 1


async def test_a_checkin_job_fired_early_waits_and_fired_twice_owes_once(
    ms: MentorshipService, scheduler: Scheduler, db: Database, clock: FakeClock
) -> None:
    match_id, _ = await a_match_and_a_pending_proposal(ms)
    wakes = Wakes()
    timers = MentorshipTimers(scheduler, ms, wakes)
    await timers.start()
    due = (await ms.matches.get(match_id)).checkin_due_at
    await timers.fire_checkin(match_id)
    assert scheduler.next_run(checkin_job(match_id)) == at(due) and wakes.count == 0
    clock.advance(CHECKIN_AFTER)
    await timers.fire_checkin(match_id)
    checkins = "SELECT COUNT(*) FROM outbox WHERE kind = 'mentorship.checkin'"
    assert await db.fetchval(checkins) == 2 and wakes.count == 1
    await timers.fire_checkin(match_id)
    assert await db.fetchval(checkins) == 2 and wakes.count == 1


async def test_a_round_fired_twice_for_one_tick_runs_once(
    ms: MentorshipService, scheduler: Scheduler, clock: FakeClock
) -> None:
    await ms.mentors.join(G, A, topics="NLP", capacity=3)
    await ms.requests.ask(G, M1, topics="NLP")
    wakes = Wakes()
    timers = MentorshipTimers(scheduler, ms, wakes)
    await timers.start()
    tick = (await ms.rounds.plan(G)).next_at
    assert tick is not None
    await timers.fire_round(G)  # before the tick: no round
    assert await ms.proposals.expiries(G) == [] and wakes.count == 0
    clock.set(tick)
    await timers.fire_round(G)
    (proposal,) = await ms.proposals.expiries(G)
    assert scheduler.has(expiry_job(proposal.id)) and wakes.count == 1
    await ms.requests.ask(G, M2, topics="NLP")
    await timers.fire_round(G)  # the same tick again: no second round
    assert len(await ms.proposals.expiries(G)) == 1 and wakes.count == 1


async def test_the_round_job_follows_the_schedule_and_the_time_zone(
    ms: MentorshipService, scheduler: Scheduler, guilds: GuildSettings
) -> None:
    await ms.config.ensure(G)
    timers = MentorshipTimers(scheduler, ms, Wakes())
    await timers.start()
    karachi = next_utc(scheduler, round_job(G))  # Mondays 18:00 in Asia/Karachi (+05)
    assert (karachi.weekday(), karachi.hour, karachi.minute) == (0, 13, 0)
    await guilds.set_timezone(G, "UTC")
    await timers.reschedule_round(G)
    utc = next_utc(scheduler, round_job(G))
    assert (utc.weekday(), utc.hour, utc.minute) == (0, 18, 0)
    await ms.config.set_schedule(G, "daily 07:30")
    await timers.reschedule_round(G)
    daily = next_utc(scheduler, round_job(G))
    assert (daily.hour, daily.minute) == (7, 30)


async def test_a_guild_that_starts_using_mentorship_after_start_up_gets_its_rounds(
    ms: MentorshipService, scheduler: Scheduler
) -> None:
    timers = MentorshipTimers(scheduler, ms, Wakes())
    await timers.start()
    assert scheduler.job_ids("mentorship:") == []
    await ms.mentors.join(G, A, topics="NLP", capacity=1)  # the guild's first use
    await timers.changed(G)
    assert scheduler.job_ids("mentorship:") == [round_job(G)]
