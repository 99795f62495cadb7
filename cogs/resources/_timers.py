"""The resources' timers: one APScheduler job per thing that falls due, wired in one place.

The database is the source of truth (bot/scheduler.py): `rebuild` re-arms every job
from the tables at start-up, and every fire calls an idempotent domain function, so a
job firing twice, late, or after a restart changes nothing that was already done. All
job ids start with `resources:`; `stop` cancels them all.

- `resources:autopost:{id}`, the schedule's cron trigger (in the guild's time zone):
  serves the tick owed (`ticks.run_due`: a tick served is never served again).
- `resources:autopost:{id}:catch-up`, once at start-up, for a tick that fell due while
  the bot was down (served once, coalesced).
- `resources:autopost:{id}:results`, once, READ_RESULTS_AFTER after each post: reads
  that post's delivery result (`deliveries.read_for`). A job rather than waiting for the
  next tick, because a daily or weekly schedule would otherwise pause (and tell the
  organizers) a day or a week after its third failed post. The delay lets the deliverer
  finish its retries (cogs/_delivery.py); a result still pending then is read by the
  next tick, which always reads results before it posts. Re-armed at start-up for the
  last tick served.
- `resources:feed:{id}`, once, at the feed's `next_poll_at`: polls it if due
  (`polling.run_due`) and is re-armed at the `next_poll_at` that poll recorded (none
  once the feed is turned off). At most FEED_CONCURRENCY feeds are fetched at a time: a
  restart after a long pause finds many due together.

There is no periodic sweep: whatever changes a due time (a command, a settings change, a
poll) re-arms its job here (see cogs/resources/_feature.py). With several processes
(bot/shards.py) each arms the jobs of its own guilds only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import aiohttp

from bot.resources import AutopostPlan, AutopostService, FeedService, PollResult, TickResult
from bot.scheduler import Scheduler
from bot.shards import ALL, Shards
from cogs._delivery import RETRY_SECONDS

log = logging.getLogger(__name__)

REBUILDER = "resources"
PREFIX = "resources:"
# The deliverer's retries of one post are over by then (5 + 30 + 120 + 600 s), plus a minute.
READ_RESULTS_AFTER = sum(RETRY_SECONDS) + 60
FEED_CONCURRENCY = 4
# A poll that raised (a bug, not a feed failure) is tried again after this long.
FEED_RETRY_AFTER_ERROR = 300


def autopost_job_id(autopost_id: int) -> str:
    return f"{PREFIX}autopost:{autopost_id}"


def feed_job_id(feed_id: int) -> str:
    return f"{PREFIX}feed:{feed_id}"


class ResourceTimers:
    def __init__(
        self,
        scheduler: Scheduler,
        autoposts: AutopostService,
        feeds: FeedService,
        session: Callable[[], aiohttp.ClientSession],
        wake: Callable[[], None],
        clock: Callable[[], float] = time.time,
        shards: Shards = ALL,
    ) -> None:
        self.scheduler = scheduler
        self.shards = shards  # whose jobs are this process's
        self.autoposts = autoposts
        self.feeds = feeds
        self.session = session
        self.wake = wake  # new messages are owed: the deliverer sends them now
        self.clock = clock
        self._fetching = asyncio.Semaphore(FEED_CONCURRENCY)

    # --- life cycle -----------------------------------------------------------------
    async def start(self) -> None:
        """Rebuild with the scheduler at start-up; at once if it already runs (a reload)."""
        self.scheduler.add_rebuilder(REBUILDER, self.rebuild)
        if self.scheduler.running:
            await self.rebuild()

    def stop(self) -> None:
        self.scheduler.remove_rebuilder(REBUILDER)
        self.scheduler.cancel_prefix(PREFIX)

    async def rebuild(self) -> int:
        """Arm every job from the database; returns how many."""
        count = 0
        for plan in await self.autoposts.ticks.pending():
            if not self.shards.owns(plan.guild_id):
                continue
            count += self._arm_autopost(plan)
            if plan.last_tick_at is not None and not plan.overdue:  # a tick reads them itself
                self._arm_results(plan.autopost_id, plan.last_tick_at)
                count += 1
        for feed_id, at in await self.feeds.polling.pending(shards=self.shards):
            self.arm_feed(feed_id, at)
            count += 1
        return count

    # --- autoposts ------------------------------------------------------------------
    def _arm_autopost(self, plan: AutopostPlan) -> int:
        job_id = autopost_job_id(plan.autopost_id)
        self.scheduler.every(job_id, plan.trigger, self.fire_autopost, plan.autopost_id)
        if not plan.overdue:
            return 1
        # Missed while the bot was down: serve that tick once, now.
        now = int(self.clock())
        self.scheduler.at(f"{job_id}:catch-up", now, self.fire_autopost, plan.autopost_id)
        return 2

    def _arm_results(self, autopost_id: int, posted_at: int) -> None:
        """Read the delivery result of a post enqueued at `posted_at` once it is known."""
        when = max(int(self.clock()), posted_at + READ_RESULTS_AFTER)
        job_id = f"{autopost_job_id(autopost_id)}:results"
        self.scheduler.at(job_id, when, self.read_results, autopost_id)

    async def autopost_changed(self, autopost_id: int) -> None:
        """After a schedule was set or resumed: (re)arm its job from what is stored."""
        plan = await self.autoposts.ticks.plan(autopost_id)
        if plan is None:
            self.cancel_autopost(autopost_id)
        else:
            self._arm_autopost(plan)

    def cancel_autopost(self, autopost_id: int) -> None:
        """After a schedule was stopped or paused: no job of it fires any more."""
        job_id = autopost_job_id(autopost_id)
        for suffix in ("", ":catch-up", ":results"):
            self.scheduler.cancel(job_id + suffix)

    async def guild_zone_changed(self, guild_id: int) -> None:
        """Autopost times are wall-clock times in the guild's zone: recompute and re-arm."""
        for plan in await self.autoposts.ticks.refresh_guild(guild_id):
            self._arm_autopost(plan)

    async def fire_autopost(self, autopost_id: int) -> TickResult | None:
        """The cron job (and the catch-up): serve the tick owed, if one is due."""
        try:
            result = await self.autoposts.ticks.run_due(autopost_id)
        except Exception:
            log.exception("autopost %s tick failed", autopost_id)
            return None
        if result is None:
            return None
        log.info("autopost %s tick %s: %s", autopost_id, result.tick_at, result.outcome)
        if result.outcome == "paused":
            self.cancel_autopost(autopost_id)
        elif result.outcome == "posted":  # enqueued now (a catch-up is later than its tick)
            self._arm_results(autopost_id, int(self.clock()))
        self.wake()
        return result

    async def read_results(self, autopost_id: int) -> bool:
        """The results job: fold the last posts' delivery results in; True if that paused it."""
        try:
            paused = await self.autoposts.deliveries.read_for(autopost_id)
        except Exception:
            log.exception("reading autopost %s deliveries failed", autopost_id)
            return False
        if paused:
            self.cancel_autopost(autopost_id)
            self.wake()  # the organizers' notice
        return paused

    # --- feeds ----------------------------------------------------------------------
    def arm_feed(self, feed_id: int, at: int) -> None:
        self.scheduler.at(feed_job_id(feed_id), at, self.fire_feed, feed_id)

    def cancel_feed(self, feed_id: int) -> None:
        self.scheduler.cancel(feed_job_id(feed_id))

    def feed_polled(self, result: PollResult) -> None:
        """After any poll (timer or `/resource feed-check`): arm the next, or none."""
        if result.next_poll_at is None:
            self.cancel_feed(result.feed_id)
        else:
            self.arm_feed(result.feed_id, result.next_poll_at)
        if result.posted or result.outcome == "disabled":
            self.wake()

    async def guild_feeds_changed(self, guild_id: int) -> None:
        """After the guild's feed interval changed: re-arm its feeds at their new times."""
        for feed_id, at in await self.feeds.polling.pending(guild_id):
            self.arm_feed(feed_id, at)

    async def fire_feed(self, feed_id: int) -> PollResult | None:
        """The feed's job: poll it if it is due, then re-arm from what the poll recorded."""
        async with self._fetching:
            try:
                result = await self.feeds.polling.run_due(feed_id, self.session())
            except Exception:
                log.exception("polling feed %s failed unexpectedly", feed_id)
                self.arm_feed(feed_id, int(self.clock()) + FEED_RETRY_AFTER_ERROR)
                return None
        self.feed_polled(result)
        return result
