"""Check-in at the door: by code, by member, walk-ins, repeats, races, the check-in window
(volunteers inside it, organizers at any time), the events a right-click offers, stats."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from bot import outbox
from bot.db import Database
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import CheckInChoice, DoorClosed, EventPromoted, EventService, Ticket, window_text

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
ORG = 1
VOL = 2  # a volunteer at the door


async def make(
    service: EventService, capacity: int | None = 3, day: int = 26, guild: int = G
) -> int:
    event = await service.catalogue.create(
        guild,
        ORG,
        title=f"I/O Extended {day}",
        city="Lahore",
        starts=f"2026-07-{day:02d} 10:00",
        capacity=capacity,
    )
    return event.id


async def seat(service: EventService, eid: int, user: int, guild: int = G) -> Ticket:
    result = await service.seats.rsvp(guild, eid, user)
    assert result.ticket is not None
    return result.ticket


async def at_door(service: EventService, clock: FakeClock, eid: int, after_start: int = 0) -> None:
    clock.set((await service.catalogue.get(G, eid)).starts_at + after_start)


async def test_check_in_by_code_and_by_member(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service)
    t10 = await seat(event_service, eid, 10)
    t11 = await seat(event_service, eid, 11)
    await at_door(event_service, clock, eid, -600)
    by_code = await event_service.door.check_in(G, eid, by_user_id=VOL, code=t11.code.lower())
    assert by_code.outcome == "checked_in" and not by_code.walk_in
    assert (by_code.member_id, by_code.status, by_code.seat, by_code.code) == (
        11,
        "going",
        2,
        t11.code,
    )
    assert (by_code.checked_in_at, by_code.by_user_id) == (int(clock()), VOL)
    assert by_code.event.id == eid
    by_member = await event_service.door.check_in(G, eid, by_user_id=ORG, member_id=10)
    assert (by_member.outcome, by_member.code, by_member.seat) == ("checked_in", t10.code, 1)


async def test_members_without_a_seat_are_walk_ins(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service, capacity=1)
    await seat(event_service, eid, 10)
    await event_service.seats.rsvp(G, eid, 11)  # waitlisted
    await at_door(event_service, clock, eid)
    waitlisted = await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=11)
    assert (waitlisted.outcome, waitlisted.walk_in, waitlisted.status) == (
        "walk_in",
        True,
        "waitlist",
    )
    assert waitlisted.code is None and waitlisted.seat is None
    stranger = await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=99)
    assert (stranger.outcome, stranger.status) == ("walk_in", None)


async def test_second_check_in_says_when_the_first_was(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service)
    ticket = await seat(event_service, eid, 10)
    await at_door(event_service, clock, eid)
    first = await event_service.door.check_in(G, eid, by_user_id=VOL, code=ticket.code)
    clock.advance(300)
    again = await event_service.door.check_in(G, eid, by_user_id=ORG, member_id=10)
    assert again.outcome == "already"
    assert (again.checked_in_at, again.by_user_id) == (first.checked_in_at, VOL)
    assert (again.code, again.seat, again.walk_in) == (ticket.code, 1, False)
    walk = await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=50)
    clock.advance(60)
    again = await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=50)
    assert (again.outcome, again.walk_in, again.checked_in_at) == (
        "already",
        True,
        walk.checked_in_at,
    )


async def test_codes_that_do_not_open_this_door_are_refused_with_the_reason(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service, day=26)
    other = await make(event_service, day=27)
    elsewhere = await make(event_service, day=26, guild=G + 1)
    theirs = await seat(event_service, other, 20)
    foreign = await seat(event_service, elsewhere, 21, guild=G + 1)
    voided = await seat(event_service, eid, 10)
    await event_service.seats.leave(G, eid, 10)
    await at_door(event_service, clock, eid)

    with pytest.raises(NotAllowed, match=r"another event, “I/O Extended 27” \(#\d+, 27 Jul 2026"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, code=theirs.code)
    with pytest.raises(NotFound, match="No ticket for “I/O Extended 26” has the code") as err:
        await event_service.door.check_in(G, eid, by_user_id=VOL, code=foreign.code)
    assert "#" not in str(err.value)  # nothing about another server's event
    with pytest.raises(NotAllowed, match="was voided on 01 Jul 2026 05:00.*gave up their seat"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, code=voided.code)
    with pytest.raises(NotFound, match="has the code 2222-2222"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, code="2222-2222")
    with pytest.raises(InvalidInput, match="not a ticket code"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, code="hello")
    with pytest.raises(InvalidInput, match="one of the two"):
        await event_service.door.check_in(G, eid, by_user_id=VOL)
    with pytest.raises(InvalidInput, match="one of the two"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10, code=voided.code)
    with pytest.raises(NotFound):
        await event_service.door.check_in(G + 1, eid, by_user_id=VOL, member_id=10)


async def test_voided_code_points_to_the_newer_ticket(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service)
    old = await seat(event_service, eid, 10)
    await event_service.seats.leave(G, eid, 10)
    new = await seat(event_service, eid, 10)
    await at_door(event_service, clock, eid)
    with pytest.raises(NotAllowed, match="newer ticket: check them in by name"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, code=old.code)
    assert (
        await event_service.door.check_in(G, eid, by_user_id=VOL, code=new.code)
    ).member_id == 10


async def test_concurrent_check_ins_of_one_ticket_record_exactly_one(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await make(event_service)
    ticket = await seat(event_service, eid, 10)
    await at_door(event_service, clock, eid)
    results = await asyncio.gather(
        *(
            event_service.door.check_in(G, eid, by_user_id=VOL + i % 3, code=ticket.code)
            for i in range(9)
        ),
        *(event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10) for _ in range(3)),
    )
    assert sorted(r.outcome for r in results) == ["already"] * 11 + ["checked_in"]
    assert len({r.checked_in_at for r in results}) == 1
    assert await db.fetchval("SELECT COUNT(*) FROM event_checkins") == 1


async def test_three_volunteers_check_in_three_hundred(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await make(event_service, capacity=300)
    tickets = [await seat(event_service, eid, 1000 + i) for i in range(300)]
    await at_door(event_service, clock, eid, -1800)

    async def volunteer(n: int) -> list[str]:
        # Each volunteer scans every ticket of their third, and a few of the others'.
        mine = tickets[n::3] + tickets[(n + 1) % 3 :: 30]
        return [
            (await event_service.door.check_in(G, eid, by_user_id=VOL + n, code=t.code)).outcome
            for t in mine
        ]

    outcomes = [o for done in await asyncio.gather(*map(volunteer, range(3))) for o in done]
    assert outcomes.count("checked_in") == 300
    assert await db.fetchval("SELECT COUNT(DISTINCT user_id) FROM event_checkins") == 300


async def test_volunteers_check_in_inside_the_window_only(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service)
    await seat(event_service, eid, 10)
    await seat(event_service, eid, 11)
    event = await event_service.catalogue.get(G, eid)
    assert await event_service.door.checkin_window(G) == 24  # the default
    clock.set(event.starts_at - 24 * 3600 - 1)
    with pytest.raises(DoorClosed) as early:
        await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10)
    assert str(early.value) == (
        "Check-in for “I/O Extended 26” opens 24 hours before the start, at 25 Jul 2026 10:00"
        " (Asia/Karachi). Organizers can check members in at any time."
    )
    assert early.value.not_yet and early.value.opens_at == event.starts_at - 24 * 3600
    clock.set(event.starts_at - 24 * 3600)
    opened = await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10)
    assert (opened.outcome, opened.outside_window, opened.window_hours) == (
        "checked_in",
        False,
        24,
    )
    clock.set(event.ends_at + 3599)
    assert (await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=11)).outcome == (
        "checked_in"
    )
    clock.set(event.ends_at + 3600)
    with pytest.raises(
        NotAllowed, match=r"closed at 26 Jul 2026 14:00 \(Asia/Karachi\), an hour"
    ) as late:
        await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=12)
    assert isinstance(late.value, DoorClosed) and not late.value.not_yet
    assert late.value.closes_at == event.ends_at + 3600


async def test_the_window_follows_the_setting(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await make(event_service)
    event = await event_service.catalogue.get(G, eid)
    await event_service.door.set_checkin_window(G, 3)
    assert await event_service.door.checkin_window(G) == 3
    clock.set(event.starts_at - 3 * 3600 - 1)
    with pytest.raises(NotAllowed, match=r"opens 3 hours before the start, at 26 Jul 2026 07:00"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10)
    clock.set(event.starts_at - 3 * 3600)
    assert (await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10)).outcome == (
        "walk_in"
    )

    await event_service.door.set_checkin_window(G, 1)
    clock.set(event.starts_at - 3601)
    with pytest.raises(NotAllowed, match=r"opens an hour before the start, at 26 Jul 2026 09:00"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=11)

    await event_service.door.set_checkin_window(G, 0)  # only from the start
    clock.set(event.starts_at - 1)
    with pytest.raises(NotAllowed, match=r"opens at the start, 26 Jul 2026 10:00 \(Asia"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=11)
    clock.set(event.starts_at)
    assert (await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=11)).outcome == (
        "walk_in"
    )

    await event_service.door.set_checkin_window(G, 168)
    for bad in (-1, 169):
        with pytest.raises(InvalidInput, match="0 to 168 hours"):
            await event_service.door.set_checkin_window(G, bad)
    assert await event_service.door.checkin_window(G) == 168
    assert (
        await db.fetchval(
            "SELECT checkin_window_hours FROM event_guild_settings WHERE guild_id = ?", (G,)
        )
        == 168
    )
    assert await event_service.door.checkin_window(G + 1) == 24  # no settings row yet
    assert window_text(24) == "24 hours before the start"
    assert (window_text(1), window_text(0)) == ("an hour before the start", "the start")


async def test_organizers_check_in_at_any_time_and_are_told(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await make(event_service)
    ticket = await seat(event_service, eid, 10)
    event = await event_service.catalogue.get(G, eid)
    clock.set(event.starts_at - 3 * 86400)  # badges days before: no window is that wide
    early = await event_service.door.check_in(
        G, eid, by_user_id=ORG, code=ticket.code, organizer=True
    )
    assert (early.outcome, early.seat, early.outside_window, early.window_hours) == (
        "checked_in",
        1,
        True,
        24,
    )
    again = await event_service.door.check_in(G, eid, by_user_id=ORG, member_id=10, organizer=True)
    assert (again.outcome, again.checked_in_at, again.outside_window) == (
        "already",
        early.checked_in_at,
        False,
    )
    # A walk-in long after the door closed (someone forgot to record them), the same rules.
    clock.set(event.ends_at + 86400)
    late = await event_service.door.check_in(G, eid, by_user_id=ORG, member_id=20, organizer=True)
    assert (late.outcome, late.walk_in, late.outside_window) == ("walk_in", True, True)
    # Inside the window nothing is said.
    other = await make(event_service, day=28)
    clock.set((await event_service.catalogue.get(G, other)).starts_at)
    inside = await event_service.door.check_in(
        G, other, by_user_id=ORG, member_id=10, organizer=True
    )
    assert (inside.outcome, inside.outside_window) == ("walk_in", False)
    assert await db.fetchval("SELECT COUNT(*) FROM event_checkins") == 3
    # Not even organizers check in to a cancelled event.
    await event_service.catalogue.cancel(G, other, "Rain")
    with pytest.raises(NotAllowed, match="was cancelled"):
        await event_service.door.check_in(G, other, by_user_id=ORG, member_id=11, organizer=True)


async def test_the_events_a_right_click_checks_a_member_in_to(
    event_service: EventService, clock: FakeClock
) -> None:
    """Door.choices_for: the events open now, narrowed to the member's own RSVPs when they
    have any; organizers get the member's upcoming RSVPs when nothing is open."""
    door = event_service.door
    lahore = await make(event_service, day=26)
    isb = await event_service.catalogue.create(
        G, ORG, title="Islamabad Meetup", city="Islamabad", starts="2026-07-26 11:00"
    )
    later = await make(event_service, day=30)
    await seat(event_service, lahore, 10)
    await event_service.seats.rsvp(G, isb.id, 11)
    await seat(event_service, later, 12)

    def ids(choices: list[CheckInChoice]) -> list[tuple[int, str | None]]:
        return [(c.event.id, c.status) for c in choices]

    # 1 July: nothing is open; an organizer gets the member's upcoming RSVPs, soonest first.
    assert await door.choices_for(G, 10, organizer=False) == []
    assert ids(await door.choices_for(G, 10, organizer=True)) == [(lahore, "going")]
    assert ids(await door.choices_for(G, 12, organizer=True)) == [(later, "going")]
    assert await door.choices_for(G, 99, organizer=True) == []  # no RSVP: name the event

    clock.set((await event_service.catalogue.get(G, lahore)).starts_at - 3600)
    assert ids(await door.choices_for(G, 10, organizer=False)) == [(lahore, "going")]
    assert ids(await door.choices_for(G, 11, organizer=False)) == [(isb.id, "going")]
    # No RSVP at either open event: both, to ask; the one 4 days ahead isn't open.
    assert ids(await door.choices_for(G, 99, organizer=False)) == [(lahore, None), (isb.id, None)]
    assert ids(await door.choices_for(G, 12, organizer=True)) == [(lahore, None), (isb.id, None)]
    assert len(await door.choices_for(G, 99, organizer=False, limit=1)) == 1
    await event_service.seats.rsvp(G, isb.id, 10)  # on both lists: ask
    assert ids(await door.choices_for(G, 10, organizer=False)) == [
        (lahore, "going"),
        (isb.id, "going"),
    ]
    await event_service.catalogue.cancel(G, isb.id, "Venue lost")
    assert ids(await door.choices_for(G, 99, organizer=False)) == [(lahore, None)]
    assert await door.choices_for(G + 1, 10, organizer=True) == []  # another server's

    # Open until an hour after the end, then gone.
    ended = (await event_service.catalogue.get(G, lahore)).ends_at
    clock.set(ended + 3599)
    assert ids(await door.choices_for(G, 10, organizer=False)) == [(lahore, "going")]
    clock.set(ended + 3600)
    assert await door.choices_for(G, 10, organizer=False) == []


async def test_no_check_in_at_a_cancelled_event(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await make(event_service)
    ticket = await seat(event_service, eid, 10)
    await event_service.catalogue.cancel(G, eid, "Rain")
    await at_door(event_service, clock, eid)
    with pytest.raises(NotAllowed, match="was cancelled"):
        await event_service.door.check_in(G, eid, by_user_id=VOL, code=ticket.code)


async def test_stats_and_the_fifteen_minute_curve(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await make(event_service, capacity=4)
    other = await make(event_service, day=27)
    for u in range(10, 16):
        await event_service.seats.rsvp(G, eid, u)  # 10-13 going, 14-15 waitlisted
    event = await event_service.catalogue.get(G, eid)
    # Undelivered messages of this event count; another event's don't.
    await outbox.enqueue(
        db, EventPromoted(eid), guild_id=G, user_id=10, dedupe_key=f"event:{eid}:x:10"
    )
    await outbox.enqueue(
        db, EventPromoted(other), guild_id=G, user_id=10, dedupe_key=f"event:{other}:x:10"
    )
    for item in await outbox.due(db, now=2**40):
        await outbox.mark_failed(db, item.id, "50007: Cannot send messages to this user")

    empty = await event_service.door.stats(G, eid)
    assert (empty.going, empty.waitlisted, empty.checked_in, empty.walk_ins) == (4, 2, 0, 0)
    assert (empty.no_shows, empty.curve, empty.ended, empty.undelivered) == (None, (), False, 1)

    slot = event.starts_at - event.starts_at % 900
    clock.set(slot - 900 + 10)
    await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=10)
    clock.set(slot - 900 + 899)
    await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=11)
    clock.set(slot + 900 + 5)  # nobody in the slot between
    await event_service.door.check_in(G, eid, by_user_id=VOL, member_id=14)  # walk-in
    during = await event_service.door.stats(G, eid)
    assert during.curve == ((slot - 900, 2), (slot, 0), (slot + 900, 1))
    assert during.curve_walk_ins == (0, 0, 1)
    assert (during.checked_in, during.walk_ins, during.no_shows) == (3, 1, None)

    after = await event_service.door.stats(G, eid, now=event.ends_at)
    assert after.ended and after.no_shows == 2  # 12 and 13 had seats and never came
    assert (after.going, after.waitlisted) == (4, 2)
    listed = await event_service.door.checkins(G, eid)
    assert [(c.user_id, c.walk_in, c.by_user_id) for c in listed] == [
        (10, False, VOL),
        (11, False, VOL),
        (14, True, VOL),
    ]
