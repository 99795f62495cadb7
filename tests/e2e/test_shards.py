"""Two bot processes on one PostgreSQL: shard 0 of 2 in one, shard 1 in the other.

GDG Islamabad (id 1000) is on shard 0, GDG Lahore on shard 1. Each server works through
its own process; a mentorship proposal in Lahore is accepted from a DM, which Discord
sends to shard 0, and Lahore's process introduces the pair; RSVPs reaching one event from
two processes at once never overbook; the Lahore process killed during a reminder batch,
restarted, finishes it with nothing lost and at most the DM in flight repeated, and the
other process never sends Lahore's messages meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.db import Database
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.testing import BotProcess, FakeDiscord, FakeMessage, World
from bot.testing.store import StoreHandle
from tests.conftest import STORES

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

LAHORE = "GDG Lahore"
DMS = r"^/channels/\d+/messages$"


def karachi(delta: timedelta, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return (datetime.now(ZoneInfo("Asia/Karachi")) + delta).strftime(fmt)


def two_shard_world() -> tuple[World, int, list[int]]:
    """The default world (GDG Islamabad, shard 0) and GDG Lahore on shard 1 of 2, with its
    owner, a mentor, a mentee, 120 members and the bot. Returns Lahore's id and members."""
    w = World.default()
    g = w.add_guild(LAHORE, owner="owner", shard=(1, 2))
    bot_role = w.guild().roles[1104].permissions
    w.add_role("Lahore Bot", guild=g.id, permissions=bot_role, position=1)
    w.add_channel("lhr-announcements", guild=g.id)
    w.add_member("owner", guild=g.id)
    for name in ("lahore_mentor", "lahore_mentee"):
        w.add_user(name)
        w.add_member(name, guild=g.id)
    members = w.add_members(120, guild=g.id, prefix="lhr")
    w.add_member(w.application.bot_user_id, guild=g.id, roles=["Lahore Bot"])
    return w, g.id, members


class Cluster:
    def __init__(self, fake: FakeDiscord, store: StoreHandle, lahore: int, members: list[int]):
        self.fake, self.store, self.lahore, self.members = fake, store, lahore, members
        self.procs: dict[int, BotProcess] = {}

    def process(self, shard: int, **kwargs: Any) -> BotProcess:
        env: dict[str, str | None] = {
            **self.store.env(),
            "SHARD_COUNT": "2",
            "SHARD_IDS": str(shard),
            "DEV_GUILD_ID": None,  # commands synced globally, once, by shard 0's process
            "LOG_LEVEL": "INFO",
        }
        return BotProcess(self.fake, self.store.path, extra_env=env, **kwargs)


@pytest.fixture(scope="module")
def pg_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreHandle]:
    """Sharing shards needs PostgreSQL (bot/shards.py): skipped when STORES leaves it out."""
    if "postgresql" not in STORES:
        pytest.skip("STORES leaves PostgreSQL out")
    postgres = request.getfixturevalue("postgres")
    url = postgres.new_database()
    handle = StoreHandle.postgresql(url, tmp_path_factory.mktemp("shards"))
    try:
        yield handle
    finally:
        handle.close()
        postgres.drop(url)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def cluster(pg_store: StoreHandle) -> AsyncIterator[Cluster]:
    world, lahore, members = two_shard_world()
    async with FakeDiscord(world, shard_count=2) as fake:
        c = Cluster(fake, pg_store, lahore, members)
        c.procs = {0: c.process(0), 1: c.process(1)}
        await asyncio.gather(c.procs[0].start(timeout=90), c.procs[1].start(timeout=90))
        yield c
        await asyncio.gather(*(p.stop() for p in c.procs.values()))


async def create_event(
    fake: FakeDiscord, user: str, title: str, *, guild: int | None = None, **options: object
) -> tuple[int, FakeMessage]:
    channel = options["channel"]
    result = await fake.slash(
        user, "event create", guild=guild, channel=channel, options={"title": title, **options}
    )
    await result.wait_final()
    assert "Created" in result.text, result.text
    event_id = int(result.text.split("(event #")[1].split(")")[0])
    post = await fake.wait_for_message(
        str(channel), lambda m: bool(m.embeds) and m.embeds[0]["title"] == title, timeout=15
    )
    return event_id, post


async def test_each_server_works_through_its_own_process(cluster: Cluster) -> None:
    fake = cluster.fake
    starts = karachi(timedelta(days=3))
    _, isb = await create_event(
        fake, "admin", "Islamabad Shard Night", city="Islamabad", starts=starts, channel="general"
    )
    _, lhr = await create_event(
        fake,
        "owner",
        "Lahore Shard Night",
        guild=cluster.lahore,
        city="Lahore",
        starts=starts,
        channel="lhr-announcements",
    )
    here = await fake.click("alice", isb, label="Going")
    there = await fake.click(cluster.members[0], lhr, label="Going")
    assert "You're in" in here.text and "You're in" in there.text
    assert (here.shard, there.shard) == (0, 1)  # each reached its own process
    # Each ticket DM went out from the process owning the server.
    await fake.wait_for_dm("alice", lambda m: "Islamabad Shard Night" in m.content, timeout=15)
    await fake.wait_for_dm(
        cluster.members[0], lambda m: "Lahore Shard Night" in m.content, timeout=15
    )
    assert "commands are synced by the process running shard 0" in cluster.procs[1].output()
    assert cluster.procs[0].returncode is None and cluster.procs[1].returncode is None


async def test_a_lahore_proposal_accepted_from_a_dm(cluster: Cluster) -> None:
    fake, lahore = cluster.fake, cluster.lahore
    joined = await fake.slash(
        "lahore_mentor", "mentor join", guild=lahore, topics="NLP", capacity=1
    )
    assert "mentor" in joined.text.lower(), joined.text
    await fake.slash(
        "lahore_mentee", "mentee request", guild=lahore, topics="NLP", goal="Learn transformers"
    )
    summary = await fake.slash("owner", "mentorship match", guild=lahore)
    await summary.wait_final()

    def proposal(user: str) -> Any:
        return fake.wait_for_dm(
            user, lambda m: any(b.get("label") == "Accept" for b in m.buttons), timeout=15
        )

    accepted = await fake.click("lahore_mentor", await proposal("lahore_mentor"), label="Accept")
    assert accepted.shard == 0  # a DM: shard 0's process, which does not hold Lahore
    assert "Accepted" in accepted.text, accepted.text
    matched = await fake.click("lahore_mentee", await proposal("lahore_mentee"), label="Accept")
    assert matched.shard == 0 and "matched" in matched.text, matched.text
    # The introduction is made by Lahore's process, told through PostgreSQL.
    for user in ("lahore_mentor", "lahore_mentee"):
        await fake.wait_for_dm(user, lambda m: "Welcome" in m.content, timeout=20)
    status = cluster.store.fetchall(
        "SELECT status, intro_sent_at IS NOT NULL FROM mentorship_matches WHERE guild_id = ?",
        (lahore,),
    )
    assert status == [("active", True)]


async def test_rsvps_from_two_processes_never_overbook(cluster: Cluster) -> None:
    """Members click Going (Lahore's process) while another process books seats for other
    members of the same event through the events service: 20 seats, 100 asking."""
    fake, lahore = cluster.fake, cluster.lahore
    event_id, post = await create_event(
        fake,
        "owner",
        "Two Doors",
        guild=lahore,
        city="Lahore",
        starts=karachi(timedelta(days=4)),
        channel="lhr-announcements",
        capacity=20,
    )
    clickers, direct = cluster.members[10:60], cluster.members[60:110]
    assert cluster.store.url is not None
    db = await Database.connect(cluster.store.url)
    try:
        service = EventService(db, GuildSettings(db))
        results = await asyncio.gather(
            *(fake.click(u, post, label="Going") for u in clickers),
            *(service.seats.rsvp(lahore, event_id, u) for u in direct),
        )
    finally:
        await db.close()
    answered = results[: len(clickers)]
    assert all("You're in" in r.text or "waitlist" in r.text for r in answered), [
        r.text for r in answered
    ]
    rows = cluster.store.fetchall(
        "SELECT status, COUNT(*) FROM rsvps WHERE event_id = ? GROUP BY status ORDER BY status",
        (event_id,),
    )
    assert dict(rows) == {"going": 20, "waitlist": 80}
    # Seats went in the order the RSVPs were decided: no later one took a seat.
    last_seated = cluster.store.fetchval(
        "SELECT MAX(seq) FROM rsvps WHERE event_id = ? AND status = 'going'", (event_id,)
    )
    first_waiting = cluster.store.fetchval(
        "SELECT MIN(seq) FROM rsvps WHERE event_id = ? AND status = 'waitlist'", (event_id,)
    )
    assert last_seated < first_waiting


async def test_a_killed_process_finishes_its_reminder_batch(cluster: Cluster) -> None:
    fake, lahore, store = cluster.fake, cluster.lahore, cluster.store
    members = cluster.members[:100]
    await fake.slash("owner", "settings reminders", guild=lahore, offsets="1h")
    starts = karachi(timedelta(hours=1, seconds=8), "%Y-%m-%d %H:%M:%S")
    _, post = await create_event(
        fake, "owner", "Kill One Shard", guild=lahore, city="Lahore", starts=starts,
        channel="lhr-announcements",
    )  # fmt: skip
    await asyncio.gather(*(fake.click(u, post, label="Going") for u in members))
    await asyncio.sleep(1)
    # Slow Discord down a little so the kill lands while the batch is being sent.
    fake.faults.add(method="POST", path=DMS, status=None, delay=0.05, times=None)

    def reminders(user: int) -> list[FakeMessage]:
        return [m for m in fake.dms_to(user) if "Reminder: **Kill One Shard**" in m.content]

    await fake.wait_until(
        lambda: sum(1 for u in members if reminders(u)) >= 5, timeout=30, what="reminders"
    )
    cluster.procs[1].kill()
    await cluster.procs[1].wait(timeout=10)
    got = sum(1 for u in members if reminders(u))
    assert got < len(members), "the batch was over before the kill"
    # Shard 0's process does not send Lahore's messages, however long they wait.
    await asyncio.sleep(4)
    assert sum(1 for u in members if reminders(u)) == got

    cluster.procs[1] = cluster.process(1)
    await cluster.procs[1].start(timeout=60)
    await fake.wait_until(
        lambda: all(reminders(u) for u in members), timeout=90, what="every reminder"
    )
    await asyncio.sleep(1)
    fake.faults.clear()
    per_member = Counter({u: len(reminders(u)) for u in members})
    assert sum(n - 1 for n in per_member.values()) <= 1  # at most the one in flight
    assert store.fetchall(
        "SELECT r.status FROM event_reminders r JOIN events e ON e.id = r.event_id"
        " WHERE e.title = ?",
        ("Kill One Shard",),
    ) == [("sent",)]


async def test_too_many_servers_on_one_connection_is_a_clear_error(tmp_path: Path) -> None:
    """Discord closes a connection holding more servers than it allows with 4011: the bot
    stops with one sentence saying what to do, not a traceback."""
    world, _, _ = two_shard_world()
    async with FakeDiscord(world, max_guilds_per_shard=1) as fake:
        env = {**StoreHandle.sqlite(tmp_path / "bot.sqlite3").env(), "SHARD_COUNT": "1"}
        proc = BotProcess(fake, tmp_path / "bot.sqlite3", extra_env=env, ready=lambda _: True)
        await proc.start(timeout=60)
        assert await proc.wait(timeout=30) == 2
    assert "Discord requires sharding (close code 4011)" in proc.output()
    assert "Traceback" not in proc.output()
