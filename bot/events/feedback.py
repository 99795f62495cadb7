"""After the event: one feedback request per checked-in attendee, ratings, the summary.

Requests go out once per event, FEEDBACK_DELAY (1 h) after it ends — when the door has
closed too, so every late check-in is included. `request` writes the outbox rows
and the event's marker in one transaction, so a job firing twice, a restart or a start-up
sweep can never ask anyone twice. Feedback is anonymous to organizers: the member's id is
kept only to allow one rating per attendee.
"""

from __future__ import annotations

from bot import outbox
from bot.errors import AlreadyExists, InvalidInput, NotAllowed
from bot.events.fields import no_nul
from bot.events.messages import FeedbackRequested
from bot.events.models import (
    FEEDBACK_DELAY,
    MAX_COMMENT,
    Event,
    Feedback,
    FeedbackComment,
    FeedbackDue,
    FeedbackJob,
    FeedbackSummary,
)
from bot.events.results import (
    FeedbackRequest,
)
from bot.events.store import SELECT_EVENT, EventStore, event_from_row, outbox_key
from bot.i18n import _
from bot.timeutil import format_local

_CHECKED_IN = (
    "SELECT user_id FROM event_checkins WHERE event_id = ? AND user_id IS NOT NULL"
    " ORDER BY checked_in_at, id"
)


def _clean_rating(rating: int) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("Rate the event with a whole number from 1 (poor) to 5 (excellent)."))
    return rating


def _clean_comment(comment: str | None) -> str | None:
    cleaned = no_nul(comment or "").strip()
    if len(cleaned) > MAX_COMMENT:
        raise InvalidInput(
            _(
                "The comment can be at most {max:,} characters (this one has {n:,}).",
                max=MAX_COMMENT,
                n=len(cleaned),
            )
        )
    return cleaned or None


class FeedbackBox:
    """Requests after the event, one rating per attendee, the anonymous summary."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    async def pending(self, *, event_id: int | None = None) -> list[FeedbackJob]:
        """Feedback requests still to send, earliest first: schedule one job per row at
        due_at (overdue ones at once). Rebuild from this at start-up; after an edit of the
        event's times, schedule its row again (the job id is stable)."""
        sql = (
            "SELECT id, guild_id, ends_at + ? AS due_at FROM events WHERE status = 'scheduled'"
            " AND feedback_requested_at IS NULL"
        )
        params: list[int] = [FEEDBACK_DELAY]
        if event_id is not None:
            sql += " AND id = ?"
            params.append(event_id)
        rows = await self.db.fetchall(sql + " ORDER BY due_at, id", params)
        return [FeedbackJob(r["id"], r["guild_id"], r["due_at"]) for r in rows]

    async def due(self, now: int | None = None) -> list[FeedbackDue]:
        """Events whose feedback request is due and not yet sent, with their checked-in
        members (whom `request` would ask). Read-only."""
        now = self.store.now() if now is None else int(now)
        rows = await self.db.fetchall(
            f"{SELECT_EVENT} FROM events e WHERE e.status = 'scheduled'"
            " AND e.feedback_requested_at IS NULL AND e.ends_at + ? <= ?"
            " ORDER BY e.ends_at, e.id",
            (FEEDBACK_DELAY, now),
        )
        due = []
        for r in rows:
            event = event_from_row(r)
            members = await self.db.fetchall(_CHECKED_IN, (event.id,))
            due.append(FeedbackDue(event, tuple(m[0] for m in members)))
        return due

    async def request(self, event_id: int) -> FeedbackRequest:
        """Enqueue one 'event.feedback_request' DM per checked-in member, once per event.
        Safe to call any number of times, early (→ not_due with due_at) or late."""
        now = self.store.now()
        async with self.db.transaction():
            event = await self.store.load_any(event_id)
            if event is None:
                return FeedbackRequest("noop", "missing", event_id)
            requested = await self.db.fetchval(
                f"SELECT feedback_requested_at FROM events WHERE id = ?{self.db.lock()}",
                (event_id,),  # locked: two processes at once send it once
            )
            if requested is not None:
                return FeedbackRequest("noop", "already_sent", event_id, event.guild_id)
            if event.cancelled:
                await self._mark_requested(event_id, now)
                return FeedbackRequest("skipped", "cancelled", event_id, event.guild_id)
            # No early tolerance: the door is open until the very second this is due, and a
            # late check-in must not miss its request. An early job is simply rescheduled.
            if now < event.feedback_due_at:
                return FeedbackRequest(
                    "not_due", "not_due", event_id, event.guild_id, due_at=event.feedback_due_at
                )
            members = await self.db.fetchall(_CHECKED_IN, (event_id,))
            enqueued = 0
            for m in members:
                enqueued += await outbox.enqueue(
                    self.db,
                    FeedbackRequested(event_id),
                    guild_id=event.guild_id,
                    user_id=m[0],
                    due_at=now,
                    dedupe_key=outbox_key(event_id, "feedback", m[0]),
                )
            await self._mark_requested(event_id, now)
        return FeedbackRequest("sent", "sent", event_id, event.guild_id, enqueued)

    async def request_due(self) -> list[FeedbackRequest]:
        """Send every feedback request that is due (a start-up sweep; jobs do the rest)."""
        return [await self.request(due.event.id) for due in await self.due()]

    async def _mark_requested(self, event_id: int, now: int) -> None:
        await self.db.execute(
            "UPDATE events SET feedback_requested_at = ? WHERE id = ?", (now, event_id)
        )

    async def _check_feedback(self, event: Event, user_id: int, now: int) -> None:
        if event.cancelled:
            raise NotAllowed(
                _("“{title}” was cancelled, so there is no feedback to give.", title=event.title)
            )
        if not event.is_over(now):
            raise NotAllowed(
                _("Feedback for “{title}” opens when the event ends.", title=event.title)
            )
        attended = await self.db.fetchval(
            "SELECT 1 FROM event_checkins WHERE event_id = ? AND user_id = ?", (event.id, user_id)
        )
        if not attended:
            raise NotAllowed(
                _(
                    "Only members checked in at “{title}” can give feedback on it.",
                    title=event.title,
                )
            )
        given = await self.db.fetchval(
            "SELECT created_at FROM event_feedback WHERE event_id = ? AND user_id = ?",
            (event.id, user_id),
        )
        if given is not None:
            tz = (await self.store.guilds.get(event.guild_id)).tz
            raise AlreadyExists(
                _(
                    "You already gave feedback on “{title}” ({when}); "
                    "it can be given once. Thank you!",
                    title=event.title,
                    when=format_local(given, tz),
                )
            )

    async def allowed(self, guild_id: int, event_id: int, user_id: int) -> Event:
        """Raise the refusal `give` would (so the cog can say it before opening the
        form); the event when the member may give feedback."""
        event = await self.store.load(guild_id, event_id)
        await self._check_feedback(event, user_id, self.store.now())
        return event

    async def give(
        self,
        guild_id: int,
        event_id: int,
        user_id: int,
        rating: int,
        comment: str | None = None,
    ) -> Feedback:
        """A rating 1–5 and an optional comment (≤ 1,000 characters), once per attendee
        (checked in) per event, once the event has ended."""
        rating = _clean_rating(rating)
        cleaned = _clean_comment(comment)
        now = self.store.now()
        async with self.db.transaction():
            event = await self.store.load(guild_id, event_id)
            await self._check_feedback(event, user_id, now)
            await self.db.execute(
                "INSERT INTO event_feedback(event_id, user_id, rating, comment, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, user_id, rating, cleaned, now),
            )
        return Feedback(event_id, user_id, rating, cleaned, now)

    async def summary(self, guild_id: int, event_id: int) -> FeedbackSummary:
        """Count, average, distribution 1..5 and the comments (anonymous), for organizers."""
        event = await self.store.load(guild_id, event_id)
        rows = await self.db.fetchall(
            "SELECT rating, comment, created_at FROM event_feedback WHERE event_id = ?"
            " ORDER BY created_at, id",
            (event_id,),
        )
        distribution = {n: 0 for n in range(1, 6)}
        for r in rows:
            distribution[r["rating"]] += 1
        count = len(rows)
        average = round(sum(r["rating"] for r in rows) / count, 2) if count else None
        comments = tuple(
            FeedbackComment(r["rating"], r["comment"], r["created_at"])
            for r in rows
            if r["comment"]
        )
        return FeedbackSummary(event, count, average, distribution, comments)
