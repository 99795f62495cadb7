"""When a channel or role the bot relies on is deleted: the guild settings and every
loaded feature clear their references to it (the Feature protocol), the organizers are
told in their own channel (bot/organizer_notices.py), and everything carries on."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot import organizer_notices
from bot.i18n import N_, _, speaking
from cogs._app import CommunityBot

log = logging.getLogger(__name__)

DELETED = N_("{what} was deleted, so I cleared {cleared}.")


class CleanupCog(commands.Cog, name="Cleanup"):
    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        guild_id = channel.guild.id
        # What was cleared is said in the notice, so in the organizers' (server's) language.
        with speaking(await self.bot.languages.of_server(guild_id)):
            cleared = await self.bot.guild_settings.forget_channel(guild_id, channel.id)
            for feature in self.bot.features:
                cleared += await feature.forget_channel(guild_id, channel.id)
            await self._tell(channel.guild, f"#{channel.name}", cleared)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        guild_id = role.guild.id
        with speaking(await self.bot.languages.of_server(guild_id)):
            cleared = await self.bot.guild_settings.forget_role(guild_id, role.id)
            for feature in self.bot.features:
                cleared += await feature.forget_role(guild_id, role.id)
            await self._tell(role.guild, f"@{role.name}", cleared)

    async def _tell(self, guild: discord.Guild, what: str, cleared: list[str]) -> None:
        """Organizers hear of it in their own channel (it waits until one is set)."""
        if not cleared:
            return
        log.warning(
            "%s was deleted in guild %s; cleared %d setting(s)", what, guild.id, len(cleared)
        )
        await organizer_notices.notify(
            self.bot.db,
            guild.id,
            DELETED,
            params={"what": what, "cleared": _("; ").join(cleared)},
        )
        self.bot.delivery.kick()


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(CleanupCog(bot))
