"""Naming an event in a command: the option's help text and its autocomplete."""

from __future__ import annotations

import discord
from discord import app_commands

from cogs._common import bot_of, is_organizer
from cogs.events._feature import EventsFeature

EVENT_HELP = "The event: pick one from the list, or type its number"


async def event_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The guild's events (upcoming first): `Title · City · date` → the event's id."""
    if interaction.guild_id is None:
        return []
    feature = bot_of(interaction).features.get(EventsFeature)
    pairs = await feature.choices(interaction.guild_id, current)
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


async def organizer_event_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The same, for organizer-only commands: nothing for members (whose command will be
    refused anyway), so organizer views never answer them, not even with a list."""
    if not await is_organizer(interaction):
        return []
    return await event_choices(interaction, current)
