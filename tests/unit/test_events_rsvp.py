"""Seats, the waitlist and promotion: the rules that must hold under any interleaving."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database
from bot.errors import NotAllowed, NotFound
from bot.events import EventService
from bot.events.store import Turns
from bot.guilds import GuildSettings

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
ORG = 1
NOW = 1_782_864_000  # 2026-07-01 00:00 UTC


async def make(service: EventService, capacity: int | None = 2, **kw: object) -> int:
    event = await service.catalogue.create(
        G,
        ORG,
        title="I/O Extended",
        city="Lahore",
        starts="2026-07-26 10:00",
        capacity=capacity,
        **kw,  # type: ignore[arg-type]
    )
    return event.id


async def going_and_waitlist(db: Database, event_id: int) -> tuple[list[int], list[int]]:
    rows = await db.fetchall(
        "SELECT user_id, status FROM rsvps WHERE event_id = ? ORDER BY seq", (event_id,)
    )
    return (
        [r["user_id"] for r in rows if r["status"] == "going"],
        [r["user_id"] for r in rows if r["status"] == "waitlist"],
    )


async def outbox_rows(db: Database, kind: str) -> list[dict]:
    rows = await db.fetchall(
        "SELECT user_id, channel_id, payload, dedupe_key, status FROM outbox WHERE kind = ?"
        " ORDER BY id",
        (kind,),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


async def test_seats_then_waitlist_in_click_order(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=3)
    results = [await event_service.seats.rsvp(G, eid, u) for u in (10, 11, 12, 13, 14)]
    assert [r.outcome for r in results] == ["seated"] * 3 + ["waitlisted"] * 2
    assert [r.seat for r in results[:3]] == [1, 2, 3]
    assert all(r.capacity == 3 for r in results)
    assert [r.position for r in results[3:]] == [1, 2]
    assert results[-1].event.going == 3 and results[-1].event.waitlist == 2
    assert results[-1].event.full and results[-1].event.seats_left == 0
    assert await going_and_waitlist(db, eid) == ([10, 11, 12], [13, 14])
    status = await event_service.listings.status_of(eid, 14)
    assert (status.status, status.seat, status.position) == ("waitlist", None, 2)
    assert (await event_service.listings.status_of(eid, 11)).seat == 2
    assert (await event_service.listings.status_of(eid, 99)).status is None


async def test_unlimited_capacity_seats_everyone(event_service: EventService) -> None:
    eid = await make(event_service, capacity=None)
    results = [await event_service.seats.rsvp(G, eid, u) for u in range(50)]
    assert {r.outcome for r in results} == {"seated"}
    assert results[-1].seat == 50 and results[-1].capacity is None
    assert results[-1].event.seats_left is None and not results[-1].event.full


async def test_double_click_changes_nothing(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, capacity=1)
    assert (await event_service.seats.rsvp(G, eid, 10)).outcome == "seated"
    again = await event_service.seats.rsvp(G, eid, 10)
    assert (again.outcome, again.seat, again.changed) == ("already_going", 1, False)
    assert (await event_service.seats.rsvp(G, eid, 11)).outcome == "waitlisted"
    again = await event_service.seats.rsvp(G, eid, 11)
    assert (again.outcome, again.position) == ("already_waitlisted", 1)
    assert await going_and_waitlist(db, eid) == ([10], [11])


async def test_leave_promotes_first_waiting_and_dms_them(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=2)
    for u in (10, 11, 12, 13):
        await event_service.seats.rsvp(G, eid, u)
    result = await event_service.seats.leave(G, eid, 10)
    assert result.outcome == "was_going"
    assert result.promoted == (12,) and result.promoted_user_id == 12
    assert (result.event.going, result.event.waitlist) == (2, 1)
    assert await going_and_waitlist(db, eid) == ([11, 12], [13])
    assert (await event_service.listings.status_of(eid, 12)).seat == 2
    assert (await event_service.listings.status_of(eid, 13)).position == 1
    promoted = await outbox_rows(db, "event.promoted")
    assert len(promoted) == 1 and promoted[0]["user_id"] == 12
    # The promotion DM carries the new seat's ticket (issue 6).
    ticket = await event_service.door.ticket_for(G, eid, 12)
    assert ticket is not None
    assert promoted[0]["payload"] == {"event_id": eid, "seat": 2, "code": ticket.code}
    assert promoted[0]["dedupe_key"].startswith(f"event:{eid}:promoted:12:")


async def test_leave_twice_and_leaving_the_waitlist(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=1)
    for u in (10, 11, 12):
        await event_service.seats.rsvp(G, eid, u)
    left = await event_service.seats.leave(G, eid, 11)
    assert (left.outcome, left.promoted) == ("was_waitlisted", ())
    again = await event_service.seats.leave(G, eid, 11)
    assert (again.outcome, again.changed) == ("not_registered", False)
    assert await event_service.seats.leave(G, eid, 99) == await event_service.seats.leave(
        G, eid, 99
    )
    assert await going_and_waitlist(db, eid) == ([10], [12])
    assert await outbox_rows(db, "event.promoted") == []


async def test_rejoining_goes_to_the_back(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, capacity=1)
    for u in (10, 11, 12):
        await event_service.seats.rsvp(G, eid, u)
    await event_service.seats.leave(G, eid, 11)
    again = await event_service.seats.rsvp(G, eid, 11)
    assert (again.outcome, again.position) == ("waitlisted", 2)
    assert await going_and_waitlist(db, eid) == ([10], [12, 11])


async def test_capacity_increase_promotes_in_order(
    event_service: EventService, db: Database
) -> None:
    eid = await make(event_service, capacity=2)
    for u in range(10, 16):
        await event_service.seats.rsvp(G, eid, u)
    result = await event_service.catalogue.edit(G, eid, capacity=4)
    assert result.promoted == (12, 13) and result.over_capacity == 0
    assert result.changed == ("capacity",)
    assert await going_and_waitlist(db, eid) == ([10, 11, 12, 13], [14, 15])
    assert [r["user_id"] for r in await outbox_rows(db, "event.promoted")] == [12, 13]
    assert [r["payload"]["seat"] for r in await outbox_rows(db, "event.promoted")] == [3, 4]
    unlimited = await event_service.catalogue.edit(G, eid, unlimited=True)
    assert unlimited.promoted == (14, 15) and unlimited.event.capacity is None
    assert await going_and_waitlist(db, eid) == ([10, 11, 12, 13, 14, 15], [])


async def test_capacity_decrease_keeps_everyone(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, capacity=4)
    for u in range(10, 16):
        await event_service.seats.rsvp(G, eid, u)
    result = await event_service.catalogue.edit(G, eid, capacity=2)
    assert result.over_capacity == 2 and result.promoted == ()
    assert (result.event.going, result.event.seats_left) == (4, 0)
    assert await going_and_waitlist(db, eid) == ([10, 11, 12, 13], [14, 15])
    # Leaving does not promote until going is below the new capacity.
    assert (await event_service.seats.leave(G, eid, 10)).promoted == ()
    assert (await event_service.seats.leave(G, eid, 11)).promoted == ()
    assert (await event_service.seats.leave(G, eid, 12)).promoted == (14,)
    # New clicks queue behind the waitlist.
    assert (await event_service.seats.rsvp(G, eid, 20)).outcome == "waitlisted"
    assert await going_and_waitlist(db, eid) == ([13, 14], [15, 20])


async def test_last_seat_race_seats_exactly_one(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, capacity=3)
    await event_service.seats.rsvp(G, eid, 1)
    await event_service.seats.rsvp(G, eid, 2)
    results = await asyncio.gather(*(event_service.seats.rsvp(G, eid, u) for u in (100, 101)))
    assert sorted(r.outcome for r in results) == ["seated", "waitlisted"]
    waitlisted = next(r for r in results if r.outcome == "waitlisted")
    assert waitlisted.position == 1
    going, waiting = await going_and_waitlist(db, eid)
    assert len(going) == 3 and len(waiting) == 1


async def test_burst_never_overbooks(event_service: EventService, db: Database) -> None:
    eid = await make(event_service, capacity=30)
    users = list(range(1, 201))
    results = await asyncio.gather(*(event_service.seats.rsvp(G, eid, u) for u in users))
    seats = sorted(r.seat for r in results if r.outcome == "seated")
    positions = sorted(r.position for r in results if r.outcome == "waitlisted")
    assert seats == list(range(1, 31))
    assert positions == list(range(1, 171))
    going, waiting = await going_and_waitlist(db, eid)
    # in click order (the order gather starts the calls), on PostgreSQL's many
    # connections too: each event's clicks take their turn as they arrive
    assert going == users[:30] and waiting == users[30:]
    # A burst of leaves and repeated clicks at once: no overbooking, order kept, and
    # those who left and clicked again are at the back.
    left = going[:10]
    outcomes = await asyncio.gather(
        *(event_service.seats.leave(G, eid, u) for u in left),
        *(event_service.seats.rsvp(G, eid, u) for u in users),
    )
    going2, waiting2 = await going_and_waitlist(db, eid)
    assert going2 == going[10:] + waiting[:10]
    assert waiting2[:160] == waiting[10:]
    assert waiting2[160:] == left
    clicks = dict(zip(users, outcomes[len(left) :], strict=True))
    assert all(clicks[u].outcome == "waitlisted" for u in left)


async def test_turns_go_in_the_order_asked_and_leave_nothing_behind() -> None:
    turns, order = Turns(), []

    async def take(key: int, name: str) -> None:
        async with turns.turn(key):
            await asyncio.sleep(0)
            order.append(name)

    await asyncio.gather(*(take(k, f"{k}{n}") for n in "abc" for k in (1, 2)))
    assert [x for x in order if x[0] == "1"] == ["1a", "1b", "1c"]
    assert [x for x in order if x[0] == "2"] == ["2a", "2b", "2c"]
    assert turns._locks == {}


async def test_rsvp_refused_when_cancelled_started_or_other_guild(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service)
    with pytest.raises(NotFound, match="no event"):
        await event_service.seats.rsvp(G + 1, eid, 10)
    with pytest.raises(NotFound):
        await event_service.seats.rsvp(G, 9999, 10)
    await event_service.seats.rsvp(G, eid, 10)
    event = await event_service.catalogue.get(G, eid)
    clock.set(event.starts_at)
    with pytest.raises(NotAllowed, match="already started"):
        await event_service.seats.rsvp(G, eid, 11)
    with pytest.raises(NotAllowed, match="already started"):
        await event_service.seats.leave(G, eid, 10)
    clock.set(event.ends_at)
    with pytest.raises(NotAllowed, match="is over"):
        await event_service.seats.rsvp(G, eid, 11)


async def test_delete_member_data_frees_seats_and_prefs(
    event_service: EventService, db: Database
) -> None:
    a = await make(event_service, capacity=1)
    b = await make(event_service, capacity=1)
    for eid in (a, b):
        await event_service.seats.rsvp(G, eid, 10)
        await event_service.seats.rsvp(G, eid, 11)
    await event_service.reminders.set_dms(G, 10, False)
    result = await event_service.delete_member_data(G, 10)
    assert result.rsvps_removed == 2 and result.prefs_removed
    assert result.promoted == ((a, 11), (b, 11))
    assert await going_and_waitlist(db, a) == ([11], [])
    assert await event_service.reminders.dms(G, 10) is True  # back to the default
    assert (await event_service.delete_member_data(G, 10)).rsvps_removed == 0


# --- random interleavings ----------------------------------------------------------------

ops = st.lists(
    st.one_of(
        st.tuples(st.just("rsvp"), st.integers(0, 6)),
        st.tuples(st.just("leave"), st.integers(0, 6)),
        st.tuples(st.just("capacity"), st.integers(1, 4)),
    ),
    min_size=1,
    max_size=40,
)


def model_step(
    going: list[int], waiting: list[int], capacity: int, op: tuple[str, int]
) -> tuple[list[int], list[int], int]:
    """The rules, written as plainly as possible, to compare the service against."""
    kind, arg = op
    if kind == "rsvp" and arg not in going and arg not in waiting:
        if len(going) < capacity and not waiting:
            going = [*going, arg]
        else:
            waiting = [*waiting, arg]
    elif kind == "leave" and arg in waiting:
        waiting = [u for u in waiting if u != arg]
    elif kind == "leave" and arg in going:
        going = [u for u in going if u != arg]
    elif kind == "capacity":
        capacity = arg
    while waiting and len(going) < capacity and kind != "rsvp":
        going, waiting = [*going, waiting[0]], waiting[1:]
    return going, waiting, capacity


async def run_scenario(capacity: int, script: list[tuple[str, int]], batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "h.sqlite3")
        try:
            await db.migrate()
            service = EventService(db, GuildSettings(db), clock=lambda: NOW)
            eid = await make(service, capacity=capacity)
            going: list[int] = []
            waiting: list[int] = []
            cap = capacity
            kept_over = 0
            for start in range(0, len(script), batch):
                chunk = script[start : start + batch]
                calls = []
                for kind, arg in chunk:
                    if kind == "rsvp":
                        calls.append(service.seats.rsvp(G, eid, arg))
                    elif kind == "leave":
                        calls.append(service.seats.leave(G, eid, arg))
                    else:
                        calls.append(service.catalogue.edit(G, eid, capacity=arg))
                # Each call first takes the event's turn, first come first served, so
                # concurrent calls are applied in the order gather starts them.
                await asyncio.gather(*calls)
                for op in chunk:
                    going, waiting, cap = model_step(going, waiting, cap, op)
                    kept_over = min(kept_over, len(going))
                    if op[0] == "capacity" and len(going) > cap:
                        kept_over = len(going)
                got_going, got_waiting = await going_and_waitlist(db, eid)
                assert (got_going, got_waiting) == (going, waiting)
                # The invariants, stated directly too. Going may exceed capacity only by
                # those already going when it was lowered, and that excess only shrinks.
                assert len(got_going) <= max(cap, kept_over)
                assert not got_waiting or len(got_going) >= cap
                assert len(set(got_going) | set(got_waiting)) == len(got_going) + len(got_waiting)
                seqs = await db.fetchall(
                    "SELECT seq FROM rsvps WHERE event_id = ? AND status = 'waitlist' ORDER BY seq",
                    (eid,),
                )
                assert [r[0] for r in seqs] == sorted(r[0] for r in seqs)
        finally:
            await db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacity=st.integers(1, 3), script=ops, batch=st.integers(1, 6))
def test_random_interleavings_keep_the_invariants(
    capacity: int, script: list[tuple[str, int]], batch: int
) -> None:
    asyncio.run(run_scenario(capacity, script, batch))
