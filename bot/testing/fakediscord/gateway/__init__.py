"""The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, dispatch.

- :mod:`.protocol`: opcodes (``Op``), intervals, frames, ``ReceivedOp``
- :mod:`.connection`: one websocket, its ordered writer and transport compression
- :mod:`.session`: a session's intents, shard, sequence and resume buffer
- :mod:`.gateway`: ``Gateway``, the handshake and the routing of dispatches

Transport compression follows what discord.py asks for in the query string
(``compress=zlib-stream`` by default, ``zstd-stream`` when zstandard is installed, or none).
"""

from __future__ import annotations

from .connection import GatewayConnection
from .gateway import Gateway
from .protocol import CHUNK_SIZE, HEARTBEAT_INTERVAL_MS, Op, ReceivedOp
from .session import GatewaySession

__all__ = [
    "CHUNK_SIZE",
    "HEARTBEAT_INTERVAL_MS",
    "Gateway",
    "GatewayConnection",
    "GatewaySession",
    "Op",
    "ReceivedOp",
]
