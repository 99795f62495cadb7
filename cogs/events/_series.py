"""Recurring events on Discord: the question an edit or cancel of an occurrence asks
("only this one, or this and all later?"), and the replies that list a series' events.

The question is an ephemeral message with two buttons for the organizer who asked; the
click re-checks that they are still an organizer before anything changes. The buttons
live 10 minutes; after that the organizer runs the command again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import discord
from discord.utils import format_dt

from bot.events import Event
from bot.i18n import N_, _
from cogs._common import BaseView, reply, require_organizer, truncate

ScopePicked = Callable[[discord.Interaction, bool], Awaitable[None]]
TIMEOUT_SECONDS = 600
# The question, whole for each verb (a translation puts the verb where its language does).
SCOPE_QUESTIONS = {
    "change": N_(
        "**{title}** on {when} is part of a recurring series. Change only this one, or this "
        "one and all later ones?"
    ),
    "cancel": N_(
        "**{title}** on {when} is part of a recurring series. Cancel only this one, or this "
        "one and all later ones?"
    ),
}


class ScopeView(BaseView):
    """Only this one / This and all later; `on_pick(interaction, later)` does the work."""

    def __init__(self, organizer_id: int, on_pick: ScopePicked) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS)
        self.organizer_id = organizer_id
        self.on_pick = on_pick
        # Built in the organizer's language (the decorators run at import, in none).
        self.only_this.label = _("Only this one")
        self.all_later.label = _("This and all later")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await super().interaction_check(interaction)  # the member\'s language
        if interaction.user.id != self.organizer_id:
            await reply(interaction, _("This question is for the organizer who asked it."))
            return False
        await require_organizer(interaction)  # still an organizer, at the click
        return True

    @discord.ui.button(label="Only this one", style=discord.ButtonStyle.secondary)
    async def only_this(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._pick(interaction, later=False)

    @discord.ui.button(label="This and all later", style=discord.ButtonStyle.primary)
    async def all_later(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._pick(interaction, later=True)

    async def _pick(self, interaction: discord.Interaction, *, later: bool) -> None:
        self.stop()
        if later:
            content = _("Changing this one and all later ones…")
        else:
            content = _("Changing only this one…")
        await interaction.response.edit_message(content=content, view=None)
        await self.on_pick(interaction, later)


async def ask_scope(
    interaction: discord.Interaction,
    event: Event,
    doing: Literal["change", "cancel"],
    on_pick: ScopePicked,
) -> None:
    """Ask whether `doing` ("change" or "cancel") applies to this occurrence only or to
    it and every later one."""
    text = _(
        SCOPE_QUESTIONS[doing], title=truncate(event.title, 200), when=format_dt(event.starts, "F")
    )
    await reply(interaction, text, view=ScopeView(interaction.user.id, on_pick))


def occurrence_lines(events: list[Event], limit: int = 10) -> list[str]:
    """`#12 · Sat 4 Jul 2026 10:00` lines (Discord timestamps, each reader's own zone)."""
    lines = [f"`#{e.id}` {format_dt(e.starts, 'F')}" for e in events[:limit]]
    if len(events) > limit:
        lines.append(_("… and {n} more", n=len(events) - limit))
    return lines
