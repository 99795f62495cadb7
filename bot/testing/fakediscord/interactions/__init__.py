"""Interactions the fake sends (slash commands, autocomplete, components, modals) and what
the bot answered (:class:`InteractionResult`).

- :mod:`.kinds`: ``FakeDiscordError``, ``InteractionTimeout``, ``InteractionType``,
  ``CallbackType``, the callbacks each type allows, the attachment size limit
- :mod:`.result`: ``InteractionResult``, filled in as the bot answers
- :mod:`.options`: finding the synced command and building its options (``OptionBuilder``)
- :mod:`.payload`: the fields every interaction carries (``base_payload``)

The helpers tests call (``fake.slash``, ``click``, ``select``, ``submit_modal``…) are parts
of ``FakeDiscord`` in :mod:`..server`.
"""

from __future__ import annotations

from .kinds import (
    ALLOWED_CALLBACKS,
    ATTACHMENT_SIZE_LIMIT,
    CallbackType,
    FakeDiscordError,
    InteractionTimeout,
    InteractionType,
)
from .options import OptionBuilder, build_options, resolve_command, wrap_chain
from .payload import base_payload, find_user
from .result import InteractionResult

__all__ = [
    "ALLOWED_CALLBACKS",
    "ATTACHMENT_SIZE_LIMIT",
    "CallbackType",
    "FakeDiscordError",
    "InteractionResult",
    "InteractionTimeout",
    "InteractionType",
    "OptionBuilder",
    "base_payload",
    "build_options",
    "find_user",
    "resolve_command",
    "wrap_chain",
]
