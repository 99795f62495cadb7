"""Seats: Going (a seat or the waitlist), Can't go, filling freed seats from the waitlist,
the seat release for members in poor standing, and a departing member's places.

Every decision about seats (seat or waitlist, promotion) is made inside one
`db.transaction()` (BEGIN IMMEDIATE), reading and writing in the same transaction, after
locking the event's row (store.py), so no interleaving of clicks — in one process or in
several sharing PostgreSQL — can overbook. A seat and its ticket are written together, and
so are the messages and role syncs it causes (the outbox), with dedupe keys
`event:{id}:…` so a repeat enqueues nothing. Each result says what it owes Discord after
the commit as one `SeatChange` (`result.seats`). Concurrent clicks on one event are
decided in the order they arrived (`store.turn`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import partial

from bot import outbox
from bot.db import SyncConnection
from bot.errors import NotAllowed, NotFound
from bot.events import roles
from bot.events.messages import EventPromoted
from bot.events.models import (
    FIRE_EARLY_TOLERANCE,
    POOR_STANDING_RELEASE,
    Event,
    SeatRelease,
)
from bot.events.questions import clean_answers, dump_answers
from bot.events.results import (
    LeaveResult,
    RsvpResult,
    SeatReleaseResult,
)
from bot.events.standing import history_sync, judge, policy_from
from bot.events.store import (
    RANK,
    SELECT_EVENT,
    EventStore,
    event_from_row,
    outbox_key,
)
from bot.events.tickets import issue_ticket, live_ticket
from bot.i18n import _

# The event, the member's RSVP and the guild's no-show policy: all a click needs, one query.
SELECT_WITH_MEMBER = (
    f"{SELECT_EVENT}, r.status AS my_status, r.seq AS my_seq, r.behind AS my_behind,"
    " gs.no_show_limit, gs.no_show_window"
    " FROM events e LEFT JOIN rsvps r ON r.event_id = e.id AND r.user_id = ?"
    " LEFT JOIN event_guild_settings gs ON gs.guild_id = e.guild_id"
    " WHERE e.id = ? AND e.guild_id = ?"
)
POOR_WAITING = (
    "SELECT COUNT(*) FROM rsvps WHERE event_id = ? AND status = 'waitlist' AND behind = 1"
)


def check_open(event: Event, now: int) -> None:
    if event.cancelled:
        raise NotAllowed(_("“{title}” was cancelled, so RSVPs are closed.", title=event.title))
    if event.is_over(now):
        raise NotAllowed(_("“{title}” is over, so RSVPs are closed.", title=event.title))
    if event.has_started(now):
        raise NotAllowed(
            _("“{title}” has already started, so RSVPs are closed.", title=event.title)
        )


def release_at(event: Event, now: int) -> int | None:
    """When seats still free go to those waiting behind; None once that has passed."""
    return event.seat_release_at if event.seat_release_at > now else None


class Seats:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    async def rsvp(
        self,
        guild_id: int,
        event_id: int,
        user_id: int,
        answers: Sequence[str] | None = None,
    ) -> RsvpResult:
        """Going: a seat if one is free (and no one in good standing is waiting), else the
        waitlist. A repeated click changes nothing and says where the member already is
        (answers given then are ignored).

        An event with questions needs one answer per question from a member not yet
        registered (AnswersRequired, an InvalidInput, carries the questions for the form);
        answers are stored with the RSVP. A new seat comes with its ticket (the cog DMs it:
        no outbox row for a seat the member clicked for). Under the no-show policy a member
        in poor standing waits behind members in good standing (see standing.py).

        The hottest path of the bot (a 2,000-click burst): the whole decision runs as
        one transaction in the database thread, one hop instead of one per statement."""
        now = self.store.now()

        def decide(conn: SyncConnection) -> RsvpResult:
            conn.execute(self.store.lock_event_sql, (event_id,))
            row = conn.execute(SELECT_WITH_MEMBER, (user_id, event_id, guild_id)).fetchone()
            if row is None:
                raise NotFound(
                    _("There is no event #{event_id} in this server.", event_id=event_id)
                )
            event, status = event_from_row(row), row["my_status"]
            check_open(event, now)
            if status is not None:
                behind = row["my_behind"]
                rank = conn.execute(RANK, (event_id, status, behind, row["my_seq"])).fetchone()[0]
                if status == "going":
                    ticket = live_ticket(conn, event_id, user_id, now)
                    return RsvpResult("already_going", event, rank, event.capacity, None, ticket)
                return RsvpResult(
                    "already_waitlisted",
                    event,
                    None,
                    event.capacity,
                    rank,
                    behind=bool(behind),
                    release_at=release_at(event, now) if behind else None,
                )
            pairs = clean_answers(event.title, event.questions, answers)
            # Standing only matters where seats are limited; good standing is reported as None.
            standing = None
            policy = policy_from(row["no_show_limit"], row["no_show_window"])
            if policy.enabled and event.capacity is not None:
                history = history_sync(conn, guild_id, user_id, now, policy.window)
                standing = judge(policy, history)
                if standing.good:
                    standing = None
            poor_waiting = (
                conn.execute(POOR_WAITING, (event_id,)).fetchone()[0] if event.waitlist else 0
            )
            if event.capacity is None:
                seated = True
            elif standing is None:  # only members in good standing are ahead of this one
                seated = event.going < event.capacity and event.waitlist == poor_waiting
            else:
                seated = (
                    now >= event.seat_release_at
                    and event.going < event.capacity
                    and event.waitlist == 0
                )
            behind = not seated and standing is not None
            # seq comes from the counter; a trigger (migration 0003) advances it (PostgreSQL's
            # trigger takes it from a sequence instead: the click order either way).
            conn.execute(
                "INSERT INTO rsvps(event_id, user_id, status, seq, created_at, behind, answers)"
                " VALUES (?, ?, ?, (SELECT value + 1 FROM rsvp_seq WHERE id = 1), ?, ?, ?)",
                (
                    event_id,
                    user_id,
                    "going" if seated else "waitlist",
                    now,
                    int(behind),
                    dump_answers(pairs),
                ),
            )
            # The newest click has the highest seq, so its rank is the count including it
            # (among the going, or its group on the waitlist).
            if seated:
                ticket = issue_ticket(conn, event_id, user_id, now)
                if event.role_id is not None:
                    roles.owe_sync_sync(conn, guild_id, event.role_id, user_id, event_id, now)
                event = dataclasses.replace(event, going=event.going + 1)
                return RsvpResult("seated", event, event.going, event.capacity, None, ticket)
            event = dataclasses.replace(event, waitlist=event.waitlist + 1)
            if behind:
                return RsvpResult(
                    "waitlisted",
                    event,
                    None,
                    event.capacity,
                    event.waitlist,
                    behind=True,
                    standing=standing,
                    release_at=release_at(event, now),
                )
            position = event.waitlist - poor_waiting
            return RsvpResult("waitlisted", event, None, event.capacity, position)

        async with self.store.turn(event_id):
            return await self.db.run_in_transaction(decide)

    async def leave(self, guild_id: int, event_id: int, user_id: int) -> LeaveResult:
        """Can't go: frees the seat (or waitlist place) and voids the ticket; the first
        waiting is promoted at once (with a ticket and an 'event.promoted' DM)."""
        now = self.store.now()
        async with self.store.turn(event_id), self.db.transaction():
            await self.store.lock_event(event_id)
            row = await self.db.fetchone(SELECT_WITH_MEMBER, (user_id, event_id, guild_id))
            if row is None:
                raise NotFound(
                    _("There is no event #{event_id} in this server.", event_id=event_id)
                )
            event, status = event_from_row(row), row["my_status"]
            check_open(event, now)
            if status is None:
                return LeaveResult("not_registered", event, ())
            await self.db.execute(
                "DELETE FROM rsvps WHERE event_id = ? AND user_id = ?", (event_id, user_id)
            )
            if status == "going":
                voided = await self.db.fetchval(
                    "UPDATE event_tickets SET voided_at = ?, void_reason = 'left'"
                    " WHERE event_id = ? AND user_id = ? AND voided_at IS NULL RETURNING code",
                    (now, event_id, user_id),
                )
                if event.role_id is not None:
                    await roles.owe_sync(
                        self.db, guild_id, event.role_id, [user_id], event_id=event_id, now=now
                    )
                event = dataclasses.replace(event, going=event.going - 1)
                promoted = await self.fill(event, now)
                event = dataclasses.replace(
                    event,
                    going=event.going + len(promoted),
                    waitlist=event.waitlist - len(promoted),
                )
                return LeaveResult("was_going", event, tuple(promoted), voided)
        event = dataclasses.replace(event, waitlist=event.waitlist - 1)
        return LeaveResult("was_waitlisted", event, ())

    async def fill(self, event: Event, now: int, *, released: bool | None = None) -> list[int]:
        """Inside a transaction holding the event's lock (store.lock_event): seat the
        waitlist while seats are free — members in good standing first, then (once the seat
        release time has come, or when capacity is unlimited) those waiting behind them,
        each group in click order. Each promoted member gets a ticket and an
        'event.promoted' DM carrying its code, in this transaction. `event` must carry the
        counts read after the lock. Only before the start: a seat offered once
        the event has begun is no use to anyone."""
        guild_id, event_id = event.guild_id, event.id
        if event.cancelled or event.has_started(now) or event.waitlist == 0:
            return []
        free = event.waitlist if event.capacity is None else event.capacity - event.going
        if free <= 0:
            return []
        if released is None:
            released = event.capacity is None or now >= event.seat_release_at
        rows = await self.db.fetchall(
            "SELECT user_id FROM rsvps WHERE event_id = ? AND status = 'waitlist'"
            " AND (behind = 0 OR ? = 1) ORDER BY behind, seq LIMIT ?",
            (event_id, int(released), free),
        )
        promoted = [r["user_id"] for r in rows]
        for user_id in promoted:
            seq = await self.db.fetchval(
                "UPDATE rsvps SET status = 'going', behind = 0 WHERE event_id = ? AND user_id = ?"
                " RETURNING seq",
                (event_id, user_id),
            )
            ticket = await self.db.run_in_transaction(  # joins this transaction
                partial(issue_ticket, event_id=event_id, user_id=user_id, now=now)
            )
            seat = int(await self.db.fetchval(RANK, (event_id, "going", 0, seq)))
            await outbox.enqueue(
                self.db,
                EventPromoted(event_id, seat, ticket.code),
                guild_id=guild_id,
                user_id=user_id,
                due_at=now,
                dedupe_key=outbox_key(event_id, "promoted", user_id, seq),
            )
        if event.role_id is not None and promoted:
            await roles.owe_sync(
                self.db, guild_id, event.role_id, promoted, event_id=event_id, now=now
            )
        return promoted

    # --- the seat release for members in poor standing ----------------------------------
    async def pending_releases(self, *, event_id: int | None = None) -> list[SeatRelease]:
        """Seat releases to schedule (one job per event at release_at, overdue ones at
        once): upcoming events with members waiting behind and a release still ahead, or
        already past with seats free. Rebuild at start-up; schedule an event's again after
        a waitlisted result with release_at, or an edit."""
        now = self.store.now()
        sql = (
            "SELECT e.id, e.guild_id, e.starts_at - ? AS release_at FROM events e"
            " WHERE e.status = 'scheduled' AND e.starts_at > ? AND e.capacity IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM rsvps r WHERE r.event_id = e.id"
            " AND r.status = 'waitlist' AND r.behind = 1)"
            " AND (e.starts_at - ? > ? OR e.capacity > (SELECT COUNT(*) FROM rsvps g"
            " WHERE g.event_id = e.id AND g.status = 'going'))"
            f"{' AND e.id = ?' if event_id is not None else ''}"
            " ORDER BY release_at, e.id"
        )
        params: list[int] = [POOR_STANDING_RELEASE, now, POOR_STANDING_RELEASE, now]
        if event_id is not None:
            params.append(event_id)
        rows = await self.db.fetchall(sql, params)
        return [SeatRelease(r["id"], r["guild_id"], r["release_at"]) for r in rows]

    async def release(self, event_id: int) -> SeatReleaseResult:
        """The release job: seats still free go to members waiting behind, in click order
        (each gets a ticket and an 'event.promoted' DM, and the role is owed). Safe to
        call any number of times; too early → not_due with the time to try again."""
        now = self.store.now()
        async with self.store.turn(event_id), self.db.transaction():
            await self.store.lock_event(event_id)
            event = await self.store.load_any(event_id)
            if event is None:
                return SeatReleaseResult("noop", event_id, None)
            if event.cancelled or event.has_started(now):
                return SeatReleaseResult("noop", event_id, event.guild_id)
            if now < event.seat_release_at - FIRE_EARLY_TOLERANCE:
                return SeatReleaseResult(
                    "not_due", event_id, event.guild_id, due_at=event.seat_release_at
                )
            promoted = await self.fill(event, now, released=True)
        return SeatReleaseResult("released", event_id, event.guild_id, tuple(promoted))

    # --- a member leaves the server -------------------------------------------------------
    async def release_member(self, guild_id: int, user_id: int) -> list[LeaveResult]:
        """A member left the server: give up their places at events that have not started
        (each promotes the waitlist like Can't go). Past records stay. Empty when the
        guild turned release-on-leave off."""
        if not await self.release_on_leave(guild_id):
            return []
        rows = await self.db.fetchall(
            "SELECT r.event_id FROM rsvps r JOIN events e ON e.id = r.event_id"
            " WHERE e.guild_id = ? AND r.user_id = ? AND e.status = 'scheduled'"
            " AND e.starts_at > ?",
            (guild_id, user_id, self.store.now()),
        )
        return [await self.leave(guild_id, r["event_id"], user_id) for r in rows]

    async def release_on_leave(self, guild_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT release_on_leave FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return value is None or bool(value)

    async def set_release_on_leave(self, guild_id: int, enabled: bool) -> None:
        await self.store.set_setting(guild_id, "release_on_leave", int(enabled))
