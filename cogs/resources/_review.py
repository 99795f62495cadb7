"""/resource review: one pending suggestion at a time, for the organizer who opened it.

Approve → pick a topic and a level (select menus) → Confirm; Reject; Skip. The
service owes the suggester a DM in the same transaction as the decision; the
view wakes the deliverer. A suggestion another organizer decided meanwhile is
reported in the status line and the queue moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

import discord

from bot.errors import DomainError
from bot.i18n import _
from bot.resources import LEVELS, Resource
from bot.resources.review import ReviewQueue
from cogs._common import BaseView, reply, require_organizer, truncate
from cogs.resources._embeds import COLOUR, level_name, level_text, plain, stamp

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 840  # under the 15 minutes an interaction's token lasts


def suggestion_embed(resource: Resource, waiting: int) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(resource.title, 256),
        url=resource.url,
        description=truncate(resource.url, 4096),
        colour=COLOUR,
    )
    who = f"<@{resource.suggested_by}>" if resource.suggested_by else _("a former member")
    embed.add_field(name=_("Suggested by"), value=who, inline=True)
    embed.add_field(name=_("Suggested"), value=stamp(resource.created_at, "R"), inline=True)
    if resource.note:
        embed.add_field(name=_("Note"), value=truncate(resource.note, 1024), inline=False)
    embed.set_footer(
        text=_("Suggestion #{id} · {waiting} waiting in all", id=resource.id, waiting=waiting)
    )
    return embed


def _picked(interaction: discord.Interaction) -> str | None:
    """The value picked in a select menu."""
    values: list[str] = cast(dict[str, Any], interaction.data or {}).get("values", [])
    return values[0] if values else None


class ReviewView(BaseView):
    def __init__(
        self,
        queue: ReviewQueue,
        guild_id: int,
        owner_id: int,
        current: Resource,
        topics: list[str],
        origin: discord.Interaction,
        on_decided: Callable[[], None],
    ) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS)
        self.queue = queue
        self.guild_id = guild_id
        self.owner_id = owner_id
        self.current: Resource | None = current
        self.topics = topics[:25]
        self.origin = origin
        self.on_decided = on_decided
        self.status = ""
        self.waiting = 0
        self.topic: str | None = None
        self.level: str | None = None
        self._decide_buttons()

    # --- what is shown ----------------------------------------------------------
    async def message(self) -> dict[str, Any]:
        """Arguments for send/edit: the status line, the suggestion's card and these buttons."""
        self.waiting = await self.queue.pending_count(self.guild_id)
        if self.current is None:
            self.stop()
            done = _("No more suggestions are waiting. 🎉")
            text = f"{self.status}\n{done}" if self.status else done
            return {"content": truncate(text, 2000), "embed": None, "view": None}
        content = self.status
        if self.topic is None and self.level is None and self._approving:
            ask = _("Pick a topic and a level, then Confirm.")
            content = f"{content}\n{ask}" if content else ask
        return {
            "content": truncate(content, 2000) or None,
            "embed": suggestion_embed(self.current, self.waiting),
            "view": self,
        }

    @property
    def _approving(self) -> bool:
        return any(isinstance(i, discord.ui.Select) for i in self.children)

    def _decide_buttons(self) -> None:
        self.clear_items()
        for label, style, callback in (
            (_("Approve"), discord.ButtonStyle.success, self._approve),
            (_("Reject"), discord.ButtonStyle.danger, self._reject),
            (_("Skip"), discord.ButtonStyle.secondary, self._skip),
        ):
            button: discord.ui.Button[ReviewView] = discord.ui.Button(label=label, style=style)
            button.callback = callback  # type: ignore[method-assign]
            self.add_item(button)

    def _approve_controls(self) -> None:
        self.clear_items()
        topic: discord.ui.Select[ReviewView] = discord.ui.Select(
            placeholder=_("Topic"),
            options=[
                discord.SelectOption(label=truncate(t, 100), value=t[:100], default=t == self.topic)
                for t in self.topics
            ],
            row=0,
        )
        topic.callback = self._pick_topic  # type: ignore[method-assign]
        level: discord.ui.Select[ReviewView] = discord.ui.Select(
            placeholder=_("Level"),
            options=[
                discord.SelectOption(label=level_text(lv), value=lv, default=lv == self.level)
                for lv in LEVELS
            ],
            row=1,
        )
        level.callback = self._pick_level  # type: ignore[method-assign]
        confirm: discord.ui.Button[ReviewView] = discord.ui.Button(
            label=_("Confirm"),
            style=discord.ButtonStyle.success,
            disabled=self.topic is None or self.level is None,
            row=2,
        )
        confirm.callback = self._confirm  # type: ignore[method-assign]
        back: discord.ui.Button[ReviewView] = discord.ui.Button(
            label=_("Back"), style=discord.ButtonStyle.secondary, row=2
        )
        back.callback = self._back  # type: ignore[method-assign]
        for item in (topic, level, confirm, back):
            self.add_item(item)

    async def _show(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(**await self.message())

    async def _advance(self, after_id: int | None) -> None:
        """Move to the next suggestion after `after_id` (wrapping round to the oldest)."""
        following = await self.queue.next_pending(self.guild_id, after_id)
        if following is None and after_id is not None:
            following = await self.queue.next_pending(self.guild_id)
        self.current = following
        self.topic = self.level = None
        self._decide_buttons()

    # --- who may press --------------------------------------------------------
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        await super().interaction_check(interaction)  # the member\'s language
        if interaction.user.id != self.owner_id:
            await reply(
                interaction, _("These buttons belong to the organizer who ran /resource review.")
            )
            return False
        await require_organizer(interaction)  # the role may have been taken away meanwhile
        return True

    # --- the buttons --------------------------------------------------------------
    async def _approve(self, interaction: discord.Interaction) -> None:
        self.status = ""
        self._approve_controls()
        await self._show(interaction)

    async def _back(self, interaction: discord.Interaction) -> None:
        self.topic = self.level = None
        self._decide_buttons()
        await self._show(interaction)

    async def _pick_topic(self, interaction: discord.Interaction) -> None:
        self.topic = _picked(interaction)
        self._approve_controls()
        await self._show(interaction)

    async def _pick_level(self, interaction: discord.Interaction) -> None:
        self.level = _picked(interaction)
        self._approve_controls()
        await self._show(interaction)

    async def _confirm(self, interaction: discord.Interaction) -> None:
        assert self.current is not None
        if self.topic is None or self.level is None:
            await reply(interaction, _("Pick a topic and a level first."))
            return
        current = self.current
        try:
            approved = await self.queue.approve(
                self.guild_id, current.id, interaction.user.id, self.topic, self.level
            )
        except DomainError as exc:
            self.status = str(exc)
        else:
            self.status = _(
                "✅ Approved **{title}** (#{id}) as {topic} · {level}; the suggester gets a DM.",
                title=plain(truncate(approved.title, 150)),
                id=approved.id,
                topic=approved.topic,
                level=level_name(approved.level) if approved.level else approved.level,
            )
            self.on_decided()
        await self._advance(current.id)
        await self._show(interaction)

    async def _reject(self, interaction: discord.Interaction) -> None:
        assert self.current is not None
        current = self.current
        try:
            await self.queue.reject(self.guild_id, current.id, interaction.user.id)
        except DomainError as exc:
            self.status = str(exc)
        else:
            self.status = _(
                "Declined **{title}** (#{id}); the suggester gets a DM.",
                title=plain(truncate(current.title, 150)),
                id=current.id,
            )
            self.on_decided()
        await self._advance(current.id)
        await self._show(interaction)

    async def _skip(self, interaction: discord.Interaction) -> None:
        assert self.current is not None
        current = self.current
        await self._advance(current.id)
        if self.current is not None and self.current.id == current.id:
            self.status = _("This is the only suggestion waiting.")
        else:
            self.status = _("Skipped #{id}; it stays in the queue.", id=current.id)
        await self._show(interaction)

    async def on_timeout(self) -> None:
        try:
            await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not take the review buttons away (message gone or token expired)")
