"""The events' part of /settings (mixed into SettingsCog, which owns the group); the
work goes through `EventsFeature`, like the events' buttons."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.events import window_text
from bot.i18n import _
from bot.timeutil import format_offsets
from cogs._common import (
    bot_of,
    check_power_role,
    guild_of,
    manage_server_only,
    organizer_only,
    reply,
)
from cogs.events._embeds import policy_text
from cogs.events._feature import EventsFeature


def _feature(interaction: discord.Interaction) -> EventsFeature:
    return bot_of(interaction).features.get(EventsFeature)


class EventSettings:
    @app_commands.command(name="reminders", description="When event reminders go out")
    @app_commands.describe(offsets="Up to 3, e.g. 24h,1h or 2d,3h,30m (none = no reminders)")
    @app_commands.guild_only()
    @organizer_only()
    async def reminders(self, interaction: discord.Interaction, offsets: str) -> None:
        parsed = await _feature(interaction).set_reminder_offsets(guild_of(interaction).id, offsets)
        await reply(
            interaction,
            _("Reminders now go out {offsets} before each event.", offsets=format_offsets(parsed))
            if parsed
            else _("Event reminders are off for this server."),
        )

    @app_commands.command(name="volunteer-role", description="Who may check members in")
    @app_commands.describe(role="Members with this role may use /event checkin (and nothing more)")
    @app_commands.guild_only()
    @manage_server_only()
    async def volunteer_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        check_power_role(role, "volunteer")
        await _feature(interaction).events.door.set_volunteer_role(
            guild_of(interaction).id, role.id
        )
        await reply(
            interaction, _("Members with {role} can now check people in.", role=role.mention)
        )

    @app_commands.command(
        name="checkin-window", description="From when volunteers may check members in"
    )
    @app_commands.describe(
        hours="Hours before an event's start (0 = only from the start); organizers: any time"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def checkin_window(
        self, interaction: discord.Interaction, hours: app_commands.Range[int, 0, 168]
    ) -> None:
        door = _feature(interaction).events.door
        await door.set_checkin_window(guild_of(interaction).id, hours)
        await reply(
            interaction,
            _(
                "Volunteers can now check members in from {window} of each event "
                "until an hour after its end. Organizers can check members in at any time.",
                window=window_text(hours),
            ),
        )

    @app_commands.command(
        name="no-show-policy", description="Put repeat no-shows behind others on the waitlist"
    )
    @app_commands.describe(
        limit="No-shows that trigger it (0 turns the policy off)",
        window="Out of how many of the member's last events",
    )
    @app_commands.guild_only()
    @organizer_only()
    async def no_show_policy(
        self,
        interaction: discord.Interaction,
        limit: app_commands.Range[int, 0, 20] | None = None,
        window: app_commands.Range[int, 1, 50] | None = None,
    ) -> None:
        standing = _feature(interaction).events.standing
        policy = await standing.set_policy(guild_of(interaction).id, limit, window)
        await reply(interaction, policy_text(policy))

    @app_commands.command(
        name="release-on-leave", description="Free a member's seats when they leave the server"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def release_on_leave(self, interaction: discord.Interaction, enabled: bool) -> None:
        seats = _feature(interaction).events.seats
        await seats.set_release_on_leave(guild_of(interaction).id, enabled)
        await reply(
            interaction,
            _("Members who leave the server give up their seats at upcoming events.")
            if enabled
            else _("Members who leave keep their seats."),
        )

    @app_commands.command(
        name="series-lead", description="How many days ahead a recurring event is announced"
    )
    @app_commands.describe(days="1 to 90 (default 14)")
    @app_commands.guild_only()
    @organizer_only()
    async def series_lead(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 90]
    ) -> None:
        feature = _feature(interaction)
        guild_id = guild_of(interaction).id
        await feature.events.series.set_lead_days(guild_id, days)
        made = await feature.make_series_due(guild_id)
        text = _(
            "Each occurrence of a recurring event is now announced {days} days ahead.", days=days
        )
        if made:
            text += " " + _("{made} more occurrence(s) came within that: announced.", made=made)
        await reply(interaction, text)

    @app_commands.command(
        name="event-threads", description="Open a thread for questions under each announcement"
    )
    @app_commands.guild_only()
    @organizer_only()
    async def event_threads(self, interaction: discord.Interaction, enabled: bool) -> None:
        threads = _feature(interaction).events.threads
        await threads.set_enabled(guild_of(interaction).id, enabled)
        await reply(
            interaction,
            _("New event announcements get a thread for questions, archived a day after the event.")
            if enabled
            else _("New event announcements get no thread."),
        )
