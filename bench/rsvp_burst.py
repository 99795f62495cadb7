"""2,000 members click Going on a 300-seat event in one burst, through the fake Discord
and the real bot process. Prints seats, waitlist order, latency and throughput beside
three baselines measured in the same run:

  (a) a discord.py bot that answers every click at once (bench/echo_bot.py)
  (b) the same 2,000 RSVPs done directly on the events service
  (c) 2,000 raw SQLite inserts, one transaction each

    python -m bench.rsvp_burst [--members 2000] [--capacity 300] [--rate 150]

"All at once" measures throughput (every click is queued at the same instant, so
latency there is mostly queueing); the paced run measures click-to-answer latency
under a steady load below the machine's ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
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
from bot.testing import BotProcess, FakeDiscord, FakeMessage, InteractionResult, World

ECHO_BOT = [sys.executable, "-m", "bench.echo_bot"]


async def burst(
    fake: FakeDiscord, message: FakeMessage, users: list[int], label: str, rate: float = 0
) -> dict:
    """Click `label` once per user — all at once, or `rate` clicks per second — and
    return throughput and latency figures."""
    start = time.perf_counter()
    tasks = []
    for i, user in enumerate(users):
        if rate:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.ensure_future(fake.click(user, message, label=label, timeout=60)))
    results: list[InteractionResult] = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    # From the click's creation (Discord's 3 s clock) to the bot's answer.
    latencies = [r.total_latency for r in results if r.total_latency is not None]
    # From the frame reaching the bot's socket: excludes queueing inside the fake.
    in_bot = [r.latency for r in results if r.latency is not None]
    return {
        "clicks": len(users),
        "answered": sum(1 for r in results if r.responded),
        "within_3s": sum(1 for t in latencies if t <= 3.0),
        "clicks_per_s": len(users) / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
        "bot_p50_ms": pct(in_bot, 50) * 1000,
        "bot_p99_ms": pct(in_bot, 99) * 1000,
        "results": results,
    }


async def bot_run(members: int, capacity: int, workdir: Path, rate: float = 0) -> dict[str, Any]:
    world = World.default()
    users = world.add_members(members)
    async with FakeDiscord(world, enforce_deadline=False) as fake:
        db_path = workdir / f"bot-{rate:g}.sqlite3"
        proc = BotProcess(fake, db_path, extra_env={"LOG_LEVEL": "WARNING"})
        await proc.start(timeout=60)
        try:
            starts = (datetime.now(ZoneInfo("Asia/Karachi")) + timedelta(days=7)).strftime(
                "%Y-%m-%d %H:%M"
            )
            created = await fake.slash(
                "admin",
                "event create",
                title="Google I/O Extended Islamabad",
                city="Islamabad",
                starts=starts,
                options={"capacity": capacity, "channel": "islamabad-events"},
            )
            await created.wait_final()
            ann = await fake.wait_for_message(
                "islamabad-events", lambda m: "I/O Extended" in m.text, timeout=10
            )
            edits_before = ann.edit_count
            figures = await burst(fake, ann, users, "Going", rate)
            await asyncio.sleep(2.5)  # let the last coalesced edit land
            figures["announcement_edits"] = fake.message(ann.id).edit_count - edits_before
            figures["final_text_ok"] = f"{capacity}/{capacity} going" in fake.message(ann.id).text
        finally:
            await proc.stop()
    conn = sqlite3.connect(db_path)
    going = conn.execute("SELECT COUNT(*) FROM rsvps WHERE status = 'going'").fetchone()[0]
    waitlist = [
        r[0]
        for r in conn.execute("SELECT user_id FROM rsvps WHERE status = 'waitlist' ORDER BY seq")
    ]
    conn.close()
    # Click order is the order the fake wrote the interactions to the gateway.
    order = [
        r.payload["member"]["user"]["id"]
        for r in sorted(figures["results"], key=lambda r: r.sent_at or r.dispatched_at)
    ]
    seated_ids = set(order) - set(map(str, waitlist))
    expected_waitlist = [int(u) for u in order if u not in seated_ids]
    figures.update(seated=going, waitlisted=len(waitlist))
    figures["waitlist_in_click_order"] = waitlist == expected_waitlist
    return figures


async def echo_run(members: int, rate: float = 0) -> dict[str, Any]:
    world = World.default()
    users = world.add_members(members)
    async with FakeDiscord(world, enforce_deadline=False) as fake:
        with tempfile.TemporaryDirectory() as tmp:
            proc = BotProcess(fake, Path(tmp) / "unused.sqlite3", argv=ECHO_BOT, ready="gateway")
            await proc.start(timeout=60)
            try:
                msg = await fake.wait_for_message("general", lambda m: "echo ready" in m.content)
                return await burst(fake, msg, users, "Going", rate)
            finally:
                await proc.stop()


async def service_run(members: int, capacity: int, workdir: Path) -> dict[str, Any]:
    db = await Database.open(workdir / "service.sqlite3")
    await db.migrate()
    events = EventService(db, GuildSettings(db))
    event = await events.catalogue.create(
        1, 2, title="Bench", city="Lahore", starts="2030-01-01 10:00", capacity=capacity
    )
    start = time.perf_counter()
    await asyncio.gather(*(events.seats.rsvp(1, event.id, 100000 + i) for i in range(members)))
    elapsed = time.perf_counter() - start
    await db.close()
    return {"clicks": members, "clicks_per_s": members / elapsed}


def sqlite_run(members: int, workdir: Path) -> dict[str, Any]:
    conn = sqlite3.connect(workdir / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE r (event_id INTEGER, user_id INTEGER, status TEXT, at REAL)")
    start = time.perf_counter()
    for i in range(members):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO r VALUES (1, ?, 'going', ?)", (i, time.time()))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return {"clicks": members, "clicks_per_s": members / elapsed}


async def run(members: int, capacity: int, rate: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for offered in (0, rate) if rate else (0,):
            label = "all at once" if not offered else f"{offered:g}/s offered"
            bot = await bot_run(members, capacity, workdir, offered)
            echo = await echo_run(members, offered)
            rows.append(
                {
                    "run": f"bot, end to end ({label})",
                    **{k: v for k, v in bot.items() if k != "results"},
                    "vs_echo": bot["clicks_per_s"] / echo["clicks_per_s"],
                }
            )
            rows.append(
                {
                    "run": f"(a) echo bot ({label})",
                    **{k: v for k, v in echo.items() if k != "results"},
                }
            )
        service = await service_run(members, capacity, workdir)
        raw = sqlite_run(members, workdir)
    rows.append({"run": "(b) service only", **service})
    rows.append({"run": "(c) raw sqlite", **raw})
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument(
        "--rate", type=float, default=150, help="also run at this many clicks/s (0: skip)"
    )
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.members, args.capacity, args.rate))
    print(f"RSVP burst: {args.members} members, {args.capacity} seats")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
