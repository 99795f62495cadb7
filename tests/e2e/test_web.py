"""The web side through the real bot process: /healthz, /metrics, plain 404s and the
security headers, JSON logs; /healthz turns 503 when the gateway is gone."""

from __future__ import annotations

import asyncio
import json
import socket
import stat
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, store: StoreHandle) -> AsyncIterator[BotProcess]:
    env: dict[str, str | None] = {
        **store.env(),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "WEB_PORT": str(PORT),
        "WEB_HOST": "127.0.0.1",
        "PUBLIC_URL": None,
        "METRICS_TOKEN": None,
        # several processes on PostgreSQL must share it; on SQLite it is generated
        "WEB_SECRET": "e2e-web-secret-" + "x" * 32 if store.kind == "postgresql" else None,
    }
    proc = BotProcess(fake, store.path, extra_env=env, keep_lines=100_000)
    await proc.start()
    yield proc
    await proc.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=BASE) as session:
        yield session


async def get(http: aiohttp.ClientSession, path: str) -> tuple[int, str, dict[str, str]]:
    async with http.get(path) as response:
        return response.status, await response.text(), dict(response.headers)


async def healthz_until(http: aiohttp.ClientSession, wanted: int) -> tuple[int, str]:
    """/healthz, asked until it answers `wanted` (or about 20 s have passed)."""
    for _ in range(200):
        status, text, _ = await get(http, "/healthz")
        if status == wanted:
            break
        await asyncio.sleep(0.1)
    return status, text


def metric(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def test_healthz_is_ok_with_the_security_headers(
    bot: BotProcess, http: aiohttp.ClientSession
) -> None:
    # discord.py is ready a moment after the last server arrives: 503 until then
    assert await healthz_until(http, 200) == (200, "ok")
    _, _, headers = await get(http, "/healthz")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in headers  # no https PUBLIC_URL


async def test_an_unknown_path_is_a_plain_404(bot: BotProcess, http: aiohttp.ClientSession) -> None:
    status, text, headers = await get(http, "/members")
    assert (status, text) == (404, "Not Found.")
    assert headers["Content-Type"].startswith("text/plain")
    assert headers["Cache-Control"] == "no-store"


async def test_metrics_count_an_interaction_just_made(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    status, before, _ = await get(http, "/metrics")
    assert status == 200
    commands = metric(before, "bot_interactions_total", kind="command")
    answered = metric(before, "bot_interaction_first_response_seconds_count")
    reply = await fake.slash("alice", "help")
    assert reply.content or reply.embeds
    status, after, headers = await get(http, "/metrics")
    assert headers["Content-Type"].startswith("text/plain")
    assert metric(after, "bot_interactions_total", kind="command") == commands + 1
    assert metric(after, "bot_interaction_first_response_seconds_count") >= answered + 1
    assert metric(after, "bot_db_transaction_seconds_count") > 0  # start-up wrote the guilds
    names = {f.name for f in text_string_to_metric_families(after)}
    assert {
        "bot_outbox_backlog",
        "bot_outbox_failed",
        "bot_outbox_delivery_failures",
        "bot_reminders_sent",
        "bot_gateway_reconnects",
    } <= names


async def test_a_resumed_gateway_counts_as_a_reconnect(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    before = metric((await get(http, "/metrics"))[1], "bot_gateway_reconnects_total")
    resumes = fake.gateway.resume_count
    assert await fake.drop_connection(4000) == 1
    await fake.wait_for_resume(resumes + 1, timeout=20)
    for _ in range(100):  # the RESUMED event reaches the listener just after
        after = metric((await get(http, "/metrics"))[1], "bot_gateway_reconnects_total")
        if after > before:
            break
        await asyncio.sleep(0.1)
    assert after == before + 1


async def test_the_log_is_json_lines_without_the_secret(
    bot: BotProcess, store: StoreHandle
) -> None:
    lines = [line for line in bot.output().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    messages = [r["message"] for r in records]
    assert any(m.startswith(f"web server listening on 127.0.0.1:{PORT}") for m in messages)
    if store.kind == "sqlite":  # generated beside the database, readable by its owner only
        secret = store.path.parent / "web_secret"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert secret.read_text().strip() not in bot.output()
    else:
        assert "e2e-web-secret" not in bot.output()


async def test_healthz_is_503_when_the_gateway_is_gone(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    assert await healthz_until(http, 200) == (200, "ok")
    await fake.stop()  # last in the module: Discord is gone for good
    status, text = await healthz_until(http, 503)
    assert status == 503
    assert text.startswith("gateway: ")
