"""Recurring series on the store: occurrences made a lead ahead and once, past ones
skipped, the end kept, 'this and all later' edits and cancels; bad input changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.errors import InvalidInput
from bot.events import EventService
from bot.guilds import GuildSettings

if TYPE_CHECKING:
    from conftest import FakeClock

G = 1000
ORG = 1
DAY = 86400


def ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


async def weekly(service: EventService, **kw: object):
    # The tests' clock is Wednesday 1 July 2026; Saturdays at 10:00 in Karachi (05:00 UTC).
    args: dict[str, object] = {
        "repeat": "weekly",
        "title": "Study Jam",
        "city": "Lahore",
        "starts": "2026-07-04 10:00",
        "channel_id": 55,
        "capacity": 30,
    }
    args.update(kw)
    return await service.series.create(G, ORG, **args)  # type: ignore[arg-type]


async def occurrences(db: Database) -> list[tuple[int, int, str, str]]:
    rows = await db.fetchall(
        "SELECT series_id, series_index, starts_at, title, status FROM events"
        " ORDER BY starts_at, id"
    )
    return [(r["series_index"], r["starts_at"], r["title"], r["status"]) for r in rows]


async def test_a_series_makes_the_occurrences_within_the_lead(
    event_service: EventService, db: Database
) -> None:
    info, made = await weekly(event_service)
    assert info.recurrence.describe() == "weekly on Saturday at 10:00"
    # 14 days ahead of Wed 1 July: the 4th and the 11th; the 18th is made later
    assert [(e.series_index, e.starts_at) for e in made] == [
        (0, ts(2026, 7, 4, 5)),
        (1, ts(2026, 7, 11, 5)),
    ]
    assert {(e.title, e.capacity, e.channel_id, e.series_id) for e in made} == {
        ("Study Jam", 30, 55, info.id)
    }
    for event in made:  # each its own event, with its own reminders, owed its announcement
        assert len(await event_service.reminders.of_event(event.id)) == 2
        row = await db.fetchone("SELECT announce_intent_at FROM events WHERE id = ?", (event.id,))
        assert row["announce_intent_at"] is not None
    [job] = await event_service.series.pending()
    assert (job.series_id, job.due_at) == (info.id, ts(2026, 7, 18, 5) - 14 * DAY)


async def test_the_next_is_made_when_due_and_only_once(
    event_service: EventService,
    db: Database,
    db2: Database,
    guilds: GuildSettings,
    clock: FakeClock,
) -> None:
    info, _ = await weekly(event_service)
    assert await event_service.series.make_due(info.id) == []  # nothing due yet
    clock.set(ts(2026, 7, 18, 5) - 14 * DAY)
    other = EventService(db2, GuildSettings(db2), clock=clock)  # a second process
    first, second = await asyncio.gather(
        event_service.series.make_due(info.id), other.series.make_due(info.id)
    )
    assert sorted(e.starts_at for e in first + second) == [ts(2026, 7, 18, 5)]
    assert [o[0] for o in await occurrences(db)] == [0, 1, 2]


async def test_occurrences_whose_time_passed_are_skipped_not_made_late(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    info, _ = await weekly(event_service)
    clock.set(ts(2026, 8, 3))  # the bot was down for a month (a Monday)
    made = await event_service.series.make_due(info.id)
    assert made[0].starts_at == ts(2026, 8, 8, 5)  # the next one ahead
    assert all(e.starts_at > clock.now for e in made)
    assert [e.series_index for e in made] == [5, 6]  # indexes keep counting from the rule


async def test_the_series_ends_with_its_count_or_date(
    event_service: EventService, clock: FakeClock
) -> None:
    info, made = await weekly(event_service, count=3)
    assert len(made) == 2
    clock.set(ts(2026, 7, 18, 5) - 14 * DAY)
    assert len(await event_service.series.make_due(info.id)) == 1
    assert not (await event_service.series.get(info.id)).active
    assert await event_service.series.pending() == []
    dated, made = await weekly(
        event_service, title="Until", starts="2026-07-25 10:00", until="2026-07-25"
    )
    assert len(made) == 1 and not dated.active


async def test_the_lead_setting(event_service: EventService, guilds: GuildSettings) -> None:
    assert await event_service.series.lead_days(G) == 14
    for bad in (0, 91):
        with pytest.raises(InvalidInput, match="1 to 90 days"):
            await event_service.series.set_lead_days(G, bad)
    assert await event_service.series.lead_days(G) == 14
    info, _ = await weekly(event_service)
    await event_service.series.set_lead_days(G, 30)
    # 30 days ahead of Wed 1 July: the 18th and the 25th (1 August is the day after)
    assert [e.series_index for e in await event_service.series.make_due(info.id)] == [2, 3]


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"repeat": "daily"}, "isn't one I know"),
        ({"until": "2026-07-01"}, "before its first event"),
        ({"until": "someday"}, "as a date"),
        ({"count": 0}, "1 to 520 occurrences"),
        ({"starts": "2026-06-01 10:00"}, "in the past"),
        ({"title": " "}, "title"),
    ],
)
async def test_bad_series_input_creates_nothing(
    event_service: EventService, db: Database, kw: dict[str, object], words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        await weekly(event_service, **kw)
    assert await db.fetchval("SELECT COUNT(*) FROM events") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM event_series") == 0
    assert await db.fetchval("SELECT COUNT(*) FROM event_reminders") == 0


async def test_edit_this_and_all_later(
    event_service: EventService, db: Database, clock: FakeClock
) -> None:
    info, made = await weekly(event_service)
    await event_service.series.set_lead_days(G, 21)
    made += await event_service.series.make_due(info.id)
    first, second, third = made
    results, brought = await event_service.series.edit_later(
        G, second, title="Study Jam II", starts="2026-07-11 18:00"
    )
    assert [r.event.id for r in results] == [second.id, third.id]
    assert [(r.event.title, r.event.starts_at) for r in results] == [
        ("Study Jam II", ts(2026, 7, 11, 13)),
        ("Study Jam II", ts(2026, 7, 18, 13)),  # moved by the rule from the new start
    ]
    assert (await event_service.catalogue.get(G, first.id)).title == "Study Jam"
    old = await event_service.series.get(info.id)
    assert not old.active
    assert brought == []
    # what is made from now on copies the new template
    clock.set(ts(2026, 7, 25, 13) - 21 * DAY)
    [job] = await event_service.series.pending()
    later = await event_service.series.make_due(job.series_id)
    assert [(e.title, e.starts_at, e.series_index) for e in later] == [
        ("Study Jam II", ts(2026, 7, 25, 13), 2)
    ]


async def test_cancel_this_and_all_later(event_service: EventService, db: Database) -> None:
    info, made = await weekly(event_service)
    await event_service.series.set_lead_days(G, 21)
    made += await event_service.series.make_due(info.id)
    cancelled = await event_service.series.cancel_later(G, made[1], "Venue closed")
    assert [e.id for e in cancelled] == [made[1].id, made[2].id]
    assert [o[3] for o in await occurrences(db)] == ["scheduled", "cancelled", "cancelled"]
    assert await event_service.series.pending() == []
    assert await event_service.series.make_due(info.id) == []
