"""Per-member limits on actions that make the bot work for everyone else.

A member who suggests 500 links, asks for a mentor in a loop or cycles Going/Can't go
(each cycle sends a ticket DM and changes a role) would fill the review queue, the
outbox and Discord's rate limit for the whole server. Each such action is allowed
`limit` times per `per` seconds per member (a sliding window); the refusal says when
to try again. Organizers are exempt (the cogs skip the check for them).

Kept in memory: a restart forgets the counts, which only ever lets a member act
sooner, never loses anything.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.errors import DomainError
from bot.i18n import _, _n


class TooSoon(DomainError):
    """The member hit a cooldown; `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    limit: int  # actions allowed…
    per: float  # …per this many seconds
    what: str  # N_("suggest resources"): the refusal's verb (a catalogue message), and a key


def wait_text(seconds: float) -> str:
    """'in 40 seconds', 'in 3 minutes', 'in 2 hours' (in the reader's language)."""
    s = max(1, int(seconds + 0.999))
    if s < 90:
        return _n("in {n} second", "in {n} seconds", s, n=s)
    m = (s + 59) // 60
    if m < 90:
        return _("in {n} minutes", n=m)
    return _("in {n} hours", n=(m + 59) // 60)


class Cooldowns:
    """Sliding-window counters keyed by (what, guild, member, …)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._hits: dict[Hashable, deque[float]] = {}

    def check(self, limit: Limit, *key: Hashable, count: bool = True) -> None:
        """Count one action, or raise TooSoon (counting nothing) when over the limit.
        With `count=False` only look: call `count` once the action really changed something
        (a repeated click that changes nothing should not use the allowance up)."""
        now = self.clock()
        hits = self._window(limit, key, now)
        if len(hits) >= limit.limit:
            retry = hits[0] + limit.per - now
            raise TooSoon(
                _(
                    "Slow down a little: you can {what} again {when}.",
                    what=_(limit.what),
                    when=wait_text(retry),
                ),
                retry,
            )
        if count:
            hits.append(now)

    def count(self, limit: Limit, *key: Hashable) -> None:
        now = self.clock()
        self._window(limit, key, now).append(now)

    def _window(self, limit: Limit, key: tuple[Hashable, ...], now: float) -> deque[float]:
        if len(self._hits) > 10_000:
            self._prune(now)
        hits = self._hits.setdefault((limit.what, *key), deque())
        while hits and hits[0] <= now - limit.per:
            hits.popleft()
        return hits

    def _prune(self, now: float) -> None:
        # Drop keys with no hit in the last day (the longest window in use).
        stale = [k for k, h in self._hits.items() if not h or h[-1] <= now - 86400]
        for k in stale:
            del self._hits[k]
