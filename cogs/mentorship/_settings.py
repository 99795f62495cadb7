"""The mentorship part of /settings (mixed into SettingsCog, which owns the group)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from cogs._common import organizer_only, reply

if TYPE_CHECKING:
    from cogs._app import CommunityBot


class MentorshipSettings:
    bot: CommunityBot

    @app_commands.command(name="mentorship-schedule", description="When matching rounds run")
    @app_commands.describe(
        schedule="daily 10:00, weekly mon,thu 18:00 or a cron expression (server time zone)"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def mentorship_schedule(self, interaction: discord.Interaction, schedule: str) -> None:
        assert interaction.guild is not None
        settings = await self.bot.mentorship.set_schedule(interaction.guild.id, schedule)
        cog: Any = self.bot.get_cog("Mentorship")
        await cog.notices.reschedule_round(interaction.guild.id)
        await reply(interaction, f"Matching rounds run {settings.schedule_description}.")

    @app_commands.command(
        name="mentorship-channel", description="Where matched pairs get a private thread"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def mentorship_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        assert interaction.guild is not None
        await self.bot.mentorship.set_channel(interaction.guild.id, channel.id)
        await reply(
            interaction,
            f"New pairs get a private thread in {channel.mention} (I need Create Private "
            "Threads there).",
        )

    @app_commands.command(name="language-add", description="A language mentors and mentees use")
    @app_commands.guild_only()
    @organizer_only()
    async def language_add(self, interaction: discord.Interaction, name: str) -> None:
        assert interaction.guild is not None
        added = await self.bot.mentorship.add_language(interaction.guild.id, name)
        await reply(interaction, f"Added **{added}** to the languages members can pick.")
