"""The thread under each announcement: the setting, the intent kept until the thread is
recorded (so a restart opens a missing one), and the archive a day after the end, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.events import EventService
from bot.events.threads import ARCHIVE_AFTER

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 1000


async def _event(svc: EventService, title: str = "Study Jam", starts: str = "2026-07-10 10:00"):
    return await svc.catalogue.create(
        G, 1, title=title, city="Lahore", starts=starts, channel_id=55
    )  # the announcement is owed from the start (its intent is marked)


async def test_threads_are_on_by_default_and_can_be_turned_off(event_service) -> None:
    threads = event_service.threads
    assert await threads.enabled(G)
    await threads.set_enabled(G, False)
    assert not await threads.enabled(G)
    assert await threads.enabled(G + 1)  # another guild keeps the default
    await threads.set_enabled(G, True)
    assert await threads.enabled(G)


async def test_a_posted_announcement_waits_for_its_thread_until_recorded(
    event_service, clock: FakeClock
) -> None:
    svc = event_service
    event = await _event(svc)
    started = int(clock()) + 1  # a restart after the crash
    await svc.posting.announcement_posted(event.id, 55, 900, thread_next=True)
    (pending,) = await svc.threads.to_open(started)
    assert (pending.event_id, pending.channel_id, pending.message_id) == (event.id, 55, 900)
    assert await svc.posting.pending_announcements(started) == []  # the post itself is known
    await svc.threads.opened(event.id, 900)
    assert await svc.threads.to_open(started) == []
    assert await svc.threads.thread_of(event.id) == 900


async def test_no_thread_wanted_or_refused_leaves_nothing_to_open(
    event_service, clock: FakeClock
) -> None:
    svc = event_service
    quiet, refused = await _event(svc, "Quiet"), await _event(svc, "Refused")
    await svc.posting.announcement_posted(quiet.id, 55, 901)  # setting off: no thread next
    await svc.posting.announcement_posted(refused.id, 55, 902, thread_next=True)
    await svc.threads.not_opened(refused.id)  # e.g. no Create Public Threads
    assert await svc.threads.to_open(int(clock()) + 1) == []
    assert await svc.threads.archives() == []  # no thread: nothing to archive


async def test_archive_is_due_a_day_after_the_end_and_done_once(
    event_service, clock: FakeClock
) -> None:
    svc = event_service
    event = await _event(svc)
    await svc.posting.announcement_posted(event.id, 55, 903, thread_next=True)
    await svc.threads.opened(event.id, 903)
    (job,) = await svc.threads.archives(event_id=event.id)
    assert job.due_at == event.ends_at + ARCHIVE_AFTER
    clock.now = event.ends_at + ARCHIVE_AFTER - 3600
    early = await svc.threads.check(event.id)
    assert early.outcome == "not_due" and early.due_at == job.due_at
    clock.now = job.due_at
    due = await svc.threads.check(event.id)
    assert (due.outcome, due.thread_id, due.cancelled) == ("due", 903, False)
    assert await svc.threads.archived(event.id)
    assert not await svc.threads.archived(event.id)  # recorded once
    assert (await svc.threads.check(event.id)).outcome == "done"
    assert await svc.threads.archives() == []


async def test_a_cancelled_events_thread_is_due_at_once(event_service, clock: FakeClock) -> None:
    svc = event_service
    event = await _event(svc, "Called Off")
    await svc.posting.announcement_posted(event.id, 55, 904, thread_next=True)
    await svc.threads.opened(event.id, 904)
    clock.advance(60)
    await svc.catalogue.cancel(G, event.id, "Venue flooded")
    (job,) = await svc.threads.archives()
    assert job.due_at == int(clock())
    check = await svc.threads.check(event.id)
    assert (check.outcome, check.cancelled) == ("due", True)
