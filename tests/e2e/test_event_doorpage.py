"""The door page's link and routes, end to end over HTTP (the browser tests drive the page
itself, tests/browser/test_door.py): `/event door` refusals and the DM, scans through the
same check-in as `/event checkin`, the member search, and the plain 403 for tampered,
expired, revoked links and for a volunteer who lost the role."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, World
from bot.testing.store import StoreHandle
from bot.web.links import LinkSigner
from tests.e2e.conftest import assert_no_personal_data_in_public
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

SECRET = "door-test-secret-" + "x" * 32  # the tests sign links of their own with it
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/door/[A-Za-z0-9_.-]+)")
FORBIDDEN = "This link is not valid. Ask the bot for a new one."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def web_env(port: int) -> dict[str, str]:
    return {
        "WEB_PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WEB_SECRET": SECRET,
    }


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, store: StoreHandle) -> AsyncIterator[BotProcess]:
    env = {**store.env(), **web_env(free_port()), "LOG_LEVEL": "INFO"}
    proc = BotProcess(fake, store.path, extra_env=env)
    await proc.start()
    yield proc
    await proc.stop()
    assert_no_personal_data_in_public(fake, store)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def door_link(fake: FakeDiscord, who: str, eid: str) -> str:
    """`/event door` as `who`: the link from the DM (never in the reply)."""
    before = len(fake.dms_to(who))
    res = await (await fake.slash(who, "event door", event=eid)).wait_final()
    assert res.ephemeral and "Sent you the door link" in res.content, res.content
    assert "/door/" not in res.content
    dm = await fake.wait_for_dm(who, lambda m: "Door page for" in m.content)
    dms = fake.dms_to(who)
    assert len(dms) == before + 1
    found = LINK.search(dms[-1].content)
    assert found, dm.content
    return found.group(1)


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> dict[str, Any]:
    async with http.post(url, json=body) as res:
        assert res.status == 200, await res.text()
        return dict(await res.json())


async def assert_forbidden(http: aiohttp.ClientSession, link: str) -> None:
    """The plain 403 page on every route of the link, and nothing else."""
    for method, path, body in [
        ("GET", "", None),
        ("GET", "/state", None),
        ("GET", "/search?q=a", None),
        ("POST", "/scan", {"code": "ABCD-EFGH"}),
        ("POST", "/checkin", {"user_id": "2004"}),
    ]:
        async with http.request(method, link + path, json=body) as res:
            assert res.status == 403, (method, path, res.status)
            assert res.content_type == "text/plain"
            assert await res.text() == FORBIDDEN


async def until_status(http: aiohttp.ClientSession, url: str, status: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        async with http.get(url) as res:
            if res.status == status:
                return
        assert time.monotonic() < deadline, f"{url} never answered {status}"
        await asyncio.sleep(0.1)


async def ticket_code(fake: FakeDiscord, who: str, title: str) -> str:
    dm = await fake.wait_for_dm(who, lambda m: f"Your ticket for **{title}**" in m.content)
    return dm.content.split("**")[3]


async def stats(fake: FakeDiscord, eid: str) -> dict[str, str]:
    res = await fake.slash("admin", "event stats", event=eid)
    return {f["name"]: f["value"] for f in res.embeds[0]["fields"]}


async def test_door_command_refusals_and_the_link_by_dm(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, http: aiohttp.ClientSession
) -> None:
    ann = await create(fake, "Door Link Night", starts=local(timedelta(hours=1)))
    eid = event_id(ann)
    refused = await fake.slash("alice", "event door", event=eid)
    assert "Only organizers and volunteers" in refused.content
    assert all("/door/" not in m.content for m in fake.dms_to("alice"))

    fake.world.close_dms("admin")
    closed = await (await fake.slash("admin", "event door", event=eid)).wait_final()
    assert "DMs from this server are closed" in closed.text and "/door/" not in closed.text
    fake.world.open_dms("admin")

    link = await door_link(fake, "admin", eid)
    async with http.get(link) as res:
        assert res.status == 200 and res.content_type == "text/html"
        assert "camera=(self)" in res.headers["Permissions-Policy"]
        assert "script-src" not in res.headers["Content-Security-Policy"]  # no inline script
        assert res.headers["Cache-Control"] == "no-store"
        page = await res.text()
    assert "door.js" in page and "Door Link Night" not in page  # data only via the routes
    async with http.get(link + "/state") as res:
        assert await res.json() == {
            "title": "Door Link Night",
            "checked_in": 0,
            "going": 0,
            "walk_ins": 0,
        }
    origin = link.split("/door/")[0]
    async with http.get(origin + "/static/door/door.js") as res:
        assert res.status == 200 and "public" in res.headers["Cache-Control"]
    async with http.get(origin + "/static/door/door.html") as res:
        assert res.status == 404  # the page itself only through a link


async def test_scans_check_in_through_the_same_door(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, http: aiohttp.ClientSession
) -> None:
    ann = await create(fake, "Scan Night", starts=local(timedelta(hours=1)))
    eid = event_id(ann)
    other = await create(fake, "Other Night", starts=local(timedelta(hours=1)))
    await fake.click("bob", ann, label="Going")
    await fake.click("carol", other, label="Going")
    bob_code = await ticket_code(fake, "bob", "Scan Night")
    carol_code = await ticket_code(fake, "carol", "Other Night")
    link = await door_link(fake, "admin", eid)

    first = await post(http, link + "/scan", {"code": bob_code})
    assert first["ok"] and first["title"] == "Checked in: Bob" and first["detail"] == "Seat 1"
    assert first["counts"] == {"checked_in": 1, "going": 1}
    again = await post(http, link + "/scan", {"code": bob_code.lower()})
    assert not again["ok"] and again["title"] == "Already checked in: Bob"
    assert re.fullmatch(r"at \d\d:\d\d by Admin", again["detail"])
    elsewhere = await post(http, link + "/scan", {"code": carol_code})
    assert not elsewhere["ok"] and "another event" in elsewhere["detail"]
    unknown = await post(http, link + "/scan", {"code": "ZZZZ-ZZZZ"})
    assert not unknown["ok"] and "No ticket" in unknown["detail"]
    junk = await post(http, link + "/scan", {"code": "hello"})
    assert not junk["ok"] and "is not a ticket code" in junk["detail"]
    # the command sees the page's check-in at once, and the other way round
    seen = await fake.slash("admin", "event checkin", event=eid, code=bob_code)
    assert "already checked in" in seen.content

    # bad requests: one sentence, nothing changed
    before = store.dump()
    async with http.post(link + "/scan", data=f"code={bob_code}") as res:
        assert res.status == 415 and "JSON" in (await res.json())["detail"]
    async with http.post(link + "/scan", json={"code": "A" * 2000}) as res:
        assert res.status == 413
    async with http.post(link + "/scan", json=["not", "an", "object"]) as res:
        assert res.status == 400
    assert store.dump() == before

    # no phone: search by name, registrants first, then walk-ins
    async with http.get(link + "/search", params={"q": "ca"}) as res:
        (carol,) = (await res.json())["found"]
    assert carol["name"] == "Carol" and "walk-in" in carol["label"]
    async with http.get(link + "/search", params={"q": "B"}) as res:
        found = (await res.json())["found"]
    assert found[0]["name"] == "Bob" and found[0]["label"] == "going · checked in"
    walk_in = await post(http, link + "/checkin", {"user_id": carol["id"]})
    assert walk_in["ok"] and walk_in["title"] == "Checked in: Carol"
    assert walk_in["detail"] == "Walk-in (no RSVP)"
    stranger = await post(http, link + "/checkin", {"user_id": "999999"})
    assert not stranger["ok"] and "not in this server" in stranger["detail"]

    numbers = await stats(fake, eid)
    assert numbers["Checked in"] == "2" and numbers["Walk-ins"] == "1"
    rows = store.fetchall(
        "SELECT user_id, by_user_id, walk_in FROM event_checkins WHERE event_id = ?"
        " ORDER BY user_id",
        (int(eid),),
    )
    assert [tuple(r) for r in rows] == [(2005, 2002, 0), (2006, 2002, 1)]


async def test_tampered_expired_and_revoked_links_get_the_plain_403(
    bot: BotProcess, fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    ann = await create(fake, "Revoke Night", starts=local(timedelta(hours=1)))
    eid = event_id(ann)
    link = await door_link(fake, "admin", eid)
    origin, token = link.split("/door/")
    payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for bad in [f"{payload}.{flipped}", f"{payload}x.{signature}", "nonsense", "a.b.c"]:
        await assert_forbidden(http, f"{origin}/door/{bad}")

    # a link the bot's own secret signed, but expired a second ago
    signer = LinkSigner(SECRET.encode())
    subject: dict[str, int | str] = {"g": 1000, "e": int(eid), "m": 2002, "gen": 0}
    good = signer.sign("door", subject, int(time.time()) + 600)
    async with http.get(f"{origin}/door/{good}/state") as res:
        assert res.status == 200  # the same subject, not yet expired, is let in
    await assert_forbidden(
        http, f"{origin}/door/{signer.sign('door', subject, int(time.time()) - 1)}"
    )
    # signed for another page
    await assert_forbidden(http, f"{origin}/door/{signer.sign('export', subject, 2**40)}")

    revoked = await fake.slash("admin", "event door", event=eid, revoke=True)
    assert "stops working now" in revoked.content
    await assert_forbidden(http, link)
    await assert_forbidden(http, f"{origin}/door/{good}")
    fresh = await door_link(fake, "admin", eid)
    async with http.get(fresh + "/state") as res:
        assert res.status == 200


async def test_a_volunteer_who_lost_the_role_is_refused_at_the_next_scan(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, http: aiohttp.ClientSession
) -> None:
    await fake.add_member("doorvol", roles=["Volunteer"])
    await fake.slash("admin", "settings volunteer-role", options={"role": "Volunteer"})
    ann = await create(fake, "Volunteer Scan Night", starts=local(timedelta(hours=1)))
    eid = event_id(ann)
    await fake.click("alice", ann, label="Going")
    code = await ticket_code(fake, "alice", "Volunteer Scan Night")
    link = await door_link(fake, "doorvol", eid)
    async with http.get(link + "/state") as res:
        assert res.status == 200
    await fake.set_member_roles("doorvol", [])
    await until_status(http, link + "/state", 403)  # the bot has read the role change
    before = store.dump()
    async with http.post(link + "/scan", json={"code": code}) as res:
        assert res.status == 403 and await res.text() == FORBIDDEN
    assert store.dump() == before
    await fake.set_member_roles("doorvol", ["Volunteer"])  # given back: the link works again
    await until_status(http, link + "/state", 200)
    answer = await post(http, link + "/scan", {"code": code})
    assert answer["ok"] and answer["title"] == "Checked in: Alice"


async def test_without_the_web_server_one_sentence(
    fresh_store: StoreHandle, http: aiohttp.ClientSession
) -> None:
    async with FakeDiscord(World.default()) as fake:
        proc = BotProcess(fake, fresh_store.path, extra_env=fresh_store.env())
        await proc.start()
        try:
            ann = await create(fake, "No Web Night", starts=local(timedelta(hours=1)))
            res = await fake.slash("admin", "event door", event=event_id(ann))
            assert "set WEB_PORT and PUBLIC_URL" in res.content and res.ephemeral
            assert fake.dms_to("admin") == []
        finally:
            await proc.stop()
