"""E2E fixtures: one fake Discord and one real bot process per test module.

Tests in a module share them (and their database), so each test uses its own
names/events and asserts only on what it caused. `dump_db` lets a test prove a
refused command changed nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.testing import BotProcess, ChannelType, FakeDiscord, Overwrite, P, World

pytestmark = pytest.mark.e2e


def dump_db(path: Path) -> list[str]:
    """Every row of every table, as text (WAL is read through a normal connection)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def organizers_only(world: World) -> list[Overwrite]:
    """Overwrites of a channel only the Organizer and Admin roles and the bot can see (in
    the default world): where notices to organizers go."""
    can = P.VIEW_CHANNEL | P.SEND_MESSAGES
    return [
        Overwrite(world.guild_id, 0, deny=P.VIEW_CHANNEL),
        *(Overwrite(role, 0, allow=can) for role in (1102, 1103, 1104)),
    ]


def add_organizers_channel(world: World, name: str = "organizers", id: int = 1290) -> int:
    world.add_channel(name, guild=world.guild_id, id=id, overwrites=organizers_only(world))
    return id


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(World.default()) as fd:
        yield fd


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bot") / "bot.sqlite3"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, db_path: Path) -> AsyncIterator[BotProcess]:
    proc = BotProcess(fake, db_path, extra_env={"LOG_LEVEL": "INFO"})
    await proc.start()
    yield proc
    await proc.stop()
    # Every module's public messages are scanned for the personal data its tests stored.
    assert_no_personal_data_in_public(fake, db_path)


def personal_data(path: Path) -> set[str]:
    """What members told the bot in confidence: ticket codes, registration answers,
    mentee goals, feedback comments (values short enough to be ambiguous are skipped)."""
    conn = sqlite3.connect(path)
    found: set[str] = set()
    try:
        queries = [
            "SELECT code FROM event_tickets",
            "SELECT goal FROM mentee_requests WHERE goal IS NOT NULL",
            "SELECT comment FROM event_feedback WHERE comment IS NOT NULL",
            "SELECT comment FROM mentorship_feedback WHERE comment IS NOT NULL",
        ]
        for sql in queries:
            found.update(row[0] for row in conn.execute(sql))
        for (answers,) in conn.execute("SELECT answers FROM rsvps WHERE answers IS NOT NULL"):
            found.update(answer for _, answer in json.loads(answers))
    finally:
        conn.close()
    return {value for value in found if len(value.strip()) >= 4}


def assert_no_personal_data_in_public(fake: FakeDiscord, path: Path) -> None:
    secrets = personal_data(path)
    channels = fake.world.channels
    public = [
        m
        for m in fake.world.messages.values()
        if m.guild_id is not None
        and not m.ephemeral
        and not m.deleted
        # a private thread holds only the matched pair (and organizers): not public
        and getattr(channels.get(m.channel_id), "type", 0) != ChannelType.PRIVATE_THREAD
    ]
    leaks = [(s, m.text[:200]) for m in public for s in secrets if s in m.text]
    assert not leaks, f"personal data in public messages: {leaks[:5]}"
