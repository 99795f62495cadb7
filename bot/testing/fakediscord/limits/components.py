"""Component limits: classic action rows (5 rows of 5 buttons, a select alone in its row) or
Components V2 (40 components, 4,000 characters of text displays); buttons (style, label or
emoji, ``custom_id`` or url), select menus and their options; ``custom_id`` unique and at
most 100 characters."""

from __future__ import annotations

from typing import Any

from .numbers import (
    ACTION_ROWS_MAX,
    BUTTON_LABEL_MAX,
    BUTTON_URL_MAX,
    CUSTOM_ID_MAX,
    ROW_BUTTONS_MAX,
    SELECT_OPTION_TEXT_MAX,
    SELECT_OPTIONS_MAX,
    SELECT_PLACEHOLDER_MAX,
    V2_COMPONENTS_MAX,
    V2_TEXT_MAX,
)
from .problems import Problem, len_between, max_len, too_many


def _check_button(p: tuple, b: dict[str, Any], out: list[Problem]) -> None:
    style = b.get("style")
    if style == 5:
        if not b.get("url"):
            out.append(Problem((*p, "url"), "BASE_TYPE_REQUIRED", "This field is required"))
        max_len((*p, "url"), b.get("url"), BUTTON_URL_MAX, out)
        if "custom_id" in b:
            out.append(
                Problem(
                    (*p, "custom_id"),
                    "COMPONENT_LINK_BUTTON_CANNOT_HAVE_CUSTOM_ID",
                    "Link buttons cannot have a custom_id",
                )
            )
    elif style == 6:
        if not b.get("sku_id"):
            out.append(Problem((*p, "sku_id"), "BASE_TYPE_REQUIRED", "This field is required"))
    elif style in (1, 2, 3, 4):
        len_between((*p, "custom_id"), b.get("custom_id"), 1, CUSTOM_ID_MAX, out)
    else:
        out.append(
            Problem((*p, "style"), "BASE_TYPE_CHOICES", f"Value must be one of 1-6 ({style}).")
        )
    max_len((*p, "label"), b.get("label"), BUTTON_LABEL_MAX, out)
    if style != 6 and not b.get("label") and not b.get("emoji"):
        out.append(
            Problem(p, "BUTTON_COMPONENT_INVALID", "A button must have a label or an emoji.")
        )


def check_select(p: tuple, s: dict[str, Any], out: list[Problem]) -> None:
    """A select menu (string or entity), in a message's row or a modal's label."""
    len_between((*p, "custom_id"), s.get("custom_id"), 1, CUSTOM_ID_MAX, out)
    max_len((*p, "placeholder"), s.get("placeholder"), SELECT_PLACEHOLDER_MAX, out)
    lo, hi = s.get("min_values", 1), s.get("max_values", 1)
    if not (0 <= (lo or 0) <= 25 and 1 <= (hi or 1) <= 25 and (lo or 0) <= (hi or 1)):
        out.append(
            Problem((*p, "max_values"), "BASE_TYPE_BAD_VALUE", "min/max_values must be 0-25.")
        )
    if s.get("type") == 3:
        options = s.get("options") or []
        if not options:
            out.append(Problem((*p, "options"), "BASE_TYPE_REQUIRED", "This field is required"))
        too_many((*p, "options"), options, SELECT_OPTIONS_MAX, out)
        for k, o in enumerate(options):
            q = (*p, "options", k)
            len_between((*q, "label"), o.get("label"), 1, SELECT_OPTION_TEXT_MAX, out)
            len_between((*q, "value"), o.get("value"), 1, SELECT_OPTION_TEXT_MAX, out)
            max_len((*q, "description"), o.get("description"), SELECT_OPTION_TEXT_MAX, out)


def _check_row(p: tuple, row: dict[str, Any], out: list[Problem]) -> None:
    children = row.get("components") or []
    if not children:
        out.append(Problem((*p, "components"), "BASE_TYPE_REQUIRED", "This field is required"))
        return
    selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
    if selects and len(children) > 1:
        out.append(
            Problem(
                (*p, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "An action row with a select menu cannot have other components.",
            )
        )
    too_many((*p, "components"), children, ROW_BUTTONS_MAX, out)
    for j, c in enumerate(children):
        q = (*p, "components", j)
        t = c.get("type")
        if t == 2:
            _check_button(q, c, out)
        elif t in (3, 5, 6, 7, 8):
            check_select(q, c, out)
        elif t == 4:
            out.append(
                Problem(q, "COMPONENT_TYPE_INVALID", "Text inputs are only allowed in modals.")
            )
        else:
            out.append(
                Problem((*q, "type"), "COMPONENT_TYPE_INVALID", f"Invalid component type {t}.")
            )


def check_components(components: Any, flags: int = 0) -> list[Problem]:
    """Message components: classic action rows, or Components V2 when flag 1<<15 is set."""
    out: list[Problem] = []
    if not isinstance(components, list):
        return out
    v2 = bool(flags & (1 << 15))
    seen: set[str] = set()
    total = 0
    text_total = 0

    def walk(items: list, base: tuple) -> None:
        nonlocal total, text_total
        for i, c in enumerate(items):
            if not isinstance(c, dict):
                continue
            total += 1
            cid = c.get("custom_id")
            if cid is not None:
                if cid in seen:
                    out.append(
                        Problem(
                            (*base, i, "custom_id"),
                            "COMPONENT_CUSTOM_ID_DUPLICATED",
                            f"Component custom id cannot be duplicated ({cid}).",
                        )
                    )
                seen.add(cid)
            if c.get("type") == 10:
                text_total += len(c.get("content") or "")
            for key in ("components",):
                if isinstance(c.get(key), list):
                    walk(c[key], (*base, i, key))
            if isinstance(c.get("accessory"), dict):
                walk([c["accessory"]], (*base, i, "accessory"))

    walk(components, ("components",))
    if not v2:
        too_many(("components",), components, ACTION_ROWS_MAX, out)
        for i, row in enumerate(components):
            if row.get("type") != 1:
                out.append(
                    Problem(
                        ("components", i, "type"),
                        "COMPONENT_TYPE_INVALID",
                        "Top-level components must be action rows (type 1) unless "
                        "the IS_COMPONENTS_V2 flag is set.",
                    )
                )
                continue
            _check_row(("components", i), row, out)
    else:
        if total > V2_COMPONENTS_MAX:
            out.append(
                Problem(
                    ("components",),
                    "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
                    f"Must have {V2_COMPONENTS_MAX} or fewer components in total ({total}).",
                )
            )
        if text_total > V2_TEXT_MAX:
            out.append(
                Problem(
                    ("components",),
                    "MAX_TEXT_DISPLAY_SIZE_EXCEEDED",
                    f"Text displays exceed {V2_TEXT_MAX} characters in total ({text_total}).",
                )
            )

        def rows(items: list, base: tuple) -> None:
            for i, c in enumerate(items):
                if c.get("type") == 1:
                    _check_row((*base, i), c, out)
                elif isinstance(c.get("components"), list):
                    rows(c["components"], (*base, i, "components"))
                if isinstance(c.get("accessory"), dict) and c["accessory"].get("type") == 2:
                    _check_button((*base, i, "accessory"), c["accessory"], out)

        rows(components, ("components",))
    return out
