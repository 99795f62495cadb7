"""The web side (issue 15): the server core is `bot.web` (_server.py, built with the bot);
this package's setup adds what every deployment serves: /healthz and /metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cogs._app imports cogs.web._server, so not at run time
    from cogs._app import CommunityBot


async def setup(bot: CommunityBot) -> None:
    """Nothing yet: health and metrics are added here."""
