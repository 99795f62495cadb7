"""At the door: tickets, check-in (by ticket code or by member), walk-ins, stats, and
the volunteer role (who may check members in, with organizers).

Check-in is the door's hot path (3 volunteers, 300 people in 20 minutes): each one is a
single transaction run in the database thread (`db.run_in_transaction`), and the unique
(event_id, user_id) row is what guarantees a member is recorded once however many
volunteers scan the same ticket at the same moment.
"""

from __future__ import annotations

from bot import outbox
from bot.db import SyncConnection
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import tickets as codes
from bot.events.models import (
    CHECKIN_GRACE_AFTER,
    CHECKIN_OPENS_BEFORE,
    CURVE_SLOT,
    CheckIn,
    CheckInOutcome,
    Event,
    EventStats,
    Ticket,
)
from bot.events.results import (
    CheckInResult,
)
from bot.events.store import (
    RANK,
    SELECT_EVENT,
    EventStore,
    event_from_row,
    outbox_key,
    timezone_sync,
)
from bot.events.tickets import live_ticket
from bot.timeutil import format_local

_VOID_REASONS = {"left": "the member gave up their seat"}
_TICKET_BY_CODE = (
    "SELECT code, event_id, user_id, issued_at, voided_at, void_reason FROM event_tickets"
    " WHERE code = ?"
)
_FIRST_CHECKIN = (
    "SELECT checked_in_at, by_user_id, walk_in, code FROM event_checkins"
    " WHERE event_id = ? AND user_id = ?"
)


def _hours(seconds: int) -> str:
    hours = seconds // 3600
    return "an hour" if hours == 1 else f"{hours} hours"


def _check_door_open(conn: SyncConnection, event: Event, now: int) -> None:
    if event.cancelled:
        raise NotAllowed(f"“{event.title}” was cancelled, so there is no check-in.")
    if now < event.checkin_opens_at or now >= event.checkin_closes_at:
        tz = timezone_sync(conn, event.guild_id)
        if now < event.checkin_opens_at:
            raise NotAllowed(
                f"Check-in for “{event.title}” opens {_hours(CHECKIN_OPENS_BEFORE)} before the "
                f"start, at {format_local(event.checkin_opens_at, tz)} ({tz.key})."
            )
        raise NotAllowed(
            f"Check-in for “{event.title}” closed at {format_local(event.checkin_closes_at, tz)}"
            f" ({tz.key}), {_hours(CHECKIN_GRACE_AFTER)} after the end."
        )


def _member_by_code(conn: SyncConnection, event: Event, text: str) -> int:
    """The ticket's member, or a refusal saying why the code doesn't let anyone in here."""
    code = codes.normalize_code(text)
    ticket = conn.execute(_TICKET_BY_CODE, (code,)).fetchone()
    other = None
    if ticket is not None and ticket["event_id"] != event.id:
        other = conn.execute(
            "SELECT id, guild_id, title, starts_at FROM events WHERE id = ?",
            (ticket["event_id"],),
        ).fetchone()
    # Another server's ticket is as good as unknown here: say nothing about its event.
    if ticket is None or (other is not None and other["guild_id"] != event.guild_id):
        raise NotFound(
            f"No ticket for “{event.title}” has the code {code}. Check the code, or check "
            "the member in by name."
        )
    if other is not None:
        tz = timezone_sync(conn, event.guild_id)
        raise NotAllowed(
            f"Ticket {code} is for another event, “{other['title']}” (#{other['id']}, "
            f"{format_local(other['starts_at'], tz)}), not for “{event.title}”."
        )
    if ticket["voided_at"] is not None:
        tz = timezone_sync(conn, event.guild_id)
        why = _VOID_REASONS.get(ticket["void_reason"], "it was withdrawn")
        newer = conn.execute(
            "SELECT 1 FROM event_tickets WHERE event_id = ? AND user_id = ? AND voided_at IS NULL",
            (event.id, ticket["user_id"]),
        ).fetchone()
        hint = (
            " They have a newer ticket: check them in by name."
            if newer
            else " Check them in by name to record them as a walk-in."
        )
        raise NotAllowed(
            f"Ticket {code} was voided on {format_local(ticket['voided_at'], tz)} ({tz.key}): "
            f"{why}.{hint}"
        )
    return int(ticket["user_id"])


class Door:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    async def ticket_for(self, guild_id: int, event_id: int, user_id: int) -> Ticket | None:
        """The member's live ticket while they have a seat; None on the waitlist or when not
        registered (a seat from before tickets existed gets its ticket now)."""
        now = self.store.now()

        def work(conn: SyncConnection) -> Ticket | None:
            conn.execute(self.store.lock_event_sql, (event_id,))  # a ticket may be issued
            row = conn.execute(
                "SELECT e.id, r.status FROM events e LEFT JOIN rsvps r"
                " ON r.event_id = e.id AND r.user_id = ? WHERE e.id = ? AND e.guild_id = ?",
                (user_id, event_id, guild_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"There is no event #{event_id} in this server.")
            if row["status"] != "going":
                return None
            return live_ticket(conn, event_id, user_id, now)

        async with self.store.turn(event_id):
            return await self.db.run_in_transaction(work)

    async def check_in(
        self,
        guild_id: int,
        event_id: int,
        *,
        by_user_id: int,
        member_id: int | None = None,
        code: str | None = None,
    ) -> CheckInResult:
        """Check a member in by ticket code or by member (exactly one). Permission (organizer
        or volunteer) is the cog's to check. A member without a seat is recorded as a
        walk-in; a second check-in records nothing and says when the first was.

        Open from 3 h before the start until 1 h after the end; not for cancelled events.
        A code that is unknown, another event's, or voided is refused with the reason."""
        if (member_id is None) == (code is None):
            raise InvalidInput("Give either the member or their ticket code (one of the two).")
        now = self.store.now()

        def work(conn: SyncConnection) -> CheckInResult:
            conn.execute(self.store.lock_event_sql, (event_id,))
            row = conn.execute(
                f"{SELECT_EVENT} FROM events e WHERE e.id = ? AND e.guild_id = ?",
                (event_id, guild_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"There is no event #{event_id} in this server.")
            event = event_from_row(row)
            _check_door_open(conn, event, now)
            member = _member_by_code(conn, event, code) if code is not None else member_id
            assert member is not None  # exactly one of the two was given (checked above)
            rsvp = conn.execute(
                "SELECT status, seq FROM rsvps WHERE event_id = ? AND user_id = ?",
                (event_id, member),
            ).fetchone()
            status = rsvp["status"] if rsvp else None
            seat = ticket = None
            if status == "going":
                ticket = live_ticket(conn, event_id, member, now).code
                seat = conn.execute(RANK, (event_id, "going", 0, rsvp["seq"])).fetchone()[0]
            walk_in = status != "going"
            recorded = conn.execute(
                "INSERT INTO event_checkins(event_id, user_id, checked_in_at, by_user_id, code,"
                " walk_in) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id, user_id) DO NOTHING",
                (event_id, member, now, by_user_id, ticket, int(walk_in)),
            ).rowcount
            if recorded:
                outcome: CheckInOutcome = "walk_in" if walk_in else "checked_in"
                return CheckInResult(
                    outcome, event, member, status, walk_in, now, by_user_id, ticket, seat
                )
            first = conn.execute(_FIRST_CHECKIN, (event_id, member)).fetchone()
            return CheckInResult(
                "already",
                event,
                member,
                status,
                bool(first["walk_in"]),
                first["checked_in_at"],
                first["by_user_id"],
                ticket,
                seat,
            )

        async with self.store.turn(event_id):
            return await self.db.run_in_transaction(work)

    async def checkins(self, guild_id: int, event_id: int) -> list[CheckIn]:
        """Everyone checked in (walk-ins included), in check-in order, for organizers."""
        await self.store.load(guild_id, event_id)
        rows = await self.db.fetchall(
            "SELECT user_id, checked_in_at, by_user_id, code, walk_in FROM event_checkins"
            " WHERE event_id = ? ORDER BY checked_in_at, id",
            (event_id,),
        )
        return [
            CheckIn(r["user_id"], r["checked_in_at"], r["by_user_id"], r["code"], bool(r[4]))
            for r in rows
        ]

    async def stats(self, guild_id: int, event_id: int, now: int | None = None) -> EventStats:
        """Going, waitlisted, checked in, walk-ins, no-shows (once it has ended), undelivered
        messages of this event, and check-ins per 15-minute slot."""
        now = self.store.now() if now is None else int(now)
        # One snapshot: a check-in landing mid-read can't make the numbers disagree.
        async with self.db.transaction():
            event = await self.store.load(guild_id, event_id)
            counts = await self.db.fetchone(
                "SELECT COUNT(*), CAST(COALESCE(SUM(walk_in), 0) AS INTEGER) FROM event_checkins"
                " WHERE event_id = ?",
                (event_id,),
            )
            assert counts is not None
            ended = event.is_over(now)
            no_shows = None
            if ended and not event.cancelled:
                no_shows = int(
                    await self.db.fetchval(
                        "SELECT COUNT(*) FROM rsvps r WHERE r.event_id = ? AND r.status = 'going'"
                        " AND NOT EXISTS (SELECT 1 FROM event_checkins c"
                        " WHERE c.event_id = r.event_id AND c.user_id = r.user_id)",
                        (event_id,),
                    )
                )
            slots = await self.db.fetchall(
                "SELECT checked_in_at - checked_in_at % ? AS slot, COUNT(*) FROM event_checkins"
                " WHERE event_id = ? GROUP BY slot ORDER BY slot",
                (CURVE_SLOT, event_id),
            )
            undelivered = await outbox.failures(
                self.db, guild_id, dedupe_prefix=outbox_key(event_id, "")
            )
        by_slot = {r[0]: r[1] for r in slots}
        curve: tuple[tuple[int, int], ...] = ()
        if by_slot:
            first, last = min(by_slot), max(by_slot)
            curve = tuple(
                (slot, by_slot.get(slot, 0)) for slot in range(first, last + 1, CURVE_SLOT)
            )
        return EventStats(
            event,
            event.going,
            event.waitlist,
            counts[0],
            counts[1],
            no_shows,
            undelivered,
            curve,
            ended,
        )

    # --- the volunteer role (may check members in, with organizers) ---------------------
    async def volunteer_role(self, guild_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT volunteer_role_id FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )

    async def set_volunteer_role(self, guild_id: int, role_id: int | None) -> None:
        """None removes it (then only organizers check members in)."""
        await self.store.set_setting(guild_id, "volunteer_role_id", role_id)

    async def forget_volunteer_role(self, guild_id: int, role_id: int) -> list[str]:
        """The role was deleted: only organizers check in now."""
        if await self.db.execute_rowcount(
            "UPDATE event_guild_settings SET volunteer_role_id = NULL"
            " WHERE guild_id = ? AND volunteer_role_id = ?",
            (guild_id, role_id),
        ):
            return ["the volunteer role (only organizers check in now)"]
        return []
