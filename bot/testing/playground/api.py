"""The playground page and the small JSON API behind it, served by the fake Discord's own
aiohttp server (127.0.0.1 only). The page acts as a Discord client would: every command,
click, pick and form goes to the bot as a real interaction through the fake.

    GET  /                                   the page (static/index.html)
    GET  /playground/static/{file}           its script and style
    GET  /playground/api/state?as=ID         who and where: members, roles, channels the
                                             member can see, their DM, commands, clock
    GET  /playground/api/messages?channel=ID&as=ID
                                             the channel as that member sees it (their
                                             own ephemeral replies included)
    POST /playground/api/command             {as, channel, command, options}
                                             (channel "dm": the member's DM, even before
                                             the bot has written there)
    POST /playground/api/autocomplete        {as, channel, command, option, value, options}
    POST /playground/api/click               {as, message, custom_id}
    POST /playground/api/select              {as, message, custom_id, values}
    POST /playground/api/modal               {as, custom_id, values}
    POST /playground/api/travel              {to: 1h | 1d | before-next | after-next}
    GET  /playground/ws                      {"type": "changed" | "status", ...} pushes

Interactions answer {"ok": true, "modal": {...} | null}; a refusal by the fake (an
option Discord would not send, a member who can't see the channel) is
{"ok": false, "error": "..."} with status 400, and a bot that did not answer in time 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.testing import (
    ChannelType,
    FakeDiscord,
    FakeDiscordError,
    InteractionResult,
    InteractionTimeout,
    P,
)
from bot.testing.playground.world import PEOPLE

if TYPE_CHECKING:
    from bot.testing.playground.runner import Playground

STATIC = Path(__file__).resolve().parent / "static"
RESERVED = {"channel", "guild", "options", "locale", "wait", "timeout", "dm"}  # fake helpers
ABOUT = {p.username: p.about for p in PEOPLE}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _ok(**data: Any) -> web.Response:
    return web.json_response({"ok": True, **data})


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


class Page:
    def __init__(self, playground: Playground, fake: FakeDiscord) -> None:
        self.playground = playground
        self.fake = fake
        self.world = fake.world
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self._push_pending = False
        self._sends: set[asyncio.Future[None]] = set()

    def install(self) -> None:
        self.fake.app_setup.append(self._routes)
        self.fake.listeners.append(self._changed)

    def _routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/", self._index)
        r.add_get("/playground/static/{name}", self._static)
        r.add_get("/playground/api/state", self._state)
        r.add_get("/playground/api/messages", self._messages)
        r.add_post("/playground/api/command", self._guard(self._command))
        r.add_post("/playground/api/autocomplete", self._guard(self._autocomplete))
        r.add_post("/playground/api/click", self._guard(self._click))
        r.add_post("/playground/api/select", self._guard(self._select))
        r.add_post("/playground/api/modal", self._guard(self._modal))
        r.add_post("/playground/api/travel", self._guard(self._travel))
        r.add_get("/playground/ws", self._socket)

    # --- the page ----------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = (STATIC / name).resolve()
        if path.parent != STATIC or not path.is_file():  # nothing outside static/
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-store"})

    # --- reading -----------------------------------------------------------------------------
    def _member_id(self, value: Any) -> int:
        try:
            uid = int(value)
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="as: a member id") from None
        if uid not in self.world.guild().members:
            raise web.HTTPBadRequest(text="as: not a member of the server")
        return uid

    async def _state(self, request: web.Request) -> web.Response:
        w = self.world
        g = w.guild()
        me = self._member_id(request.query.get("as", w.user("fatima")))
        members = []
        for uid, member in g.members.items():
            user = w.users[uid]
            roles = sorted(member.roles, key=lambda r: -g.roles[r].position)
            members.append(
                {
                    "id": str(uid),
                    "name": user.global_name or user.username,
                    "username": user.username,
                    "bot": user.bot,
                    "roles": [str(r) for r in roles],
                    "about": ABOUT.get(user.username, ""),
                }
            )
        channels = []
        for cid in g.channel_ids:
            ch = w.channels[cid]
            if ch.type not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
                continue
            if w.permissions(g.id, me, cid) & P.VIEW_CHANNEL:
                channels.append({"id": str(cid), "name": ch.name, "type": "text"})
        for thread in w.threads(g.id):
            private = thread.type == ChannelType.PRIVATE_THREAD
            if private and me not in thread.thread_member_ids:
                continue
            if w.permissions(g.id, me, thread.parent_id) & P.VIEW_CHANNEL:
                channels.append(
                    {
                        "id": str(thread.id),
                        "name": thread.name,
                        "type": "thread",
                        "parent_id": str(thread.parent_id),
                    }
                )
        dm = w.dm_channels.get(me)
        event = self.playground.next_event() if self.playground.status == "ready" else None
        return web.json_response(
            {
                "guild": {"id": str(g.id), "name": g.name},
                "me": str(me),
                "bot": {"id": str(w.bot_user_id), "name": w.application.name},
                "members": members,
                "roles": {
                    str(r.id): {"name": r.name, "color": r.color}
                    for r in g.roles.values()
                    if r.id != g.id
                },
                "channels": channels,
                "dm": str(dm) if dm is not None else None,
                "commands": self.fake.commands(),
                "dm_commands": [
                    c for c in self.fake.commands(None) if 1 in (c.get("contexts") or [])
                ],
                "status": self.playground.status,
                "now": self.playground.clock.now(),
                "offset": self.playground.clock.offset,
                "next_event": {"starts_at": event[0], "ends_at": event[1]} if event else None,
            }
        )

    async def _messages(self, request: web.Request) -> web.Response:
        w = self.world
        me = self._member_id(request.query.get("as"))
        try:
            cid = int(request.query.get("channel", ""))
            ch = w.channels[cid]
        except (ValueError, KeyError):
            return _error("channel: a channel id")
        if ch.is_dm:
            if ch.recipient_id != me:
                return _error("That is another member's DM.", 403)
        elif not w.permissions(w.guild().id, me, ch.parent_id or cid) & P.VIEW_CHANNEL:
            return _error("This member can't see that channel.", 403)
        out = []
        for m in w.channel_messages(cid, include_ephemeral=True):
            if m.ephemeral and m.ephemeral_user_id != me:
                continue  # "Only you can see this": someone else's
            data = w.message_payload(m)
            data["ephemeral"] = m.ephemeral
            data["loading"] = m.loading
            data["time"] = self.playground.clock.virtual(m.created_at)
            data["edited"] = m.edited_at is not None
            out.append(data)
        return web.json_response({"channel": str(cid), "messages": out})

    # --- acting ------------------------------------------------------------------------------
    def _guard(self, handler: Callable[[dict[str, Any]], Awaitable[web.Response]]) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                body = await request.json()
            except ValueError:
                return _error("The body must be JSON.")
            if self.playground.status == "travelling" and handler != self._travel:
                return _error("Time is moving: the bot restarts in a moment.", 409)
            try:
                return await handler(body)
            except InteractionTimeout:
                return _error("The bot didn't answer within 3 seconds.", 504)
            except (FakeDiscordError, LookupError, ValueError) as exc:
                return _error(str(exc))

        return wrapped

    def _where(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("channel") == "dm":  # the member's DM with the bot, opened if need be
            return {"dm": True}
        channel = int(body["channel"])
        if self.world.channels[channel].is_dm:
            return {"dm": True}
        return {"channel": channel}

    @staticmethod
    def _answer(result: InteractionResult) -> web.Response:
        return _ok(modal=result.modal)

    def _options(self, path: str, given: Any) -> dict[str, Any]:
        """The page sends ids as text (JSON numbers can't hold a snowflake): members,
        channels and roles go to the fake as the ints it expects."""
        leaf = self._leaf_options(path)
        # An option named like one of the fake's own keywords (`channel`…) must be passed
        # explicitly, even when left empty, or the fake can't tell which is meant.
        out: dict[str, Any] = {name: None for name in leaf if name in RESERVED}
        for name, value in dict(given or {}).items():
            kind = leaf.get(name)
            if kind in (6, 7, 8, 9) and isinstance(value, str) and value.isdecimal():
                value = int(value)
            out[str(name)] = value
        return out

    def _leaf_options(self, path: str) -> dict[str, int]:
        """{option name: type} of `path` ("event create") among the synced commands."""
        words = path.split()
        for command in self.fake.commands() + self.fake.commands(None):
            if not words or command.get("name") != words[0]:
                continue
            options = command.get("options") or []
            for word in words[1:]:
                options = next(
                    (o.get("options") or [] for o in options if o.get("name") == word), []
                )
            return {o["name"]: o["type"] for o in options if o.get("type") not in (1, 2)}
        return {}

    async def _command(self, body: dict[str, Any]) -> web.Response:
        me = self._member_id(body.get("as"))
        path = str(body["command"])
        result = await self.fake.slash(
            me, path, options=self._options(path, body.get("options")), **self._where(body)
        )
        return self._answer(result)

    async def _autocomplete(self, body: dict[str, Any]) -> web.Response:
        me = self._member_id(body.get("as"))
        path = str(body["command"])
        choices = await self.fake.autocomplete(
            me,
            path,
            str(body["option"]),
            body.get("value", ""),
            options=self._options(path, body.get("options")),
            **self._where(body),
        )
        return _ok(choices=choices)

    async def _click(self, body: dict[str, Any]) -> web.Response:
        me = self._member_id(body.get("as"))
        result = await self.fake.click(me, int(body["message"]), str(body["custom_id"]))
        return self._answer(result)

    async def _select(self, body: dict[str, Any]) -> web.Response:
        me = self._member_id(body.get("as"))
        values = [str(v) for v in body.get("values") or []]
        result = await self.fake.select(me, int(body["message"]), str(body["custom_id"]), values)
        return self._answer(result)

    async def _modal(self, body: dict[str, Any]) -> web.Response:
        me = self._member_id(body.get("as"))
        values = {str(k): v for k, v in dict(body.get("values") or {}).items()}
        result = await self.fake.submit_modal(me, str(body["custom_id"]), values)
        return self._answer(result)

    async def _travel(self, body: dict[str, Any]) -> web.Response:
        now = await self.playground.travel(str(body.get("to", "")))
        return _ok(now=now, offset=self.playground.clock.offset)

    # --- live updates ------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        self._sockets.add(ws)
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.playground.on_status.append(queue)
        status = asyncio.create_task(self._forward_status(ws, queue))
        try:
            async for msg in ws:
                if msg.type is WSMsgType.ERROR:
                    break
        finally:
            status.cancel()
            self.playground.on_status.remove(queue)
        return ws

    async def _forward_status(self, ws: web.WebSocketResponse, queue: asyncio.Queue[str]) -> None:
        while True:
            status = await queue.get()
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_json({"type": "status", "status": status})

    def _changed(self) -> None:
        """The fake changed (a message, an edit, a role…): tell every page, at most every
        50 ms however many changes a burst makes."""
        if self._push_pending or not self._sockets:
            return
        self._push_pending = True
        asyncio.get_running_loop().call_later(0.05, self._push)

    def _push(self) -> None:
        self._push_pending = False
        for ws in list(self._sockets):
            if not ws.closed:
                task = asyncio.ensure_future(self._send_quietly(ws, {"type": "changed"}))
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)

    @staticmethod
    async def _send_quietly(ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_json(data)
