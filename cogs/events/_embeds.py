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
from cogs._common import truncate

GOING_COLOUR = discord.Colour.from_rgb(66, 133, 244)  # Google blue
CANCELLED_COLOUR = discord.Colour.dark_grey()


def utc(epoch: int) -> datetime:
    """Stored epoch seconds as the datetime `format_dt` takes."""
    return datetime.fromtimestamp(epoch, UTC)


def when(event: Event) -> str:
    starts, ends = format_dt(event.starts, "F"), format_dt(event.ends, "F")
    return f"{starts} ({format_dt(event.starts, 'R')})\nuntil {ends}"


def seats_text(event: Event) -> str:
    if event.capacity is None:
        return f"{event.going} going (no limit)"
    text = f"{event.going}/{event.capacity} going"
    return text + (" — full" if event.full else f" — {event.seats_left} left")


def event_embed(event: Event, *, status: MemberStatus | None = None) -> discord.Embed:
    """The event's card; with `status`, the member's own place is added (ephemeral uses),
    and the online link when that member is going. The public card never has the link."""
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
        if link := event.link_for(status.status):
            embed.add_field(name="Join online", value=link, inline=False)
    embed.set_footer(text=f"Event #{event.id}")
    return embed


def status_text(event: Event, status: MemberStatus) -> str:
    if status.status == "going":
        return f"Going — seat {status.seat}" + (f" of {event.capacity}" if event.capacity else "")
    if status.status == "waitlist":
        return f"#{status.position} on the waitlist"
    return "Not registered"


def online_line(link: str | None) -> str:
    """The online link as a line of one member's own message (<…>: no preview card)."""
    return f"\nJoin online: <{link}>" if link else ""


def list_line(event: Event) -> str:
    return (
        f"**{event.title}** · {event.city} · {format_dt(event.starts, 'F')} · {seats_text(event)}"
    )


GOOGLE_LABEL = "Add to Google Calendar"


def google_button(event: Event) -> discord.ui.Button[discord.ui.View]:
    """Google's template link (a URL button): public, so never the online link."""
    return discord.ui.Button(label=GOOGLE_LABEL, url=google_calendar_url(event, jump_url(event)))


def jump_url(event: Event) -> str | None:
    return announcement_url(event)


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
            f" Seats still free at {format_dt(utc(result.release_at), 'F')} go to you in "
            "click order."
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


def policy_text(policy: NoShowPolicy) -> str:
    if not policy.limit:
        return "The no-show policy is off."
    return (
        f"Members with {policy.limit} or more no-shows in their last {policy.window} events "
        "wait behind everyone else; attending one event clears it."
    )
