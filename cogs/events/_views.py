"""The events' persistent buttons: Going, Can't go, Add to calendar on the announcement,
and Give feedback in the after-event DM; beside them the announcement's "Add to Google
Calendar" link button (a URL: nothing to dispatch, so nothing to survive a restart).

They are DynamicItems: the event id lives in the custom_id, so the buttons keep working
after a restart without any view state (template version v1). Each click finds its work
through one typed object, `EventsFeature`, which says clearly if events aren't loaded.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import discord

from bot.errors import DomainError
from bot.events import Event
from bot.i18n import N_, _
from cogs._common import bot_of, guarded
from cogs._i18n import SpokenItem
from cogs.events._embeds import google_button
from cogs.events._feature import EventsFeature

# Labels are translated when a button is built (in the reader's language).
ACTIONS = {
    "go": (N_("Going"), discord.ButtonStyle.success),
    "leave": (N_("Can't go"), discord.ButtonStyle.secondary),
    "ics": (N_("Add to calendar"), discord.ButtonStyle.primary),
}


def _events(interaction: discord.Interaction) -> EventsFeature:
    return bot_of(interaction).features.get(EventsFeature)


class RsvpButton(
    SpokenItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"rsvp:v1:(?P<action>go|leave|ics):(?P<event_id>\d+)",
):
    def __init__(self, action: str, event_id: int, *, disabled: bool = False) -> None:
        label, style = ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=_(label),
                style=style,
                custom_id=f"rsvp:v1:{action}:{event_id}",
                disabled=disabled,
            )
        )
        self.action = action
        self.event_id = event_id

    async def language_guild(self, interaction: discord.Interaction) -> int | None:
        """Clicked in a DM (a ticket, a feedback request): the event's server decides."""
        with contextlib.suppress(DomainError):
            return await _events(interaction).events.store.guild_of(self.event_id)
        return None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(match["action"], int(match["event_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        feature = bot_of(interaction).features.get(EventsFeature)
        if self.action == "go":
            await feature.rsvp(interaction, self.event_id)
        elif self.action == "leave":
            await feature.leave(interaction, self.event_id)
        else:
            await feature.send_ics(interaction, self.event_id)


def announcement_view(event: Event) -> discord.ui.View:
    """Going, Can't go, Add to calendar and, unless cancelled, Add to Google Calendar."""
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton("go", event.id, disabled=event.cancelled))
    view.add_item(RsvpButton("leave", event.id, disabled=event.cancelled))
    view.add_item(RsvpButton("ics", event.id))
    if not event.cancelled:
        view.add_item(google_button(event))
    return view


class FeedbackButton(
    SpokenItem, discord.ui.DynamicItem[discord.ui.Button], template=r"efb:v1:(?P<event_id>\d+)"
):
    """In the after-event DM; opens the feedback form (works after a restart)."""

    def __init__(self, event_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Give feedback"),
                style=discord.ButtonStyle.primary,
                custom_id=f"efb:v1:{event_id}",
            )
        )
        self.event_id = event_id

    async def language_guild(self, interaction: discord.Interaction) -> int | None:
        """Clicked in a DM (a ticket, a feedback request): the event's server decides."""
        with contextlib.suppress(DomainError):
            return await _events(interaction).events.store.guild_of(self.event_id)
        return None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(int(match["event_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await (
            bot_of(interaction)
            .features.get(EventsFeature)
            .open_feedback(interaction, self.event_id)
        )


def ticket_view(event: Event, view: discord.ui.View | None = None) -> discord.ui.View:
    """On a ticket DM: Add to calendar and Can't go, in the reader's language. They work
    from the DM (the event says which server) and after a restart."""
    view = view or discord.ui.View(timeout=None)
    view.add_item(RsvpButton("ics", event.id))
    view.add_item(RsvpButton("leave", event.id))
    return view


def feedback_view(event_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(event_id))
    return view
