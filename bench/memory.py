"""Memory and start-up of one bot process in 1,000 servers with 100,000 members in all,
through the fake Discord: the time from starting the process to on_ready (ready_s) and
to the end of its start-up work (settled_s: its CPU use stays under 3 % for a second;
the bot's on_ready listeners mend every server after on_ready), and then its RSS
(VmRSS) and peak RSS (VmHWM) from /proc/<pid>/status.

    python -m bench.memory [--guilds 1000] [--members 100000] [--spread zipf|even]

The bot (cogs/_app.py) sets no member cache options, so it runs on discord.py's
defaults: with the members intent it chunks at start-up every guild whose GUILD_CREATE
lacks its members (the large ones, over 250) and caches every member. The bot reads no
setting to change that, so the comparison is made with bench/member_cache_bot.py, a
discord.py client with the bot's intents and nothing else, under each cache setting:
  default    discord.py's defaults, as the bot: chunk at start-up, cache every member
  no-chunk   chunk_guilds_at_startup=False: the members GUILD_CREATE carries are cached
  none       no chunking and MemberCacheFlags.none(): no member cached
Baselines in the same run: the bot and the default client in the one-server world of the
tests (World.default(), 7 members).

`--spread zipf` (default) sizes servers as communities are: a few large ones and many
small (the k-th largest ~ 1/k: at the defaults the largest has ~13,000 members, 52 are
over 250); `even` gives each the same. discord.py sends at most 110 gateway commands a
minute, one member request per large server, so past ~100 large servers chunking at
start-up waits on that limit (as on Discord).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._stats import table
from bot.testing import BotProcess, FakeDiscord, P, World
from bot.testing.fakediscord.gateway import Op
from bot.testing.fakediscord.world.models import FakeMember
from cogs._app import intents

CACHE_BOT = [sys.executable, "-m", "bench.member_cache_bot"]
JOINED_AT = "2024-01-01T00:00:00+00:00"


def guild_sizes(guilds: int, members: int, spread: str) -> list[int]:
    """Members per guild, largest first, summing to `members`; each at least 3 (the owner,
    the bot and one member)."""
    if members < 3 * guilds:
        raise ValueError(f"{members} members can't fill {guilds} servers (3 at least each)")
    weights = [1 / k if spread == "zipf" else 1.0 for k in range(1, guilds + 1)]
    spare = members - 3 * guilds
    sizes = [3 + math.floor(spare * w / sum(weights)) for w in weights]
    for i in range(members - sum(sizes)):  # what rounding left, one each to the largest
        sizes[i % guilds] += 1
    return sizes


def big_world(guilds: int, members: int, spread: str) -> World:
    """Servers each with a bot role, a channel, the owner, the bot and members who are in
    that server only (commands are synced to the first). Built directly (a user and a
    member each), not with World.add_members, whose cost grows with the users there."""
    w = World()
    owner = w.add_user("owner", id=2001).id
    w.application.owner_id = owner
    bot = w.bot_user_id
    next_id = 10_000_000
    for n, size in enumerate(guild_sizes(guilds, members, spread)):
        g = w.add_guild(f"Community {n:04d}", owner=owner)
        role = w.add_role(
            "GDG Bot", guild=g.id, permissions=P.BOT_DEFAULT, managed=True, bot_id=bot
        )
        g.system_channel_id = w.add_channel("general", guild=g.id).id
        g.members[owner] = FakeMember(user_id=owner, guild_id=g.id, joined_at=JOINED_AT)
        g.members[bot] = FakeMember(
            user_id=bot, guild_id=g.id, roles=[role.id], joined_at=JOINED_AT
        )
        for uid in range(next_id, next_id + size - 2):
            w.add_user(f"m{uid}", id=uid)
            g.members[uid] = FakeMember(user_id=uid, guild_id=g.id, joined_at=JOINED_AT)
        next_id += size - 2
    return w


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


async def settled(pid: int, quiet: float = 1.0, busy: float = 0.03, limit: float = 300) -> float:
    """Wait until the process has used under `busy` of a CPU over `quiet` seconds (its
    start-up work after on_ready is done: the bot's repairs of every server); the
    monotonic time that quiet spell began."""
    step = 0.25
    samples = [(time.monotonic(), cpu_seconds(pid))]
    deadline = samples[0][0] + limit
    while time.monotonic() < deadline:
        await asyncio.sleep(step)
        samples.append((time.monotonic(), cpu_seconds(pid)))
        window = [s for s in samples if s[0] >= samples[-1][0] - quiet - step / 2]
        span = window[-1][0] - window[0][0]
        if span >= quiet and window[-1][1] - window[0][1] < busy * span:
            return window[0][0]
    raise TimeoutError(f"process {pid} still busy after {limit:.0f} s")


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024  # kB
    return found["VmRSS"], found["VmHWM"]


async def measure(
    world: World, run: str, workdir: Path, cache: str | None = None
) -> dict[str, Any]:
    """Start the bot (`cache` None) or the client with that cache setting, wait for its
    on_ready, read its memory; one fake Discord per run."""
    shards = max(1, math.ceil(len(world.guilds) / 2000))
    async with FakeDiscord(world, enforce_deadline=False, shard_count=shards) as fake:
        if cache is None:
            env: dict[str, str | None] = {"LOG_LEVEL": "INFO", "DATABASE_URL": ""}
            proc = BotProcess(fake, workdir / f"bot-{len(world.guilds)}.sqlite3", env)
            marker = " ready as "
        else:
            env = {"MEMBER_CACHE": cache, "BENCH_INTENTS": str(intents().value)}
            proc = BotProcess(fake, workdir / "unused.sqlite3", env, argv=CACHE_BOT)
            marker = "ready guilds="
        proc.ready = lambda f: marker in proc.output()
        await proc.start(timeout=600)
        try:
            ready_s = proc.startup_seconds
            assert proc.pid is not None and proc.started_at is not None
            settled_s = await settled(proc.pid) - proc.started_at
            rss, hwm = memory_mb(proc.pid)
            line = next(x for x in proc.output().splitlines() if marker in x)
        finally:
            await proc.stop()
        requests = sum(1 for op in fake.gateway.received if op.op == Op.REQUEST_GUILD_MEMBERS)
    cached: Any = "n/a"  # the bot does not say
    if cache is not None:
        cached = int(line.split("members=")[1].split()[0])
    return {
        "run": run,
        "guilds": len(world.guilds),
        "members": sum(len(g.members) for g in world.guilds.values()),
        "cached": cached,
        "member_requests": requests,
        "ready_s": ready_s,
        "settled_s": settled_s,
        "rss_mb": rss,
        "peak_mb": hwm,
    }


async def run(guilds: int, members: int, spread: str, which: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    baseline: dict[str, float] = {}  # "bot" / "client": RSS in the one-server world
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if "bot" in which:
            rows.append(await measure(World.default(), "(baseline) bot, 1 server", workdir))
            baseline["bot"] = rows[-1]["rss_mb"]
        if any(w != "bot" for w in which):
            run_name = "(baseline) client default, 1 server"
            rows.append(await measure(World.default(), run_name, workdir, "default"))
            baseline["client"] = rows[-1]["rss_mb"]
        start = time.perf_counter()
        world = big_world(guilds, members, spread)
        built_s = time.perf_counter() - start
        for what in which:
            if what == "bot":
                row = await measure(world, f"bot (its settings), {guilds} servers", workdir)
            else:
                row = await measure(world, f"client {what}, {guilds} servers", workdir, what)
            row["over_baseline_mb"] = row["rss_mb"] - baseline["bot" if what == "bot" else "client"]
            rows.append(row)
    print(f"(world of {len(world.guilds)} servers, {members} members built in {built_s:.1f} s)")
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100_000, help="in all the servers")
    parser.add_argument("--spread", choices=["zipf", "even"], default="zipf")
    parser.add_argument(
        "--runs",
        default="bot,default,no-chunk,none",
        help="which of bot, default, no-chunk, none (the client's cache settings)",
    )
    args = parser.parse_args(argv)
    which = [w.strip() for w in args.runs.split(",") if w.strip()]
    if not which or any(w not in ("bot", "default", "no-chunk", "none") for w in which):
        parser.error("--runs takes bot, default, no-chunk and/or none")
    if not Path("/proc/self/status").exists():
        parser.error("reads /proc/<pid>/status: Linux only")
    rows = asyncio.run(run(args.guilds, args.members, args.spread, which))
    print(
        f"Memory: one process in {args.guilds} servers, {args.members} members ({args.spread}); "
        "RSS once start-up work is done"
    )
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
