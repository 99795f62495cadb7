"""The gateway's wire vocabulary: opcodes, the heartbeat interval and member chunk size the
fake announces, compact JSON frames, and :class:`ReceivedOp` (what the bot sent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

HEARTBEAT_INTERVAL_MS = 41250
CHUNK_SIZE = 1000


class Op:
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


def dumps(obj: Any) -> str:
    """One frame's text: compact JSON, non-ASCII kept as is."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@dataclass
class ReceivedOp:
    """One payload the bot sent on the gateway (heartbeats are counted, not stored)."""

    op: int
    data: Any
    time: float
    session_id: str | None
