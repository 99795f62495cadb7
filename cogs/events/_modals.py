"""The events' forms: the registration questions and the after-event feedback.

Each is only a description of the form (cogs/_forms.py): the answer is routed by its
template to `EventsFeature.submit_questions` / `submit_feedback`, which needs no memory
of the opening and works after a restart.
"""

from __future__ import annotations

import discord

from bot.i18n import _
from cogs._forms import form_id


class QuestionsModal(discord.ui.Modal):
    """The event's registration questions; the RSVP is stored only on submit."""

    TEMPLATE = r"rsvpq:v2:(?P<event_id>\d+)"

    def __init__(self, event_id: int, questions: tuple[str, ...], member_id: int) -> None:
        super().__init__(title=_("Register"), custom_id=form_id(f"rsvpq:v2:{event_id}", member_id))
        # The questions are the organizer's own words: never translated.
        for i, question in enumerate(questions):
            self.add_item(
                discord.ui.TextInput(
                    label=question[:45], custom_id=f"q{i}", max_length=200, required=True
                )
            )


class FeedbackModal(discord.ui.Modal):
    TEMPLATE = r"efbm:v2:(?P<event_id>\d+)"

    # Labels are set in __init__, in the language of the member opening the form.
    rating: discord.ui.TextInput = discord.ui.TextInput(
        label="Rating",
        custom_id="rating",
        min_length=1,
        max_length=1,
        placeholder="5",
    )
    comment: discord.ui.TextInput = discord.ui.TextInput(
        label="Comment",
        custom_id="comment",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=1000,
    )

    def __init__(self, event_id: int, member_id: int) -> None:
        super().__init__(
            title=_("How was the event?"), custom_id=form_id(f"efbm:v2:{event_id}", member_id)
        )
        self.rating.label = _("Rating from 1 (poor) to 5 (great)")
        self.comment.label = _("Anything to tell the organizers? (optional)")
