"""The door of a 300-seat event: 300 members checked in by 3 volunteers at once, each
volunteer typing ticket codes as fast as the bot answers, through the fake Discord and
the real bot process. Prints time per check-in (p50, p99), check-ins per second, and
that all 300 landed once; beside it the same check-ins on the service alone.

    python -m bench.checkin [--members 300] [--volunteers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench._stats import pct, table
from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.testing import BotProcess, FakeDiscord, World


async def bot_run(members: int, volunteers: int, workdir: Path) -> dict[str, Any]:
    world = World.default()
    users = world.add_members(members)
    staff = []
    for i in range(volunteers):
        world.add_user(f"volunteer{i}")
        world.add_member(f"volunteer{i}", roles=["Admin"])
        staff.append(f"volunteer{i}")
    db_path = workdir / "door.sqlite3"
    async with FakeDiscord(world, enforce_deadline=False) as fake:
        proc = BotProcess(fake, db_path, extra_env={"LOG_LEVEL": "WARNING"})
        await proc.start(timeout=60)
        try:
            starts = (datetime.now(ZoneInfo("Asia/Karachi")) + timedelta(hours=1)).strftime(
                "%Y-%m-%d %H:%M"
            )
            created = await fake.slash(
                "admin",
                "event create",
                title="I/O Extended door",
                city="Lahore",
                starts=starts,
                options={"capacity": members, "channel": "lahore-events"},
            )
            await created.wait_final()
            ann = await fake.wait_for_message(
                "lahore-events", lambda m: bool(m.embeds) and "door" in m.embeds[0]["title"]
            )
            eid = ann.embeds[0]["footer"]["text"].removeprefix("Event #")
            await asyncio.gather(*(fake.click(u, ann, label="Going") for u in users))
            await asyncio.sleep(1)
            conn = sqlite3.connect(db_path)
            codes = [
                r[0]
                for r in conn.execute(
                    "SELECT code FROM event_tickets WHERE voided_at IS NULL ORDER BY issued_at"
                )
            ]
            conn.close()
            queues = [codes[i::volunteers] for i in range(volunteers)]
            latencies: list[float] = []

            async def volunteer(name: str, mine: list[str]) -> None:
                for code in mine:
                    t0 = time.perf_counter()
                    res = await fake.slash(name, "event checkin", event=eid, code=code)
                    latencies.append(time.perf_counter() - t0)
                    assert "✅" in res.content, res.content

            start = time.perf_counter()
            await asyncio.gather(*(volunteer(s, q) for s, q in zip(staff, queues, strict=True)))
            elapsed = time.perf_counter() - start
        finally:
            await proc.stop()
    conn = sqlite3.connect(db_path)
    landed = conn.execute("SELECT COUNT(*), COUNT(DISTINCT user_id) FROM event_checkins").fetchone()
    conn.close()
    return {
        "run": f"bot, end to end ({volunteers} volunteers)",
        "checkins": len(codes),
        "landed": landed[0],
        "distinct": landed[1],
        "per_s": len(codes) / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
    }


async def service_run(members: int, volunteers: int, workdir: Path) -> dict[str, Any]:
    db = await Database.open(workdir / "service.sqlite3")
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
    await db.close()
    return {
        "run": "service only",
        "checkins": members,
        "per_s": members / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
    }


async def run(members: int, volunteers: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        return [
            await bot_run(members, volunteers, Path(tmp)),
            await service_run(members, volunteers, Path(tmp)),
        ]


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--volunteers", type=int, default=3)
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.members, args.volunteers))
    print(f"Check-in: {args.members} members, {args.volunteers} volunteers")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
