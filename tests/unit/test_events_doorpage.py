"""The door page's domain: scan answers through `Door.check_in`, counts, the registrants
and the name search, and how long a door link lives."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.events import EventService
from bot.events.doorpage import DoorDesk, link_expiry, search
from tests.unit.test_events_checkin import VOL, G, at_door, make, seat

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

KARACHI = ZoneInfo("Asia/Karachi")


def desk(service: EventService) -> DoorDesk:
    return DoorDesk(service.door, service.store)


async def test_scan_answers(event_service: EventService, clock: FakeClock) -> None:
    eid = await make(event_service)
    other = await make(event_service, day=27)
    t10 = await seat(event_service, eid, 10)
    t20 = await seat(event_service, other, 20)
    d = desk(event_service)
    early = await d.scan(G, eid, by_user_id=VOL, code=t10.code)
    assert early.outcome == "refused" and "opens" in early.reason  # not open yet
    await at_door(event_service, clock, eid, -600)
    ok = await d.scan(G, eid, by_user_id=VOL, code=t10.code)
    assert ok.ok and (ok.outcome, ok.member_id, ok.seat, ok.by_user_id) == (
        "checked_in",
        10,
        1,
        VOL,
    )
    again = await d.scan(G, eid, by_user_id=VOL + 1, code=t10.code)
    assert not again.ok and again.outcome == "already"
    assert (again.at, again.by_user_id) == (ok.at, VOL)  # the first check-in's
    elsewhere = await d.scan(G, eid, by_user_id=VOL, code=t20.code)
    assert elsewhere.outcome == "refused" and "another event" in elsewhere.reason
    unknown = await d.scan(G, eid, by_user_id=VOL, code="ZZZZ-ZZZZ")
    assert unknown.outcome == "refused" and "No ticket" in unknown.reason
    walk_in = await d.admit(G, eid, by_user_id=VOL, member_id=30)
    assert walk_in.ok and walk_in.outcome == "walk_in" and walk_in.status is None
    counts = await d.counts(G, eid)
    assert (counts.checked_in, counts.going, counts.walk_ins) == (2, 1, 1)
    stats = await event_service.door.stats(G, eid)  # the same numbers /event stats shows
    assert (stats.checked_in, stats.walk_ins) == (2, 1)
    registrants, checked = await d.registrants(G, eid)
    assert registrants == {10: "going"} and checked == {10, 30}


def test_search_prefix_registrants_first_at_most_ten() -> None:
    people = [(1, "Hamza Ali"), (2, "Hina"), (3, "Ali Raza"), (4, "hassan")]
    people += [(100 + i, f"Haris {i:02d}") for i in range(20)]
    found = search(people, {3: "going", 2: "waitlist"}, {3}, "  ALI ")
    assert [(f.user_id, f.status, f.checked_in) for f in found] == [
        (3, "going", True),
        (1, None, False),
    ]
    h = search(people, {2: "waitlist", 4: "going"}, set(), "h")
    assert [f.user_id for f in h[:3]] == [4, 2, 1] and len(h) == 10
    assert search(people, {}, set(), "   ") == []
    assert search(people, {}, set(), "zz") == []


def test_link_expiry_end_of_the_day_or_check_in_close() -> None:
    class E:  # only what link_expiry reads
        def __init__(self, ends: datetime) -> None:
            self.ends_at = int(ends.timestamp())
            self.checkin_closes_at = self.ends_at + 3600

    evening = E(datetime(2026, 7, 26, 18, 0, tzinfo=KARACHI))
    midnight = datetime(2026, 7, 27, 0, 0, tzinfo=KARACHI)
    assert link_expiry(evening, KARACHI) == int(midnight.timestamp())  # type: ignore[arg-type]
    late = E(datetime(2026, 7, 26, 23, 30, tzinfo=KARACHI))
    assert link_expiry(late, KARACHI) == late.checkin_closes_at  # type: ignore[arg-type]
