"""Autocomplete for the /resource options: topics, levels, resources and feeds.

Each reaches the feature's services through `bot.features.get(ResourcesFeature)`.
Feeds are organizer business: their choices go to organizers only."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.resources import LEVELS
from cogs._common import bot_of, is_organizer, truncate
from cogs.resources._embeds import level_text
from cogs.resources._feature import ResourcesFeature

Choices = list[app_commands.Choice[str]]


def _feature(interaction: discord.Interaction) -> ResourcesFeature:
    return bot_of(interaction).features.get(ResourcesFeature)


async def topic_choices(interaction: discord.Interaction, current: str) -> Choices:
    if interaction.guild_id is None:
        return []
    taxonomy = _feature(interaction).resources.taxonomy
    names = await taxonomy.search_topics(interaction.guild_id, current)
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]


async def level_choices(interaction: discord.Interaction, current: str) -> Choices:
    key = (current or "").strip().casefold()
    labels = {lv: level_text(lv) for lv in LEVELS}  # in the member's language
    return [
        app_commands.Choice(name=label, value=lv)
        for lv, label in labels.items()
        if not key or key in lv or key in label.casefold()
    ]


async def resource_choices(interaction: discord.Interaction, current: str) -> Choices:
    if interaction.guild_id is None:
        return []
    finder = _feature(interaction).resources.finder
    pairs = await finder.autocomplete(interaction.guild_id, current)
    return [
        app_commands.Choice(name=truncate(f"{title} (#{rid})", 100), value=str(rid))
        for rid, title in pairs
    ]


async def feed_choices(interaction: discord.Interaction, current: str) -> Choices:
    """Organizers only (a member gets no choices): the feed's id, title and channel,
    never its address, which can carry a secret in its query string."""
    guild = interaction.guild
    if guild is None or not await is_organizer(interaction):
        return []
    subscriptions = _feature(interaction).feeds.subscriptions
    feeds = {f.id: f for f in await subscriptions.in_guild(guild.id)}
    out: Choices = []
    for feed_id, label in await subscriptions.autocomplete(guild.id, current):
        feed = feeds.get(feed_id)
        channel = guild.get_channel(feed.channel_id) if feed else None
        where = truncate(f" → #{channel.name}", 40) if channel else ""
        head = f"#{feed_id} "
        name = head + truncate(label, 100 - len(head) - len(where)) + where
        out.append(app_commands.Choice(name=name, value=str(feed_id)))
    return out
