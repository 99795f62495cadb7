"""Creating, editing, cancelling and finding events; every bad input is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.events import EventService
from bot.guilds import GuildSettings

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
ORG = 1


def ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


async def create(service: EventService, **kw: object):
    args: dict[str, object] = {
        "title": "Google I/O Extended",
        "city": "Lahore",
        "starts": "2026-07-26 10:00",
    }
    args.update(kw)
    return await service.catalogue.create(G, ORG, **args)  # type: ignore[arg-type]


async def outbox(db: Database, kind: str) -> list[dict]:
    rows = await db.fetchall(
        "SELECT user_id, channel_id, payload, dedupe_key, status FROM outbox WHERE kind = ?"
        " ORDER BY id",
        (kind,),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


async def test_create_stores_utc_canonical_city_and_defaults(event_service: EventService) -> None:
    event = await create(
        event_service,
        city="  lahore ",
        venue="  Arfa   Tower ",
        capacity=300,
        description="  Talks and codelabs.  ",
        channel_id=55,
        role_id=66,
    )
    assert event.city == "Lahore"
    assert event.starts_at == ts(2026, 7, 26, 5, 0)  # 10:00 in Karachi
    assert event.ends_at == event.starts_at + 3 * 3600
    assert (event.venue, event.description) == ("Arfa Tower", "Talks and codelabs.")
    assert (event.capacity, event.channel_id, event.role_id) == (300, 55, 66)
    assert (event.status, event.sequence, event.going, event.waitlist) == ("scheduled", 0, 0, 0)
    assert event.organizer_id == ORG and event.message_id is None
    assert event.location == "Arfa Tower, Lahore"
    assert event.starts == datetime(2026, 7, 26, 5, 0, tzinfo=UTC)
    assert await event_service.catalogue.get(G, event.id) == event


async def test_create_with_explicit_end_and_guild_zone(
    event_service: EventService, guilds: GuildSettings
) -> None:
    await guilds.set_timezone(G, "Europe/London")
    event = await create(event_service, starts="26 Jul 2026 10am", ends="26 Jul 2026 6pm")
    assert (event.starts_at, event.ends_at) == (ts(2026, 7, 26, 9, 0), ts(2026, 7, 26, 17, 0))


@pytest.mark.parametrize(
    ("kw", "error", "words"),
    [
        ({"starts": "2026-06-30 10:00"}, InvalidInput, "in the past"),
        ({"starts": "today 4:00"}, InvalidInput, "in the past"),
        ({"starts": "2026-07-26 10:00", "ends": "2026-07-26 09:00"}, InvalidInput, "after"),
        ({"starts": "2026-07-26 10:00", "ends": "2026-07-26 10:00"}, InvalidInput, "after"),
        ({"ends": "2026-09-26 10:00"}, InvalidInput, "30 days"),
        ({"starts": "next blursday"}, InvalidInput, "2026-07-26 10:00"),
        ({"starts": "2026-07-26"}, InvalidInput, "no time of day"),
        ({"ends": "soon"}, InvalidInput, "tomorrow 18:00"),
        ({"capacity": 0}, InvalidInput, "1 to 100,000"),
        ({"capacity": -5}, InvalidInput, "1 to 100,000"),
        ({"capacity": 100_001}, InvalidInput, "1 to 100,000"),
        ({"title": "   "}, InvalidInput, "needs a title"),
        ({"title": "x" * 101}, InvalidInput, "at most 100"),
        ({"venue": "v" * 201}, InvalidInput, "at most 200"),
        ({"description": "d" * 2001}, InvalidInput, "at most 2,000"),
        ({"city": "Karachi"}, NotFound, "Islamabad, Lahore"),
    ],
)
async def test_bad_create_is_refused_and_changes_nothing(
    event_service: EventService,
    db: Database,
    kw: dict,
    error: type[DomainError],
    words: str,
) -> None:
    with pytest.raises(error, match=words):
        await create(event_service, **kw)
    assert await db.fetchval("SELECT COUNT(*) FROM events") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM event_reminders") == 0


async def test_limits_are_inclusive(event_service: EventService) -> None:
    event = await create(
        event_service, title="t" * 100, venue="v" * 200, description="d" * 2000, capacity=100_000
    )
    assert len(event.title) == 100 and event.capacity == 100_000
    assert (await create(event_service, capacity=1)).capacity == 1


async def test_edit_changes_only_what_is_given(event_service: EventService) -> None:
    event = await create(event_service, venue="Arfa Tower", capacity=10, description="About")
    result = await event_service.catalogue.edit(G, event.id, title="  I/O   Extended 2026 ")
    assert result.changed == ("title",)
    assert result.event.title == "I/O Extended 2026" and result.event.venue == "Arfa Tower"
    assert result.event.sequence == 1 and not result.time_changed
    same = await event_service.catalogue.edit(G, event.id, title="I/O Extended 2026")
    assert same.changed == () and same.event.sequence == 1
    cleared = await event_service.catalogue.edit(G, event.id, venue="", description="")
    assert (cleared.event.venue, cleared.event.description) == (None, None)
    assert cleared.event.location == "Lahore"


async def test_edit_new_start_keeps_duration_and_tells_everyone_going(
    event_service: EventService, db: Database
) -> None:
    event = await create(event_service, ends="2026-07-26 14:00", capacity=1)
    await event_service.seats.rsvp(G, event.id, 10)
    await event_service.seats.rsvp(G, event.id, 11)  # waitlisted: not told
    result = await event_service.catalogue.edit(G, event.id, starts="2026-07-27 11:00")
    assert (result.event.starts_at, result.event.ends_at) == (
        ts(2026, 7, 27, 6, 0),
        ts(2026, 7, 27, 10, 0),
    )
    assert result.time_changed and result.notified == 1
    [dm] = await outbox(db, "event.changed")
    assert dm["user_id"] == 10
    assert dm["payload"]["event_id"] == event.id
    assert dm["payload"]["old_starts_at"] == event.starts_at
    assert dm["payload"]["new_starts_at"] == result.event.starts_at
    assert dm["payload"]["changes"] == ["starts_at", "ends_at"]
    assert dm["dedupe_key"] == f"event:{event.id}:changed:1:10"
    only_end = await event_service.catalogue.edit(G, event.id, ends="2026-07-27 18:00")
    assert only_end.event.starts_at == result.event.starts_at
    assert only_end.event.ends_at == ts(2026, 7, 27, 13, 0)
    assert only_end.changed == ("ends_at",) and len(await outbox(db, "event.changed")) == 2


async def test_edit_venue_tells_everyone_going(event_service: EventService, db: Database) -> None:
    event = await create(event_service, venue="Old hall")
    await event_service.seats.rsvp(G, event.id, 10)
    result = await event_service.catalogue.edit(G, event.id, venue="New hall")
    assert result.notified == 1
    [dm] = await outbox(db, "event.changed")
    assert (dm["payload"]["old_venue"], dm["payload"]["new_venue"]) == ("Old hall", "New hall")


async def test_bad_edits_are_refused(event_service: EventService, clock: FakeClock) -> None:
    event = await create(event_service)
    with pytest.raises(InvalidInput, match="at least one thing"):
        await event_service.catalogue.edit(G, event.id)
    with pytest.raises(InvalidInput, match="past"):
        await event_service.catalogue.edit(G, event.id, starts="2026-06-01 10:00")
    with pytest.raises(InvalidInput, match="after"):
        await event_service.catalogue.edit(G, event.id, ends="2026-07-26 09:00")
    with pytest.raises(InvalidInput, match="after"):
        # the kept duration can't rescue an end given explicitly before the new start
        await event_service.catalogue.edit(
            G, event.id, starts="2026-07-28 10:00", ends="2026-07-27 10:00"
        )
    with pytest.raises(InvalidInput, match="1 to 100,000"):
        await event_service.catalogue.edit(G, event.id, capacity=0)
    with pytest.raises(InvalidInput, match="not both"):
        await event_service.catalogue.edit(G, event.id, capacity=5, unlimited=True)
    with pytest.raises(InvalidInput, match="title"):
        await event_service.catalogue.edit(G, event.id, title="")
    with pytest.raises(NotFound):
        await event_service.catalogue.edit(G + 1, event.id, title="Mine now")
    assert await event_service.catalogue.get(G, event.id) == event
    clock.set(event.ends_at)
    with pytest.raises(NotAllowed, match="over"):
        await event_service.catalogue.edit(G, event.id, title="Late")


async def test_editing_while_in_progress_is_allowed_but_not_moving_start_into_past(
    event_service: EventService, clock: FakeClock
) -> None:
    event = await create(event_service)
    clock.set(event.starts_at + 60)
    assert (await event_service.catalogue.edit(G, event.id, description="Room 2")).changed
    with pytest.raises(InvalidInput, match="past"):
        await event_service.catalogue.edit(G, event.id, starts="2026-07-26 09:00")


async def test_cancel(event_service: EventService, db: Database) -> None:
    event = await create(event_service, capacity=1)
    await event_service.seats.rsvp(G, event.id, 10)
    await event_service.seats.rsvp(G, event.id, 11)
    await event_service.seats.rsvp(G, event.id, 12)
    await event_service.seats.leave(G, event.id, 10)  # 11 promoted: a DM is pending
    cancelled = await event_service.catalogue.cancel(G, event.id, "  Venue   flooded ")
    assert cancelled.cancelled and cancelled.cancel_reason == "Venue flooded"
    assert cancelled.sequence == event.sequence + 1
    statuses = await db.fetchall(
        "SELECT status FROM event_reminders WHERE event_id = ?", (event.id,)
    )
    assert {r[0] for r in statuses} == {"cancelled"}
    assert await event_service.reminders.pending(event_id=event.id) == []
    [promoted] = await outbox(db, "event.promoted")
    assert promoted["status"] == "dropped"
    notices = await outbox(db, "event.cancelled")
    assert [(n["user_id"], n["payload"]["status"]) for n in notices] == [
        (11, "going"),
        (12, "waitlist"),
    ]
    assert notices[0]["payload"] == {
        "event_id": event.id,
        "reason": "Venue flooded",
        "status": "going",
    }
    assert {n["status"] for n in notices} == {"pending"}
    assert notices[0]["dedupe_key"] == f"event:{event.id}:cancelled:11"
    with pytest.raises(NotAllowed, match="cancelled"):
        await event_service.seats.rsvp(G, event.id, 13)
    with pytest.raises(NotAllowed, match="cancelled"):
        await event_service.seats.leave(G, event.id, 11)
    with pytest.raises(NotAllowed, match="cancelled"):
        await event_service.catalogue.edit(G, event.id, capacity=5)
    with pytest.raises(NotAllowed, match="already cancelled"):
        await event_service.catalogue.cancel(G, event.id)
    # The record stays for organizers.
    assert [a.user_id for a in await event_service.listings.attendees(G, event.id)] == [11, 12]
    assert await event_service.listings.upcoming(G) == []


async def test_cancel_without_reason_and_refusals(
    event_service: EventService, clock: FakeClock
) -> None:
    event = await create(event_service)
    with pytest.raises(InvalidInput, match="at most 500"):
        await event_service.catalogue.cancel(G, event.id, "r" * 501)
    with pytest.raises(NotFound):
        await event_service.catalogue.cancel(G + 1, event.id)
    assert (await event_service.catalogue.cancel(G, event.id)).cancel_reason is None
    other = await create(event_service)
    clock.set(other.ends_at)
    with pytest.raises(NotAllowed, match="over"):
        await event_service.catalogue.cancel(G, other.id)


async def test_upcoming_search_resolve_and_mine(
    event_service: EventService, clock: FakeClock
) -> None:
    later = await create(
        event_service, title="Build with AI", city="Islamabad", starts="2026-08-10 10:00"
    )
    soon = await create(event_service, title="Google I/O Extended", starts="2026-07-05 10:00")
    gone = await create(event_service, title="Flutter Day", starts="2026-07-02 10:00")
    dropped = await create(event_service, title="Cloud Study Jam", starts="2026-07-20 10:00")
    await event_service.catalogue.cancel(G, dropped.id)
    await event_service.seats.rsvp(G, soon.id, 10)
    await event_service.seats.rsvp(G, later.id, 10)
    await event_service.seats.rsvp(G, gone.id, 10)
    clock.set(gone.ends_at)  # Flutter Day is over

    assert [e.id for e in await event_service.listings.upcoming(G)] == [soon.id, later.id]
    assert [e.id for e in await event_service.listings.upcoming(G, "islamabad")] == [later.id]
    assert (await event_service.listings.upcoming(G))[0].going == 1
    with pytest.raises(NotFound, match="Islamabad, Lahore"):
        await event_service.listings.upcoming(G, "Lahor")
    assert await event_service.listings.upcoming(G + 1) == []

    # Upcoming soonest first, then the rest (latest first).
    assert [e.id for e in await event_service.listings.search(G, "")] == [
        soon.id,
        later.id,
        dropped.id,
        gone.id,
    ]
    assert [e.id for e in await event_service.listings.search(G, "google")] == [soon.id]
    assert [e.id for e in await event_service.listings.search(G, "ISLAMABAD")] == [later.id]
    assert [e.id for e in await event_service.listings.search(G, str(gone.id))] == [gone.id]
    assert await event_service.listings.search(G + 1, "") == []
    assert len(await event_service.listings.search(G, "", limit=2)) == 2

    choices = await event_service.listings.autocomplete(G, "")
    assert choices[0] == (
        "Google I/O Extended · Lahore · 05 Jul 2026 10:00",
        str(soon.id),
    )
    assert choices[2][0].endswith("(cancelled)") and choices[3][0].endswith("(over)")
    long = await create(event_service, title="L" * 100)
    name, value = (await event_service.listings.autocomplete(G, "LLL"))[0]
    assert len(name) == 100 and "…" in name and value == str(long.id)

    assert (await event_service.catalogue.resolve(G, str(soon.id))).id == soon.id
    assert (await event_service.catalogue.resolve(G, f" #{later.id} ")).id == later.id
    assert (await event_service.catalogue.resolve(G, "google i/o extended")).id == soon.id
    assert (
        await event_service.catalogue.resolve(G, "Flutter Day")
    ).id == gone.id  # only one, though over
    with pytest.raises(NotFound):
        await event_service.catalogue.resolve(G + 1, str(soon.id))
    with pytest.raises(NotFound, match="No event"):
        await event_service.catalogue.resolve(G, "Nothing like it")
    with pytest.raises(NotFound):
        await event_service.catalogue.resolve(G, "9" * 30)
    await create(event_service, title="Google I/O Extended", starts="2026-07-06 10:00")
    with pytest.raises(InvalidInput, match="Several"):
        await event_service.catalogue.resolve(G, "Google I/O Extended")

    mine = await event_service.listings.mine(G, 10)
    assert [(m.event.id, m.status, m.seat) for m in mine] == [
        (soon.id, "going", 1),
        (later.id, "going", 1),
    ]
    assert await event_service.listings.mine(G, 99) == []


async def test_mine_shows_waitlist_position(event_service: EventService) -> None:
    event = await create(event_service, capacity=1)
    for u in (10, 11, 12):
        await event_service.seats.rsvp(G, event.id, u)
    [m] = await event_service.listings.mine(G, 12)
    assert (m.status, m.seat, m.position) == ("waitlist", None, 2)


async def test_set_message_and_scheduled_event(event_service: EventService) -> None:
    event = await create(event_service)
    await event_service.posting.announcement_posted(event.id, 77, 88)
    await event_service.posting.scheduled_created(event.id, 99)
    got = await event_service.catalogue.get(G, event.id)
    assert (got.channel_id, got.message_id, got.scheduled_event_id) == (77, 88, 99)
    await event_service.posting.scheduled_created(event.id, None)
    assert (await event_service.catalogue.get(G, event.id)).scheduled_event_id is None


async def test_guilds_do_not_see_each_others_events(event_service: EventService) -> None:
    event = await create(event_service)
    with pytest.raises(NotFound, match=f"no event #{event.id}"):
        await event_service.catalogue.get(G + 1, event.id)
    with pytest.raises(NotFound):
        await event_service.listings.attendees(G + 1, event.id)


async def test_release_member_frees_upcoming_seats_only_when_enabled(event_service, clock) -> None:
    svc = event_service
    upcoming = await svc.catalogue.create(
        1000, 1, title="Later", city="Lahore", starts="2026-07-10 10:00", capacity=1
    )
    await svc.seats.rsvp(1000, upcoming.id, 7)
    await svc.seats.rsvp(1000, upcoming.id, 8)  # waitlisted
    await svc.seats.set_release_on_leave(1000, False)
    assert await svc.seats.release_member(1000, 7) == []
    assert (await svc.listings.status_of(upcoming.id, 7)).status == "going"
    await svc.seats.set_release_on_leave(1000, True)
    (left,) = await svc.seats.release_member(1000, 7)
    assert left.outcome == "was_going" and left.promoted == (8,)
    assert (await svc.listings.status_of(upcoming.id, 7)).status is None
    assert await svc.seats.release_member(1000, 7) == []  # nothing left to release
