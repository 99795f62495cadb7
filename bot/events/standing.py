"""No-shows, each member's record, and standing under the guild's policy.

A member's *record* in a guild is every ended, not cancelled event of the guild where they
had a seat when it ended or checked in: checked in = attended (a walk-in too), seated and
not checked in = no-show. Cancelled events and events still running don't count.

*Standing* (when the policy is on, limit > 0): poor when at least `limit` of the member's
last `window` record events are no-shows **and** the latest of them is a no-show. So
attending one event — checking in, even as a walk-in — clears it at once; a no-show after
that makes it poor again while the window still holds `limit` no-shows.

A member in poor standing who clicks Going on a capacity-limited event goes on the
waitlist behind everyone in good standing, **even if seats are free**: a burst of clicks
is exactly when reliable members should get the seats. Seats still free 24 h before the
start (POOR_STANDING_RELEASE) go to them in click order — the cog schedules
`seats.release` from `seats.pending_releases()` (seats.py). On an unlimited event nobody
is displaced, so they are seated as usual. Standing is decided at the click: a later
change (attending another event, the policy changing) does not move a place already taken.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import SyncConnection
from bot.errors import InvalidInput
from bot.events.models import MemberRecord, NoShowPolicy, Standing
from bot.events.store import EventStore
from bot.i18n import _

MAX_LIMIT = 20
MIN_WINDOW, MAX_WINDOW = 1, 50
DEFAULT_POLICY = NoShowPolicy(limit=0, window=5)

# The member's record events, latest first (HISTORY: the last :limit of them).
HISTORY_ALL = (
    "SELECT e.id AS event_id, EXISTS (SELECT 1 FROM event_checkins c"
    " WHERE c.event_id = e.id AND c.user_id = :user) AS attended"
    " FROM events e WHERE e.id IN (SELECT event_id FROM rsvps"
    " WHERE user_id = :user AND status = 'going'"
    " UNION SELECT event_id FROM event_checkins WHERE user_id = :user)"
    " AND e.guild_id = :guild AND e.status = 'scheduled' AND e.ends_at <= :now"
    " ORDER BY e.ends_at DESC, e.id DESC"
)
HISTORY = HISTORY_ALL + " LIMIT :limit"
# The same for everyone registered for one event (the attendees csv), grouped by member.
HISTORY_OF_ATTENDEES = (
    "WITH people(user_id) AS (SELECT user_id FROM rsvps WHERE event_id = :event),"
    " mine(user_id, event_id) AS ("
    " SELECT r.user_id, r.event_id FROM rsvps r JOIN people p ON p.user_id = r.user_id"
    " WHERE r.status = 'going'"
    " UNION SELECT c.user_id, c.event_id FROM event_checkins c"
    " JOIN people p ON p.user_id = c.user_id)"
    " SELECT m.user_id, EXISTS (SELECT 1 FROM event_checkins c WHERE c.event_id = e.id"
    " AND c.user_id = m.user_id) AS attended"
    " FROM mine m JOIN events e ON e.id = m.event_id"
    " WHERE e.guild_id = :guild AND e.status = 'scheduled' AND e.ends_at <= :now"
    " ORDER BY m.user_id, e.ends_at DESC, e.id DESC"
)
_POLICY = "SELECT no_show_limit, no_show_window FROM event_guild_settings WHERE guild_id = ?"


def policy_from(limit: int | None, window: int | None) -> NoShowPolicy:
    """From event_guild_settings columns (NULL = no row = defaults)."""
    if limit is None or window is None:
        return DEFAULT_POLICY
    return NoShowPolicy(int(limit), int(window))


def check_policy(limit: int, window: int) -> NoShowPolicy:
    if not 0 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            _(
                "The no-show limit must be a whole number from 0 (policy off) to {max}.",
                max=MAX_LIMIT,
            )
        )
    if not MIN_WINDOW <= window <= MAX_WINDOW:
        raise InvalidInput(
            _(
                "The window must be a whole number of events from {min} to {max}.",
                min=MIN_WINDOW,
                max=MAX_WINDOW,
            )
        )
    if limit > window:
        raise InvalidInput(
            _(
                "The limit ({limit}) can't be more than the window ({window}): nobody can "
                "miss more than the {window} events counted.",
                limit=limit,
                window=window,
            )
        )
    return NoShowPolicy(limit, window)


def judge(policy: NoShowPolicy, history: Sequence[bool]) -> Standing:
    """Standing from the member's record, latest first (True = attended)."""
    counted = list(history[: policy.window])
    no_shows = sum(1 for attended in counted if not attended)
    last = counted[0] if counted else None
    poor = policy.enabled and no_shows >= policy.limit and last is False
    return Standing("poor" if poor else "good", policy, no_shows, len(counted), last)


def history_sync(
    conn: SyncConnection, guild_id: int, user_id: int, now: int, limit: int
) -> list[bool]:
    rows = conn.execute(
        HISTORY, {"user": user_id, "guild": guild_id, "now": now, "limit": limit}
    ).fetchall()
    return [bool(r[1]) for r in rows]


class Standings:
    """The guild's no-show policy, each member's record and standing under it."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    async def policy(self, guild_id: int) -> NoShowPolicy:
        """The guild's policy (default: off, window 5)."""
        row = await self.db.fetchone(_POLICY, (guild_id,))
        return DEFAULT_POLICY if row is None else policy_from(row[0], row[1])

    async def set_policy(
        self, guild_id: int, limit: int | None = None, window: int | None = None
    ) -> NoShowPolicy:
        """Set the limit and/or the window (None keeps it); limit 0 turns the policy off.
        Applies to clicks from now on: places already taken stay where they are."""
        if limit is None and window is None:
            raise InvalidInput(_("Give a limit, a window or both (limit 0 turns the policy off)."))
        await self.store.guilds.ensure(guild_id)
        async with self.db.transaction():
            current = await self.policy(guild_id)
            policy = check_policy(
                current.limit if limit is None else limit,
                current.window if window is None else window,
            )
            await self.db.execute(
                "INSERT INTO event_guild_settings(guild_id, no_show_limit, no_show_window)"
                " VALUES (?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET"
                " no_show_limit = excluded.no_show_limit,"
                " no_show_window = excluded.no_show_window",
                (guild_id, policy.limit, policy.window),
            )
        return policy

    async def _history(
        self, guild_id: int, user_id: int, now: int, limit: int | None
    ) -> list[bool]:
        """Latest first; `limit` None = all of them."""
        args = {"user": user_id, "guild": guild_id, "now": now}
        if limit is None:
            rows = await self.db.fetchall(HISTORY_ALL, args)
        else:
            rows = await self.db.fetchall(HISTORY, {**args, "limit": limit})
        return [bool(r[1]) for r in rows]

    async def record(self, guild_id: int, user_id: int) -> MemberRecord:
        """(attended, no_shows) over the guild's ended, not cancelled events."""
        history = await self._history(guild_id, user_id, self.store.now(), None)
        attended = sum(history)
        return MemberRecord(attended, len(history) - attended)

    async def of(self, guild_id: int, user_id: int) -> Standing:
        """The member's standing: good or poor under the guild's policy now (always good
        when it is off)."""
        policy = await self.policy(guild_id)
        if not policy.enabled:
            return judge(policy, [])
        return judge(
            policy, await self._history(guild_id, user_id, self.store.now(), policy.window)
        )

    async def poor_among_attendees(
        self, guild_id: int, event_id: int, now: int
    ) -> dict[int, Standing]:
        """Standing of everyone registered for the event, in one query (poor ones only)."""
        policy = await self.policy(guild_id)
        if not policy.enabled:
            return {}
        rows = await self.db.fetchall(
            HISTORY_OF_ATTENDEES, {"event": event_id, "guild": guild_id, "now": now}
        )
        histories: dict[int, list[bool]] = {}
        for r in rows:
            histories.setdefault(r[0], []).append(bool(r[1]))
        judged = {user: judge(policy, h) for user, h in histories.items()}
        return {user: s for user, s in judged.items() if not s.good}
