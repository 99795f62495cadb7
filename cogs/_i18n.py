"""Speaking each member's language (bot/i18n.py) where Discord hands the bot a member.

`speak(interaction)` is called before any command, autocomplete, context menu, button,
select or form of the bot runs (CommunityTree, BaseView, SpokenItem, Forms): from then
on `_()` in that task answers in the member's language. A message for someone else —
a public post, another member's DM — is rendered inside `speaking(...)` with
`bot.languages.of_server(...)` or `of_member(...)`.

In a DM there is no server: a button there (a ticket's, a proposal's) names the server
its event or proposal belongs to (`SpokenItem.language_guild`); anything else in a DM
follows the member's own choice if they made the same one in every server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n

if TYPE_CHECKING:
    from cogs._app import CommunityBot


async def language_of(interaction: discord.Interaction, guild_id: int | None = None) -> str:
    """The language the member who acted reads: their choice in the server (the
    interaction's, else `guild_id`), else the server's default."""
    bot: CommunityBot = interaction.client  # type: ignore[assignment]
    where = interaction.guild_id if interaction.guild_id is not None else guild_id
    return await bot.languages.of_member(where, interaction.user.id)


async def speak(interaction: discord.Interaction, guild_id: int | None = None) -> str:
    """Answer this interaction (the rest of its task) in the member's language."""
    language = await language_of(interaction, guild_id)
    i18n.use(language)
    return language


class SpokenItem:
    """Mixed into a DynamicItem: its callback runs in the clicking member's language."""

    async def language_guild(self, interaction: discord.Interaction[Any]) -> int | None:
        """For a click in a DM: the server whose settings decide (None: not known)."""
        return None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        guild_id = None
        if interaction.guild_id is None:
            guild_id = await self.language_guild(interaction)
        await speak(interaction, guild_id)
        return True
