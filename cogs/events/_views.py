"""The announcement's persistent buttons: Going, Can't go, Add to calendar.

They are DynamicItems: the event id lives in the custom_id, so the buttons keep
working after a restart without any view state (template version v1).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from cogs._common import guarded
from cogs._forms import form_id

ACTIONS = {
    "go": ("Going", discord.ButtonStyle.success),
    "leave": ("Can't go", discord.ButtonStyle.secondary),
    "ics": ("Add to calendar", discord.ButtonStyle.primary),
}


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"rsvp:v1:(?P<action>go|leave|ics):(?P<event_id>\d+)",
):
    def __init__(self, action: str, event_id: int, *, disabled: bool = False) -> None:
        label, style = ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=f"rsvp:v1:{action}:{event_id}",
                disabled=disabled,
            )
        )
        self.action = action
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(match["action"], int(match["event_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cog: Any = interaction.client.get_cog("Events")  # type: ignore[attr-defined]
        if self.action == "go":
            await cog.do_rsvp(interaction, self.event_id)
        elif self.action == "leave":
            await cog.do_leave(interaction, self.event_id)
        else:
            await cog.send_ics(interaction, self.event_id)


def announcement_view(event_id: int, *, cancelled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton("go", event_id, disabled=cancelled))
    view.add_item(RsvpButton("leave", event_id, disabled=cancelled))
    view.add_item(RsvpButton("ics", event_id))
    return view


class QuestionsModal(discord.ui.Modal, title="Register"):
    """The event's registration questions; the RSVP is stored only on submit (the answer
    is handled by EventsCog.submit_questions through cogs/_forms.py)."""

    TEMPLATE = r"rsvpq:v2:(?P<event_id>\d+)"

    def __init__(self, event_id: int, questions: tuple[str, ...], member_id: int) -> None:
        super().__init__(custom_id=form_id(f"rsvpq:v2:{event_id}", member_id))
        for i, question in enumerate(questions):
            self.add_item(
                discord.ui.TextInput(
                    label=question[:45], custom_id=f"q{i}", max_length=200, required=True
                )
            )


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"efb:v1:(?P<event_id>\d+)"
):
    """In the after-event DM; opens the feedback form (works after a restart)."""

    def __init__(self, event_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Give feedback",
                style=discord.ButtonStyle.primary,
                custom_id=f"efb:v1:{event_id}",
            )
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        return cls(int(match["event_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cog: Any = interaction.client.get_cog("Events")  # type: ignore[attr-defined]
        await cog.open_feedback(interaction, self.event_id)


class FeedbackModal(discord.ui.Modal, title="How was the event?"):
    """Handled by EventsCog.submit_feedback through cogs/_forms.py."""

    TEMPLATE = r"efbm:v2:(?P<event_id>\d+)"

    rating: discord.ui.TextInput = discord.ui.TextInput(
        label="Rating from 1 (poor) to 5 (great)",
        custom_id="rating",
        min_length=1,
        max_length=1,
        placeholder="5",
    )
    comment: discord.ui.TextInput = discord.ui.TextInput(
        label="Anything to tell the organizers? (optional)",
        custom_id="comment",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=1000,
    )

    def __init__(self, event_id: int, member_id: int) -> None:
        super().__init__(custom_id=form_id(f"efbm:v2:{event_id}", member_id))


def feedback_view(event_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(event_id))
    return view
