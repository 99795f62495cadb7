"""Persistent buttons in mentorship DMs (proposal answers, 14-day check-ins) and the
feedback form. Ids live in the custom_id, so buttons work after a restart; a click
reaches its work through the typed feature registry (`MentorshipFeature`), which says
so clearly if mentorship isn't loaded."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import discord

from bot.errors import DomainError
from bot.i18n import N_, _
from cogs._common import bot_of, guarded
from cogs._forms import form_id
from cogs._i18n import SpokenItem
from cogs.mentorship._feature import MentorshipFeature

CHECKIN_LABELS = {
    "going_well": (N_("Going well"), discord.ButtonStyle.success),
    "not_met": (N_("We haven't met"), discord.ButtonStyle.secondary),
    "need_help": (N_("Need help"), discord.ButtonStyle.danger),
}
FEEDBACK_TITLE = N_("How was this mentorship?")
RATING_LABEL = N_("Rating from 1 (poor) to 5 (great)")
COMMENT_LABEL = N_("Anything to share? (optional)")


def _feature(interaction: discord.Interaction) -> MentorshipFeature:
    return bot_of(interaction).features.get(MentorshipFeature)


class ProposalButton(
    SpokenItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"mentor:v1:(?P<answer>accept|decline):(?P<proposal_id>\d+)",
):
    def __init__(self, answer: str, proposal_id: int, *, disabled: bool = False) -> None:
        accept = answer == "accept"
        super().__init__(
            discord.ui.Button(
                label=_("Accept") if accept else _("Decline"),
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"mentor:v1:{answer}:{proposal_id}",
                disabled=disabled,
            )
        )
        self.answer = answer
        self.proposal_id = proposal_id

    async def language_guild(self, interaction: discord.Interaction) -> int | None:
        """Clicked in the proposal's DM: the proposal's server decides the language."""
        with contextlib.suppress(DomainError):
            return (await _feature(interaction).service.proposals.get(self.proposal_id)).guild_id
        return None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ProposalButton:
        return cls(match["answer"], int(match["proposal_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _feature(interaction).answer_proposal(
            interaction, self.proposal_id, self.answer == "accept"
        )


class CheckinButton(
    SpokenItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"mcheck:v1:(?P<answer>going_well|not_met|need_help):(?P<match_id>\d+)",
):
    def __init__(self, answer: str, match_id: int) -> None:
        label, style = CHECKIN_LABELS[answer]
        super().__init__(
            discord.ui.Button(
                label=_(label), style=style, custom_id=f"mcheck:v1:{answer}:{match_id}"
            )
        )
        self.answer = answer
        self.match_id = match_id

    async def language_guild(self, interaction: discord.Interaction) -> int | None:
        """Clicked in the check-in DM: the match's server decides the language."""
        with contextlib.suppress(DomainError):
            return (await _feature(interaction).service.matches.get(self.match_id)).guild_id
        return None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CheckinButton:
        return cls(match["answer"], int(match["match_id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await _feature(interaction).answer_checkin(interaction, self.match_id, self.answer)


def proposal_view(proposal_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ProposalButton("accept", proposal_id))
    view.add_item(ProposalButton("decline", proposal_id))
    return view


def checkin_view(match_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in CHECKIN_LABELS:
        view.add_item(CheckinButton(answer, match_id))
    return view


class FeedbackModal(discord.ui.Modal, title=FEEDBACK_TITLE):
    """Handled by MentorshipFeature.submit_feedback through cogs/_forms.py."""

    TEMPLATE = r"mfeedback:v2:(?P<match_id>\d+)"

    rating: discord.ui.TextInput = discord.ui.TextInput(
        label=RATING_LABEL,
        custom_id="rating",
        min_length=1,
        max_length=1,
        placeholder="5",
    )
    comment: discord.ui.TextInput = discord.ui.TextInput(
        label=COMMENT_LABEL,
        custom_id="comment",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=1000,
    )

    def __init__(self, match_id: int, member_id: int) -> None:
        # Built when the member asks for it: in their language (the class's are English).
        super().__init__(
            title=_(FEEDBACK_TITLE), custom_id=form_id(f"mfeedback:v2:{match_id}", member_id)
        )
        self.rating.label = _(RATING_LABEL)
        self.comment.label = _(COMMENT_LABEL)
