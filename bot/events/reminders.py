"""Reminders: the guild's offsets, one row per (event, offset) planned when the event is
created or its start moves, firing a row once (a DM per member going, a channel post),
and each member's reminder-DM preference.

The rows are the truth: a job fires `Reminders.fire(id)`, which is safe to call any
number of times, early or late, and says when to try again if the row is not yet due.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot import outbox
from bot.events.messages import EventReminder, EventReminderPost
from bot.events.models import (
    DEFAULT_REMINDER_OFFSETS,
    FIRE_EARLY_TOLERANCE,
    Reminder,
)
from bot.events.results import (
    ReminderFire,
)
from bot.events.store import EventStore, outbox_key
from bot.sql import Row
from bot.timeutil import parse_offsets

_REMINDER_COLUMNS = ", ".join(
    (
        "rm.id",
        "rm.event_id",
        "e.guild_id",
        "rm.offset_seconds",
        "rm.due_at",
        "rm.status",
        "rm.processed_at",
    )
)


def plan_offsets(starts_at: int, offsets: Iterable[int], now: int) -> list[tuple[int, int, str]]:
    """(offset, due_at, status) per offset, largest first: 'pending' if still ahead, else
    'skipped'. Pure."""
    planned = []
    for offset in sorted(set(offsets), reverse=True):
        due_at = starts_at - offset
        planned.append((offset, due_at, "pending" if due_at > now else "skipped"))
    return planned


class Reminders:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.db = store.db

    # --- the guild's offsets --------------------------------------------------------------
    async def offsets(self, guild_id: int) -> list[int]:
        """The guild's reminder offsets in seconds, largest first (default 24 h and 1 h)."""
        value = await self.db.fetchval(
            "SELECT reminder_offsets FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if value is None:
            return list(DEFAULT_REMINDER_OFFSETS)
        return [int(v) for v in value.split(",") if v]

    async def set_offsets(self, guild_id: int, text: str) -> list[int]:
        """Set the guild's offsets from text like `24h,1h` (or `none`).

        Also re-plans the guild's upcoming events: offsets removed are dropped unless
        already sent, offsets added are planned (skipped if already past). The cog should
        then schedule `pending(guild_id=…)` (re-adding a job id replaces it).
        """
        offsets = parse_offsets(text)
        await self.store.guilds.ensure(guild_id)
        now = self.store.now()
        async with self.db.transaction():
            await self.store.set_setting(guild_id, "reminder_offsets", ",".join(map(str, offsets)))
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
                await self.plan(e["id"], e["starts_at"], offsets, now)
        return offsets

    # --- planning -------------------------------------------------------------------------
    async def plan(self, event_id: int, starts_at: int, offsets: Iterable[int], now: int) -> None:
        """Inside a transaction: a row per offset (already past ones skipped)."""
        await self.db.executemany(
            "INSERT INTO event_reminders(event_id, offset_seconds, due_at, status,"
            " processed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                (event_id, offset, due_at, status, None if status == "pending" else now)
                for offset, due_at, status in plan_offsets(starts_at, offsets, now)
            ],
        )

    async def replan(self, event_id: int, starts_at: int, now: int) -> None:
        """After a time change: every reminder not yet sent is due relative to the new start
        (pending if still ahead, else skipped). Sent ones stay sent — none is sent twice."""
        await self.db.execute(
            "UPDATE event_reminders SET due_at = ?1 - offset_seconds,"
            " status = CASE WHEN ?1 - offset_seconds > ?2 THEN 'pending' ELSE 'skipped' END,"
            " processed_at = CASE WHEN ?1 - offset_seconds > ?2 THEN NULL ELSE ?2 END"
            " WHERE event_id = ?3 AND status IN ('pending', 'skipped')",
            (starts_at, now, event_id),
        )

    async def cancel_all(self, event_id: int, now: int) -> None:
        """Inside the cancelling transaction: nothing of this event is reminded any more."""
        await self.db.execute(
            "UPDATE event_reminders SET status = 'cancelled', processed_at = ?"
            " WHERE event_id = ? AND status = 'pending'",
            (now, event_id),
        )

    # --- reading --------------------------------------------------------------------------
    async def pending(
        self, *, guild_id: int | None = None, event_id: int | None = None
    ) -> list[Reminder]:
        """Reminders still to fire, earliest first: schedule one job per row (at due_at;
        overdue ones at once). Filters are optional; none = every guild (start-up)."""
        where = ["rm.status = 'pending'"]
        params: list[int] = []
        if guild_id is not None:
            where.append("e.guild_id = ?")
            params.append(guild_id)
        if event_id is not None:
            where.append("rm.event_id = ?")
            params.append(event_id)
        rows = await self.db.fetchall(
            f"SELECT {_REMINDER_COLUMNS} FROM event_reminders rm JOIN events e"
            f" ON e.id = rm.event_id WHERE {' AND '.join(where)} ORDER BY rm.due_at, rm.id",
            params,
        )
        return [Reminder(**dict(r)) for r in rows]

    async def events_needing_them(self) -> list[int]:
        """Ids of events with at least one pending reminder."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT event_id FROM event_reminders WHERE status = 'pending'"
            " ORDER BY event_id"
        )
        return [r["event_id"] for r in rows]

    async def of_event(self, event_id: int) -> list[Reminder]:
        """Every reminder row of the event (any status), largest offset first."""
        rows = await self.db.fetchall(
            f"SELECT {_REMINDER_COLUMNS} FROM event_reminders rm JOIN events e"
            " ON e.id = rm.event_id WHERE rm.event_id = ? ORDER BY rm.offset_seconds DESC",
            (event_id,),
        )
        return [Reminder(**dict(r)) for r in rows]

    # --- firing ---------------------------------------------------------------------------
    async def fire(self, reminder_id: int) -> ReminderFire:
        """Do what a reminder row says, once. Safe to call any number of times, early or late.

        Pending and due, event not started → 'sent': one DM per going member with reminder
        DMs on, plus one post in the announcement channel. Event started → 'skipped'. A later
        reminder of the same event is also due (the bot was down) → this one is 'skipped'.
        Not due yet (a stale job after an edit) → 'not_due' with the new due_at.
        """
        now = self.store.now()
        async with self.db.transaction():
            row = await self.db.fetchone(
                "SELECT rm.id, rm.event_id, rm.offset_seconds, rm.due_at, rm.status,"
                " e.guild_id, e.status AS event_status, e.starts_at, e.channel_id, e.role_id"
                " FROM event_reminders rm JOIN events e ON e.id = rm.event_id WHERE rm.id = ?"
                + self.db.lock("rm"),  # two processes firing it: the second sees it done
                (reminder_id,),
            )
            if row is None:
                return ReminderFire(reminder_id, "noop", "missing")
            ids = {"event_id": row["event_id"], "guild_id": row["guild_id"]}
            if row["status"] != "pending":
                return ReminderFire(reminder_id, "noop", f"already_{row['status']}", **ids)
            if row["event_status"] == "cancelled":
                await self._mark(reminder_id, "cancelled", now)
                return ReminderFire(reminder_id, "skipped", "cancelled", **ids)
            if now < row["due_at"] - FIRE_EARLY_TOLERANCE:
                return ReminderFire(reminder_id, "not_due", "not_due", due_at=row["due_at"], **ids)
            if now >= row["starts_at"]:
                await self._mark(reminder_id, "skipped", now)
                return ReminderFire(reminder_id, "skipped", "started", **ids)
            later_due = await self.db.fetchval(
                "SELECT 1 FROM event_reminders WHERE event_id = ? AND status = 'pending'"
                " AND offset_seconds < ? AND due_at <= ?",
                (row["event_id"], row["offset_seconds"], now),
            )
            if later_due:
                await self._mark(reminder_id, "skipped", now)
                return ReminderFire(reminder_id, "skipped", "superseded", **ids)
            await self._mark(reminder_id, "sent", now)
            return await self._enqueue(reminder_id, row, now)

    async def _mark(self, reminder_id: int, status: str, now: int) -> None:
        await self.db.execute(
            "UPDATE event_reminders SET status = ?, processed_at = ? WHERE id = ?",
            (status, now, reminder_id),
        )

    async def _enqueue(self, reminder_id: int, row: Row, now: int) -> ReminderFire:
        event_id, guild_id, offset = row["event_id"], row["guild_id"], row["offset_seconds"]
        message = EventReminder(event_id, offset, row["starts_at"])
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
                message,
                guild_id=guild_id,
                user_id=m["user_id"],
                due_at=now,
                dedupe_key=outbox_key(event_id, "reminder", offset, m["user_id"]),
            )
        posted = False
        if row["channel_id"] is not None:
            posted = await outbox.enqueue(
                self.db,
                EventReminderPost(event_id, offset, row["starts_at"], row["role_id"]),
                guild_id=guild_id,
                channel_id=row["channel_id"],
                due_at=now,
                dedupe_key=outbox_key(event_id, "reminder", offset, "channel"),
            )
        return ReminderFire(
            reminder_id, "sent", "sent", event_id, guild_id, dms=dms, channel_post=posted
        )

    # --- the member's preference ----------------------------------------------------------
    async def set_dms(self, guild_id: int, user_id: int, enabled: bool) -> None:
        await self.store.guilds.ensure(guild_id)
        await self.db.execute(
            "INSERT INTO event_member_prefs(guild_id, user_id, reminder_dms) VALUES (?, ?, ?)"
            " ON CONFLICT(guild_id, user_id) DO UPDATE SET reminder_dms = excluded.reminder_dms",
            (guild_id, user_id, int(enabled)),
        )

    async def dms(self, guild_id: int, user_id: int) -> bool:
        """Whether the member gets reminder DMs here (on unless they turned them off)."""
        value = await self.db.fetchval(
            "SELECT reminder_dms FROM event_member_prefs WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return value is None or bool(value)
