"""A whole message body (channel message, interaction response, webhook): content length, its
embeds and components, no content or embeds with Components V2; and what counts as empty."""

from __future__ import annotations

from typing import Any

from .components import check_components
from .embeds import check_embeds
from .numbers import CONTENT_MAX
from .problems import Problem, max_len


def check_message(payload: dict[str, Any], *, has_files: bool = False) -> list[Problem]:
    """A message create/edit body (channel message, interaction response data, webhook)."""
    out: list[Problem] = []
    content = payload.get("content")
    max_len(("content",), content, CONTENT_MAX, out)
    out += check_embeds(payload.get("embeds"))
    flags = payload.get("flags") or 0
    out += check_components(payload.get("components"), flags)
    if flags & (1 << 15) and (content or payload.get("embeds")):
        out.append(
            Problem(
                ("content",),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used with IS_COMPONENTS_V2.",
            )
        )
    return out


def is_empty_message(payload: dict[str, Any], *, has_files: bool, has_attachments: bool) -> bool:
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or has_files
        or has_attachments
    )
