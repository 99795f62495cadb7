"""What every part of the events service shares: the store, the clock, SQL and row helpers.

Split out of service.py so the door (check-in), standing and feedback parts can live in
their own modules as mixins of one EventService, without import cycles.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.db import Database
from bot.errors import NotFound
from bot.events import tickets as codes
from bot.events.models import Event, Ticket
from bot.events.posting import PostingLedger
from bot.events.questions import load_questions
from bot.events.roles import RoleLedger
from bot.guilds import DEFAULT_TIMEZONE, GuildSettings

_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(Event))
_EVENT_COLUMNS = ", ".join(
    f"e.{name}" for name in _EVENT_FIELDS if name not in ("going", "waitlist")
)
SELECT_EVENT = (
    f"SELECT {_EVENT_COLUMNS},"
    " (SELECT COUNT(*) FROM rsvps g WHERE g.event_id = e.id AND g.status = 'going') AS going,"
    " (SELECT COUNT(*) FROM rsvps w WHERE w.event_id = e.id AND w.status = 'waitlist')"
    " AS waitlist"
)
# The event, the member's RSVP and the guild's no-show policy: all a click needs, one query.
SELECT_WITH_MEMBER = (
    f"{SELECT_EVENT}, r.status AS my_status, r.seq AS my_seq, r.behind AS my_behind,"
    " gs.no_show_limit, gs.no_show_window"
    " FROM events e LEFT JOIN rsvps r ON r.event_id = e.id AND r.user_id = ?"
    " LEFT JOIN event_guild_settings gs ON gs.guild_id = e.guild_id"
    " WHERE e.id = ? AND e.guild_id = ?"
)
# A place among the going (behind is always 0 there) or on the waitlist, where everyone in
# good standing (behind = 0) comes before those behind, each group in click order.
RANK = "SELECT COUNT(*) FROM rsvps WHERE event_id = ? AND status = ? AND (behind, seq) <= (?, ?)"
# Rank as a correlated subquery over the row aliased r.
RANK_OF_R = (
    "(SELECT COUNT(*) FROM rsvps x WHERE x.event_id = r.event_id AND x.status = r.status"
    " AND (x.behind, x.seq) <= (r.behind, r.seq))"
)
POOR_WAITING = (
    "SELECT COUNT(*) FROM rsvps WHERE event_id = ? AND status = 'waitlist' AND behind = 1"
)
LIVE_TICKET = (
    "SELECT code, event_id, user_id, issued_at, voided_at, void_reason FROM event_tickets"
    " WHERE event_id = ? AND user_id = ? AND voided_at IS NULL"
)
_INSERT_TICKET = (
    "INSERT INTO event_tickets(code, event_id, user_id, issued_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT(code) DO NOTHING"
)


def event_from_row(row: sqlite3.Row) -> Event:
    values = {name: row[name] for name in _EVENT_FIELDS}
    values["questions"] = load_questions(values["questions"])
    return Event(**values)


def ticket_from_row(row: sqlite3.Row) -> Ticket:
    return Ticket(**dict(row))


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def key(event_id: int, *parts: object) -> str:
    """Outbox dedupe key `event:{id}:…` (cancel drops by the prefix; stats count by it)."""
    return ":".join(["event", str(event_id), *map(str, parts)])


def issue_ticket_sync(conn: sqlite3.Connection, event_id: int, user_id: int, now: int) -> Ticket:
    """Inside a transaction: a fresh code for a new seat (a clash of random codes retries)."""
    while True:
        code = codes.new_code()
        if conn.execute(_INSERT_TICKET, (code, event_id, user_id, now)).rowcount:
            return Ticket(code, event_id, user_id, now)


def live_ticket_sync(conn: sqlite3.Connection, event_id: int, user_id: int, now: int) -> Ticket:
    """The seated member's ticket; seats from before tickets existed get one now."""
    row = conn.execute(LIVE_TICKET, (event_id, user_id)).fetchone()
    return ticket_from_row(row) if row else issue_ticket_sync(conn, event_id, user_id, now)


def timezone_sync(conn: sqlite3.Connection, guild_id: int) -> ZoneInfo:
    row = conn.execute("SELECT timezone FROM guilds WHERE guild_id = ?", (guild_id,)).fetchone()
    return ZoneInfo(row[0] if row else DEFAULT_TIMEZONE)


class ServiceBase:
    """The store, guild settings and clock. `clock` returns epoch seconds (tests pass theirs)."""

    def __init__(
        self, db: Database, guilds: GuildSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.clock = clock
        self.role_ledger = RoleLedger(db)  # who holds event roles because of the bot
        self.posting = PostingLedger(db, clock)  # posts to Discord not yet recorded

    def _now(self) -> int:
        return int(self.clock())

    async def _load(self, guild_id: int, event_id: int) -> Event:
        row = await self.db.fetchone(
            f"{SELECT_EVENT} FROM events e WHERE e.id = ? AND e.guild_id = ?",
            (event_id, guild_id),
        )
        if row is None:
            raise NotFound(f"There is no event #{event_id} in this server.")
        return event_from_row(row)

    async def _load_any(self, event_id: int) -> Event | None:
        """By id alone, for jobs that only know the event."""
        row = await self.db.fetchone(f"{SELECT_EVENT} FROM events e WHERE e.id = ?", (event_id,))
        return None if row is None else event_from_row(row)

    async def _issue_ticket(self, event_id: int, user_id: int, now: int) -> Ticket:
        """Async twin of issue_ticket_sync, for code already inside `db.transaction()`."""
        while True:
            code = codes.new_code()
            if await self.db.execute_rowcount(_INSERT_TICKET, (code, event_id, user_id, now)):
                return Ticket(code, event_id, user_id, now)
