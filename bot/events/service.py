"""Events, RSVPs, the waitlist, tickets and reminders, over the store.

Every decision about seats (seat or waitlist, promotion) is made inside one
`db.transaction()` (BEGIN IMMEDIATE), reading and writing in the same transaction,
so no interleaving of clicks can overbook. A seat and its ticket are written together.
Messages owed because of a decision (promotion, change, cancellation, reminder) are
written to the outbox in the same transaction, with dedupe keys `event:{id}:…` so a
repeat enqueues nothing and a cancellation can drop what is still pending.

The door (check-in, stats), standing (no-shows, the policy) and feedback live in
checkin.py, standing.py and feedback.py as mixins of the one EventService.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import outbox
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import reminders as plan
from bot.events import roles
from bot.events._base import (
    POOR_WAITING,
    RANK,
    RANK_OF_R,
    SELECT_EVENT,
    SELECT_WITH_MEMBER,
    event_from_row,
    iso,
    issue_ticket_sync,
    key,
    live_ticket_sync,
)
from bot.events.checkin import CheckInMixin
from bot.events.export import attendees_csv as _attendees_csv
from bot.events.feedback import FeedbackMixin
from bot.events.models import (
    DEFAULT_DURATION,
    DEFAULT_REMINDER_OFFSETS,
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_DURATION,
    MAX_REASON,
    MAX_TITLE,
    MAX_VENUE,
    POOR_STANDING_RELEASE,
    Attendee,
    DeletedMemberData,
    EditResult,
    Event,
    LeaveResult,
    MemberStatus,
    MyEvent,
    Reminder,
    ReminderFire,
    RsvpResult,
    SeatRelease,
    SeatReleaseResult,
)
from bot.events.questions import (
    clean_answers,
    dump_answers,
    dump_questions,
    load_answers,
    parse_questions,
)
from bot.events.standing import StandingMixin, history_sync, judge, policy_from
from bot.timeutil import format_local, parse_offsets, parse_when

_REMINDER_COLUMNS = (
    "rm.id, rm.event_id, e.guild_id, rm.offset_seconds, rm.due_at, rm.status, rm.processed_at"
)
_CHOICE_NAME_LIMIT = 100  # Discord's limit on an autocomplete choice's name
# Aliases kept for the code below (and anything importing them).
_SELECT_EVENT = SELECT_EVENT
_event = event_from_row
_iso = iso
_key = key


def _clean_title(title: str) -> str:
    # NUL dropped: SQLite's length() stops at it, so "\x00…" fails the title's CHECK.
    cleaned = " ".join(title.replace("\x00", "").split())
    if not cleaned:
        raise InvalidInput("An event needs a title.")
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(
            f"The title can be at most {MAX_TITLE} characters (this one has {len(cleaned)})."
        )
    return cleaned


def _clean_venue(venue: str | None) -> str | None:
    cleaned = " ".join((venue or "").split())
    if len(cleaned) > MAX_VENUE:
        raise InvalidInput(
            f"The venue can be at most {MAX_VENUE} characters (this one has {len(cleaned)})."
        )
    return cleaned or None


def _clean_description(description: str | None) -> str | None:
    cleaned = (description or "").strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"The description can be at most {MAX_DESCRIPTION:,} characters "
            f"(this one has {len(cleaned):,})."
        )
    return cleaned or None


def _check_capacity(capacity: int) -> int:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            f"Capacity must be a whole number from 1 to {MAX_CAPACITY:,}; "
            "leave it empty for unlimited seats."
        )
    return capacity


class EventService(CheckInMixin, StandingMixin, FeedbackMixin):
    """The events feature's rules: `EventService(db, guilds, clock=time.time)`; `clock`
    returns epoch seconds (tests pass their own). The door (check-in, tickets, stats),
    standing and feedback parts live in checkin.py, standing.py and feedback.py."""

    # --- reading ------------------------------------------------------------------------
    async def get(self, guild_id: int, event_id: int) -> Event:
        """The event with its going/waitlist counts; NotFound if it isn't this guild's."""
        return await self._load(guild_id, event_id)

    async def resolve(self, guild_id: int, text: str) -> Event:
        """An event from what a member typed: its id (`12`, `#12`, the autocomplete value)
        or its exact title (upcoming events preferred)."""
        cleaned = text.strip()
        ident = cleaned.removeprefix("#").strip()
        if ident.isdecimal():  # any script's digits; not ² or ①, which int() refuses
            if len(ident) > 18:
                raise NotFound(f"There is no event #{ident[:20]} in this server.")
            return await self._load(guild_id, int(ident))
        if not cleaned:
            raise InvalidInput("Name an event: pick one from the list or give its number.")
        now = self._now()
        rows = await self.db.fetchall(
            f"{_SELECT_EVENT} FROM events e WHERE e.guild_id = ? AND lower(e.title) = lower(?)"
            " ORDER BY (e.status = 'scheduled' AND e.ends_at > ?) DESC, e.starts_at",
            (guild_id, " ".join(cleaned.split()), now),
        )
        events = [_event(r) for r in rows]
        upcoming = [e for e in events if not e.cancelled and not e.is_over(now)]
        candidates = upcoming or events
        if len(candidates) == 1:
            return candidates[0]
        shown = cleaned[:MAX_TITLE]
        if not candidates:
            raise NotFound(f"No event here is called “{shown}”. Pick one from the list.")
        raise InvalidInput(f"Several events are called “{shown}”. Pick one from the list.")

    async def upcoming(self, guild_id: int, city: str | None = None) -> list[Event]:
        """Not cancelled and not over, soonest first. An unknown city → NotFound listing them."""
        now = self._now()
        sql = (
            f"{_SELECT_EVENT} FROM events e WHERE e.guild_id = ? AND e.status = 'scheduled'"
            " AND e.ends_at > ?"
        )
        params: list[Any] = [guild_id, now]
        if city is not None and city.strip():
            name = " ".join(city.split())
            sql += " AND lower(e.city) = lower(?)"
            params.append(name)
        rows = await self.db.fetchall(sql + " ORDER BY e.starts_at, e.id", params)
        if not rows and city is not None and city.strip():
            await self.guilds.city(guild_id, city)  # a typo gets the list of cities
        return [_event(r) for r in rows]

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Event]:
        """For autocomplete: title or city contains `text` (or it is the id); upcoming events
        soonest first, then past and cancelled ones, latest first."""
        key = " ".join(text.split())
        ident = key.removeprefix("#")
        now = self._now()
        rows = await self.db.fetchall(
            f"{_SELECT_EVENT} FROM events e WHERE e.guild_id = ?1 AND (?2 = ''"
            " OR instr(lower(e.title), lower(?2)) OR instr(lower(e.city), lower(?2))"
            " OR CAST(e.id AS TEXT) = ?3)"
            " ORDER BY (e.status = 'scheduled' AND e.ends_at > ?4) DESC,"
            " CASE WHEN e.status = 'scheduled' AND e.ends_at > ?4 THEN e.starts_at"
            " ELSE -e.starts_at END, e.id LIMIT ?5",
            (guild_id, key, ident, now, max(1, min(limit, 100))),
        )
        return [_event(r) for r in rows]

    async def autocomplete(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[tuple[str, str]]:
        """(name, value) choices: `Title · City · 26 Jul 2026 10:00` (guild zone) → `"12"`."""
        tz = (await self.guilds.get(guild_id)).tz
        now = self._now()
        choices = []
        for event in await self.search(guild_id, text, limit):
            when = format_local(event.starts_at, tz)
            tag = " (cancelled)" if event.cancelled else " (over)" if event.is_over(now) else ""
            suffix = f" · {event.city} · {when}{tag}"
            room = _CHOICE_NAME_LIMIT - len(suffix)
            title = event.title if len(event.title) <= room else event.title[: room - 1] + "…"
            choices.append((title + suffix, str(event.id)))
        return choices

    async def status_of(self, event_id: int, user_id: int) -> MemberStatus:
        """The member's place: going with seat n, waitlisted at position n, or not registered."""
        row = await self.db.fetchone(
            f"SELECT r.status, {RANK_OF_R} AS rank FROM rsvps r"
            " WHERE r.event_id = ? AND r.user_id = ?",
            (event_id, user_id),
        )
        if row is None:
            return MemberStatus(None, None, None)
        if row["status"] == "going":
            return MemberStatus("going", row["rank"], None)
        return MemberStatus("waitlist", None, row["rank"])

    async def mine(self, guild_id: int, user_id: int) -> list[MyEvent]:
        """The member's upcoming events (not cancelled, not over), soonest first."""
        rows = await self.db.fetchall(
            f"{_SELECT_EVENT}, r.status AS my_status, {RANK_OF_R} AS my_rank"
            " FROM rsvps r JOIN events e ON e.id = r.event_id"
            " WHERE e.guild_id = ? AND r.user_id = ? AND e.status = 'scheduled'"
            " AND e.ends_at > ? ORDER BY e.starts_at, e.id",
            (guild_id, user_id, self._now()),
        )
        return [
            MyEvent(
                _event(r),
                r["my_status"],
                r["my_rank"] if r["my_status"] == "going" else None,
                r["my_rank"] if r["my_status"] == "waitlist" else None,
            )
            for r in rows
        ]

    async def attendees(self, guild_id: int, event_id: int) -> list[Attendee]:
        """Going (seat order) then the waitlist (good standing first, each in click order),
        with answers, standing and check-in time: organizers only."""
        await self._load(guild_id, event_id)
        now = self._now()
        rows = await self.db.fetchall(
            "SELECT r.user_id, r.status, r.created_at, r.answers, r.behind, c.checked_in_at"
            " FROM rsvps r LEFT JOIN event_checkins c"
            " ON c.event_id = r.event_id AND c.user_id = r.user_id"
            " WHERE r.event_id = ? ORDER BY r.status = 'waitlist', r.behind, r.seq",
            (event_id,),
        )
        poor = await self._standings(guild_id, event_id, now)
        result: list[Attendee] = []
        seat = position = 0
        for r in rows:
            going = r["status"] == "going"
            if going:
                seat += 1
            else:
                position += 1
            checked_in = r["checked_in_at"]
            result.append(
                Attendee(
                    r["user_id"],
                    r["status"],
                    _iso(r["created_at"]),
                    seat if going else None,
                    None if going else position,
                    load_answers(r["answers"]),
                    "poor" if r["user_id"] in poor else "good",
                    None if checked_in is None else _iso(checked_in),
                    bool(r["behind"]),
                )
            )
        return result

    @staticmethod
    def attendees_csv(
        rows: Iterable[Attendee], names: Mapping[int, str], questions: Sequence[str] = ()
    ) -> str:
        """CSV: member_id, display_name, status, rsvp_time, waitlist_position, standing,
        checked_in, then one column per question (see export.attendees_csv)."""
        return _attendees_csv(rows, names, questions)

    async def questions(self, event_id: int) -> list[str]:
        """The event's registration questions, in order (empty when it asks none)."""
        event = await self._load_any(event_id)
        if event is None:
            raise NotFound(f"There is no event #{event_id}.")
        return list(event.questions)

    # --- creating and changing -------------------------------------------------------------
    async def create(
        self,
        guild_id: int,
        organizer_id: int,
        *,
        title: str,
        city: str,
        starts: str,
        ends: str | None = None,
        venue: str | None = None,
        capacity: int | None = None,
        description: str | None = None,
        channel_id: int | None = None,
        role_id: int | None = None,
        questions: str | None = None,
    ) -> Event:
        """Validate, store, and plan reminders (offsets already past are skipped).
        `questions`: up to 4 separated by `;` (see questions.parse_questions)."""
        title = _clean_title(title)
        asked = parse_questions(questions)
        venue = _clean_venue(venue)
        description = _clean_description(description)
        if capacity is not None:
            _check_capacity(capacity)
        config = await self.guilds.get(guild_id)
        canonical_city = (await self.guilds.city(guild_id, city)).name
        now = self._now()
        starts_at, ends_at = self._parse_times(config.tz, now, starts, ends, None)
        offsets = await self.reminder_offsets(guild_id)
        async with self.db.transaction():
            event_id = await self.db.execute(
                "INSERT INTO events(guild_id, title, city, venue, description, starts_at,"
                " ends_at, capacity, channel_id, role_id, organizer_id, created_at, updated_at,"
                " questions, announce_intent_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    title,
                    canonical_city,
                    venue,
                    description,
                    starts_at,
                    ends_at,
                    capacity,
                    channel_id,
                    role_id,
                    organizer_id,
                    now,
                    now,
                    dump_questions(asked),
                    # the announcement is owed from this commit on (posting.py)
                    now if channel_id is not None else None,
                ),
            )
            await self._plan_reminders(event_id, starts_at, offsets, now)
        return await self._load(guild_id, event_id)

    def _parse_times(
        self,
        tz: ZoneInfo,
        now: int,
        starts: str | None,
        ends: str | None,
        current: Event | None,
    ) -> tuple[int, int]:
        """New (starts_at, ends_at). A new start without an end keeps the duration
        (3 h for a new event)."""
        now_dt = datetime.fromtimestamp(now, UTC)
        if starts is not None:
            starts_at = int(parse_when(starts, tz, now_dt).timestamp())
            if starts_at <= now:
                raise InvalidInput(
                    f"The start ({format_local(starts_at, tz)}, {tz.key}) is in the past. "
                    "Give a time in the future."
                )
        else:
            assert current is not None
            starts_at = current.starts_at
        if ends is not None:
            ends_at = int(parse_when(ends, tz, now_dt).timestamp())
        elif current is None:
            ends_at = starts_at + DEFAULT_DURATION
        elif starts is not None:
            ends_at = starts_at + (current.ends_at - current.starts_at)
        else:
            ends_at = current.ends_at
        if ends_at <= starts_at:
            raise InvalidInput(
                f"The end ({format_local(ends_at, tz)}) must be after the start "
                f"({format_local(starts_at, tz)}, {tz.key})."
            )
        if ends_at - starts_at > MAX_DURATION:
            raise InvalidInput("An event can last at most 30 days; check the end time.")
        return starts_at, ends_at

    async def edit(
        self,
        guild_id: int,
        event_id: int,
        *,
        title: str | None = None,
        starts: str | None = None,
        ends: str | None = None,
        venue: str | None = None,
        capacity: int | None = None,
        description: str | None = None,
        unlimited: bool = False,
        questions: str | None = None,
    ) -> EditResult:
        """Change what is given (None = keep; venue/description/questions "" = clear;
        `unlimited=True` removes the capacity). See EditResult for what the cog reports.

        New questions are asked of members who register from now on; answers already given
        are kept (each stored with the question it answered, and still exported) and nobody
        registered is asked again. A time change also moves the seat release and the
        feedback request: schedule `pending_seat_releases(event_id=…)` and
        `pending_feedback_requests(event_id=…)` again."""
        if unlimited and capacity is not None:
            raise InvalidInput("Give a capacity or make it unlimited, not both.")
        given = (title, starts, ends, venue, capacity, description, questions)
        if all(v is None for v in given) and not unlimited:
            raise InvalidInput(
                "Give at least one thing to change: title, starts, ends, venue, capacity, "
                "description or questions."
            )
        new: dict[str, Any] = {}
        if title is not None:
            new["title"] = _clean_title(title)
        if venue is not None:
            new["venue"] = _clean_venue(venue)
        if description is not None:
            new["description"] = _clean_description(description)
        if capacity is not None:
            new["capacity"] = _check_capacity(capacity)
        if unlimited:
            new["capacity"] = None
        if questions is not None:
            new["questions"] = parse_questions(questions)
        now = self._now()
        # Everything after the first await is in the transaction, so concurrent calls
        # are applied in the order they arrive.
        async with self.db.transaction():
            tz = (await self.guilds.get(guild_id)).tz
            old = await self._load(guild_id, event_id)
            self._check_editable(old, now)
            if starts is not None or ends is not None:
                new["starts_at"], new["ends_at"] = self._parse_times(tz, now, starts, ends, old)
            changed = {k: v for k, v in new.items() if getattr(old, k) != v}
            if changed:
                # Column names come from our own dict keys; values go in as parameters.
                sets = ", ".join(f"{k} = ?" for k in changed)
                values = [dump_questions(v) if k == "questions" else v for k, v in changed.items()]
                await self.db.execute(
                    f"UPDATE events SET {sets}, sequence = sequence + 1, updated_at = ?"
                    " WHERE id = ?",
                    (*values, now, event_id),
                )
            if "starts_at" in changed:
                await self._replan_reminders(event_id, changed["starts_at"], now)
            promoted: list[int] = []
            # A new start can bring the seat release for members in poor standing forward.
            if "capacity" in changed or "starts_at" in changed:
                promoted = await self._fill_seats(await self._load(guild_id, event_id), now)
            notified = 0
            if {"starts_at", "ends_at", "venue"} & changed.keys():
                notified = await self._notify_changed(old, changed, promoted, now)
            event = await self._load(guild_id, event_id)
        over = 0 if event.capacity is None else max(0, event.going - event.capacity)
        return EditResult(event, tuple(changed), tuple(promoted), over, notified)

    def _check_editable(self, event: Event, now: int) -> None:
        if event.cancelled:
            raise NotAllowed(f"“{event.title}” was cancelled, so it can't be changed.")
        if event.is_over(now):
            raise NotAllowed(f"“{event.title}” is already over, so it can't be changed.")

    async def _notify_changed(
        self, old: Event, changed: dict[str, Any], promoted: list[int], now: int
    ) -> int:
        """'event.changed' DMs to everyone going (the newly promoted get their own DM)."""
        sequence = old.sequence + 1
        payload = {
            "event_id": old.id,
            "changes": [k for k in ("starts_at", "ends_at", "venue") if k in changed],
            "old_starts_at": old.starts_at,
            "new_starts_at": changed.get("starts_at", old.starts_at),
            "old_ends_at": old.ends_at,
            "new_ends_at": changed.get("ends_at", old.ends_at),
            "old_venue": old.venue,
            "new_venue": changed.get("venue", old.venue),
        }
        rows = await self.db.fetchall(
            "SELECT user_id FROM rsvps WHERE event_id = ? AND status = 'going' ORDER BY seq",
            (old.id,),
        )
        skip = set(promoted)
        count = 0
        for r in rows:
            if r["user_id"] in skip:
                continue
            count += await outbox.enqueue(
                self.db,
                guild_id=old.guild_id,
                kind="event.changed",
                user_id=r["user_id"],
                payload=payload,
                due_at=now,
                dedupe_key=_key(old.id, "changed", sequence, r["user_id"]),
            )
        return count

    async def cancel(self, guild_id: int, event_id: int, reason: str | None = None) -> Event:
        """Cancel: reminders cancelled, pending messages dropped, everyone going or
        waitlisted told (with the reason), the event's role owed back. RSVP rows stay, for
        the record; the returned event's going + waitlist is how many were told (read in
        the cancelling transaction)."""
        cleaned = " ".join((reason or "").split()) or None
        if cleaned is not None and len(cleaned) > MAX_REASON:
            raise InvalidInput(f"The reason can be at most {MAX_REASON} characters.")
        now = self._now()
        async with self.db.transaction():
            event = await self._load(guild_id, event_id)
            if event.cancelled:
                raise NotAllowed(f"“{event.title}” is already cancelled.")
            if event.is_over(now):
                raise NotAllowed(f"“{event.title}” is already over, so it can't be cancelled.")
            await self.db.execute(
                "UPDATE events SET status = 'cancelled', cancel_reason = ?,"
                " sequence = sequence + 1, updated_at = ? WHERE id = ?",
                (cleaned, now, event_id),
            )
            await self.db.execute(
                "UPDATE event_reminders SET status = 'cancelled', processed_at = ?"
                " WHERE event_id = ? AND status = 'pending'",
                (now, event_id),
            )
            # Before the notices, whose keys share the prefix.
            await outbox.drop(self.db, dedupe_prefix=_key(event_id, ""))
            rows = await self.db.fetchall(
                "SELECT user_id, status FROM rsvps WHERE event_id = ?"
                " ORDER BY status = 'waitlist', seq",
                (event_id,),
            )
            if event.role_id is not None:  # nobody is going any more: take the role back
                going = [r["user_id"] for r in rows if r["status"] == "going"]
                await roles.owe_sync(
                    self.db, guild_id, event.role_id, going, event_id=event_id, now=now
                )
            for r in rows:
                await outbox.enqueue(
                    self.db,
                    guild_id=guild_id,
                    kind="event.cancelled",
                    user_id=r["user_id"],
                    payload={"event_id": event_id, "reason": cleaned, "status": r["status"]},
                    due_at=now,
                    dedupe_key=_key(event_id, "cancelled", r["user_id"]),
                )
            return await self._load(guild_id, event_id)

    async def set_message(self, event_id: int, channel_id: int, message_id: int) -> None:
        """Where the announcement was posted (reminder posts go to that channel too)."""
        await self.posting.announcement_posted(event_id, channel_id, message_id)

    async def set_scheduled_event(self, event_id: int, scheduled_event_id: int | None) -> None:
        await self.posting.scheduled_created(event_id, scheduled_event_id)

    # --- RSVPs ---------------------------------------------------------------------------
    def _check_open(self, event: Event, now: int) -> None:
        if event.cancelled:
            raise NotAllowed(f"“{event.title}” was cancelled, so RSVPs are closed.")
        if event.is_over(now):
            raise NotAllowed(f"“{event.title}” is over, so RSVPs are closed.")
        if event.has_started(now):
            raise NotAllowed(f"“{event.title}” has already started, so RSVPs are closed.")

    async def _load_with_member(
        self, guild_id: int, event_id: int, user_id: int
    ) -> tuple[Event, str | None, int | None]:
        row = await self.db.fetchone(SELECT_WITH_MEMBER, (user_id, event_id, guild_id))
        if row is None:
            raise NotFound(f"There is no event #{event_id} in this server.")
        return _event(row), row["my_status"], row["my_seq"]

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
        now = self._now()

        def decide(conn: sqlite3.Connection) -> RsvpResult:
            row = conn.execute(SELECT_WITH_MEMBER, (user_id, event_id, guild_id)).fetchone()
            if row is None:
                raise NotFound(f"There is no event #{event_id} in this server.")
            event, status = _event(row), row["my_status"]
            self._check_open(event, now)
            if status is not None:
                behind = row["my_behind"]
                rank = conn.execute(RANK, (event_id, status, behind, row["my_seq"])).fetchone()[0]
                if status == "going":
                    ticket = live_ticket_sync(conn, event_id, user_id, now)
                    return RsvpResult("already_going", event, rank, event.capacity, None, ticket)
                return RsvpResult(
                    "already_waitlisted",
                    event,
                    None,
                    event.capacity,
                    rank,
                    behind=bool(behind),
                    release_at=self._release_at(event, now) if behind else None,
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
            # seq comes from the counter; a trigger (migration 0003) advances it.
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
                ticket = issue_ticket_sync(conn, event_id, user_id, now)
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
                    release_at=self._release_at(event, now),
                )
            position = event.waitlist - poor_waiting
            return RsvpResult("waitlisted", event, None, event.capacity, position)

        return await self.db.run_in_transaction(decide)

    @staticmethod
    def _release_at(event: Event, now: int) -> int | None:
        """When seats still free go to those waiting behind; None once that has passed."""
        return event.seat_release_at if event.seat_release_at > now else None

    async def leave(self, guild_id: int, event_id: int, user_id: int) -> LeaveResult:
        """Can't go: frees the seat (or waitlist place) and voids the ticket; the first
        waiting is promoted at once (with a ticket and an 'event.promoted' DM)."""
        now = self._now()
        async with self.db.transaction():
            event, status, _ = await self._load_with_member(guild_id, event_id, user_id)
            self._check_open(event, now)
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
                promoted = await self._fill_seats(event, now)
                event = dataclasses.replace(
                    event,
                    going=event.going + len(promoted),
                    waitlist=event.waitlist - len(promoted),
                )
                return LeaveResult("was_going", event, tuple(promoted), voided)
        event = dataclasses.replace(event, waitlist=event.waitlist - 1)
        return LeaveResult("was_waitlisted", event, ())

    async def _fill_seats(
        self, event: Event, now: int, *, released: bool | None = None
    ) -> list[int]:
        """Inside a transaction: seat the waitlist while seats are free — members in good
        standing first, then (once the seat release time has come, or when capacity is
        unlimited) those waiting behind them, each group in click order. Each promoted member
        gets a ticket and an 'event.promoted' DM carrying its code, in this transaction.
        `event` must carry the current counts. Only before the start: a seat offered once
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
            " AND (behind = 0 OR ?) ORDER BY behind, seq LIMIT ?",
            (event_id, int(released), free),
        )
        promoted = [r["user_id"] for r in rows]
        for user_id in promoted:
            seq = await self.db.fetchval(
                "UPDATE rsvps SET status = 'going', behind = 0 WHERE event_id = ? AND user_id = ?"
                " RETURNING seq",
                (event_id, user_id),
            )
            ticket = await self._issue_ticket(event_id, user_id, now)
            seat = int(await self.db.fetchval(RANK, (event_id, "going", 0, seq)))
            await outbox.enqueue(
                self.db,
                guild_id=guild_id,
                kind="event.promoted",
                user_id=user_id,
                payload={"event_id": event_id, "seat": seat, "code": ticket.code},
                due_at=now,
                dedupe_key=_key(event_id, "promoted", user_id, seq),
            )
        if event.role_id is not None and promoted:
            await roles.owe_sync(
                self.db, guild_id, event.role_id, promoted, event_id=event_id, now=now
            )
        return promoted

    # --- the seat release for members in poor standing ----------------------------------
    async def pending_seat_releases(self, *, event_id: int | None = None) -> list[SeatRelease]:
        """Seat releases to schedule (one job per event at release_at, overdue ones at once;
        job id standing.seat_release_job_id): upcoming events with members waiting behind
        and a release still ahead, or already past with seats free. Rebuild at start-up;
        schedule an event's again after a waitlisted result with release_at, or an edit."""
        now = self._now()
        sql = (
            "SELECT e.id, e.guild_id, e.starts_at - ? AS release_at FROM events e"
            " WHERE e.status = 'scheduled' AND e.starts_at > ? AND e.capacity IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM rsvps r WHERE r.event_id = e.id"
            " AND r.status = 'waitlist' AND r.behind = 1)"
            " AND (e.starts_at - ? > ? OR e.capacity > (SELECT COUNT(*) FROM rsvps g"
            " WHERE g.event_id = e.id AND g.status = 'going'))"
        )
        params: list[int] = [POOR_STANDING_RELEASE, now, POOR_STANDING_RELEASE, now]
        if event_id is not None:
            sql += " AND e.id = ?"
            params.append(event_id)
        rows = await self.db.fetchall(sql + " ORDER BY release_at, e.id", params)
        return [SeatRelease(r["id"], r["guild_id"], r["release_at"]) for r in rows]

    async def release_seats(self, event_id: int) -> SeatReleaseResult:
        """The release job: seats still free go to members waiting behind, in click order
        (each gets a ticket and an 'event.promoted' DM; the cog grants the role). Safe to
        call any number of times; too early → not_due with the time to try again."""
        now = self._now()
        async with self.db.transaction():
            event = await self._load_any(event_id)
            if event is None:
                return SeatReleaseResult("noop", event_id, None)
            if event.cancelled or event.has_started(now):
                return SeatReleaseResult("noop", event_id, event.guild_id)
            if now < event.seat_release_at - plan.FIRE_EARLY_TOLERANCE:
                return SeatReleaseResult(
                    "not_due", event_id, event.guild_id, due_at=event.seat_release_at
                )
            promoted = await self._fill_seats(event, now, released=True)
        return SeatReleaseResult("released", event_id, event.guild_id, tuple(promoted))

    async def guild_of(self, event_id: int) -> int:
        """The event's guild (buttons in DMs and jobs carry only the event id)."""
        guild_id = await self.db.fetchval("SELECT guild_id FROM events WHERE id = ?", (event_id,))
        if guild_id is None:
            raise NotFound("That event no longer exists.")
        return int(guild_id)

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """A channel was deleted: its announcements are gone (RSVP by command still works,
        reminders are DMed without the channel post)."""
        rows = await self.db.fetchall(
            "UPDATE events SET channel_id = NULL, message_id = NULL"
            " WHERE guild_id = ? AND channel_id = ? AND status = 'scheduled' AND ends_at > ?"
            " RETURNING title",
            (guild_id, channel_id, self._now()),
        )
        return [f"the announcement of “{r['title']}” (members can use /event rsvp)" for r in rows]

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        """A role was deleted: events stop granting it; volunteers lose check-in."""
        await self.role_ledger.forget_role(guild_id, role_id)
        cleared = [
            f"the role of “{r['title']}”"
            for r in await self.db.fetchall(
                "UPDATE events SET role_id = NULL WHERE guild_id = ? AND role_id = ?"
                " AND ends_at > ? RETURNING title",
                (guild_id, role_id, self._now()),
            )
        ]
        if await self.db.execute_rowcount(
            "UPDATE event_guild_settings SET volunteer_role_id = NULL"
            " WHERE guild_id = ? AND volunteer_role_id = ?",
            (guild_id, role_id),
        ):
            cleared.append("the volunteer role (only organizers check in now)")
        return cleared

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything the events feature stores about a member in this guild, by table
        (see bot/privacy.py), each row with its key: RSVPs with answers, tickets,
        check-ins (theirs, and those they made as a volunteer, without the other member's
        id or code), feedback, the events they organized and their preferences."""
        q = self.db.fetch_dicts
        args = (guild_id, user_id)
        return {
            "rsvps": await q(
                "SELECT r.event_id, r.user_id, e.title, r.status, r.created_at, r.answers"
                " FROM rsvps r JOIN events e ON e.id = r.event_id"
                " WHERE e.guild_id = ? AND r.user_id = ? ORDER BY r.seq",
                args,
            ),
            "event_tickets": await q(
                "SELECT t.code, t.event_id, t.issued_at, t.voided_at, t.void_reason"
                " FROM event_tickets t JOIN events e ON e.id = t.event_id"
                " WHERE e.guild_id = ? AND t.user_id = ?",
                args,
            ),
            "event_checkins": await q(
                "SELECT c.id, c.event_id, e.title, c.checked_in_at, c.walk_in,"
                " CASE WHEN c.user_id = ?2 THEN 'attendee' ELSE 'volunteer' END AS you_were,"
                " CASE WHEN c.user_id = ?2 THEN c.code END AS code"
                " FROM event_checkins c JOIN events e ON e.id = c.event_id"
                " WHERE e.guild_id = ?1 AND (c.user_id = ?2 OR c.by_user_id = ?2) ORDER BY c.id",
                args,
            ),
            "event_feedback": await q(
                "SELECT f.id, f.event_id, f.rating, f.comment, f.created_at FROM event_feedback f"
                " JOIN events e ON e.id = f.event_id WHERE e.guild_id = ? AND f.user_id = ?",
                args,
            ),
            "events": await q(
                "SELECT id, title, starts_at, status FROM events"
                " WHERE guild_id = ? AND organizer_id = ?",
                args,
            ),
            "event_member_prefs": await q(
                "SELECT guild_id, user_id, reminder_dms FROM event_member_prefs"
                " WHERE guild_id = ? AND user_id = ?",
                args,
            ),
            "role_grants": await q(  # event roles the bot gave the member
                "SELECT guild_id, role_id, user_id, granted_at FROM role_grants"
                " WHERE guild_id = ? AND user_id = ?",
                args,
            ),
        }

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
            (guild_id, user_id, self._now()),
        )
        return [await self.leave(guild_id, r["event_id"], user_id) for r in rows]

    async def release_on_leave(self, guild_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT release_on_leave FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return value is None or bool(value)

    async def set_release_on_leave(self, guild_id: int, enabled: bool) -> None:
        await self.guilds.ensure(guild_id)
        await self.db.execute(
            "INSERT INTO event_guild_settings(guild_id, release_on_leave) VALUES (?, ?)"
            " ON CONFLICT(guild_id) DO UPDATE SET release_on_leave = excluded.release_on_leave",
            (guild_id, int(enabled)),
        )

    async def delete_member_data(self, guild_id: int, user_id: int) -> DeletedMemberData:
        """Forget a member here: their RSVPs with their answers (seats freed go to the
        waitlist), tickets and preferences are deleted. Their check-ins and ratings stay
        without their id, so the events' counts, curves and averages don't change; their
        feedback comments are deleted. Check-ins they did as a volunteer lose their id too.
        Their no-show record goes with it (it is made of those rows).

        Events they organized stay (they belong to the community), without them: their
        organizer_id becomes 0, never a Discord id ("a former member").
        """
        now = self._now()
        promoted: list[tuple[int, int]] = []
        in_guild = "event_id IN (SELECT id FROM events WHERE guild_id = ?)"
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "SELECT r.event_id, r.status FROM rsvps r JOIN events e ON e.id = r.event_id"
                " WHERE e.guild_id = ? AND r.user_id = ?",
                (guild_id, user_id),
            )
            for r in rows:
                await self.db.execute(
                    "DELETE FROM rsvps WHERE event_id = ? AND user_id = ?",
                    (r["event_id"], user_id),
                )
                if r["status"] == "going":
                    event = await self._load(guild_id, r["event_id"])
                    for p in await self._fill_seats(event, now):
                        promoted.append((r["event_id"], p))
            prefs = await self.db.execute_rowcount(
                "DELETE FROM event_member_prefs WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            tickets = await self.db.execute_rowcount(
                f"DELETE FROM event_tickets WHERE user_id = ? AND {in_guild}", (user_id, guild_id)
            )
            checkins = await self.db.execute_rowcount(
                f"UPDATE event_checkins SET user_id = NULL, code = NULL"
                f" WHERE user_id = ? AND {in_guild}",
                (user_id, guild_id),
            )
            await self.db.execute(
                f"UPDATE event_checkins SET by_user_id = NULL WHERE by_user_id = ? AND {in_guild}",
                (user_id, guild_id),
            )
            feedback = await self.db.execute_rowcount(
                f"UPDATE event_feedback SET user_id = NULL, comment = NULL"
                f" WHERE user_id = ? AND {in_guild}",
                (user_id, guild_id),
            )
            await self.db.execute(  # organizer_id is NOT NULL: 0 stands for nobody
                "UPDATE events SET organizer_id = 0 WHERE guild_id = ? AND organizer_id = ?",
                (guild_id, user_id),
            )
            await self._forget_role_grants(guild_id, user_id, now)
        return DeletedMemberData(len(rows), tuple(promoted), prefs > 0, tickets, checkins, feedback)

    async def _forget_role_grants(self, guild_id: int, user_id: int, now: int) -> None:
        """Inside delete_member_data: every event role the bot gave the member is owed
        back, and the grants go now (each sync carries its grant and deletes itself once
        done); role syncs still pending for them delete themselves too."""
        for grant in await self.db.fetchall(
            "SELECT role_id FROM role_grants WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ):
            await roles.owe_sync(
                self.db, guild_id, grant["role_id"], [user_id], event_id=None, now=now, forget=True
            )
        await self.db.execute(
            "UPDATE outbox SET payload = json_set(payload, '$.forget', json('true'))"
            " WHERE guild_id = ? AND user_id = ? AND kind = ? AND status = 'pending'",
            (guild_id, user_id, roles.KIND),
        )

    # --- reminders -----------------------------------------------------------------------
    async def reminder_offsets(self, guild_id: int) -> list[int]:
        """The guild's reminder offsets in seconds, largest first (default 24 h and 1 h)."""
        value = await self.db.fetchval(
            "SELECT reminder_offsets FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if value is None:
            return list(DEFAULT_REMINDER_OFFSETS)
        return [int(v) for v in value.split(",") if v]

    async def set_reminder_offsets(self, guild_id: int, text: str) -> list[int]:
        """Set the guild's offsets from text like `24h,1h` (or `none`).

        Also re-plans the guild's upcoming events: offsets removed are dropped unless
        already sent, offsets added are planned (skipped if already past). The cog should
        then schedule `pending_reminders(guild_id=…)` (re-adding a job id replaces it).
        """
        offsets = parse_offsets(text)
        await self.guilds.ensure(guild_id)
        now = self._now()
        stored = ",".join(map(str, offsets))
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO event_guild_settings(guild_id, reminder_offsets) VALUES (?, ?)"
                " ON CONFLICT(guild_id) DO UPDATE SET reminder_offsets = excluded.reminder_offsets",
                (guild_id, stored),
            )
            events = await self.db.fetchall(
                "SELECT id, starts_at FROM events WHERE guild_id = ? AND status = 'scheduled'"
                " AND starts_at > ?",
                (guild_id, now),
            )
            # The offsets are ints we parsed, but they still go in as parameters.
            kept = f" AND offset_seconds NOT IN ({','.join('?' * len(offsets))})" if offsets else ""
            for e in events:
                await self.db.execute(
                    "DELETE FROM event_reminders WHERE event_id = ? AND status != 'sent'" + kept,
                    (e["id"], *offsets),
                )
                await self._plan_reminders(e["id"], e["starts_at"], offsets, now)
        return offsets

    async def _plan_reminders(
        self, event_id: int, starts_at: int, offsets: Iterable[int], now: int
    ) -> None:
        await self.db.executemany(
            "INSERT OR IGNORE INTO event_reminders(event_id, offset_seconds, due_at, status,"
            " processed_at) VALUES (?, ?, ?, ?, ?)",
            [
                (event_id, offset, due_at, status, None if status == "pending" else now)
                for offset, due_at, status in plan.plan(starts_at, offsets, now)
            ],
        )

    async def _replan_reminders(self, event_id: int, starts_at: int, now: int) -> None:
        """After a time change: every reminder not yet sent is due relative to the new start
        (pending if still ahead, else skipped). Sent ones stay sent — none is sent twice."""
        await self.db.execute(
            "UPDATE event_reminders SET due_at = ?1 - offset_seconds,"
            " status = CASE WHEN ?1 - offset_seconds > ?2 THEN 'pending' ELSE 'skipped' END,"
            " processed_at = CASE WHEN ?1 - offset_seconds > ?2 THEN NULL ELSE ?2 END"
            " WHERE event_id = ?3 AND status IN ('pending', 'skipped')",
            (starts_at, now, event_id),
        )

    async def pending_reminders(
        self, *, guild_id: int | None = None, event_id: int | None = None
    ) -> list[Reminder]:
        """Reminders still to fire, earliest first: schedule one job per row (at due_at;
        overdue ones at once). Filters are optional; none = every guild (start-up)."""
        sql = (
            f"SELECT {_REMINDER_COLUMNS} FROM event_reminders rm JOIN events e"
            " ON e.id = rm.event_id WHERE rm.status = 'pending'"
        )
        params: list[int] = []
        if guild_id is not None:
            sql += " AND e.guild_id = ?"
            params.append(guild_id)
        if event_id is not None:
            sql += " AND rm.event_id = ?"
            params.append(event_id)
        rows = await self.db.fetchall(sql + " ORDER BY rm.due_at, rm.id", params)
        return [Reminder(**dict(r)) for r in rows]

    async def events_needing_reminders(self) -> list[int]:
        """Ids of events with at least one pending reminder."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT event_id FROM event_reminders WHERE status = 'pending'"
            " ORDER BY event_id"
        )
        return [r["event_id"] for r in rows]

    async def reminders(self, event_id: int) -> list[Reminder]:
        """Every reminder row of the event (any status), largest offset first."""
        rows = await self.db.fetchall(
            f"SELECT {_REMINDER_COLUMNS} FROM event_reminders rm JOIN events e"
            " ON e.id = rm.event_id WHERE rm.event_id = ? ORDER BY rm.offset_seconds DESC",
            (event_id,),
        )
        return [Reminder(**dict(r)) for r in rows]

    async def fire_reminder(self, reminder_id: int) -> ReminderFire:
        """Do what a reminder row says, once. Safe to call any number of times, early or late.

        Pending and due, event not started → 'sent': one DM per going member with reminder
        DMs on, plus one post in the announcement channel. Event started → 'skipped'. A later
        reminder of the same event is also due (the bot was down) → this one is 'skipped'.
        Not due yet (a stale job after an edit) → 'not_due' with the new due_at.
        """
        now = self._now()
        async with self.db.transaction():
            row = await self.db.fetchone(
                "SELECT rm.id, rm.event_id, rm.offset_seconds, rm.due_at, rm.status,"
                " e.guild_id, e.status AS event_status, e.starts_at, e.channel_id, e.role_id"
                " FROM event_reminders rm JOIN events e ON e.id = rm.event_id WHERE rm.id = ?",
                (reminder_id,),
            )
            if row is None:
                return ReminderFire(reminder_id, "noop", "missing")
            ids = {"event_id": row["event_id"], "guild_id": row["guild_id"]}
            if row["status"] != "pending":
                return ReminderFire(reminder_id, "noop", f"already_{row['status']}", **ids)
            if row["event_status"] == "cancelled":
                await self._mark_reminder(reminder_id, "cancelled", now)
                return ReminderFire(reminder_id, "skipped", "cancelled", **ids)
            if now < row["due_at"] - plan.FIRE_EARLY_TOLERANCE:
                return ReminderFire(reminder_id, "not_due", "not_due", due_at=row["due_at"], **ids)
            if now >= row["starts_at"]:
                await self._mark_reminder(reminder_id, "skipped", now)
                return ReminderFire(reminder_id, "skipped", "started", **ids)
            later_due = await self.db.fetchval(
                "SELECT 1 FROM event_reminders WHERE event_id = ? AND status = 'pending'"
                " AND offset_seconds < ? AND due_at <= ?",
                (row["event_id"], row["offset_seconds"], now),
            )
            if later_due:
                await self._mark_reminder(reminder_id, "skipped", now)
                return ReminderFire(reminder_id, "skipped", "superseded", **ids)
            await self._mark_reminder(reminder_id, "sent", now)
            return await self._enqueue_reminder(reminder_id, row, now)

    async def _mark_reminder(self, reminder_id: int, status: str, now: int) -> None:
        await self.db.execute(
            "UPDATE event_reminders SET status = ?, processed_at = ? WHERE id = ?",
            (status, now, reminder_id),
        )

    async def _enqueue_reminder(self, reminder_id: int, row: sqlite3.Row, now: int) -> ReminderFire:
        event_id, guild_id, offset = row["event_id"], row["guild_id"], row["offset_seconds"]
        payload = {"event_id": event_id, "offset_seconds": offset, "starts_at": row["starts_at"]}
        members = await self.db.fetchall(
            "SELECT r.user_id FROM rsvps r LEFT JOIN event_member_prefs p"
            " ON p.guild_id = ? AND p.user_id = r.user_id"
            " WHERE r.event_id = ? AND r.status = 'going' AND COALESCE(p.reminder_dms, 1) = 1"
            " ORDER BY r.seq",
            (guild_id, event_id),
        )
        dms = 0
        for m in members:
            dms += await outbox.enqueue(
                self.db,
                guild_id=guild_id,
                kind="event.reminder",
                user_id=m["user_id"],
                payload=payload,
                due_at=now,
                dedupe_key=_key(event_id, "reminder", offset, m["user_id"]),
            )
        posted = False
        if row["channel_id"] is not None:
            posted = await outbox.enqueue(
                self.db,
                guild_id=guild_id,
                kind="event.reminder.channel",
                channel_id=row["channel_id"],
                payload={**payload, "role_id": row["role_id"]},
                due_at=now,
                dedupe_key=_key(event_id, "reminder", offset, "channel"),
            )
        return ReminderFire(
            reminder_id, "sent", "sent", event_id, guild_id, dms=dms, channel_post=posted
        )

    # --- member preferences --------------------------------------------------------------
    async def set_reminder_dms(self, guild_id: int, user_id: int, enabled: bool) -> None:
        await self.guilds.ensure(guild_id)
        await self.db.execute(
            "INSERT INTO event_member_prefs(guild_id, user_id, reminder_dms) VALUES (?, ?, ?)"
            " ON CONFLICT(guild_id, user_id) DO UPDATE SET reminder_dms = excluded.reminder_dms",
            (guild_id, user_id, int(enabled)),
        )

    async def reminder_dms(self, guild_id: int, user_id: int) -> bool:
        """Whether the member gets reminder DMs here (on unless they turned them off)."""
        value = await self.db.fetchval(
            "SELECT reminder_dms FROM event_member_prefs WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return value is None or bool(value)
