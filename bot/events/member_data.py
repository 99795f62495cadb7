"""A member's data in the events feature: everything stored about them (export) and
forgetting them (delete), as Red's `red_delete_data_for_user` — see bot/privacy.py.

The delete runs inside the caller's transaction when there is one (bot/privacy.py
deletes every feature's data in one), so it is all or nothing with the rest.
"""

from __future__ import annotations

import json
from typing import Any

from bot.events import roles
from bot.events.results import (
    DeletedMemberData,
)
from bot.events.seats import Seats
from bot.events.store import EventStore


class MemberData:
    def __init__(self, store: EventStore, seats: Seats) -> None:
        self.store = store
        self.db = store.db
        self.seats = seats

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
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
            "event_series": await q(
                "SELECT id, rule, title, created_at FROM event_series"
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

    async def delete(self, guild_id: int, user_id: int) -> DeletedMemberData:
        """Forget a member here: their RSVPs with their answers (seats freed go to the
        waitlist), tickets and preferences are deleted. Their check-ins and ratings stay
        without their id, so the events' counts, curves and averages don't change; their
        feedback comments are deleted. Check-ins they did as a volunteer lose their id too.
        Their no-show record goes with it (it is made of those rows).

        Events they organized stay (they belong to the community), without them: their
        organizer_id becomes 0, never a Discord id ("a former member").
        """
        now = self.store.now()
        promoted: list[tuple[int, int]] = []
        in_guild = "event_id IN (SELECT id FROM events WHERE guild_id = ?)"
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "SELECT r.event_id FROM rsvps r JOIN events e ON e.id = r.event_id"
                " WHERE e.guild_id = ? AND r.user_id = ? ORDER BY r.event_id",
                (guild_id, user_id),
            )
            removed = 0
            for r in rows:  # in event order, so two such deletes can't deadlock
                event_id = r["event_id"]
                await self.store.lock_event(event_id)
                # The status as it is under the lock (a promotion may have come between).
                status = await self.db.fetchval(
                    "DELETE FROM rsvps WHERE event_id = ? AND user_id = ? RETURNING status",
                    (event_id, user_id),
                )
                removed += status is not None
                if status == "going":
                    event = await self.store.load(guild_id, event_id)
                    for p in await self.seats.fill(event, now):
                        promoted.append((event_id, p))
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
            await self.db.execute(  # the series' template too: its occurrences copy it
                "UPDATE event_series SET organizer_id = 0 WHERE guild_id = ? AND organizer_id = ?",
                (guild_id, user_id),
            )
            await self._forget_role_grants(guild_id, user_id, now)
        return DeletedMemberData(removed, tuple(promoted), prefs > 0, tickets, checkins, feedback)

    async def _forget_role_grants(self, guild_id: int, user_id: int, now: int) -> None:
        """Inside delete: every event role the bot gave the member is owed
        back, and the grants go now (each sync carries its grant and deletes itself once
        done); role syncs still pending for them delete themselves too."""
        for grant in await self.db.fetchall(
            "SELECT role_id FROM role_grants WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ):
            await roles.owe_sync(
                self.db, guild_id, grant["role_id"], [user_id], event_id=None, now=now, forget=True
            )
        pending = await self.db.fetchall(
            "SELECT id, payload FROM outbox"
            " WHERE guild_id = ? AND user_id = ? AND kind = ? AND status = 'pending'"
            + self.db.lock(),
            (guild_id, user_id, roles.KIND),
        )
        for row in pending:  # the payload is JSON text on both stores: rewritten here
            payload = {**json.loads(row["payload"] or "{}"), "forget": True}
            await self.db.execute(
                "UPDATE outbox SET payload = ? WHERE id = ?", (json.dumps(payload), row["id"])
            )
