"""The private thread of a match is made once across crashes: the intent is recorded
before Discord is asked, so the next start knows to look for the thread first; and a
failure to make it falls back to DMs with a notice for organizers. Also: migration 0011
moves check-in alerts still owed to a public channel to the organizers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot import organizer_notices
from bot.db import MIGRATIONS_DIR, Database
from bot.guilds import GuildSettings
from bot.mentorship import Match, MentorshipService, threads
from bot.taxonomy import Taxonomy

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 620
A, M1 = 1, 11
CHANNEL = 7100


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


async def a_match(ms: MentorshipService) -> Match:
    await ms.config.set_channel(G, CHANNEL)
    await ms.mentors.join(G, A, topics="NLP, MLOps", capacity=1)
    await ms.requests.ask(G, M1, topics="NLP, MLOps", goal="A private goal")
    (pid,) = (await ms.rounds.run(G)).proposal_ids
    await ms.proposals.answer(pid, A, True)
    match = (await ms.proposals.answer(pid, M1, True)).match
    assert match is not None
    return match


async def test_each_step_is_recorded_so_a_restart_resumes_where_it_stopped(
    ms: MentorshipService, db: Database
) -> None:
    match = await a_match(ms)
    assert [m.id for m in await ms.matches.missing_intro()] == [match.id]
    first = await ms.threads.begin(match.id)
    assert first == threads.ThreadPlan("create")
    assert await db.fetchval(
        "SELECT thread_requested_at FROM mentorship_matches WHERE id = ?", (match.id,)
    )
    # A crash now: Discord may or may not have made the thread. Look before making one.
    assert await ms.threads.begin(match.id) == threads.ThreadPlan("find")
    await ms.threads.record_thread(match.id, 555)
    assert await ms.threads.begin(match.id) == threads.ThreadPlan("have", 555)
    assert [m.id for m in await ms.matches.missing_intro()] == [match.id]  # intro not yet
    await ms.threads.record_intro(match.id)
    assert await ms.threads.begin(match.id) == threads.ThreadPlan("done")
    assert await ms.matches.missing_intro() == []
    assert (await ms.matches.get(match.id)).thread_id == 555
    # an ended match gets no thread
    other = await a_match_ended(ms)
    assert await ms.threads.begin(other) == threads.ThreadPlan("done")


async def a_match_ended(ms: MentorshipService) -> int:
    await ms.mentors.join(G, 2, topics="Computer Vision", capacity=1)
    await ms.requests.ask(G, 12, topics="Computer Vision")
    (pid,) = (await ms.rounds.run(G)).proposal_ids
    await ms.proposals.answer(pid, 2, True)
    match = (await ms.proposals.answer(pid, 12, True)).match
    assert match is not None
    await ms.matches.end(G, match.id, 12)
    return match.id


def test_thread_names_are_found_again_by_match_id() -> None:
    match = Match(
        12, G, None, None, A, M1, ("NLP",) * 40, "active", 0, None, None, None, None, None, 0, None
    )
    name = threads.thread_name(match)
    assert name.startswith("Mentorship #12: NLP") and len(name) == 100 and name.endswith("…")
    assert threads.is_thread_of(name, 12)
    assert not threads.is_thread_of(name, 1) and not threads.is_thread_of("Mentorship #123: x", 12)


async def test_no_thread_means_the_intro_by_dm_and_organizers_learn_why(
    ms: MentorshipService, db: Database
) -> None:
    match = await a_match(ms)
    await ms.threads.begin(match.id)
    assert await ms.threads.intro_by_dm(match.id, "I couldn't make the thread: Forbidden.")
    assert not await ms.threads.intro_by_dm(match.id, "I couldn't make the thread: Forbidden.")
    intros = await db.fetchall(
        "SELECT user_id FROM outbox WHERE kind = 'mentorship.matched' ORDER BY id"
    )
    assert [r["user_id"] for r in intros] == [A, M1]
    assert await organizer_notices.waiting(db, G) == 1  # once, however often it is retried
    assert await ms.threads.begin(match.id) == threads.ThreadPlan("done")
    # no channel at all: DMs, and nothing for organizers (nothing went wrong)
    assert await ms.threads.intro_by_dm(match.id) is False


async def test_migration_moves_checkin_alerts_owed_to_a_public_channel(tmp_path: Path) -> None:
    older = tmp_path / "older"
    older.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) < 11:
            shutil.copy(path, older / path.name)
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        await db.migrate(older)
        for guild, organizers in ((1, None), (2, 4242)):
            await db.execute(
                "INSERT INTO guilds(guild_id, announcements_channel_id, organizer_channel_id)"
                " VALUES (?, 99, ?)",
                (guild, organizers),
            )
            await db.execute(
                "INSERT INTO outbox(guild_id, kind, channel_id, payload, dedupe_key)"
                " VALUES (?, 'mentorship.checkin_alert', 99, ?, ?)",
                (guild, json.dumps({"match_id": 7, "answer": "not_met"}), f"m:{guild}"),
            )
        await db.migrate()
        left = await db.fetchall(
            "SELECT guild_id, kind, channel_id, payload FROM outbox WHERE status = 'pending'"
        )
        assert [(r["guild_id"], r["kind"], r["channel_id"]) for r in left] == [
            (2, organizer_notices.KIND, 4242)
        ]
        assert "mentorship #7 says they haven't met yet" in json.loads(left[0]["payload"])["text"]
        waiting = await db.fetchall("SELECT guild_id, text FROM organizer_notices")
        assert [r["guild_id"] for r in waiting] == [1]
        assert "mentorship #7 says they haven't met yet" in waiting[0]["text"]
        assert (
            await db.fetchval(
                "SELECT COUNT(*) FROM outbox WHERE channel_id = 99 AND status = 'pending'"
            )
            == 0
        )
    finally:
        await db.close()
