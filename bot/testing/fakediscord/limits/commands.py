"""Application command limits: the bulk overwrite body (names, descriptions, option nesting
and order, 100 chat-input and 5 context-menu commands, 4,000 characters a command) and
choices, whether in an option or in an autocomplete answer."""

from __future__ import annotations

from typing import Any

from .numbers import (
    AUTOCOMPLETE_CHOICES_MAX,
    CHAT_INPUT_COMMANDS_MAX,
    CHOICE_NAME_MAX,
    CHOICE_VALUE_MAX,
    COMMAND_DESCRIPTION_MAX,
    COMMAND_NAME_MAX,
    COMMAND_OPTIONS_MAX,
    COMMAND_TOTAL_CHARS_MAX,
    CONTEXT_MENU_COMMANDS_MAX,
)
from .problems import Problem, len_between, max_len, too_many


def check_choices(choices: Any, base: tuple = ("choices",)) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(choices, list):
        return out
    too_many(base, choices, AUTOCOMPLETE_CHOICES_MAX, out)
    for i, c in enumerate(choices):
        len_between((*base, i, "name"), c.get("name"), 1, CHOICE_NAME_MAX, out)
        if isinstance(c.get("value"), str):
            max_len((*base, i, "value"), c.get("value"), CHOICE_VALUE_MAX, out)
    return out


# ----- application commands ----------------------------------------------------------------
def valid_chat_input_name(name: Any) -> bool:
    """``^[-_\\p{L}\\p{N}]{1,32}$`` and no uppercase letters."""
    if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
        return False
    for ch in name:
        if ch in "-_":
            continue
        if not ch.isalnum():
            return False
        if ch.lower() != ch:
            return False
    return True


def _command_chars(cmd: dict[str, Any]) -> int:
    n = len(cmd.get("name") or "") + len(cmd.get("description") or "")
    for o in cmd.get("options") or []:
        n += _command_chars(o)
        for c in o.get("choices") or []:
            n += len(str(c.get("name") or "")) + len(str(c.get("value") or ""))
    return n


def _check_options(options: Any, base: tuple, depth: int, out: list[Problem]) -> None:
    if not isinstance(options, list):
        return
    too_many(base, options, COMMAND_OPTIONS_MAX, out)
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") in (1, 2) for o in options}
    if len(kinds) > 1:
        out.append(
            Problem(
                base,
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Subcommands/groups cannot be mixed with other options.",
            )
        )
    for i, o in enumerate(options):
        p = (*base, i)
        name = o.get("name")
        if not valid_chat_input_name(name):
            out.append(
                Problem(
                    (*p, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    f"Command name is invalid ({name!r}).",
                )
            )
        if name in names:
            out.append(
                Problem(
                    (*p, "name"),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    f"Option name {name!r} is already used.",
                )
            )
        names.add(name)
        len_between((*p, "description"), o.get("description"), 1, COMMAND_DESCRIPTION_MAX, out)
        t = o.get("type")
        if t == 2:
            if depth != 0:
                out.append(
                    Problem(
                        (*p, "type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "Subcommand groups can only be nested at the top level.",
                    )
                )
            for sub in o.get("options") or []:
                if sub.get("type") != 1:
                    out.append(
                        Problem(
                            (*p, "options"),
                            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                            "Subcommand groups may only contain subcommands.",
                        )
                    )
                    break
            _check_options(o.get("options") or [], (*p, "options"), depth + 1, out)
        elif t == 1:
            if depth > 1:
                out.append(
                    Problem(
                        (*p, "type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "Subcommands nested too deep.",
                    )
                )
            _check_options(o.get("options") or [], (*p, "options"), depth + 2, out)
        else:
            if o.get("required"):
                if seen_optional:
                    out.append(
                        Problem(
                            (*p, "required"),
                            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                            "Required options must be placed before non-required options.",
                        )
                    )
            else:
                seen_optional = True
            choices = o.get("choices")
            if choices:
                out.extend(check_choices(choices, (*p, "choices")))
                if o.get("autocomplete"):
                    out.append(
                        Problem(
                            (*p, "autocomplete"),
                            "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                            "Autocomplete cannot be used with choices.",
                        )
                    )


def check_commands(commands: Any) -> list[Problem]:
    """Bulk overwrite body: names, descriptions, options, counts."""
    out: list[Problem] = []
    if not isinstance(commands, list):
        return [Problem((), "BASE_TYPE_ARRAY", "Must be an array.")]
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        p: tuple = (i,)
        t = cmd.get("type", 1) or 1
        counts[t] = counts.get(t, 0) + 1
        name = cmd.get("name")
        if (t, name) in seen:
            out.append(
                Problem(
                    (*p, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({name!r}).",
                )
            )
        seen.add((t, name))
        if t == 1:
            if not valid_chat_input_name(name):
                out.append(
                    Problem(
                        (*p, "name"),
                        "APPLICATION_COMMAND_INVALID_NAME",
                        f"Command name is invalid ({name!r}).",
                    )
                )
            len_between(
                (*p, "description"), cmd.get("description"), 1, COMMAND_DESCRIPTION_MAX, out
            )
            _check_options(cmd.get("options") or [], (*p, "options"), 0, out)
            if _command_chars(cmd) > COMMAND_TOTAL_CHARS_MAX:
                out.append(
                    Problem(
                        p,
                        "APPLICATION_COMMAND_TOO_LARGE",
                        f"Command exceeds maximum size ({COMMAND_TOTAL_CHARS_MAX}).",
                    )
                )
        else:
            len_between((*p, "name"), name, 1, COMMAND_NAME_MAX, out)
            if cmd.get("description"):
                out.append(
                    Problem(
                        (*p, "description"),
                        "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                        "Context menu commands cannot have a description.",
                    )
                )
    if counts.get(1, 0) > CHAT_INPUT_COMMANDS_MAX:
        out.append(
            Problem(
                (),
                "APPLICATION_COMMANDS_MAX_EXCEEDED",
                f"Maximum number of application commands reached ({CHAT_INPUT_COMMANDS_MAX}).",
            )
        )
    for t in (2, 3):
        if counts.get(t, 0) > CONTEXT_MENU_COMMANDS_MAX:
            out.append(
                Problem(
                    (),
                    "APPLICATION_COMMANDS_MAX_EXCEEDED",
                    "Maximum number of context menu commands reached "
                    f"({CONTEXT_MENU_COMMANDS_MAX}).",
                )
            )
    return out
