"""A gateway session: its intents and shard (``[shard_id, shard_count]`` from IDENTIFY; the
guilds it owns are ``(guild_id >> 22) % shard_count == shard_id``, DMs belong to shard 0), the
sequence number and the buffer of sent dispatches a RESUME replays; it outlives its
connection until resumed or replaced."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..world import shard_of
from .connection import GatewayConnection
from .protocol import Op, dumps


@dataclass
class GatewaySession:
    """A gateway session (survives its connection until it is resumed or replaced)."""

    id: str
    intents: int
    shard: tuple[int, int]
    identify: dict[str, Any]
    large_threshold: int = 250
    seq: int = 0
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=50000))
    connection: GatewayConnection | None = None
    created_at: float = field(default_factory=time.monotonic)
    ready_at: float | None = None
    guilds_sent_at: float | None = None
    resumed: int = 0
    active: bool = True
    # The guilds listed in its READY (those its shard owned when it identified).
    guild_ids: list[int] = field(default_factory=list)

    @property
    def shard_id(self) -> int:
        return self.shard[0]

    @property
    def gets_dms(self) -> bool:
        """DMs (and other events of no guild) go to shard 0 only, as on Discord."""
        return self.shard[0] == 0

    def owns_guild(self, guild_id: int) -> bool:
        shard_id, count = self.shard
        return shard_of(guild_id, count) == shard_id

    def wants(self, intent: int | None) -> bool:
        return intent is None or bool(self.intents & intent)

    def dispatch(self, event: str, data: Any) -> asyncio.Future[None] | None:
        self.seq += 1
        text = dumps({"op": Op.DISPATCH, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, text))
        conn = self.connection
        if conn is None or conn.closed:
            return None
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        conn.send(text, fut)
        return fut
