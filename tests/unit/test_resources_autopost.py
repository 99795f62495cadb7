"""Autoposts: schedules per channel, the rotation, idempotent ticks, restarts, failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot import organizer_notices, outbox
from bot.db import Database
from bot.errors import InvalidInput, NotFound
from bot.guilds import GuildSettings
from bot.resources.autopost import AutopostService
from bot.resources.service import ResourceService

G = 700
CH = 7001
CH2 = 7002
ANNOUNCE = 7999
ORG_CHANNEL = 7998
ORG = 11
# 2026-07-01 00:00 UTC = 05:00 in Karachi (the default zone).
T0 = int(datetime(2026, 7, 1, tzinfo=UTC).timestamp())


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now

    def set(self, epoch: float) -> None:
        self.now = float(epoch)


@pytest.fixture
def rclock() -> Clock:
    return Clock()


@pytest.fixture
def lib(db: Database, rclock: Clock) -> ResourceService:
    return ResourceService(db, clock=rclock)


@pytest.fixture
def ap(db: Database, guilds: GuildSettings, rclock: Clock) -> AutopostService:
    return AutopostService(db, guilds, clock=rclock)


async def fill(lib: ResourceService, n: int, topic: str = "Machine Learning") -> list[int]:
    return [
        (
            await lib.library.add(
                G, f"https://example.com/{topic[:3]}/{i}", f"{topic} {i}", topic, "beginner", ORG
            )
        ).id
        for i in range(n)
    ]


async def posts(db: Database, kind: str = "resource.autopost") -> list[dict]:
    rows = await db.fetchall(
        "SELECT id, channel_id, user_id, payload, dedupe_key, status FROM outbox WHERE kind = ?"
        " ORDER BY id",
        (kind,),
    )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]


async def test_set_schedule_replaces_per_channel(ap: AutopostService, lib: ResourceService) -> None:
    a = await ap.schedules.set(G, CH, "daily 10:00", created_by=ORG)
    assert a.schedule == "daily 10:00" and a.description == "every day at 10:00 (Asia/Karachi)"
    # 10:00 Karachi on 2026-07-01 is 05:00 UTC.
    assert a.next_due_at == T0 + 5 * 3600 and not a.paused
    b = await ap.schedules.set(G, CH, "weekly MON,thu 18:00", topic="nlp")
    assert b.id == a.id and b.schedule == "weekly mon,thu 18:00" and b.topic == "NLP"
    await ap.schedules.set(G, CH2, "0 9 * * 1-5")
    assert [x.channel_id for x in await ap.schedules.in_guild(G)] == [CH, CH2]
    assert await ap.schedules.in_guild(G + 1) == []


@pytest.mark.parametrize(
    ("schedule", "says"),
    [("every minute", "daily 10:00"), ("*/5 * * * *", "at most once an hour")],
)
async def test_bad_schedules_are_refused(ap: AutopostService, schedule: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        await ap.schedules.set(G, CH, schedule)
    assert await ap.schedules.in_guild(G) == []


async def test_unknown_topic_is_refused(ap: AutopostService) -> None:
    with pytest.raises(InvalidInput, match="not a topic"):
        await ap.schedules.set(G, CH, "daily 10:00", topic="Cooking")


async def test_rotation_never_repeats_until_all_posted(
    ap: AutopostService, lib: ResourceService, db: Database
) -> None:
    ids = await fill(lib, 5)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    seen = []
    for day in range(5):
        r = await ap.ticks.tick(a.id, T0 + day * 86400)
        assert r.outcome == "posted"
        seen.append(r.resource_id)
    assert sorted(seen) == sorted(ids)
    # A second round repeats them in the same order: least recently posted first.
    again = [(await ap.ticks.tick(a.id, T0 + (5 + d) * 86400)).resource_id for d in range(5)]
    assert again == seen
    # A resource added now has never been posted here: it goes next.
    new = (await lib.library.add(G, "https://example.com/new", "New", "NLP", "beginner", ORG)).id
    assert (await ap.ticks.tick(a.id, T0 + 11 * 86400)).resource_id == new
    sent = await posts(db)
    assert len(sent) == 11 and all(p["channel_id"] == CH for p in sent)
    p = sent[0]["payload"]
    assert set(p) == {
        "autopost_id",
        "resource_id",
        "title",
        "url",
        "description",
        "topic",
        "level",
        "tick_at",
    }
    assert sent[0]["dedupe_key"] == f"autopost:{a.id}:{T0}"


async def test_rotation_is_per_channel_and_topic_filtered(
    ap: AutopostService, lib: ResourceService
) -> None:
    ml = await fill(lib, 3, "Machine Learning")
    nlp = await fill(lib, 2, "NLP")
    a = await ap.schedules.set(G, CH, "daily 10:00", topic="NLP")
    b = await ap.schedules.set(G, CH2, "daily 10:00")
    got_a = [(await ap.ticks.tick(a.id, T0 + d * 86400)).resource_id for d in range(4)]
    assert set(got_a[:2]) == set(nlp) and got_a[2:] == got_a[:2]
    got_b = [(await ap.ticks.tick(b.id, T0 + d * 86400)).resource_id for d in range(5)]
    assert sorted(got_b) == sorted(ml + nlp)


async def test_replacing_a_schedule_keeps_the_channel_rotation(
    ap: AutopostService, lib: ResourceService
) -> None:
    ids = await fill(lib, 3)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    first = (await ap.ticks.tick(a.id, T0)).resource_id
    await ap.schedules.stop(G, CH)
    b = await ap.schedules.set(G, CH, "daily 11:00")
    rest = [(await ap.ticks.tick(b.id, T0 + d * 86400)).resource_id for d in (1, 2)]
    assert sorted([first, *rest]) == sorted(ids)


async def test_tick_is_idempotent(ap: AutopostService, lib: ResourceService, db: Database) -> None:
    await fill(lib, 3)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    first = await ap.ticks.tick(a.id, T0 + 5 * 3600)
    assert first.outcome == "posted"
    assert first.next_due_at == T0 + 29 * 3600
    for t in (T0 + 5 * 3600, T0 + 3600):  # the same tick, or an older one
        again = await ap.ticks.tick(a.id, t)
        assert again.outcome == "already_served"
    assert len(await posts(db)) == 1
    assert await db.fetchval("SELECT COUNT(*) FROM resource_autopost_log") == 1


async def test_run_due_serves_the_owed_tick_once(
    ap: AutopostService, lib: ResourceService, db: Database, rclock: Clock
) -> None:
    await fill(lib, 3)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    due = a.next_due_at
    assert due is not None
    assert await ap.ticks.run_due(a.id, now=due - 60) is None  # not yet
    r = await ap.ticks.run_due(a.id, now=due)
    assert r is not None and r.outcome == "posted" and r.tick_at == due
    assert await ap.ticks.run_due(a.id, now=due + 1) is None  # the job firing twice posts nothing
    assert len(await posts(db)) == 1


async def test_restart_catches_up_a_missed_tick_once(
    db: Database, guilds: GuildSettings, lib: ResourceService, rclock: Clock
) -> None:
    await fill(lib, 3)
    before = AutopostService(db, guilds, clock=rclock)
    a = await before.schedules.set(G, CH, "daily 10:00")
    # The bot is down for three days across three ticks.
    rclock.set(T0 + 3 * 86400 + 3600)
    after = AutopostService(db, guilds, clock=rclock)  # a fresh process
    [job] = await after.ticks.pending()
    assert job.autopost_id == a.id and job.overdue and job.next_due_at == a.next_due_at
    r = await after.ticks.run_due(a.id)
    assert r is not None and r.outcome == "posted" and r.tick_at == a.next_due_at
    # Coalesced: one post, and the next tick is the next one from now.
    assert r.next_due_at == T0 + 3 * 86400 + 5 * 3600
    assert await after.ticks.run_due(a.id) is None
    [job] = await after.ticks.pending()
    assert not job.overdue
    assert len(await posts(db)) == 1
    assert str(job.trigger.timezone) == "Asia/Karachi"


async def test_empty_library_posts_nothing(ap: AutopostService, db: Database) -> None:
    a = await ap.schedules.set(G, CH, "daily 10:00", topic="MLOps")
    r = await ap.ticks.tick(a.id, T0)
    assert r.outcome == "empty" and r.resource_id is None
    assert await posts(db) == []
    assert (await ap.ticks.tick(a.id, T0)).outcome == "already_served"


async def test_three_failed_posts_pause_and_tell_organizers(
    ap: AutopostService, lib: ResourceService, db: Database, guilds: GuildSettings
) -> None:
    await guilds.set_announcements_channel(G, ANNOUNCE)
    await fill(lib, 5)
    a = await ap.schedules.set(G, CH, "daily 10:00", created_by=ORG)
    for day in range(3):
        r = await ap.ticks.tick(a.id, T0 + day * 86400)
        assert r.outcome == "posted"
        [item] = [p for p in await posts(db) if p["status"] == "pending"]
        # What the deliverer does when Discord refuses (missing access, deleted channel).
        await outbox.mark_failed(db, item["id"], "forbidden (50001)")
    r = await ap.ticks.tick(a.id, T0 + 3 * 86400)
    assert r.outcome == "paused"
    state = await ap.schedules.get(a.id)
    assert state is not None and state.paused and state.failures == 3
    assert state.last_error == "forbidden (50001)"
    # The organizers are told in their own channel, never in the announcements channel
    # or the channel that failed: the notice waits until that channel is set.
    assert await posts(db, "resource.autopost_paused") == []
    [waiting] = await db.fetchall("SELECT text FROM organizer_notices WHERE guild_id = ?", (G,))
    assert f"autopost in <#{CH}>" in waiting["text"] and "3 failed posts" in waiting["text"]
    assert "forbidden (50001)" in waiting["text"]
    assert await organizer_notices.set_channel(db, G, ORG_CHANNEL) == 1
    [notice] = await posts(db, organizer_notices.KIND)
    assert notice["channel_id"] == ORG_CHANNEL and notice["user_id"] is None
    assert len(await posts(db)) == 3  # nothing posted while paused
    assert (await ap.ticks.tick(a.id, T0 + 4 * 86400)).outcome == "paused"
    assert await ap.ticks.pending() == []  # a paused schedule gets no job at start-up

    resumed = await ap.schedules.resume(G, CH)
    assert not resumed.paused and resumed.failures == 0
    assert (await ap.ticks.tick(a.id, T0 + 5 * 86400)).outcome == "posted"


async def test_a_success_resets_the_failure_count(
    ap: AutopostService, lib: ResourceService, db: Database
) -> None:
    await fill(lib, 5)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    outcomes = ["failed", "failed", "sent", "failed", "failed"]
    for day, status in enumerate(outcomes):
        await ap.ticks.tick(a.id, T0 + day * 86400)
        [item] = [p for p in await posts(db) if p["status"] == "pending"]
        if status == "failed":
            await outbox.mark_failed(db, item["id"], "not found (10003)")
        else:
            await outbox.mark_sent(db, item["id"])
    assert await ap.deliveries.reconcile() == []
    state = await ap.schedules.get(a.id)
    assert state is not None and state.failures == 2 and not state.paused


async def test_reconcile_pauses_without_waiting_for_a_tick(
    ap: AutopostService, lib: ResourceService, db: Database
) -> None:
    await fill(lib, 5)
    a = await ap.schedules.set(G, CH, "daily 10:00", created_by=ORG)
    for day in range(3):
        await ap.ticks.tick(a.id, T0 + day * 86400)
    for item in await posts(db):
        await outbox.mark_failed(db, item["id"], "forbidden (50013)")
    await organizer_notices.set_channel(db, G, ORG_CHANNEL)
    assert await ap.deliveries.reconcile(G) == [a.id]
    # The organizer channel is set: the notice goes there at once (not to a DM).
    [notice] = await posts(db, organizer_notices.KIND)
    assert notice["channel_id"] == ORG_CHANNEL and notice["user_id"] is None
    assert "paused after 3 failed posts" in notice["payload"]["text"]


async def test_record_failure_directly(ap: AutopostService, lib: ResourceService) -> None:
    await fill(lib, 1)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    assert await ap.deliveries.record_failure(a.id, "channel deleted") is False
    await ap.deliveries.record_success(a.id)
    for _ in range(2):
        assert await ap.deliveries.record_failure(a.id, "channel deleted") is False
    assert await ap.deliveries.record_failure(a.id, "channel deleted") is True
    assert (await ap.schedules.get(a.id)).paused  # type: ignore[union-attr]


async def test_stop_drops_pending_posts(
    ap: AutopostService, lib: ResourceService, db: Database
) -> None:
    await fill(lib, 2)
    a = await ap.schedules.set(G, CH, "daily 10:00")
    await ap.ticks.tick(a.id, T0)
    stopped = await ap.schedules.stop(G, CH)
    assert stopped.id == a.id
    assert [p["status"] for p in await posts(db)] == ["dropped"]
    assert (await ap.ticks.tick(a.id, T0 + 86400)).outcome == "missing"
    with pytest.raises(NotFound, match=f"<#{CH}>"):
        await ap.schedules.stop(G, CH)


async def test_time_zone_change_moves_upcoming_ticks(
    ap: AutopostService, guilds: GuildSettings
) -> None:
    a = await ap.schedules.set(G, CH, "daily 10:00")
    assert a.next_due_at == T0 + 5 * 3600
    await guilds.set_timezone(G, "UTC")
    [job] = await ap.ticks.refresh_guild(G)
    assert job.next_due_at == T0 + 10 * 3600
    assert (await ap.schedules.get(a.id)).description == "every day at 10:00 (UTC)"  # type: ignore[union-attr]
