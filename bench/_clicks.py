"""What the end-to-end benchmarks do through the fake Discord: create an event as an
organizer and find its announcement, and click a button for many members at once or at a
steady rate, timing each click to its answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench._stats import pct
from bot.testing import BotProcess, FakeDiscord, FakeMessage, InteractionResult
from bot.testing.store import StoreHandle


async def create_event(
    fake: FakeDiscord,
    *,
    title: str,
    capacity: int,
    channel: int | str,
    city: str = "Islamabad",
    by: str = "admin",
    guild: int | None = None,
    starts_in: timedelta = timedelta(days=7),
) -> tuple[FakeMessage, int]:
    """`/event create` in `channel` (of `guild`, default the first); the announcement the
    bot posted and the event's id."""
    starts = (datetime.now(ZoneInfo("Asia/Karachi")) + starts_in).strftime("%Y-%m-%d %H:%M")
    channel_id = fake.world.channel(channel, guild=guild)
    created = await fake.slash(
        by,
        "event create",
        guild=guild,
        title=title,
        city=city,
        starts=starts,
        options={"capacity": capacity, "channel": channel_id},
    )
    await created.wait_final()
    ann = await fake.wait_for_message(
        channel_id, lambda m: bool(m.embeds) and title in m.embeds[0].get("title", ""), timeout=15
    )
    return ann, int(ann.embeds[0]["footer"]["text"].removeprefix("Event #"))


async def burst(
    fake: FakeDiscord,
    clicks: Sequence[tuple[int, FakeMessage]],
    label: str,
    rate: float = 0,
) -> dict[str, Any]:
    """Click `label` once per (user, message) — all at once, or `rate` clicks per second in
    that order — and return throughput and latency figures (and the results, under
    "results")."""
    start = time.perf_counter()
    tasks = []
    for i, (user, message) in enumerate(clicks):
        if rate:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.ensure_future(fake.click(user, message, label=label, timeout=60)))
    results: list[InteractionResult] = await asyncio.gather(*tasks)
    # A click the bot deferred (its decision was still queued at 1.5 s) has its answer in a
    # follow-up: wait for every final answer, so the store is read once all are decided.
    await asyncio.gather(*(r.wait_final(timeout=60) for r in results if r.deferred))
    elapsed = time.perf_counter() - start
    # From the click's creation (Discord's 3 s clock) to the bot's answer.
    latencies = [r.total_latency for r in results if r.total_latency is not None]
    # From the frame reaching the bot's socket: excludes queueing inside the fake.
    in_bot = [r.latency for r in results if r.latency is not None]
    return {
        "clicks": len(clicks),
        "answered": sum(1 for r in results if r.responded),
        "within_3s": sum(1 for t in latencies if t <= 3.0),
        "deferred": sum(1 for r in results if r.deferred),
        "clicks_per_s": len(clicks) / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
        "bot_p50_ms": pct(in_bot, 50) * 1000,
        "bot_p99_ms": pct(in_bot, 99) * 1000,
        "results": results,
    }


def click_order(results: Sequence[InteractionResult]) -> list[int]:
    """User ids in the order the fake wrote their interactions to the gateway."""
    ordered = sorted(results, key=lambda r: r.sent_at or r.dispatched_at)
    return [int(r.payload["member"]["user"]["id"]) for r in ordered]


def order_figures(store: StoreHandle, event_id: int, clicked: Sequence[int]) -> dict[str, Any]:
    """Seats and waitlist as the store has them (`clicked`: one Going each, in click
    order), and how far the store's decision order (rsvps.seq) strays from the click order:
    `max_shift` is the most places one member moved, `out_of_turn` how many were seated
    though not among the first clicks that filled the seats (first come, first served)."""
    rows = store.fetchall(
        "SELECT user_id, status FROM rsvps WHERE event_id = ? ORDER BY seq", (event_id,)
    )
    decided = [int(user) for user, _ in rows]
    seated = {int(user) for user, status in rows if status == "going"}
    waitlist = [int(user) for user, status in rows if status == "waitlist"]
    place = {user: i for i, user in enumerate(clicked)}
    first = set(clicked[: len(seated)])
    return {
        "seated": len(seated),
        "waitlisted": len(waitlist),
        "waitlist_in_click_order": waitlist == [u for u in clicked if u not in seated],
        "out_of_turn": len(seated - first),
        "max_shift": max(
            (abs(place[u] - i) for i, u in enumerate(decided) if u in place), default=0
        ),
    }


def logged_errors(procs: Sequence[BotProcess]) -> int:
    """Lines the bot processes logged at ERROR or above, and tracebacks, so far."""
    return sum(
        1
        for proc in procs
        for line in proc.output().splitlines()
        if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
    )
