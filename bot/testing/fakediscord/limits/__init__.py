"""Discord's documented limits, checked on everything the bot sends.

Each ``check_*`` function returns a list of :class:`Problem` (empty when the payload is
fine). :func:`form_errors` turns problems into the nested ``errors`` object of Discord's
``400 Invalid Form Body`` (code 50035) response. One module per part of what is sent:

- :mod:`.numbers`: the limits themselves; :mod:`.problems`: ``Problem``, ``form_errors`` and
  the field checks (``max_len``, ``len_between``, ``too_many``) the others are built from
- :mod:`.messages` (content, and the whole body), :mod:`.embeds`, :mod:`.components`
  (rows, buttons, selects, Components V2), :mod:`.modals`, :mod:`.commands` (application
  commands and choices)
"""

from __future__ import annotations

from .commands import check_choices, check_commands, valid_chat_input_name
from .components import check_components, check_select
from .embeds import check_embeds
from .messages import check_message, is_empty_message
from .modals import check_modal
from .numbers import (
    ACTION_ROWS_MAX,
    AUTOCOMPLETE_CHOICES_MAX,
    BUTTON_LABEL_MAX,
    CHAT_INPUT_COMMANDS_MAX,
    CHOICE_NAME_MAX,
    CHOICE_VALUE_MAX,
    COMMAND_DESCRIPTION_MAX,
    COMMAND_NAME_MAX,
    COMMAND_OPTIONS_MAX,
    COMMAND_TOTAL_CHARS_MAX,
    CONTENT_MAX,
    CONTEXT_MENU_COMMANDS_MAX,
    CUSTOM_ID_MAX,
    EMBED_AUTHOR_MAX,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_NAME_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_FIELDS_MAX,
    EMBED_FOOTER_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
    EMBEDS_MAX,
    LABEL_DESCRIPTION_MAX,
    MODAL_COMPONENTS_MAX,
    MODAL_TITLE_MAX,
    ROW_BUTTONS_MAX,
    SELECT_OPTION_TEXT_MAX,
    SELECT_OPTIONS_MAX,
    SELECT_PLACEHOLDER_MAX,
    TEXT_INPUT_LABEL_MAX,
    TEXT_INPUT_PLACEHOLDER_MAX,
    TEXT_INPUT_VALUE_MAX,
    V2_COMPONENTS_MAX,
    V2_TEXT_MAX,
)
from .problems import Problem, form_errors, len_between, max_len, too_many

__all__ = [
    "ACTION_ROWS_MAX",
    "AUTOCOMPLETE_CHOICES_MAX",
    "BUTTON_LABEL_MAX",
    "CHAT_INPUT_COMMANDS_MAX",
    "CHOICE_NAME_MAX",
    "CHOICE_VALUE_MAX",
    "COMMAND_DESCRIPTION_MAX",
    "COMMAND_NAME_MAX",
    "COMMAND_OPTIONS_MAX",
    "COMMAND_TOTAL_CHARS_MAX",
    "CONTENT_MAX",
    "CONTEXT_MENU_COMMANDS_MAX",
    "CUSTOM_ID_MAX",
    "EMBEDS_MAX",
    "EMBED_AUTHOR_MAX",
    "EMBED_DESCRIPTION_MAX",
    "EMBED_FIELDS_MAX",
    "EMBED_FIELD_NAME_MAX",
    "EMBED_FIELD_VALUE_MAX",
    "EMBED_FOOTER_MAX",
    "EMBED_TITLE_MAX",
    "EMBED_TOTAL_MAX",
    "LABEL_DESCRIPTION_MAX",
    "MODAL_COMPONENTS_MAX",
    "MODAL_TITLE_MAX",
    "ROW_BUTTONS_MAX",
    "SELECT_OPTIONS_MAX",
    "SELECT_OPTION_TEXT_MAX",
    "SELECT_PLACEHOLDER_MAX",
    "TEXT_INPUT_LABEL_MAX",
    "TEXT_INPUT_PLACEHOLDER_MAX",
    "TEXT_INPUT_VALUE_MAX",
    "V2_COMPONENTS_MAX",
    "V2_TEXT_MAX",
    "Problem",
    "check_choices",
    "check_commands",
    "check_components",
    "check_embeds",
    "check_message",
    "check_modal",
    "check_select",
    "form_errors",
    "is_empty_message",
    "len_between",
    "max_len",
    "too_many",
    "valid_chat_input_name",
]
