"""A member's ticket in Discord: the text with its code, the QR image, and handing it
over after a click seated them (by DM, else in the click's own ephemeral reply)."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable

import discord

from bot.events import Event, Ticket, ticket_filename, ticket_qr_png
from bot.i18n import _
from cogs._common import NO_PINGS, truncate
from cogs._delivery import Pacer
from cogs.events._embeds import online_line

log = logging.getLogger(__name__)


def ticket_file(ticket: Ticket) -> discord.File:
    return discord.File(
        io.BytesIO(ticket_qr_png(ticket.code)),
        filename=ticket_filename(ticket.event_id, ticket.code),
    )


def ticket_text(event: Event, ticket: Ticket) -> str:
    text = _(
        "Your ticket for **{title}** ({when}): **{code}**. "
        "Show the QR code or say the code at the door.",
        title=truncate(event.title, 200),
        when=discord.utils.format_dt(event.starts),
        code=ticket.code,
    )
    # A live ticket is a seat: its holder is going, so they get the link.
    return text + online_line(event.link_for("going") if ticket.live else None)


class TicketMailer:
    """Sends the ticket of a seat a member clicked for, in the background at the
    deliverer's pace: in a 2,000-click burst the answers to the clicks come first and
    the tickets follow over the next seconds."""

    def __init__(
        self, pacer: Pacer, view: Callable[[Event], discord.ui.View] | None = None
    ) -> None:
        self.pacer = pacer
        self.view = view  # the buttons under the ticket (cogs/events/_views.ticket_view)
        self._background: set[asyncio.Task[None]] = set()

    def send(self, interaction: discord.Interaction, event: Event, ticket: Ticket) -> None:
        task = asyncio.create_task(self._send(interaction, event, ticket))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send(self, interaction: discord.Interaction, event: Event, ticket: Ticket) -> None:
        text = ticket_text(event, ticket)
        view = self.view(event) if self.view is not None else discord.utils.MISSING
        await self.pacer.wait()
        try:
            await interaction.user.send(
                text, file=ticket_file(ticket), view=view, allowed_mentions=NO_PINGS
            )
        except discord.HTTPException as exc:
            # Closed DMs (403) or Discord failing: hand the ticket over here instead.
            why = (
                _("(Your DMs are closed, so here it is.)")
                if isinstance(exc, discord.Forbidden)
                else _("(DMs failed, so here it is.)")
            )
            try:
                await interaction.followup.send(
                    f"{text} {why}", file=ticket_file(ticket), ephemeral=True
                )
            except discord.HTTPException as again:
                log.warning("ticket for %s not delivered: %s / %s", interaction.user.id, exc, again)
