"""``FakeDiscord``: the aiohttp server on 127.0.0.1 (gateway, REST, attachments) and its life:
start and stop, the URLs and environment that point a bot at it, waiting for a condition,
a message or a DM, and breaking the gateway connection on purpose.

The rest of what tests call is in its parts, each a mixin over :class:`~.core.FakeCore`:
:mod:`.reading` (state and records), :mod:`.commands` (slash, autocomplete),
:mod:`.components` (click, select), :mod:`.modals` (submit_modal) and :mod:`.changes`
(world changes announced on the gateway).
"""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from ..gateway import Gateway, Op
from ..interactions import FakeDiscordError
from ..rest import Faults, Rest
from ..world import FakeMessage, World
from .changes import WorldChanges
from .components import ComponentHelpers
from .core import ChannelRef, UserRef
from .menus import MenuHelpers
from .modals import ModalHelpers
from .reading import StateReading


class FakeDiscord(StateReading, MenuHelpers, ComponentHelpers, ModalHelpers, WorldChanges):
    """A fake Discord on 127.0.0.1 for the real bot process to talk to.

    ``async with FakeDiscord(World.default()) as fake: ...`` — state (``fake.world``,
    messages, synced commands) lives as long as this object, across bot restarts.

    ``interaction_deadline``: seconds the bot has for its first callback (Discord: 3). A late
    callback is recorded in ``late_callbacks`` and, with ``enforce_deadline`` (default),
    rejected with 404 / 10062 Unknown interaction as Discord does. ``None`` disables it.
    ``response_timeout``: default wait for a callback in the helpers (deadline + 2 s).
    ``final_timeout``: default of ``InteractionResult.wait_final``.
    ``token``: when set, only that bot token is accepted (else any).

    Sharding: ``shard_count`` is what ``GET /gateway/bot`` recommends (``AutoShardedClient``
    without a count uses it), ``max_concurrency`` the identifies per 5 s it reports, and
    ``max_guilds_per_shard`` the most guilds one connection may hold (Discord: 2,500); an
    IDENTIFY whose shard would hold more is closed with 4011. The fake routes by whatever
    ``shard: [id, count]`` each IDENTIFY gives, as Discord does.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        interaction_deadline: float | None = 3.0,
        enforce_deadline: bool = True,
        response_timeout: float | None = None,
        final_timeout: float = 10.0,
        shard_count: int = 1,
        max_guilds_per_shard: int = 2500,
        max_concurrency: int = 1,
    ) -> None:
        # What each attribute holds, and its type, is declared on FakeCore.
        self.world = world if world is not None else World.default()
        self.token = token
        self.shard_count = shard_count
        self.max_guilds_per_shard = max_guilds_per_shard
        self.max_concurrency = max_concurrency
        self.host = host
        self.port = port
        self.interaction_deadline = interaction_deadline
        self.enforce_deadline = enforce_deadline
        self.response_timeout = (
            response_timeout
            if response_timeout is not None
            else (interaction_deadline + 2.0 if interaction_deadline is not None else 10.0)
        )
        self.final_timeout = final_timeout
        self.gateway = Gateway(self)
        self.rest = Rest(self)
        self.requests = []
        self.unknown_routes = []
        self.limit_violations = []
        self.faults = Faults()
        self.fault_hits = []
        self.rate_limits = []
        self.rate_limited = []
        self.interactions = {}
        self.interactions_by_token = {}
        self.modals = {}
        self.late_callbacks = []
        self.command_syncs = []
        self.reactions = {}
        self.last_interaction = None
        self.process = None
        self._runner: web.AppRunner | None = None
        self._waiters = []
        self._message_waiters = []
        self.app_setup = []
        self.listeners = []

    # ----- lifecycle ---------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway-resume", self.gateway.handle)
        app.router.add_get("/attachments/{channel}/{id}/{filename}", self._serve_attachment)
        for setup in self.app_setup:
            setup(app)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.world.cdn_base = self.base_url
        return self

    async def stop(self) -> None:
        for conn in list(self.gateway.connections):
            if not conn.closed:
                conn.abort()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``DISCORD_API_BASE`` (discord.py's ``Route.BASE``)."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DISCORD_GATEWAY_URL`` (``DiscordWebSocket.DEFAULT_GATEWAY``)."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def gateway_base_url(self) -> str:
        return self.gateway_url

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway-resume"

    def env(self) -> dict[str, str]:
        """Environment variables that point a bot at this fake."""
        return {
            "DISCORD_TOKEN": self.token or "fake-bot-token",
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
        }

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        try:
            att = self.world.attachments.get(int(request.match_info["id"]))
        except ValueError:
            att = None
        if att is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=att.content, content_type=att.content_type or "application/octet-stream"
        )

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float | None = 5.0, what: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked after every request/gateway op)."""
        if predicate():
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, fut))
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise FakeDiscordError(
                self._with_tail(f"timed out after {timeout}s waiting for {what}")
            ) from None

    # ----- waiting for messages ----------------------------------------------------------
    async def wait_for_message(
        self,
        channel: ChannelRef | None = None,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 5.0,
        *,
        include_existing: bool = True,
        include_edits: bool = True,
        author: UserRef | None = None,
    ) -> FakeMessage:
        """First message (in ``channel`` if given) matching ``predicate``.

        Existing messages are checked first unless ``include_existing=False``; then every new
        message (and edit, unless ``include_edits=False``) until ``timeout``. Messages by the
        bot only, unless ``author`` is given.
        """
        w = self.world
        cid = w.channel(channel) if channel is not None else None
        author_id = w.user(author) if author is not None else w.bot_user_id
        seen_ids: set[int] = set()

        def match(m: FakeMessage) -> bool:
            if m.deleted or m.author_id != author_id:
                return False
            if cid is not None and m.channel_id != cid:
                return False
            if not include_edits and m.id in seen_ids:
                return False
            return predicate is None or bool(predicate(m))

        if include_existing:
            pool = (
                w.channel_messages(cid, include_ephemeral=True)
                if cid
                else list(w.messages.values())
            )
            for m in pool:
                if match(m):
                    return m
        else:
            seen_ids.update(w.messages)
        fut: asyncio.Future[FakeMessage] = asyncio.get_running_loop().create_future()
        self._message_waiters.append((match, fut))
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            where = f"in #{w.channels[cid].name}" if cid else "anywhere"
            recent = w.channel_messages(cid)[-5:] if cid else []
            raise FakeDiscordError(
                self._with_tail(
                    f"no matching message {where} within {timeout}s; "
                    f"last messages: {[m.text[:200] for m in recent]}"
                )
            ) from None

    async def wait_for_dm(
        self,
        user: UserRef,
        predicate: Callable[[FakeMessage], bool] | None = None,
        timeout: float = 5.0,
        *,
        include_existing: bool = True,
    ) -> FakeMessage:
        """First DM from the bot to ``user`` matching ``predicate``."""
        uid = self.world.user(user)
        w = self.world

        def match(m: FakeMessage) -> bool:
            ch = w.channels.get(m.channel_id)
            return (
                ch is not None
                and ch.is_dm
                and ch.recipient_id == uid
                and (predicate is None or bool(predicate(m)))
            )

        try:
            return await self.wait_for_message(
                None, match, timeout, include_existing=include_existing
            )
        except FakeDiscordError:
            raise FakeDiscordError(
                self._with_tail(
                    f"no matching DM to {w.users[uid].username} within {timeout}s; "
                    f"DMs so far: {[m.text[:200] for m in self.dms_to(uid)]}"
                )
            ) from None

    async def drop_connection(self, code: int | None = 4000) -> int:
        """Close the bot's gateway socket (``None``: drop TCP without a close frame)."""
        return await self.gateway.drop(code)

    async def send_reconnect(self) -> int:
        """Send op 7 RECONNECT; discord.py reconnects and RESUMEs."""
        return await self.gateway.send_op(Op.RECONNECT)

    async def invalidate_session(self, resumable: bool = False) -> int:
        """Send op 9 INVALID_SESSION."""
        return await self.gateway.invalidate(resumable)

    async def wait_for_identify(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the gateway has seen ``count`` IDENTIFYs in total."""
        await self.wait_until(
            lambda: self.gateway.identify_count >= count, timeout, f"IDENTIFY #{count}"
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until the gateway has seen ``count`` successful RESUMEs in total."""
        await self.wait_until(
            lambda: self.gateway.resume_count >= count, timeout, f"RESUME #{count}"
        )
