"""The catalogue: creating, editing and cancelling events, finding one by what a member
typed, and forgetting a deleted channel or role in them.

An edit that adds seats or moves the start fills the waitlist (seats.py) and re-plans
the reminders (reminders.py) in its own transaction; a change of time or place and a
cancellation write the members' DMs to the outbox in that transaction too.
"""

from __future__ import annotations

from typing import Any

from bot import outbox
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import roles
from bot.events.fields import (
    check_capacity,
    clean_description,
    clean_online_url,
    clean_title,
    clean_venue,
    no_nul,
    parse_times,
)
from bot.events.messages import EventCancelled, EventChanged
from bot.events.models import (
    MAX_REASON,
    MAX_TITLE,
    Event,
)
from bot.events.questions import dump_questions, parse_questions
from bot.events.reminders import Reminders
from bot.events.results import (
    EditResult,
)
from bot.events.roles import RoleLedger
from bot.events.seats import Seats
from bot.events.store import SELECT_EVENT, EventStore, event_from_row, outbox_key
from bot.i18n import _, unwrap

# What members going are told about by DM when an organizer changes it.
_TOLD_GOING = ("starts_at", "ends_at", "venue", "online_url")


class Catalogue:
    def __init__(
        self, store: EventStore, seats: Seats, reminders: Reminders, role_ledger: RoleLedger
    ) -> None:
        self.store = store
        self.db = store.db
        self.seats = seats
        self.reminders = reminders
        self.role_ledger = role_ledger

    # --- reading ------------------------------------------------------------------------
    async def get(self, guild_id: int, event_id: int) -> Event:
        """The event with its going/waitlist counts; NotFound if it isn't this guild's."""
        return await self.store.load(guild_id, event_id)

    async def resolve(self, guild_id: int, text: str) -> Event:
        """An event from what a member typed: its id (`12`, `#12`, the autocomplete value)
        or its exact title (upcoming events preferred)."""
        cleaned, plain = text.strip(), unwrap(text)  # plain: as copied from an Urdu message
        ident = plain.removeprefix("#").strip()
        if ident.isdecimal():  # any script's digits; not ² or ①, which int() refuses
            if len(ident) > 18:
                raise NotFound(
                    _("There is no event #{event_id} in this server.", event_id=ident[:20])
                )
            return await self.store.load(guild_id, int(ident))
        if not cleaned:
            raise InvalidInput(_("Name an event: pick one from the list or give its number."))
        now = self.store.now()
        events = await self._titled(guild_id, cleaned, now)
        if not events and plain and plain != cleaned:
            events = await self._titled(guild_id, plain, now)
        upcoming = [e for e in events if not e.cancelled and not e.is_over(now)]
        candidates = upcoming or events
        if len(candidates) == 1:
            return candidates[0]
        shown = cleaned[:MAX_TITLE]
        if not candidates:
            raise NotFound(
                _("No event here is called “{title}”. Pick one from the list.", title=shown)
            )
        raise InvalidInput(
            _("Several events are called “{title}”. Pick one from the list.", title=shown)
        )

    async def _titled(self, guild_id: int, title: str, now: int) -> list[Event]:
        rows = await self.db.fetchall(
            f"{SELECT_EVENT} FROM events e WHERE e.guild_id = ? AND lower(e.title) = lower(?)"
            " ORDER BY (e.status = 'scheduled' AND e.ends_at > ?) DESC, e.starts_at",
            (guild_id, " ".join(title.split()), now),
        )
        return [event_from_row(r) for r in rows]

    async def questions(self, event_id: int) -> list[str]:
        """The event's registration questions, in order (empty when it asks none)."""
        event = await self.store.load_any(event_id)
        if event is None:
            raise NotFound(_("There is no event #{event_id}.", event_id=event_id))
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
        online_url: str | None = None,
    ) -> Event:
        """Validate, store, and plan reminders (offsets already past are skipped).
        `questions`: up to 4 separated by `;` (see questions.parse_questions)."""
        title = clean_title(title)
        asked = parse_questions(questions)
        venue = clean_venue(venue)
        description = clean_description(description)
        online_url = clean_online_url(online_url)
        if capacity is not None:
            check_capacity(capacity)
        guilds = self.store.guilds
        config = await guilds.get(guild_id)
        canonical_city = (await guilds.city(guild_id, city)).name
        now = self.store.now()
        starts_at, ends_at = parse_times(config.tz, now, starts, ends, None)
        offsets = await self.reminders.offsets(guild_id)
        async with self.db.transaction():
            event_id = await self.db.insert(
                "INSERT INTO events(guild_id, title, city, venue, description, starts_at,"
                " ends_at, capacity, channel_id, role_id, organizer_id, created_at, updated_at,"
                " questions, announce_intent_at, online_url)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    online_url,
                ),
            )
            await self.reminders.plan(event_id, starts_at, offsets, now)
        return await self.store.load(guild_id, event_id)

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
        online_url: str | None = None,
        at: tuple[int, int] | None = None,
    ) -> EditResult:
        """Change what is given (None = keep; venue/description/questions/online_url
        "" = clear;
        `unlimited=True` removes the capacity). See EditResult for what the cog reports.

        New questions are asked of members who register from now on; answers already given
        are kept (each stored with the question it answered, and still exported) and nobody
        registered is asked again. A time change also moves the seat release and the
        feedback request: schedule the event's jobs again. `at`: exact (starts_at, ends_at),
        for a series moving its later occurrences."""
        if unlimited and capacity is not None:
            raise InvalidInput(_("Give a capacity or make it unlimited, not both."))
        given = (title, starts, ends, venue, capacity, description, questions, online_url, at)
        if not unlimited:
            check_something_given(dict(enumerate(given)))
        new: dict[str, Any] = {}
        if title is not None:
            new["title"] = clean_title(title)
        if venue is not None:
            new["venue"] = clean_venue(venue)
        if description is not None:
            new["description"] = clean_description(description)
        if capacity is not None:
            new["capacity"] = check_capacity(capacity)
        if unlimited:
            new["capacity"] = None
        if questions is not None:
            new["questions"] = parse_questions(questions)
        if online_url is not None:
            new["online_url"] = clean_online_url(online_url)
        now = self.store.now()
        # The event's turn, then the transaction: concurrent calls are applied in the
        # order they arrive (store.py).
        async with self.store.turn(event_id), self.db.transaction():
            tz = (await self.store.guilds.get(guild_id)).tz
            await self.store.lock_event(event_id)
            old = await self.store.load(guild_id, event_id)
            _check_editable(old, now)
            if starts is not None or ends is not None:
                new["starts_at"], new["ends_at"] = parse_times(tz, now, starts, ends, old)
            elif at is not None:
                new["starts_at"], new["ends_at"] = at
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
                await self.reminders.replan(event_id, changed["starts_at"], now)
            promoted: list[int] = []
            # A new start can bring the seat release for members in poor standing forward.
            if "capacity" in changed or "starts_at" in changed:
                promoted = await self.seats.fill(await self.store.load(guild_id, event_id), now)
            notified = 0
            if changed.keys() & set(_TOLD_GOING):
                notified = await self._notify_changed(old, changed, promoted, now)
            event = await self.store.load(guild_id, event_id)
        over = 0 if event.capacity is None else max(0, event.going - event.capacity)
        return EditResult(event, tuple(changed), tuple(promoted), over, notified)

    async def _notify_changed(
        self, old: Event, changed: dict[str, Any], promoted: list[int], now: int
    ) -> int:
        """'event.changed' DMs to everyone going (the newly promoted get their own DM);
        never to the waitlisted, who must not get a new online link."""
        sequence = old.sequence + 1
        message = EventChanged(
            event_id=old.id,
            changes=tuple(k for k in _TOLD_GOING if k in changed),
            old_starts_at=old.starts_at,
            new_starts_at=changed.get("starts_at", old.starts_at),
            old_ends_at=old.ends_at,
            new_ends_at=changed.get("ends_at", old.ends_at),
            old_venue=old.venue,
            new_venue=changed.get("venue", old.venue),
        )
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
                message,
                guild_id=old.guild_id,
                user_id=r["user_id"],
                due_at=now,
                dedupe_key=outbox_key(old.id, "changed", sequence, r["user_id"]),
            )
        return count

    async def cancel(self, guild_id: int, event_id: int, reason: str | None = None) -> Event:
        """Cancel: reminders cancelled, pending messages dropped, everyone going or
        waitlisted told (with the reason), the event's role owed back. RSVP rows stay, for
        the record; the returned event's going + waitlist is how many were told (read in
        the cancelling transaction)."""
        cleaned = " ".join(no_nul(reason or "").split()) or None
        if cleaned is not None and len(cleaned) > MAX_REASON:
            raise InvalidInput(_("The reason can be at most {max} characters.", max=MAX_REASON))
        now = self.store.now()
        async with self.store.turn(event_id), self.db.transaction():
            await self.store.lock_event(event_id)
            event = await self.store.load(guild_id, event_id)
            if event.cancelled:
                raise NotAllowed(_("“{title}” is already cancelled.", title=event.title))
            if event.is_over(now):
                raise NotAllowed(
                    _("“{title}” is already over, so it can't be cancelled.", title=event.title)
                )
            await self.db.execute(
                "UPDATE events SET status = 'cancelled', cancel_reason = ?,"
                " sequence = sequence + 1, updated_at = ? WHERE id = ?",
                (cleaned, now, event_id),
            )
            await self.reminders.cancel_all(event_id, now)
            # Before the notices, whose keys share the prefix.
            await outbox.drop(self.db, dedupe_prefix=outbox_key(event_id, ""))
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
                    EventCancelled(event_id, cleaned, r["status"]),
                    guild_id=guild_id,
                    user_id=r["user_id"],
                    due_at=now,
                    dedupe_key=outbox_key(event_id, "cancelled", r["user_id"]),
                )
            return await self.store.load(guild_id, event_id)

    # --- a channel or role was deleted ----------------------------------------------------
    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """Its announcements are gone (RSVP by command still works, reminders are DMed
        without the channel post)."""
        rows = await self.db.fetchall(
            "UPDATE events SET channel_id = NULL, message_id = NULL"
            " WHERE guild_id = ? AND channel_id = ? AND status = 'scheduled' AND ends_at > ?"
            " RETURNING title",
            (guild_id, channel_id, self.store.now()),
        )
        return [
            _("the announcement of “{title}” (members can use /event rsvp)", title=r["title"])
            for r in rows
        ]

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        """Events stop granting it, and nothing of it is the bot's to take back."""
        await self.role_ledger.forget_role(guild_id, role_id)
        return [
            _("the role of “{title}”", title=r["title"])
            for r in await self.db.fetchall(
                "UPDATE events SET role_id = NULL WHERE guild_id = ? AND role_id = ?"
                " AND ends_at > ? RETURNING title",
                (guild_id, role_id, self.store.now()),
            )
        ]


def check_something_given(changes: dict[Any, Any]) -> None:
    """An edit must change something (checked before asking anything else)."""
    if all(v is None for v in changes.values()):
        raise InvalidInput(
            _(
                "Give at least one thing to change: title, starts, ends, venue, capacity, "
                "description, questions or online_url."
            )
        )


def _check_editable(event: Event, now: int) -> None:
    if event.cancelled:
        raise NotAllowed(_("“{title}” was cancelled, so it can't be changed.", title=event.title))
    if event.is_over(now):
        raise NotAllowed(_("“{title}” is already over, so it can't be changed.", title=event.title))
