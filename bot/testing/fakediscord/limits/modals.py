"""Modal limits: title and ``custom_id``, at most 5 components (rows holding one text input,
labels wrapping a text input or select, text displays), text input lengths."""

from __future__ import annotations

from typing import Any

from .components import check_select
from .numbers import (
    CUSTOM_ID_MAX,
    LABEL_DESCRIPTION_MAX,
    MODAL_COMPONENTS_MAX,
    MODAL_TITLE_MAX,
    TEXT_INPUT_LABEL_MAX,
    TEXT_INPUT_PLACEHOLDER_MAX,
    TEXT_INPUT_VALUE_MAX,
    V2_TEXT_MAX,
)
from .problems import Problem, len_between, max_len, too_many


def _check_text_input(p: tuple, t: dict[str, Any], out: list[Problem], *, labelled: bool) -> None:
    len_between((*p, "custom_id"), t.get("custom_id"), 1, CUSTOM_ID_MAX, out)
    if not labelled:
        len_between((*p, "label"), t.get("label"), 1, TEXT_INPUT_LABEL_MAX, out)
    max_len((*p, "placeholder"), t.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX, out)
    max_len((*p, "value"), t.get("value"), TEXT_INPUT_VALUE_MAX, out)
    lo, hi = t.get("min_length"), t.get("max_length")
    if lo is not None and not 0 <= lo <= TEXT_INPUT_VALUE_MAX:
        out.append(Problem((*p, "min_length"), "NUMBER_TYPE_MAX", "Must be between 0 and 4000."))
    if hi is not None and not 1 <= hi <= TEXT_INPUT_VALUE_MAX:
        out.append(Problem((*p, "max_length"), "NUMBER_TYPE_MAX", "Must be between 1 and 4000."))


def check_modal(data: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    len_between(("title",), data.get("title"), 1, MODAL_TITLE_MAX, out)
    len_between(("custom_id",), data.get("custom_id"), 1, CUSTOM_ID_MAX, out)
    comps = data.get("components") or []
    if not comps:
        out.append(Problem(("components",), "BASE_TYPE_REQUIRED", "This field is required"))
    too_many(("components",), comps, MODAL_COMPONENTS_MAX, out)
    for i, c in enumerate(comps):
        p = ("components", i)
        if c.get("type") == 1:
            inner = c.get("components") or []
            if len(inner) != 1:
                out.append(
                    Problem(
                        (*p, "components"),
                        "BASE_TYPE_BAD_LENGTH",
                        "A modal action row holds exactly one text input.",
                    )
                )
            for j, t in enumerate(inner):
                if t.get("type") == 4:
                    _check_text_input((*p, "components", j), t, out, labelled=False)
        elif c.get("type") == 18:
            len_between((*p, "label"), c.get("label"), 1, TEXT_INPUT_LABEL_MAX, out)
            max_len((*p, "description"), c.get("description"), LABEL_DESCRIPTION_MAX, out)
            inner_c = c.get("component") or {}
            if inner_c.get("type") == 4:
                _check_text_input((*p, "component"), inner_c, out, labelled=True)
            elif inner_c.get("type") in (3, 5, 6, 7, 8):
                check_select((*p, "component"), inner_c, out)
        elif c.get("type") == 10:
            max_len((*p, "content"), c.get("content"), V2_TEXT_MAX, out)
        else:
            out.append(
                Problem(
                    (*p, "type"),
                    "COMPONENT_TYPE_INVALID",
                    f"Invalid modal component type {c.get('type')}.",
                )
            )
    return out
