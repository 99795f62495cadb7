"""Forms (modals) that never lose what a member typed.

discord.py keeps an open modal in memory keyed by its custom_id alone. If every
member's form has the same custom_id, the second member to open it replaces the
first, and once one submits, the others' submissions meet nothing; a restart forgets
every open form. So here:

- every form's custom_id is `{template}:{member id}:{nonce}`: unique to the member and
  the opening (`form_id`);
- the modal object is only a description of the form: it is stopped before it is sent,
  so discord.py never stores it (`open_form`);
- a submission is matched against the registered templates and handled from the
  values in its payload (`Forms.dispatch`), which needs no memory and works after a
  restart. A submission whose member is not the one in the custom_id is refused.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.i18n import _
from cogs._common import reply, send_error
from cogs._i18n import speak

log = logging.getLogger(__name__)

# (interaction, the template's match, {field custom_id: typed value}) -> None
FormHandler = Callable[[discord.Interaction, re.Match[str], dict[str, str]], Awaitable[None]]
_SUFFIX = r":(?P<member>\d+):(?P<nonce>[0-9a-f]{8})"


def form_id(base: str, member_id: int) -> str:
    """The custom_id of one opening of a form for one member (at most 100 characters)."""
    custom_id = f"{base}:{member_id}:{secrets.token_hex(4)}"
    assert len(custom_id) <= 100, custom_id
    return custom_id


async def open_form(interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
    """Show the form without discord.py keeping it: `Forms.dispatch` handles the answer."""
    modal.stop()
    await interaction.response.send_modal(modal)


def submitted_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """Every field's typed value by custom_id, from a MODAL_SUBMIT payload (action rows
    and labels are walked; selects give their values joined by commas)."""
    values: dict[str, str] = {}
    for component in components:
        if component.get("type") == 1:
            values.update(submitted_values(component.get("components") or []))
        elif component.get("type") == 18:
            values.update(submitted_values([component.get("component") or {}]))
        elif custom_id := component.get("custom_id"):
            if "value" in component:
                values[custom_id] = str(component.get("value") or "")
            elif "values" in component:
                values[custom_id] = ",".join(map(str, component.get("values") or []))
    return values


class Forms:
    """The bot's one router for form submissions; cogs register their templates."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], FormHandler]] = []

    def register(self, template: str, handler: FormHandler) -> None:
        """`template` is a regex for the part before the member id, e.g.
        `rsvpq:v2:(?P<event_id>\\d+)`."""
        pattern = re.compile(template + _SUFFIX)
        # A feature reloaded registers again: its new handler replaces the old one.
        self._routes = [(p, h) for p, h in self._routes if p.pattern != pattern.pattern]
        self._routes.append((pattern, handler))

    async def dispatch(self, interaction: discord.Interaction) -> None:
        """on_interaction listener: handle a submitted form if one of ours."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        for pattern, handler in self._routes:
            match = pattern.fullmatch(custom_id)
            if match is None:
                continue
            try:
                await speak(interaction)
                if int(match["member"]) != interaction.user.id:
                    log.warning("form %s submitted by another member", pattern.pattern)
                    await reply(interaction, _("This form was opened for someone else."))
                    return
                await handler(interaction, match, submitted_values(data.get("components") or []))
            except Exception as exc:
                await send_error(interaction, exc)
            return
