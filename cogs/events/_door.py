"""At the door and after: tickets, check-in, stats and feedback (mixed into EventsCog)."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import InvalidInput
from bot.events import (
    Event,
    EventService,
    RsvpResult,
    Ticket,
    feedback_report,
    ticket_filename,
    ticket_qr_png,
)
from cogs._common import NotOrganizer, is_organizer, organizer_only, reply, truncate
from cogs._forms import open_form
from cogs.events._choices import event_choices, organizer_event_choices
from cogs.events._embeds import ts
from cogs.events._views import FeedbackModal

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)
_background: set[asyncio.Task[None]] = set()
EVENT_HELP = "The event: pick one from the list, or type its number"
DMS_CLOSED = 50007


def ticket_file(ticket: Ticket) -> discord.File:
    return discord.File(
        io.BytesIO(ticket_qr_png(ticket.code)),
        filename=ticket_filename(ticket.event_id, ticket.code),
    )


def ticket_text(event: Event, ticket: Ticket) -> str:
    return (
        f"Your ticket for **{truncate(event.title, 200)}** ({ts(event.starts_at)}): "
        f"**{ticket.code}**. Show the QR code or say the code at the door."
    )


class VolunteerOnly(NotOrganizer):
    """Neither an organizer nor the guild's volunteer role."""

    def __init__(self) -> None:
        super().__init__(
            "Only organizers and volunteers can check members in: ask an organizer for "
            "the volunteer role (`/settings volunteer-role`)."
        )


class DoorCommands:
    """Slash commands and handlers for the venue's door; EventsCog inherits them."""

    bot: CommunityBot
    events: EventService

    # --- tickets --------------------------------------------------------------
    def deliver_ticket(self, interaction: discord.Interaction, result: RsvpResult) -> None:
        """After a member's own click seated them: the ticket by DM, else here (ephemeral).

        Sent in the background at the deliverer's pace: in a 2,000-click burst the answers
        to the clicks come first and the tickets follow over the next seconds.
        """
        if result.ticket is None:
            return
        task = asyncio.create_task(self._send_ticket(interaction, result.event, result.ticket))
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def _send_ticket(
        self, interaction: discord.Interaction, event: Event, ticket: Ticket
    ) -> None:
        text = ticket_text(event, ticket)
        await self.bot.delivery.pacer.wait()
        try:
            await interaction.user.send(
                text, file=ticket_file(ticket), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as exc:
            # Closed DMs (403) or Discord failing: hand the ticket over here instead.
            why = "Your DMs are closed" if isinstance(exc, discord.Forbidden) else "DMs failed"
            try:
                await interaction.followup.send(
                    f"{text} ({why}, so here it is.)", file=ticket_file(ticket), ephemeral=True
                )
            except discord.HTTPException as again:
                log.warning("ticket for %s not delivered: %s / %s", interaction.user.id, exc, again)

    @app_commands.command(name="ticket", description="Your ticket (code and QR) for an event")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def ticket(self, interaction: discord.Interaction, event: str) -> None:
        assert interaction.guild_id is not None
        found = await self.events.resolve(interaction.guild_id, event)
        ticket = await self.events.ticket_for(interaction.guild_id, found.id, interaction.user.id)
        if ticket is None:
            status = await self.events.status_of(found.id, interaction.user.id)
            why = (
                f"you're #{status.position} on the waitlist; you get a ticket when a seat opens up"
                if status.status == "waitlist"
                else "you haven't RSVPed (`/event rsvp`)"
            )
            await reply(interaction, f"No ticket for **{truncate(found.title, 200)}**: {why}.")
            return
        await reply(interaction, ticket_text(found, ticket), file=ticket_file(ticket))

    # --- check-in -------------------------------------------------------------
    async def _require_door_staff(self, interaction: discord.Interaction) -> None:
        if await is_organizer(interaction):
            return
        assert interaction.guild_id is not None
        role_id = await self.events.volunteer_role(interaction.guild_id)
        member = interaction.user
        if role_id and isinstance(member, discord.Member) and member.get_role(role_id):
            return
        raise VolunteerOnly()

    @app_commands.command(name="checkin", description="Check a member in at the door")
    @app_commands.describe(
        event=EVENT_HELP, member="The member (by mention)", code="Their ticket code, e.g. K7QX-9M2P"
    )
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def checkin(
        self,
        interaction: discord.Interaction,
        event: str,
        member: discord.Member | None = None,
        code: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None and interaction.guild is not None
        await self._require_door_staff(interaction)
        if (member is None) == (code is None):
            await reply(interaction, "Give either the member or their ticket code (not both).")
            return
        found = await self.events.resolve(interaction.guild_id, event)
        result = await self.events.check_in(
            interaction.guild_id,
            found.id,
            by_user_id=interaction.user.id,
            member_id=member.id if member else None,
            code=code,
        )
        who = interaction.guild.get_member(result.member_id)
        name = f"**{who.display_name}**" if who else f"<@{result.member_id}>"
        if result.outcome == "already":
            by = f" by <@{result.by_user_id}>" if result.by_user_id else ""
            text = f"{name} was already checked in at {ts(result.checked_in_at, 'T')}{by}."
        elif result.outcome == "walk_in":
            why = "is on the waitlist" if result.status == "waitlist" else "had no RSVP"
            text = f"Recorded {name} as a **walk-in** ({why})."
        else:
            text = f"✅ {name} checked in — seat {result.seat}, ticket {result.code}."
        await reply(interaction, text)

    # --- organizers' numbers ----------------------------------------------------
    @app_commands.command(name="stats", description="Going, check-ins, no-shows, walk-ins")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def stats(self, interaction: discord.Interaction, event: str) -> None:
        assert interaction.guild_id is not None
        found = await self.events.resolve(interaction.guild_id, event)
        stats = await self.events.event_stats(interaction.guild_id, found.id)
        embed = discord.Embed(title=truncate(f"Stats: {found.title}", 256))
        embed.add_field(name="Going", value=str(stats.going))
        embed.add_field(name="Waitlisted", value=str(stats.waitlisted))
        embed.add_field(name="Checked in", value=str(stats.checked_in))
        embed.add_field(name="Walk-ins", value=str(stats.walk_ins))
        embed.add_field(
            name="No-shows",
            value=str(stats.no_shows) if stats.no_shows is not None else "after it ends",
        )
        embed.add_field(name="Undelivered DMs", value=str(stats.undelivered))
        embed.add_field(name="Check-ins per 15 minutes", value=_curve(stats.curve), inline=False)
        await reply(interaction, embed=embed)

    @app_commands.command(name="feedback", description="What attendees said about an event")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def feedback(self, interaction: discord.Interaction, event: str) -> None:
        assert interaction.guild_id is not None
        found = await self.events.resolve(interaction.guild_id, event)
        summary = await self.events.feedback_summary(interaction.guild_id, found.id)
        if not summary.count:
            await reply(interaction, f"No feedback yet for **{truncate(found.title, 200)}**.")
            return
        bars = "\n".join(
            f"{'★' * r}{'☆' * (5 - r)} {n}"
            for r, n in sorted(summary.distribution.items(), reverse=True)
        )
        text = (
            f"**{truncate(found.title, 200)}**: {summary.count} answer(s), "
            f"average {summary.average:.1f} / 5\n{bars}"
        )
        kwargs: dict[str, Any] = {}
        if summary.comments:
            report = feedback_report(summary).encode("utf-8")
            kwargs["file"] = discord.File(
                io.BytesIO(report), filename=f"event-{found.id}-feedback.txt"
            )
        await reply(interaction, text, **kwargs)

    async def open_feedback(self, interaction: discord.Interaction, event_id: int) -> None:
        """The Give feedback button: check first, then the form."""
        guild_id = await self.events.guild_of(event_id)
        event = await self.events.feedback_allowed(guild_id, event_id, interaction.user.id)
        await open_form(interaction, FeedbackModal(event.id, interaction.user.id))

    async def submit_feedback(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        """The feedback form was sent (from a DM: the event says which server)."""
        event_id = int(match["event_id"])
        guild_id = await self.events.guild_of(event_id)
        rating, comment = values.get("rating", ""), values.get("comment") or None
        if not rating.strip().isdecimal():  # isdigit() lets ² through, which int() refuses
            raise InvalidInput("The rating is a number from 1 to 5.")
        await self.events.give_feedback(
            guild_id, event_id, interaction.user.id, int(rating.strip()), comment
        )
        await reply(interaction, "Thank you! Your feedback helps the organizers plan the next one.")


def _curve(curve: tuple[tuple[int, int], ...]) -> str:
    if not curve:
        return "no check-ins yet"
    top = max(n for _, n in curve) or 1
    lines = [
        f"{ts(slot, 't')} {'█' * max(1, round(12 * n / top)) if n else '·'} {n}"
        for slot, n in curve
    ]
    return truncate("\n".join(lines), 1024)
