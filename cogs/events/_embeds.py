"""How events look in Discord: the announcement card and short status lines."""

from __future__ import annotations

import discord

from bot.events import Event, MemberStatus
from cogs._common import truncate

GOING_COLOUR = discord.Colour.from_rgb(66, 133, 244)  # Google blue
CANCELLED_COLOUR = discord.Colour.dark_grey()


def ts(epoch: int, style: str = "F") -> str:
    """A Discord timestamp: every member sees it in their own time zone."""
    return f"<t:{int(epoch)}:{style}>"


def when(event: Event) -> str:
    return f"{ts(event.starts_at)} ({ts(event.starts_at, 'R')})\nuntil {ts(event.ends_at)}"


def seats_text(event: Event) -> str:
    if event.capacity is None:
        return f"{event.going} going (no limit)"
    text = f"{event.going}/{event.capacity} going"
    return text + (" — full" if event.full else f" — {event.seats_left} left")


def event_embed(event: Event, *, status: MemberStatus | None = None) -> discord.Embed:
    """The event's card; with `status`, the member's own place is added (ephemeral uses)."""
    title = event.title if not event.cancelled else f"[Cancelled] {event.title}"
    embed = discord.Embed(
        title=truncate(title, 256),
        description=truncate(event.description or "", 4096) or None,
        colour=CANCELLED_COLOUR if event.cancelled else GOING_COLOUR,
    )
    embed.add_field(name="When", value=when(event), inline=False)
    embed.add_field(name="Where", value=truncate(event.location, 1024), inline=True)
    embed.add_field(name="Seats", value=seats_text(event), inline=True)
    embed.add_field(name="Waitlist", value=str(event.waitlist), inline=True)
    organizer = f"<@{event.organizer_id}>" if event.organizer_id else "a former member"
    embed.add_field(name="Organizer", value=organizer, inline=True)
    if event.cancelled:
        reason = event.cancel_reason or "no reason given"
        embed.add_field(name="Cancelled", value=truncate(reason, 1024), inline=False)
    if status is not None:
        embed.add_field(name="You", value=status_text(event, status), inline=False)
    embed.set_footer(text=f"Event #{event.id}")
    return embed


def status_text(event: Event, status: MemberStatus) -> str:
    if status.status == "going":
        return f"Going — seat {status.seat}" + (f" of {event.capacity}" if event.capacity else "")
    if status.status == "waitlist":
        return f"#{status.position} on the waitlist"
    return "Not registered"


def list_line(event: Event) -> str:
    return f"**{event.title}** · {event.city} · {ts(event.starts_at)} · {seats_text(event)}"


def jump_url(event: Event) -> str | None:
    if event.channel_id and event.message_id:
        return (
            f"https://discord.com/channels/{event.guild_id}/{event.channel_id}/{event.message_id}"
        )
    return None
