"""At the door: tickets, check-in (by ticket code or by member), walk-ins, stats, the
volunteer role (who may check members in, with organizers) and the check-in window.

The window: volunteers check members in from the guild's `checkin_window_hours` before
the start (/settings checkin-window, default 24, 0 = from the start) until an hour after
the end. Organizers may check members in at any time (rehearsing the door, badges the
day before, a speaker early); such a check-in says it was outside the window.

Check-in is the door's hot path (3 volunteers, 300 people in 20 minutes): each one is a
single transaction run in the database thread (`db.run_in_transaction`), and the unique
(event_id, user_id) row is what guarantees a member is recorded once however many
volunteers scan the same ticket at the same moment.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import outbox
from bot.db import SyncConnection
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import tickets as codes
from bot.events.models import (
    CHECKIN_GRACE_AFTER,
    CURVE_SLOT,
    DEFAULT_CHECKIN_WINDOW_HOURS,
    MAX_CHECKIN_WINDOW_HOURS,
    CheckIn,
    CheckInChoice,
    CheckInOutcome,
    Event,
    EventStats,
    Ticket,
)
from bot.events.results import CheckInResult
from bot.events.store import (
    RANK,
    SELECT_EVENT,
    EventStore,
    event_from_row,
    outbox_key,
    timezone_sync,
)
from bot.events.tickets import live_ticket
from bot.i18n import N_, _, _n
from bot.sql import Row
from bot.timeutil import format_local

# Why a ticket was voided, to follow "was voided on …:" (translated where used).
_VOID_REASONS = {"left": N_("the member gave up their seat")}
_WITHDRAWN = N_("it was withdrawn")
_TICKET_BY_CODE = (
    "SELECT code, event_id, user_id, issued_at, voided_at, void_reason FROM event_tickets"
    " WHERE code = ?"
)
_FIRST_CHECKIN = (
    "SELECT checked_in_at, by_user_id, walk_in, code FROM event_checkins"
    " WHERE event_id = ? AND user_id = ?"
)
_WINDOW = "SELECT checkin_window_hours FROM event_guild_settings WHERE guild_id = ?"


def window_text(hours: int) -> str:
    """From when volunteers may check in, in words that follow "from": '24 hours before
    the start', 'an hour before the start', 'the start'."""
    if not hours:
        return _("the start")
    return _n("an hour before the start", "{n} hours before the start", hours, n=hours)


class DoorClosed(NotAllowed):
    """Volunteers can't check members in to the event now: its window hasn't opened yet
    (`not_yet`, it opens at `opens_at`) or it closed at `closes_at`. The message gives the
    time in the guild's zone; the cog shows it as a Discord timestamp instead."""

    def __init__(self, event: Event, window_hours: int, now: int, tz: ZoneInfo) -> None:
        self.event = event
        self.window_hours = window_hours
        self.opens_at = event.checkin_opens_at(window_hours)
        self.closes_at = event.checkin_closes_at
        self.not_yet = now < self.opens_at
        # to follow "opens": '24 hours before the start', 'at the start'
        self.opens_when = window_text(window_hours) if window_hours else _("at the start")
        where = {"title": event.title, "zone": tz.key}
        if self.not_yet and window_hours:
            text = _n(
                "Check-in for “{title}” opens an hour before the start, at {time} ({zone}).",
                "Check-in for “{title}” opens {n} hours before the start, at {time} ({zone}).",
                window_hours,
                n=window_hours,
                time=format_local(self.opens_at, tz),
                **where,
            )
        elif self.not_yet:
            text = _(
                "Check-in for “{title}” opens at the start, {time} ({zone}).",
                time=format_local(self.opens_at, tz),
                **where,
            )
        else:
            grace = CHECKIN_GRACE_AFTER // 3600
            text = _n(
                "Check-in for “{title}” closed at {time} ({zone}), an hour after the end.",
                "Check-in for “{title}” closed at {time} ({zone}), {n} hours after the end.",
                grace,
                n=grace,
                time=format_local(self.closes_at, tz),
                **where,
            )
        anytime = _("Organizers can check members in at any time.")
        super().__init__(f"{text} {anytime}")


def _window_hours(row: Row | None) -> int:
    return DEFAULT_CHECKIN_WINDOW_HOURS if row is None else int(row[0])


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
            _(
                "No ticket for “{title}” has the code {code}. Check the code, or check "
                "the member in by name.",
                title=event.title,
                code=code,
            )
        )
    if other is not None:
        tz = timezone_sync(conn, event.guild_id)
        raise NotAllowed(
            _(
                "Ticket {code} is for another event, “{other}” (#{other_id}, {when}), "
                "not for “{title}”.",
                code=code,
                other=other["title"],
                other_id=other["id"],
                when=format_local(other["starts_at"], tz),
                title=event.title,
            )
        )
    if ticket["voided_at"] is not None:
        tz = timezone_sync(conn, event.guild_id)
        why = _(_VOID_REASONS.get(ticket["void_reason"], _WITHDRAWN))
        newer = conn.execute(
            "SELECT 1 FROM event_tickets WHERE event_id = ? AND user_id = ? AND voided_at IS NULL",
            (event.id, ticket["user_id"]),
        ).fetchone()
        hint = (
            _("They have a newer ticket: check them in by name.")
            if newer
            else _("Check them in by name to record them as a walk-in.")
        )
        voided = _(
            "Ticket {code} was voided on {when} ({zone}): {why}.",
            code=code,
            when=format_local(ticket["voided_at"], tz),
            zone=tz.key,
            why=why,
        )
        raise NotAllowed(f"{voided} {hint}")
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
                raise NotFound(
                    _("There is no event #{event_id} in this server.", event_id=event_id)
                )
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
        organizer: bool = False,
    ) -> CheckInResult:
        """Check a member in by ticket code or by member (exactly one). Permission (organizer
        or volunteer) is the cog's to check, and it says which (`organizer`). A member
        without a seat is recorded as a walk-in; a second check-in records nothing and says
        when the first was.

        Volunteers only inside the guild's check-in window (`DoorClosed` says when it opens
        or when it closed); organizers at any time (`outside_window` then says so). Never for
        cancelled events. A code that is unknown, another event's, or voided is refused
        with the reason."""
        if (member_id is None) == (code is None):
            raise InvalidInput(_("Give either the member or their ticket code (one of the two)."))
        now = self.store.now()

        def work(conn: SyncConnection) -> CheckInResult:
            conn.execute(self.store.lock_event_sql, (event_id,))
            row = conn.execute(
                f"{SELECT_EVENT} FROM events e WHERE e.id = ? AND e.guild_id = ?",
                (event_id, guild_id),
            ).fetchone()
            if row is None:
                raise NotFound(
                    _("There is no event #{event_id} in this server.", event_id=event_id)
                )
            event = event_from_row(row)
            if event.cancelled:
                raise NotAllowed(
                    _("“{title}” was cancelled, so there is no check-in.", title=event.title)
                )
            hours = _window_hours(conn.execute(_WINDOW, (guild_id,)).fetchone())
            outside = not event.in_checkin_window(now, hours)
            if outside and not organizer:
                raise DoorClosed(event, hours, now, timezone_sync(conn, guild_id))
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
                    outcome,
                    event,
                    member,
                    status,
                    walk_in,
                    now,
                    by_user_id,
                    ticket,
                    seat,
                    outside_window=outside,
                    window_hours=hours,
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
                window_hours=hours,
            )

        async with self.store.turn(event_id):
            return await self.db.run_in_transaction(work)

    async def choices_for(
        self, guild_id: int, member_id: int, *, organizer: bool, limit: int = 25
    ) -> list[CheckInChoice]:
        """The events a check-in of the member may be for, when nobody named one (the
        member's context menu), soonest first, at most `limit`:

        - the events whose check-in window is open now, or, for an organizer (who may check
          in at any time) when none is, the member's upcoming RSVPs;
        - of those, only the ones where the member has an RSVP (going or waitlist), when
          there are any: someone at the door is most likely at the event they signed up for.

        One → check them in there; several → ask; none → nothing is open for them now.
        Cancelled events never count."""
        now = self.store.now()
        hours = await self.checkin_window(guild_id)
        rows = await self.db.fetchall(
            f"{SELECT_EVENT}, r.status AS member_status FROM events e LEFT JOIN rsvps r"
            " ON r.event_id = e.id AND r.user_id = ?"
            " WHERE e.guild_id = ? AND e.status = 'scheduled' AND e.ends_at > ?"
            " AND (e.starts_at <= ? OR r.status IS NOT NULL)"
            " ORDER BY e.starts_at, e.id",
            (member_id, guild_id, now - CHECKIN_GRACE_AFTER, now + hours * 3600),
        )
        found = [CheckInChoice(event_from_row(r), r["member_status"]) for r in rows]
        pool = [c for c in found if c.event.in_checkin_window(now, hours)]
        if not pool and organizer:
            pool = [c for c in found if c.status is not None]
        theirs = [c for c in pool if c.status is not None]
        return (theirs or pool)[:limit]

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
                "SELECT checked_in_at - checked_in_at % ? AS slot, COUNT(*),"
                " CAST(SUM(walk_in) AS INTEGER) FROM event_checkins"
                " WHERE event_id = ? GROUP BY slot ORDER BY slot",
                (CURVE_SLOT, event_id),
            )
            undelivered = await outbox.failures(
                self.db, guild_id, dedupe_prefix=outbox_key(event_id, "")
            )
        by_slot = {r[0]: (r[1], r[2]) for r in slots}
        curve: tuple[tuple[int, int], ...] = ()
        walk_ins: tuple[int, ...] = ()
        if by_slot:
            first, last = min(by_slot), max(by_slot)
            every = range(first, last + 1, CURVE_SLOT)
            curve = tuple((slot, by_slot.get(slot, (0, 0))[0]) for slot in every)
            walk_ins = tuple(by_slot.get(slot, (0, 0))[1] for slot in every)
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
            walk_ins,
        )

    # --- the check-in window (volunteers; organizers check in at any time) --------------
    async def checkin_window(self, guild_id: int) -> int:
        """Hours before the start from which volunteers may check members in."""
        return _window_hours(await self.db.fetchone(_WINDOW, (guild_id,)))

    async def set_checkin_window(self, guild_id: int, hours: int) -> None:
        if not 0 <= hours <= MAX_CHECKIN_WINDOW_HOURS:
            raise InvalidInput(
                _(
                    "The check-in window is 0 to {max} hours before the start"
                    " (0 = only from the start).",
                    max=MAX_CHECKIN_WINDOW_HOURS,
                )
            )
        await self.store.set_setting(guild_id, "checkin_window_hours", hours)

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
            return [_("the volunteer role (only organizers check in now)")]
        return []
