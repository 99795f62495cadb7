"""The work behind the announcement's buttons, the registration form and /event rsvp,
/event leave (mixed into EventsCog, like the door's commands)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import discord

from bot.cooldowns import Limit, TooSoon
from bot.events import AnswersRequired, EventService, RsvpResult, event_ics, ics_filename
from cogs._common import is_organizer, reply, truncate
from cogs._forms import open_form
from cogs.events._embeds import jump_url, ts
from cogs.events._views import QuestionsModal

if TYPE_CHECKING:
    from cogs._app import CommunityBot
    from cogs.events._announce import Announcements
    from cogs.events._notify import EventNotices

# Each change of a member's RSVP can send a ticket DM and change a role.
RSVP_CHANGES = Limit(8, 600, "change your RSVPs")


class RsvpHandlers:
    """Going, Can't go, Add to calendar and the registration form; EventsCog inherits them."""

    bot: CommunityBot
    events: EventService
    announcements: Announcements
    notices: EventNotices

    async def do_rsvp(
        self, interaction: discord.Interaction, event_id: int, answers: list[str] | None = None
    ) -> None:
        """Going (button, /event rsvp, or the questions form when the event asks some)."""
        assert interaction.guild is not None
        await self._check_rsvp_changes(interaction, event_id, going=True)
        try:
            result = await self.events.rsvp(
                interaction.guild.id, event_id, interaction.user.id, answers
            )
        except AnswersRequired as asked:
            modal = QuestionsModal(event_id, asked.questions, interaction.user.id)
            await open_form(interaction, modal)
            return
        await reply(interaction, truncate(rsvp_text(result), 2000))
        if result.changed:
            self.bot.cooldowns.count(RSVP_CHANGES, interaction.guild.id, interaction.user.id)
            self.announcements.refresh_soon(event_id)
        if result.outcome == "seated":
            self.deliver_ticket(interaction, result)
            if result.event.role_id:
                self.bot.delivery.kick()  # the role, owed in the seat's transaction
        if result.release_at:
            self.notices.schedule_release(event_id, result.release_at)

    async def _check_rsvp_changes(
        self, interaction: discord.Interaction, event_id: int, *, going: bool
    ) -> None:
        """Going/Can't go cycling makes the bot DM a ticket and change a role each time:
        a member gets RSVP_CHANGES per window. Over it, a click that would change nothing
        still gets its answer, and organizers are exempt. A click that changed something
        is counted after."""
        assert interaction.guild is not None
        try:
            self.bot.cooldowns.check(
                RSVP_CHANGES, interaction.guild.id, interaction.user.id, count=False
            )
        except TooSoon:
            status = (await self.events.status_of(event_id, interaction.user.id)).status
            if (status is not None) == going or await is_organizer(interaction):
                return
            raise

    async def submit_questions(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        """The registration form was sent: RSVP with its answers, in question order."""
        answers = [values[k] for k in sorted(values, key=_field_index) if k.startswith("q")]
        await self.do_rsvp(interaction, int(match["event_id"]), answers)

    async def do_leave(self, interaction: discord.Interaction, event_id: int) -> None:
        guild = interaction.guild
        assert guild is not None
        await self._check_rsvp_changes(interaction, event_id, going=False)
        result = await self.events.leave(guild.id, event_id, interaction.user.id)
        text = {
            "was_going": "You've given up your seat — thanks for letting us know.",
            "was_waitlisted": "You've left the waitlist.",
            "not_registered": "You weren't registered for this event, so nothing changed.",
        }[result.outcome]
        await reply(interaction, text)
        if not result.changed:
            return
        self.bot.cooldowns.count(RSVP_CHANGES, guild.id, interaction.user.id)
        self.announcements.refresh_soon(event_id)
        if result.promoted or result.event.role_id:
            self.bot.delivery.kick()  # promotion DMs and role changes

    async def send_ics(self, interaction: discord.Interaction, event_id: int) -> None:
        assert interaction.guild_id is not None
        event = await self.events.get(interaction.guild_id, event_id)
        data = event_ics(event, jump_url(event), discord.utils.utcnow())
        file = discord.File(io.BytesIO(data), filename=ics_filename(event))
        await reply(
            interaction,
            "Open this file to add the event to Google Calendar, Outlook or Apple Calendar.",
            file=file,
        )


def rsvp_text(result: RsvpResult) -> str:
    """What a member sees after Going: their seat, or their place and why."""
    event = result.event
    cap = f" of {result.capacity}" if result.capacity else ""
    if result.outcome == "seated":
        return (
            f"You're in — seat {result.seat}{cap} for **{event.title}**. "
            "Your ticket is in your DMs."
        )
    if result.outcome == "already_going":
        return f"You're already going — seat {result.seat}{cap}. Nothing changed."
    if result.outcome == "already_waitlisted":
        return f"You're already #{result.position} on the waitlist. Nothing changed."
    if result.behind and result.standing:
        st = result.standing
        release = (
            f" Seats still free at {ts(result.release_at)} go to you in click order."
            if result.release_at
            else ""
        )
        return (
            f"You're #{result.position} on the waitlist, behind members in good standing: you "
            f"missed {st.no_shows} of your last {st.counted} events without checking in. "
            f"Attending one event clears it.{release}"
        )
    return (
        f"The event is full — you're #{result.position} on the waitlist. "
        "I'll DM you if a seat opens up."
    )


def _field_index(custom_id: str) -> int:
    digits = custom_id.removeprefix("q")
    return int(digits) if digits.isdecimal() else 1_000
