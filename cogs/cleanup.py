"""When a channel or role the bot relies on is deleted: clear every reference to it,
tell the organizers in their own channel (bot/organizer_notices.py), and carry on."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot import organizer_notices
from bot.errors import DomainError
from cogs._app import CommunityBot

log = logging.getLogger(__name__)


class CleanupCog(commands.Cog, name="Cleanup"):
    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        guild_id = channel.guild.id
        cleared = await self.bot.guild_settings.forget_channel(guild_id, channel.id)
        cleared += await self.bot.events.forget_channel(guild_id, channel.id)
        cleared += await self.bot.mentorship.forget_channel(guild_id, channel.id)
        cleared += await self._forget_resource_channel(guild_id, channel.id)
        await self._tell(channel.guild, f"#{channel.name}", cleared)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        guild_id = role.guild.id
        cleared = await self.bot.guild_settings.forget_role(guild_id, role.id)
        cleared += await self.bot.events.forget_role(guild_id, role.id)
        await self._tell(role.guild, f"@{role.name}", cleared)

    async def _forget_resource_channel(self, guild_id: int, channel_id: int) -> list[str]:
        cog: Any = self.bot.get_cog("Resources")
        if cog is None:
            return []
        cleared: list[str] = []
        try:
            autopost = await cog.autoposts.stop(guild_id, channel_id)
            cog.jobs.cancel_autopost(autopost.id)
            cleared.append("the resource autopost schedule there")
        except DomainError:
            pass  # no schedule in that channel
        for feed in await cog.feeds.list_feeds(guild_id):
            if feed.channel_id == channel_id:
                await cog.feeds.remove_feed(guild_id, feed.id)
                cleared.append(f"the feed {feed.title or feed.url}")
        return cleared

    async def _tell(self, guild: discord.Guild, what: str, cleared: list[str]) -> None:
        """Organizers hear of it in their own channel (it waits until one is set)."""
        if not cleared:
            return
        log.warning("%s was deleted in guild %s; cleared: %s", what, guild.id, "; ".join(cleared))
        text = f"{what} was deleted, so I cleared " + "; ".join(cleared) + "."
        await organizer_notices.notify(self.bot.db, guild.id, text)
        self.bot.delivery.kick()


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(CleanupCog(bot))
