"""The playground: the fake Discord with the demo server, the page, and the real bot.

One process holds the fake Discord (gateway, REST and the page, all on 127.0.0.1) and
starts the unmodified bot (`python -m bot`) as a child against it. What persists in the
data folder: the bot's database (`playground.sqlite3`), the fake's world (every message,
channel and member: `playground-world.pickle`) and the clock (`playground-clock.json`),
so a second `run` continues where the first stopped; `--fresh` starts over.

Time travel restarts the bot with its wall clock further ahead (clock/sitecustomize.py):
the bot rebuilds its jobs from the database at start-up, so reminders, feedback
requests, autoposts and proposal expiries that fell due in the jump happen at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import pickle
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.testing import BotProcess, FakeDiscord, World
from bot.testing.playground import seed as seeding
from bot.testing.playground.world import demo_world

log = logging.getLogger(__name__)
CLOCK_DIR = Path(__file__).resolve().parent / "clock"
PROJECT_ROOT = Path(__file__).resolve().parents[3]
SAVE_EVERY = 5.0  # seconds between saves of a changed world
# The after-event feedback DMs go out an hour after the end (bot/events/models.py).
AFTER_EVENT = 3600 + 120
BEFORE_EVENT = 10 * 60


@dataclass
class Clock:
    """The bot's clock: real time plus `offset`. `since` keeps when each offset began, so
    messages keep the (virtual) time they were sent at after a later jump."""

    offset: float = 0.0
    segments: list[tuple[float, float]] = field(default_factory=list)  # (real start, offset)

    def now(self) -> float:
        return time.time() + self.offset

    def virtual(self, real: float) -> float:
        offset = 0.0
        for start, value in self.segments:
            if real >= start:
                offset = value
        return real + offset

    def jump(self, seconds: float) -> None:
        self.offset += max(0.0, seconds)
        self.segments.append((time.time(), self.offset))

    @classmethod
    def load(cls, path: Path) -> Clock:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        segments = [(float(start), float(value)) for start, value in data["segments"]]
        return cls(float(data["offset"]), segments)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"offset": self.offset, "segments": self.segments}))


class Playground:
    def __init__(self, data_dir: Path, *, port: int = 0, fresh: bool = False) -> None:
        self.data_dir = data_dir
        self.db_path = data_dir / "playground.sqlite3"
        self.world_path = data_dir / "playground-world.pickle"
        self.clock_path = data_dir / "playground-clock.json"
        self.log_path = data_dir / "playground-bot.log"
        self.fresh = fresh
        self.port = port
        self.clock = Clock()
        self.status = "starting"  # starting | seeding | ready | travelling | stopped
        self.fake: FakeDiscord | None = None
        self.bot: BotProcess | None = None
        self._dirty = False
        self._saver: asyncio.Task[None] | None = None
        self._travel_lock = asyncio.Lock()
        self.on_status: list[asyncio.Queue[str]] = []

    # --- life cycle ----------------------------------------------------------------------
    async def start(self) -> str:
        """Start the fake, the page and the bot (seeding a fresh world); returns the URL."""
        from bot.testing.playground.api import Page

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.fresh:
            for path in (self.db_path, self.world_path, self.clock_path, self.log_path):
                path.unlink(missing_ok=True)
            for side in ("-wal", "-shm"):
                self.db_path.with_name(self.db_path.name + side).unlink(missing_ok=True)
        world = self._load_world()
        new = world is None
        if new:  # a world without its database (or the reverse) would not match
            self.db_path.unlink(missing_ok=True)
            self.clock_path.unlink(missing_ok=True)
            world = demo_world()
        self.clock = Clock.load(self.clock_path)
        fake = FakeDiscord(world, port=self.port, interaction_deadline=3.0)
        Page(self, fake).install()
        fake.listeners.append(self._mark_dirty)
        await fake.start()
        self.fake = fake
        self.bot = BotProcess(
            fake,
            self.db_path,
            extra_env=self._bot_env(),
            output_path=self.log_path,
            keep_lines=2000,
        )
        await self.bot.start(timeout=60)
        if new:
            self._set_status("seeding")
            await seeding.seed(fake, self.clock.now())
        self._set_status("ready")
        self._save()
        self._saver = asyncio.create_task(self._save_periodically())
        return fake.base_url

    async def stop(self) -> None:
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
        if self.bot is not None:
            await self.bot.stop()
        self._save()
        if self.fake is not None:
            await self.fake.stop()
        self._set_status("stopped")

    def _bot_env(self) -> dict[str, str | None]:
        return {
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": f"{CLOCK_DIR}:{PROJECT_ROOT}",
            "PLAYGROUND_TIME_OFFSET": str(self.clock.offset),
            "FEEDS_ALLOW_PRIVATE_NETWORKS": "false",
        }

    # --- time travel -----------------------------------------------------------------------
    async def travel(self, to: str) -> float:
        """Jump ahead: '1h', '1d', 'before-next' (10 minutes before the next event starts),
        'after-next' (just after its feedback requests). Returns the new virtual now."""
        async with self._travel_lock:
            seconds = self._jump_for(to)
            assert self.bot is not None
            self._set_status("travelling")
            try:
                await self.bot.stop()
                self.clock.jump(seconds)
                self.clock.save(self.clock_path)
                self.bot.extra_env.update(self._bot_env())
                await self.bot.start(timeout=60)
            finally:
                self._set_status("ready")
            return self.clock.now()

    def _jump_for(self, to: str) -> float:
        if to == "1h":
            return 3600
        if to == "1d":
            return 86400
        if to in ("before-next", "after-next"):
            event = self.next_event()
            if event is None:
                raise ValueError("There is no upcoming event to jump to.")
            starts_at, ends_at = event
            target = starts_at - BEFORE_EVENT if to == "before-next" else ends_at + AFTER_EVENT
            return max(0.0, target - self.clock.now())
        raise ValueError(f"Unknown jump {to!r}.")

    def next_event(self) -> tuple[int, int] | None:
        """(starts_at, ends_at) of the next event not yet over (read from the bot's store).
        Before it: the one not yet started; after it: that same event."""
        now = int(self.clock.now())
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT starts_at, ends_at FROM events WHERE status = 'scheduled'"
                " AND ends_at + ? > ? ORDER BY starts_at LIMIT 1",
                (AFTER_EVENT, now),
            ).fetchone()
        finally:
            conn.close()
        return None if row is None else (int(row[0]), int(row[1]))

    # --- status and persistence ----------------------------------------------------------------
    def _set_status(self, status: str) -> None:
        self.status = status
        for queue in self.on_status:
            queue.put_nowait(status)

    def _mark_dirty(self) -> None:
        self._dirty = True

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(SAVE_EVERY)
            if self._dirty:
                self._save()

    def _save(self) -> None:
        if self.fake is None:
            return
        self._dirty = False
        tmp = self.world_path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(self.fake.world))
        tmp.replace(self.world_path)  # whole or not at all
        self.clock.save(self.clock_path)

    def _load_world(self) -> World | None:
        if not (self.world_path.exists() and self.db_path.exists()):
            return None
        try:
            world = pickle.loads(self.world_path.read_bytes())
        except Exception as exc:  # a world saved by another version: start over
            log.warning("could not read %s (%s): starting a fresh playground", self.world_path, exc)
            return None
        return world if isinstance(world, World) else None
