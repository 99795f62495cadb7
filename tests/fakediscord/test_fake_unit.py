"""The fake on its own: raw REST and gateway clients, limits, world, permissions."""

from __future__ import annotations

import json
import zlib
from typing import Any

import aiohttp
import pytest

from bot.testing import FakeDiscord, MessageFlags, Overwrite, P, World, discord_like_rate_limits
from bot.testing.fakediscord import limits

AUTH = {"Authorization": "Bot test-token"}


async def call(
    fake: FakeDiscord, method: str, path: str, body: Any = None, **kw: Any
) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s:
        headers = kw.pop("headers", AUTH)
        async with s.request(method, fake.api_base + path, json=body, headers=headers, **kw) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text else None)


def test_default_world_names_and_ids() -> None:
    w = World.default()
    assert w.guild_id == 1000 and w.guild().name == "GDG Islamabad"
    assert [w.channel(n) for n in ("general", "announcements", "lahore-events")] == [
        1201,
        1202,
        1203,
    ]
    assert w.channel("islamabad-events") == 1204 and w.channel("#mentorship") == 1205
    assert w.role("@everyone") == 1000 and w.role("Organizer") == 1102
    assert w.role("Admin") == 1103 and w.role("Volunteer") == 1101
    assert [w.user(n) for n in ("owner", "admin", "organizer", "alice", "bob", "carol")] == [
        2001,
        2002,
        2003,
        2004,
        2005,
        2006,
    ]
    assert w.bot_user_id == w.application_id == 9000
    assert w.guild().owner_id == 2001
    assert w.member_roles("admin") == {"Admin"} and w.member_roles("organizer") == {"Organizer"}
    with pytest.raises(LookupError, match="known"):
        w.user("zed")


def test_permissions() -> None:
    w = World.default()
    g = w.guild_id
    assert w.permissions(g, w.user("owner")) == P.ALL
    assert w.permissions(g, w.user("admin")) & P.MANAGE_GUILD
    assert not w.permissions(g, w.user("organizer")) & P.MANAGE_GUILD
    assert not w.permissions(g, w.user("alice")) & P.MANAGE_GUILD
    ch = w.add_channel(
        "organizers",
        overwrites=[
            Overwrite(g, 0, deny=P.VIEW_CHANNEL),
            Overwrite(w.role("Organizer"), 0, allow=P.VIEW_CHANNEL),
        ],
    )
    assert w.permissions(g, w.user("alice"), ch.id) == 0
    assert w.permissions(g, w.user("organizer"), ch.id) & P.VIEW_CHANNEL
    assert w.permissions(g, w.user("owner"), ch.id) == P.ALL


def test_limits() -> None:
    assert limits.check_message({"content": "x" * 2000}) == []
    assert limits.check_message({"content": "x" * 2001})[0].field == "content"
    embeds = [{"title": "t" * 257, "fields": [{"name": "n", "value": "v"}] * 26}]
    fields = {p.field for p in limits.check_message({"embeds": embeds})}
    assert fields == {"embeds.0.title", "embeds.0.fields"}
    big = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert limits.check_embeds(big)[0].code == "MAX_EMBED_SIZE_EXCEEDED"
    assert limits.check_embeds([{}] * 11)[0].field == "embeds"
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": "c"}]}
    assert "components" in {p.field for p in limits.check_components([row] * 6)}
    long_label = {"type": 2, "style": 1, "label": "l" * 81, "custom_id": "x" * 101}
    found = {p.field for p in limits.check_components([{"type": 1, "components": [long_label]}])}
    assert found == {"components.0.components.0.label", "components.0.components.0.custom_id"}
    link = {"type": 2, "style": 5, "label": "Open", "url": "https://x.example/" + "a" * 494}
    assert limits.check_components([{"type": 1, "components": [link]}]) == []  # 512
    link["url"] += "a"
    (too_long,) = limits.check_components([{"type": 1, "components": [link]}])
    assert (too_long.field, too_long.code) == (
        "components.0.components.0.url",
        "BASE_TYPE_MAX_LENGTH",
    )
    dup = {"type": 1, "components": [row["components"][0], row["components"][0]]}
    assert limits.check_components([dup])[0].code == "COMPONENT_CUSTOM_ID_DUPLICATED"
    modal = {
        "title": "t" * 46,
        "custom_id": "m",
        "components": [
            {
                "type": 1,
                "components": [{"type": 4, "custom_id": "a", "label": "l" * 46, "style": 1}],
            }
        ],
    }
    assert {p.field for p in limits.check_modal(modal)} == {
        "title",
        "components.0.components.0.label",
    }
    assert limits.check_choices([{"name": "", "value": "x"}] + [{"name": "a", "value": 1}] * 25)
    assert not limits.valid_chat_input_name("Ping")
    assert not limits.valid_chat_input_name("a" * 33)
    assert limits.valid_chat_input_name("événement-2")
    cmds = [{"name": f"c{i}", "description": "d", "type": 1} for i in range(101)]
    assert limits.check_commands(cmds)[-1].code == "APPLICATION_COMMANDS_MAX_EXCEEDED"
    bad = [{"name": "x", "description": "", "options": [{"name": "o", "description": "d"}] * 2}]
    codes = {p.code for p in limits.check_commands(bad)}
    assert codes == {"BASE_TYPE_BAD_LENGTH", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS"}


async def test_rest_basics(fake: FakeDiscord) -> None:
    status, body = await call(fake, "GET", "/users/@me")
    assert status == 200 and body["id"] == "9000" and body["bot"] is True
    status, body = await call(fake, "GET", "/users/@me", headers={})
    assert status == 401
    status, body = await call(fake, "GET", "/nope/nothing")
    assert (status, body) == (404, {"message": "404: Not Found", "code": 0})
    assert [(u.method, u.path) for u in fake.unknown_routes] == [("GET", "/nope/nothing")]
    status, body = await call(fake, "GET", "/channels/424242")
    assert (status, body["code"]) == (404, 10003)
    status, body = await call(fake, "GET", "/gateway/bot")
    assert body["url"] == fake.gateway_url and body["shards"] == 1
    assert [r.path for r in fake.requests][:2] == ["/users/@me", "/users/@me"]


async def test_rest_messages_limits_and_dms(fake: FakeDiscord) -> None:
    general = fake.world.channel("general")
    status, body = await call(fake, "POST", f"/channels/{general}/messages", {"content": "hi"})
    assert status == 200 and body["content"] == "hi" and body["author"]["id"] == "9000"
    status, body = await call(fake, "POST", f"/channels/{general}/messages", {})
    assert (status, body["code"]) == (400, 50006)
    status, body = await call(
        fake, "POST", f"/channels/{general}/messages", {"embeds": [{"title": "t" * 300}]}
    )
    assert status == 400 and body["code"] == 50035
    assert body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert fake.limit_violations[-1].field == "embeds.0.title"
    status, dm = await call(fake, "POST", "/users/@me/channels", {"recipient_id": "2004"})
    assert status == 200 and dm["type"] == 1
    fake.world.close_dms("alice")
    status, body = await call(fake, "POST", f"/channels/{dm['id']}/messages", {"content": "x"})
    assert (status, body["code"]) == (403, 50007)
    # multipart with payload_json + files[n]
    form = aiohttp.FormData()
    form.add_field(
        "payload_json",
        json.dumps(
            {"content": "f", "attachments": [{"id": 0, "filename": "a.png", "description": "pic"}]}
        ),
    )
    form.add_field(
        "files[0]", b"\x89PNG", filename="a.png", content_type="application/octet-stream"
    )
    status, body = await call(fake, "POST", f"/channels/{general}/messages", data=form)
    assert status == 200 and body["attachments"][0]["filename"] == "a.png"
    msg = fake.message(int(body["id"]))
    assert msg.files == {"a.png": b"\x89PNG"} and msg.attachments[0].content_type == "image/png"
    async with aiohttp.ClientSession() as s, s.get(body["attachments"][0]["url"]) as r:
        assert await r.read() == b"\x89PNG"
    assert fake.requests[-1].files[0].filename == "a.png"


async def test_rest_commands_validation(fake: FakeDiscord) -> None:
    path = f"/applications/9000/guilds/{fake.world.guild_id}/commands"
    status, body = await call(fake, "PUT", path, [{"name": "Bad Name", "description": "d"}])
    assert status == 400 and body["errors"]["0"]["name"]["_errors"]
    status, body = await call(fake, "PUT", path, [{"name": "ok", "description": "d"}])
    assert status == 200 and body[0]["guild_id"] == "1000"
    first_id = body[0]["id"]
    status, body = await call(fake, "PUT", path, [{"name": "ok", "description": "d2"}])
    assert body[0]["id"] == first_id  # ids are stable across syncs
    status, body = await call(fake, "PUT", "/applications/1/commands", [])
    assert status == 403


async def test_faults_and_rate_limits(fake: FakeDiscord) -> None:
    fake.faults.add("GET", r"^/users/@me$", status=503, times=2)
    assert (await call(fake, "GET", "/users/@me"))[0] == 503
    assert (await call(fake, "GET", "/users/@me"))[0] == 503
    assert (await call(fake, "GET", "/users/@me"))[0] == 200
    fake.faults.add("GET", r"^/users/@me$", status=429)
    async with aiohttp.ClientSession() as s, s.get(fake.api_base + "/users/@me", headers=AUTH) as r:
        assert r.status == 429 and r.headers["Via"] and (await r.json())["retry_after"] > 0
    fake.rate_limits.extend(discord_like_rate_limits())
    general = fake.world.channel("general")
    statuses = [
        (await call(fake, "POST", f"/channels/{general}/messages", {"content": str(i)}))[0]
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429] and len(fake.rate_limited) == 1


async def test_ephemeral_flag_not_allowed_on_channel_messages(fake: FakeDiscord) -> None:
    general = fake.world.channel("general")
    status, body = await call(
        fake, "POST", f"/channels/{general}/messages", {"content": "x", "flags": 64}
    )
    assert status == 200 and not body["flags"] & MessageFlags.EPHEMERAL


class RawGateway:
    """A minimal gateway client speaking zlib-stream, like discord.py."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.z = zlib.decompressobj()
        self.buf = bytearray()

    async def recv(self) -> dict[str, Any]:
        while True:
            msg = await self.ws.receive(timeout=5)
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.buf.extend(msg.data)
                if self.buf[-4:] == b"\x00\x00\xff\xff":
                    out = self.z.decompress(bytes(self.buf))
                    self.buf.clear()
                    return json.loads(out)
            elif msg.type == aiohttp.WSMsgType.TEXT:
                return json.loads(msg.data)
            else:
                return {"closed": self.ws.close_code}

    async def send(self, op: int, d: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": d}))


async def test_raw_gateway_identify_heartbeat_resume(fake: FakeDiscord) -> None:
    url = fake.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(url) as ws:
            gw = RawGateway(ws)
            hello = await gw.recv()
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
            await gw.send(1, None)
            assert (await gw.recv())["op"] == 11
            await gw.send(2, {"token": "t", "intents": 1 | (1 << 9), "properties": {}})
            ready = await gw.recv()
            assert ready["t"] == "READY" and ready["s"] == 1
            assert ready["d"]["application"]["id"] == "9000"
            assert ready["d"]["resume_gateway_url"] == fake.resume_gateway_url
            gc = await gw.recv()
            assert gc["t"] == "GUILD_CREATE" and gc["d"]["member_count"] == 7
            # without GUILD_MEMBERS only the bot's own member is sent
            assert [m["user"]["id"] for m in gc["d"]["members"]] == ["9000"]
            session_id = ready["d"]["session_id"]
        # while disconnected, an event is buffered for the session
        await fake.post_message("alice", "general", "while you were away")
        async with s.ws_connect(fake.resume_gateway_url + "?v=10&encoding=json") as ws:
            gw = RawGateway(ws)
            assert (await gw.recv())["op"] == 10
            await gw.send(6, {"token": "t", "session_id": session_id, "seq": 2})
            missed = await gw.recv()
            assert missed["t"] == "MESSAGE_CREATE" and missed["s"] == 3
            assert missed["d"]["content"] == ""  # no MESSAGE_CONTENT intent
            assert (await gw.recv())["t"] == "RESUMED"
        async with s.ws_connect(url) as ws:
            gw = RawGateway(ws)
            await gw.recv()
            fake.world.allowed_privileged_intents = 0
            await gw.send(2, {"token": "t", "intents": 1 << 15, "properties": {}})
            assert (await gw.recv()) == {"closed": 4014}


async def test_thread_from_a_message_once_archived_and_reopened(fake: FakeDiscord) -> None:
    general = fake.world.channel("general")
    _, msg = await call(fake, "POST", f"/channels/{general}/messages", {"content": "Q&A"})
    path = f"/channels/{general}/messages/{msg['id']}/threads"
    status, body = await call(fake, "POST", path, {"name": "Q&A", "auto_archive_duration": 10080})
    assert status == 201 and body["id"] == msg["id"] and body["type"] == 11  # the message's id
    status, again = await call(fake, "POST", path, {"name": "Q&A again"})
    assert (status, again["code"]) == (400, 160004)  # one thread per message
    status, body = await call(fake, "PATCH", f"/channels/{msg['id']}", {"archived": True})
    assert status == 200 and body["thread_metadata"]["archived"] is True
    assert fake.world.channels[int(msg["id"])].archived
    # a message in an archived (not locked) thread opens it again, as on Discord
    status, _ = await call(fake, "POST", f"/channels/{msg['id']}/messages", {"content": "hi"})
    assert status == 200 and not fake.world.channels[int(msg["id"])].archived
