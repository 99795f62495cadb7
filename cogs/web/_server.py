"""The bot's own small web server (aiohttp's): routes, security headers, start and stop.

`bot.web` is built in CommunityBot's `__init__`, so each feature's `setup(bot)` adds its
routes before the server starts (after every cog loaded, in `setup_hook`, only with
WEB_PORT set and only in the process running shard 0). Pages that show member data are
reached only through links signed by `bot.web.signer` (bot/web/links.py); a bad link
gets `forbidden()` and nothing else.

No access log: a request line holds the signed link, and a link is a key.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.config import ConfigError, Settings
from bot.db import Database
from bot.web import secret as web_secret
from bot.web.links import LinkRevocations, LinkSigner

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FORBIDDEN_TEXT = "This link is not valid. Ask the bot for a new one."
# Scripts only from the bot itself (a page with inline script adds its nonce with
# `content_security_policy(nonce)`); no plugins, frames, or forms posting elsewhere.
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The door page sets `Permissions-Policy: camera=(self)` on its own response.
DEFAULT_PERMISSIONS = "camera=(), microphone=(), geolocation=()"
HSTS = "max-age=31536000"


def new_nonce() -> str:
    """A fresh nonce for one response's inline script."""
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str | None = None) -> str:
    """The default policy, allowing the inline scripts that carry `nonce` if given."""
    if nonce is None:
        return DEFAULT_CSP
    return f"{DEFAULT_CSP}; script-src 'self' 'nonce-{nonce}'"


def plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain", charset="utf-8")


def forbidden() -> web.Response:
    """The one answer to a wrong, expired, revoked or tampered link: never why."""
    return plain(403, FORBIDDEN_TEXT)


def security_headers(*, hsts: bool) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware: the headers every response carries (a handler may set its own CSP,
    Permissions-Policy or Cache-Control first), plain-text errors, and no tracebacks."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:  # a redirect a handler raised: keep it, add the headers
                _add_headers(exc, hsts)
                raise
            response = plain(exc.status, f"{exc.reason}.")
            if exc.status == 405 and "Allow" in exc.headers:
                response.headers["Allow"] = exc.headers["Allow"]
        except Exception:
            # The route's pattern, never the path: a path can hold a signed link.
            route = request.match_info.route.resource
            where = route.canonical if route is not None else "?"
            log.exception("web page failed: %s %s", request.method, where)
            response = plain(500, "Something went wrong.")
        _add_headers(response, hsts)
        return response

    return middleware


def _add_headers(response: web.StreamResponse, hsts: bool) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    headers.setdefault("Permissions-Policy", DEFAULT_PERMISSIONS)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")  # a signed link must not leak
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cache-Control", "no-store")  # member pages; a page may allow caching
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if hsts:
        headers.setdefault("Strict-Transport-Security", HSTS)


class WebServer:
    """`bot.web`: where features add routes, sign links and revoke them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.enabled = settings.web_port is not None
        self.signer = LinkSigner(self._secret())
        hsts = (settings.public_url or "").startswith("https://")
        self.app = web.Application(middlewares=[security_headers(hsts=hsts)])
        self._revocations: LinkRevocations | None = None
        self._runner: web.AppRunner | None = None

    def _secret(self) -> bytes:
        if self.settings.web_secret is not None:
            return self.settings.web_secret.get_secret_value().strip().encode("utf-8")
        if not self.enabled:  # no server, so no link anyone could open: nothing to keep
            return secrets.token_bytes(web_secret.SECRET_BYTES)
        return web_secret.load_or_create(self.settings.web_secret_path)

    def attach(self, db: Database) -> None:
        """The store is open: revocations can be read and made."""
        self._revocations = LinkRevocations(db)

    @property
    def revocations(self) -> LinkRevocations:
        if self._revocations is None:
            raise RuntimeError("bot.web.revocations is ready once the database is open")
        return self._revocations

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Serve `handler` at `path` (aiohttp's patterns: /door/{token}); before start."""
        self.app.router.add_route(method, path, handler)

    def url(self, path: str) -> str:
        """The absolute address of `path` as people reach it (PUBLIC_URL first)."""
        return self.settings.web_url + (path if path.startswith("/") else f"/{path}")

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Listen on WEB_HOST:WEB_PORT; a port that can't be used stops the bot with one line."""
        if not self.enabled or self._runner is not None:
            return
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        host, port = self.settings.web_host, self.settings.web_port
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(
                f"WEB_PORT {port} on WEB_HOST {host} can't be used ({exc.strerror or exc}): "
                "pick a free port or stop what uses it."
            ) from None
        self._runner = runner
        log.info("web server listening on %s:%s; links start %s", host, port, self.url("/"))

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
            log.info("web server stopped")
