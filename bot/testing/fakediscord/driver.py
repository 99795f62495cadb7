"""BotProcess: run the real bot (``python -m bot``) against a FakeDiscord."""

# Timeouts are part of this test API (every wait has one), hence:
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .server import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parents[3]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

ReadySpec = Literal["sync", "gateway", "identify"] | Callable[["FakeDiscord"], bool]


class BotProcessError(AssertionError):
    """The bot process exited early or did not become ready in time."""


class BotProcess:
    """The bot as a child process wired to ``fake``.

    ``ready`` says what :meth:`start` waits for:
    ``"sync"`` (default) — READY + every GUILD_CREATE sent on a session identified after
    start, and a command sync (bulk PUT) done after start; ``"gateway"`` — only the former;
    ``"identify"`` — only an IDENTIFY; or a callable ``(fake) -> bool``. With
    ``ready_line``, also a line of output containing it since the start (the bot's own
    "ready as …", logged once its start-up writes are done).

    A sharded process (``SHARD_IDS``, e.g. ``"2,3"``, or only ``SHARD_COUNT``: all of them,
    in its environment) is ready on the gateway when each of its shards has a session
    identified after start with every GUILD_CREATE sent; one without shard 0 is not waited
    for a command sync (the process that holds shard 0 syncs).
    """

    def __init__(
        self,
        fake: FakeDiscord,
        db_path: str | os.PathLike[str],
        extra_env: dict[str, str | None] | None = None,
        argv: list[str] | None = None,
        *,
        cwd: str | os.PathLike[str] | None = None,
        ready: ReadySpec = "sync",
        guild_id: int | None = None,
        output_path: str | os.PathLike[str] | None = None,
        keep_lines: int = 5000,
        ready_line: str | None = None,
    ) -> None:
        self.fake = fake
        self.ready_line = ready_line
        self.db_path = str(db_path)
        self.extra_env = dict(extra_env or {})
        self.argv = list(argv) if argv is not None else [sys.executable, "-m", "bot"]
        self.cwd = str(cwd) if cwd is not None else str(PROJECT_ROOT)
        self.ready = ready
        self.guild_id = guild_id
        self.output_path = str(output_path) if output_path is not None else None
        self._lines: deque[str] = deque(maxlen=keep_lines)
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._out_file: IO[str] | None = None
        self.started_at: float | None = None
        self.ready_at: float | None = None

    # ----- info --------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def output(self) -> str:
        """Everything the process printed (stdout and stderr interleaved, ANSI colours removed)."""
        return "\n".join(self._lines)

    def tail(self, n: int = 40) -> str:
        lines = list(self._lines)[-n:]
        return "\n".join(lines)

    @property
    def startup_seconds(self) -> float | None:
        if self.started_at is None or self.ready_at is None:
            return None
        return self.ready_at - self.started_at

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.fake.env())
        env["DATABASE_PATH"] = self.db_path
        env["DEV_GUILD_ID"] = str(self.guild_id or self.fake.world.guild_id)
        env["PYTHONUNBUFFERED"] = "1"
        pp = env.get("PYTHONPATH")
        env["PYTHONPATH"] = str(PROJECT_ROOT) + (os.pathsep + pp if pp else "")
        for key, value in self.extra_env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    # ----- lifecycle ---------------------------------------------------------------------
    async def start(self, timeout: float = 30.0) -> BotProcess:
        """Launch the process and wait until it is ready (see class doc)."""
        if self.running:
            raise BotProcessError("the bot process is already running")
        fake = self.fake
        identify_before = fake.gateway.identify_count
        syncs_before = len(fake.command_syncs)
        self._lines.clear()
        if self.output_path is not None:
            self._out_file = open(self.output_path, "a", encoding="utf-8")  # noqa: ASYNC230
        fake.process = self
        self.started_at = started = time.monotonic()
        self.ready_at = None
        self._proc = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=self.cwd,
            env=self.env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self._reader = asyncio.create_task(self._read_output())

        shards = self.shard_ids()

        def gateway_ready() -> bool:
            if fake.gateway.identify_count <= identify_before:
                return False
            if shards is not None:
                return all(
                    any(
                        s.created_at >= started and s.guilds_sent_at is not None
                        for s in fake.gateway.sessions_on_shard(shard)
                    )
                    for shard in shards
                )
            s = fake.gateway.latest_session()
            return s is not None and s.guilds_sent_at is not None

        syncs = shards is None or 0 in shards

        def is_ready() -> bool:
            if self.ready_line is not None and not any(self.ready_line in x for x in self._lines):
                return False
            if callable(self.ready):
                return bool(self.ready(fake))
            if self.ready == "identify":
                return fake.gateway.identify_count > identify_before
            if self.ready == "gateway":
                return gateway_ready()
            return gateway_ready() and (not syncs or len(fake.command_syncs) > syncs_before)

        ready_task = asyncio.create_task(fake.wait_until(is_ready, None, "bot ready"))
        exit_task = asyncio.create_task(self._proc.wait())
        done, _ = await asyncio.wait(
            {ready_task, exit_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready_task in done:
            exit_task.cancel()
            ready_task.result()
            self.ready_at = time.monotonic()
            return self
        ready_task.cancel()
        if exit_task in done:
            await self._drain_reader()
            raise BotProcessError(
                f"bot process exited with code {self._proc.returncode} before it was ready "
                f"(waiting for {self._ready_name()}); last output:\n{self.tail(40)}"
            )
        exit_task.cancel()
        what = self._progress()
        await self.stop()
        raise BotProcessError(
            f"bot not ready after {timeout:.0f}s (waiting for {self._ready_name()}; {what}); "
            f"last output:\n{self.tail(40)}"
        )

    def shard_ids(self) -> list[int] | None:
        """The shards this process runs (``SHARD_IDS``, else every one of ``SHARD_COUNT``),
        or None when it is not sharded."""
        env = self.env()
        ids, count = env.get("SHARD_IDS", "").strip(), env.get("SHARD_COUNT", "").strip()
        if ids:
            return [int(i) for i in ids.split(",") if i.strip()]
        if count:
            return list(range(int(count)))
        return None

    def _ready_name(self) -> str:
        return self.ready if isinstance(self.ready, str) else "custom ready condition"

    def _progress(self) -> str:
        gw = self.fake.gateway
        s = gw.latest_session()
        return (
            f"identifies={gw.identify_count}, latest session guilds sent="
            f"{bool(s and s.guilds_sent_at)}, command syncs={len(self.fake.command_syncs)}"
        )

    async def _read_output(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stream = self._proc.stdout
        while True:
            try:
                raw = await stream.readline()
            except (ValueError, asyncio.LimitOverrunError):
                raw = await stream.read(65536)
            if not raw:
                break
            line = _ANSI.sub("", raw.decode("utf-8", "replace").rstrip("\n"))
            self._lines.append(line)
            if self._out_file is not None:
                self._out_file.write(line + "\n")
                self._out_file.flush()
            self.fake._changed()  # lets wait_until() watch the output

    async def _drain_reader(self) -> None:
        if self._reader is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 5)
        if self._out_file is not None:
            self._out_file.close()
            self._out_file = None

    async def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to exit by itself; returns the exit code."""
        if self._proc is None:
            raise BotProcessError("the bot process was never started")
        code = await asyncio.wait_for(self._proc.wait(), timeout)
        await self._drain_reader()
        return code

    async def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait up to ``timeout``, then SIGKILL. Returns the exit code."""
        proc = self._proc
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                self.kill()
                await proc.wait()
        await self._drain_reader()
        return proc.returncode

    def kill(self) -> None:
        """SIGKILL the process (no cleanup in the bot)."""
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()

    async def restart(self, timeout: float = 30.0) -> BotProcess:
        await self.stop()
        return await self.start(timeout)

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, even by SIGKILL, so a killed
    test run never leaves a bot running (Linux only; elsewhere a no-op)."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
