"""APScheduler, wrapped. The database is the source of truth for future work.

Jobs live only in memory: each feature registers a *rebuilder* that reads its
tables and re-adds its jobs at start-up, and each job records in the database
what it did, so a restart neither loses nor repeats work. Overdue jobs run at
once (misfire grace is unlimited); the job itself decides whether late work
still makes sense.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

Rebuilder = Callable[[], Awaitable[int]]


class Scheduler:
    def __init__(self) -> None:
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._rebuilders: list[tuple[str, Rebuilder]] = []

    @property
    def running(self) -> bool:
        return self._aps.running

    def start(self) -> None:
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def add_rebuilder(self, name: str, rebuild: Rebuilder) -> None:
        """Register a function that re-adds a feature's jobs from the database."""
        self._rebuilders.append((name, rebuild))

    def remove_rebuilder(self, name: str) -> None:
        """A feature unloads: it no longer rebuilds its jobs."""
        self._rebuilders = [(n, r) for n, r in self._rebuilders if n != name]

    def cancel_prefix(self, prefix: str) -> int:
        """Remove every job whose id starts with `prefix` (a feature's own); how many."""
        ids = self.job_ids(prefix)
        for job_id in ids:
            self.cancel(job_id)
        return len(ids)

    async def rebuild(self) -> dict[str, int]:
        """Run every rebuilder; returns how many jobs each one scheduled."""
        counts: dict[str, int] = {}
        for name, rebuild in self._rebuilders:
            counts[name] = await rebuild()
            log.info("scheduler: rebuilt %d %s job(s) from the database", counts[name], name)
        return counts

    def at(self, job_id: str, when: datetime | int, func: Callable[..., Any], *args: Any) -> None:
        """Run `func(*args)` once at `when` (a UTC datetime or epoch seconds); replaces `job_id`."""
        if isinstance(when, int | float):
            when = datetime.fromtimestamp(when, UTC)
        self._aps.add_job(
            func, DateTrigger(run_date=when), args=args, id=job_id, replace_existing=True
        )

    def every(
        self, job_id: str, trigger: BaseTrigger, func: Callable[..., Any], *args: Any
    ) -> None:
        """Run `func(*args)` on `trigger` (cron or interval); replaces `job_id`."""
        self._aps.add_job(func, trigger, args=args, id=job_id, replace_existing=True)

    def cancel(self, job_id: str) -> bool:
        """Remove a job if it exists; returns whether it did."""
        job = self._aps.get_job(job_id)
        if job is None:
            return False
        job.remove()
        return True

    def has(self, job_id: str) -> bool:
        return self._aps.get_job(job_id) is not None

    def next_run(self, job_id: str) -> datetime | None:
        job = self._aps.get_job(job_id)
        return None if job is None else job.next_run_time

    def job_ids(self, prefix: str = "") -> list[str]:
        return sorted(j.id for j in self._aps.get_jobs() if j.id.startswith(prefix))
