"""The resources' part of /settings (mixed into SettingsCog, which owns the group)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.resources import Taxonomy
from cogs._common import check_power_role, manage_server_only, organizer_only, reply

if TYPE_CHECKING:
    from cogs._app import CommunityBot


class ResourceSettings:
    bot: CommunityBot

    @app_commands.command(name="topic-add", description="Add a topic for learning resources")
    @app_commands.describe(name="Up to 50 characters, e.g. Reinforcement Learning")
    @app_commands.guild_only()
    @organizer_only()
    async def topic_add(self, interaction: discord.Interaction, name: str) -> None:
        assert interaction.guild is not None
        topic = await Taxonomy(self.bot.db).add_topic(
            interaction.guild.id, name, interaction.user.id
        )
        await reply(interaction, f"Added the topic **{topic}**; resources can now use it.")

    @app_commands.command(name="feed-interval", description="How often resource feeds are checked")
    @app_commands.describe(minutes="Minutes between checks: at least 10 (default 30)")
    @app_commands.guild_only()
    @organizer_only()
    async def feed_interval(self, interaction: discord.Interaction, minutes: int) -> None:
        assert interaction.guild is not None
        done = await Taxonomy(self.bot.db).set_feed_interval(interaction.guild.id, minutes)
        await reply(interaction, f"Feeds are now checked every {done} minutes.")

    @app_commands.command(
        name="curator-role", description="Who may add resources to the library without review"
    )
    @app_commands.describe(
        role="Members with this role add resources directly (leave out: only organizers do)"
    )
    @app_commands.guild_only()
    @manage_server_only()
    async def curator_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        assert interaction.guild is not None
        if role is None:
            await self.bot.guild_settings.set_curator_role(interaction.guild.id, None)
            await reply(
                interaction,
                "There is no curator role now: only organizers add resources directly; "
                "everyone else's links go to the review queue.",
            )
            return
        check_power_role(role, "curator")
        await self.bot.guild_settings.set_curator_role(interaction.guild.id, role.id)
        await reply(
            interaction,
            f"Members with {role.mention} now add resources to the library directly "
            "(except links the organizers declined); everyone else's go to the review queue.",
        )
