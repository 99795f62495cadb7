"""How events look in Discord: the announcement card, short status lines and the
answer to Going. Times are Discord timestamps (`format_dt`): every member sees them in
their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from discord.utils import format_dt

from bot.events import Event, MemberStatus, NoShowPolicy, RsvpResult
from bot.events.calendar_feed import announcement_url
from bot.events.google_calendar import google_calendar_url
from bot.i18n import N_, _
from cogs._common import truncate

GOING_COLOUR = discord.Colour.from_rgb(66, 133, 244)  # Google blue
CANCELLED_COLOUR = discord.Colour.dark_grey()


def utc(epoch: int) -> datetime:
    """Stored epoch seconds as the datetime `format_dt` takes."""
    return datetime.fromtimestamp(epoch, UTC)


def when(event: Event) -> str:
    return _(
        "{starts} ({relative})\nuntil {ends}",
        starts=format_dt(event.starts, "F"),
        relative=format_dt(event.starts, "R"),
        ends=format_dt(event.ends, "F"),
    )


def seats_text(event: Event) -> str:
    if event.capacity is None:
        return _("{going} going (no limit)", going=event.going)
    if event.full:
        return _("{going}/{capacity} going — full", going=event.going, capacity=event.capacity)
    return _(
        "{going}/{capacity} going — {left} left",
        going=event.going,
        capacity=event.capacity,
        left=event.seats_left,
    )


def event_embed(event: Event, *, status: MemberStatus | None = None) -> discord.Embed:
    """The event's card; with `status`, the member's own place is added (ephemeral uses),
    and the online link when that member is going. The public card never has the link."""
    title = event.title if not event.cancelled else _("[Cancelled] {title}", title=event.title)
    embed = discord.Embed(
        title=truncate(title, 256),
        description=truncate(event.description or "", 4096) or None,
        colour=CANCELLED_COLOUR if event.cancelled else GOING_COLOUR,
    )
    embed.add_field(name=_("When"), value=when(event), inline=False)
    embed.add_field(name=_("Where"), value=truncate(event.location, 1024), inline=True)
    embed.add_field(name=_("Seats"), value=seats_text(event), inline=True)
    embed.add_field(name=_("Waitlist"), value=str(event.waitlist), inline=True)
    organizer = f"<@{event.organizer_id}>" if event.organizer_id else _("a former member")
    embed.add_field(name=_("Organizer"), value=organizer, inline=True)
    if event.cancelled:
        reason = event.cancel_reason or _("no reason given")
        embed.add_field(name=_("Cancelled"), value=truncate(reason, 1024), inline=False)
    if status is not None:
        embed.add_field(name=_("You"), value=status_text(event, status), inline=False)
        if link := event.link_for(status.status):
            embed.add_field(name=_("Join online"), value=link, inline=False)
    embed.set_footer(text=_("Event #{id}", id=event.id))
    return embed


def status_text(event: Event, status: MemberStatus) -> str:
    if status.status == "going":
        if event.capacity:
            return _("Going — seat {seat} of {capacity}", seat=status.seat, capacity=event.capacity)
        return _("Going — seat {seat}", seat=status.seat)
    if status.status == "waitlist":
        return _("#{position} on the waitlist", position=status.position)
    return _("Not registered")


def online_line(link: str | None) -> str:
    """The online link as a line of one member's own message (<…>: no preview card)."""
    return "\n" + _("Join online: <{link}>", link=link) if link else ""


def list_line(event: Event) -> str:
    return (
        f"**{event.title}** · {event.city} · {format_dt(event.starts, 'F')} · {seats_text(event)}"
    )


GOOGLE_LABEL = N_("Add to Google Calendar")


def google_button(event: Event) -> discord.ui.Button[discord.ui.View]:
    """Google's template link (a URL button): public, so never the online link."""
    return discord.ui.Button(label=_(GOOGLE_LABEL), url=google_calendar_url(event, jump_url(event)))


def jump_url(event: Event) -> str | None:
    return announcement_url(event)


def rsvp_text(result: RsvpResult) -> str:
    """What a member sees after Going: their seat, or their place and why."""
    event = result.event
    if result.outcome == "seated":
        if result.capacity:
            return _(
                "You're in — seat {seat} of {capacity} for **{title}**. "
                "Your ticket is in your DMs.",
                seat=result.seat,
                capacity=result.capacity,
                title=event.title,
            )
        return _(
            "You're in — seat {seat} for **{title}**. Your ticket is in your DMs.",
            seat=result.seat,
            title=event.title,
        )
    if result.outcome == "already_going":
        if result.capacity:
            return _(
                "You're already going — seat {seat} of {capacity}. Nothing changed.",
                seat=result.seat,
                capacity=result.capacity,
            )
        return _("You're already going — seat {seat}. Nothing changed.", seat=result.seat)
    if result.outcome == "already_waitlisted":
        return _(
            "You're already #{position} on the waitlist. Nothing changed.",
            position=result.position,
        )
    if result.behind and result.standing:
        st = result.standing
        release = (
            " "
            + _(
                "Seats still free at {time} go to you in click order.",
                time=format_dt(utc(result.release_at), "F"),
            )
            if result.release_at
            else ""
        )
        return (
            _(
                "You're #{position} on the waitlist, behind members in good standing: you "
                "missed {no_shows} of your last {counted} events without checking in. "
                "Attending one event clears it.",
                position=result.position,
                no_shows=st.no_shows,
                counted=st.counted,
            )
            + release
        )
    return _(
        "The event is full — you're #{position} on the waitlist. I'll DM you if a seat opens up.",
        position=result.position,
    )


def policy_text(policy: NoShowPolicy) -> str:
    if not policy.limit:
        return _("The no-show policy is off.")
    return _(
        "Members with {limit} or more no-shows in their last {window} events "
        "wait behind everyone else; attending one event clears it.",
        limit=policy.limit,
        window=policy.window,
    )
