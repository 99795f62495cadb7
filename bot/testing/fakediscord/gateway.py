"""The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, dispatch.

Transport compression follows what discord.py asks for in the query string
(``compress=zlib-stream`` by default, ``zstd-stream`` when zstandard is installed, or none).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .world import Intents

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

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


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class _Compressor:
    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        if kind == "zlib-stream":
            self._z = zlib.compressobj()
        elif kind == "zstd-stream":
            import zstandard

            self._zstd = zstandard
            self._z = zstandard.ZstdCompressor().compressobj()

    def pack(self, text: str) -> bytes | str:
        if self.kind is None:
            return text
        raw = text.encode("utf-8")
        if self.kind == "zlib-stream":
            return self._z.compress(raw) + self._z.flush(zlib.Z_SYNC_FLUSH)
        return self._z.compress(raw) + self._z.flush(self._zstd.COMPRESSOBJ_FLUSH_BLOCK)


@dataclass(frozen=True)
class _Close:
    code: int
    message: bytes


@dataclass
class ReceivedOp:
    """One payload the bot sent on the gateway (heartbeats are counted, not stored)."""

    op: int
    data: Any
    time: float
    session_id: str | None


class GatewayConnection:
    """One websocket; a single writer task keeps frames in order."""

    def __init__(
        self, ws: web.WebSocketResponse, compress: str | None, request: web.Request
    ) -> None:
        self.ws = ws
        self.request = request
        self.path = request.path
        self.compressor = _Compressor(compress)
        self.queue: asyncio.Queue[tuple[str | _Close, asyncio.Future[None] | None] | None] = (
            asyncio.Queue()
        )
        self.session: GatewaySession | None = None
        self.closed = False
        self.writer = asyncio.create_task(self._write_loop())
        self.heartbeats = 0
        self.opened_at = time.monotonic()

    def send(self, text: str, fut: asyncio.Future[None] | None = None) -> None:
        if self.closed:
            if fut is not None and not fut.done():
                fut.set_result(None)
            return
        self.queue.put_nowait((text, fut))

    def send_json(self, obj: Any) -> None:
        self.send(_dumps(obj))

    async def _write_loop(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if item is None:
                    return
                text, fut = item
                try:
                    if isinstance(text, _Close):
                        self.closed = True
                        await self.ws.close(code=text.code, message=text.message)
                        return
                    if not self.closed:
                        packed = self.compressor.pack(text)
                        if isinstance(packed, bytes):
                            await self.ws.send_bytes(packed)
                        else:
                            await self.ws.send_str(packed)
                except (ConnectionError, RuntimeError) as exc:
                    log.debug("gateway write failed: %s", exc)
                    self.closed = True
                finally:
                    if fut is not None and not fut.done():
                        fut.set_result(None)
        finally:
            # Nothing more will be written: release everyone waiting for a frame.
            self.closed = True
            while not self.queue.empty():
                rest = self.queue.get_nowait()
                if rest is not None and rest[1] is not None and not rest[1].done():
                    rest[1].set_result(None)

    async def close(self, code: int = 4000, message: bytes = b"") -> None:
        """Close the socket after the frames queued so far have been written."""
        if self.closed:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((_Close(code, message), done))
        try:
            await asyncio.wait_for(done, 5)
        except TimeoutError:
            self.abort()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.closed = True
        self.queue.put_nowait(None)
        transport = self.request.transport
        if transport is not None:
            transport.abort()


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

    def owns_guild(self, guild_id: int) -> bool:
        shard_id, count = self.shard
        return count <= 1 or (guild_id >> 22) % count == shard_id

    def wants(self, intent: int | None) -> bool:
        return intent is None or bool(self.intents & intent)

    def dispatch(self, event: str, data: Any) -> asyncio.Future[None] | None:
        self.seq += 1
        text = _dumps({"op": Op.DISPATCH, "t": event, "s": self.seq, "d": data})
        self.buffer.append((self.seq, text))
        conn = self.connection
        if conn is None or conn.closed:
            return None
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        conn.send(text, fut)
        return fut


class Gateway:
    """Accepts websocket connections and routes dispatches to sessions."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.received: list[ReceivedOp] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_interval_ms = HEARTBEAT_INTERVAL_MS
        self.urls_used: list[str] = []

    # ----- introspection -----------------------------------------------------------------
    @property
    def active_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.active]

    @property
    def connected(self) -> bool:
        return any(
            s.connection is not None and not s.connection.closed for s in self.active_sessions
        )

    def latest_session(self) -> GatewaySession | None:
        act = self.active_sessions
        return max(act, key=lambda s: s.created_at) if act else None

    # ----- dispatch ----------------------------------------------------------------------
    def dispatch(
        self, event: str, data: Any, *, guild_id: int | None = None, intent: int | None = None
    ) -> list[asyncio.Future[None]]:
        """Send a DISPATCH to every session that owns ``guild_id`` (DMs: shard 0)."""
        futs = []
        for s in self.active_sessions:
            if guild_id is None:
                if s.shard[0] != 0:
                    continue
            elif not s.owns_guild(guild_id):
                continue
            if not s.wants(intent):
                continue
            fut = s.dispatch(event, data)
            if fut is not None:
                futs.append(fut)
        return futs

    def sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        return [
            s
            for s in self.active_sessions
            if (s.shard[0] == 0 if guild_id is None else s.owns_guild(guild_id))
        ]

    # ----- faults ------------------------------------------------------------------------
    async def drop(self, code: int | None = 4000) -> int:
        """Close every live connection (``code=None``: abort TCP without a close frame)."""
        n = 0
        for conn in list(self.connections):
            if conn.closed:
                continue
            n += 1
            if code is None:
                conn.abort()
            else:
                await conn.close(code=code)
        return n

    async def send_op(self, op: int, data: Any = None) -> int:
        n = 0
        for conn in list(self.connections):
            if not conn.closed:
                fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                conn.send(_dumps({"op": op, "d": data}), fut)
                await fut
                n += 1
        return n

    async def invalidate(self, resumable: bool = False) -> int:
        if not resumable:
            for s in self.active_sessions:
                s.active = False
        return await self.send_op(Op.INVALID_SESSION, resumable)

    # ----- websocket handler -------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        encoding = request.query.get("encoding", "json")
        compress = request.query.get("compress") or None
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self.urls_used.append(str(request.rel_url))
        if compress not in (None, "zlib-stream", "zstd-stream"):
            await ws.close(code=4000, message=b"unknown compression")
            return ws
        if compress == "zstd-stream":
            try:
                import zstandard  # noqa: F401
            except ImportError:
                await ws.close(code=4000, message=b"zstd-stream needs the zstandard package")
                return ws
        conn = GatewayConnection(ws, compress, request)
        self.connections.append(conn)
        if encoding != "json":
            await conn.close(code=4002, message=b"only encoding=json is supported")
            return ws
        conn.send_json(
            {"op": Op.HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None}
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_payload(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    await self._on_payload(conn, msg.data.decode("utf-8"))
                elif msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            conn.closed = True
            conn.queue.put_nowait(None)
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self.fake._changed()
        return ws

    async def _on_payload(self, conn: GatewayConnection, text: str) -> None:
        try:
            msg = json.loads(text)
            op = msg["op"]
            data = msg.get("d")
        except (ValueError, KeyError, TypeError):
            await conn.close(code=4002, message=b"decode error")
            return
        if op == Op.HEARTBEAT:
            conn.heartbeats += 1
            conn.send_json({"op": Op.HEARTBEAT_ACK})
            return
        sid = conn.session.id if conn.session else None
        self.received.append(ReceivedOp(op=op, data=data, time=time.monotonic(), session_id=sid))
        if op == Op.IDENTIFY:
            await self._identify(conn, data or {})
        elif op == Op.RESUME:
            await self._resume(conn, data or {})
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._request_members(conn, data or {})
        elif op in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE):
            pass
        else:
            await conn.close(code=4001, message=b"unknown opcode")
        self.fake._changed()

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        world = self.fake.world
        if conn.session is not None:
            await conn.close(code=4005, message=b"already authenticated")
            return
        token = data.get("token")
        if not token or (self.fake.token is not None and token != self.fake.token):
            await conn.close(code=4004, message=b"authentication failed")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await conn.close(code=4013, message=b"invalid intents")
            return
        if intents & Intents.PRIVILEGED & ~world.allowed_privileged_intents:
            await conn.close(code=4014, message=b"disallowed intents")
            return
        shard = tuple(data.get("shard") or (0, 1))
        if len(shard) != 2 or not 0 <= shard[0] < shard[1]:
            await conn.close(code=4010, message=b"invalid shard")
            return
        self.identify_count += 1
        # A new identify for the same shard replaces older sessions (bot restarted).
        for s in self.active_sessions:
            if s.shard == shard:
                s.active = False
        session = GatewaySession(
            id=secrets.token_hex(16),
            intents=intents,
            shard=(int(shard[0]), int(shard[1])),
            identify=data,
            large_threshold=int(data.get("large_threshold") or 50),
        )
        self.sessions[session.id] = session
        session.connection = conn
        conn.session = session
        guild_ids = [g for g in world.guilds if session.owns_guild(g)]
        app = world.application
        ready = {
            "v": 10,
            "user": {
                **world.user_payload(app.bot_user_id),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.resume_gateway_url,
            "application": {"id": str(app.id), "flags": app.flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-discord"],
        }
        if data.get("shard") is not None:
            ready["shard"] = list(session.shard)
        session.dispatch("READY", ready)
        session.ready_at = time.monotonic()
        last = None
        for gid in guild_ids:
            payload = world.guild_create_payload(
                gid, intents=intents, large_threshold=session.large_threshold
            )
            last = session.dispatch("GUILD_CREATE", payload)
        if last is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(last, 10)
        session.guilds_sent_at = time.monotonic()

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        if (
            session is None
            or not session.active
            or not data.get("token")
            or (session.buffer and seq < session.buffer[0][0] - 1)
        ):
            conn.send_json({"op": Op.INVALID_SESSION, "d": False})
            return
        old = session.connection
        if old is not None and old is not conn and not old.closed:
            await old.close(code=4000)
        session.connection = conn
        conn.session = session
        session.resumed += 1
        self.resume_count += 1
        for s, text in list(session.buffer):
            if s > seq:
                conn.send(text)
        fut = session.dispatch("RESUMED", {"_trace": ["fake-discord"]})
        if fut is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, 10)

    def _request_members(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        world = self.fake.world
        gids = data.get("guild_id")
        gids = gids if isinstance(gids, list) else [gids]
        query = data.get("query")
        limit = int(data.get("limit") or 0)
        user_ids = data.get("user_ids")
        nonce = data.get("nonce")
        for gid in gids:
            g = world.guilds.get(int(gid))
            if g is None:
                continue
            if user_ids is not None:
                wanted = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
                found = [u for u in wanted if u in g.members]
                not_found = [str(u) for u in wanted if u not in g.members]
            else:
                q = (query or "").lower()
                found = [
                    u for u in g.members if not q or world.users[u].username.lower().startswith(q)
                ]
                if limit:
                    found = found[:limit]
                not_found = []
            chunks = [found[i : i + CHUNK_SIZE] for i in range(0, len(found), CHUNK_SIZE)] or [[]]
            for idx, chunk in enumerate(chunks):
                payload: dict[str, Any] = {
                    "guild_id": str(g.id),
                    "members": [world.member_payload(g.id, u) for u in chunk],
                    "chunk_index": idx,
                    "chunk_count": len(chunks),
                }
                if idx == 0 and not_found:
                    payload["not_found"] = not_found
                if nonce is not None:
                    payload["nonce"] = nonce
                session.dispatch("GUILD_MEMBERS_CHUNK", payload)
