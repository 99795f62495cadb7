"""2,000 members click Going on a 300-seat event in one burst, through the fake Discord
and the real bot process, on SQLite and on PostgreSQL. Prints seats, waitlist order,
latency and throughput beside three baselines measured in the same run:

  (a) a discord.py bot that answers every click at once (bench/echo_bot.py)
  (b) the same 2,000 RSVPs done directly on the events service, on each store
  (c) 2,000 raw inserts, one transaction each, on each store

    python -m bench.rsvp_burst [--members 2000] [--capacity 300] [--rate 150]
                               [--store sqlite|postgresql|both]

"All at once" measures throughput (every click is queued at the same instant, so
latency there is mostly queueing); the paced run measures click-to-answer latency
under a steady load below the machine's ceiling. PostgreSQL is a throwaway server started
for the run (bot/testing/postgres.py: fsync off, on this machine), stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench._clicks import burst, click_order, create_event, logged_errors, order_figures
from bench._stats import table
from bench._stores import BenchStores, Kind, add_store_option, chosen
from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.testing import BotProcess, FakeDiscord, World
from bot.testing.store import StoreHandle

ECHO_BOT = [sys.executable, "-m", "bench.echo_bot"]


async def bot_run(
    members: int, capacity: int, store: StoreHandle, rate: float = 0
) -> dict[str, Any]:
    world = World.default()
    users = world.add_members(members)
    async with FakeDiscord(world, enforce_deadline=False) as fake:
        proc = BotProcess(fake, store.path, extra_env={**store.env(), "LOG_LEVEL": "WARNING"})
        await proc.start(timeout=60)
        try:
            ann, event_id = await create_event(
                fake,
                title="Google I/O Extended Islamabad",
                capacity=capacity,
                channel="islamabad-events",
            )
            edits_before = ann.edit_count
            figures = await burst(fake, [(u, ann) for u in users], "Going", rate)
            await asyncio.sleep(2.5)  # let the last coalesced edit land
            figures["announcement_edits"] = fake.message(ann.id).edit_count - edits_before
            figures["final_text_ok"] = f"{capacity}/{capacity} going" in fake.message(ann.id).text
            figures["errors_logged"] = logged_errors([proc])
        finally:
            await proc.stop()
    figures.update(order_figures(store, event_id, click_order(figures["results"])))
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
                return await burst(fake, [(u, msg) for u in users], "Going", rate)
            finally:
                await proc.stop()


async def service_run(members: int, capacity: int, target: str) -> dict[str, Any]:
    db = await Database.connect(target)
    try:
        await db.migrate()
        events = EventService(db, GuildSettings(db))
        event = await events.catalogue.create(
            1, 2, title="Bench", city="Lahore", starts="2030-01-01 10:00", capacity=capacity
        )
        start = time.perf_counter()
        await asyncio.gather(*(events.seats.rsvp(1, event.id, 100000 + i) for i in range(members)))
        elapsed = time.perf_counter() - start
    finally:
        await db.close()
    return {"clicks": members, "clicks_per_s": members / elapsed}


def raw_run(members: int, store: StoreHandle) -> dict[str, Any]:
    """One INSERT per transaction from one connection: the store's own ceiling here."""
    if store.url is None:
        conn = sqlite3.connect(store.path, isolation_level=None)
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
    else:
        with psycopg.connect(store.url, autocommit=True) as pg:
            pg.execute("CREATE TABLE r (event_id BIGINT, user_id BIGINT, status TEXT, at FLOAT8)")
            start = time.perf_counter()
            for i in range(members):
                with pg.transaction():
                    pg.execute("INSERT INTO r VALUES (1, %s, 'going', %s)", (i, time.time()))
            elapsed = time.perf_counter() - start
    return {"clicks": members, "clicks_per_s": members / elapsed}


async def run(members: int, capacity: int, rate: float, kinds: list[Kind]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, BenchStores(Path(tmp)) as stores:
        for offered in (0, rate) if rate else (0,):
            label = "all at once" if not offered else f"{offered:g}/s offered"
            echo = await echo_run(members, offered)
            for kind in kinds:
                bot = await bot_run(members, capacity, stores.new(kind, "bot"), offered)
                rows.append(
                    {
                        "run": f"bot, end to end ({label})",
                        "store": kind,
                        **{k: v for k, v in bot.items() if k != "results"},
                        "vs_echo": bot["clicks_per_s"] / echo["clicks_per_s"],
                    }
                )
            rows.append(
                {
                    "run": f"(a) echo bot ({label})",
                    "store": "-",
                    **{k: v for k, v in echo.items() if k != "results"},
                }
            )
        for kind in kinds:
            service = await service_run(members, capacity, stores.target(stores.new(kind, "svc")))
            rows.append({"run": "(b) service only", "store": kind, **service})
        for kind in kinds:
            rows.append(
                {
                    "run": "(c) raw inserts",
                    "store": kind,
                    **raw_run(members, stores.new(kind, "raw")),
                }
            )
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument(
        "--rate", type=float, default=150, help="also run at this many clicks/s (0: skip)"
    )
    add_store_option(parser)
    args = parser.parse_args(argv)
    kinds = chosen(args.store)
    rows = asyncio.run(run(args.members, args.capacity, args.rate, kinds))
    print(f"RSVP burst: {args.members} members, {args.capacity} seats ({', '.join(kinds)})")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
