"""Speaking each member's language (bot/i18n.py) where Discord hands the bot a member.

`speak(interaction)` is called before any command, autocomplete, context menu, button,
select or form of the bot runs (CommunityTree, BaseView, SpokenItem, Forms): from then
on `_()` in that task answers in the member's language. A message for someone else —
a public post, another member's DM — is rendered inside `speaking(...)` with
`bot.languages.of_server(...)` or `of_member(...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n

if TYPE_CHECKING:
    from cogs._app import CommunityBot


async def language_of(interaction: discord.Interaction) -> str:
    """The language the member who acted reads: their choice here, else the server's."""
    bot: CommunityBot = interaction.client  # type: ignore[assignment]
    return await bot.languages.of_member(interaction.guild_id, interaction.user.id)


async def speak(interaction: discord.Interaction) -> str:
    """Answer this interaction (the rest of its task) in the member's language."""
    language = await language_of(interaction)
    i18n.use(language)
    return language


class SpokenItem:
    """Mixed into a DynamicItem: its callback runs in the clicking member's language."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        await speak(interaction)
        return True
