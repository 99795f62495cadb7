"""The resources' timers (cogs/resources/_timers.py): one job per thing due, rebuilt from
the database, re-armed from what each fire recorded, registered on load and removed on
unload. Real scheduler, real SQLite file; the clock is injected."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from bot.db import Database
from bot.guilds import GuildSettings
from bot.resources import AutopostService, FeedService, ResourceService
from bot.resources.feeds import feed_session
from bot.scheduler import Scheduler
from cogs.resources._timers import (
    FEED_RETRY_AFTER_ERROR,
    READ_RESULTS_AFTER,
    ResourceTimers,
    autopost_job_id,
    feed_job_id,
)
from tests.unit.conftest import START_OF_TESTS, FakeClock

G = 710
CH = 7101
CH2 = 7102
ORG = 11
T0 = START_OF_TESTS  # 05:00 in Karachi: the day's 10:00 tick is at T0 + 5 h


@pytest.fixture
async def scheduler() -> AsyncIterator[Scheduler]:
    """Started paused: jobs are stored (and replaced) as in the bot, but never fire."""
    scheduler = Scheduler()
    scheduler._aps.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown()


@pytest.fixture
def autoposts(db: Database, guilds: GuildSettings, clock: FakeClock) -> AutopostService:
    return AutopostService(db, guilds, clock=clock)


@pytest.fixture
def feeds(db: Database, clock: FakeClock) -> FeedService:
    return FeedService(db, clock=clock)


@pytest.fixture
def woken() -> list[bool]:
    return []


@pytest.fixture
def timers(
    scheduler: Scheduler,
    autoposts: AutopostService,
    feeds: FeedService,
    woken: list[bool],
    clock: FakeClock,
) -> ResourceTimers:
    return ResourceTimers(
        scheduler,
        autoposts,
        feeds,
        session=lambda: None,  # type: ignore[arg-type, return-value]
        wake=lambda: woken.append(True),
        clock=clock,
    )


async def fill(db: Database, clock: FakeClock, n: int) -> None:
    library = ResourceService(db, clock=clock).library
    for i in range(n):
        await library.add(G, f"https://example.com/t/{i}", f"Title {i}", "NLP", "beginner", ORG)


async def add_feed(db: Database, url: str, next_poll_at: int, status: str = "ok") -> int:
    """A subscription as feed-add leaves it (without fetching anything here)."""
    return await db.insert(
        "INSERT INTO resource_feeds(guild_id, url, url_canonical, channel_id, status,"
        " next_poll_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (G, url, url, CH, status, next_poll_at, T0),
    )


def run_date(scheduler: Scheduler, job_id: str) -> int:
    """When a one-off job fires."""
    when = scheduler.next_run(job_id)
    assert when is not None, job_id
    return int(when.timestamp())


async def test_autopost_timers_are_rebuilt_from_the_database(
    db: Database,
    autoposts: AutopostService,
    scheduler: Scheduler,
    timers: ResourceTimers,
    woken: list[bool],
    clock: FakeClock,
) -> None:
    """As at start-up: the timers register, then the scheduler rebuilds everything."""
    scheduler.shutdown()
    scheduler = timers.scheduler = Scheduler()  # not started yet
    await fill(db, clock, 3)
    running = await autoposts.schedules.set(G, CH, "daily 10:00")
    paused = await autoposts.schedules.set(G, CH2, "daily 11:00")
    for _ in range(3):
        await autoposts.deliveries.record_failure(paused.id, "gone")
    clock.set(T0 + 86400)  # restarted a day later: the 10:00 tick is owed
    await timers.start()  # the scheduler is not running yet: it rebuilds at start-up
    assert await scheduler.rebuild() == {"resources": 2}
    job = autopost_job_id(running.id)
    assert scheduler.job_ids() == sorted([job, f"{job}:catch-up"])
    result = await timers.fire_autopost(running.id)  # what the catch-up job runs
    assert result is not None and result.outcome == "posted" and woken
    # its delivery result is read once the deliverer's retries are over
    [results] = [j for j in scheduler._aps.get_jobs() if j.id == f"{job}:results"]
    assert int(results.trigger.run_date.timestamp()) == int(clock()) + READ_RESULTS_AFTER
    assert await timers.fire_autopost(running.id) is None  # the cron job at the same time: nothing
    timers.cancel_autopost(running.id)
    assert scheduler.job_ids() == []
    forced = await autoposts.ticks.tick(running.id, int(clock()))
    assert forced.outcome == "posted"
    assert await timers.read_results(running.id) is False  # reads deliveries without error

    # Restarted an hour later: no tick owed, so the last post's result is read at once.
    clock.advance(3600)
    scheduler = Scheduler()
    again = ResourceTimers(scheduler, autoposts, timers.feeds, timers.session, timers.wake, clock)
    await again.start()
    assert await scheduler.rebuild() == {"resources": 2}
    assert scheduler.job_ids() == sorted([job, f"{job}:results"])
    [results] = [j for j in scheduler._aps.get_jobs() if j.id == f"{job}:results"]
    assert int(results.trigger.run_date.timestamp()) == int(clock())


async def test_a_third_failed_post_pauses_through_the_results_timer(
    db: Database,
    autoposts: AutopostService,
    scheduler: Scheduler,
    timers: ResourceTimers,
    woken: list[bool],
    clock: FakeClock,
) -> None:
    await fill(db, clock, 3)
    autopost = await autoposts.schedules.set(G, CH, "daily 10:00")
    await timers.autopost_changed(autopost.id)
    assert scheduler.job_ids() == [autopost_job_id(autopost.id)]
    for day in range(3):
        await autoposts.ticks.tick(autopost.id, T0 + day * 86400)
    await db.execute("UPDATE outbox SET status = 'failed', last_error = 'forbidden (50001)'")
    assert await timers.read_results(autopost.id) is True
    assert scheduler.job_ids() == [] and woken  # paused: no job; the organizers' notice owed
    state = await autoposts.schedules.get(autopost.id)
    assert state is not None and state.paused
    await timers.autopost_changed(autopost.id)  # a paused schedule is armed by nothing
    assert scheduler.job_ids() == []


async def test_a_zone_change_re_arms_the_cron_job(
    autoposts: AutopostService,
    guilds: GuildSettings,
    scheduler: Scheduler,
    timers: ResourceTimers,
) -> None:
    autopost = await autoposts.schedules.set(G, CH, "daily 10:00")
    await timers.autopost_changed(autopost.id)
    job = autopost_job_id(autopost.id)
    assert str(scheduler._aps.get_job(job).trigger.timezone) == "Asia/Karachi"
    await guilds.set_timezone(G, "UTC")
    await timers.guild_zone_changed(G)
    assert str(scheduler._aps.get_job(job).trigger.timezone) == "UTC"


async def test_feed_timers_follow_next_poll_at(
    db: Database,
    feeds: FeedService,
    scheduler: Scheduler,
    timers: ResourceTimers,
    clock: FakeClock,
) -> None:
    with socket.socket() as s:  # a port nothing listens on: every fetch fails
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/feed.xml"
    due = await add_feed(db, dead, T0 - 60)
    later = await add_feed(db, dead + "?later", T0 + 3600)
    await add_feed(db, dead + "?off", T0 - 60, status="disabled")
    timers.session = lambda: session
    async with feed_session(allow_private_networks=True) as session:
        assert await timers.rebuild() == 2  # a turned-off feed has no timer
        assert scheduler.job_ids() == sorted([feed_job_id(due), feed_job_id(later)])
        assert run_date(scheduler, feed_job_id(later)) == T0 + 3600

        early = await timers.fire_feed(later)  # fired early (or twice): nothing fetched
        assert early is not None and early.outcome == "not_due"
        assert run_date(scheduler, feed_job_id(later)) == T0 + 3600

        failed = await timers.fire_feed(due)  # polled; re-armed at what the poll recorded
        assert failed is not None and failed.outcome == "failed"
        assert failed.next_poll_at == T0 + 30 * 60
        assert run_date(scheduler, feed_job_id(due)) == failed.next_poll_at

        await feeds.interval.set(G, 120)
        await timers.guild_feeds_changed(G)  # healthy feeds move to the new pace
        assert run_date(scheduler, feed_job_id(later)) == T0 + 120 * 60
        assert run_date(scheduler, feed_job_id(due)) == failed.next_poll_at  # failing: backoff

        timers.session = lambda: 1 / 0  # type: ignore[assignment, return-value]
        clock.set(T0 + 7200)  # due, and the poll raises (a bug, not a feed failure)
        assert await timers.fire_feed(later) is None
        assert run_date(scheduler, feed_job_id(later)) == T0 + 7200 + FEED_RETRY_AFTER_ERROR

        timers.cancel_feed(later)
        assert scheduler.job_ids() == [feed_job_id(due)]


async def test_a_reload_rebuilds_at_once_and_unload_removes_everything(
    autoposts: AutopostService, scheduler: Scheduler, timers: ResourceTimers
) -> None:
    autopost = await autoposts.schedules.set(G, CH, "daily 10:00")
    await timers.start()  # the scheduler already runs: a cog reload
    assert scheduler.job_ids("resources:") == [autopost_job_id(autopost.id)]
    scheduler.at("other:job", T0 + 10**9, print)
    timers.stop()
    assert scheduler.job_ids() == ["other:job"]  # only the resources' jobs go
    assert await scheduler.rebuild() == {}  # and its rebuilder


def test_job_ids_name_the_feature() -> None:
    assert autopost_job_id(3) == "resources:autopost:3"
    assert feed_job_id(4) == "resources:feed:4"
