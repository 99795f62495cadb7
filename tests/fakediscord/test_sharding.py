"""Sharding in the fake: ``GET /gateway/bot``'s shard count, IDENTIFY with ``shard: [id,
count]`` getting only its guilds' events, DMs on shard 0, 4011 past the guilds-per-connection
limit; first with a raw gateway client, then with real discord.py clients (shardbot.py):
two ``Client(shard_id=…)`` processes, one ``AutoShardedClient`` and an unsharded one that
holds too many guilds."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.testing import BotProcess, FakeDiscord, FakeDiscordError, World
from bot.testing.fakediscord.gateway import GatewaySession, Op
from bot.testing.fakediscord.world import shard_of

SHARDBOT = [sys.executable, str(Path(__file__).with_name("shardbot.py"))]
LAHORE = "GDG Lahore"


def sharded_world() -> World:
    """The default world (GDG Islamabad, id 1000: shard 0 of any count) and GDG Lahore, a
    guild on shard 1 of 2 with the bot, the owner and alice in it."""
    w = World.default()
    g = w.add_guild(LAHORE, owner="owner", shard=(1, 2))
    w.add_role("Lahore Bot", guild=g.id, permissions=w.guild().roles[1104].permissions, position=1)
    w.add_channel("lahore-general", guild=g.id)
    w.add_member("owner", guild=g.id)
    w.add_member("alice", guild=g.id)
    w.add_member(w.bot_user_id, guild=g.id, roles=["Lahore Bot"])
    return w


def events(session: GatewaySession) -> list[tuple[str, dict[str, Any]]]:
    """The dispatches a session was sent, as (event name, data)."""
    out = []
    for _, text in session.buffer:
        frame = json.loads(text)
        out.append((frame["t"], frame["d"]))
    return out


# ----- the fake on its own ---------------------------------------------------------------
def test_shard_of_and_guild_ids_on_a_shard() -> None:
    assert shard_of(1000, 2) == 0 and shard_of(1 << 22, 2) == 1 and shard_of(1 << 22, 1) == 0
    w = World()
    w.add_user("owner")
    ids = [w.add_guild(f"g{i}", owner="owner", shard=(i % 3, 3)).id for i in range(30)]
    assert [shard_of(gid, 3) for gid in ids] == [i % 3 for i in range(30)]
    assert len(set(ids) | {w.snowflakes.next() for _ in range(100)}) == 130
    assert w.add_guild("fixed", owner="owner", id=1 << 22, shard=(1, 2)).id == 1 << 22
    with pytest.raises(ValueError, match="on shard 0"):
        w.add_guild("wrong", owner="owner", id=1000, shard=(1, 2))
    with pytest.raises(ValueError):
        w.snowflakes.on_shard(2, 2)
    del w.snowflakes._sharded  # as in a World the playground pickled before sharding
    assert shard_of(w.snowflakes.on_shard(1, 2), 2) == 1


async def test_gateway_bot_reports_the_configured_shards() -> None:
    async with FakeDiscord(World.default(), shard_count=4, max_concurrency=16) as fake:
        assert (fake.shard_count, fake.max_guilds_per_shard) == (4, 2500)
        async with aiohttp.ClientSession() as s:
            headers = {"Authorization": "Bot t"}
            async with s.get(fake.api_base + "/gateway/bot", headers=headers) as r:
                body = await r.json()
    assert body["shards"] == 4 and body["url"] == fake.gateway_url
    assert body["session_start_limit"]["max_concurrency"] == 16
    assert body["session_start_limit"]["remaining"] == 1000


class Raw:
    """A raw gateway client without transport compression."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def recv(self) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=5)
        if msg.type == aiohttp.WSMsgType.TEXT:
            return dict(json.loads(msg.data))
        return {"closed": self.ws.close_code}

    async def identify(self, shard: Any = None) -> dict[str, Any]:
        assert (await self.recv())["op"] == Op.HELLO
        d: dict[str, Any] = {"token": "t", "intents": (1 << 16) - 1, "properties": {}}
        if shard is not None:
            d["shard"] = shard
        await self.ws.send_str(json.dumps({"op": Op.IDENTIFY, "d": d}))
        return await self.recv()


@asynccontextmanager
async def raw(fake: FakeDiscord) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as s, s.ws_connect(fake.gateway_url + "?v=10") as ws:
        yield Raw(ws)


async def test_each_shard_gets_its_guilds_and_dms_go_to_shard_0() -> None:
    w = sharded_world()
    lahore = w.guild(LAHORE).id
    async with FakeDiscord(w) as fake, raw(fake) as zero, raw(fake) as one:
        ready0, ready1 = await zero.identify([0, 2]), await one.identify([1, 2])
        assert ready0["t"] == "READY" and ready0["d"]["shard"] == [0, 2]
        assert [g["id"] for g in ready0["d"]["guilds"]] == ["1000"]
        assert [g["id"] for g in ready1["d"]["guilds"]] == [str(lahore)]
        assert (await zero.recv())["d"]["name"] == "GDG Islamabad"
        assert (await one.recv())["d"]["name"] == LAHORE
        s0, s1 = fake.gateway.sessions_on_shard(0)[0], fake.gateway.sessions_on_shard(1)[0]
        assert (s0.guild_ids, s1.guild_ids) == ([1000], [lahore])
        await fake.post_message("alice", "lahore-general", "on shard one")
        await fake.post_message("alice", "general", "on shard zero")
        await fake.add_member("dave", guild=LAHORE)
        await fake.post_message("alice", w.dm_channel_for(w.user("alice")), "a DM")
        got0 = [(t, d.get("content")) for t, d in events(s0)[2:]]
        got1 = [(t, d.get("content")) for t, d in events(s1)[2:]]
        assert got0 == [("MESSAGE_CREATE", "on shard zero"), ("MESSAGE_CREATE", "a DM")]
        assert got1 == [("MESSAGE_CREATE", "on shard one"), ("GUILD_MEMBER_ADD", None)]
        assert (await one.recv())["d"]["content"] == "on shard one"


async def test_a_connection_over_the_guild_limit_is_closed_with_4011() -> None:
    w = sharded_world()
    async with FakeDiscord(w, max_guilds_per_shard=1) as fake:
        async with raw(fake) as whole:
            assert await whole.identify() == {"closed": 4011}
        async with raw(fake) as zero, raw(fake) as one:
            assert (await zero.identify([0, 2]))["t"] == "READY"
            assert (await one.identify([1, 2]))["t"] == "READY"
        w.add_guild("third", owner="owner", shard=(1, 2))
        async with raw(fake) as one:
            assert await one.identify([1, 2]) == {"closed": 4011}
        assert [c.close_code for c in fake.gateway.connections] == [4011, None, None, 4011]
        assert fake.gateway.identify_count == 2


@pytest.mark.parametrize("shard", [[2, 2], [0, 0], [-1, 2], ["0", 1], [0], [True, 2], "01"])
async def test_an_invalid_shard_is_closed_with_4010(shard: Any) -> None:
    async with FakeDiscord(World.default()) as fake, raw(fake) as gw:
        assert await gw.identify(shard) == {"closed": 4010}


async def test_no_session_for_a_guild_says_which_shard_is_missing() -> None:
    w = sharded_world()
    w.commands[None] = [{"id": "77", "name": "ping", "type": 1, "description": "p"}]
    async with FakeDiscord(w) as fake:
        async with raw(fake) as zero:
            await zero.identify([0, 2])
            assert (await fake.slash("alice", "ping", wait=False)).shard == 0
            with pytest.raises(FakeDiscordError, match=r"owns guild \d+ \(shard 1 of 2"):
                await fake.slash("alice", "ping", guild=LAHORE, wait=False)
        fake.gateway.sessions_on_shard(0)[0].active = False
        async with raw(fake) as one:
            await one.identify([1, 2])
            assert (await fake.slash("alice", "ping", guild=LAHORE, wait=False)).shard == 1
            with pytest.raises(FakeDiscordError, match="no bot session on shard 0, which gets DMs"):
                await fake.slash("alice", "ping", dm=True, wait=False)


# ----- real discord.py clients -----------------------------------------------------------
def shardbot(fake: FakeDiscord, tmp: Path, name: str, **env: str) -> BotProcess:
    env.setdefault("IDENTIFY_DELAY", "0")
    return BotProcess(fake, tmp / f"{name}.sqlite3", dict(env), argv=SHARDBOT)


def ready_line(proc: BotProcess, shard: int) -> str:
    return next(
        line.split("ready ", 1)[1]
        for line in proc.output().splitlines()
        if f"ready shard={shard} " in line
    )


async def test_two_single_shard_clients_each_get_their_guilds(tmp_path: Path) -> None:
    w = sharded_world()
    lahore = w.guild(LAHORE).id
    async with FakeDiscord(w, shard_count=2) as fake:
        zero = shardbot(fake, tmp_path, "zero", SHARDING="single", SHARD_COUNT="2", SHARD_IDS="0")
        one = shardbot(fake, tmp_path, "one", SHARDING="single", SHARD_COUNT="2", SHARD_IDS="1")
        async with zero, one:
            await fake.wait_until(
                lambda: "ready shard=0" in zero.output() and "ready shard=1" in one.output(),
                10,
                "on_ready in both",
            )
            assert ready_line(zero, 0) == "shard=0 guilds=GDG Islamabad"
            assert ready_line(one, 1) == f"shard=1 guilds={LAHORE}"
            assert len(fake.command_syncs) == 1  # only the process with shard 0 synced
            s0, s1 = fake.gateway.sessions_on_shard(0)[0], fake.gateway.sessions_on_shard(1)[0]
            assert (s0.shard, s1.shard) == ((0, 2), (1, 2))

            r = await fake.slash("alice", "whoami", guild=LAHORE)
            assert r.content == f"shard=1 guilds={LAHORE}" and r.shard == 1
            assert r.session_id == s1.id and not r.rejected
            r = await fake.slash("alice", "whoami")
            assert r.content == "shard=0 guilds=GDG Islamabad" and r.shard == 0
            r = await fake.slash("alice", "whoami", dm=True)
            assert r.content == "shard=0 guilds=GDG Islamabad" and r.shard == 0
            await fake.post_message("bob", w.dm_channel_for(w.user("bob")), "hello?")
            reply = await fake.wait_for_dm("bob", timeout=10)
            assert reply.text == "dm echo from shard=0"

            def kinds(s: GatewaySession) -> list[str]:
                return [t for t, d in events(s) if t in ("INTERACTION_CREATE", "MESSAGE_CREATE")]

            assert kinds(s1) == ["INTERACTION_CREATE"]
            # bob's DM and the bot's answer to it, both on shard 0 only
            assert kinds(s0) == ["INTERACTION_CREATE"] * 2 + ["MESSAGE_CREATE"] * 2
            assert all(
                d.get("guild_id") == str(lahore)
                for t, d in events(s1)
                if t not in ("READY", "GUILD_CREATE")
            )


async def test_auto_sharded_client_uses_the_recommended_count(tmp_path: Path) -> None:
    w = sharded_world()
    async with FakeDiscord(w, shard_count=2, max_guilds_per_shard=1) as fake:
        proc = shardbot(fake, tmp_path, "auto", SHARDING="auto")
        proc.ready = lambda f: all(f"ready shard={i}" in proc.output() for i in (0, 1))
        async with proc:
            assert fake.requests_to("GET", "^/gateway/bot$") and len(fake.command_syncs) == 1
            shards = [op.data["shard"] for op in fake.gateway.received if op.op == Op.IDENTIFY]
            assert shards == [[0, 2], [1, 2]]
            assert ready_line(proc, 0) == "shard=0 guilds=GDG Islamabad"
            assert ready_line(proc, 1) == f"shard=1 guilds={LAHORE}"
            r = await fake.slash("alice", "whoami", guild=LAHORE)
            assert r.content == f"shard=1 guilds=GDG Islamabad,{LAHORE}" and r.shard == 1
            r = await fake.slash("alice", "whoami", dm=True)
            assert r.shard == 0 and r.content.startswith("shard=0 ")


async def test_sharded_process_is_ready_when_all_its_shards_are(tmp_path: Path) -> None:
    """BotProcess reads SHARD_IDS / SHARD_COUNT: a process with shards 0 and 1 is ready once
    both have their guilds; one without shard 0 is not waited for a command sync."""
    w = sharded_world()
    async with FakeDiscord(w) as fake:
        one = shardbot(fake, tmp_path, "one", SHARD_COUNT="2", SHARD_IDS="1")
        async with one:
            assert one.shard_ids() == [1] and fake.command_syncs == []
        both = shardbot(fake, tmp_path, "both", SHARD_COUNT="2")
        async with both:
            assert both.shard_ids() == [0, 1] and len(fake.command_syncs) == 1
            assert all(fake.gateway.sessions_on_shard(i)[-1].guilds_sent_at for i in (0, 1))


async def test_too_many_guilds_on_one_connection_ends_discord_py(tmp_path: Path) -> None:
    """discord.py does not reconnect after 4011: the client raises ConnectionClosed (code
    4011, it has no exception of its own for it, unlike PrivilegedIntentsRequired for 4014)."""
    async with FakeDiscord(sharded_world(), max_guilds_per_shard=1) as fake:
        proc = shardbot(fake, tmp_path, "whole", SHARDING="single")
        proc.ready = lambda f: any(op.op == Op.IDENTIFY for op in f.gateway.received)
        async with proc:
            assert await proc.wait(15) == 3
        assert "closed ConnectionClosed code=4011 shard=None" in proc.output()
        assert fake.gateway.connections[-1].close_code == 4011
        assert fake.gateway.identify_count == 0
