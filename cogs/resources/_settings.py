"""The resources' part of /settings (mixed into SettingsCog, which owns the group).

The work is the feature's: reached with `bot.features.get(ResourcesFeature)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.i18n import _
from cogs._common import (
    bot_of,
    check_power_role,
    guild_of,
    manage_server_only,
    organizer_only,
    reply,
)
from cogs.resources._feature import ResourcesFeature

if TYPE_CHECKING:
    from cogs._app import CommunityBot


class ResourceSettings:
    bot: CommunityBot

    @app_commands.command(name="topic-add", description="Add a topic for learning resources")
    @app_commands.describe(name="Up to 50 characters, e.g. Reinforcement Learning")
    @app_commands.guild_only()
    @organizer_only()
    async def topic_add(self, interaction: discord.Interaction, name: str) -> None:
        taxonomy = bot_of(interaction).features.get(ResourcesFeature).resources.taxonomy
        topic = await taxonomy.add_topic(guild_of(interaction).id, name, interaction.user.id)
        await reply(
            interaction, _("Added the topic **{topic}**; resources can now use it.", topic=topic)
        )

    @app_commands.command(name="feed-interval", description="How often resource feeds are checked")
    @app_commands.describe(minutes="Minutes between checks: at least 10 (default 30)")
    @app_commands.guild_only()
    @organizer_only()
    async def feed_interval(self, interaction: discord.Interaction, minutes: int) -> None:
        feature = bot_of(interaction).features.get(ResourcesFeature)
        done = await feature.set_feed_interval(guild_of(interaction).id, minutes)
        await reply(interaction, _("Feeds are now checked every {n} minutes.", n=done))

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
        guild = guild_of(interaction)
        if role is None:
            await self.bot.guild_settings.set_curator_role(guild.id, None)
            await reply(
                interaction,
                _(
                    "There is no curator role now: only organizers add resources directly; "
                    "everyone else's links go to the review queue."
                ),
            )
            return
        check_power_role(role, _("curator"))
        await self.bot.guild_settings.set_curator_role(guild.id, role.id)
        await reply(
            interaction,
            _(
                "Members with {role} now add resources to the library directly "
                "(except links the organizers declined); everyone else's go to the review queue.",
                role=role.mention,
            ),
        )
