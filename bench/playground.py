"""How soon the playground is usable and what it costs, beside the bot alone.

    python -m bench.playground

Runs `python -m bot.testing.playground --port 0` twice in a fresh folder: the first start
seeds the demo through the bot's commands, the second reuses the kept world. For each:
seconds until it prints its URL, seconds until the page and its state answer, and the
resident memory (RSS) of the playground process (fake Discord + page) and of the bot
process it runs. Baseline in the same run: the bot alone against a bare fake Discord
(the e2e tests' set-up), started and measured the same way.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench._stats import table
from bot.testing import BotProcess, FakeDiscord, World

READY = re.compile(rb"Playground ready at (http://127\.0\.0\.1:\d+)")
ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


async def playground_start(data: Path, fresh: bool) -> dict[str, Any]:
    started = time.perf_counter()
    args = ["--port", "0", "--data", str(data)] + (["--fresh"] if fresh else [])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.testing.playground", *args,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdout is not None
    url = ""
    while not url:
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError("the playground stopped before it was ready")
        if match := READY.search(line):
            url = match.group(1).decode()
    printed = time.perf_counter() - started
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as page:
            await page.read()
        async with session.get(f"{url}/playground/api/state", params={"as": "2002"}) as state:
            assert (await state.json())["status"] == "ready"
    usable = time.perf_counter() - started
    await asyncio.sleep(3)  # let the start-up settle before measuring memory
    bot_pids = children(proc.pid)
    row = {
        "run": "playground, first start (seeds)" if fresh else "playground, second start",
        "url_printed_s": printed,
        "page_usable_s": usable,
        "playground_rss_mb": rss_mb(proc.pid),
        "bot_rss_mb": sum(rss_mb(p) for p in bot_pids),
    }
    proc.send_signal(2)  # Ctrl-C
    await asyncio.wait_for(proc.wait(), 30)
    return row


async def bot_alone(data: Path) -> dict[str, Any]:
    """Baseline: the bot against the e2e tests' bare fake, no page, no seeding."""
    started = time.perf_counter()
    async with FakeDiscord(World.default()) as fake:
        bot = BotProcess(fake, data / "alone.sqlite3")
        await bot.start(timeout=60)
        ready = time.perf_counter() - started
        await asyncio.sleep(3)
        assert bot.pid is not None
        row = {
            "run": "(baseline) bot alone on a bare fake",
            "url_printed_s": "",
            "page_usable_s": ready,
            "playground_rss_mb": "",
            "bot_rss_mb": rss_mb(bot.pid),
        }
        await bot.stop()
    return row


async def measure() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        return [
            await playground_start(data / "pg", fresh=True),
            await playground_start(data / "pg", fresh=False),
            await bot_alone(data),
        ]


def main(argv: list[str]) -> list[dict[str, Any]]:
    rows = asyncio.run(measure())
    print("Playground start-up and memory (first install aside)")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
