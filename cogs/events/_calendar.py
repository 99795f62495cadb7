"""Calendar subscriptions (issue 15): /event calendar gives a member their personal feed
link (mixed into EventsCog, which owns the /event group), and GET /calendar/{token}.ics
serves it (bot/events/calendar_feed.py writes it, calendar_links.py signs the links).

The feed shows one member's RSVPs, so it opens only through a good link of theirs, and
only while they are in the server: a member who left (or whose data was deleted, which
resets their link generation) gets the plain 403, like any bad link. The feed is written
in the language of the member the link was made for (their choice, else the server's).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import discord
from aiohttp import web
from discord import app_commands
from discord.utils import format_dt

from bot.events.calendar_feed import calendar_name, feed_ics
from bot.events.calendar_links import VALID_DAYS, CalendarLinks, feed_path, webcal
from bot.i18n import N_, _, speaking
from bot.languages import Languages
from bot.web.links import BadLink
from cogs._common import bot_of, guild_of, reply
from cogs.events._embeds import utc
from cogs.web._server import forbidden, plain

if TYPE_CHECKING:
    from bot.events import EventService
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)

NO_WEB = N_(
    "Calendar links need the bot's web server, which is off here: an organizer must set "
    "WEB_PORT and PUBLIC_URL (see the README's Web section)."
)


async def city_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    names = await bot_of(interaction).guild_settings.search_cities(interaction.guild_id, current)
    return [app_commands.Choice(name=n, value=n) for n in names]


def calendar_links(bot: CommunityBot) -> CalendarLinks:
    return CalendarLinks(bot.web.signer, bot.web.revocations)


class CalendarCommands:
    """/event calendar; EventsCog inherits it."""

    bot: CommunityBot

    # A command on a mixin of the group's cog: see /event ticket (_door.py).
    @app_commands.command(  # type: ignore[type-var]
        name="calendar", description="Your own calendar link: every event, kept up to date"
    )
    @app_commands.describe(
        city="Only this city's events (default: all of this server's)",
        reset="Make a new link and stop every earlier one (if you shared it by mistake)",
    )
    @app_commands.autocomplete(city=city_choices)
    @app_commands.guild_only()
    async def calendar(
        self, interaction: discord.Interaction, city: str | None = None, reset: bool = False
    ) -> None:
        guild = guild_of(interaction)
        if not self.bot.web.enabled:
            await reply(interaction, _(NO_WEB))
            return
        name = None
        if city is not None and city.strip():
            name = (await self.bot.guild_settings.city(guild.id, city)).name
        link = await calendar_links(self.bot).make(guild.id, interaction.user.id, name, reset=reset)
        https = self.bot.web.url(feed_path(link.token))
        until = format_dt(utc(link.expires_at or 0), "D")
        if name:
            intro = _(
                "Your own calendar of **{city}** events, with your RSVPs, kept up to date:",
                city=name,
            )
        else:
            intro = _(
                "Your own calendar of every event of this server, with your RSVPs, kept up to date:"
            )
        if reset:
            intro = _("Your earlier calendar links no longer work.") + " " + intro
        how = _(
            "Google Calendar: Settings → Add calendar → From URL, and paste the https link. "
            "Apple Calendar or Outlook: open the webcal link."
        )
        keep = _(
            "It works for {days} days (until {until}). It shows your RSVPs, so keep it to "
            "yourself; `/event calendar reset:True` makes a new one and stops this one.",
            days=VALID_DAYS,
            until=until,
        )
        text = f"{intro}\n{webcal(https)}\n<{https}>\n{how}\n{keep}"
        await reply(interaction, text)


class CalendarFeedPage:
    """GET /calendar/{token}.ics: the member's feed, or the plain 403 and nothing else."""

    def __init__(
        self, bot: CommunityBot, events: EventService, languages: Languages | None = None
    ) -> None:
        self.bot = bot
        self.events = events
        # The feed is written in the language of the member its link was made for.
        self.languages = languages if languages is not None else Languages(events.store.db)

    async def get(self, request: web.Request) -> web.StreamResponse:
        try:
            link = await calendar_links(self.bot).open(request.match_info["token"])
        except BadLink as exc:  # why, for the log; never the token
            log.info("calendar link refused: %s", exc)
            return forbidden()
        language = await self.languages.of_member(link.guild_id, link.user_id)
        if not self.bot.is_ready():  # the member list isn't known yet: don't guess
            with speaking(language):
                return plain(503, _("Starting up: try again in a minute."))
        if not await self._still_member(link.guild_id, link.user_id):
            log.info("calendar link refused: not a member of the server now")
            return forbidden()
        entries = await self.events.calendar.entries(link.guild_id, link.user_id, link.city)
        with speaking(language):
            server = await self._server_name(link.guild_id)
            body = feed_ics(calendar_name(server, link.city), entries, time.time())
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Content-Disposition": 'inline; filename="events.ics"'},
        )

    async def _still_member(self, guild_id: int, user_id: int) -> bool:
        """From the cache when this process runs the guild's shard; else asked of Discord
        (the web is served by shard 0's process only)."""
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.get_member(user_id) is not None
        if self.bot.scope.owns(guild_id):
            return False  # ours, and not in the cache: the bot has left it
        try:
            await self.bot.http.get_member(guild_id, user_id)
        except (discord.NotFound, discord.Forbidden):
            return False
        return True

    async def _server_name(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        if guild is not None:
            return guild.name
        return await self.bot.guild_settings.name(guild_id) or _("Discord server")


def add_calendar_route(
    bot: CommunityBot, events: EventService, languages: Languages | None = None
) -> None:
    page = CalendarFeedPage(bot, events, languages)
    bot.web.add_route("GET", "/calendar/{token}.ics", page.get)
