"""E2E fixtures: one fake Discord and one real bot process per test module and store.

Each module runs once per store in `STORES` (tests/conftest.py; `sqlite,postgresql` by
default): the module-scoped `store` is an SQLite file or a fresh migrated PostgreSQL
database, and `fake` and `bot` are made anew for each, so every module's bot starts once
per store on a world of its own. Tests in a module share them (and their database), so
each test uses its own names/events and asserts only on what it caused. The `store`
handle (bot/testing/store.py) reads and changes the bot's store from outside with the
SQL the features write; `store.dump()` lets a test prove a refused command changed
nothing. A module that overrides `fake` takes `store` too, so it is made per store.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import pytest_asyncio

from bot.testing import BotProcess, ChannelType, FakeDiscord, Overwrite, P, World
from bot.testing.store import StoreHandle
from tests.conftest import STORES

pytestmark = pytest.mark.e2e


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With `-n N` (pytest-xdist, its default `--dist load`), each module's tests go to one
    worker, in order: they tell one story on one bot and store, which a module split over
    two workers (each with a bot of its own) would not. Read when tests/e2e is named on the
    command line; other `--dist` modes are left as they are."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    return LoadScopeScheduling(config, log)


@contextmanager
def open_store(kind: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[StoreHandle]:
    """A new store of `kind`: an SQLite file in `folder` (made by the bot when it starts),
    or a migrated PostgreSQL database of the session's server, dropped afterwards."""
    if kind == "sqlite":
        handle = StoreHandle.sqlite(folder / "bot.sqlite3")
        try:
            yield handle
        finally:
            handle.close()
        return
    server = request.getfixturevalue("postgres")
    url = server.new_database()
    handle = StoreHandle.postgresql(url, folder)
    try:
        yield handle
    finally:
        handle.close()
        server.drop(url)


@pytest.fixture(scope="module", params=STORES)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreHandle]:
    """The store this module's bot runs on (one module run per store)."""
    with open_store(request.param, request, tmp_path_factory.mktemp("bot")) as handle:
        yield handle


@pytest.fixture
def fresh_store(
    store: StoreHandle, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[StoreHandle]:
    """Another, empty store of the module's kind: for a test's own bot process."""
    with open_store(store.kind, request, tmp_path) as handle:
        yield handle


@pytest.fixture(scope="module")
def db_path(store: StoreHandle) -> Path:
    """The SQLite file the module's bot runs on, for tests of the file itself (a backup):
    they are skipped on PostgreSQL."""
    if store.kind != "sqlite":
        pytest.skip("a test of the SQLite file")
    return store.path


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
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(World.default()) as fd:
        yield fd


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, store: StoreHandle) -> AsyncIterator[BotProcess]:
    # "ready as": on_ready has written what start-up writes (the servers' names), so a
    # test's snapshot of the store isn't taken in the middle of it
    proc = BotProcess(
        fake, store.path, extra_env={**store.env(), "LOG_LEVEL": "INFO"}, ready_line="ready as "
    )
    await proc.start()
    yield proc
    await proc.stop()
    # Every module's public messages are scanned for the personal data its tests stored.
    assert_no_personal_data_in_public(fake, store)


def personal_data(store: StoreHandle) -> set[str]:
    """What members told the bot in confidence: ticket codes, registration answers,
    mentee goals, feedback comments, and events' online links, which only members going
    may see (values short enough to be ambiguous are skipped)."""
    found: set[str] = set()
    queries = [
        "SELECT code FROM event_tickets",
        "SELECT goal FROM mentee_requests WHERE goal IS NOT NULL",
        "SELECT comment FROM event_feedback WHERE comment IS NOT NULL",
        "SELECT comment FROM mentorship_feedback WHERE comment IS NOT NULL",
        "SELECT online_url FROM events WHERE online_url IS NOT NULL",
    ]
    for sql in queries:
        found.update(row[0] for row in store.fetchall(sql))
    for (answers,) in store.fetchall("SELECT answers FROM rsvps WHERE answers IS NOT NULL"):
        pairs = json.loads(answers) if isinstance(answers, str) else answers
        found.update(answer for _, answer in pairs)
    return {value for value in found if len(value.strip()) >= 4}


def assert_no_personal_data_in_public(fake: FakeDiscord, store: StoreHandle) -> None:
    secrets = personal_data(store)
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
