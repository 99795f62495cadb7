"""One bot process holding both shards against two processes holding one shard each, on
one PostgreSQL: an event in a server on each shard, 2,000 members (half in each server)
click Going on their server's event all at once, then at a steady rate. Prints clicks
per second, click-to-answer p50/p99, and from the database that no event is overbooked.

    python -m bench.shards [--members 2000] [--capacity 300] [--rate 150]
                           [--modes one,two]

  one: `SHARD_COUNT=2` (no SHARD_IDS): one process runs shards 0 and 1 (the baseline)
  two: `SHARD_COUNT=2 SHARD_IDS=0` and `SHARD_IDS=1`: two processes, started together
       on one fresh database, as compose.yaml runs them

The servers are GDG Islamabad (shard 0 of 2) and GDG Lahore (shard 1 of 2); clicks
alternate between them, so each shard gets half. `--capacity` is per event. Commands are
synced globally (DEV_GUILD_ID blank) so they exist in both servers. PostgreSQL is a
throwaway server started for the run (bot/testing/postgres.py), stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench._clicks import burst, click_order, create_event, logged_errors, order_figures
from bench._stats import table
from bench._stores import BenchStores
from bot.testing import BotProcess, FakeDiscord, P, World
from bot.testing.store import StoreHandle

LAHORE = "GDG Lahore"
CHANNEL = "lahore-events"  # a channel of that name in each server
MODES = {"one": "1 process, shards 0+1", "two": "2 processes, 1 shard each"}


def sharded_world(members: int) -> tuple[World, dict[int, list[int]]]:
    """The default world (GDG Islamabad, shard 0 of 2) and GDG Lahore on shard 1 of 2, each
    with an Admin, the bot and half of `members`; the members' ids by guild id."""
    w = World.default()
    islamabad = w.guild()
    g = w.add_guild(LAHORE, owner="owner", shard=(1, 2))
    w.add_role("Admin", guild=g.id, permissions=P.MANAGE_GUILD, position=1)
    bot_role = islamabad.roles[1104]
    w.add_role(
        "Lahore Bot",
        guild=g.id,
        permissions=bot_role.permissions,
        position=2,
        managed=True,
        bot_id=w.bot_user_id,
    )
    w.add_channel("general", guild=g.id)
    w.add_channel(CHANNEL, guild=g.id)
    w.add_member("owner", guild=g.id)
    w.add_member("admin", guild=g.id, roles=["Admin"])
    w.add_member(w.bot_user_id, guild=g.id, roles=["Lahore Bot"])
    half = members // 2
    return w, {
        islamabad.id: w.add_members(half, guild=islamabad.id),
        g.id: w.add_members(members - half, guild=g.id, prefix="lahore", start_id=5_000_000),
    }


def processes(mode: str, fake: FakeDiscord, store: StoreHandle) -> list[BotProcess]:
    env: dict[str, str | None] = {
        **store.env(),
        "LOG_LEVEL": "WARNING",
        "SHARD_COUNT": "2",
        "DEV_GUILD_ID": "",  # global commands: the slash commands exist in both servers
    }
    if mode == "one":
        return [BotProcess(fake, store.path, {**env, "SHARD_IDS": None})]
    return [BotProcess(fake, store.path, {**env, "SHARD_IDS": str(i)}) for i in (0, 1)]


async def load(
    fake: FakeDiscord,
    store: StoreHandle,
    users: dict[int, list[int]],
    capacity: int,
    rate: float,
    label: str,
) -> dict[str, Any]:
    """An event in each server, and every member clicking Going on theirs (alternating
    between the servers); the figures, with the seats read back from the database."""
    events: dict[int, tuple[Any, int]] = {}
    for gid in users:
        title = f"I/O Extended {fake.world.guild(gid).name} ({label})"
        events[gid] = await create_event(
            fake, title=title, capacity=capacity, channel=CHANNEL, guild=gid
        )
    queues = [[(u, events[gid][0]) for u in members] for gid, members in users.items()]
    clicks = [c for pair in zip(*queues, strict=False) for c in pair]
    clicks += [c for q in queues for c in q[len(min(queues, key=len)) :]]
    figures = await burst(fake, clicks, "Going", rate)
    await asyncio.sleep(2.5)  # the coalesced announcement edits land
    results = figures.pop("results")
    shards = Counter(r.shard for r in results)
    figures["per_shard"] = "/".join(str(shards[i]) for i in (0, 1))
    seated, out_of_turn, shift, in_order, texts_ok = [], 0, 0, True, True
    for gid, (ann, event_id) in events.items():
        mine = [r for r in results if r.guild_id == gid]
        order = order_figures(store, event_id, click_order(mine))
        assert order["seated"] <= capacity, f"event {event_id}: {order['seated']} > {capacity}"
        assert order["seated"] + order["waitlisted"] == len(users[gid]), order
        seated.append(order["seated"])
        out_of_turn += order["out_of_turn"]
        shift = max(shift, order["max_shift"])
        in_order = in_order and order["waitlist_in_click_order"]
        full = min(capacity, len(users[gid]))
        texts_ok = texts_ok and f"{full}/{capacity} going" in fake.message(ann.id).text
    figures.update(
        seated="/".join(map(str, seated)),
        capacity=capacity,
        overbooked=any(s > capacity for s in seated),
        final_text_ok=texts_ok,
        waitlist_in_click_order=in_order,
        out_of_turn=out_of_turn,
        max_shift=shift,
    )
    return figures


async def mode_run(
    mode: str, members: int, capacity: int, rate: float, stores: BenchStores
) -> list[dict[str, Any]]:
    world, users = sharded_world(members)
    store = stores.new("postgresql", f"shards_{mode}")
    rows = []
    async with FakeDiscord(world, enforce_deadline=False, shard_count=2) as fake:
        procs = processes(mode, fake, store)
        start = time.perf_counter()
        try:
            await asyncio.gather(*(p.start(timeout=120) for p in procs))
            ready_s = time.perf_counter() - start
            for offered in (0, rate) if rate else (0,):
                label = "all at once" if not offered else f"{offered:g}/s offered"
                errors = logged_errors(procs)
                figures = await load(fake, store, users, capacity, offered, label)
                figures["errors_logged"] = logged_errors(procs) - errors
                rows.append({"run": f"{MODES[mode]} ({label})", "ready_s": ready_s, **figures})
        finally:
            await asyncio.gather(*(p.stop() for p in procs))
    return rows


async def run(members: int, capacity: int, rate: float, modes: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, BenchStores(Path(tmp)) as stores:
        for mode in modes:
            rows += await mode_run(mode, members, capacity, rate, stores)
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000, help="in all, half per server")
    parser.add_argument("--capacity", type=int, default=300, help="seats per event")
    parser.add_argument(
        "--rate", type=float, default=150, help="also run at this many clicks/s in all (0: skip)"
    )
    parser.add_argument("--modes", default="one,two", help="one, two or one,two")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        parser.error("--modes takes one, two or one,two")
    rows = asyncio.run(run(args.members, args.capacity, args.rate, modes))
    print(
        f"Shards: {args.members} members over 2 servers (one per shard), "
        f"{args.capacity} seats per event, PostgreSQL"
    )
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
