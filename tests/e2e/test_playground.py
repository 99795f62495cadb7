"""The playground without a browser: its API, the seeded demo, time travel, keeping its
world between runs, and `python3 dev.py run` choosing it when no token is set."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.testing.playground.runner import Playground
from bot.testing.playground.seed import IO_TITLE

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
ROOT = Path(__file__).resolve().parents[2]
FATIMA, AYESHA, OMAR = 2002, 2007, 2013


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def playground(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Playground]:
    pg = Playground(tmp_path_factory.mktemp("pg"), port=0, fresh=True)
    await pg.start()
    yield pg
    await pg.stop()


class Api:
    def __init__(self, pg: Playground, session: aiohttp.ClientSession) -> None:
        assert pg.fake is not None
        self.base = pg.fake.base_url + "/playground/api"
        self.session = session

    async def get(self, path: str, **query: Any) -> Any:
        async with self.session.get(f"{self.base}/{path}", params=query) as resp:
            return await resp.json()

    async def post(self, path: str, **body: Any) -> tuple[int, Any]:
        async with self.session.post(f"{self.base}/{path}", json=body) as resp:
            return resp.status, await resp.json()

    async def messages(self, channel: str | int, member: int) -> list[dict[str, Any]]:
        return (await self.get("messages", channel=str(channel), **{"as": str(member)}))["messages"]


@pytest_asyncio.fixture(loop_scope="module")
async def api(playground: Playground) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(playground, session)


async def eventually(check: Any, seconds: float = 20) -> Any:
    for _ in range(int(seconds * 10)):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_the_demo_is_seeded_through_the_bot(playground: Playground, api: Api) -> None:
    state = await api.get("state", **{"as": str(FATIMA)})
    assert state["guild"]["name"] == "GDG Lahore" and state["status"] == "ready"
    names = {c["name"] for c in state["channels"]}
    assert {"announcements", "lahore-events", "ai-learning", "mentorship", "organizers"} <= names
    assert any(c["name"] == "event" for c in state["commands"])
    omar = await api.get("state", **{"as": str(OMAR)})
    assert "organizers" not in {c["name"] for c in omar["channels"]}

    async def seats_taken() -> bool:  # the announcement's edits are coalesced (2 s)
        return any(
            m["embeds"] and m["embeds"][0]["title"] == IO_TITLE and "4/8 going" in str(m)
            for m in await api.messages(1203, FATIMA)
        )

    assert await eventually(seats_taken)
    shown = await api.post(
        "command", **{"as": str(FATIMA), "channel": "1203", "command": "settings show"}
    )
    assert shown[0] == 200
    reply = (await api.messages(1203, FATIMA))[-1]
    assert reply["ephemeral"] and "<#1290>" in str(reply["embeds"])  # the organizer channel
    assert not any(m["ephemeral"] for m in await api.messages(1203, OMAR))  # hers only


async def test_bad_requests_get_one_clear_sentence(playground: Playground, api: Api) -> None:
    status, body = await api.post(
        "command", **{"as": str(OMAR), "channel": "1290", "command": "settings show"}
    )
    assert status == 400 and "cannot see #organizers" in body["error"]
    status, body = await api.post("travel", to="next week")
    assert status == 400 and body["error"] == "Unknown jump 'next week'."
    async with api.session.get(
        f"{api.base}/messages", params={"as": str(OMAR), "channel": "1290"}
    ) as resp:
        assert resp.status == 403


async def test_time_travel_brings_the_reminders_and_the_feedback(
    playground: Playground, api: Api
) -> None:
    before = playground.clock.now()
    status, body = await api.post("travel", to="before-next")
    assert status == 200
    starts, ends = playground.next_event() or (0, 0)
    assert body["now"] >= starts - 11 * 60 and body["now"] > before + 86400

    async def reminder() -> bool:
        dm = (await api.get("state", **{"as": str(AYESHA)}))["dm"]
        return dm is not None and any(
            "Reminder: **Google I/O Extended Lahore**" in m["content"]
            for m in await api.messages(dm, AYESHA)
        )

    assert await eventually(reminder)
    # check Ayesha in at the door, then jump past the end: her feedback request arrives
    status, body = await api.post(
        "command",
        **{
            "as": str(FATIMA),
            "channel": "1203",
            "command": "event checkin",
            "options": {"event": IO_TITLE, "member": str(AYESHA)},
        },
    )
    assert status == 200, body
    await api.post("travel", to="after-next")
    assert playground.clock.now() > ends + 3600

    async def feedback() -> bool:
        dm = (await api.get("state", **{"as": str(AYESHA)}))["dm"]
        labels = [
            c.get("label")
            for m in await api.messages(dm, AYESHA)
            for row in m["components"]
            for c in row.get("components", [])
        ]
        return "Give feedback" in labels

    assert await eventually(feedback)


async def test_the_world_is_kept_between_runs(
    playground: Playground, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = tmp_path_factory.mktemp("kept")
    first = Playground(data, port=0, fresh=True)
    await first.start()
    assert first.fake is not None
    before = {m.id for m in first.fake.world.messages.values()}
    await first.stop()
    second = Playground(data, port=0)
    await second.start()
    try:
        assert second.fake is not None
        assert before <= set(second.fake.world.messages)  # nothing lost, nothing re-seeded
        announcement = next(
            m
            for m in second.fake.world.messages.values()
            if m.embeds and m.embeds[0].get("title") == IO_TITLE
        )
        going = await second.fake.click("omar", announcement, label="Going")
        assert going.modal is not None  # the old announcement's button still works
    finally:
        await second.stop()


async def test_an_option_named_channel_can_be_left_out(playground: Playground, api: Api) -> None:
    """/event create has a `channel` option, like the fake's own keyword for where a command
    is run: leaving it out must still work (the event is announced in the city's channel)."""
    status, body = await api.post(
        "command",
        **{
            "as": str(FATIMA),
            "channel": "1201",
            "command": "event create",
            "options": {"title": "No Channel Given", "city": "Lahore", "starts": "tomorrow 18:00"},
        },
    )
    assert status == 200, body

    async def announced() -> bool:
        return any(
            m["embeds"] and m["embeds"][0]["title"] == "No Channel Given"
            for m in await api.messages(1203, FATIMA)
        )

    assert await eventually(announced)
