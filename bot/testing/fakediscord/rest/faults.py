"""Injected faults and rate limits: the rules tests put on ``fake.faults``, ``fake.rate_limits``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultRule:
    """Answer matching requests with ``status``/``body`` instead of routing them.

    ``path`` is a regex searched in the path without ``/api/v10``. ``times=None`` means
    forever. With ``status=None`` the request is only delayed by ``delay`` seconds and then
    handled normally. For 429 a ``Via`` header and ``retry_after`` are added (discord.py
    only retries 429s that carry ``Via``).
    """

    method: str | None = None
    path: str = ".*"
    status: int | None = 500
    body: Any = None
    times: int | None = 1
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return re.search(self.path, path) is not None


class Faults(list[FaultRule]):
    """``fake.faults``: a list of :class:`FaultRule` consulted before routing."""

    def add(
        self,
        method: str | None = None,
        path: str = ".*",
        status: int | None = 500,
        body: Any = None,
        times: int | None = 1,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> FaultRule:
        rule = FaultRule(method, path, status, body, times, delay, dict(headers or {}))
        self.append(rule)
        return rule

    def match(self, method: str, path: str) -> FaultRule | None:
        for rule in self:
            if rule.matches(method, path):
                rule.hits += 1
                return rule
        return None


@dataclass
class RateLimitRule:
    """At most ``limit`` requests per ``per`` seconds for each distinct ``key`` match group.

    ``path`` is a regex; its first group (e.g. the channel id) makes the bucket key.
    """

    method: str | None
    path: str
    limit: int
    per: float
    name: str = ""
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def check(self, method: str, path: str, now: float) -> float | None:
        if self.method is not None and self.method != method:
            return None
        m = re.search(self.path, path)
        if m is None:
            return None
        key = m.group(1) if m.groups() else ""
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.per:
            start, count = now, 0
        if count >= self.limit:
            return self.per - (now - start)
        self._windows[key] = (start, count + 1)
        return None


def discord_like_rate_limits() -> list[RateLimitRule]:
    """Approximations of Discord's per-channel message buckets (5 per 5 s)."""
    return [
        RateLimitRule("POST", r"^/channels/(\d+)/messages$", 5, 5.0, "message create"),
        RateLimitRule("PATCH", r"^/channels/(\d+)/messages/\d+$", 5, 5.0, "message edit"),
        RateLimitRule("DELETE", r"^/channels/(\d+)/messages/\d+$", 5, 1.0, "message delete"),
    ]


@dataclass
class RateLimited:
    rule: str
    method: str
    path: str
    retry_after: float
    time: float
