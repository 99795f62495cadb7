"""Scheduled posts: one resource per tick in a channel, rotating through the library.

The front holds three parts, each owning one job:

- `schedules`   one schedule per channel: set, list, stop, resume (schedules.py);
- `ticks`       serving the tick owed, idempotently, and what the timers must arm
                (ticks.py);
- `deliveries`  reading delivery results back; three failures in a row pause the
                schedule and tell the organizers (deliveries.py).

The database is the ledger (`next_due_at`, `last_tick_at`, `checked_outbox_id`), so the
timers that fire ticks (cogs/resources/_timers.py) hold nothing of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.db import Database
from bot.guilds import GuildSettings
from bot.resources.autopost.deliveries import MAX_FAILURES, Deliveries
from bot.resources.autopost.schedules import Autopost, Schedules
from bot.resources.autopost.ticks import DUE_GRACE_SECONDS, AutopostPlan, TickResult, Ticks
from bot.taxonomy import Taxonomy

__all__ = [
    "DUE_GRACE_SECONDS",
    "MAX_FAILURES",
    "Autopost",
    "AutopostPlan",
    "AutopostService",
    "Deliveries",
    "Schedules",
    "TickResult",
    "Ticks",
]


class AutopostService:
    def __init__(
        self, db: Database, guilds: GuildSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.schedules = Schedules(db, guilds, Taxonomy(db, clock), clock)
        self.deliveries = Deliveries(db, self.schedules, clock)
        self.ticks = Ticks(db, self.schedules, self.deliveries, clock)
