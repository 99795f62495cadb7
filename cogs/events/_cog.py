"""/event commands (the door's are in _door.py); the work behind buttons, forms and
autocomplete is EventsFeature's (_feature.py), which these commands share."""

from __future__ import annotations

import io
import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot import outbox
from bot.errors import InvalidInput
from bot.events import Event, EventService, MemberStatus, MyEvent, attendees_csv
from bot.events.recurrence import MAX_OCCURRENCES, RULES
from bot.i18n import _
from cogs._app import CommunityBot
from cogs._common import (
    check_channel_access,
    check_grantable_role,
    column,
    guild_of,
    organizer_only,
    reply,
    truncate,
)
from cogs.events._announce import Announcements
from cogs.events._calendar import CalendarCommands
from cogs.events._changes import ChangeCommands
from cogs.events._checkin import MENU_NAME, check_in_member
from cogs.events._choices import EVENT_HELP, event_choices, organizer_event_choices
from cogs.events._door import DoorCommands
from cogs.events._doorweb import DoorWeb
from cogs.events._embeds import event_embed, jump_url, list_line, status_text
from cogs.events._feature import TOPIC as EVENTS_TOPIC
from cogs.events._feature import EventsFeature
from cogs.events._roles import EventRoles
from cogs.events._series import occurrence_lines
from cogs.events._timers import EventTimers

log = logging.getLogger(__name__)


class EventsCog(
    ChangeCommands,
    DoorCommands,
    CalendarCommands,
    commands.GroupCog,
    name="Events",
    group_name="event",
    description="Events",
):
    feature = "Events"

    def __init__(
        self,
        bot: CommunityBot,
        feature: EventsFeature,
        *,
        announcements: Announcements,
        timers: EventTimers,
        roles: EventRoles,
        door_web: DoorWeb,
    ) -> None:
        self.bot = bot
        self.door_web = door_web
        self.events: EventService = feature.events
        self.events_feature = feature
        self.announcements = announcements
        self.timers = timers
        self.roles = roles
        # Right-click a member → Apps → Check in (organizers and volunteers, _checkin.py).
        self.checkin_menu = app_commands.guild_only(
            app_commands.ContextMenu(name=MENU_NAME, callback=check_in_member)
        )
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.checkin_menu)
        await self.timers.start()
        self.bot.signals.subscribe(EVENTS_TOPIC, self.events_feature.resync)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.checkin_menu.name, type=self.checkin_menu.type)
        self.bot.signals.unsubscribe(EVENTS_TOPIC, self.events_feature.resync)
        self.timers.stop()
        self.announcements.cancel_pending()
        self.bot.features.remove(EventsFeature)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member left: free their seats at upcoming events (unless turned off)."""
        await self.events_feature.member_left(payload.guild_id, payload.user.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """After a crash or time away: announcements and scheduled events half made are
        mended, and members whose event roles drifted get them repaired."""
        try:
            await self.announcements.reconcile()
            await self.timers.schedule_archives()  # threads the reconcile opened
            await self.roles.repair()
        except Exception:
            if not self.bot.is_closed():
                raise
            log.info("start-up repairs stopped: the bot is closing")  # the next start redoes them

    # --- autocomplete -------------------------------------------------------
    async def city_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.bot.guild_settings.search_cities(interaction.guild_id, current)
        return [app_commands.Choice(name=n, value=n) for n in names]

    async def _event(self, interaction: discord.Interaction, text: str) -> Event:
        return await self.events.catalogue.resolve(guild_of(interaction).id, text)

    # --- organizer commands -------------------------------------------------
    @app_commands.command(name="create", description="Create an event and announce it")
    @app_commands.describe(
        title="Up to 100 characters",
        city="One of this server's cities",
        starts="In the server's time zone, e.g. 2026-07-26 10:00, 26 Jul 2026 10am, tomorrow 18:00",
        ends="Same forms; default 3 hours after the start",
        venue="Where exactly",
        capacity="Seats (empty = unlimited)",
        description="What it is about",
        channel="Where to announce it (default: the city's channel, else announcements)",
        role="A role given to everyone going (and taken back when they leave)",
        questions="Up to 4 questions asked at RSVP, separated by ; (each up to 45 characters)",
        online_url="https link to join online; shown only to members going",
        repeat="Make it a recurring series; each occurrence is its own event",
        until="With repeat: the last day it may meet, e.g. 2027-06-30",
        count="With repeat: how many times it meets in all",
    )
    @app_commands.choices(
        repeat=[app_commands.Choice(name=words, value=rule) for rule, words in RULES.items()]
    )
    @app_commands.autocomplete(city=city_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def create(
        self,
        interaction: discord.Interaction,
        title: str,
        city: str,
        starts: str,
        ends: str | None = None,
        venue: str | None = None,
        capacity: app_commands.Range[int, 1, 100_000] | None = None,
        description: str | None = None,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        questions: str | None = None,
        online_url: str | None = None,
        repeat: app_commands.Choice[str] | None = None,
        until: str | None = None,
        count: app_commands.Range[int, 1, MAX_OCCURRENCES] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        if repeat is None and (until is not None or count is not None):
            raise InvalidInput(
                _("`until` and `count` are for a recurring event: pick `repeat` too.")
            )
        if role is not None:
            check_grantable_role(interaction, role)
        if channel is not None:
            check_channel_access(interaction, channel)
        target = channel or await self._default_channel(interaction, city)
        fields: dict[str, Any] = {
            "title": title,
            "city": city,
            "starts": starts,
            "ends": ends,
            "venue": venue,
            "capacity": capacity,
            "description": description,
            "channel_id": target.id if target else None,
            "role_id": role.id if role else None,
            "questions": questions,
            "online_url": online_url,
        }
        series = None
        if repeat is None:
            made = [await self.events.catalogue.create(guild.id, interaction.user.id, **fields)]
        else:
            series, made = await self.events.series.create(
                guild.id,
                interaction.user.id,
                repeat=repeat.value,
                until=until,
                count=count,
                **fields,
            )
        event = made[0]
        await interaction.response.defer(ephemeral=True, thinking=True)
        notes = [await self.announcements.announce(event, target)]
        note = await self.announcements.create_scheduled(guild, event)
        if note:
            notes.append(note)
        scheduled = await self.timers.schedule_event(event.id)
        notes += await self.events_feature.announce_made(made[1:])
        created = {
            "title": truncate(event.title, 200),
            "id": event.id,
            "city": event.city,
            "starts": format_dt(event.starts, "F"),
            "relative": format_dt(event.starts, "R"),
            "ends": format_dt(event.ends, "F"),
            "reminders": scheduled,
        }
        if event.capacity:
            text = _(
                "Created **{title}** (event #{id}) in {city}: starts {starts} ({relative}), "
                "ends {ends}; {capacity} seats; {reminders} reminder(s) planned.",
                capacity=event.capacity,
                **created,
            )
        else:
            text = _(
                "Created **{title}** (event #{id}) in {city}: starts {starts} ({relative}), "
                "ends {ends}; no seat limit; {reminders} reminder(s) planned.",
                **created,
            )
        text += "\n"
        if series is not None:
            await self.timers.schedule_series(series.id)
            lead = await self.events.series.lead_days(guild.id)
            text += (
                _(
                    "It repeats {rule}. Each occurrence is its own event with its own RSVPs; "
                    "each is announced {lead} days ahead (`/settings series-lead`). "
                    "Announced now:",
                    rule=series.recurrence.describe(),
                    lead=lead,
                )
                + "\n"
                + "\n".join(occurrence_lines(made))
                + "\n"
            )
            if not series.active:
                text += _("That is every occurrence of the series.") + "\n"
        await reply(interaction, text + "\n".join(dict.fromkeys(notes)))

    async def _default_channel(
        self, interaction: discord.Interaction, city: str
    ) -> discord.abc.GuildChannel | None:
        """The city's channel, else the announcements channel, else here."""
        guild = guild_of(interaction)
        city_row = await self.bot.guild_settings.city(guild.id, city)
        config = await self.bot.guild_settings.get(guild.id)
        for channel_id in (city_row.channel_id, config.announcements_channel_id):
            if channel_id and (found := guild.get_channel(channel_id)):
                return found
        return interaction.channel if isinstance(interaction.channel, discord.TextChannel) else None

    @app_commands.command(name="attendees", description="Who is going and who is waiting")
    @app_commands.describe(event=EVENT_HELP, format="A list here, or a CSV file")
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def attendees(
        self,
        interaction: discord.Interaction,
        event: str,
        format: Literal["list", "csv"] = "list",
    ) -> None:
        guild = guild_of(interaction)
        current = await self._event(interaction, event)
        rows = await self.events.listings.attendees(guild.id, current.id)
        if format == "csv":
            names = {a.user_id: m.display_name for a in rows if (m := guild.get_member(a.user_id))}
            data = attendees_csv(rows, names, current.questions).encode("utf-8")
            file = discord.File(io.BytesIO(data), filename=f"event-{current.id}-attendees.csv")
            await reply(
                interaction,
                _("{n} row(s) for **{title}**.", n=len(rows), title=truncate(current.title, 200)),
                file=file,
            )
            return
        undelivered = await outbox.failures(
            self.bot.db, guild.id, dedupe_prefix=f"event:{current.id}:"
        )
        going = [f"{a.seat}. <@{a.user_id}>" for a in rows if a.status == "going"]
        waiting = [f"{a.position}. <@{a.user_id}>" for a in rows if a.status == "waitlist"]
        embed = event_embed(current)
        embed.add_field(name=_("Going ({n})", n=len(going)), value=column(going), inline=False)
        embed.add_field(
            name=_("Waitlist ({n})", n=len(waiting)), value=column(waiting), inline=False
        )
        if undelivered:
            embed.add_field(
                name=_("Undelivered DMs"),
                value=_(
                    "{n} message(s) about this event could not be delivered "
                    "(members with DMs closed); they can still see it with `/event mine`.",
                    n=undelivered,
                ),
                inline=False,
            )
        await reply(interaction, embed=embed)

    # --- member commands ----------------------------------------------------
    @app_commands.command(name="list", description="Upcoming events, soonest first")
    @app_commands.autocomplete(city=city_choices)
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction, city: str | None = None) -> None:
        upcoming = await self.events.listings.upcoming(guild_of(interaction).id, city)
        if not upcoming:
            text = (
                _("No upcoming events in {city} yet.", city=city)
                if city
                else _("No upcoming events yet.")
            )
            await reply(interaction, text)
            return
        lines = [f"`#{e.id}` {list_line(e)}" for e in upcoming]
        embed = discord.Embed(title=_("Upcoming events"), description=column(lines, 4000))
        embed.set_footer(text=_("RSVP with the buttons on an announcement, or /event rsvp"))
        await reply(interaction, embed=embed)

    @app_commands.command(name="info", description="An event's card, with your own status")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def info(self, interaction: discord.Interaction, event: str) -> None:
        current = await self._event(interaction, event)
        status = await self.events.listings.status_of(current.id, interaction.user.id)
        view = None
        if url := jump_url(current):
            view = discord.ui.View()
            view.add_item(discord.ui.Button(label=_("Open the announcement"), url=url))
        await reply(interaction, embed=event_embed(current, status=status), view=view)

    @app_commands.command(name="rsvp", description="Say you're going (same as the Going button)")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def rsvp(self, interaction: discord.Interaction, event: str) -> None:
        await self.events_feature.rsvp(interaction, (await self._event(interaction, event)).id)

    @app_commands.command(name="leave", description="Give up your seat or waitlist place")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def leave(self, interaction: discord.Interaction, event: str) -> None:
        await self.events_feature.leave(interaction, (await self._event(interaction, event)).id)

    @app_commands.command(name="mine", description="Your upcoming events and your place in each")
    @app_commands.guild_only()
    async def mine(self, interaction: discord.Interaction) -> None:
        mine = await self.events.listings.mine(guild_of(interaction).id, interaction.user.id)
        if not mine:
            await reply(interaction, _("You have no upcoming events. See `/event list`."))
            return
        lines = [
            f"`#{m.event.id}` **{m.event.title}** · {format_dt(m.event.starts, 'F')} — "
            + status_text(m.event, _status(m))
            + ("\n" + _("Join online: {link}", link=link) if (link := m.online_link) else "")
            for m in mine
        ]
        await reply(
            interaction,
            embed=discord.Embed(title=_("Your events"), description=column(lines, 4000)),
        )

    @app_commands.command(name="reminders", description="Turn your event reminder DMs on or off")
    @app_commands.guild_only()
    async def reminders(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self.events.reminders.set_dms(guild_of(interaction).id, interaction.user.id, enabled)
        await reply(
            interaction,
            _("Reminder DMs are on.")
            if enabled
            else _("Reminder DMs are off; turn them on any time."),
        )


def _status(mine: MyEvent) -> MemberStatus:
    return MemberStatus(mine.status, mine.seat, mine.position)
