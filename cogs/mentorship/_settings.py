"""The mentorship part of /settings (mixed into SettingsCog, which owns the group); the
work is MentorshipFeature's, found through `bot.features`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.i18n import _
from cogs._common import guild_of, organizer_only, reply
from cogs.mentorship._feature import MentorshipFeature

if TYPE_CHECKING:
    from cogs._app import CommunityBot


class MentorshipSettings:
    bot: CommunityBot

    def _mentorship(self) -> MentorshipFeature:
        return self.bot.features.get(MentorshipFeature)

    @app_commands.command(name="mentorship-schedule", description="When matching rounds run")
    @app_commands.describe(
        schedule="daily 10:00, weekly mon,thu 18:00 or a cron expression (server time zone)"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def mentorship_schedule(self, interaction: discord.Interaction, schedule: str) -> None:
        settings = await self._mentorship().set_schedule(guild_of(interaction).id, schedule)
        await reply(
            interaction,
            _("Matching rounds run {schedule}.", schedule=settings.schedule_description),
        )

    @app_commands.command(
        name="mentorship-channel", description="Where matched pairs get a private thread"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def mentorship_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        config = self._mentorship().service.config
        await config.set_channel(guild_of(interaction).id, channel.id)
        await reply(
            interaction,
            _(
                "New pairs get a private thread in {channel} (I need Create Private "
                "Threads there).",
                channel=channel.mention,
            ),
        )

    @app_commands.command(name="language-add", description="A language mentors and mentees use")
    @app_commands.guild_only()
    @organizer_only()
    async def language_add(self, interaction: discord.Interaction, name: str) -> None:
        config = self._mentorship().service.config
        added = await config.add_language(guild_of(interaction).id, name)
        await reply(
            interaction, _("Added **{name}** to the languages members can pick.", name=added)
        )
