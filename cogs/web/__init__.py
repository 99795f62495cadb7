"""The web side (issue 15): the server core is `bot.web` (_server.py, built with the bot);
this package's setup adds what every deployment serves, /healthz and /metrics, and feeds
the metrics (bot.metrics, _metrics.py) from Discord's events."""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING

import discord
from aiohttp import web

from bot.web import health
from cogs.web._server import plain

if TYPE_CHECKING:  # cogs._app imports cogs.web._server, so not at run time
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)


def gateway_problem(bot: discord.AutoShardedClient) -> str | None:
    """Why the bot isn't connected to Discord's gateway, or None when every shard is."""
    if bot.is_closed():
        return "gateway: closed"
    if not bot.is_ready():
        return "gateway: not ready yet"
    down = []
    for shard_id, shard in sorted(bot.shards.items()):
        try:
            closed = shard.is_closed()
        except AttributeError:  # between connections discord.py has no socket at all
            closed = True
        if closed:
            down.append(str(shard_id))
    if down:
        return f"gateway: disconnected (shard {', '.join(down)})"
    return None


class CoreRoutes:
    """GET /healthz and GET /metrics: no link needed, no member data."""

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        token = bot.settings.metrics_token
        self.metrics_token = None if token is None else token.get_secret_value().strip()
        self._seen_ready: set[int] = set()

    async def healthz(self, request: web.Request) -> web.Response:
        bot = self.bot
        why = await health.problem(gateway_problem(bot), bot.scheduler, bot.db)
        if why is not None:
            return plain(503, why)
        return plain(200, "ok")

    async def metrics(self, request: web.Request) -> web.Response:
        if self.metrics_token is not None:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), self.metrics_token.encode()):
                response = plain(401, "Unauthorized.")
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
        body = await self.bot.metrics.render(self.bot.db)
        # prometheus_client's CONTENT_TYPE_LATEST, split as aiohttp wants it
        return web.Response(
            body=body,
            content_type="text/plain",
            charset="utf-8",
            headers={"X-Content-Type-Options": "nosniff"},
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.bot.metrics.interaction(interaction)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.bot.metrics.gateway_reconnects.inc()

    async def on_shard_ready(self, shard_id: int) -> None:
        if shard_id in self._seen_ready:  # a new session after the first: reconnected
            self.bot.metrics.gateway_reconnects.inc()
        self._seen_ready.add(shard_id)


async def setup(bot: CommunityBot) -> None:
    routes = CoreRoutes(bot)
    bot.web.add_route("GET", "/healthz", routes.healthz)
    bot.web.add_route("GET", "/metrics", routes.metrics)
    bot.add_listener(routes.on_interaction, "on_interaction")
    bot.add_listener(routes.on_shard_resumed, "on_shard_resumed")
    bot.add_listener(routes.on_shard_ready, "on_shard_ready")
    bot.db.on_transaction = bot.metrics.db_transaction.observe
