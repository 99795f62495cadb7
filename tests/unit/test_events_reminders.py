"""Reminders: planned from the guild's offsets, fired once, never after the start."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.errors import InvalidInput
from bot.events import EventService
from cogs.events._timers import reminder_job

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
HOUR = 3600
DAY = 86400


def ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


START = ts(2026, 7, 26, 5, 0)  # 2026-07-26 10:00 in Karachi


async def create(service: EventService, **kw: object):
    args: dict[str, object] = {
        "title": "I/O Extended",
        "city": "Lahore",
        "starts": "2026-07-26 10:00",
        "channel_id": 500,
        "role_id": 600,
    }
    args.update(kw)
    return await service.catalogue.create(G, 1, **args)  # type: ignore[arg-type]


async def outbox(db: Database, kind: str) -> list[dict]:
    rows = await db.fetchall(
        "SELECT user_id, channel_id, payload, dedupe_key FROM outbox WHERE kind = ? ORDER BY id",
        (kind,),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


async def by_offset(service: EventService, event_id: int) -> dict[int, tuple[str, int]]:
    return {
        r.offset_seconds: (r.status, r.due_at) for r in await service.reminders.of_event(event_id)
    }


async def test_default_offsets_are_planned(event_service: EventService) -> None:
    event = await create(event_service)
    assert await event_service.reminders.offsets(G) == [DAY, HOUR]
    assert await by_offset(event_service, event.id) == {
        DAY: ("pending", START - DAY),
        HOUR: ("pending", START - HOUR),
    }
    pending = await event_service.reminders.pending()
    assert [(r.event_id, r.guild_id, r.offset_seconds) for r in pending] == [
        (event.id, G, DAY),
        (event.id, G, HOUR),
    ]
    assert await event_service.reminders.pending(guild_id=G + 1) == []
    assert len(await event_service.reminders.pending(event_id=event.id)) == 2
    assert await event_service.reminders.events_needing_them() == [event.id]
    assert reminder_job(pending[0].id) == f"events:reminder:{pending[0].id}"


async def test_offsets_already_past_are_skipped(
    event_service: EventService, clock: FakeClock
) -> None:
    clock.set(START - 2 * HOUR)
    event = await create(event_service)
    assert await by_offset(event_service, event.id) == {
        DAY: ("skipped", START - DAY),
        HOUR: ("pending", START - HOUR),
    }
    assert [r.offset_seconds for r in await event_service.reminders.pending()] == [HOUR]


async def test_fire_sends_one_batch_once(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    event = await create(event_service, capacity=2)
    for u in (10, 11, 12):  # 12 is waitlisted: no reminder
        await event_service.seats.rsvp(G, event.id, u)
    await event_service.reminders.set_dms(G, 11, False)
    assert await event_service.reminders.dms(G, 11) is False
    assert await event_service.reminders.dms(G, 10) is True
    day = next(r for r in await event_service.reminders.pending() if r.offset_seconds == DAY)

    clock.set(day.due_at)
    fired = await event_service.reminders.fire(day.id)
    assert (fired.outcome, fired.reason, fired.dms, fired.channel_post) == ("sent", "sent", 1, True)
    assert (fired.event_id, fired.guild_id) == (event.id, G)
    [dm] = await outbox(db, "event.reminder")
    assert dm["user_id"] == 10
    assert dm["payload"] == {"event_id": event.id, "offset_seconds": DAY, "starts_at": START}
    assert dm["dedupe_key"] == f"event:{event.id}:reminder:{DAY}:10"
    [post] = await outbox(db, "event.reminder.channel")
    assert post["channel_id"] == 500 and post["payload"]["role_id"] == 600
    assert post["dedupe_key"] == f"event:{event.id}:reminder:{DAY}:channel"

    again = await event_service.reminders.fire(day.id)
    assert (again.outcome, again.reason, again.dms) == ("noop", "already_sent", 0)
    assert len(await outbox(db, "event.reminder")) == 1
    assert len(await outbox(db, "event.reminder.channel")) == 1
    assert (await by_offset(event_service, event.id))[DAY] == ("sent", START - DAY)

    # Turned back on: the next reminder reaches 11 too.
    await event_service.reminders.set_dms(G, 11, True)
    hour = next(r for r in await event_service.reminders.pending() if r.offset_seconds == HOUR)
    clock.set(hour.due_at + 30)
    assert (await event_service.reminders.fire(hour.id)).dms == 2


async def test_fire_after_start_is_skipped(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    event = await create(event_service)
    await event_service.seats.rsvp(G, event.id, 10)
    hour = (await event_service.reminders.pending())[-1]
    clock.set(START)  # the bot was down until the start
    fired = await event_service.reminders.fire(hour.id)
    assert (fired.outcome, fired.reason) == ("skipped", "started")
    assert await outbox(db, "event.reminder") == []
    assert (await event_service.reminders.fire(hour.id)).reason == "already_skipped"


async def test_overdue_at_start_up_sends_only_the_latest(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    event = await create(event_service)
    await event_service.seats.rsvp(G, event.id, 10)
    day, hour = await event_service.reminders.pending()
    clock.set(START - 30 * 60)  # down through both due times; 30 minutes to go
    first = await event_service.reminders.fire(day.id)
    second = await event_service.reminders.fire(hour.id)
    assert (first.outcome, first.reason) == ("skipped", "superseded")
    assert (second.outcome, second.dms) == ("sent", 1)
    assert len(await outbox(db, "event.reminder")) == 1


async def test_early_or_stale_job_does_nothing(
    event_service: EventService, clock: FakeClock
) -> None:
    event = await create(event_service)
    day = (await event_service.reminders.pending())[0]
    fired = await event_service.reminders.fire(day.id)
    assert (fired.outcome, fired.due_at) == ("not_due", START - DAY)
    # A job left from before an edit wakes at the old time: still not due.
    await event_service.catalogue.edit(G, event.id, starts="2026-07-28 10:00")
    clock.set(START - DAY)
    assert (await event_service.reminders.fire(day.id)).outcome == "not_due"
    missing = await event_service.reminders.fire(12345)
    assert (missing.outcome, missing.reason) == ("noop", "missing")


async def test_edit_reschedules_and_never_repeats_a_sent_reminder(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    event = await create(event_service)
    await event_service.seats.rsvp(G, event.id, 10)
    day = (await event_service.reminders.pending())[0]
    clock.set(day.due_at)
    await event_service.reminders.fire(day.id)

    new_start = START + 2 * DAY
    result = await event_service.catalogue.edit(G, event.id, starts="2026-07-28 10:00")
    assert result.event.starts_at == new_start
    assert await by_offset(event_service, event.id) == {
        DAY: ("sent", START - DAY),  # sent stays sent
        HOUR: ("pending", new_start - HOUR),
    }
    # Moving it to 30 minutes from now: the hour reminder is already past → skipped.
    clock.set(ts(2026, 7, 27, 4, 0))
    await event_service.catalogue.edit(G, event.id, starts="2026-07-27 09:30")
    assert (await by_offset(event_service, event.id))[HOUR][0] == "skipped"
    # And back out to later: planned again.
    await event_service.catalogue.edit(G, event.id, starts="2026-07-29 10:00")
    assert (await by_offset(event_service, event.id))[HOUR] == (
        "pending",
        START + 3 * DAY - HOUR,
    )
    assert len(await outbox(db, "event.reminder")) == 1


async def test_cancel_cancels_reminders(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    event = await create(event_service)
    await event_service.seats.rsvp(G, event.id, 10)
    day = (await event_service.reminders.pending())[0]
    await event_service.catalogue.cancel(G, event.id, "Rain")
    clock.set(day.due_at)
    fired = await event_service.reminders.fire(day.id)
    assert (fired.outcome, fired.reason) == ("noop", "already_cancelled")
    assert await outbox(db, "event.reminder") == []
    assert await event_service.reminders.events_needing_them() == []


async def test_no_channel_means_no_post(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    event = await create(event_service, channel_id=None, role_id=None)
    day = (await event_service.reminders.pending(event_id=event.id))[0]
    clock.set(day.due_at)
    fired = await event_service.reminders.fire(day.id)
    assert (fired.outcome, fired.dms, fired.channel_post) == ("sent", 0, False)
    # set_message gives reminders a channel to post in.
    await event_service.posting.announcement_posted(event.id, 501, 502)
    hour = (await event_service.reminders.pending(event_id=event.id))[0]
    clock.set(hour.due_at)
    assert (await event_service.reminders.fire(hour.id)).channel_post
    [post] = await outbox(db, "event.reminder.channel")
    assert post["channel_id"] == 501 and post["payload"]["role_id"] is None


async def test_guild_offsets_apply_to_new_and_upcoming_events(
    event_service: EventService, clock: FakeClock
) -> None:
    first = await create(event_service)
    day = (await event_service.reminders.pending())[0]
    clock.set(day.due_at)
    await event_service.reminders.fire(day.id)  # the 24h one is sent

    assert await event_service.reminders.set_offsets(G, "2h, 30m,24h") == [DAY, 2 * HOUR, 1800]
    assert await event_service.reminders.offsets(G) == [DAY, 2 * HOUR, 1800]
    assert await by_offset(event_service, first.id) == {
        DAY: ("sent", START - DAY),
        2 * HOUR: ("pending", START - 2 * HOUR),
        1800: ("pending", START - 1800),
    }
    second = await create(event_service, starts="2026-08-01 10:00")
    assert sorted(await by_offset(event_service, second.id)) == [1800, 2 * HOUR, DAY]

    assert await event_service.reminders.set_offsets(G, "none") == []
    assert await event_service.reminders.offsets(G) == []
    assert await by_offset(event_service, first.id) == {DAY: ("sent", START - DAY)}
    assert await by_offset(event_service, second.id) == {}
    assert await event_service.reminders.offsets(G + 1) == [DAY, HOUR]

    with pytest.raises(InvalidInput, match="At most 3"):
        await event_service.reminders.set_offsets(G, "1d,2h,3h,4h")
    with pytest.raises(InvalidInput, match="d, h or m"):
        await event_service.reminders.set_offsets(G, "tomorrow")
    assert await event_service.reminders.offsets(G) == []
