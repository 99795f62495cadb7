"""/language set: the language the bot speaks to this member (bot/languages.py)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.i18n import _
from cogs._app import CommunityBot
from cogs._common import guild_of, reply

CHOICES = [app_commands.Choice(name=label, value=code) for code, label in i18n.LANGUAGES.items()]


class LanguageCog(commands.GroupCog, group_name="language", description="Your language"):
    feature = i18n.N_("Language")

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="set", description="The language the bot speaks to you (English or Urdu)"
    )
    @app_commands.describe(language="Replies, DMs, buttons and forms follow it in this server")
    @app_commands.choices(language=CHOICES)
    @app_commands.guild_only()
    async def set(self, interaction: discord.Interaction, language: str) -> None:
        guild = guild_of(interaction)
        await self.bot.guild_settings.ensure(guild.id)
        code = await self.bot.languages.set_member(guild.id, interaction.user.id, language)
        i18n.use(code)  # the reply is already in the new language
        await reply(
            interaction,
            _(
                "From now on I'll speak {language} with you in this server: replies, DMs, "
                "buttons and forms. Event titles, bios and other text members write stay "
                "as they were written. `/language set` changes it again.",
                language=i18n.LANGUAGES[code],
            ),
        )


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(LanguageCog(bot))
