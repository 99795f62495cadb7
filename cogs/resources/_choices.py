"""Autocomplete for the /resource options: topics, levels, resources and feeds.

Feeds are organizer business: their choices go to organizers only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.resources import LEVELS
from cogs._common import is_organizer, truncate

if TYPE_CHECKING:
    from cogs.resources._cog import ResourcesCog

Choices = list[app_commands.Choice[str]]


def _cog(interaction: discord.Interaction) -> ResourcesCog | None:
    return interaction.client.get_cog("Resources")  # type: ignore[attr-defined, return-value]


async def topic_choices(interaction: discord.Interaction, current: str) -> Choices:
    cog = _cog(interaction)
    if cog is None or interaction.guild_id is None:
        return []
    names = await cog.resources.taxonomy.search_topics(interaction.guild_id, current)
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]


async def level_choices(interaction: discord.Interaction, current: str) -> Choices:
    key = (current or "").strip().casefold()
    return [
        app_commands.Choice(name=lv.capitalize(), value=lv) for lv in LEVELS if not key or key in lv
    ]


async def resource_choices(interaction: discord.Interaction, current: str) -> Choices:
    cog = _cog(interaction)
    if cog is None or interaction.guild_id is None:
        return []
    pairs = await cog.resources.autocomplete(interaction.guild_id, current)
    return [
        app_commands.Choice(name=truncate(f"{title} (#{rid})", 100), value=str(rid))
        for rid, title in pairs
    ]


async def feed_choices(interaction: discord.Interaction, current: str) -> Choices:
    """Organizers only (a member gets no choices): the feed's id, title and channel,
    never its address, which can carry a secret in its query string."""
    cog = _cog(interaction)
    guild = interaction.guild
    if cog is None or guild is None or not await is_organizer(interaction):
        return []
    feeds = {f.id: f for f in await cog.feeds.list_feeds(guild.id)}
    out: Choices = []
    for feed_id, label in await cog.feeds.autocomplete(guild.id, current):
        feed = feeds.get(feed_id)
        channel = guild.get_channel(feed.channel_id) if feed else None
        where = truncate(f" → #{channel.name}", 40) if channel else ""
        head = f"#{feed_id} "
        name = head + truncate(label, 100 - len(head) - len(where)) + where
        out.append(app_commands.Choice(name=name, value=str(feed_id)))
    return out
