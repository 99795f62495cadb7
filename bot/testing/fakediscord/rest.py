"""The fake REST API (``/api/v10/...``): routes, request recording, limits, faults."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits
from .interactions import ALLOWED_CALLBACKS, ATTACHMENT_SIZE_LIMIT, InteractionResult
from .world import (
    ChannelType,
    FakeAttachment,
    FakeChannel,
    FakeMessage,
    FakeRole,
    FakeScheduledEvent,
    Intents,
    MessageFlags,
    P,
    iso,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = re.compile(r"^/api(?:/v(?P<version>\d+))?(?P<rest>/.*)$")


# ----- records -----------------------------------------------------------------------------
@dataclass
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    content: bytes
    content_type: str | None


@dataclass
class RecordedRequest:
    """A request the bot made. ``path`` is without the ``/api/v10`` prefix."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    time: float
    headers: dict[str, str]
    status: int | None = None
    response: Any = None
    route: str | None = None
    fault: bool = False

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class UnknownRoute:
    method: str
    path: str
    query: dict[str, str]
    time: float


@dataclass
class LimitViolation:
    """The bot sent something over a Discord limit (the fake answered 400 / 50035)."""

    method: str
    path: str
    field: str
    code: str
    message: str
    request: RecordedRequest

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.field}: {self.message} ({self.code})"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        data.update(self.extra)
        return data


def unknown(kind: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {kind}")


MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
MISSING_ACCESS = (403, 50001, "Missing Access")


# ----- faults & rate limits ----------------------------------------------------------------
@dataclass
class FaultRule:
    """Answer matching requests with ``status``/``body`` instead of routing them.

    ``path`` is a regex searched in the path without ``/api/v10``. ``times=None`` means
    forever. With ``status=None`` the request is only delayed by ``delay`` seconds and then
    handled normally. For 429 a ``Via`` header and ``retry_after`` are added (discord.py
    only retries 429s that carry ``Via``).
    """

    method: str | None = None
    path: str = ".*"
    status: int | None = 500
    body: Any = None
    times: int | None = 1
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return re.search(self.path, path) is not None


class Faults(list[FaultRule]):
    """``fake.faults``: a list of :class:`FaultRule` consulted before routing."""

    def add(
        self,
        method: str | None = None,
        path: str = ".*",
        status: int | None = 500,
        body: Any = None,
        times: int | None = 1,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> FaultRule:
        rule = FaultRule(method, path, status, body, times, delay, dict(headers or {}))
        self.append(rule)
        return rule

    def match(self, method: str, path: str) -> FaultRule | None:
        for rule in self:
            if rule.matches(method, path):
                rule.hits += 1
                return rule
        return None


@dataclass
class RateLimitRule:
    """At most ``limit`` requests per ``per`` seconds for each distinct ``key`` match group.

    ``path`` is a regex; its first group (e.g. the channel id) makes the bucket key.
    """

    method: str | None
    path: str
    limit: int
    per: float
    name: str = ""
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def check(self, method: str, path: str, now: float) -> float | None:
        if self.method is not None and self.method != method:
            return None
        m = re.search(self.path, path)
        if m is None:
            return None
        key = m.group(1) if m.groups() else ""
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.per:
            start, count = now, 0
        if count >= self.limit:
            return self.per - (now - start)
        self._windows[key] = (start, count + 1)
        return None


def discord_like_rate_limits() -> list[RateLimitRule]:
    """Approximations of Discord's per-channel message buckets (5 per 5 s)."""
    return [
        RateLimitRule("POST", r"^/channels/(\d+)/messages$", 5, 5.0, "message create"),
        RateLimitRule("PATCH", r"^/channels/(\d+)/messages/\d+$", 5, 5.0, "message edit"),
        RateLimitRule("DELETE", r"^/channels/(\d+)/messages/\d+$", 5, 1.0, "message delete"),
    ]


@dataclass
class RateLimited:
    rule: str
    method: str
    path: str
    retry_after: float
    time: float


# ----- routing -----------------------------------------------------------------------------
ROUTES: list[tuple[str, re.Pattern[str], str]] = []
# (method, first path segment) -> routes, so a request is matched against a handful of regexes
_ROUTE_INDEX: dict[tuple[str, str], list[tuple[re.Pattern[str], str]]] = {}


def route(method: str, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        rx = re.compile("^" + pattern + "$")
        ROUTES.append((method, rx, fn.__name__))
        first = pattern.split("/")[1]
        _ROUTE_INDEX.setdefault((method, first), []).append((rx, fn.__name__))
        return fn

    return deco


ID = r"(\d+)"
TOKEN = r"([^/]+)"


def _parse_time(value: Any, field_name: str) -> datetime:
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                field_name: {
                    "_errors": [
                        {
                            "code": "DATE_TIME_TYPE_PARSE",
                            "message": f"Could not interpret {value!r} as date time.",
                        }
                    ]
                }
            },
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


class Rest:
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
                data = await part.read()  # type: ignore[union-attr]
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

    def _dispatch_message(self, event: str, msg: FakeMessage) -> None:
        if msg.ephemeral:
            return
        intent = Intents.GUILD_MESSAGES if msg.guild_id is not None else Intents.DIRECT_MESSAGES
        self._dispatch(event, self.world.message_event_payload(msg), msg.guild_id, intent)

    def _attachments(
        self,
        rec: RecordedRequest,
        payload: dict[str, Any],
        channel_id: int,
        existing: list[FakeAttachment],
        *,
        ephemeral: bool = False,
    ) -> list[FakeAttachment] | None:
        """New attachment list from ``attachments`` + uploaded files (``None``: unchanged)."""
        by_index: dict[str, UploadedFile] = {}
        for i, f in enumerate(rec.files):
            m = re.match(r"files\[(\d+)\]", f.field)
            by_index[m.group(1) if m else str(i)] = f
        spec = payload.get("attachments")
        if spec is None and not rec.files:
            return None

        def new(f: UploadedFile, meta: dict[str, Any]) -> FakeAttachment:
            aid = self.world.snowflakes.next()
            filename = meta.get("filename") or f.filename
            ctype = f.content_type
            if not ctype or ctype == "application/octet-stream":
                ctype = mimetypes.guess_type(filename)[0] or ctype
            att = FakeAttachment(
                id=aid,
                filename=filename,
                content=f.content,
                content_type=ctype,
                url=f"{self.world.cdn_base}/attachments/{channel_id}/{aid}/{filename}",
                description=meta.get("description"),
                ephemeral=ephemeral,
            )
            self.world.attachments[aid] = att
            return att

        if spec is None:
            return [*existing, *(new(f, {}) for f in rec.files)]
        out: list[FakeAttachment] = []
        used: set[str] = set()
        keep = {str(a.id): a for a in existing}
        for i, meta in enumerate(spec):
            aid = str(meta.get("id"))
            if aid in by_index:
                out.append(new(by_index[aid], meta))
                used.add(aid)
            elif aid in keep:
                out.append(keep[aid])
            else:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "attachments": {
                            str(i): {
                                "_errors": [
                                    {
                                        "code": "ATTACHMENT_NOT_FOUND",
                                        "message": "Unknown attachment",
                                    }
                                ]
                            }
                        }
                    },
                )
        for idx, f in by_index.items():
            if idx not in used:
                out.append(new(f, {}))
        return out

    def _check_payload(
        self, rec: RecordedRequest, payload: dict[str, Any], prefix: tuple = ()
    ) -> None:
        problems = limits.check_message(payload, has_files=bool(rec.files))
        if problems:
            raise self._invalid(rec, problems, prefix)

    def _new_message(
        self,
        rec: RecordedRequest,
        payload: dict[str, Any],
        ch: FakeChannel,
        *,
        author_id: int,
        allowed_flags: int,
        prefix: tuple = (),
        interaction: InteractionResult | None = None,
        msg_type: int = 0,
        force_flags: int = 0,
    ) -> FakeMessage:
        self._check_payload(rec, payload, prefix)
        flags = (payload.get("flags") or 0) & allowed_flags | force_flags
        ephemeral = bool(flags & MessageFlags.EPHEMERAL)
        atts = self._attachments(rec, payload, ch.id, [], ephemeral=ephemeral) or []
        if not force_flags & MessageFlags.LOADING and limits.is_empty_message(
            payload, has_files=bool(rec.files), has_attachments=bool(atts)
        ):
            raise ApiError(400, 50006, "Cannot send an empty message")
        world = self.world
        msg = FakeMessage(
            id=world.snowflakes.next(),
            channel_id=ch.id,
            guild_id=ch.guild_id,
            author_id=author_id,
            content=payload.get("content") or "",
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            attachments=atts,
            flags=flags,
            type=msg_type,
            tts=bool(payload.get("tts")),
            allowed_mentions=payload.get("allowed_mentions"),
            message_reference=payload.get("message_reference"),
        )
        if interaction is not None:
            app_id = world.application.id
            msg.webhook_id = app_id
            msg.application_id = app_id
            msg.interaction_id = interaction.id
            meta: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.interaction_type,
                "user": world.user_payload(interaction.user_id),
                "authorizing_integration_owners": {"0": str(interaction.guild_id or 0)},
            }
            if interaction.interaction_type == 2:
                meta["name"] = interaction.name
                meta["command_type"] = 1
            if interaction.source_message_id is not None:
                meta["interacted_message_id"] = str(interaction.source_message_id)
            msg.interaction_metadata = meta
            if ephemeral:
                msg.ephemeral_user_id = interaction.user_id
        world.messages[msg.id] = msg
        ch.message_ids.append(msg.id)
        if not ephemeral:
            ch.last_message_id = msg.id
            ch.message_count += 1
        return msg

    def _edit_message(
        self,
        rec: RecordedRequest,
        msg: FakeMessage,
        payload: dict[str, Any],
        prefix: tuple = (),
    ) -> FakeMessage:
        payload = payload or {}
        merged: dict[str, Any] = {
            "content": msg.content,
            "embeds": msg.embeds,
            "components": msg.components,
            "flags": msg.flags,
        }
        for key in ("content", "embeds", "components"):
            if key in payload:
                merged[key] = (
                    payload[key] if payload[key] is not None else ("" if key == "content" else [])
                )
        if "flags" in payload and payload["flags"] is not None:
            keep = msg.flags & (MessageFlags.EPHEMERAL | MessageFlags.IS_COMPONENTS_V2)
            merged["flags"] = (
                payload["flags"] & (MessageFlags.SUPPRESS_EMBEDS | MessageFlags.IS_COMPONENTS_V2)
            ) | keep
        self._check_payload(rec, merged, prefix)
        atts = self._attachments(
            rec, payload, msg.channel_id, msg.attachments, ephemeral=msg.ephemeral
        )
        if atts is None:
            atts = msg.attachments
        if limits.is_empty_message(merged, has_files=False, has_attachments=bool(atts)):
            raise ApiError(400, 50006, "Cannot send an empty message")
        msg.history.append(
            {
                "content": msg.content,
                "embeds": msg.embeds,
                "components": msg.components,
                "flags": msg.flags,
                "edited_at": msg.edited_at,
            }
        )
        msg.content = merged["content"]
        msg.embeds = list(merged["embeds"])
        msg.components = list(merged["components"])
        msg.flags = merged["flags"] & ~MessageFlags.LOADING
        msg.attachments = atts
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        msg.edited_at = time.time()
        msg.edit_count += 1
        return msg

    # ----- users, application, gateway ---------------------------------------------------
    @route("GET", r"/users/@me")
    def get_me(self, rec: RecordedRequest) -> Any:
        w = self.world
        return {**w.user_payload(w.bot_user_id), "verified": True, "mfa_enabled": False}

    @route("GET", rf"/users/{ID}")
    def get_user(self, rec: RecordedRequest, user_id: str) -> Any:
        if int(user_id) not in self.world.users:
            raise unknown("User", 10013)
        return self.world.user_payload(int(user_id))

    @route("GET", r"/oauth2/applications/@me")
    def get_application(self, rec: RecordedRequest) -> Any:
        w = self.world
        app = w.application
        return {
            "id": str(app.id),
            "name": app.name,
            "icon": None,
            "description": "Fake application",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": app.flags,
            "owner": w.user_payload(app.owner_id) if app.owner_id in w.users else w.user_payload(0),
            "team": None,
            "bot": w.user_payload(app.bot_user_id),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": len(w.guilds),
        }

    @route("GET", r"/applications/@me")
    def get_application2(self, rec: RecordedRequest) -> Any:
        return self.get_application(rec)

    @route("GET", r"/gateway")
    def get_gateway(self, rec: RecordedRequest) -> Any:
        return {"url": self.fake.gateway_base_url}

    @route("GET", r"/gateway/bot")
    def get_gateway_bot(self, rec: RecordedRequest) -> Any:
        return {
            "url": self.fake.gateway_base_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86400000,
                "max_concurrency": 1,
            },
        }

    # ----- application commands ----------------------------------------------------------
    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.world.application.id:
            raise ApiError(403, 50001, "Missing Access")

    def _store_commands(
        self, rec: RecordedRequest, guild_id: int | None, body: Any, replace: bool
    ) -> list[dict[str, Any]]:
        items = body if replace else [body]
        problems = limits.check_commands(items)
        if problems:
            raise self._invalid(rec, problems)
        w = self.world
        version = str(w.snowflakes.next())
        stored: list[dict[str, Any]] = []
        for c in items:
            ctype = c.get("type") or 1
            key = (guild_id, c["name"], ctype)
            cid = w.command_ids.get(key)
            if cid is None:
                cid = w.snowflakes.next()
                w.command_ids[key] = cid
            perms = c.get("default_member_permissions")
            data = {
                "id": str(cid),
                "application_id": str(w.application.id),
                "version": version,
                "type": ctype,
                "name": c["name"],
                "name_localizations": c.get("name_localizations"),
                "description": c.get("description") or "",
                "description_localizations": c.get("description_localizations"),
                "default_member_permissions": None if perms is None else str(perms),
                "nsfw": bool(c.get("nsfw", False)),
                "contexts": c.get("contexts"),
                "integration_types": c.get("integration_types") or [0],
            }
            if c.get("options"):
                data["options"] = c["options"]
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            else:
                data["dm_permission"] = c.get("dm_permission", True)
            stored.append(data)
        if replace:
            w.commands[guild_id] = stored
        else:
            pool = w.commands.setdefault(guild_id, [])
            pool[:] = [
                x
                for x in pool
                if not (x["name"] == stored[0]["name"] and x["type"] == stored[0]["type"])
            ]
            pool.append(stored[0])
        self.fake.command_syncs.append((guild_id, time.monotonic(), len(stored)))
        return stored

    def _guild_for_commands(self, guild_id: str) -> int:
        g = self._guild(guild_id)
        if self.world.bot_user_id not in g.members:
            raise ApiError(*MISSING_ACCESS)
        return g.id

    @route("GET", rf"/applications/{ID}/commands")
    def get_global_commands(self, rec: RecordedRequest, app_id: str) -> Any:
        self._check_app(app_id)
        return self.world.commands.get(None, [])

    @route("PUT", rf"/applications/{ID}/commands")
    def put_global_commands(self, rec: RecordedRequest, app_id: str) -> Any:
        self._check_app(app_id)
        return self._store_commands(rec, None, rec.json or [], replace=True)

    @route("POST", rf"/applications/{ID}/commands")
    def post_global_command(self, rec: RecordedRequest, app_id: str) -> Any:
        self._check_app(app_id)
        return 201, self._store_commands(rec, None, rec.json or {}, replace=False)[0]

    @route("GET", rf"/applications/{ID}/guilds/{ID}/commands")
    def get_guild_commands(self, rec: RecordedRequest, app_id: str, guild_id: str) -> Any:
        self._check_app(app_id)
        return self.world.commands.get(self._guild_for_commands(guild_id), [])

    @route("PUT", rf"/applications/{ID}/guilds/{ID}/commands")
    def put_guild_commands(self, rec: RecordedRequest, app_id: str, guild_id: str) -> Any:
        self._check_app(app_id)
        gid = self._guild_for_commands(guild_id)
        return self._store_commands(rec, gid, rec.json or [], replace=True)

    @route("POST", rf"/applications/{ID}/guilds/{ID}/commands")
    def post_guild_command(self, rec: RecordedRequest, app_id: str, guild_id: str) -> Any:
        self._check_app(app_id)
        gid = self._guild_for_commands(guild_id)
        return 201, self._store_commands(rec, gid, rec.json or {}, replace=False)[0]

    def _find_command(self, guild_id: int | None, cmd_id: str) -> dict[str, Any]:
        for c in self.world.commands.get(guild_id, []):
            if c["id"] == cmd_id:
                return c
        raise unknown("application command", 10063)

    @route("GET", rf"/applications/{ID}/commands/{ID}")
    def get_global_command(self, rec: RecordedRequest, app_id: str, cmd_id: str) -> Any:
        self._check_app(app_id)
        return self._find_command(None, cmd_id)

    @route("DELETE", rf"/applications/{ID}/commands/{ID}")
    def delete_global_command(self, rec: RecordedRequest, app_id: str, cmd_id: str) -> Any:
        self._check_app(app_id)
        c = self._find_command(None, cmd_id)
        self.world.commands[None].remove(c)

    @route("GET", rf"/applications/{ID}/guilds/{ID}/commands/{ID}")
    def get_guild_command(
        self, rec: RecordedRequest, app_id: str, guild_id: str, cmd_id: str
    ) -> Any:
        self._check_app(app_id)
        return self._find_command(int(guild_id), cmd_id)

    @route("DELETE", rf"/applications/{ID}/guilds/{ID}/commands/{ID}")
    def delete_guild_command(
        self, rec: RecordedRequest, app_id: str, guild_id: str, cmd_id: str
    ) -> Any:
        self._check_app(app_id)
        c = self._find_command(int(guild_id), cmd_id)
        self.world.commands[int(guild_id)].remove(c)

    # ----- channels & messages -----------------------------------------------------------
    @route("GET", rf"/channels/{ID}")
    def get_channel(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is not None and not self._bot_perms(ch) & P.VIEW_CHANNEL:
            raise ApiError(*MISSING_ACCESS)
        return self.world.channel_payload(ch.id)

    @route("PATCH", rf"/channels/{ID}")
    def patch_channel(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        body = rec.json or {}
        if ch.is_thread:
            if ch.owner_id != self.world.bot_user_id:
                self._require(ch, P.MANAGE_THREADS)
            for key in ("archived", "locked", "invitable", "auto_archive_duration"):
                if key in body:
                    setattr(ch, key, body[key])
        elif ch.guild_id is not None:
            self._require(ch, P.MANAGE_CHANNELS)
            if "topic" in body:
                ch.topic = body["topic"]
        if "name" in body:
            problems: list[limits.Problem] = []
            limits._len_between(("name",), body["name"], 1, 100, problems)
            if problems:
                raise self._invalid(rec, problems)
            ch.name = body["name"]
        data = self.world.channel_payload(ch.id)
        event = "THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE"
        self._dispatch(event, data, ch.guild_id, Intents.GUILDS)
        return data

    @route("DELETE", rf"/channels/{ID}")
    def delete_channel(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is None:
            return self.world.channel_payload(ch.id)
        if ch.is_thread:
            if ch.owner_id != self.world.bot_user_id:
                self._require(ch, P.MANAGE_THREADS)
        else:
            self._require(ch, P.MANAGE_CHANNELS)
        data = self.world.channel_payload(ch.id)
        self.fake._remove_channel(ch)
        return data

    @route("POST", rf"/channels/{ID}/typing")
    def typing(self, rec: RecordedRequest, channel_id: str) -> Any:
        self._channel(channel_id)
        return None

    @route("GET", rf"/channels/{ID}/messages")
    def list_messages(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is not None:
            self._require(ch, P.READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(rec.query.get("limit", 50))))
        msgs = self.world.channel_messages(ch.id)
        before, after, around = (rec.query.get(k) for k in ("before", "after", "around"))
        if before:
            msgs = [m for m in msgs if m.id < int(before)]
            msgs = msgs[-limit:]
        elif after:
            msgs = [m for m in msgs if m.id > int(after)][:limit]
        elif around:
            idx = next((i for i, m in enumerate(msgs) if m.id >= int(around)), len(msgs))
            half = limit // 2
            msgs = msgs[max(0, idx - half) : idx - half + limit]
        else:
            msgs = msgs[-limit:]
        return [self.world.message_payload(m) for m in reversed(msgs)]

    @route("GET", rf"/channels/{ID}/messages/{ID}")
    def get_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        if ch.guild_id is not None:
            self._require(ch, P.READ_MESSAGE_HISTORY)
        return self.world.message_payload(self._message(ch, message_id))

    @route("POST", rf"/channels/{ID}/messages")
    def create_message(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        w = self.world
        if ch.is_dm:
            user = w.users.get(ch.recipient_id or 0)
            if user is None or not user.dms_open or user.bot:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        elif ch.is_thread:
            self._require(ch, P.SEND_MESSAGES_IN_THREADS)
            if ch.archived and ch.locked:
                raise ApiError(400, 50083, "Thread is archived")
            if ch.archived:
                ch.archived = False
        else:
            if ch.type not in (
                ChannelType.GUILD_TEXT,
                ChannelType.GUILD_ANNOUNCEMENT,
                ChannelType.GUILD_VOICE,
            ):
                raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
            self._require(ch, P.SEND_MESSAGES)
        payload = rec.json or {}
        if rec.files and ch.guild_id is not None:
            self._require(ch, P.ATTACH_FILES)
        ref = payload.get("message_reference")
        if ref and ref.get("message_id"):
            target = w.messages.get(int(ref["message_id"]))
            if (target is None or target.deleted) and ref.get("fail_if_not_exists", True):
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "message_reference": {
                            "_errors": [
                                {
                                    "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                    "message": "Unknown message",
                                }
                            ]
                        }
                    },
                )
        allowed = MessageFlags.SUPPRESS_EMBEDS | MessageFlags.SUPPRESS_NOTIFICATIONS
        allowed |= MessageFlags.IS_COMPONENTS_V2
        msg = self._new_message(
            rec,
            payload,
            ch,
            author_id=w.bot_user_id,
            allowed_flags=allowed,
            msg_type=19 if ref else 0,
        )
        self._dispatch_message("MESSAGE_CREATE", msg)
        self.fake._on_message(msg)
        return w.message_payload(msg)

    @route("PATCH", rf"/channels/{ID}/messages/{ID}")
    def edit_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        body = rec.json or {}
        if msg.author_id != self.world.bot_user_id:
            if set(body) - {"flags"}:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
            self._require(ch, P.MANAGE_MESSAGES)
        self._edit_message(rec, msg, body)
        self._dispatch_message("MESSAGE_UPDATE", msg)
        self.fake._on_message(msg)
        return self.world.message_payload(msg)

    @route("DELETE", rf"/channels/{ID}/messages/{ID}")
    def delete_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        if msg.author_id != self.world.bot_user_id and ch.guild_id is not None:
            self._require(ch, P.MANAGE_MESSAGES)
        self.fake._delete_message(msg)

    @route("POST", rf"/channels/{ID}/messages/bulk-delete")
    def bulk_delete(self, rec: RecordedRequest, channel_id: str) -> Any:
        ch = self._channel(channel_id)
        self._require(ch, P.MANAGE_MESSAGES)
        ids = (rec.json or {}).get("messages") or []
        if not 2 <= len(ids) <= 100:
            raise self._invalid(
                rec,
                [
                    limits.Problem(
                        ("messages",),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 2 and 100 in length.",
                    )
                ],
            )
        for mid in ids:
            msg = self.world.messages.get(int(mid))
            if msg is not None and msg.channel_id == ch.id and not msg.deleted:
                self.fake._delete_message(msg)

    @route("PUT", rf"/channels/{ID}/messages/{ID}/reactions/([^/]+)/@me")
    def add_reaction(
        self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        if ch.guild_id is not None:
            self._require(ch, P.ADD_REACTIONS | P.READ_MESSAGE_HISTORY)
        from urllib.parse import unquote

        self.fake.reactions.setdefault(msg.id, {}).setdefault(unquote(emoji), set()).add(
            self.world.bot_user_id
        )
        return None

    @route("DELETE", rf"/channels/{ID}/messages/{ID}/reactions/([^/]+)/@me")
    def remove_reaction(
        self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        from urllib.parse import unquote

        self.fake.reactions.get(msg.id, {}).get(unquote(emoji), set()).discard(
            self.world.bot_user_id
        )
        return None

    @route("PUT", rf"/channels/{ID}/pins/{ID}")
    def pin_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        if ch.guild_id is not None:
            self._require(ch, P.MANAGE_MESSAGES)
        msg.pinned = True
        return None

    @route("PUT", rf"/channels/{ID}/messages/pins/{ID}")
    def pin_message2(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        return self.pin_message(rec, channel_id, message_id)

    @route("DELETE", rf"/channels/{ID}/pins/{ID}")
    def unpin_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        ch = self._channel(channel_id)
        msg = self._message(ch, message_id)
        msg.pinned = False
        return None

    @route("DELETE", rf"/channels/{ID}/messages/pins/{ID}")
    def unpin_message2(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Any:
        return self.unpin_message(rec, channel_id, message_id)

    # ----- DMs ---------------------------------------------------------------------------
    @route("POST", r"/users/@me/channels")
    def create_dm(self, rec: RecordedRequest) -> Any:
        body = rec.json or {}
        try:
            uid = int(body.get("recipient_id"))
        except (TypeError, ValueError):
            raise ApiError(400, 50033, "Invalid Recipient(s)") from None
        user = self.world.users.get(uid)
        if user is None or uid == self.world.bot_user_id:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        ch = self.world.dm_channel_for(uid)
        return self.world.channel_payload(ch.id)

    # ----- guilds, members, roles --------------------------------------------------------
    @route("GET", rf"/guilds/{ID}")
    def get_guild(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        data = self.world.guild_payload(g.id)
        if rec.query.get("with_counts") in ("true", "1", "True"):
            data["approximate_member_count"] = len(g.members)
            data["approximate_presence_count"] = 0
        return data

    @route("GET", rf"/guilds/{ID}/channels")
    def get_guild_channels(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        w = self.world
        return [w.channel_payload(c) for c in g.channel_ids if not w.channels[c].is_thread]

    @route("POST", rf"/guilds/{ID}/channels")
    def create_guild_channel(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        self._require_guild(g.id, P.MANAGE_CHANNELS)
        body = rec.json or {}
        problems: list[limits.Problem] = []
        limits._len_between(("name",), body.get("name"), 1, 100, problems)
        if problems:
            raise self._invalid(rec, problems)
        ch, _ = self.fake._create_channel(
            body["name"],
            guild=g.id,
            type=int(body.get("type") or 0),
            topic=body.get("topic"),
            parent_id=int(body["parent_id"]) if body.get("parent_id") else None,
            overwrites=body.get("permission_overwrites"),
        )
        return 201, self.world.channel_payload(ch.id)

    @route("GET", rf"/guilds/{ID}/roles")
    def get_roles(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        return [r.to_payload() for r in g.roles.values()]

    @route("POST", rf"/guilds/{ID}/roles")
    def create_role(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        self._require_guild(g.id, P.MANAGE_ROLES)
        body = rec.json or {}
        name = body.get("name") or "new role"
        problems: list[limits.Problem] = []
        limits._len_between(("name",), name, 1, 100, problems)
        if problems:
            raise self._invalid(rec, problems)
        role = self.world.add_role(
            name,
            guild=g.id,
            permissions=int(body.get("permissions") or 0),
            position=1,
            color=int(body.get("color") or 0),
            mentionable=bool(body.get("mentionable")),
        )
        role.hoist = bool(body.get("hoist"))
        for r in g.roles.values():
            if r.id != role.id and r.position >= 1 and r.id != g.id:
                r.position += 1
        self._dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(g.id), "role": role.to_payload()},
            g.id,
            Intents.GUILDS,
        )
        return role.to_payload()

    def _editable_role(self, g: Any, role_id: str) -> FakeRole:
        role = g.roles.get(int(role_id))
        if role is None:
            raise unknown("Role", 10011)
        self._require_guild(g.id, P.MANAGE_ROLES)
        if role.position >= self.world.top_role_position(g.id, self.world.bot_user_id):
            if g.owner_id != self.world.bot_user_id:
                raise ApiError(*MISSING_PERMISSIONS)
        return role

    @route("PATCH", rf"/guilds/{ID}/roles/{ID}")
    def edit_role(self, rec: RecordedRequest, guild_id: str, role_id: str) -> Any:
        g = self._guild(guild_id)
        role = self._editable_role(g, role_id)
        body = rec.json or {}
        for key in ("name", "hoist", "mentionable"):
            if key in body:
                setattr(role, key, body[key])
        if "permissions" in body:
            role.permissions = int(body["permissions"])
        if "color" in body:
            role.color = int(body["color"] or 0)
        self._dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(g.id), "role": role.to_payload()},
            g.id,
            Intents.GUILDS,
        )
        return role.to_payload()

    @route("DELETE", rf"/guilds/{ID}/roles/{ID}")
    def delete_role(self, rec: RecordedRequest, guild_id: str, role_id: str) -> Any:
        g = self._guild(guild_id)
        role = self._editable_role(g, role_id)
        if role.id == g.id or role.managed:
            raise ApiError(400, 50028, "Invalid Role")
        self.fake._remove_role(g.id, role.id)

    @route("GET", rf"/guilds/{ID}/members/search")
    def search_members(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        q = (rec.query.get("query") or "").lower()
        limit = max(1, min(1000, int(rec.query.get("limit", 1))))
        w = self.world
        out = []
        for uid, m in g.members.items():
            u = w.users[uid]
            names = [u.username, u.global_name or "", m.nick or ""]
            if any(n.lower().startswith(q) for n in names):
                out.append(w.member_payload(g.id, uid))
                if len(out) >= limit:
                    break
        return out

    @route("GET", rf"/guilds/{ID}/members")
    def list_members(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        limit = max(1, min(1000, int(rec.query.get("limit", 1))))
        after = int(rec.query.get("after", 0))
        ids = sorted(u for u in g.members if u > after)[:limit]
        return [self.world.member_payload(g.id, u) for u in ids]

    @route("GET", rf"/guilds/{ID}/members/{ID}")
    def get_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Any:
        g = self._guild(guild_id)
        if int(user_id) not in g.members:
            raise unknown("Member", 10007)
        return self.world.member_payload(g.id, int(user_id))

    def _member_update_event(self, guild_id: int, user_id: int) -> None:
        data = self.world.member_payload(guild_id, user_id)
        data["guild_id"] = str(guild_id)
        self._dispatch("GUILD_MEMBER_UPDATE", data, guild_id, Intents.GUILD_MEMBERS)
        self.fake._changed()

    def _assignable(self, g: Any, role_id: int) -> FakeRole:
        role = g.roles.get(role_id)
        if role is None:
            raise unknown("Role", 10011)
        self._require_guild(g.id, P.MANAGE_ROLES)
        if role.managed or role.id == g.id:
            raise ApiError(400, 50028, "Invalid Role")
        w = self.world
        if g.owner_id != w.bot_user_id and role.position >= w.top_role_position(
            g.id, w.bot_user_id
        ):
            raise ApiError(*MISSING_PERMISSIONS)
        return role

    @route("PUT", rf"/guilds/{ID}/members/{ID}/roles/{ID}")
    def add_member_role(
        self, rec: RecordedRequest, guild_id: str, user_id: str, role_id: str
    ) -> Any:
        g = self._guild(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", 10007)
        role = self._assignable(g, int(role_id))
        if role.id not in m.roles:
            m.roles.append(role.id)
            self._member_update_event(g.id, m.user_id)
        return None

    @route("DELETE", rf"/guilds/{ID}/members/{ID}/roles/{ID}")
    def remove_member_role(
        self, rec: RecordedRequest, guild_id: str, user_id: str, role_id: str
    ) -> Any:
        g = self._guild(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", 10007)
        role = self._assignable(g, int(role_id))
        if role.id in m.roles:
            m.roles.remove(role.id)
            self._member_update_event(g.id, m.user_id)
        return None

    @route("PATCH", rf"/guilds/{ID}/members/{ID}")
    def edit_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Any:
        g = self._guild(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", 10007)
        body = rec.json or {}
        if "roles" in body:
            new = [int(r) for r in body["roles"] or []]
            changed = set(new) ^ set(m.roles)
            for rid in changed:
                self._assignable(g, rid)
            m.roles = new
        if "nick" in body:
            self._require_guild(g.id, P.MANAGE_NICKNAMES)
            m.nick = body["nick"]
        self._member_update_event(g.id, m.user_id)
        return self.world.member_payload(g.id, m.user_id)

    @route("DELETE", rf"/guilds/{ID}/members/{ID}")
    def kick_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Any:
        g = self._guild(guild_id)
        if int(user_id) not in g.members:
            raise unknown("Member", 10007)
        self._require_guild(g.id, P.KICK_MEMBERS)
        self.fake._remove_member(g.id, int(user_id))

    # ----- threads -----------------------------------------------------------------------
    def _thread_parent(self, channel_id: str) -> FakeChannel:
        ch = self._channel(channel_id)
        if ch.type not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return ch

    def _make_thread(
        self,
        rec: RecordedRequest,
        parent: FakeChannel,
        body: dict[str, Any],
        *,
        thread_type: int,
        thread_id: int | None = None,
    ) -> FakeChannel:
        problems: list[limits.Problem] = []
        limits._len_between(("name",), body.get("name"), 1, 100, problems)
        duration = body.get("auto_archive_duration") or 4320
        if duration not in (60, 1440, 4320, 10080):
            problems.append(
                limits.Problem(
                    ("auto_archive_duration",),
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {60, 1440, 4320, 10080}.",
                )
            )
        if problems:
            raise self._invalid(rec, problems)
        need = (
            P.CREATE_PRIVATE_THREADS
            if thread_type == ChannelType.PRIVATE_THREAD
            else (P.CREATE_PUBLIC_THREADS)
        )
        self._require(parent, need)
        w = self.world
        tid = thread_id if thread_id is not None else w.snowflakes.next()
        assert parent.guild_id is not None
        th = FakeChannel(
            id=tid,
            type=thread_type,
            name=body["name"],
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=w.bot_user_id,
            invitable=bool(body.get("invitable", True)),
            auto_archive_duration=duration,
            thread_member_ids=[w.bot_user_id],
        )
        w.channels[tid] = th
        w.guilds[parent.guild_id].channel_ids.append(tid)
        data = w.channel_payload(tid)
        data["newly_created"] = True
        data["member"] = {
            "id": str(tid),
            "user_id": str(w.bot_user_id),
            "join_timestamp": iso(),
            "flags": 0,
        }
        self._dispatch("THREAD_CREATE", data, parent.guild_id, Intents.GUILDS)
        self.fake._changed()
        return th

    @route("POST", rf"/channels/{ID}/threads")
    def create_thread(self, rec: RecordedRequest, channel_id: str) -> Any:
        parent = self._thread_parent(channel_id)
        body = rec.json or {}
        ttype = int(body.get("type") or ChannelType.PRIVATE_THREAD)
        if ttype not in (
            ChannelType.PUBLIC_THREAD,
            ChannelType.PRIVATE_THREAD,
            ChannelType.ANNOUNCEMENT_THREAD,
        ):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        th = self._make_thread(rec, parent, body, thread_type=ttype)
        return 201, self.world.channel_payload(th.id)

    @route("POST", rf"/channels/{ID}/messages/{ID}/threads")
    def create_thread_from_message(
        self, rec: RecordedRequest, channel_id: str, message_id: str
    ) -> Any:
        parent = self._thread_parent(channel_id)
        msg = self._message(parent, message_id)
        if msg.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        th = self._make_thread(
            rec, parent, rec.json or {}, thread_type=ChannelType.PUBLIC_THREAD, thread_id=msg.id
        )
        msg.thread_id = th.id
        return 201, self.world.channel_payload(th.id)

    def _thread(self, channel_id: str) -> FakeChannel:
        th = self._channel(channel_id)
        if not th.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return th

    def _thread_members_event(self, th: FakeChannel, added: list[int], removed: list[int]) -> None:
        w = self.world
        assert th.guild_id is not None
        data: dict[str, Any] = {
            "id": str(th.id),
            "guild_id": str(th.guild_id),
            "member_count": min(50, len(th.thread_member_ids)),
        }
        if added:
            data["added_members"] = [
                {
                    "id": str(th.id),
                    "user_id": str(u),
                    "join_timestamp": iso(),
                    "flags": 0,
                    "member": w.member_payload(th.guild_id, u)
                    if u in w.guilds[th.guild_id].members
                    else None,
                }
                for u in added
            ]
        if removed:
            data["removed_member_ids"] = [str(u) for u in removed]
        self._dispatch("THREAD_MEMBERS_UPDATE", data, th.guild_id, Intents.GUILD_MEMBERS)
        self.fake._changed()

    @route("PUT", rf"/channels/{ID}/thread-members/(\d+|@me)")
    def add_thread_member(self, rec: RecordedRequest, channel_id: str, user_id: str) -> Any:
        th = self._thread(channel_id)
        w = self.world
        uid = w.bot_user_id if user_id == "@me" else int(user_id)
        assert th.guild_id is not None
        if uid not in w.guilds[th.guild_id].members:
            raise unknown("Member", 10007)
        if th.archived:
            raise ApiError(400, 50083, "Thread is archived")
        if uid != w.bot_user_id:
            self._require(th, P.SEND_MESSAGES_IN_THREADS)
            if th.type == ChannelType.PRIVATE_THREAD and w.bot_user_id not in th.thread_member_ids:
                self._require(th, P.MANAGE_THREADS)
        if uid not in th.thread_member_ids:
            th.thread_member_ids.append(uid)
            self._thread_members_event(th, [uid], [])
        return None

    @route("DELETE", rf"/channels/{ID}/thread-members/(\d+|@me)")
    def remove_thread_member(self, rec: RecordedRequest, channel_id: str, user_id: str) -> Any:
        th = self._thread(channel_id)
        w = self.world
        uid = w.bot_user_id if user_id == "@me" else int(user_id)
        if uid != w.bot_user_id and th.owner_id != w.bot_user_id:
            self._require(th, P.MANAGE_THREADS)
        if uid in th.thread_member_ids:
            th.thread_member_ids.remove(uid)
            self._thread_members_event(th, [], [uid])
        return None

    @route("GET", rf"/channels/{ID}/thread-members")
    def list_thread_members(self, rec: RecordedRequest, channel_id: str) -> Any:
        th = self._thread(channel_id)
        return [
            {"id": str(th.id), "user_id": str(u), "join_timestamp": iso(), "flags": 0}
            for u in th.thread_member_ids
        ]

    @route("GET", rf"/channels/{ID}/thread-members/{ID}")
    def get_thread_member(self, rec: RecordedRequest, channel_id: str, user_id: str) -> Any:
        th = self._thread(channel_id)
        if int(user_id) not in th.thread_member_ids:
            raise unknown("Member", 10007)
        return {"id": str(th.id), "user_id": user_id, "join_timestamp": iso(), "flags": 0}

    @route("GET", rf"/guilds/{ID}/threads/active")
    def active_threads(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        w = self.world
        threads = [c for c in w.threads(g.id) if not c.archived]
        return {
            "threads": [w.channel_payload(t.id) for t in threads],
            "members": [
                {
                    "id": str(t.id),
                    "user_id": str(w.bot_user_id),
                    "join_timestamp": iso(),
                    "flags": 0,
                }
                for t in threads
                if w.bot_user_id in t.thread_member_ids
            ],
        }

    @route("GET", rf"/channels/{ID}/users/@me/threads/archived/private")
    def joined_archived_private_threads(self, rec: RecordedRequest, channel_id: str) -> Any:
        parent = self._channel(channel_id)
        w = self.world
        threads = sorted(
            (
                c
                for c in w.threads(parent.guild_id)
                if c.archived
                and c.parent_id == parent.id
                and c.type == ChannelType.PRIVATE_THREAD
                and w.bot_user_id in c.thread_member_ids
            ),
            key=lambda c: -c.id,
        )
        return {
            "threads": [w.channel_payload(t.id) for t in threads],
            "members": [
                {
                    "id": str(t.id),
                    "user_id": str(w.bot_user_id),
                    "join_timestamp": iso(),
                    "flags": 0,
                }
                for t in threads
            ],
            "has_more": False,
        }

    # ----- scheduled events --------------------------------------------------------------
    def _event(self, g: Any, event_id: str) -> FakeScheduledEvent:
        ev = self.world.scheduled_events.get(int(event_id))
        if ev is None or ev.deleted or ev.guild_id != g.id:
            raise unknown("Guild Scheduled Event", 10070)
        return ev

    def _validate_event(
        self, rec: RecordedRequest, body: dict[str, Any], current: FakeScheduledEvent | None
    ) -> None:
        problems: list[limits.Problem] = []
        if current is None or "name" in body:
            limits._len_between(("name",), body.get("name"), 1, 100, problems)
        if body.get("description") is not None:
            limits._max_len(("description",), body["description"], 1000, problems)
        if "privacy_level" in body and body["privacy_level"] != 2:
            problems.append(
                limits.Problem(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
            )
        etype = body.get("entity_type", current.entity_type if current else None)
        if etype not in (1, 2, 3):
            problems.append(
                limits.Problem(
                    ("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}."
                )
            )
        start_raw = body.get(
            "scheduled_start_time", current.scheduled_start_time if current else None
        )
        end_raw = body.get("scheduled_end_time", current.scheduled_end_time if current else None)
        if start_raw is None:
            problems.append(
                limits.Problem(
                    ("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required"
                )
            )
        else:
            start = _parse_time(start_raw, "scheduled_start_time")
            if "scheduled_start_time" in body and start.timestamp() < time.time() - 1:
                problems.append(
                    limits.Problem(
                        ("scheduled_start_time",),
                        "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                        "Cannot schedule event in the past.",
                    )
                )
            if end_raw is not None:
                end = _parse_time(end_raw, "scheduled_end_time")
                if end <= start:
                    problems.append(
                        limits.Problem(
                            ("scheduled_end_time",),
                            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                            "End time must be after start time.",
                        )
                    )
        if etype == 3:
            meta = (
                body.get("entity_metadata")
                if "entity_metadata" in body
                else ({"location": current.location} if current else None)
            )
            loc = (meta or {}).get("location")
            limits._len_between(("entity_metadata", "location"), loc, 1, 100, problems)
            if end_raw is None:
                problems.append(
                    limits.Problem(
                        ("scheduled_end_time",),
                        "BASE_TYPE_REQUIRED",
                        "This field is required for external events.",
                    )
                )
            if body.get("channel_id"):
                problems.append(
                    limits.Problem(
                        ("channel_id",),
                        "BASE_TYPE_BAD_VALUE",
                        "External events cannot have a channel.",
                    )
                )
        elif etype in (1, 2):
            cid = body.get("channel_id", current.channel_id if current else None)
            want = ChannelType.GUILD_STAGE_VOICE if etype == 1 else ChannelType.GUILD_VOICE
            ch = self.world.channels.get(int(cid)) if cid else None
            if ch is None or ch.type != want:
                problems.append(
                    limits.Problem(
                        ("channel_id",), "BASE_TYPE_BAD_VALUE", "A voice/stage channel is required."
                    )
                )
        if problems:
            raise self._invalid(rec, problems)

    def _event_dispatch(self, event: str, ev: FakeScheduledEvent) -> None:
        self._dispatch(
            event,
            self.world.scheduled_event_payload(ev),
            ev.guild_id,
            Intents.GUILD_SCHEDULED_EVENTS,
        )
        self.fake._changed()

    @route("GET", rf"/guilds/{ID}/scheduled-events")
    def list_events(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        w = self.world
        return [
            w.scheduled_event_payload(w.scheduled_events[e])
            for e in g.scheduled_event_ids
            if not w.scheduled_events[e].deleted
        ]

    @route("POST", rf"/guilds/{ID}/scheduled-events")
    def create_event(self, rec: RecordedRequest, guild_id: str) -> Any:
        g = self._guild(guild_id)
        perms = self.world.base_permissions(g.id, self.world.bot_user_id)
        if not perms & (P.MANAGE_EVENTS | P.CREATE_EVENTS):
            raise ApiError(*MISSING_PERMISSIONS)
        body = rec.json or {}
        self._validate_event(rec, body, None)
        live = [e for e in g.scheduled_event_ids if not self.world.scheduled_events[e].deleted]
        if len(live) >= 100:
            raise ApiError(400, 30038, "Maximum number of guild scheduled events reached (100)")
        w = self.world
        ev = FakeScheduledEvent(
            id=w.snowflakes.next(),
            guild_id=g.id,
            name=body["name"],
            scheduled_start_time=body["scheduled_start_time"],
            scheduled_end_time=body.get("scheduled_end_time"),
            description=body.get("description"),
            creator_id=w.bot_user_id,
            entity_type=body["entity_type"],
            privacy_level=body.get("privacy_level", 2),
            channel_id=int(body["channel_id"]) if body.get("channel_id") else None,
            location=(body.get("entity_metadata") or {}).get("location"),
            image=body.get("image"),
            recurrence_rule=body.get("recurrence_rule"),
        )
        w.scheduled_events[ev.id] = ev
        g.scheduled_event_ids.append(ev.id)
        self._event_dispatch("GUILD_SCHEDULED_EVENT_CREATE", ev)
        return w.scheduled_event_payload(ev)

    @route("GET", rf"/guilds/{ID}/scheduled-events/{ID}")
    def get_event(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        return self.world.scheduled_event_payload(self._event(g, event_id))

    @route("PATCH", rf"/guilds/{ID}/scheduled-events/{ID}")
    def edit_event(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        ev = self._event(g, event_id)
        self._require_guild(g.id, 0)
        perms = self.world.base_permissions(g.id, self.world.bot_user_id)
        if not perms & P.MANAGE_EVENTS and ev.creator_id != self.world.bot_user_id:
            raise ApiError(*MISSING_PERMISSIONS)
        body = rec.json or {}
        self._validate_event(rec, body, ev)
        if "status" in body:
            new = body["status"]
            ok = {1: (2, 4), 2: (3,)}.get(ev.status, ())
            if new != ev.status and new not in ok:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "status": {
                            "_errors": [
                                {
                                    "code": "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                                    "message": f"Cannot go from {ev.status} to {new}.",
                                }
                            ]
                        }
                    },
                )
            ev.status = new
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "entity_type",
            "image",
            "recurrence_rule",
        ):
            if key in body:
                setattr(ev, key, body[key])
        if "channel_id" in body:
            ev.channel_id = int(body["channel_id"]) if body["channel_id"] else None
        if "entity_metadata" in body:
            ev.location = (body["entity_metadata"] or {}).get("location")
        self._event_dispatch("GUILD_SCHEDULED_EVENT_UPDATE", ev)
        return self.world.scheduled_event_payload(ev)

    @route("DELETE", rf"/guilds/{ID}/scheduled-events/{ID}")
    def delete_event(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        ev = self._event(g, event_id)
        perms = self.world.base_permissions(g.id, self.world.bot_user_id)
        if not perms & P.MANAGE_EVENTS and ev.creator_id != self.world.bot_user_id:
            raise ApiError(*MISSING_PERMISSIONS)
        ev.deleted = True
        self._event_dispatch("GUILD_SCHEDULED_EVENT_DELETE", ev)

    @route("GET", rf"/guilds/{ID}/scheduled-events/{ID}/users")
    def event_users(self, rec: RecordedRequest, guild_id: str, event_id: str) -> Any:
        g = self._guild(guild_id)
        ev = self._event(g, event_id)
        w = self.world
        return [
            {"guild_scheduled_event_id": str(ev.id), "user": w.user_payload(u)} for u in ev.user_ids
        ]

    # ----- interactions ------------------------------------------------------------------
    def _interaction(self, interaction_id: str, token: str) -> InteractionResult:
        rec = self.fake.interactions.get(int(interaction_id))
        if rec is None or rec.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        return rec

    @route("POST", rf"/interactions/{ID}/{TOKEN}/callback")
    def interaction_callback(self, rec: RecordedRequest, interaction_id: str, token: str) -> Any:
        inter = self._interaction(interaction_id, token)
        fake = self.fake
        now = time.monotonic()
        try:
            if inter.responded:
                raise ApiError(400, 40060, "Interaction has already been acknowledged.")
            deadline = fake.interaction_deadline
            if deadline is not None and now - inter.dispatched_at > deadline:
                fake.late_callbacks.append((inter, now - inter.dispatched_at))
                if fake.enforce_deadline:
                    raise ApiError(404, 10062, "Unknown interaction")
            return self._callback(rec, inter)
        except ApiError as err:
            inter.rejected.append((now, err.status, f"{err.code} {err.message}"))
            raise

    def _callback(self, rec: RecordedRequest, inter: InteractionResult) -> Any:
        body = rec.json or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        if ctype not in ALLOWED_CALLBACKS.get(inter.interaction_type, ()):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                "message": f"Callback type {ctype} is not valid for "
                                f"interaction type {inter.interaction_type}.",
                            }
                        ]
                    }
                },
            )
        w = self.world
        ch = w.channels[inter.channel_id]
        msg: FakeMessage | None = None
        if ctype in (6, 7) and inter.source_message_id is None:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                                "message": "No message to update.",
                            }
                        ]
                    }
                },
            )
        if ctype == 4:
            msg = self._new_message(
                rec,
                data,
                ch,
                author_id=w.bot_user_id,
                allowed_flags=MessageFlags.EPHEMERAL
                | MessageFlags.SUPPRESS_EMBEDS
                | MessageFlags.SUPPRESS_NOTIFICATIONS
                | MessageFlags.IS_COMPONENTS_V2,
                prefix=("data",),
                interaction=inter,
                msg_type=20 if inter.interaction_type == 2 else 19,
            )
            inter.original_id = msg.id
        elif ctype == 5:
            msg = self._new_message(
                rec,
                {},
                ch,
                author_id=w.bot_user_id,
                allowed_flags=MessageFlags.EPHEMERAL,
                interaction=inter,
                force_flags=MessageFlags.LOADING
                | ((data.get("flags") or 0) & MessageFlags.EPHEMERAL),
                msg_type=20 if inter.interaction_type == 2 else 19,
            )
            inter.original_id = msg.id
        elif ctype == 6:
            inter.original_id = inter.source_message_id
        elif ctype == 7:
            target = w.messages.get(inter.source_message_id or 0)
            if target is None or target.deleted:
                raise unknown("Message", 10008)
            msg = self._edit_message(rec, target, data, ("data",))
            inter.original_id = target.id
        elif ctype == 8:
            problems = limits.check_choices(data.get("choices") or [])
            if problems:
                raise self._invalid(rec, problems, ("data",))
            inter.choices = list(data.get("choices") or [])
        elif ctype == 9:
            problems = limits.check_modal(data)
            if problems:
                raise self._invalid(rec, problems, ("data",))
            inter.modal = data
            self.fake.modals[data.get("custom_id", "")] = inter
        inter._on_callback(ctype, body)
        if msg is not None:
            self._dispatch_message("MESSAGE_CREATE" if ctype in (4, 5) else "MESSAGE_UPDATE", msg)
            self.fake._on_message(msg)
        self.fake._changed()
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return None
        resp: dict[str, Any] = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.interaction_type,
                "channel_id": str(inter.channel_id),
            }
        }
        if inter.guild_id is not None:
            resp["interaction"]["guild_id"] = str(inter.guild_id)
        if inter.original_id is not None:
            m = w.messages[inter.original_id]
            resp["interaction"]["response_message_id"] = str(m.id)
            resp["interaction"]["response_message_loading"] = ctype == 5
            resp["interaction"]["response_message_ephemeral"] = m.ephemeral
            if ctype in (4, 5, 7):
                resp["resource"] = {"type": ctype, "message": w.message_payload(m)}
        return resp

    def _webhook_interaction(self, app_id: str, token: str) -> InteractionResult:
        if int(app_id) != self.world.application.id:
            raise unknown("Webhook", 10015)
        inter = self.fake.interactions_by_token.get(token)
        if inter is None or not inter.responded:
            raise unknown("Webhook", 10015)
        return inter

    def _webhook_message(self, inter: InteractionResult, message_id: str) -> FakeMessage:
        if message_id == "@original":
            mid = inter.original_id
        else:
            mid = int(message_id)
            if mid != inter.original_id and mid not in inter.followup_ids:
                raise unknown("Message", 10008)
        msg = self.world.messages.get(mid or 0)
        if msg is None or msg.deleted:
            raise unknown("Message", 10008)
        return msg

    @route("POST", rf"/webhooks/{ID}/{TOKEN}")
    def followup(self, rec: RecordedRequest, app_id: str, token: str) -> Any:
        inter = self._webhook_interaction(app_id, token)
        w = self.world
        payload = rec.json or {}
        original = w.messages.get(inter.original_id or 0)
        if inter.type == 5 and original is not None and original.loading and not original.deleted:
            # The first follow-up after a "thinking" defer replaces the loading message.
            msg = self._edit_message(rec, original, payload)
            event = "MESSAGE_UPDATE"
        else:
            ch = w.channels[inter.channel_id]
            msg = self._new_message(
                rec,
                payload,
                ch,
                author_id=w.bot_user_id,
                allowed_flags=MessageFlags.EPHEMERAL
                | MessageFlags.SUPPRESS_EMBEDS
                | MessageFlags.SUPPRESS_NOTIFICATIONS
                | MessageFlags.IS_COMPONENTS_V2,
                interaction=inter,
            )
            inter.followup_ids.append(msg.id)
            event = "MESSAGE_CREATE"
        inter.touched = True
        inter._on_update()
        self._dispatch_message(event, msg)
        self.fake._on_message(msg)
        if rec.query.get("wait") in ("1", "true", "True"):
            return w.message_payload(msg)
        return None

    @route("GET", rf"/webhooks/{ID}/{TOKEN}/messages/(\d+|@original)")
    def get_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> Any:
        inter = self._webhook_interaction(app_id, token)
        return self.world.message_payload(self._webhook_message(inter, message_id))

    @route("PATCH", rf"/webhooks/{ID}/{TOKEN}/messages/(\d+|@original)")
    def edit_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> Any:
        inter = self._webhook_interaction(app_id, token)
        msg = self._webhook_message(inter, message_id)
        self._edit_message(rec, msg, rec.json or {})
        inter.touched = True
        inter._on_update()
        self._dispatch_message("MESSAGE_UPDATE", msg)
        self.fake._on_message(msg)
        return self.world.message_payload(msg)

    @route("DELETE", rf"/webhooks/{ID}/{TOKEN}/messages/(\d+|@original)")
    def delete_webhook_message(
        self, rec: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> Any:
        inter = self._webhook_interaction(app_id, token)
        msg = self._webhook_message(inter, message_id)
        self.fake._delete_message(msg)
        inter.touched = True
        inter._on_update()
        return None
