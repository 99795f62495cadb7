"""At the door and after: /event ticket, checkin, stats and feedback (the commands are
mixed into EventsCog, which owns the /event group; check-in itself, shared with the
member's context menu, is _checkin.py's; the Give feedback button and form are
EventsFeature's)."""

from __future__ import annotations

import asyncio
import io
from itertools import groupby
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.utils import format_dt

from bot.events import checkin_chart, feedback_report
from bot.i18n import N_, _
from bot.timeutil import format_local
from cogs._common import guild_of, in_time, organizer_only, reply, truncate
from cogs.events._checkin import check_in, door_staff
from cogs.events._choices import EVENT_HELP, event_choices, organizer_event_choices
from cogs.events._embeds import utc
from cogs.events._tickets import ticket_file, ticket_text

if TYPE_CHECKING:
    from bot.events import EventService
    from cogs._app import CommunityBot
    from cogs.events._doorweb import DoorWeb

NO_WEB = N_(
    "The door page needs the bot's web server, which is off: set WEB_PORT and PUBLIC_URL "
    "in the bot's settings and restart it (README, Web)."
)


class DoorCommands:
    """Slash commands for the venue's door and after; EventsCog inherits them."""

    events: EventService
    bot: CommunityBot
    door_web: DoorWeb

    # A command on a mixin of the group's cog (the cog is EventsCog): discord.py finds it at
    # run time, but its typing only allows a Group or Cog here.
    @app_commands.command(  # type: ignore[type-var]
        name="ticket", description="Your ticket (code and QR) for an event"
    )
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def ticket(self, interaction: discord.Interaction, event: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.events.catalogue.resolve(guild_id, event)
        ticket = await self.events.door.ticket_for(guild_id, found.id, interaction.user.id)
        if ticket is None:
            status = await self.events.listings.status_of(found.id, interaction.user.id)
            title = truncate(found.title, 200)
            if status.status == "waitlist":
                text = _(
                    "No ticket for **{title}**: you're #{position} on the waitlist; you get a "
                    "ticket when a seat opens up.",
                    title=title,
                    position=status.position,
                )
            else:
                text = _(
                    "No ticket for **{title}**: you haven't RSVPed (`/event rsvp`).", title=title
                )
            await reply(interaction, text)
            return
        await reply(interaction, ticket_text(found, ticket), file=ticket_file(ticket))

    # --- check-in -------------------------------------------------------------
    @app_commands.command(  # type: ignore[type-var]  # a mixin: see /event ticket
        name="checkin", description="Check a member in at the door"
    )
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
        guild = guild_of(interaction)
        organizer = await door_staff(interaction, self.events)
        if (member is None) == (code is None):
            await reply(interaction, _("Give either the member or their ticket code (not both)."))
            return
        found = await self.events.catalogue.resolve(guild.id, event)
        member_id = member.id if member else None
        text = await check_in(
            interaction, self.events, found.id, organizer=organizer, member_id=member_id, code=code
        )
        await reply(interaction, text)

    @app_commands.command(  # type: ignore[type-var]  # a mixin: see /event ticket
        name="door", description="Get a link (by DM) to the door page: scan tickets with a phone"
    )
    @app_commands.describe(
        event=EVENT_HELP, revoke="Make every door link of this event sent so far stop working"
    )
    @app_commands.autocomplete(event=event_choices)
    @app_commands.guild_only()
    async def door(
        self, interaction: discord.Interaction, event: str, revoke: bool = False
    ) -> None:
        guild = guild_of(interaction)
        await door_staff(interaction, self.events)
        found = await self.events.catalogue.resolve(guild.id, event)
        title = truncate(found.title, 200)
        if revoke:
            await self.door_web.revoke(guild.id, found.id)
            await reply(
                interaction,
                _(
                    "Every door link of **{title}** sent so far stops working now; "
                    "`/event door` sends a new one.",
                    title=title,
                ),
            )
            return
        if not self.bot.web.enabled:
            await reply(interaction, _(NO_WEB))
            return
        if found.cancelled:
            await reply(
                interaction, _("**{title}** was cancelled, so it has no door.", title=title)
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        url, expires = await self.door_web.link(guild.id, found, interaction.user.id)
        if expires <= self.events.store.now():
            await reply(
                interaction, _("**{title}** is over: its check-in has closed.", title=title)
            )
            return
        tz = await self.door_web.desk.timezone(guild.id)
        until = f"{format_local(expires, tz)} ({tz.key})"
        try:
            await interaction.user.send(
                _(
                    "Door page for **{title}**: open it on your phone and point the camera at "
                    "tickets.\n{url}\nIt works until {until}. Keep it to yourself: it checks "
                    "members in and shows their names. `/event door revoke:True` ends it.",
                    title=title,
                    url=url,
                    until=until,
                )
            )
        except discord.Forbidden:
            await reply(
                interaction,
                _(
                    "I couldn't DM you the link: your DMs from this server are closed. Allow "
                    "them (the server's Privacy Settings) and run `/event door` again."
                ),
            )
            return
        await reply(
            interaction,
            _(
                "Sent you the door link for **{title}** by DM (until {until}).",
                title=title,
                until=until,
            ),
        )

    # --- organizers' numbers ----------------------------------------------------
    @app_commands.command(name="stats", description="Going, check-ins, no-shows, walk-ins")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def stats(self, interaction: discord.Interaction, event: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.events.catalogue.resolve(guild_id, event)
        stats = await self.events.door.stats(guild_id, found.id)
        embed = discord.Embed(title=truncate(_("Stats: {title}", title=found.title), 256))
        embed.add_field(name=_("Going"), value=str(stats.going))
        embed.add_field(name=_("Waitlisted"), value=str(stats.waitlisted))
        embed.add_field(name=_("Checked in"), value=str(stats.checked_in))
        embed.add_field(name=_("Walk-ins"), value=str(stats.walk_ins))
        embed.add_field(
            name=_("No-shows"),
            value=str(stats.no_shows) if stats.no_shows is not None else _("after it ends"),
        )
        embed.add_field(name=_("Undelivered DMs"), value=str(stats.undelivered))
        embed.add_field(name=_("Check-ins per 15 minutes"), value=_curve(stats.curve), inline=False)
        tz = (await self.events.store.guilds.get(guild_id)).tz
        # Drawing takes CPU: in a worker thread, answered "thinking…" first if it is slow.
        chart = await in_time(interaction, asyncio.to_thread(checkin_chart, stats, tz))
        if chart is None:
            await reply(interaction, embed=embed)
            return
        file = discord.File(
            io.BytesIO(chart.png), filename=chart.filename, description=chart.alt_text
        )
        await reply(interaction, embed=embed, file=file)

    @app_commands.command(name="feedback", description="What attendees said about an event")
    @app_commands.describe(event=EVENT_HELP)
    @app_commands.autocomplete(event=organizer_event_choices)
    @app_commands.guild_only()
    @organizer_only()
    async def feedback(self, interaction: discord.Interaction, event: str) -> None:
        guild_id = guild_of(interaction).id
        found = await self.events.catalogue.resolve(guild_id, event)
        summary = await self.events.feedback.summary(guild_id, found.id)
        if not summary.count:
            await reply(
                interaction, _("No feedback yet for **{title}**.", title=truncate(found.title, 200))
            )
            return
        bars = "\n".join(
            f"{'★' * r}{'☆' * (5 - r)} {n}"
            for r, n in sorted(summary.distribution.items(), reverse=True)
        )
        text = (
            _(
                "**{title}**: {count} answer(s), average {average:.1f} / 5",
                title=truncate(found.title, 200),
                count=summary.count,
                average=summary.average,
            )
            + f"\n{bars}"
        )
        kwargs: dict[str, Any] = {}
        if summary.comments:
            report = feedback_report(summary).encode("utf-8")
            kwargs["file"] = discord.File(
                io.BytesIO(report), filename=f"event-{found.id}-feedback.txt"
            )
        await reply(interaction, text, **kwargs)


def _curve(curve: tuple[tuple[int, int], ...]) -> str:
    """One line per 15-minute slot. Now that organizers check in at any time, check-ins
    may lie hours or days apart: three or more empty slots in a row make one `⋯` line,
    and the date is shown when the curve spans more than a day."""
    if not curve:
        return _("no check-ins yet")
    top = max(n for _, n in curve) or 1
    style: Literal["t", "f"] = "t" if curve[-1][0] - curve[0][0] < 86400 else "f"
    lines: list[str] = []
    for empty, group in groupby(curve, key=lambda slot: slot[1] == 0):
        run = list(group)
        if empty and len(run) >= 3:
            lines.append("⋯")
            continue
        lines.extend(
            f"{format_dt(utc(slot), style)} {'█' * max(1, round(12 * n / top)) if n else '·'} {n}"
            for slot, n in run
        )
    return truncate("\n".join(lines), 1024)
