"""Mentions in message content, and which of them would ping under ``allowed_mentions``."""

from __future__ import annotations

import functools
import re
from typing import Any

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@functools.lru_cache(maxsize=4096)
def _mentions(content: str) -> tuple[frozenset[int], frozenset[int], bool]:
    users = frozenset(int(m) for m in _USER_MENTION.findall(content))
    roles = frozenset(int(m) for m in _ROLE_MENTION.findall(content))
    return users, roles, "@everyone" in content or "@here" in content


def parse_mentions(content: str) -> dict[str, Any]:
    """Find ``<@id>``, ``<@!id>``, ``<@&id>``, ``@everyone`` and ``@here`` in ``content``."""
    users, roles, everyone = _mentions(content or "")
    return {"users": set(users), "roles": set(roles), "everyone": everyone}


def apply_allowed_mentions(
    mentions: dict[str, Any], allowed: dict[str, Any] | None
) -> dict[str, Any]:
    """Filter parsed mentions through an ``allowed_mentions`` object, as Discord does."""
    if allowed is None:
        return {k: (set(v) if isinstance(v, set) else v) for k, v in mentions.items()}
    parse = set(allowed.get("parse") or [])
    allowed_users = {int(u) for u in allowed.get("users") or []}
    allowed_roles = {int(r) for r in allowed.get("roles") or []}
    users = set(mentions["users"]) if "users" in parse else mentions["users"] & allowed_users
    roles = set(mentions["roles"]) if "roles" in parse else mentions["roles"] & allowed_roles
    return {
        "users": users,
        "roles": roles,
        "everyone": mentions["everyone"] and "everyone" in parse,
    }
