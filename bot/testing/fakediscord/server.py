"""FakeDiscord: the aiohttp server (REST + gateway) plus helpers tests drive it with."""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .gateway import Gateway, Op
from .interactions import (
    FakeDiscordError,
    InteractionResult,
    InteractionType,
    OptionBuilder,
    base_payload,
    build_options,
    find_user,
    resolve_command,
    wrap_chain,
)
from .rest import (
    Faults,
    LimitViolation,
    RateLimited,
    RateLimitRule,
    RecordedRequest,
    Rest,
    UnknownRoute,
)
from .world import (
    ChannelType,
    FakeAttachment,
    FakeChannel,
    FakeMessage,
    FakeScheduledEvent,
    FakeUser,
    Intents,
    Overwrite,
    P,
    World,
)

if TYPE_CHECKING:
    from .driver import BotProcess

UserRef = int | str | FakeUser
ChannelRef = int | str | FakeChannel


def _is_file(v: Any) -> bool:
    return isinstance(v, tuple) and len(v) in (2, 3) and isinstance(v[1], bytes | str)


_RESERVED = {"channel", "guild", "options", "locale", "wait", "timeout", "dm"}


class FakeDiscord:
    """A fake Discord on 127.0.0.1 for the real bot process to talk to.

    ``async with FakeDiscord(World.default()) as fake: ...`` — state (``fake.world``,
    messages, synced commands) lives as long as this object, across bot restarts.

    ``interaction_deadline``: seconds the bot has for its first callback (Discord: 3). A late
    callback is recorded in ``late_callbacks`` and, with ``enforce_deadline`` (default),
    rejected with 404 / 10062 Unknown interaction as Discord does. ``None`` disables it.
    ``response_timeout``: default wait for a callback in the helpers (deadline + 2 s).
    ``final_timeout``: default of ``InteractionResult.wait_final``.
    ``token``: when set, only that bot token is accepted (else any).
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
    ) -> None:
        self.world = world if world is not None else World.default()
        self.token = token
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
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[UnknownRoute] = []
        self.limit_violations: list[LimitViolation] = []
        self.faults = Faults()
        self.fault_hits: list[tuple[Any, RecordedRequest]] = []
        self.rate_limits: list[RateLimitRule] = []
        self.rate_limited: list[RateLimited] = []
        self.interactions: dict[int, InteractionResult] = {}
        self.interactions_by_token: dict[str, InteractionResult] = {}
        self.modals: dict[str, InteractionResult] = {}
        self.late_callbacks: list[tuple[InteractionResult, float]] = []
        self.command_syncs: list[tuple[int | None, float, int]] = []
        self.reactions: dict[int, dict[str, set[int]]] = {}
        self.last_interaction: InteractionResult | None = None
        self.process: BotProcess | None = None
        self._runner: web.AppRunner | None = None
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._message_waiters: list[tuple[Callable[[FakeMessage], bool], asyncio.Future[Any]]] = []
        # Called with the aiohttp app before the REST catch-all: more routes (the playground).
        self.app_setup: list[Callable[[web.Application], None]] = []
        # Called (without arguments) after every change, like the waiters (the playground).
        self.listeners: list[Callable[[], None]] = []

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

    # ----- change notification -----------------------------------------------------------
    def _changed(self) -> None:
        for listener in self.listeners:
            listener()
        if not self._waiters:
            return
        keep = []
        for pred, fut in self._waiters:
            if fut.done():
                continue
            try:
                ok = pred()
            except Exception as exc:
                fut.set_exception(exc)
                continue
            if ok:
                fut.set_result(None)
            else:
                keep.append((pred, fut))
        self._waiters = keep

    def _on_message(self, msg: FakeMessage) -> None:
        if self._message_waiters:
            keep = []
            for pred, fut in self._message_waiters:
                if fut.done():
                    continue
                try:
                    ok = pred(msg)
                except Exception as exc:
                    fut.set_exception(exc)
                    continue
                if ok:
                    fut.set_result(msg)
                else:
                    keep.append((pred, fut))
            self._message_waiters = keep
        self._changed()

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

    def process_output_tail(self, n: int = 40) -> str:
        return self.process.tail(n) if self.process is not None else ""

    def _with_tail(self, msg: str) -> str:
        tail = self.process_output_tail()
        return msg + ("\n--- bot output (tail) ---\n" + tail if tail else "")

    # ----- reading state -----------------------------------------------------------------
    def messages_in(
        self, channel: ChannelRef, *, include_ephemeral: bool = False
    ) -> list[FakeMessage]:
        """Live messages in a channel/thread/DM channel, oldest first."""
        return self.world.channel_messages(
            self.world.channel(channel), include_ephemeral=include_ephemeral
        )

    def last_message(self, channel: ChannelRef) -> FakeMessage | None:
        msgs = self.messages_in(channel)
        return msgs[-1] if msgs else None

    def dms_to(self, user: UserRef) -> list[FakeMessage]:
        """Messages the bot sent to ``user``'s DM channel, oldest first."""
        uid = self.world.user(user)
        cid = self.world.dm_channels.get(uid)
        if cid is None:
            return []
        return [
            m for m in self.world.channel_messages(cid) if m.author_id == self.world.bot_user_id
        ]

    def ephemerals_to(self, user: UserRef) -> list[FakeMessage]:
        uid = self.world.user(user)
        return [
            m for m in self.world.messages.values() if m.ephemeral_user_id == uid and not m.deleted
        ]

    def message(self, message_id: int) -> FakeMessage:
        try:
            return self.world.messages[message_id]
        except KeyError:
            raise FakeDiscordError(f"no message {message_id}") from None

    def member_roles(self, user: UserRef, guild: int | str | None = None) -> set[str]:
        """Role names of a member (without @everyone)."""
        return self.world.member_roles(self.world.user(user), guild)

    def threads(self, guild: int | str | None = None) -> list[FakeChannel]:
        return self.world.threads(guild)

    def thread_members(self, thread: ChannelRef) -> list[int]:
        return list(self.world.channels[self.world.channel(thread)].thread_member_ids)

    def scheduled_events(self, guild: int | str | None = None) -> list[FakeScheduledEvent]:
        g = self.world.guild(guild)
        evs = (self.world.scheduled_events[e] for e in g.scheduled_event_ids)
        return [e for e in evs if not e.deleted]

    def all_files(self) -> list[FakeAttachment]:
        """Every attachment the bot uploaded (messages, responses, follow-ups)."""
        out = []
        for m in self.world.messages.values():
            if m.author_id == self.world.bot_user_id:
                out.extend(m.attachments)
        return out

    def commands(self, guild: int | str | None = "default") -> list[dict[str, Any]]:
        """Synced commands: ``guild="default"`` the first guild's, ``None`` the global ones."""
        if guild is None:
            return list(self.world.commands.get(None, []))
        gid = self.world.guild_id if guild == "default" else self.world.guild(guild).id
        return list(self.world.commands.get(gid, []))

    def requests_to(self, method: str | None = None, path: str = ".*") -> list[RecordedRequest]:
        """Recorded requests filtered by method and a regex searched in the path."""
        rx = re.compile(path)
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper()) and rx.search(r.path)
        ]

    def latencies(self, kind: int | None = None) -> list[float]:
        """Callback latencies (s) of answered interactions, optionally of one type (2/3/4/5)."""
        return [
            r.latency
            for r in self.interactions.values()
            if r.latency is not None and (kind is None or r.interaction_type == kind)
        ]

    def clear_records(self) -> None:
        """Forget recorded requests, unknown routes, limit violations, late callbacks."""
        self.requests.clear()
        self.unknown_routes.clear()
        self.limit_violations.clear()
        self.late_callbacks.clear()
        self.fault_hits.clear()
        self.rate_limited.clear()

    def assert_clean(self) -> None:
        """Fail if the bot hit an unknown route or broke a Discord limit."""
        problems = []
        if self.unknown_routes:
            problems.append(
                "unknown routes: " + ", ".join(f"{u.method} {u.path}" for u in self.unknown_routes)
            )
        if self.limit_violations:
            problems.append("limit violations: " + "; ".join(map(str, self.limit_violations)))
        if self.late_callbacks:
            problems.append(
                "late interaction callbacks: "
                + ", ".join(f"{i.name!r} after {t:.2f}s" for i, t in self.late_callbacks)
            )
        if problems:
            raise AssertionError("\n".join(problems))

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

    # ----- interactions ------------------------------------------------------------------
    def _location(
        self, user_id: int, channel: ChannelRef | None, guild: int | str | None, dm: bool
    ) -> tuple[int | None, int]:
        w = self.world
        if dm:
            ch = w.dm_channel_for(user_id)
            return None, ch.id
        g = w.guild(guild)
        if user_id not in g.members:
            raise FakeDiscordError(f"{w.users[user_id].username} is not a member of {g.name}")
        if channel is None:
            texts = [
                c
                for c in g.channel_ids
                if w.channels[c].type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT)
            ]
            if not texts:
                raise FakeDiscordError(f"guild {g.name} has no text channel")
            cid = texts[0]
        else:
            cid = w.channel(channel, guild=g.id)
        perms = w.permissions(g.id, user_id, cid)
        if not perms & P.VIEW_CHANNEL:
            raise FakeDiscordError(
                f"{w.users[user_id].username} cannot see #{w.channels[cid].name}"
            )
        return g.id, cid

    async def _send(
        self, rec: InteractionResult, payload: dict[str, Any], wait: bool, timeout: float | None
    ) -> InteractionResult:
        if not self.gateway.sessions_for(rec.guild_id):
            raise FakeDiscordError(
                self._with_tail(
                    "no bot session on the gateway to deliver the interaction to "
                    "(was the bot started, and did it IDENTIFY?)"
                )
            )
        rec.payload = payload
        self.interactions[rec.id] = rec
        self.interactions_by_token[rec.token] = rec
        self.last_interaction = rec
        rec.dispatched_at = time.monotonic()
        futs = self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=rec.guild_id)
        if futs:

            def _sent(_: asyncio.Future[None]) -> None:
                if rec.sent_at is None:
                    rec.sent_at = time.monotonic()

            futs[0].add_done_callback(_sent)
        if wait:
            await rec.wait_response(timeout)
        return rec

    def _command_interaction(
        self,
        user: UserRef,
        command: str,
        *,
        itype: int,
        channel: ChannelRef | None,
        guild: int | str | None,
        dm: bool,
        options: dict[str, Any] | None,
        kwargs: dict[str, Any],
        locale: str,
        bypass_permissions: bool,
        focused: str | None = None,
        focused_value: Any = None,
    ) -> tuple[InteractionResult, dict[str, Any]]:
        w = self.world
        uid = find_user(w, user)
        gid, cid = self._location(uid, channel, guild, dm)
        cmd, chain, leaf = resolve_command(w, gid, command)
        leaf_names = {o["name"] for o in leaf}
        given = {"channel": channel is not None, "guild": guild is not None, "dm": dm}
        used = {k for k, v in given.items() if v} | set(kwargs)
        clash = sorted((leaf_names & _RESERVED & used) - set(options or {}))
        if clash:
            raise FakeDiscordError(
                f"/{command} has option(s) {clash} whose names clash with keyword arguments of "
                f"the helper (which mean where/how to send it); pass the option values as "
                f"options={{...}}"
            )
        values = {**kwargs, **(options or {})}
        self._check_command_access(cmd, uid, gid, cid, command, bypass_permissions)
        full_path = " ".join([cmd["name"], *chain])
        rec = InteractionResult(
            self, interaction_type=itype, user_id=uid, guild_id=gid, channel_id=cid, name=full_path
        )
        builder = OptionBuilder(w, gid, uid, cid)
        opts = build_options(
            builder, leaf, values, focused=focused, focused_value=focused_value, path=full_path
        )
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": wrap_chain(chain, cmd, opts),
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if builder.resolved:
            data["resolved"] = builder.resolved
        payload = base_payload(w, rec, locale=locale)
        payload["data"] = data
        return rec, payload

    def _check_command_access(
        self,
        cmd: dict[str, Any],
        uid: int,
        gid: int | None,
        cid: int,
        path: str,
        bypass: bool,
    ) -> None:
        if bypass:
            return
        w = self.world
        contexts = cmd.get("contexts")
        if gid is None:
            allowed = (1 in contexts) if contexts is not None else cmd.get("dm_permission", True)
            if cmd.get("guild_id") or not allowed:
                raise FakeDiscordError(f"/{path} cannot be used in DMs")
            return
        if contexts is not None and 0 not in contexts:
            raise FakeDiscordError(f"/{path} cannot be used in guilds")
        needed = cmd.get("default_member_permissions")
        if needed is None:
            return
        needed_i = int(needed)
        perms = w.permissions(gid, uid, cid)
        if needed_i == 0 and perms != P.ALL:
            raise FakeDiscordError(
                f"/{path} is disabled for non-admins (default_member_permissions=0)"
            )
        if perms & needed_i != needed_i:
            raise FakeDiscordError(
                f"{w.users[uid].username} cannot see /{path}: it needs permissions {needed_i:#x}, "
                f"member has {perms:#x} (pass bypass_permissions=True to send it anyway)"
            )

    async def slash(
        self,
        user: UserRef,
        command: str,
        *,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        dm: bool = False,
        options: dict[str, Any] | None = None,
        locale: str = "en-US",
        wait: bool = True,
        timeout: float | None = None,
        bypass_permissions: bool = False,
        **kwargs: Any,
    ) -> InteractionResult:
        """Run ``/command [group] [sub] option=value…`` as ``user`` (an APPLICATION_COMMAND).

        Options by keyword (or ``options={...}`` for names that are not identifiers or that
        clash with this method's keywords). user/member → name or id; role → name or id;
        channel → name or id; attachment → ``(filename, bytes[, content_type])``.
        Waits for the callback unless ``wait=False``.
        """
        rec, payload = self._command_interaction(
            user,
            command,
            itype=InteractionType.APPLICATION_COMMAND,
            channel=channel,
            guild=guild,
            dm=dm,
            options=options,
            kwargs=kwargs,
            locale=locale,
            bypass_permissions=bypass_permissions,
        )
        return await self._send(rec, payload, wait, timeout)

    async def autocomplete(
        self,
        user: UserRef,
        command: str,
        option: str,
        value: Any = "",
        *,
        channel: ChannelRef | None = None,
        guild: int | str | None = None,
        dm: bool = False,
        options: dict[str, Any] | None = None,
        locale: str = "en-US",
        timeout: float | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into ``option`` of ``/command``; returns the bot's choices."""
        rec, payload = self._command_interaction(
            user,
            command,
            itype=InteractionType.AUTOCOMPLETE,
            channel=channel,
            guild=guild,
            dm=dm,
            options=options,
            kwargs=kwargs,
            locale=locale,
            bypass_permissions=False,
            focused=option,
            focused_value=value,
        )
        await self._send(rec, payload, True, timeout)
        return list(rec.choices or [])

    def _resolve_message(self, message: Any) -> FakeMessage:
        if isinstance(message, InteractionResult):
            m = message.message
            if m is None:
                raise FakeDiscordError(f"the interaction has no message to click on: {message!r}")
        elif isinstance(message, FakeMessage):
            m = message
        elif isinstance(message, int):
            m = self.world.messages.get(message)
            if m is None:
                raise FakeDiscordError(f"no message {message}")
        else:
            raise FakeDiscordError(f"not a message: {message!r}")
        if m.deleted:
            raise FakeDiscordError(f"message {m.id} was deleted")
        return m

    def _component_interaction(
        self, user: UserRef, msg: FakeMessage, component: dict[str, Any], itype: int
    ) -> tuple[InteractionResult, dict[str, Any]]:
        w = self.world
        uid = find_user(w, user)
        ch = w.channels[msg.channel_id]
        if msg.ephemeral and msg.ephemeral_user_id != uid:
            raise FakeDiscordError(
                f"message {msg.id} is ephemeral for user {msg.ephemeral_user_id}; "
                f"{w.users[uid].username} cannot see it"
            )
        if ch.is_dm:
            if ch.recipient_id != uid:
                raise FakeDiscordError(f"{w.users[uid].username} cannot see that DM")
            gid, cid = None, ch.id
        else:
            gid, cid = self._location(uid, ch.id, ch.guild_id, False)
        rec = InteractionResult(
            self,
            interaction_type=itype,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            name=component.get("custom_id", ""),
            source_message_id=msg.id,
        )
        payload = base_payload(w, rec)
        payload["message"] = w.message_payload(msg)
        return rec, payload

    def _find_component(
        self, msg: FakeMessage, custom_id: str | None, label: str | None
    ) -> dict[str, Any]:
        comp = None
        if custom_id is not None:
            comp = msg.component(custom_id)
        elif label is not None:
            for c in msg.walk_components():
                if c.get("label") == label and c.get("type") == 2:
                    comp = c
                    break
        if comp is None:
            raise FakeDiscordError(
                f"message {msg.id} has no component {custom_id or label!r}; "
                f"custom_ids: {msg.custom_ids}, labels: {[b.get('label') for b in msg.buttons]}"
            )
        if comp.get("disabled"):
            raise FakeDiscordError(f"component {custom_id or label!r} is disabled")
        return comp

    async def click(
        self,
        user: UserRef,
        message: FakeMessage | InteractionResult | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Click a button (by ``custom_id`` or ``label``) on a message, as ``user``."""
        msg = self._resolve_message(message)
        comp = self._find_component(msg, custom_id, label)
        if comp.get("type") != 2:
            raise FakeDiscordError(f"component {comp.get('custom_id')!r} is not a button")
        if comp.get("style") in (5, 6):
            raise FakeDiscordError("link/premium buttons do not send interactions")
        rec, payload = self._component_interaction(
            user, msg, comp, InteractionType.MESSAGE_COMPONENT
        )
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": 2}
        if "id" in comp:
            data["id"] = comp["id"]
        payload["data"] = data
        return await self._send(rec, payload, wait, timeout)

    async def select(
        self,
        user: UserRef,
        message: FakeMessage | InteractionResult | int,
        custom_id: str,
        values: list[Any],
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Pick ``values`` in a select menu (string values, or names/ids for entity selects)."""
        msg = self._resolve_message(message)
        comp = self._find_component(msg, custom_id, None)
        ctype = comp.get("type")
        if ctype not in (3, 5, 6, 7, 8):
            raise FakeDiscordError(f"component {custom_id!r} is not a select menu")
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not (lo if lo is not None else 1) <= len(values) <= (hi if hi is not None else 1):
            raise FakeDiscordError(
                f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}"
            )
        rec, payload = self._component_interaction(
            user, msg, comp, InteractionType.MESSAGE_COMPONENT
        )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype}
        if ctype == 3:
            allowed = [o.get("value") for o in comp.get("options") or []]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise FakeDiscordError(
                    f"select {custom_id!r} has no option(s) {bad}; options: {allowed}"
                )
            data["values"] = list(values)
        else:
            builder = OptionBuilder(self.world, rec.guild_id, rec.user_id, rec.channel_id)
            out = []
            for v in values:
                if ctype == 5:
                    out.append(str(builder.user(v)))
                elif ctype == 6:
                    out.append(str(builder.role(v)))
                elif ctype == 8:
                    out.append(str(builder.channel(v, comp.get("channel_types"))))
                else:
                    try:
                        out.append(str(builder.user(v)))
                    except LookupError:
                        out.append(str(builder.role(v)))
            data["values"] = out
            data["resolved"] = builder.resolved
        payload["data"] = data
        return await self._send(rec, payload, wait, timeout)

    async def submit_modal(
        self,
        user: UserRef,
        modal: InteractionResult | str,
        values: dict[str, Any],
        *,
        wait: bool = True,
        timeout: float | None = None,
    ) -> InteractionResult:
        """Fill and submit a modal the bot opened (``values``: ``{field custom_id: value}``)."""
        src = modal if isinstance(modal, InteractionResult) else self.modals.get(modal)
        if src is None or src.modal is None:
            raise FakeDiscordError(
                f"no modal {modal!r} was opened; opened: {sorted(self.modals)}"
                if not isinstance(modal, InteractionResult)
                else f"the interaction did not open a modal: {modal!r}"
            )
        w = self.world
        uid = find_user(w, user)
        if uid != src.user_id:
            raise FakeDiscordError("only the user the modal was shown to can submit it")
        spec = src.modal
        builder = OptionBuilder(w, src.guild_id, uid, src.channel_id)
        components, used = self._modal_components(spec.get("components") or [], values, builder)
        unknown_keys = sorted(set(values) - used)
        if unknown_keys:
            raise FakeDiscordError(
                f"modal {spec.get('custom_id')!r} has no field(s) {unknown_keys}"
            )
        rec = InteractionResult(
            self,
            interaction_type=InteractionType.MODAL_SUBMIT,
            user_id=uid,
            guild_id=src.guild_id,
            channel_id=src.channel_id,
            name=spec.get("custom_id", ""),
            source_message_id=src.source_message_id,
        )
        payload = base_payload(w, rec)
        payload["data"] = {"custom_id": spec.get("custom_id"), "components": components}
        if builder.resolved:
            payload["data"]["resolved"] = builder.resolved
        if src.source_message_id is not None:
            m = w.messages.get(src.source_message_id)
            if m is not None and not m.deleted:
                payload["message"] = w.message_payload(m)
        return await self._send(rec, payload, wait, timeout)

    def _modal_components(
        self, spec: list[dict[str, Any]], values: dict[str, Any], builder: OptionBuilder
    ) -> tuple[list[dict[str, Any]], set[str]]:
        """Submitted components mirroring the modal's layout (rows, labels, text displays)."""
        used: set[str] = set()

        def as_list(v: Any) -> list[Any]:
            return list(v) if isinstance(v, list | tuple) and not _is_file(v) else [v]

        def field(c: dict[str, Any]) -> dict[str, Any]:
            cid = c.get("custom_id", "")
            t = c.get("type")
            out: dict[str, Any] = {"type": t, "custom_id": cid}
            if "id" in c:
                out["id"] = c["id"]
            given = cid in values
            if given:
                used.add(cid)
            raw = values.get(cid)
            if t == 4:  # text input
                value = "" if raw is None else str(raw)
                if not given:
                    value = c.get("value") or ""
                if c.get("required", True) and not value:
                    raise FakeDiscordError(f"modal field {cid!r} is required")
                lo, hi = c.get("min_length"), c.get("max_length")
                too_short = lo is not None and len(value) < lo
                if value and (too_short or (hi is not None and len(value) > hi)):
                    raise FakeDiscordError(
                        f"modal field {cid!r}: length {len(value)} outside [{lo}, {hi}]"
                    )
                out["value"] = value
            elif t == 3:  # string select
                vals = [str(v) for v in as_list(raw)] if given else []
                allowed = [o.get("value") for o in c.get("options") or []]
                bad = [v for v in vals if v not in allowed]
                if bad:
                    raise FakeDiscordError(f"modal select {cid!r} has no option(s) {bad}")
                out["values"] = vals
            elif t in (5, 6, 7, 8):  # entity selects
                conv = {
                    5: builder.user,
                    6: builder.role,
                    8: lambda v: builder.channel(v, c.get("channel_types")),
                }.get(t)
                ids = []
                for v in as_list(raw) if given else []:
                    if conv is not None:
                        ids.append(str(conv(v)))
                    else:
                        try:
                            ids.append(str(builder.user(v)))
                        except LookupError:
                            ids.append(str(builder.role(v)))
                out["values"] = ids
            elif t == 19:  # file upload: [(filename, bytes), ...]
                out["values"] = [
                    str(builder.attachment(v)) for v in (as_list(raw) if given else [])
                ]
            elif t == 21:  # radio group
                out["value"] = None if raw is None else str(raw)
            elif t == 22:  # checkbox group
                out["values"] = [str(v) for v in as_list(raw)] if given else []
            elif t == 23:  # checkbox
                out["value"] = bool(raw)
            return out

        result: list[dict[str, Any]] = []
        for c in spec:
            t = c.get("type")
            item: dict[str, Any]
            if t == 1:
                item = {"type": 1, "components": [field(x) for x in c.get("components") or []]}
            elif t == 18:
                item = {"type": 18, "component": field(c.get("component") or {})}
            elif t == 10:
                item = {"type": 10}
            else:
                continue
            if "id" in c:
                item["id"] = c["id"]
            result.append(item)
        return result, used

    # ----- world changes announced on the gateway ----------------------------------------
    async def _flush(self, futs: list[asyncio.Future[None]], timeout: float = 5.0) -> None:
        if futs:
            # A connection that dies meanwhile releases its futures (see GatewayConnection).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*futs), timeout)

    async def dispatch(
        self, event: str, data: Any, *, guild_id: int | None = None, intent: int | None = None
    ) -> None:
        """Send a raw DISPATCH and wait until it is written to the socket."""
        await self._flush(self.gateway.dispatch(event, data, guild_id=guild_id, intent=intent))

    def _create_channel(
        self,
        name: str,
        *,
        guild: int | None,
        type: int = 0,
        topic: str | None = None,
        parent_id: int | None = None,
        overwrites: list[dict[str, Any]] | None = None,
    ) -> tuple[FakeChannel, list[asyncio.Future[None]]]:
        ows = [
            Overwrite(
                int(o["id"]), int(o.get("type", 0)), int(o.get("allow", 0)), int(o.get("deny", 0))
            )
            for o in overwrites or []
        ]
        ch = self.world.add_channel(
            name, guild=guild, type=type, topic=topic, parent_id=parent_id, overwrites=ows
        )
        futs = self.gateway.dispatch(
            "CHANNEL_CREATE",
            self.world.channel_payload(ch.id),
            guild_id=ch.guild_id,
            intent=Intents.GUILDS,
        )
        self._changed()
        return ch, futs

    def _remove_channel(self, ch: FakeChannel) -> list[asyncio.Future[None]]:
        w = self.world
        data = w.channel_payload(ch.id)
        assert ch.guild_id is not None
        g = w.guilds[ch.guild_id]
        if ch.id in g.channel_ids:
            g.channel_ids.remove(ch.id)
        del w.channels[ch.id]
        event = "THREAD_DELETE" if ch.is_thread else "CHANNEL_DELETE"
        if ch.is_thread:
            data = {k: data[k] for k in ("id", "guild_id", "parent_id", "type")}
        futs = self.gateway.dispatch(event, data, guild_id=g.id, intent=Intents.GUILDS)
        self._changed()
        return futs

    def _remove_role(self, guild_id: int, role_id: int) -> list[asyncio.Future[None]]:
        g = self.world.guilds[guild_id]
        g.roles.pop(role_id, None)
        for m in g.members.values():
            if role_id in m.roles:
                m.roles.remove(role_id)
        futs = self.gateway.dispatch(
            "GUILD_ROLE_DELETE",
            {"guild_id": str(guild_id), "role_id": str(role_id)},
            guild_id=guild_id,
            intent=Intents.GUILDS,
        )
        self._changed()
        return futs

    def _remove_member(self, guild_id: int, user_id: int) -> list[asyncio.Future[None]]:
        g = self.world.guilds[guild_id]
        g.members.pop(user_id, None)
        futs = self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild_id), "user": self.world.user_payload(user_id)},
            guild_id=guild_id,
            intent=Intents.GUILD_MEMBERS,
        )
        self._changed()
        return futs

    def _delete_message(self, msg: FakeMessage) -> list[asyncio.Future[None]]:
        msg.deleted = True
        futs: list[asyncio.Future[None]] = []
        if not msg.ephemeral:
            data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
            if msg.guild_id is not None:
                data["guild_id"] = str(msg.guild_id)
            intent = Intents.GUILD_MESSAGES if msg.guild_id else Intents.DIRECT_MESSAGES
            futs = self.gateway.dispatch(
                "MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=intent
            )
        self._on_message(msg)
        return futs

    async def create_channel(
        self,
        name: str,
        *,
        guild: int | str | None = None,
        type: int = ChannelType.GUILD_TEXT,
        topic: str | None = None,
        overwrites: list[Overwrite] | None = None,
    ) -> int:
        """Create a guild channel (CHANNEL_CREATE); returns its id."""
        ch, futs = self._create_channel(
            name,
            guild=self.world.guild(guild).id,
            type=type,
            topic=topic,
            overwrites=[o.to_payload() for o in overwrites or []],
        )
        await self._flush(futs)
        return ch.id

    async def delete_channel(self, channel: ChannelRef) -> None:
        """Delete a channel or thread (CHANNEL_DELETE / THREAD_DELETE)."""
        ch = self.world.channels[self.world.channel(channel)]
        await self._flush(self._remove_channel(ch))

    async def delete_role(self, role: int | str, *, guild: int | str | None = None) -> None:
        """Delete a role (GUILD_ROLE_DELETE); members lose it."""
        g = self.world.guild(guild)
        await self._flush(self._remove_role(g.id, self.world.role(role, guild=g.id)))

    async def update_role(
        self,
        role: int | str,
        *,
        guild: int | str | None = None,
        permissions: int | None = None,
        name: str | None = None,
    ) -> None:
        """Change a role's permissions/name (GUILD_ROLE_UPDATE). E.g. strip the bot's role."""
        g = self.world.guild(guild)
        r = g.roles[self.world.role(role, guild=g.id)]
        if permissions is not None:
            r.permissions = permissions
        if name is not None:
            r.name = name
        futs = self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(g.id), "role": r.to_payload()},
            guild_id=g.id,
            intent=Intents.GUILDS,
        )
        self._changed()
        await self._flush(futs)

    async def remove_member(self, user: UserRef, *, guild: int | str | None = None) -> None:
        """The member leaves (GUILD_MEMBER_REMOVE, sent only with the GUILD_MEMBERS intent)."""
        g = self.world.guild(guild)
        await self._flush(self._remove_member(g.id, self.world.user(user)))

    async def add_member(
        self,
        user: UserRef,
        *,
        guild: int | str | None = None,
        roles: list[int | str] | None = None,
    ) -> int:
        """A user joins (GUILD_MEMBER_ADD). Unknown usernames are created. Returns the id."""
        w = self.world
        if isinstance(user, str) and user not in w._user_names:
            w.add_user(user)
        g = w.guild(guild)
        uid = w.user(user)
        w.add_member(uid, guild=g.id, roles=roles)
        data = w.member_payload(g.id, uid)
        data["guild_id"] = str(g.id)
        futs = self.gateway.dispatch(
            "GUILD_MEMBER_ADD", data, guild_id=g.id, intent=Intents.GUILD_MEMBERS
        )
        self._changed()
        await self._flush(futs)
        return uid

    async def set_member_roles(
        self, user: UserRef, roles: list[int | str], *, guild: int | str | None = None
    ) -> None:
        """Replace a member's roles (GUILD_MEMBER_UPDATE)."""
        w = self.world
        g = w.guild(guild)
        uid = w.user(user)
        g.members[uid].roles = [w.role(r, guild=g.id) for r in roles]
        data = w.member_payload(g.id, uid)
        data["guild_id"] = str(g.id)
        futs = self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", data, guild_id=g.id, intent=Intents.GUILD_MEMBERS
        )
        self._changed()
        await self._flush(futs)

    async def post_message(
        self,
        user: UserRef,
        channel: ChannelRef,
        content: str,
        *,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> FakeMessage:
        """A member posts a message (MESSAGE_CREATE; content blanked without MESSAGE_CONTENT)."""
        w = self.world
        uid = w.user(user)
        cid = w.channel(channel)
        ch = w.channels[cid]
        msg = FakeMessage(
            id=w.snowflakes.next(),
            channel_id=cid,
            guild_id=ch.guild_id,
            author_id=uid,
            content=content,
        )
        for filename, blob in attachments or []:
            builder = OptionBuilder(w, ch.guild_id, uid, cid)
            att = builder._fake_attachment(filename, blob, None)
            att.ephemeral = False
            msg.attachments.append(att)
        w.messages[msg.id] = msg
        ch.message_ids.append(msg.id)
        ch.last_message_id = msg.id
        ch.message_count += 1
        futs = []
        intent = Intents.GUILD_MESSAGES if ch.guild_id is not None else Intents.DIRECT_MESSAGES
        for s in self.gateway.sessions_for(ch.guild_id):
            if not s.wants(intent):
                continue
            data = w.message_event_payload(msg)
            mentioned = w.bot_user_id in msg.mentions["users"]
            if (
                not s.intents & Intents.MESSAGE_CONTENT
                and ch.guild_id is not None
                and not mentioned
            ):
                data.update(content="", embeds=[], attachments=[], components=[])
            fut = s.dispatch("MESSAGE_CREATE", data)
            if fut is not None:
                futs.append(fut)
        self._on_message(msg)
        await self._flush(futs)
        return msg

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
