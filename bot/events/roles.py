"""Event roles: who should hold an event's role, and which holders the bot gave it to.

A member going to a (not cancelled) event with a role should hold that role. The bot
takes a role back only from members it gave it to (`role_grants`): a member who held
the role before keeps it.

Every seat change that can change who should hold a role writes a 'role.sync' outbox
row for that member in the same transaction (`owe_sync`). The deliverer runs it after
the commit: it compares what should be with what Discord shows and acts, recording a
grant before asking Discord (so a crash in between cannot turn a grant of ours into
"held before") and forgetting it only after Discord removed the role. A sync is
idempotent, so one repeated after a crash, or two queued for one member, do no harm.
At start-up `drifted` finds members whose roles no longer match the RSVP list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.db import Database, SyncConnection
from bot.kinds import Kind, Payload, decode, payload

KIND = Kind.ROLE_SYNC


@payload(Kind.ROLE_SYNC)
@dataclass(frozen=True)
class RoleSync(Payload):
    """Make Discord match the store for the outbox row's member and this role. `granted`:
    the bot gave it (its grant row is already deleted, with the member's data);
    `forget`: the row deletes itself once done."""

    role_id: int
    event_id: int | None = None
    granted: bool = False
    forget: bool = False


# Who should hold a role: going to a scheduled event of this guild that grants it.
_WANTED = (
    "SELECT EXISTS (SELECT 1 FROM rsvps r JOIN events e ON e.id = r.event_id"
    " WHERE e.guild_id = ? AND e.role_id = ? AND r.user_id = ? AND r.status = 'going'"
    " AND e.status = 'scheduled')"
)
# The member's going RSVPs that make them hold a role (locked by `record_grant`).
_GOING = (
    "SELECT r.event_id FROM rsvps r JOIN events e ON e.id = r.event_id"
    " WHERE e.guild_id = ? AND e.role_id = ? AND r.user_id = ? AND r.status = 'going'"
    " AND e.status = 'scheduled'"
)
_INSERT = "INSERT INTO outbox(guild_id, kind, user_id, payload, due_at) VALUES (?, ?, ?, ?, ?)"


def owe_sync_sync(
    conn: SyncConnection, guild_id: int, role_id: int, user_id: int, event_id: int, now: int
) -> None:
    """Inside `run_in_transaction` work: owe a role sync."""
    conn.execute(_INSERT, (guild_id, KIND, user_id, RoleSync(role_id, event_id).to_json(), now))


async def owe_sync(
    db: Database,
    guild_id: int,
    role_id: int,
    user_ids: Iterable[int],
    *,
    event_id: int | None,
    now: int,
    forget: bool = False,
) -> int:
    """Inside a `db.transaction()`: owe a role sync for each member. `forget=True` is for
    a member whose data is being deleted: their grants are passed in the payload (and
    deleted now), and the outbox row deletes itself once done."""
    count = 0
    for user_id in user_ids:
        granted = False
        if forget:
            ledger = RoleLedger(db)
            granted = await ledger.is_granted(guild_id, role_id, user_id)
            await ledger.forget_grant(guild_id, role_id, user_id)
        message = RoleSync(role_id, event_id, granted=granted, forget=forget)
        await db.execute(_INSERT, (guild_id, KIND, user_id, message.to_json(), now))
        count += 1
    return count


class RoleLedger:
    """What the bot knows about event roles in the store (the cog asks Discord)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def wanted(self, guild_id: int, role_id: int, user_id: int) -> bool:
        """Should the member hold this role (going to a scheduled event that grants it)?"""
        return bool(await self.db.fetchval(_WANTED, (guild_id, role_id, user_id)))

    async def is_granted(self, guild_id: int, role_id: int, user_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM role_grants WHERE guild_id = ? AND role_id = ? AND user_id = ?",
                (guild_id, role_id, user_id),
            )
        )

    async def record_grant(self, guild_id: int, role_id: int, user_id: int, now: int) -> bool:
        """Before asking Discord to add the role: from now on it is ours to take back.
        Recorded only while the member should still hold it, read with their going RSVPs
        locked: a seat given up or the member's data deleted since the sync looked either
        came first (nothing recorded: False, don't grant), or waits for this grant and
        then sees it, so it is taken back."""
        async with self.db.transaction():
            going = await self.db.fetchall(_GOING + self.db.lock("r"), (guild_id, role_id, user_id))
            if not going:
                return False
            await self.db.execute(
                "INSERT INTO role_grants(guild_id, role_id, user_id, granted_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guild_id, role_id, user_id, now),
            )
        return True

    async def finish_sync(self, item_id: int, message: RoleSync) -> None:
        """A sync (outbox row `item_id`) did its work: the row is deleted when the member's
        data was deleted — as the payload it was claimed with says, or the stored one a
        delete rewrote while it ran — else marked sent. Under the row's lock, so a delete
        running now has either rewritten it first, or finds it sent and removes it: no
        row of a forgotten member is left behind (the deliverer's own marking then finds
        it gone, or sent already)."""
        async with self.db.transaction():
            stored = await self.db.fetchval(
                f"SELECT payload FROM outbox WHERE id = ?{self.db.lock()}", (item_id,)
            )
            if stored is None:
                return
            now = decode(KIND, stored)
            if message.forget or (isinstance(now, RoleSync) and now.forget):
                await self.db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
            else:
                await self.db.execute(
                    "UPDATE outbox SET status = 'sent', sent_at = unixepoch(),"
                    " claimed_by = NULL, claimed_until = NULL WHERE id = ?",
                    (item_id,),
                )

    async def forget_grant(self, guild_id: int, role_id: int, user_id: int) -> None:
        await self.db.execute(
            "DELETE FROM role_grants WHERE guild_id = ? AND role_id = ? AND user_id = ?",
            (guild_id, role_id, user_id),
        )

    async def forget_role(self, guild_id: int, role_id: int) -> None:
        """The role was deleted: nothing of it is ours any more."""
        await self.db.execute(
            "DELETE FROM role_grants WHERE guild_id = ? AND role_id = ?", (guild_id, role_id)
        )

    async def drifted(self, guild_id: int, holders: Mapping[int, set[int]], now: int) -> int:
        """Start-up repair. `holders` maps each role id in use to the members Discord shows
        holding it (roles missing from the map are gone). Owes a sync to every member who
        should hold a role and doesn't, and to every member holding a role the bot gave
        who no longer should. Returns how many syncs were owed."""
        want = await self.db.fetchall(
            "SELECT DISTINCT e.role_id, r.user_id FROM rsvps r JOIN events e ON e.id = r.event_id"
            " WHERE e.guild_id = ? AND e.role_id IS NOT NULL AND r.status = 'going'"
            " AND e.status = 'scheduled'",
            (guild_id,),
        )
        should = {(r["role_id"], r["user_id"]) for r in want}
        granted = {
            (r["role_id"], r["user_id"])
            for r in await self.db.fetchall(
                "SELECT role_id, user_id FROM role_grants WHERE guild_id = ?", (guild_id,)
            )
        }
        owed = [
            (role_id, user_id)
            for role_id, user_id in sorted(should | granted)
            if role_id in holders
            and ((role_id, user_id) in should) != (user_id in holders[role_id])
        ]
        # Grants of roles that no longer exist, or of members who lost the role by other
        # means and no longer need it, are simply forgotten.
        stale = [
            (role_id, user_id)
            for role_id, user_id in granted - should
            if role_id not in holders or user_id not in holders[role_id]
        ]
        async with self.db.transaction():
            for role_id, user_id in stale:
                await self.forget_grant(guild_id, role_id, user_id)
            for role_id, user_id in owed:
                await owe_sync(self.db, guild_id, role_id, [user_id], event_id=None, now=now)
        return len(owed)

    async def roles_in_use(self, guild_id: int) -> list[int]:
        """Roles the bot grants or granted in this guild (for the start-up repair)."""
        rows = await self.db.fetchall(
            "SELECT role_id FROM events WHERE guild_id = ?1 AND role_id IS NOT NULL"
            " AND status = 'scheduled' UNION SELECT role_id FROM role_grants WHERE guild_id = ?1",
            (guild_id,),
        )
        return [r["role_id"] for r in rows]
