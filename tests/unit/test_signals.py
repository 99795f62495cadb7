"""Signals between processes: a change made where a guild is not owned reaches its owner."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from bot.shards import Shards
from bot.signals import PostgresSignals, Signals, decode, encode, signals_for
from tests.conftest import STORES

SHARD0 = 41771983423143937
SHARD1 = (1 << 22) * 9_999_999 + 5


class Heard:
    """A handler that records each guild it was run for, in order."""

    def __init__(self) -> None:
        self.guilds: list[int | None] = []
        self._queue: asyncio.Queue[int | None] = asyncio.Queue()

    async def __call__(self, guild_id: int | None) -> None:
        self.guilds.append(guild_id)
        self._queue.put_nowait(guild_id)

    async def next(self) -> int | None:
        return await asyncio.wait_for(self._queue.get(), timeout=10)


def test_payloads_round_trip_and_junk_is_refused() -> None:
    assert decode(encode("mentorship", SHARD1)) == ("mentorship", SHARD1)
    assert decode(encode("outbox", None)) == ("outbox", None)
    for junk in ("", "mentorship", ":12", "x:12a", "x:-1"):
        assert decode(junk) is None


async def test_one_process_runs_the_handlers_at_once() -> None:
    signals = signals_for("data/bot.sqlite3", Shards())
    assert type(signals) is Signals
    heard = Heard()
    signals.subscribe("mentorship", heard)
    await signals.publish("mentorship", SHARD1)
    await signals.publish("events", SHARD1)  # nobody listens: nothing happens
    assert heard.guilds == [SHARD1]
    signals.unsubscribe("mentorship", heard)
    await signals.publish("mentorship", SHARD0)
    assert heard.guilds == [SHARD1]


@pytest.mark.skipif("postgresql" not in STORES, reason="PostgreSQL not among STORES")
async def test_the_owner_hears_what_another_process_changed(postgres) -> None:  # type: ignore[no-untyped-def]
    url = postgres.new_database()
    first = signals_for(url, Shards(2, (0,)))
    second = signals_for(url, Shards(2, (1,)))
    assert isinstance(first, PostgresSignals) and isinstance(second, PostgresSignals)
    heard_first, heard_second = Heard(), Heard()
    first.subscribe("mentorship", heard_first)
    second.subscribe("mentorship", heard_second)
    await first.start()
    await second.start()
    try:
        await asyncio.wait_for(first.listening.wait(), 10)
        await asyncio.wait_for(second.listening.wait(), 10)

        # A DM on shard 0 about shard 1's guild: shard 1's process does the work.
        await first.publish("mentorship", SHARD1)
        assert await heard_second.next() == SHARD1
        # Shard 0's own guild and DMs (None) stay with shard 0, without a round trip.
        await first.publish("mentorship", SHARD0)
        assert heard_first.guilds == [SHARD0]  # ran before publish returned
        await second.publish("mentorship", None)
        assert await heard_first.next() == SHARD0
        assert await heard_first.next() is None
        await asyncio.sleep(0.3)  # and nothing else arrives anywhere
        assert heard_second.guilds == [SHARD1] and heard_first.guilds == [SHARD0, None]

        # The listener's connection dies: on reconnecting it re-reads every guild.
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%%' AND datname = current_database()"
            )
        assert await heard_second.next() is None
        await asyncio.wait_for(second.listening.wait(), 10)
        await first.publish("mentorship", SHARD1)
        assert await heard_second.next() == SHARD1
    finally:
        await first.stop()
        await second.stop()
        postgres.drop(url)
