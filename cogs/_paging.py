"""Previous / Next paging of an ephemeral reply, for the member who asked only.

A page is rendered when it is shown (so changes meanwhile are reflected). The buttons
live 10 minutes (an interaction's token lasts 15) and are then taken away.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.i18n import _
from cogs._common import BaseView, reply

log = logging.getLogger(__name__)

# page (from 0) -> (its embed, how many pages there are now)
PageRenderer = Callable[[int], Awaitable[tuple[discord.Embed, int]]]
TIMEOUT_SECONDS = 600


class Pager(BaseView):
    def __init__(self, render: PageRenderer, origin: discord.Interaction) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS)
        self.render = render
        self.origin = origin
        self.page = 0
        self.pages = 1
        # Built while the asker's language is spoken (the decorators' labels are English).
        self.previous.label = _("Previous")
        self.next.label = _("Next")

    async def show(self, page: int) -> discord.Embed:
        """Render `page` (clamped to the pages there are now) and update the buttons."""
        embed, self.pages = await self.render(max(0, page))
        if page >= self.pages > 0:  # fewer pages than before: show the last one
            page = self.pages - 1
            embed, self.pages = await self.render(page)
        self.page = max(0, page)
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1
        return embed

    async def send(self) -> None:
        """The first page as the reply; buttons only when there is more than one page."""
        embed = await self.show(0)
        if self.pages <= 1:
            self.stop()
            await reply(self.origin, embed=embed)
        else:
            await reply(self.origin, embed=embed, view=self)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await super().interaction_check(interaction)  # the member\'s language
        if interaction.user.id != self.origin.user.id:
            await reply(interaction, _("These buttons belong to whoever asked: run it yourself."))
            return False
        return True

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        embed = await self.show(self.page + step)
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        try:
            await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not take the paging buttons away (message gone or token expired)")
