"""Checking a member in, however it is asked for: `/event checkin` (the event named), the
member's context menu **Check in** (the event found, or asked for with a select menu) and
that menu's answer. One flow for the three: who may (organizers and the volunteer role,
checked again at every step), the door's rules (`Door.check_in`: walk-ins, the check-in
window, refusals) and the words of the answer.

The select menu is a DynamicItem with the member in its custom_id and the events as its
values, so an answer is decided from what it says and the database alone, also after a
restart (template version v1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord.utils import format_dt

from bot.events import CheckInChoice, CheckInResult, DoorClosed, window_text
from bot.i18n import _, strip_marks
from bot.timeutil import format_local
from cogs._common import (
    NO_PINGS,
    NotOrganizer,
    bot_of,
    guarded,
    guild_of,
    is_organizer,
    reply,
    truncate,
)
from cogs._i18n import SpokenItem
from cogs.events._embeds import utc
from cogs.events._feature import EventsFeature

if TYPE_CHECKING:
    from bot.events import EventService

MENU_NAME = "Check in"


class VolunteerOnly(NotOrganizer):
    """Neither an organizer nor the guild's volunteer role."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Only organizers and volunteers can check members in: ask an organizer for "
                "the volunteer role (`/settings volunteer-role`)."
            )
        )


async def door_staff(interaction: discord.Interaction, events: EventService) -> bool:
    """True for an organizer, False for a volunteer; anyone else is refused."""
    if await is_organizer(interaction):
        return True
    role_id = await events.door.volunteer_role(guild_of(interaction).id)
    member = interaction.user
    if role_id and isinstance(member, discord.Member) and member.get_role(role_id):
        return False
    raise VolunteerOnly()


async def check_in(
    interaction: discord.Interaction,
    events: EventService,
    event_id: int,
    *,
    organizer: bool,
    member_id: int | None = None,
    code: str | None = None,
) -> str:
    """Check the member in (by member or by ticket code) as the one asking, whose right to
    was just checked (`door_staff`, which says whether they are an organizer); the answer
    to show them. Refusals other than the window's are raised (DomainError)."""
    guild = guild_of(interaction)
    try:
        result = await events.door.check_in(
            guild.id,
            event_id,
            by_user_id=interaction.user.id,
            member_id=member_id,
            code=strip_marks(code) if code is not None else None,  # copied from an Urdu DM
            organizer=organizer,
        )
    except DoorClosed as closed:
        return closed_text(closed)
    return result_text(result, guild)


def closed_text(closed: DoorClosed) -> str:
    """The window isn't open to volunteers: when it opens (or closed), in their own time."""
    title = truncate(closed.event.title, 200)
    if closed.not_yet:
        opens = utc(closed.opens_at)
        return _(
            "Check-in for **{title}** opens {when}: {at} ({relative}). "
            "Organizers can check members in before that.",
            title=title,
            when=closed.opens_when,
            at=format_dt(opens, "F"),
            relative=format_dt(opens, "R"),
        )
    return _(
        "Check-in for **{title}** closed {at}, an hour after the end. "
        "Organizers can still check members in.",
        title=title,
        at=format_dt(utc(closed.closes_at), "F"),
    )


def result_text(result: CheckInResult, guild: discord.Guild) -> str:
    who = guild.get_member(result.member_id)
    name = f"**{who.display_name}**" if who else f"<@{result.member_id}>"
    if result.outcome == "already":
        at = format_dt(utc(result.checked_in_at), "T")
        if result.by_user_id:
            by = f"<@{result.by_user_id}>"
            return _("{name} was already checked in at {at} by {by}.", name=name, at=at, by=by)
        return _("{name} was already checked in at {at}.", name=name, at=at)
    if result.outcome == "walk_in":
        if result.status == "waitlist":
            text = _("Recorded {name} as a **walk-in** (is on the waitlist).", name=name)
        else:
            text = _("Recorded {name} as a **walk-in** (had no RSVP).", name=name)
    else:
        text = _(
            "✅ {name} checked in — seat {seat}, ticket {code}.",
            name=name,
            seat=result.seat,
            code=result.code,
        )
    if result.outside_window:
        opens = utc(result.event.checkin_opens_at(result.window_hours))
        closes = utc(result.event.checkin_closes_at)
        text += "\n" + _(
            "This was outside the check-in window: volunteers can check members in from "
            "{opens} until {closes}.",
            opens=format_dt(opens, "f"),
            closes=format_dt(closes, "f"),
        )
    return text


# --- the member's context menu ---------------------------------------------------------
async def check_in_member(interaction: discord.Interaction, member: discord.Member) -> None:
    """Right-click a member → Apps → Check in: at the one event they can be checked in to
    now, or a question when there are several (see `Door.choices_for`)."""
    guild = guild_of(interaction)
    events = bot_of(interaction).features.get(EventsFeature).events
    organizer = await door_staff(interaction, events)
    choices = await events.door.choices_for(guild.id, member.id, organizer=organizer)
    name = f"**{member.display_name}**"
    if len(choices) == 1:
        only = choices[0].event.id
        text = await check_in(interaction, events, only, organizer=organizer, member_id=member.id)
        await reply(interaction, text)
    elif choices:
        tz = (await events.store.guilds.get(guild.id)).tz
        await reply(
            interaction,
            _(
                "{name} could be checked in at {count} events now: which one?",
                name=name,
                count=len(choices),
            ),
            view=pick_view(member.id, choices, tz),
        )
    else:
        hours = await events.door.checkin_window(guild.id)
        text = _(
            "No event is open for check-in now, so I can't check {name} in: volunteers can "
            "check members in from {window} of an event until an hour after its end "
            "(`/settings checkin-window`).",
            name=name,
            window=window_text(hours),
        )
        if organizer:
            text += " " + _(
                "{name} has no RSVP to an upcoming event either: to check them in early "
                "anyway, use `/event checkin` and name the event.",
                name=name,
            )
        await reply(interaction, text)


class CheckInPick(
    SpokenItem,
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"door:v1:pick:(?P<member_id>\d+)",
):
    """Which event a member right-clicked for check-in is at; decided when picked, with
    the picker's right to check in and the door's rules checked again then."""

    def __init__(self, member_id: int, options: Sequence[discord.SelectOption] = ()) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"door:v1:pick:{member_id}",
                placeholder=_("The event they are at"),
                options=list(options),  # none when rebuilt from a pick: not sent again
            )
        )
        self.member_id = member_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CheckInPick:
        return cls(int(match["member_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        events = bot_of(interaction).features.get(EventsFeature).events
        organizer = await door_staff(interaction, events)  # again: it may have changed
        (event_id,) = self.item.values
        text = await check_in(
            interaction, events, int(event_id), organizer=organizer, member_id=self.member_id
        )
        await interaction.response.edit_message(
            content=truncate(text, 2000), view=None, allowed_mentions=NO_PINGS
        )


def pick_view(member_id: int, choices: Sequence[CheckInChoice], tz: ZoneInfo) -> discord.ui.View:
    status = {"going": _("has a seat"), "waitlist": _("on the waitlist"), None: _("walk-in")}
    options = [
        discord.SelectOption(
            label=truncate(c.event.title, 100),
            value=str(c.event.id),
            description=truncate(
                f"{c.event.city} · {format_local(c.event.starts_at, tz)} · {status[c.status]}",
                100,
            ),
        )
        for c in choices[:25]
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(CheckInPick(member_id, options))
    return view
