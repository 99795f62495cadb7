"""``FakeCore``: what every part of ``FakeDiscord`` shares.

- the state, declared here and set in ``FakeDiscord.__init__``: the world, the gateway and
  REST API, what was recorded, the interactions sent and answered, listeners and waiters
- change notification: ``_changed`` (after every request, gateway op or world change) and
  ``_on_message`` (a message was created, edited or deleted) wake listeners and waiters
- ``_flush``: wait until dispatches are written to the bot's socket
- delivering an interaction: where a member acts (``_location``: guild and channel, checked
  that they can see it) and INTERACTION_CREATE (``_send``)
- the bot's output appended to the fake's error messages (``_with_tail``)
"""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..interactions import FakeDiscordError, InteractionResult
from ..world import ChannelType, FakeChannel, FakeMessage, FakeUser, P, World, shard_of

if TYPE_CHECKING:
    from ..driver import BotProcess
    from ..gateway import Gateway
    from ..rest import (
        Faults,
        LimitViolation,
        RateLimited,
        RateLimitRule,
        RecordedRequest,
        Rest,
        UnknownRoute,
    )

UserRef = int | str | FakeUser
ChannelRef = int | str | FakeChannel


class FakeCore:
    """The state and shared machinery of :class:`~.server.FakeDiscord` (see the module)."""

    world: World
    token: str | None
    host: str
    port: int
    # Sharding: what GET /gateway/bot recommends, the most guilds one connection may hold
    # (more: IDENTIFY is closed with 4011) and the identifies allowed per 5 s it reports.
    shard_count: int
    max_guilds_per_shard: int
    max_concurrency: int
    interaction_deadline: float | None
    enforce_deadline: bool
    response_timeout: float
    final_timeout: float
    gateway: Gateway
    rest: Rest
    requests: list[RecordedRequest]
    unknown_routes: list[UnknownRoute]
    limit_violations: list[LimitViolation]
    faults: Faults
    fault_hits: list[tuple[Any, RecordedRequest]]
    rate_limits: list[RateLimitRule]
    rate_limited: list[RateLimited]
    interactions: dict[int, InteractionResult]
    interactions_by_token: dict[str, InteractionResult]
    modals: dict[str, InteractionResult]
    late_callbacks: list[tuple[InteractionResult, float]]
    command_syncs: list[tuple[int | None, float, int]]
    reactions: dict[int, dict[str, set[int]]]
    last_interaction: InteractionResult | None
    process: BotProcess | None
    # Called with the aiohttp app before the REST catch-all: more routes (the playground).
    app_setup: list[Callable[[web.Application], None]]
    # Called (without arguments) after every change, like the waiters (the playground).
    listeners: list[Callable[[], None]]
    _waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]]
    _message_waiters: list[tuple[Callable[[FakeMessage], bool], asyncio.Future[Any]]]

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

    def process_output_tail(self, n: int = 40) -> str:
        return self.process.tail(n) if self.process is not None else ""

    def _with_tail(self, msg: str) -> str:
        tail = self.process_output_tail()
        return msg + ("\n--- bot output (tail) ---\n" + tail if tail else "")

    async def _flush(self, futs: list[asyncio.Future[None]], timeout: float = 5.0) -> None:
        if futs:
            # A connection that dies meanwhile releases its futures (see GatewayConnection).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*futs), timeout)

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
        sessions = self.gateway.sessions_for(rec.guild_id)
        if not sessions:
            raise FakeDiscordError(self._with_tail(self._no_session(rec.guild_id)))
        rec.session_id = sessions[0].id
        rec.shard = sessions[0].shard_id
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

    def _no_session(self, guild_id: int | None) -> str:
        counts = sorted({s.shard[1] for s in self.gateway.active_sessions})
        if not counts:
            return (
                "no bot session on the gateway to deliver the interaction to "
                "(was the bot started, and did it IDENTIFY?)"
            )
        if guild_id is None:
            return "no bot session on shard 0, which gets DMs (did shard 0 IDENTIFY?)"
        shards = ", ".join(f"shard {shard_of(guild_id, n)} of {n}" for n in counts)
        return f"no bot session owns guild {guild_id} ({shards}: did it IDENTIFY?)"
