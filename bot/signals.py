"""Telling the process that owns a guild that something changed there.

When the bot runs as several processes (bot/shards.py), each keeps the timers and
deliveries of its own guilds. Almost everything a member does arrives on the owner's
shard, but DMs all arrive on shard 0: a mentor who accepts a proposal from a DM is
handled by shard 0's process, while the guild's thread, timers and outbox belong to
another. `publish(topic, guild_id)` runs the topic's handlers where the guild is owned:
here at once, or in the owner through PostgreSQL's LISTEN/NOTIFY.

A notification sent while a listener is disconnected is lost, so after reconnecting a
listener runs every handler with `None` ("look at all your guilds"): handlers re-arm
from the database, which is the truth, so a repeat does no harm.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import psycopg

from bot.shards import ALL, Shards

log = logging.getLogger(__name__)

Handler = Callable[[int | None], Awaitable[None]]
CHANNEL = "bot_signals"
RECONNECT_SECONDS = 2.0


class Signals:
    """One process owns every guild: a publish runs the handlers at once."""

    def __init__(self, shards: Shards = ALL) -> None:
        self.shards = shards
        self._handlers: dict[str, list[Handler]] = {}
        self.received = 0  # notifications from other processes (tests, logs)

    def subscribe(self, topic: str, handler: Handler) -> None:
        self._handlers.setdefault(topic, []).append(handler)

    def unsubscribe(self, topic: str, handler: Handler) -> None:
        handlers = self._handlers.get(topic, [])
        if handler in handlers:
            handlers.remove(handler)

    async def publish(self, topic: str, guild_id: int | None) -> None:
        """The handlers of `topic` run for the guild in the process that owns it."""
        if self.shards.owns(guild_id):
            await self.run(topic, guild_id)
        else:
            await self._send(topic, guild_id)

    async def run(self, topic: str, guild_id: int | None) -> None:
        for handler in list(self._handlers.get(topic, ())):
            try:
                await handler(guild_id)
            except Exception:
                log.exception("signal %s for guild %s failed", topic, guild_id)

    async def run_all(self) -> None:
        """Every handler, for every guild this process owns (after missed signals)."""
        for topic in list(self._handlers):
            await self.run(topic, None)

    async def _send(self, topic: str, guild_id: int | None) -> None:
        await self.run(topic, guild_id)  # nobody else to tell

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def encode(topic: str, guild_id: int | None) -> str:
    return f"{topic}:{'' if guild_id is None else guild_id}"


def decode(payload: str) -> tuple[str, int | None] | None:
    topic, sep, guild = payload.rpartition(":")
    if not sep or not topic or (guild and not guild.isdecimal()):
        return None
    return topic, int(guild) if guild else None


class PostgresSignals(Signals):
    """Several processes on one PostgreSQL: NOTIFY the owner, LISTEN for our guilds."""

    def __init__(self, url: str, shards: Shards) -> None:
        super().__init__(shards)
        self.url = url
        self._listener: asyncio.Task[None] | None = None
        self._sender: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._send_lock = asyncio.Lock()
        self.listening = asyncio.Event()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="signals-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._sender is not None:
            await self._sender.close()

    async def _send(self, topic: str, guild_id: int | None) -> None:
        async with self._send_lock:
            for attempt in (1, 2):  # a dropped connection is opened again once
                try:
                    if self._sender is None or self._sender.closed:
                        self._sender = await psycopg.AsyncConnection.connect(
                            self.url, autocommit=True
                        )
                    await self._sender.execute(
                        "SELECT pg_notify(%s, %s)", (CHANNEL, encode(topic, guild_id))
                    )
                    return
                except psycopg.OperationalError:
                    self._sender = None
                    if attempt == 2:
                        # The owner re-reads everything when its listener reconnects.
                        log.warning("could not signal %s for guild %s", topic, guild_id)

    async def _listen(self) -> None:
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if not first:  # what was sent while we were away is lost: look again
                        log.info("signals: listening again; re-reading every guild")
                        await self.run_all()
                    first = False
                    async for note in conn.notifies():
                        await self._received(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.listening.clear()
                log.warning("signals: listener lost (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _received(self, payload: str) -> None:
        decoded = decode(payload)
        if decoded is None:
            log.warning("signals: ignored a malformed notification")
            return
        topic, guild_id = decoded
        # Every process hears every notification, its own too: act on our guilds only.
        if self.shards.owns(guild_id):
            self.received += 1
            await self.run(topic, guild_id)


def signals_for(store: str, shards: Shards) -> Signals:
    """Cross-process signals when processes share PostgreSQL and split the shards."""
    if shards.everything or not store.startswith(("postgresql://", "postgres://")):
        return Signals(shards)
    return PostgresSignals(store, shards)
