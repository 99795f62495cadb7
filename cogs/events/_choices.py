"""Autocomplete shared by every /event command that names an event."""

from __future__ import annotations

import discord
from discord import app_commands

from cogs._common import is_organizer


async def event_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The guild's events (upcoming first): `Title · City · date` → the event's id."""
    if interaction.guild_id is None:
        return []
    events = interaction.client.events  # type: ignore[attr-defined]
    pairs = await events.autocomplete(interaction.guild_id, current)
    return [app_commands.Choice(name=name, value=value) for name, value in pairs]


async def organizer_event_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The same, for organizer-only commands: nothing for members (whose command will be
    refused anyway), so organizer views never answer them, not even with a list."""
    if not await is_organizer(interaction):
        return []
    return await event_choices(interaction, current)
