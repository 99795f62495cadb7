"""What GET /healthz checks besides the gateway: the scheduler runs and the store answers."""

from __future__ import annotations

import asyncio

from bot.db import Database
from bot.scheduler import Scheduler

DB_TIMEOUT = 2.0  # seconds; a store slower than this is as good as down for members


async def store_problem(db: Database, within: float = DB_TIMEOUT) -> str | None:
    """Why the store doesn't answer `SELECT 1` within `within` seconds, or None if it does."""
    try:
        async with asyncio.timeout(within):
            await db.fetchval("SELECT 1")
    except TimeoutError:
        return f"database: no answer within {within:g} s"
    except Exception as exc:  # closed, unreachable, refused: the kind of failure is enough
        return f"database: {type(exc).__name__}"
    return None


async def problem(gateway: str | None, scheduler: Scheduler, db: Database) -> str | None:
    """The first reason the bot is unhealthy (one line, no member data), or None."""
    if gateway is not None:
        return gateway
    if not scheduler.running:
        return "scheduler: not running"
    return await store_problem(db)
