"""After the event: feedback requests once, ratings once and only from attendees, summary."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.events import EventService, feedback_report
from cogs.events._timers import feedback_job

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
ORG = 1
VOL = 2


async def attended_event(
    service: EventService, clock: FakeClock, came: tuple[int, ...] = (10, 11, 12), day: int = 26
) -> int:
    """An event with members 10-13 seated and `came` checked in; the clock at its start."""
    event = await service.catalogue.create(
        G, ORG, title=f"Study Jam {day}", city="Lahore", starts=f"2026-07-{day:02d} 10:00"
    )
    for u in (10, 11, 12, 13):
        await service.seats.rsvp(G, event.id, u)
    clock.set(event.starts_at)
    for u in came:
        await service.door.check_in(G, event.id, by_user_id=VOL, member_id=u)
    return event.id


async def requests(db: Database) -> list[dict]:
    rows = await db.fetchall(
        "SELECT user_id, payload, dedupe_key FROM outbox WHERE kind = 'event.feedback_request'"
        " ORDER BY id"
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


async def test_feedback_requests_go_out_once_an_hour_after_the_end(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await attended_event(event_service, clock)
    event = await event_service.catalogue.get(G, eid)
    [job] = await event_service.feedback.pending()
    assert (job.event_id, job.guild_id, job.due_at) == (eid, G, event.ends_at + 3600)
    assert feedback_job(eid) == f"events:feedback:{eid}"
    clock.set(event.ends_at + 3599)
    assert await event_service.feedback.due() == []
    early = await event_service.feedback.request(eid)
    assert (early.outcome, early.due_at) == ("not_due", event.ends_at + 3600)
    assert await requests(db) == []

    clock.set(event.ends_at + 3600)
    [due] = await event_service.feedback.due()
    assert due.event.id == eid and due.members == (10, 11, 12)
    results = await asyncio.gather(*(event_service.feedback.request(eid) for _ in range(3)))
    assert sorted(r.outcome for r in results) == ["noop", "noop", "sent"]
    assert sum(r.enqueued for r in results) == 3
    sent = await requests(db)
    assert [r["user_id"] for r in sent] == [10, 11, 12]
    assert sent[0]["payload"] == {"event_id": eid}
    assert sent[0]["dedupe_key"] == f"event:{eid}:feedback:10"
    assert await event_service.feedback.due() == []
    assert await event_service.feedback.pending() == []
    assert (await event_service.feedback.request(eid)).reason == "already_sent"
    assert await event_service.feedback.request_due() == []
    assert (await event_service.feedback.request(9999)).reason == "missing"


async def test_the_start_up_sweep_and_cancelled_events(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    a = await attended_event(event_service, clock, came=(10,), day=20)
    b = await attended_event(event_service, clock, came=(11, 12), day=21)
    c = await event_service.catalogue.create(
        G, ORG, title="Off", city="Lahore", starts="2026-07-22 10:00"
    )
    await event_service.catalogue.cancel(G, c.id)
    clock.set((await event_service.catalogue.get(G, b)).ends_at + 7200)
    swept = await event_service.feedback.request_due()
    assert [(r.event_id, r.enqueued) for r in swept] == [(a, 1), (b, 2)]
    assert await event_service.feedback.pending() == []  # cancelled: never
    skipped = await event_service.feedback.request(c.id)
    assert (skipped.outcome, skipped.reason) == ("skipped", "cancelled")
    assert (await event_service.feedback.request(c.id)).outcome == "noop"
    assert len(await requests(db)) == 3


async def test_only_attendees_give_feedback_and_only_once(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await attended_event(event_service, clock, came=(10, 11))
    with pytest.raises(NotAllowed, match="opens when the event ends"):
        await event_service.feedback.give(G, eid, 10, 5)
    clock.set((await event_service.catalogue.get(G, eid)).ends_at + 3600)
    with pytest.raises(NotAllowed, match="Only members checked in"):
        await event_service.feedback.give(G, eid, 13, 5)  # seated, never came
    with pytest.raises(NotAllowed, match="Only members checked in"):
        await event_service.feedback.allowed(G, eid, 99)
    for bad in (0, 6, True):
        with pytest.raises(InvalidInput, match="from 1 .poor. to 5"):
            await event_service.feedback.give(G, eid, 10, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="at most 1,000 characters"):
        await event_service.feedback.give(G, eid, 10, 4, "x" * 1001)
    assert (await event_service.feedback.allowed(G, eid, 10)).id == eid
    given = await event_service.feedback.give(G, eid, 10, 4, "  Great codelabs!  ")
    assert (given.rating, given.comment) == (4, "Great codelabs!")
    with pytest.raises(AlreadyExists, match="already gave feedback.*once"):
        await event_service.feedback.give(G, eid, 10, 1, "changed my mind")
    with pytest.raises(AlreadyExists):
        await event_service.feedback.allowed(G, eid, 10)
    results = await asyncio.gather(
        *(event_service.feedback.give(G, eid, 11, 5) for _ in range(3)), return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, AlreadyExists) for r in results if isinstance(r, Exception))
    with pytest.raises(NotFound):
        await event_service.feedback.give(G + 1, eid, 10, 5)


async def test_feedback_summary_and_report(event_service: EventService, clock: FakeClock) -> None:
    eid = await attended_event(event_service, clock, came=(10, 11, 12))
    empty = await event_service.feedback.summary(G, eid)
    assert (empty.count, empty.average, empty.comments) == (0, None, ())
    assert empty.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert "No feedback yet." in feedback_report(empty)
    clock.set((await event_service.catalogue.get(G, eid)).ends_at + 3600)
    await event_service.feedback.give(G, eid, 10, 5, "Loved it")
    await event_service.feedback.give(G, eid, 11, 4)
    await event_service.feedback.give(G, eid, 12, 2, "Too loud\nat the back")
    summary = await event_service.feedback.summary(G, eid)
    assert (summary.count, summary.average) == (3, 3.67)
    assert summary.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert [(c.rating, c.comment) for c in summary.comments] == [
        (5, "Loved it"),
        (2, "Too loud\nat the back"),
    ]
    report = feedback_report(summary)
    assert "Ratings: 3, average 3.67 of 5" in report
    assert "Loved it" in report and "Too loud\nat the back" in report
    assert "10" not in report.split("Comments")[1].replace("2026", "")  # anonymous


async def test_delete_member_data_keeps_counts_but_not_the_member(
    event_service: EventService, clock: FakeClock, db: Database
) -> None:
    eid = await attended_event(event_service, clock, came=(10, 11))
    # Member 10 also volunteered at the door of another event.
    other = await event_service.catalogue.create(
        G, ORG, title="Later", city="Lahore", starts="2026-07-26 18:00", capacity=1
    )
    await event_service.seats.rsvp(G, other.id, 20)
    await event_service.seats.rsvp(G, other.id, 10, None)  # waitlisted there
    clock.set(other.starts_at)
    await event_service.door.check_in(G, other.id, by_user_id=10, member_id=20)
    clock.set(other.ends_at + 3600)
    await event_service.feedback.give(G, eid, 10, 5, "Personal words")
    await event_service.feedback.give(G, eid, 11, 3, "Fine")

    before = await event_service.door.stats(G, eid)
    result = await event_service.delete_member_data(G, 10)
    assert (result.rsvps_removed, result.tickets_removed) == (2, 1)
    assert (result.checkins_anonymized, result.feedback_anonymized) == (1, 1)
    after = await event_service.door.stats(G, eid)
    assert (after.checked_in, after.walk_ins, after.curve) == (
        before.checked_in,
        before.walk_ins,
        before.curve,
    )
    assert after.going == before.going - 1
    summary = await event_service.feedback.summary(G, eid)
    assert (summary.count, summary.average) == (2, 4.0)  # the rating stays, anonymous
    assert [c.comment for c in summary.comments] == ["Fine"]
    assert await event_service.standing.record(G, 10) == (0, 0)
    for table, column in [
        ("rsvps", "user_id"),
        ("event_tickets", "user_id"),
        ("event_checkins", "user_id"),
        ("event_checkins", "by_user_id"),
        ("event_feedback", "user_id"),
    ]:
        assert await db.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {column} = 10") == 0
    assert [c.user_id for c in await event_service.door.checkins(G, eid)] == [None, 11]
