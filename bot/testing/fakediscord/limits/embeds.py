"""Embed limits: at most 10 embeds; title, description, fields, footer and author lengths;
25 fields; 6,000 characters over all embeds of a message."""

from __future__ import annotations

from typing import Any

from .numbers import (
    EMBED_AUTHOR_MAX,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_NAME_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_FIELDS_MAX,
    EMBED_FOOTER_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
    EMBEDS_MAX,
)
from .problems import Problem, len_between, max_len, too_many


def check_embeds(embeds: Any, base: tuple = ("embeds",)) -> list[Problem]:
    out: list[Problem] = []
    if not isinstance(embeds, list):
        return out
    too_many(base, embeds, EMBEDS_MAX, out)
    total = 0
    for i, e in enumerate(embeds):
        if not isinstance(e, dict):
            continue
        p = (*base, i)
        max_len((*p, "title"), e.get("title"), EMBED_TITLE_MAX, out)
        max_len((*p, "description"), e.get("description"), EMBED_DESCRIPTION_MAX, out)
        total += len(e.get("title") or "") + len(e.get("description") or "")
        fields = e.get("fields") or []
        too_many((*p, "fields"), fields, EMBED_FIELDS_MAX, out)
        for j, f in enumerate(fields):
            name, value = f.get("name"), f.get("value")
            len_between((*p, "fields", j, "name"), name, 1, EMBED_FIELD_NAME_MAX, out)
            len_between((*p, "fields", j, "value"), value, 1, EMBED_FIELD_VALUE_MAX, out)
            total += len(name or "") + len(value or "")
        footer = (e.get("footer") or {}).get("text")
        max_len((*p, "footer", "text"), footer, EMBED_FOOTER_MAX, out)
        author = (e.get("author") or {}).get("name")
        max_len((*p, "author", "name"), author, EMBED_AUTHOR_MAX, out)
        total += len(footer or "") + len(author or "")
    if total > EMBED_TOTAL_MAX:
        out.append(
            Problem(
                base,
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} ({total}).",
            )
        )
    return out
