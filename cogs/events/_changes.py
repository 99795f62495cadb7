"""/event edit and /event cancel (mixed into EventsCog, which owns the /event group).

On an occurrence of a recurring series they first ask whether the change is for this one
only or for it and all later ones (cogs/events/_series.py); either way each changed event
gets what an edit owes Discord: reminders moved, the announcement and the scheduled event
updated, the waitlist's promotions and the members' DMs sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.utils import format_dt

from bot.events import EditResult, Event, SeatChange
from bot.events.catalogue import check_something_given
from bot.i18n import _
from cogs._common import guild_of, organizer_only, reply, truncate
from cogs.events._choices import EVENT_HELP, organizer_event_choices
from cogs.events._series import ask_scope

if TYPE_CHECKING:
    from bot.events import EventService
    from cogs.events._announce import Announcements
    from cogs.events._feature import EventsFeature
    from cogs.events._timers import EventTimers


class ChangeCommands:
    """/event edit and /event cancel; EventsCog inherits them."""

    events: EventService
    events_feature: EventsFeature
    announcements: Announcements
    timers: EventTimers

    _event: Callable[[discord.Interaction, str], Awaitable[Event]]  # EventsCog's

    @app_commands.command(name="edit", description="Change an event (only what you give)")
    @app_commands.describe(
        event=EVENT_HELP,
        capacity="Seats; more seats promote the waitlist",
        questions="Questions asked at RSVP, separated by ; (empty text removes them)",
        online_url="https link to join online; shown only to members going (empty text removes it)",
    )
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        event: str,
        title: str | None = None,
        starts: str | None = None,
        ends: str | None = None,
        venue: str | None = None,
        capacity: app_commands.Range[int, 1, 100_000] | None = None,
        description: str | None = None,
        questions: str | None = None,
        online_url: str | None = None,
    ) -> None:
        current = await self._event(interaction, event)
        changes: dict[str, Any] = {
            "title": title,
            "starts": starts,
            "ends": ends,
            "venue": venue,
            "capacity": capacity,
            "description": description,
            "questions": questions,
            "online_url": online_url,
        }
        check_something_given(changes)

        async def picked(clicked: discord.Interaction, later: bool) -> None:
            await self._apply_edit(clicked, current, changes, later=later)

        if await self.events.series.asks_scope(current):
            await ask_scope(interaction, current, "change", picked)
        else:
            await picked(interaction, False)

    async def _apply_edit(
        self,
        interaction: discord.Interaction,
        current: Event,
        changes: dict[str, Any],
        *,
        later: bool,
    ) -> None:
        guild = guild_of(interaction)
        brought: list[Event] = []
        if later:
            results, brought = await self.events.series.edit_later(guild.id, current, **changes)
        else:
            results = [await self.events.catalogue.edit(guild.id, current.id, **changes)]
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        lines = await self._after_edit(guild, results[0])
        for result in results[1:]:
            await self._after_edit(guild, result)
        if later_changed := sum(1 for r in results[1:] if r.changed):
            lines.append(_("{n} later occurrence(s) of the series changed too.", n=later_changed))
        if later:
            await self.timers.schedule_series()  # the new series' next occurrence
            lines.append(_("Occurrences made from now on follow the new details."))
        if brought:
            await self.events_feature.announce_made(brought)
            lines.append(
                _("{n} more occurrence(s) are now within the lead: announced.", n=len(brought))
            )
        await reply(interaction, "\n".join(lines))

    async def _after_edit(self, guild: discord.Guild, result: EditResult) -> list[str]:
        """What one event's edit owes Discord, and the lines telling the organizer."""
        updated = result.event
        lines = [
            _(
                "Updated **{title}** (event #{id}).",
                title=truncate(updated.title, 200),
                id=updated.id,
            )
        ]
        if result.time_changed:
            await self.timers.cancel_reminders(updated.id)
            await self.timers.schedule_event(updated.id)
            lines.append(
                _(
                    "It now starts {starts} and ends {ends}; "
                    "reminders moved and {n} member(s) going will get a DM.",
                    starts=format_dt(updated.starts, "F"),
                    ends=format_dt(updated.ends, "F"),
                    n=result.notified,
                )
            )
        if "online_url" in result.changed:
            lines.append(
                _(
                    "The online link changed; {n} member(s) going will get a DM "
                    "(the waitlisted get it if a seat opens up).",
                    n=result.notified,
                )
            )
        if result.promoted:
            lines.append(_("{n} member(s) moved up from the waitlist.", n=len(result.promoted)))
        if result.over_capacity:
            lines.append(
                _(
                    "{n} more member(s) are going than the new capacity: "
                    "nobody was bumped; new RSVPs go to the waitlist.",
                    n=result.over_capacity,
                )
            )
        if not updated.message_id and updated.channel_id:
            # The first post failed (e.g. a missing permission): try again now.
            lines.append(
                await self.announcements.announce(updated, guild.get_channel(updated.channel_id))
            )
        elif not result.changed:
            lines = [_("Nothing changed: the values you gave are the ones it already has.")]
        if result.changed:
            await self.events_feature.apply(result.seats, at_once=True)
            await self.announcements.sync_scheduled(guild, updated)
        return lines

    @app_commands.command(name="cancel", description="Cancel an event and tell everyone")
    @app_commands.describe(event=EVENT_HELP, reason="Told to everyone going or waitlisted")
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def cancel(
        self, interaction: discord.Interaction, event: str, reason: str | None = None
    ) -> None:
        current = await self._event(interaction, event)

        async def picked(clicked: discord.Interaction, later: bool) -> None:
            await self._apply_cancel(clicked, current, reason, later=later)

        if await self.events.series.asks_scope(current):
            await ask_scope(interaction, current, "cancel", picked)
        else:
            await picked(interaction, False)

    async def _apply_cancel(
        self, interaction: discord.Interaction, current: Event, reason: str | None, *, later: bool
    ) -> None:
        guild = guild_of(interaction)
        if later:
            gone = await self.events.series.cancel_later(guild.id, current, reason)
        else:
            gone = [await self.events.catalogue.cancel(guild.id, current.id, reason)]
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        for cancelled in gone:
            await self.timers.cancel_reminders(cancelled.id)
            # Every seat is gone: the card shows it, the DMs and role syncs are owed.
            await self.events_feature.apply(
                SeatChange(cancelled.id, recount=True, owed=True), at_once=True
            )
            await self.announcements.sync_scheduled(guild, cancelled)
            await self.timers.schedule_archives(cancelled.id)  # its thread: closed now
        told = sum(c.going + c.waitlist for c in gone)  # counted in the cancelling transactions
        first = gone[0]
        text = _(
            "Cancelled **{title}**. {n} member(s) going or "
            "waitlisted will get a DM; pending reminders are dropped.",
            title=truncate(first.title, 200),
            n=told,
        )
        if later:
            text += "\n" + _(
                "The series ends here: {n} later occurrence(s) cancelled too, "
                "and no more will be made.",
                n=len(gone) - 1,
            )
        await reply(interaction, text)
