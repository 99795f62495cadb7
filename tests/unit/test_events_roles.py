"""Event roles in the store (bot/events/roles.py): a grant is recorded only while the
member should hold the role, and a sync that ran while the member's data was deleted
leaves no row of them behind — also when the delete runs at the same moment."""

from __future__ import annotations

import asyncio
import json

from bot import outbox
from bot.db import Database
from bot.events import EventService
from bot.events.roles import KIND, RoleLedger, RoleSync

G = 1000
ORG = 1
ROLE = 555
BOB = 10


async def going_with_role(service: EventService) -> int:
    event = await service.catalogue.create(
        G, ORG, title="Role Night", city="Lahore", starts="2026-07-26 10:00", role_id=ROLE
    )
    await service.seats.rsvp(G, event.id, BOB)
    return event.id


async def claimed_sync(db: Database) -> outbox.OutboxItem:
    """The member's role sync, claimed by a deliverer (as it is while it runs)."""
    items = await outbox.claim(db, "deliverer", now=2_000_000_000)
    (item,) = [i for i in items if i.kind == KIND and i.user_id == BOB]
    return item


async def member_rows(db: Database) -> list[tuple[str, object]]:
    rows = await db.fetchall(
        "SELECT 'outbox' AS t, status AS v FROM outbox WHERE user_id = ?1"
        " UNION ALL SELECT 'role_grants', CAST(role_id AS TEXT) FROM role_grants"
        " WHERE user_id = ?1",
        (BOB,),
    )
    return [(r["t"], r["v"]) for r in rows]


async def test_a_grant_is_recorded_only_while_the_member_is_going(
    event_service: EventService, db: Database
) -> None:
    eid = await going_with_role(event_service)
    ledger = RoleLedger(db)
    assert await ledger.record_grant(G, ROLE, BOB, 1) is True
    assert await ledger.is_granted(G, ROLE, BOB)
    await event_service.seats.leave(G, eid, BOB)
    await ledger.forget_grant(G, ROLE, BOB)
    assert await ledger.record_grant(G, ROLE, BOB, 2) is False  # gave up the seat meanwhile
    assert not await ledger.is_granted(G, ROLE, BOB)


async def test_a_sync_finished_after_the_delete_removes_its_row(
    event_service: EventService, db: Database
) -> None:
    await going_with_role(event_service)
    item = await claimed_sync(db)
    await event_service.delete_member_data(G, BOB)  # rewrites the pending sync: forget
    stored = await db.fetchval("SELECT payload FROM outbox WHERE id = ?", (item.id,))
    assert json.loads(stored)["forget"] is True
    # the deliverer still holds the payload it claimed (forget: False)
    await RoleLedger(db).finish_sync(item.id, item.expect(RoleSync))
    await outbox.mark_sent(db, item.id)  # what the deliverer does next: finds it gone
    assert await member_rows(db) == []


async def test_a_sync_finished_before_the_delete_is_removed_by_it(
    event_service: EventService, db: Database
) -> None:
    await going_with_role(event_service)
    item = await claimed_sync(db)
    await RoleLedger(db).finish_sync(item.id, item.expect(RoleSync))
    assert await member_rows(db) == [("outbox", "sent")]
    await event_service.delete_member_data(G, BOB)
    await db.execute(  # the privacy delete's last step (bot/privacy.py)
        "DELETE FROM outbox WHERE user_id = ? AND status <> 'pending'", (BOB,)
    )
    assert await member_rows(db) == []


async def test_a_grant_waits_for_a_delete_in_progress(
    event_service: EventService, db: Database, db2: Database
) -> None:
    """Another process records the grant while the delete's transaction is open: it waits
    for it, then sees the member is no longer going."""
    await going_with_role(event_service)
    other = RoleLedger(db2)
    async with db.transaction():
        await event_service.delete_member_data(G, BOB)
        grant = asyncio.ensure_future(other.record_grant(G, ROLE, BOB, 3))
        await asyncio.sleep(0.3)
        assert not grant.done()
    assert await grant is False
    assert not await RoleLedger(db).is_granted(G, ROLE, BOB)
