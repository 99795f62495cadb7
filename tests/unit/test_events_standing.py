"""No-shows, each member's record, the no-show policy and the waitlist behind good standing."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.errors import InvalidInput
from bot.events import EventService, NoShowPolicy, attendees_csv
from bot.events.standing import judge

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
ORG = 1
VOL = 2
POOR, GOOD, OTHER = 50, 60, 61


async def make(service: EventService, day: int = 26, capacity: int | None = 3) -> int:
    event = await service.catalogue.create(
        G,
        ORG,
        title=f"Meetup {day}",
        city="Lahore",
        starts=f"2026-07-{day:02d} 10:00",
        capacity=capacity,
    )
    return event.id


async def past_events(
    service: EventService, clock: FakeClock, records: dict[int, list[bool]], first_day: int = 2
) -> list[int]:
    """One event a day from `first_day`; each member seated at the first len(record) of
    them and checked in where their record says True. Leaves the clock after the last."""
    count = max(len(r) for r in records.values())
    events = [await make(service, day=first_day + i, capacity=None) for i in range(count)]
    for user, record in records.items():
        for eid in events[: len(record)]:
            await service.seats.rsvp(G, eid, user)
    for i, eid in enumerate(events):
        clock.set((await service.catalogue.get(G, eid)).starts_at)
        for user, record in records.items():
            if i < len(record) and record[i]:
                await service.door.check_in(G, eid, by_user_id=VOL, member_id=user)
    clock.set((await service.catalogue.get(G, events[-1])).ends_at + 1)
    return events


def test_judge_needs_the_limit_and_a_no_show_last() -> None:
    policy = NoShowPolicy(limit=2, window=4)
    assert judge(policy, []).status == "good"
    # Latest first: True = attended.
    assert judge(policy, [False, False]).status == "poor"
    assert judge(policy, [False, True, False]).status == "poor"
    assert judge(policy, [True, False, False]).status == "good"  # attending one clears it
    assert judge(policy, [False, True, True, True, False]).status == "good"  # outside window
    poor = judge(policy, [False, False, True, False, False])
    assert (poor.no_shows, poor.counted, poor.last_attended) == (3, 4, False)
    assert judge(NoShowPolicy(0, 4), [False] * 4).status == "good"  # policy off


async def test_member_record_counts_attended_and_no_shows(
    event_service: EventService, clock: FakeClock
) -> None:
    events = await past_events(
        event_service, clock, {POOR: [True, False, False], OTHER: [True]}, first_day=2
    )
    assert await event_service.standing.record(G, POOR) == (1, 2)
    attended, no_shows = await event_service.standing.record(G, OTHER)
    assert (attended, no_shows) == (1, 0)
    assert await event_service.standing.record(G, 999) == (0, 0)
    assert await event_service.standing.record(G + 1, POOR) == (0, 0)
    # A walk-in counts as attended; waitlisted and absent, or an event still to come,
    # don't count; a cancelled event doesn't count.
    walk = await make(event_service, day=10, capacity=1)
    await event_service.seats.rsvp(G, walk, OTHER)
    await event_service.seats.rsvp(G, walk, POOR)  # waitlisted, and won't come
    upcoming = await make(event_service, day=20)
    await event_service.seats.rsvp(G, upcoming, POOR)
    clock.set((await event_service.catalogue.get(G, walk)).starts_at)
    await event_service.door.check_in(G, walk, by_user_id=VOL, member_id=999)
    clock.set((await event_service.catalogue.get(G, walk)).ends_at)
    assert await event_service.standing.record(G, 999) == (1, 0)
    assert await event_service.standing.record(G, POOR) == (1, 2)
    assert await event_service.standing.record(G, OTHER) == (1, 1)
    assert len(events) == 3


async def test_policy_default_ranges_and_partial_updates(event_service: EventService) -> None:
    assert await event_service.standing.policy(G) == NoShowPolicy(0, 5)
    assert not (await event_service.standing.policy(G)).enabled
    assert await event_service.standing.set_policy(G, 2) == NoShowPolicy(2, 5)
    assert await event_service.standing.set_policy(G, window=8) == NoShowPolicy(2, 8)
    assert await event_service.standing.set_policy(G, 0) == NoShowPolicy(0, 8)
    for kw, words in [
        ({"limit": 21}, "from 0 .policy off. to 20"),
        ({"limit": -1}, "from 0"),
        ({"window": 0}, "from 1 to 50"),
        ({"window": 51}, "from 1 to 50"),
        ({"limit": 5, "window": 3}, r"limit \(5\) can't be more than the window \(3\)"),
        ({}, "Give a limit, a window or both"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            await event_service.standing.set_policy(G, **kw)  # type: ignore[arg-type]
    assert await event_service.standing.policy(G) == NoShowPolicy(0, 8)
    assert await event_service.reminders.offsets(G) == [86400, 3600]  # untouched


async def test_poor_standing_waits_behind_good_even_with_free_seats(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    await past_events(event_service, clock, {POOR: [False, False], GOOD: [True, False, True]})
    await event_service.standing.set_policy(G, 2, 5)
    assert (await event_service.standing.of(G, POOR)).status == "poor"
    assert (await event_service.standing.of(G, GOOD)).good

    eid = await make(event_service, capacity=3)
    event = await event_service.catalogue.get(G, eid)
    poor = await event_service.seats.rsvp(G, eid, POOR)
    assert (poor.outcome, poor.position, poor.behind, poor.ticket) == ("waitlisted", 1, True, None)
    assert poor.standing is not None and poor.standing.no_shows == 2
    assert poor.standing.policy == NoShowPolicy(2, 5)
    assert poor.release_at == event.starts_at - 24 * 3600
    again = await event_service.seats.rsvp(G, eid, POOR)
    assert (again.outcome, again.behind, again.release_at) == (
        "already_waitlisted",
        True,
        poor.release_at,
    )
    # Good standing clicking later: seated while seats are free, then ahead on the waitlist.
    assert (await event_service.seats.rsvp(G, eid, GOOD)).outcome == "seated"
    assert (await event_service.seats.rsvp(G, eid, 70)).outcome == "seated"
    assert (await event_service.seats.rsvp(G, eid, 71)).outcome == "seated"
    w72 = await event_service.seats.rsvp(G, eid, 72)
    assert (w72.outcome, w72.position, w72.behind) == ("waitlisted", 1, False)
    assert (await event_service.seats.rsvp(G, eid, 73)).position == 2
    assert (await event_service.listings.status_of(eid, POOR)).position == 3
    rows = await event_service.listings.attendees(G, eid)
    assert [(a.user_id, a.position, a.behind) for a in rows if a.status == "waitlist"] == [
        (72, 1, False),
        (73, 2, False),
        (POOR, 3, True),
    ]
    # Seats freed go to good standing first.
    assert (await event_service.seats.leave(G, eid, 70)).promoted == (72,)
    assert (await event_service.seats.leave(G, eid, 71)).promoted == (73,)
    # With nobody in good standing waiting, a free seat still waits for the release…
    assert (await event_service.seats.leave(G, eid, 72)).promoted == ()
    assert (await event_service.catalogue.get(G, eid)).seats_left == 1
    [job] = await event_service.seats.pending_releases()
    assert (job.event_id, job.release_at) == (eid, event.starts_at - 24 * 3600)
    early = await event_service.seats.release(eid)
    assert (early.outcome, early.due_at) == ("not_due", job.release_at)
    # …and a member in good standing clicking now takes it.
    assert (await event_service.seats.rsvp(G, eid, 74)).outcome == "seated"
    await event_service.seats.leave(G, eid, 74)
    clock.set(job.release_at)
    released = await event_service.seats.release(eid)
    assert (released.outcome, released.promoted) == ("released", (POOR,))
    ticket = await event_service.door.ticket_for(G, eid, POOR)
    assert ticket is not None
    [dm] = await db.fetchall(
        "SELECT payload FROM outbox WHERE kind = 'event.promoted' AND user_id = ?", (POOR,)
    )
    assert json.loads(dm[0])["code"] == ticket.code
    assert await event_service.seats.pending_releases() == []
    assert (await event_service.seats.release(eid)).promoted == ()


async def test_after_the_release_seats_go_in_order_good_then_poor(
    event_service: EventService, clock: FakeClock
) -> None:
    await past_events(event_service, clock, {POOR: [False], 51: [False]})
    await event_service.standing.set_policy(G, 1, 3)
    eid = await make(event_service, capacity=1)
    for u in (POOR, 80, 51, 81):
        await event_service.seats.rsvp(G, eid, u)
    event = await event_service.catalogue.get(G, eid)
    assert [a.user_id for a in await event_service.listings.attendees(G, eid)] == [80, 81, POOR, 51]
    clock.set(event.starts_at - 3600)  # past the release: everyone can be promoted
    assert (await event_service.seats.leave(G, eid, 80)).promoted == (81,)
    assert (await event_service.catalogue.edit(G, eid, capacity=3)).promoted == (POOR, 51)
    # Past the release, poor standing is seated when a seat is free and nobody waits.
    late = await event_service.seats.rsvp(G, eid, 52)
    assert late.outcome == "waitlisted"  # full
    await event_service.catalogue.edit(G, eid, capacity=5)
    assert (await event_service.seats.rsvp(G, eid, 53)).outcome == "seated"


async def test_attending_one_event_clears_poor_standing(
    event_service: EventService, clock: FakeClock
) -> None:
    await past_events(event_service, clock, {POOR: [False, False, False]})
    await event_service.standing.set_policy(G, 2, 5)
    assert (await event_service.standing.of(G, POOR)).status == "poor"
    # A walk-in at the next event is an attendance.
    walk = await make(event_service, day=10, capacity=5)
    clock.set((await event_service.catalogue.get(G, walk)).starts_at)
    assert (await event_service.door.check_in(G, walk, by_user_id=VOL, member_id=POOR)).walk_in
    assert (await event_service.standing.of(G, POOR)).status == "poor"  # not over yet
    clock.set((await event_service.catalogue.get(G, walk)).ends_at)
    cleared = await event_service.standing.of(G, POOR)
    assert cleared.good and cleared.last_attended is True and cleared.no_shows == 3
    eid = await make(event_service, day=26, capacity=5)
    assert (await event_service.seats.rsvp(G, eid, POOR)).outcome == "seated"
    # Missing the next one puts them back in poor standing (the window still holds 3).
    clock.set((await event_service.catalogue.get(G, eid)).ends_at)
    assert (await event_service.standing.of(G, POOR)).status == "poor"


async def test_policy_off_unlimited_events_and_the_csv(
    event_service: EventService, clock: FakeClock
) -> None:
    await past_events(event_service, clock, {POOR: [False, False]})
    eid = await make(event_service, capacity=2)
    assert (await event_service.seats.rsvp(G, eid, POOR)).outcome == "seated"  # policy off
    assert (await event_service.standing.of(G, POOR)).good
    await event_service.standing.set_policy(G, 1, 5)
    open_door = await make(event_service, capacity=None)
    unlimited = await event_service.seats.rsvp(G, open_door, POOR)
    assert (unlimited.outcome, unlimited.behind) == ("seated", False)  # nobody displaced
    other = await make(event_service, day=27, capacity=2)
    await event_service.seats.rsvp(G, other, POOR)
    await event_service.seats.rsvp(G, other, GOOD)
    rows = await event_service.listings.attendees(G, other)
    text = attendees_csv(rows, {})
    parsed = {r["member_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert parsed[str(POOR)]["standing"] == "poor" and parsed[str(POOR)]["status"] == "waitlist"
    assert parsed[str(GOOD)]["standing"] == "good" and parsed[str(GOOD)]["status"] == "going"
    # Turning the policy off affects new clicks only: places taken stay.
    await event_service.standing.set_policy(G, 0)
    assert (await event_service.listings.status_of(other, POOR)).position == 1
    assert (await event_service.seats.rsvp(G, other, 90)).outcome == "seated"
