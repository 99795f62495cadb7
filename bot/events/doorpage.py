"""What the door page needs from the events: a scan (or a member found by name) checked in
through the same `Door.check_in` as `/event checkin` — so walk-ins, standing and stats
are the same whichever way a member came in — answered as something a volunteer can read
at a glance; the running count; the registrants to search by name; how long a door link
lives.

Names are the Discord side's (its member cache): everything here deals in user ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.errors import DomainError
from bot.events.door import Door
from bot.events.models import Event
from bot.events.results import CheckInResult
from bot.events.store import EventStore

ScanOutcome = Literal["checked_in", "walk_in", "already", "refused"]
SEARCH_LIMIT = 10
MAX_QUERY = 64


@dataclass(frozen=True)
class ScanAnswer:
    """One scan's answer. `reason` is the domain's one sentence for a refusal (unknown
    code, another event's ticket, voided, check-in not open, …)."""

    outcome: ScanOutcome
    member_id: int | None = None
    at: int | None = None  # when they were checked in (the first time, for "already")
    by_user_id: int | None = None
    seat: int | None = None
    status: str | None = None  # their RSVP: going, waitlist or None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in ("checked_in", "walk_in")


@dataclass(frozen=True)
class DoorCounts:
    checked_in: int
    going: int
    walk_ins: int


@dataclass(frozen=True)
class Found:
    user_id: int
    name: str
    status: str | None  # going, waitlist, or None (a server member: a walk-in)
    checked_in: bool


def _answer(result: CheckInResult) -> ScanAnswer:
    return ScanAnswer(
        result.outcome,
        result.member_id,
        result.checked_in_at,
        result.by_user_id,
        result.seat,
        result.status,
    )


class DoorDesk:
    def __init__(self, door: Door, store: EventStore) -> None:
        self.door = door
        self.store = store
        self.db = store.db

    async def event(self, guild_id: int, event_id: int) -> Event:
        return await self.store.load(guild_id, event_id)

    async def timezone(self, guild_id: int) -> ZoneInfo:
        return (await self.store.guilds.get(guild_id)).tz

    async def scan(
        self, guild_id: int, event_id: int, *, by_user_id: int, code: str, organizer: bool = False
    ) -> ScanAnswer:
        """A ticket code read by the camera or typed: checked in, or why not (volunteers only
        inside the check-in window, organizers at any time)."""
        try:
            result = await self.door.check_in(
                guild_id, event_id, by_user_id=by_user_id, code=code, organizer=organizer
            )
        except DomainError as exc:
            return ScanAnswer("refused", reason=str(exc))
        return _answer(result)

    async def admit(
        self,
        guild_id: int,
        event_id: int,
        *,
        by_user_id: int,
        member_id: int,
        organizer: bool = False,
    ) -> ScanAnswer:
        """A member found by name (no phone): like `/event checkin member:`."""
        try:
            result = await self.door.check_in(
                guild_id, event_id, by_user_id=by_user_id, member_id=member_id, organizer=organizer
            )
        except DomainError as exc:
            return ScanAnswer("refused", reason=str(exc))
        return _answer(result)

    async def counts(self, guild_id: int, event_id: int) -> DoorCounts:
        event = await self.store.load(guild_id, event_id)
        row = await self.db.fetchone(
            "SELECT COUNT(*), CAST(COALESCE(SUM(walk_in), 0) AS INTEGER) FROM event_checkins"
            " WHERE event_id = ?",
            (event_id,),
        )
        assert row is not None
        return DoorCounts(int(row[0]), event.going, int(row[1]))

    async def registrants(self, guild_id: int, event_id: int) -> tuple[dict[int, str], set[int]]:
        """Who registered (user id → going / waitlist) and who is checked in already."""
        await self.store.load(guild_id, event_id)
        rsvps = await self.db.fetchall(
            "SELECT user_id, status FROM rsvps WHERE event_id = ? AND status IN"
            " ('going', 'waitlist')",
            (event_id,),
        )
        checked = await self.db.fetchall(
            "SELECT user_id FROM event_checkins WHERE event_id = ?", (event_id,)
        )
        return {int(r[0]): str(r[1]) for r in rsvps}, {int(r[0]) for r in checked}


_RANK = {"going": 0, "waitlist": 1}


def search(
    people: Iterable[tuple[int, str]],
    registrants: dict[int, str],
    checked_in: set[int],
    query: str,
    limit: int = SEARCH_LIMIT,
) -> list[Found]:
    """Members whose display name (or a word of it) starts with `query`, registrants
    first (going, then waitlisted), then other members (walk-ins); at most `limit`."""
    wanted = " ".join(query.split()).casefold()[:MAX_QUERY]
    if not wanted:
        return []
    found = []
    for user_id, name in people:
        folded = name.casefold()
        if folded.startswith(wanted) or any(w.startswith(wanted) for w in folded.split()):
            status = registrants.get(user_id)
            found.append(Found(user_id, name, status, user_id in checked_in))
    found.sort(key=lambda f: (_RANK.get(f.status or "", 2), f.name.casefold(), f.user_id))
    return found[:limit]


def link_expiry(event: Event, tz: ZoneInfo) -> int:
    """A door link lasts to the end of the event's (last) day in the server's time zone, or
    to the close of check-in if that is later (an event ending near midnight)."""
    last_day = datetime.fromtimestamp(event.ends_at, tz).date()
    midnight = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=tz)
    return max(int(midnight.timestamp()), event.checkin_closes_at)
