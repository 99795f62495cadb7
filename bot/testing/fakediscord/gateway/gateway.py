"""``Gateway``: accepts the bot's websockets (HELLO, heartbeats), answers IDENTIFY with READY
and a GUILD_CREATE per guild, RESUME with the missed dispatches, member requests with
chunks; routes each dispatch to the sessions that own its guild and want its intent; and
breaks connections on demand (drop, RECONNECT, INVALID_SESSION).

Sharding as Discord does it: IDENTIFY with ``shard: [id, count]`` gets the guilds with
``(guild_id >> 22) % count == id`` (without ``shard``: every guild), each guild's events go
to the shard that owns it, DMs to shard 0; a connection that would hold more than
``FakeDiscord.max_guilds_per_shard`` guilds is closed with 4011 (Sharding required)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from ..world import Intents, shard_of
from .connection import GatewayConnection
from .protocol import CHUNK_SIZE, HEARTBEAT_INTERVAL_MS, Op, ReceivedOp, dumps
from .session import GatewaySession

if TYPE_CHECKING:
    from ..server import FakeDiscord


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

    def sessions_on_shard(self, shard_id: int) -> list[GatewaySession]:
        """Active sessions identified as ``shard_id`` (of any count), oldest first."""
        return sorted(
            (s for s in self.active_sessions if s.shard_id == shard_id),
            key=lambda s: s.created_at,
        )

    # ----- dispatch ----------------------------------------------------------------------
    def dispatch(
        self, event: str, data: Any, *, guild_id: int | None = None, intent: int | None = None
    ) -> list[asyncio.Future[None]]:
        """Send a DISPATCH to every session that owns ``guild_id`` (DMs: shard 0)."""
        futs = []
        for s in self.sessions_for(guild_id):
            if not s.wants(intent):
                continue
            fut = s.dispatch(event, data)
            if fut is not None:
                futs.append(fut)
        return futs

    def sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        """The active sessions that get ``guild_id``'s events (``None``, a DM: shard 0's),
        those with a live connection first."""
        owners = [
            s
            for s in self.active_sessions
            if (s.gets_dms if guild_id is None else s.owns_guild(guild_id))
        ]
        return sorted(owners, key=lambda s: s.connection is None or s.connection.closed)

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
                conn.send(dumps({"op": op, "d": data}), fut)
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
        shard = _shard(data.get("shard"))
        if shard is None:
            await conn.close(code=4010, message=b"invalid shard")
            return
        guild_ids = [g for g in world.guilds if shard_of(g, shard[1]) == shard[0]]
        if len(guild_ids) > self.fake.max_guilds_per_shard:
            await conn.close(code=4011, message=b"sharding required")
            return
        self.identify_count += 1
        # A new identify for the same shard replaces older sessions (bot restarted).
        for s in self.active_sessions:
            if s.shard == shard:
                s.active = False
        session = GatewaySession(
            id=secrets.token_hex(16),
            intents=intents,
            shard=shard,
            identify=data,
            large_threshold=int(data.get("large_threshold") or 50),
            guild_ids=guild_ids,
        )
        self.sessions[session.id] = session
        session.connection = conn
        conn.session = session
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
            if g is None or not session.owns_guild(g.id):
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


def _shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard`` as ``(shard_id, shard_count)``; absent: ``(0, 1)``; invalid: None."""
    if value is None:
        return (0, 1)
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    shard_id, count = value
    return (shard_id, count) if 0 <= shard_id < count else None
