"""The web core without Discord: security headers on every answer, the plain 403 for a bad
link, a plain 404, per-page policies, no server (and no secret file) unless WEB_PORT is
set, and the health check of the scheduler and the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.db import Database
from bot.scheduler import Scheduler
from bot.web import health
from bot.web.links import BadLink
from cogs.web._server import (
    FORBIDDEN_TEXT,
    WebServer,
    content_security_policy,
    forbidden,
    new_nonce,
)


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3", **values)  # type: ignore[call-arg]


async def client_for(server: WebServer) -> TestClient:
    client = TestClient(TestServer(server.app))
    await client.start_server()
    return client


@pytest.fixture
def server(tmp_path: Path) -> WebServer:
    return WebServer(settings(tmp_path, web_port=8080, public_url="https://bot.example.org"))


@pytest.fixture
async def client(server: WebServer) -> AsyncIterator[TestClient]:

    async def door(request: web.Request) -> web.Response:
        try:
            subject = server.signer.verify("door", request.match_info["token"])
        except BadLink:
            return forbidden()
        nonce = new_nonce()
        page = web.Response(text=f"<script nonce='{nonce}'></script>{subject['event_id']}")
        page.headers["Content-Security-Policy"] = content_security_policy(nonce)
        page.headers["Permissions-Policy"] = "camera=(self)"
        return page

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("a bug, with member data: alice@example.org")

    server.add_route("GET", "/door/{token}", door)
    server.add_route("GET", "/broken", broken)
    client = await client_for(server)
    yield client
    await client.close()


async def test_a_bad_link_gets_the_plain_403_with_the_headers(client: TestClient) -> None:
    response = await client.get("/door/not-a-token")
    assert response.status == 403
    assert await response.text() == FORBIDDEN_TEXT
    assert response.content_type == "text/plain"
    h = response.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Cache-Control"] == "no-store"
    assert "default-src 'self'" in h["Content-Security-Policy"]
    assert "img-src 'self' data:" in h["Content-Security-Policy"]
    assert h["Permissions-Policy"].startswith("camera=()")
    assert h["Strict-Transport-Security"].startswith("max-age=")  # PUBLIC_URL is https


async def test_a_page_may_set_its_own_policy(client: TestClient, server: WebServer) -> None:
    signer = server.signer
    token = signer.sign("door", {"event_id": 42}, 4_000_000_000)
    response = await client.get(f"/door/{token}")
    assert response.status == 200 and (await response.text()).endswith("42")
    assert response.headers["Permissions-Policy"] == "camera=(self)"
    csp = response.headers["Content-Security-Policy"]
    assert "'nonce-" in csp and "default-src 'self'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the rest still added
    other = signer.sign("calendar", {"event_id": 42}, 4_000_000_000)
    assert (await client.get(f"/door/{other}")).status == 403


async def test_unknown_paths_and_methods_are_plain(client: TestClient) -> None:
    response = await client.get("/members")
    assert response.status == 404 and await response.text() == "Not Found."
    assert response.headers["X-Frame-Options"] == "DENY"
    response = await client.post("/broken")
    assert response.status == 405 and "GET" in response.headers["Allow"]


async def test_a_failing_page_says_nothing_of_the_failure(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/broken")
    assert response.status == 500 and await response.text() == "Something went wrong."
    assert response.headers["Cache-Control"] == "no-store"
    assert "web page failed: GET /broken" in caplog.text


async def test_no_server_and_no_secret_file_without_web_port(tmp_path: Path) -> None:
    server = WebServer(settings(tmp_path))
    assert not server.enabled
    await server.start()
    assert not server.running
    assert not (tmp_path / "web_secret").exists()


async def test_the_secret_is_generated_once_beside_the_database(tmp_path: Path) -> None:
    first = WebServer(settings(tmp_path, web_port=8080))
    assert (tmp_path / "web_secret").exists()
    token = first.signer.sign("door", {"event_id": 1}, 4_000_000_000)
    again = WebServer(settings(tmp_path, web_port=8080))  # a restart: old links still work
    assert again.signer.verify("door", token) == {"event_id": 1}
    chosen = WebServer(settings(tmp_path, web_port=8080, web_secret="y" * 32))
    with pytest.raises(BadLink):
        chosen.signer.verify("door", token)


def test_links_start_with_the_public_address(tmp_path: Path) -> None:
    local = WebServer(settings(tmp_path, web_port=8080))
    assert local.url("/calendar/abc") == "http://127.0.0.1:8080/calendar/abc"
    public = WebServer(settings(tmp_path, web_port=8080, public_url="https://bot.example.org/"))
    assert public.url("door/x") == "https://bot.example.org/door/x"
    with pytest.raises(RuntimeError, match="database is open"):
        _ = public.revocations


async def test_health_names_what_is_wrong(db: Database) -> None:
    scheduler = Scheduler()
    assert await health.problem("gateway: closed", scheduler, db) == "gateway: closed"
    assert await health.problem(None, scheduler, db) == "scheduler: not running"
    scheduler.start()
    try:
        assert await health.problem(None, scheduler, db) is None
        await db.close()
        why = await health.problem(None, scheduler, db)
        assert why is not None and why.startswith("database: ")
    finally:
        scheduler.shutdown()
