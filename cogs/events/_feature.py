"""`EventsFeature`: the one typed object holding the events' work behind buttons, forms
and autocomplete, and the feature's answers to privacy, cleanup and settings
(the `Feature` protocol, cogs/_features.py).

Built once in `cogs/events/__init__.py` `setup()` with every collaborator passed in, and
registered with `bot.features.add(...)`; a button reaches it with
`bot_of(interaction).features.get(EventsFeature)`, which says clearly when events are not
loaded. It looks nothing up by name.

Every change of seats comes back from the domain as a `SeatChange`, and `apply` is the
one place that does what it owes Discord after the commit: refresh the announcement,
wake the deliverer (promotion DMs, role syncs), arm the seat release.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.cooldowns import Cooldowns, Limit, TooSoon
from bot.errors import InvalidInput, NotFound
from bot.events import (
    AnswersRequired,
    Event,
    EventService,
    SeatChange,
    event_ics,
    ics_filename,
    window_text,
)
from bot.i18n import N_, _
from bot.signals import Signals
from bot.timeutil import format_offsets
from cogs._common import guild_of, in_time, is_organizer, reply, truncate
from cogs._delivery import Deliverer
from cogs._features import SettingsSection
from cogs._forms import open_form
from cogs.events._embeds import google_button, jump_url, policy_text, rsvp_text
from cogs.events._modals import FeedbackModal, QuestionsModal
from cogs.events._tickets import TicketMailer

if TYPE_CHECKING:
    from cogs.events._announce import Announcements
    from cogs.events._timers import EventTimers

# Each change of a member's RSVP can send a ticket DM and change a role.
RSVP_CHANGES = Limit(8, 600, N_("change your RSVPs"))
TOPIC = "events"  # bot/signals.py: a guild whose seats changed in another process


class EventsFeature:
    name = "Events"

    def __init__(
        self,
        events: EventService,
        *,
        announcements: Announcements,
        timers: EventTimers,
        deliverer: Deliverer,
        cooldowns: Cooldowns,
        signals: Signals | None = None,
        ticket_view: Callable[[Event], discord.ui.View] | None = None,
    ) -> None:
        self.events = events
        self.announcements = announcements
        self.timers = timers
        self.deliverer = deliverer
        self.cooldowns = cooldowns
        self.signals = signals or Signals()  # one process: follow-ups run here
        self.tickets = TicketMailer(deliverer.pacer, ticket_view)  # its DM's buttons
        # Seats passed on by member deletions, applied once the delete committed.
        self._passed_on: dict[int, list[SeatChange]] = {}

    # --- what a seat change owes Discord ----------------------------------------------------
    async def apply(self, change: SeatChange, *, at_once: bool = False) -> None:
        """After the commit: the announcement's counts (coalesced, or `at_once` for an
        organizer's edit), the outbox rows it wrote, the seat release it needs."""
        if change.recount:
            if at_once:
                await self.announcements.refresh_now(change.event_id)
            else:
                self.announcements.refresh_soon(change.event_id)
        if change.owed:
            self.deliverer.kick()
        if change.release_at:
            self.timers.schedule_release(change.event_id, change.release_at)

    async def announce_made(self, made: list[Event]) -> list[str]:
        """Occurrences a series made: announced, their reminders and jobs armed; returns
        what to tell an organizer."""
        notes: list[str] = []
        for event in made:
            notes += await self.announcements.announce_new(event)
            await self.timers.schedule_event(event.id)
        return notes

    async def make_series_due(self, guild_id: int) -> int:
        """After the lead changed: the guild's series make what is now within it (announced),
        and their next jobs are re-armed; returns how many occurrences were made."""
        made: list[Event] = []
        for series_id in await self.events.series.guild_series(guild_id):
            made += await self.events.series.make_due(series_id)
            await self.timers.schedule_series(series_id)
        await self.announce_made(made)
        return len(made)

    # --- Going, Can't go, the registration form, the calendar file --------------------------
    async def rsvp(
        self, interaction: discord.Interaction, event_id: int, answers: list[str] | None = None
    ) -> None:
        """Going (button, /event rsvp, or the questions form when the event asks some)."""
        guild = guild_of(interaction)
        await self._check_rsvp_changes(interaction, event_id, going=True)
        decision = self.events.seats.rsvp(guild.id, event_id, interaction.user.id, answers)
        try:
            result = await in_time(interaction, decision)
        except AnswersRequired as asked:
            if interaction.response.is_done():  # deferred in a burst: no form after that
                await reply(
                    interaction,
                    f"{asked} " + _("Click Going again to open the form."),
                )
                return
            modal = QuestionsModal(event_id, asked.questions, interaction.user.id)
            await open_form(interaction, modal)
            return
        await reply(interaction, truncate(rsvp_text(result), 2000))
        if result.changed:
            self.cooldowns.count(RSVP_CHANGES, guild.id, interaction.user.id)
        if result.outcome == "seated" and result.ticket is not None:
            self.tickets.send(interaction, result.event, result.ticket)
        await self.apply(result.seats)

    async def leave(self, interaction: discord.Interaction, event_id: int) -> None:
        """Can't go (button, /event leave, or the button on the ticket DM)."""
        guild_id = await self._guild_id(interaction, event_id)
        await self._check_rsvp_changes(interaction, event_id, going=False, guild_id=guild_id)
        result = await in_time(
            interaction, self.events.seats.leave(guild_id, event_id, interaction.user.id)
        )
        text = {
            "was_going": _("You've given up your seat — thanks for letting us know."),
            "was_waitlisted": _("You've left the waitlist."),
            "not_registered": _("You weren't registered for this event, so nothing changed."),
        }[result.outcome]
        await reply(interaction, text)
        if result.changed:
            self.cooldowns.count(RSVP_CHANGES, guild_id, interaction.user.id)
        await self.apply(result.seats)

    async def _guild_id(self, interaction: discord.Interaction, event_id: int) -> int:
        """The server of a click: where it was made, or for a button on a DM (the ticket),
        the event's own server. Only the member's own place is changed or shown from a
        DM, so the event's server is enough."""
        if interaction.guild_id is not None:
            return interaction.guild_id
        return await self.events.store.guild_of(event_id)

    async def _check_rsvp_changes(
        self,
        interaction: discord.Interaction,
        event_id: int,
        *,
        going: bool,
        guild_id: int | None = None,
    ) -> None:
        """Going/Can't go cycling makes the bot DM a ticket and change a role each time:
        a member gets RSVP_CHANGES per window. Over it, a click that would change nothing
        still gets its answer, and organizers are exempt. A click that changed something
        is counted after."""
        if guild_id is None:
            guild_id = guild_of(interaction).id
        try:
            self.cooldowns.check(RSVP_CHANGES, guild_id, interaction.user.id, count=False)
        except TooSoon:
            status = (await self.events.listings.status_of(event_id, interaction.user.id)).status
            if (status is not None) == going or await is_organizer(interaction):
                return
            raise

    async def submit_questions(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        """The registration form was sent: RSVP with its answers, in question order."""
        answers = [values[k] for k in sorted(values, key=_field_index) if k.startswith("q")]
        await self.rsvp(interaction, int(match["event_id"]), answers)

    async def send_ics(self, interaction: discord.Interaction, event_id: int) -> None:
        guild_id = await self._guild_id(interaction, event_id)
        if interaction.guild_id is None:
            # From a DM: only an event the member registered for (a forged button for
            # another server's event shows nothing).
            status = await self.events.listings.status_of(event_id, interaction.user.id)
            if status.status is None:
                raise NotFound(_("There is no event #{id}.", id=event_id))
        event = await self.events.catalogue.get(guild_id, event_id)
        link = await self.events.listings.online_link(event, interaction.user.id)
        data = event_ics(event, jump_url(event), discord.utils.utcnow(), link)
        file = discord.File(io.BytesIO(data), filename=ics_filename(event))
        view = discord.utils.MISSING
        if not event.cancelled:
            view = discord.ui.View()
            view.add_item(google_button(event))
        await reply(
            interaction,
            _(
                "Open this file to add the event to Google Calendar, Outlook or Apple Calendar. "
                "For every event, kept up to date: `/event calendar`."
            ),
            file=file,
            view=view,
        )

    # --- after the event: the feedback form (from a DM: the event says which server) --------
    async def open_feedback(self, interaction: discord.Interaction, event_id: int) -> None:
        """The Give feedback button: check first, then the form."""
        guild_id = await self.events.store.guild_of(event_id)
        event = await self.events.feedback.allowed(guild_id, event_id, interaction.user.id)
        await open_form(interaction, FeedbackModal(event.id, interaction.user.id))

    async def submit_feedback(
        self, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]
    ) -> None:
        event_id = int(match["event_id"])
        guild_id = await self.events.store.guild_of(event_id)
        rating, comment = values.get("rating", ""), values.get("comment") or None
        if not rating.strip().isdecimal():  # isdigit() lets ² through, which int() refuses
            raise InvalidInput(_("The rating is a number from 1 to 5."))
        await self.events.feedback.give(
            guild_id, event_id, interaction.user.id, int(rating.strip()), comment
        )
        await reply(
            interaction, _("Thank you! Your feedback helps the organizers plan the next one.")
        )

    # --- autocomplete and settings --------------------------------------------------------
    async def choices(self, guild_id: int, text: str) -> list[tuple[str, str]]:
        """(name, value) for the guild's events matching what was typed, upcoming first."""
        return await self.events.listings.autocomplete(guild_id, text)

    async def set_reminder_offsets(self, guild_id: int, text: str) -> list[int]:
        """The guild's new offsets, with its upcoming events' reminders re-armed."""
        offsets = await self.events.reminders.set_offsets(guild_id, text)
        await self.timers.schedule_reminders(guild_id=guild_id)
        return offsets

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """Free the departed member's seats at upcoming events (unless turned off)."""
        for result in await self.events.seats.release_member(guild_id, user_id):
            await self.apply(result.seats)

    # --- the Feature protocol (privacy, cleanup, settings) ----------------------------------
    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.events.export_member_data(guild_id, user_id)

    async def delete_member_data(self, guild_id: int, user_id: int) -> list[str]:
        """Inside the caller's transaction; the seats passed on are applied afterwards
        (`after_member_deleted`)."""
        gone = await self.events.delete_member_data(guild_id, user_id)
        self._passed_on.setdefault(guild_id, []).extend(gone.seats)
        return [
            _(
                "• events: {rsvps} RSVP(s) with their answers, {tickets} ticket(s); "
                "{seats} seat(s) passed on; {checkins} check-in(s) and {ratings} rating(s) "
                "kept without your name",
                rsvps=gone.rsvps_removed,
                tickets=gone.tickets_removed,
                seats=len(gone.promoted),
                checkins=gone.checkins_anonymized,
                ratings=gone.feedback_anonymized,
            )
        ]

    async def after_member_deleted(self, guild_id: int) -> None:
        changes = self._passed_on.pop(guild_id, [])
        if not self.signals.shards.owns(guild_id):  # a DM on another process's shard
            if changes:  # the counts, promotion DMs, role syncs: where the guild is owned
                await self.signals.publish(TOPIC, guild_id)
            return
        for change in changes:
            await self.apply(change)
        self.deliverer.kick()  # role syncs owed back, promotion DMs

    async def resync(self, guild_id: int | None) -> None:
        """In the process owning the guild (bot/signals.py): seats changed elsewhere (a
        delete from a DM), so its announcements are recounted, its timers re-armed and
        what is owed sent. None (after missed signals): timers and messages only."""
        if guild_id is None:
            await self.timers.rebuild()
        else:
            for event in await self.events.listings.upcoming(guild_id):
                self.announcements.refresh_soon(event.id)
                await self.timers.schedule_event(event.id)
        self.deliverer.kick()

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        return await self.events.forget_channel(guild_id, channel_id)

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        return await self.events.forget_role(guild_id, role_id)

    async def timezone_changed(self, guild_id: int) -> None:
        """Nothing to re-plan: events are stored in UTC and every job is due at a fixed
        instant (an offset before the start, an hour after the end); the zone only reads
        what organizers type."""

    async def settings_section(self, guild: discord.Guild) -> SettingsSection:
        events = self.events
        offsets = await events.reminders.offsets(guild.id)
        volunteers = await events.door.volunteer_role(guild.id)
        window = await events.door.checkin_window(guild.id)
        policy = await events.standing.policy(guild.id)
        release = await events.seats.release_on_leave(guild.id)
        lead = await events.series.lead_days(guild.id)
        threads = await events.threads.enabled(guild.id)
        return _("Events"), [
            (_("Reminders before start"), format_offsets(offsets)),
            (_("Volunteers (check-in)"), f"<@&{volunteers}>" if volunteers else _("not set")),
            (
                _("Check-in window"),
                _("volunteers from {window}; organizers any time", window=window_text(window)),
            ),
            (_("No-show policy"), policy_text(policy)),
            (_("Seats of members who leave"), _("released") if release else _("kept")),
            (_("Recurring events announced"), _("{lead} days ahead", lead=lead)),
            (_("Thread under each announcement"), _("on") if threads else _("off")),
        ]


def _field_index(custom_id: str) -> int:
    digits = custom_id.removeprefix("q")
    return int(digits) if digits.isdecimal() else 1_000
