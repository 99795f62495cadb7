"""The events' timers (one job per due row, registered on load, gone on unload) and the
one place a seat change's effects are applied (EventsFeature.apply)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cooldowns import Cooldowns
from bot.events import Event, EventService, SeatChange
from bot.scheduler import Scheduler
from cogs.events._feature import EventsFeature
from cogs.events._timers import (
    EventTimers,
    feedback_job,
    release_job,
    reminder_job,
    series_job,
)

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000
ORG = 1


class Effects:
    """Records what the feature asks of the announcement, the deliverer and the timers."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.pacer = None

    def refresh_soon(self, event_id: int) -> None:
        self.calls.append(("refresh_soon", event_id))

    async def refresh_now(self, event_id: int) -> None:
        self.calls.append(("refresh_now", event_id))

    def kick(self) -> None:
        self.calls.append(("kick",))

    def schedule_release(self, event_id: int, when: int) -> None:
        self.calls.append(("release", event_id, when))


def feature_over(service: EventService, effects: Effects) -> EventsFeature:
    fx: Any = effects
    return EventsFeature(service, announcements=fx, timers=fx, deliverer=fx, cooldowns=Cooldowns())


async def test_one_job_per_due_row_from_load_to_unload(
    event_service: EventService, clock: FakeClock
) -> None:
    scheduler = Scheduler()
    applied: list[SeatChange] = []
    woke: list[int] = []

    async def apply(change: SeatChange) -> None:
        applied.append(change)

    timers = EventTimers(
        scheduler, event_service, wake=lambda: woke.append(1), apply=apply, announce=_none
    )
    event = await event_service.catalogue.create(
        G, ORG, title="I/O Extended", city="Lahore", starts="2026-07-26 10:00", capacity=2
    )
    await timers.start()  # start-up: the bot's own rebuild comes once everything is loaded
    assert scheduler.job_ids("events:") == []
    assert await scheduler.rebuild() == {"events": 3}
    day, hour = await event_service.reminders.pending(event_id=event.id)
    assert scheduler.job_ids("events:") == sorted(
        [reminder_job(day.id), reminder_job(hour.id), feedback_job(event.id)]
    )

    # The seat release: too early re-arms at the event's release time; then it applies.
    await timers.fire_release(event.id)
    assert scheduler.has(release_job(event.id)) and applied == []
    clock.set(event.seat_release_at)
    await timers.fire_release(event.id)
    assert applied == [SeatChange(event.id, recount=True, owed=True)]

    # Woken before its row is due (the event moved): the job re-arms itself, nothing sent.
    assert clock() == day.due_at < hour.due_at
    scheduler.cancel(reminder_job(hour.id))
    await timers.fire_reminder(hour.id)
    assert scheduler.has(reminder_job(hour.id)) and woke == []
    await timers.fire_reminder(day.id)
    assert woke == [1]  # the DMs are in the outbox: the deliverer is woken

    timers.stop()  # unload: no rebuilder, no job left behind
    assert scheduler.job_ids("events:") == []
    assert await scheduler.rebuild() == {}


class RunningScheduler(Scheduler):
    """Says it runs (a cog reload), without running jobs whose test dates have passed."""

    running = True  # type: ignore[assignment]


async def test_a_reload_rebuilds_at_once(event_service: EventService) -> None:
    scheduler = RunningScheduler()
    await event_service.catalogue.create(
        G, ORG, title="Flutter Day", city="Lahore", starts="2026-07-26 10:00"
    )
    timers = EventTimers(scheduler, event_service, wake=lambda: None, apply=_ignore, announce=_none)
    await timers.start()  # the scheduler already runs: nothing else would rebuild
    assert len(scheduler.job_ids("events:")) == 3
    timers.stop()
    assert scheduler.job_ids("events:") == []


async def _ignore(change: SeatChange) -> None:
    pass


async def _none(made: list[Event]) -> None:
    pass


async def test_a_series_job_makes_announces_and_arms_the_next(
    event_service: EventService, clock: FakeClock
) -> None:
    scheduler = Scheduler()
    announced: list[list[int]] = []

    async def announce(made: list[Event]) -> None:
        announced.append([e.series_index or 0 for e in made])

    timers = EventTimers(
        scheduler, event_service, wake=lambda: None, apply=_ignore, announce=announce
    )
    info, made = await event_service.series.create(
        G, ORG, repeat="weekly", title="Study Jam", city="Lahore", starts="2026-07-04 10:00"
    )
    assert await timers.rebuild() == 2 * 3 + 1  # each occurrence's jobs, and the series'
    assert scheduler.has(series_job(info.id))
    clock.set(made[-1].starts_at + 7 * 86400 - 14 * 86400)  # the third is due to be made
    await timers.fire_series(info.id)
    assert announced == [[2]] and scheduler.has(series_job(info.id))
    await timers.fire_series(info.id)  # a repeated fire makes nothing more
    assert announced == [[2]]


async def test_apply_does_what_each_seat_change_owes(event_service: EventService) -> None:
    effects = Effects()
    feature = feature_over(event_service, effects)
    event = await event_service.catalogue.create(
        G, ORG, title="Build with AI", city="Lahore", starts="2026-07-26 10:00", capacity=1
    )
    await event_service.seats.rsvp(G, event.id, 10)
    waiting = await event_service.seats.rsvp(G, event.id, 11)
    await feature.apply(waiting.seats)  # no role, nobody behind: only the counts
    assert effects.calls == [("refresh_soon", event.id)]

    effects.calls.clear()
    left = await event_service.seats.leave(G, event.id, 10)  # 11 promoted: a DM is owed
    await feature.apply(left.seats)
    assert effects.calls == [("refresh_soon", event.id), ("kick",)]

    effects.calls.clear()
    await feature.apply(SeatChange(event.id, release_at=event.seat_release_at))
    assert effects.calls == [("release", event.id, event.seat_release_at)]

    effects.calls.clear()
    edited = await event_service.catalogue.edit(G, event.id, capacity=5)
    await feature.apply(edited.seats, at_once=True)  # an organizer waits for the card
    assert effects.calls == [("refresh_now", event.id), ("kick",)]


async def test_member_deletion_applies_the_seats_passed_on_after_the_commit(
    event_service: EventService,
) -> None:
    effects = Effects()
    feature = feature_over(event_service, effects)
    event = await event_service.catalogue.create(
        G, ORG, title="Devfest", city="Lahore", starts="2026-07-26 10:00", capacity=1
    )
    await event_service.seats.rsvp(G, event.id, 10)
    await event_service.seats.rsvp(G, event.id, 11)
    async with event_service.store.db.transaction():  # as bot/privacy.py deletes
        lines = await feature.delete_member_data(G, 10)
        assert effects.calls == []  # nothing reaches Discord before the commit
    assert lines == [
        "• events: 1 RSVP(s) with their answers, 1 ticket(s); 1 seat(s) passed on; "
        "0 check-in(s) and 0 rating(s) kept without your name"
    ]
    await feature.after_member_deleted(G)
    assert effects.calls == [("refresh_soon", event.id), ("kick",), ("kick",)]
    assert (await event_service.listings.status_of(event.id, 11)).status == "going"
    effects.calls.clear()
    await feature.after_member_deleted(G)  # applied once
    assert effects.calls == [("kick",)]
