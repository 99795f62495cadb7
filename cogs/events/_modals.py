"""The events' forms: the registration questions and the after-event feedback.

Each is only a description of the form (cogs/_forms.py): the answer is routed by its
template to `EventsFeature.submit_questions` / `submit_feedback`, which needs no memory
of the opening and works after a restart.
"""

from __future__ import annotations

import discord

from cogs._forms import form_id


class QuestionsModal(discord.ui.Modal, title="Register"):
    """The event's registration questions; the RSVP is stored only on submit."""

    TEMPLATE = r"rsvpq:v2:(?P<event_id>\d+)"

    def __init__(self, event_id: int, questions: tuple[str, ...], member_id: int) -> None:
        super().__init__(custom_id=form_id(f"rsvpq:v2:{event_id}", member_id))
        for i, question in enumerate(questions):
            self.add_item(
                discord.ui.TextInput(
                    label=question[:45], custom_id=f"q{i}", max_length=200, required=True
                )
            )


class FeedbackModal(discord.ui.Modal, title="How was the event?"):
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
