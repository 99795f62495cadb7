"""The events feature's timers: one APScheduler job per due row, all wired here.

The rows are the truth (bot/scheduler.py): a reminder row, an event's feedback request
(due an hour after the end), an event's seat release (24 h before the start, for
members waiting behind) and the archive of its thread (a day after the end). Each gets
one job at its due time, id `events:<what>:<id>`, so re-adding replaces it. No polling
and no dispatcher: the rebuilder re-adds every job from the tables at start-up (and at
once on a reload), every fire is idempotent in the domain, and a fire that finds its row
"not due yet" (the event moved) re-arms itself.

With several processes (bot/shards.py) each arms the jobs of its own guilds only.

Registered on load (`start`), removed on unload (`stop`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from bot.events import Event, EventService, SeatChange
from bot.events.threads import ArchiveCheck
from bot.scheduler import Scheduler
from bot.shards import ALL, Shards

log = logging.getLogger(__name__)

PREFIX = "events:"
ARCHIVE_RETRY = 600  # seconds: Discord failed to archive a thread; try again after this


def reminder_job(reminder_id: int) -> str:
    return f"{PREFIX}reminder:{reminder_id}"


def feedback_job(event_id: int) -> str:
    return f"{PREFIX}feedback:{event_id}"


def release_job(event_id: int) -> str:
    return f"{PREFIX}release:{event_id}"


def series_job(series_id: int) -> str:
    return f"{PREFIX}series:{series_id}"


def archive_job(event_id: int) -> str:
    return f"{PREFIX}thread:{event_id}"


async def _no_discord(check: ArchiveCheck) -> bool:
    """Without a Discord side (unit tests) there is nothing to archive."""
    return True


class EventTimers:
    """`wake` kicks the deliverer (a fire wrote outbox rows); `apply` applies a seat
    change (cogs/events/_feature.py, `EventsFeature.apply`); `announce` announces the
    occurrences a series job made (`EventsFeature.announce_made`); `archive` archives a
    thread on Discord and says whether it's done (cogs/events/_threads.py)."""

    def __init__(
        self,
        scheduler: Scheduler,
        events: EventService,
        *,
        wake: Callable[[], None],
        apply: Callable[[SeatChange], Awaitable[None]],
        announce: Callable[[list[Event]], Awaitable[object]],
        shards: Shards = ALL,
        archive: Callable[[ArchiveCheck], Awaitable[bool]] = _no_discord,
        reminded: Callable[[], object] = lambda: None,
    ) -> None:
        self.scheduler = scheduler
        self.shards = shards  # whose jobs are this process's
        self.events = events
        self.wake = wake
        self.apply = apply
        self.announce = announce
        self.archive = archive
        self.reminded = reminded  # a reminder went out (the metrics count it)

    async def start(self) -> None:
        self.scheduler.add_rebuilder("events", self.rebuild)
        if self.scheduler.running:  # a reload: start-up's rebuild has already run
            await self.rebuild()

    def stop(self) -> None:
        self.scheduler.remove_rebuilder("events")
        self.scheduler.cancel_prefix(PREFIX)

    async def rebuild(self) -> int:
        """Every job from the tables; returns how many."""
        return (
            await self.schedule_reminders()
            + await self._schedule_feedback_and_release(None)
            + await self.schedule_series()
            + await self.schedule_archives()
        )

    # --- arming --------------------------------------------------------------------------
    async def schedule_event(self, event_id: int) -> int:
        """(Re)arm the event's reminders, feedback request and seat release, after a create
        or an edit; returns how many reminders are armed."""
        reminders = await self.schedule_reminders(event_id=event_id)
        await self._schedule_feedback_and_release(event_id)
        await self.schedule_archives(event_id)
        return reminders

    async def _schedule_feedback_and_release(self, event_id: int | None) -> int:
        """The feedback request after the event and the seat release before it (None:
        every event's)."""
        count = 0
        for job in await self.events.feedback.pending(event_id=event_id):
            if not self.shards.owns(job.guild_id):
                continue
            self.scheduler.at(
                feedback_job(job.event_id), job.due_at, self.fire_feedback, job.event_id
            )
            count += 1
        for release in await self.events.seats.pending_releases(event_id=event_id):
            if not self.shards.owns(release.guild_id):
                continue
            self.schedule_release(release.event_id, release.release_at)
            count += 1
        return count

    async def schedule_reminders(
        self, *, guild_id: int | None = None, event_id: int | None = None
    ) -> int:
        """(Re)arm pending reminders (all, a guild's or an event's); returns how many."""
        found = await self.events.reminders.pending(guild_id=guild_id, event_id=event_id)
        pending = [r for r in found if self.shards.owns(r.guild_id)]
        for reminder in pending:
            self.scheduler.at(
                reminder_job(reminder.id), reminder.due_at, self.fire_reminder, reminder.id
            )
        return len(pending)

    async def cancel_reminders(self, event_id: int) -> None:
        """Disarm the event's reminder jobs (a cancel, or before re-arming after an edit).
        A stale job would only find its row not due, but there is no need to wake for it."""
        for reminder in await self.events.reminders.of_event(event_id):
            self.scheduler.cancel(reminder_job(reminder.id))

    async def schedule_series(self, series_id: int | None = None) -> int:
        """Arm the making of each active series' next occurrence (all, or one series)."""
        jobs = [
            job
            for job in await self.events.series.pending(series_id)
            if self.shards.owns(job.guild_id)
        ]
        for job in jobs:
            self.scheduler.at(
                series_job(job.series_id), job.due_at, self.fire_series, job.series_id
            )
        return len(jobs)

    async def schedule_archives(self, event_id: int | None = None) -> int:
        """(Re)arm the archive of threads (an event's, or all); returns how many."""
        count = 0
        for job in await self.events.threads.archives(event_id=event_id):
            if self.shards.owns(job.guild_id):
                self.scheduler.at(
                    archive_job(job.event_id), job.due_at, self.fire_archive, job.event_id
                )
                count += 1
        return count

    def schedule_release(self, event_id: int, when: int) -> None:
        self.scheduler.at(release_job(event_id), when, self.fire_release, event_id)

    # --- firing ---------------------------------------------------------------------------
    async def fire_reminder(self, reminder_id: int) -> None:
        try:
            result = await self.events.reminders.fire(reminder_id)
        except Exception:
            log.exception("reminder %s failed; it stays pending for the next start-up", reminder_id)
            return
        if result.outcome == "not_due" and result.due_at:
            self.scheduler.at(
                reminder_job(reminder_id), result.due_at, self.fire_reminder, reminder_id
            )
        elif result.outcome == "sent":
            log.info("reminder %s: %d DM(s) queued", reminder_id, result.dms)
            self.reminded()
            self.wake()

    async def fire_feedback(self, event_id: int) -> None:
        try:
            result = await self.events.feedback.request(event_id)
        except Exception:
            log.exception("feedback requests for event %s failed", event_id)
            return
        if result.outcome == "not_due" and result.due_at:
            self.scheduler.at(feedback_job(event_id), result.due_at, self.fire_feedback, event_id)
        elif result.outcome == "sent":
            self.wake()

    async def fire_release(self, event_id: int) -> None:
        try:
            result = await self.events.seats.release(event_id)
        except Exception:
            log.exception("seat release for event %s failed", event_id)
            return
        if result.outcome == "not_due" and result.due_at:
            self.schedule_release(event_id, result.due_at)
        elif result.outcome == "released":
            await self.apply(result.seats)

    async def fire_series(self, series_id: int) -> None:
        """Make the occurrences now within the lead, announce them, arm the next."""
        try:
            made = await self.events.series.make_due(series_id)
        except Exception:
            log.exception("series %s: making the next occurrence failed", series_id)
            return  # re-armed at the next start-up
        if made:
            log.info("series %s: %d occurrence(s) made", series_id, len(made))
            await self.announce(made)
        await self.schedule_series(series_id)

    async def fire_archive(self, event_id: int) -> None:
        try:
            check = await self.events.threads.check(event_id)
            if check.outcome == "not_due" and check.due_at:
                self.scheduler.at(archive_job(event_id), check.due_at, self.fire_archive, event_id)
            elif check.outcome == "due" and not await self.archive(check):
                retry = int(time.time()) + ARCHIVE_RETRY
                self.scheduler.at(archive_job(event_id), retry, self.fire_archive, event_id)
        except Exception:
            log.exception("archiving the thread of event %s failed", event_id)
