"""The door of a 300-seat event: 300 members checked in by 3 volunteers at once, each
volunteer typing ticket codes as fast as the bot answers, through the fake Discord and
the real bot process, on SQLite and on PostgreSQL. Prints time per check-in (p50, p99),
check-ins per second, and that all 300 landed once; beside it the same check-ins on the
service alone, on each store.

    python -m bench.checkin [--members 300] [--volunteers 3] [--store sqlite|postgresql|both]

PostgreSQL is a throwaway server started for the run (bot/testing/postgres.py), stopped
at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench._clicks import create_event
from bench._stats import pct, table
from bench._stores import BenchStores, Kind, add_store_option, chosen
from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.testing import BotProcess, FakeDiscord, World
from bot.testing.store import StoreHandle


async def bot_run(members: int, volunteers: int, store: StoreHandle) -> dict[str, Any]:
    world = World.default()
    users = world.add_members(members)
    staff = []
    for i in range(volunteers):
        world.add_user(f"volunteer{i}")
        world.add_member(f"volunteer{i}", roles=["Admin"])
        staff.append(f"volunteer{i}")
    async with FakeDiscord(world, enforce_deadline=False) as fake:
        proc = BotProcess(fake, store.path, extra_env={**store.env(), "LOG_LEVEL": "WARNING"})
        await proc.start(timeout=60)
        try:
            ann, event_id = await create_event(
                fake,
                title="I/O Extended door",
                city="Lahore",
                capacity=members,
                channel="lahore-events",
                starts_in=timedelta(hours=1),
            )
            await asyncio.gather(*(fake.click(u, ann, label="Going", timeout=60) for u in users))
            await asyncio.sleep(1)
            codes = [
                str(r[0])
                for r in store.fetchall(
                    "SELECT code FROM event_tickets WHERE event_id = ? AND voided_at IS NULL"
                    " ORDER BY issued_at",
                    (event_id,),
                )
            ]
            queues = [codes[i::volunteers] for i in range(volunteers)]
            latencies: list[float] = []

            async def volunteer(name: str, mine: list[str]) -> None:
                for code in mine:
                    t0 = time.perf_counter()
                    res = await fake.slash(name, "event checkin", event=str(event_id), code=code)
                    latencies.append(time.perf_counter() - t0)
                    assert "✅" in res.content, res.content

            start = time.perf_counter()
            await asyncio.gather(*(volunteer(s, q) for s, q in zip(staff, queues, strict=True)))
            elapsed = time.perf_counter() - start
        finally:
            await proc.stop()
    landed = store.fetchone(
        "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM event_checkins WHERE event_id = ?",
        (event_id,),
    )
    assert landed is not None
    return {
        "run": f"bot, end to end ({volunteers} volunteers)",
        "checkins": len(codes),
        "landed": landed[0],
        "distinct": landed[1],
        "per_s": len(codes) / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
    }


async def service_run(members: int, volunteers: int, target: str) -> dict[str, Any]:
    db = await Database.connect(target)
    try:
        await db.migrate()
        events = EventService(db, GuildSettings(db))
        event = await events.catalogue.create(
            1, 2, title="Door", city="Lahore", starts="2030-01-01 10:00", capacity=members
        )
        for i in range(members):
            await events.seats.rsvp(1, event.id, 100000 + i)
        events.store.clock = lambda: event.starts_at - 600  # ten minutes before the doors open
        ids = [100000 + i for i in range(members)]
        latencies: list[float] = []

        async def volunteer(mine: list[int]) -> None:
            for user in mine:
                t0 = time.perf_counter()
                await events.door.check_in(1, event.id, by_user_id=2, member_id=user)
                latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        await asyncio.gather(*(volunteer(ids[i::volunteers]) for i in range(volunteers)))
        elapsed = time.perf_counter() - start
    finally:
        await db.close()
    return {
        "run": "service only",
        "checkins": members,
        "per_s": members / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
    }


async def run(members: int, volunteers: int, kinds: list[Kind]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, BenchStores(Path(tmp)) as stores:
        for kind in kinds:
            bot = await bot_run(members, volunteers, stores.new(kind, "door"))
            rows.append({"store": kind, **bot})
        for kind in kinds:
            target = stores.target(stores.new(kind, "service"))
            rows.append({"store": kind, **await service_run(members, volunteers, target)})
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--volunteers", type=int, default=3)
    add_store_option(parser)
    args = parser.parse_args(argv)
    kinds = chosen(args.store)
    rows = asyncio.run(run(args.members, args.volunteers, kinds))
    print(f"Check-in: {args.members} members, {args.volunteers} volunteers ({', '.join(kinds)})")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
