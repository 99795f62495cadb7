"""Browser tests: the real playground (fake Discord, page, real bot process) in a
subprocess, driven in headless Chromium through Playwright.

One playground and one browser per test module; each test opens its own page.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from bot.testing import browser as chromium

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"Playground ready at (http://127\.0\.0\.1:\d+)")

pytestmark = pytest.mark.browser


class PlaygroundProcess:
    """`python -m bot.testing.playground --port 0 --fresh` in a temporary data folder."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.url = ""
        self.lines: list[str] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self, seconds: float = 90) -> PlaygroundProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DISCORD_TOKEN", None)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.testing.playground",
            "--port", "0", "--fresh", "--data", str(self.data),
            cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        found: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read(found))
        try:
            self.url = await asyncio.wait_for(found, seconds)
        except (TimeoutError, EOFError):
            await self.stop()
            tail = "\n".join(self.lines[-40:])
            raise AssertionError(f"the playground did not start:\n{tail}") from None
        return self

    async def _read(self, found: asyncio.Future[str]) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            if (match := READY.search(line)) and not found.done():
                found.set_result(match.group(1))
        if not found.done():
            found.set_exception(EOFError())

    async def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)
        return self.proc.returncode


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def playground(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundProcess]:
    proc = await PlaygroundProcess(tmp_path_factory.mktemp("playground")).start()
    yield proc
    assert await proc.stop() == 0, "Ctrl-C stops the playground cleanly:\n" + "\n".join(
        proc.lines[-20:]
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium.find()
    if executable is None:
        pytest.fail(chromium.MISSING, pytrace=False)
    async with async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=executable, headless=True, args=chromium.ARGS
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, playground: PlaygroundProcess) -> AsyncIterator[Page]:
    # A member in Lahore: Discord timestamps show in the viewer's own zone.
    context = await browser.new_context(
        viewport={"width": 1400, "height": 900}, timezone_id="Asia/Karachi", locale="en-US"
    )
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    await tab.goto(playground.url)
    yield tab
    await context.close()
    assert not errors, f"the page threw: {errors}"
