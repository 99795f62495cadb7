"""How a request becomes an answer: the route table and the base every route mixin builds on.

``@route(method, pattern)`` registers a handler by name in one table shared by the resource
modules of this package. :class:`RestBase.handle` records the request (``fake.requests``),
reads its JSON or multipart body, applies ``fake.faults`` and ``fake.rate_limits``, checks the
bot token, finds the route and turns the handler's return value into a response (``None`` →
204, ``(status, body)``, else 200 with JSON). Unmatched paths are recorded in
``fake.unknown_routes`` and answered 404. The lookups and permission checks that every
resource needs (``_channel``, ``_guild``, ``_message``, ``_require``, ``_invalid``,
``_dispatch``) live here too."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .. import limits
from ..interactions import ATTACHMENT_SIZE_LIMIT
from ..world import FakeChannel, FakeMessage, P
from .faults import RateLimited
from .records import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    ApiError,
    LimitViolation,
    RecordedRequest,
    UnknownRoute,
    UploadedFile,
    unknown,
)

if TYPE_CHECKING:
    from ..server import FakeDiscord

API_PREFIX = re.compile(r"^/api(?:/v(?P<version>\d+))?(?P<rest>/.*)$")


# (method, anchored path regex, handler name); the handler is a method of ``Rest`` of that name
ROUTES: list[tuple[str, re.Pattern[str], str]] = []
# (method, first path segment) -> routes, so a request is matched against a handful of regexes
_ROUTE_INDEX: dict[tuple[str, str], list[tuple[re.Pattern[str], str]]] = {}


def route(method: str, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated method as the handler of ``method`` + ``pattern``.

    Handlers are found by name on the composed ``Rest``, so a name must be unique across
    the resource mixins (a second one would silently shadow the first).
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if any(name == fn.__name__ for _, _, name in ROUTES):
            raise ValueError(f"route handler {fn.__name__!r} is already registered")
        rx = re.compile("^" + pattern + "$")
        ROUTES.append((method, rx, fn.__name__))
        first = pattern.split("/")[1]
        _ROUTE_INDEX.setdefault((method, first), []).append((rx, fn.__name__))
        return fn

    return deco


ID = r"(\d+)"
TOKEN = r"([^/]+)"


class RestBase:
    """Dispatch and shared helpers; ``Rest`` adds the route handlers of each resource."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    @property
    def world(self):
        return self.fake.world

    # ----- entry point -------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        fake = self.fake
        m = API_PREFIX.match(request.path)
        if m is None:
            return await self._unknown(request, request.path, None)
        path = m.group("rest")
        method = request.method.upper()
        rec = RecordedRequest(
            method=method,
            path=path,
            query=dict(request.query),
            json=None,
            files=[],
            time=time.monotonic(),
            headers=dict(request.headers),
        )
        try:
            rec.json, rec.files = await self._read_body(request)
        except ApiError as err:
            fake.requests.append(rec)
            return self._finish(rec, err.status, err.body(), err.headers)
        fake.requests.append(rec)
        fake._changed()  # a waiter may be watching for this request, even if it then hangs

        rule = fake.faults.match(method, path)
        if rule is not None:
            if rule.delay:
                await asyncio.sleep(rule.delay)
            if rule.status is not None:
                rec.fault = True
                fake.fault_hits.append((rule, rec))
                body = rule.body
                headers = dict(rule.headers)
                if rule.status == 429:
                    headers.setdefault("Via", "1.1 google")
                    headers.setdefault("Retry-After", "1")
                    if body is None:
                        body = {
                            "message": "You are being rate limited.",
                            "retry_after": 0.05,
                            "global": False,
                        }
                if body is None:
                    body = {"message": f"{rule.status}: Injected fault", "code": 0}
                return self._finish(rec, rule.status, body, headers)

        now = time.monotonic()
        for rl in fake.rate_limits:
            retry = rl.check(method, path, now)
            if retry is not None:
                fake.rate_limited.append(RateLimited(rl.name, method, path, retry, now))
                headers = {
                    "Via": "1.1 google",
                    "Retry-After": f"{retry:.3f}",
                    "X-RateLimit-Limit": str(rl.limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": f"{retry:.3f}",
                    "X-RateLimit-Bucket": f"fake-{rl.name}",
                    "X-RateLimit-Scope": "user",
                }
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": retry,
                    "global": False,
                }
                return self._finish(rec, 429, body, headers)

        first = path.split("/", 2)[1] if path.count("/") else ""
        for pattern, name in _ROUTE_INDEX.get((method, first), ()):
            mm = pattern.match(path)
            if mm is None:
                continue
            rec.route = name
            needs_auth = not (path.startswith("/webhooks/") or path.startswith("/interactions/"))
            auth = request.headers.get("Authorization", "")
            if needs_auth and (
                not auth.startswith("Bot ") or (fake.token is not None and auth[4:] != fake.token)
            ):
                return self._finish(rec, 401, {"message": "401: Unauthorized", "code": 0})
            try:
                result = getattr(self, name)(rec, *mm.groups())
            except ApiError as err:
                return self._finish(rec, err.status, err.body(), err.headers)
            if isinstance(result, tuple):
                status, body = result
            elif result is None:
                status, body = 204, None
            else:
                status, body = 200, result
            return self._finish(rec, status, body)
        return await self._unknown(request, path, rec)

    async def _unknown(
        self, request: web.Request, path: str, rec: RecordedRequest | None
    ) -> web.StreamResponse:
        fake = self.fake
        if rec is None:
            rec = RecordedRequest(
                request.method, path, dict(request.query), None, [], time.monotonic(), {}
            )
            fake.requests.append(rec)
        fake.unknown_routes.append(
            UnknownRoute(request.method.upper(), path, dict(request.query), time.monotonic())
        )
        return self._finish(rec, 404, {"message": "404: Not Found", "code": 0})

    def _finish(
        self, rec: RecordedRequest, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> web.StreamResponse:
        rec.status = status
        rec.response = body
        self.fake._changed()
        if status == 204 or body is None:
            return web.Response(status=204 if body is None else status, headers=headers)
        # discord.py compares the header to exactly "application/json" (no charset).
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(
            status=status,
            body=json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
            headers=hdrs,
        )

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype == "multipart/form-data":
            payload: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue  # a nested multipart: Discord sends none
                data = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    payload = json.loads(data.decode("utf-8"))
                elif part.filename is not None or name.startswith("files["):
                    pct = part.headers.get("Content-Type")
                    filename = part.filename or name
                    if not pct or pct == "application/octet-stream":
                        pct = mimetypes.guess_type(filename)[0] or pct
                    files.append(UploadedFile(name, filename, bytes(data), pct))
            if sum(len(f.content) for f in files) > ATTACHMENT_SIZE_LIMIT:
                raise ApiError(413, 40005, "Request entity too large")
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    # ----- shared helpers ----------------------------------------------------------------
    def _invalid(
        self, rec: RecordedRequest, problems: list[limits.Problem], prefix: tuple = ()
    ) -> ApiError:
        for p in problems:
            full = limits.Problem((*prefix, *p.path), p.code, p.message)
            self.fake.limit_violations.append(
                LimitViolation(rec.method, rec.path, full.field, p.code, p.message, rec)
            )
        moved = [limits.Problem((*prefix, *p.path), p.code, p.message) for p in problems]
        return ApiError(400, 50035, "Invalid Form Body", limits.form_errors(moved))

    def _channel(self, channel_id: str) -> FakeChannel:
        ch = self.world.channels.get(int(channel_id))
        if ch is None:
            raise unknown("Channel", 10003)
        return ch

    def _guild(self, guild_id: str):
        g = self.world.guilds.get(int(guild_id))
        if g is None:
            raise unknown("Guild", 10004)
        return g

    def _message(self, ch: FakeChannel, message_id: str) -> FakeMessage:
        msg = self.world.messages.get(int(message_id))
        if msg is None or msg.deleted or msg.channel_id != ch.id or msg.ephemeral:
            raise unknown("Message", 10008)
        return msg

    def _bot_perms(self, ch: FakeChannel) -> int:
        if ch.guild_id is None:
            return P.ALL
        return self.world.permissions(ch.guild_id, self.world.bot_user_id, ch.id)

    def _require(self, ch: FakeChannel, perm: int) -> None:
        perms = self._bot_perms(ch)
        if not perms & P.VIEW_CHANNEL:
            raise ApiError(*MISSING_ACCESS)
        if perms & perm != perm:
            raise ApiError(*MISSING_PERMISSIONS)

    def _require_guild(self, guild_id: int, perm: int) -> None:
        perms = self.world.base_permissions(guild_id, self.world.bot_user_id)
        if perms & perm != perm:
            raise ApiError(*MISSING_PERMISSIONS)

    def _dispatch(self, event: str, data: Any, guild_id: int | None, intent: int | None) -> None:
        self.fake.gateway.dispatch(event, data, guild_id=guild_id, intent=intent)
