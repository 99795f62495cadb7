"""The fake Discord driven through a real discord.py bot (tinybot.py), one process per module."""

from __future__ import annotations

import pytest

from bot.testing import (
    BotProcess,
    FakeDiscord,
    FakeDiscordError,
    InteractionTimeout,
    MessageFlags,
    P,
)
from bot.testing.fakediscord.gateway import Op

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def fake(shared_fake: FakeDiscord, shared_bot: BotProcess) -> FakeDiscord:
    return shared_fake


async def test_connect_ready_guild_create(fake: FakeDiscord, shared_bot: BotProcess) -> None:
    gw = fake.gateway
    identify = next(op for op in gw.received if op.op == Op.IDENTIFY)
    assert identify.data["intents"] & (1 << 1)  # the tiny bot asks for GUILD_MEMBERS
    assert identify.data["token"] == "fake-bot-token"
    session = gw.latest_session()
    assert session is not None and session.guilds_sent_at is not None
    sent = [text for _, text in session.buffer]
    assert '"t":"READY"' in sent[0]
    assert any('"t":"GUILD_CREATE"' in t and '"GDG Islamabad"' in t for t in sent)
    # discord.py asked for zlib-stream transport compression and got it.
    assert "compress=zlib-stream" in gw.urls_used[0]
    assert gw.connections[0].compressor.kind == "zlib-stream"
    assert fake.requests_to("GET", "^/users/@me$")
    assert fake.requests_to("GET", "^/oauth2/applications/@me$")


async def test_commands_synced_to_dev_guild(fake: FakeDiscord) -> None:
    names = {c["name"] for c in fake.commands()}
    assert {"ping", "echo", "settings", "secret", "feedback"} <= names
    assert fake.requests_to("PUT", rf"^/applications/9000/guilds/{fake.world.guild_id}/commands$")
    settings = next(c for c in fake.commands() if c["name"] == "settings")
    assert {o["name"] for o in settings["options"]} == {"timezone", "notify"}
    assert fake.commands(None) == []


async def test_slash_with_every_option_type(fake: FakeDiscord) -> None:
    r = await fake.slash(
        "admin",
        "echo",
        text="hi",
        count=3,
        flag=True,
        member="organizer",
        role="Volunteer",
        options={"channel": "mentorship"},
        ratio=1.5,
        color=2,
    )
    assert r.type == 4 and not r.ephemeral and not r.deferred
    assert r.content == (
        "text=hi count=3 flag=True member=organizer member_roles=['@everyone', 'Organizer'] "
        "role=Volunteer channel=mentorship ratio=1.5 color=2 perms_manage_guild=True"
    )
    assert r.latency is not None and r.latency < 3
    assert r.message is not None and r.message in fake.messages_in("general")
    payload = r.payload
    assert payload["data"]["resolved"]["members"][str(fake.world.user("organizer"))]
    assert payload["member"]["permissions"]


async def test_slash_errors_are_clear(fake: FakeDiscord) -> None:
    with pytest.raises(FakeDiscordError, match="no synced slash command /nope"):
        await fake.slash("alice", "nope")
    with pytest.raises(FakeDiscordError, match="no subcommand 'zone'"):
        await fake.slash("alice", "settings zone")
    with pytest.raises(FakeDiscordError, match="required option 'count' is missing"):
        await fake.slash("alice", "echo", text="x")
    with pytest.raises(FakeDiscordError, match="no option"):
        await fake.slash("alice", "settings timezone", name="UTC", bogus=1)
    with pytest.raises(FakeDiscordError, match="outside"):
        await fake.slash(
            "alice",
            "echo",
            text="a",
            count=1,
            flag=False,
            member="bob",
            role="Volunteer",
            options={"channel": "general"},
            color=9,
        )
    with pytest.raises(FakeDiscordError, match="clash"):
        await fake.slash(
            "alice",
            "echo",
            text="a",
            count=1,
            flag=False,
            member="bob",
            role="Volunteer",
            channel="general",
        )


async def test_subcommand_group_and_channel_option(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "settings notify on", options={"channel": "lahore-events"})
    assert r.content == "notifications on in #lahore-events"


async def test_ephemeral_reply_and_autocomplete(fake: FakeDiscord) -> None:
    r = await fake.slash("bob", "settings timezone", name="Asia/Karachi")
    assert r.ephemeral and r.content == "Timezone set to Asia/Karachi"
    assert r.message not in fake.messages_in("general")
    assert r.message in fake.ephemerals_to("bob")
    choices = await fake.autocomplete("bob", "settings timezone", "name", "asia")
    assert [c["value"] for c in choices] == ["Asia/Karachi", "Asia/Kolkata"]


async def test_user_context_menu(fake: FakeDiscord) -> None:
    (menu,) = [c for c in fake.commands() if c["type"] == 2]
    assert menu["name"] == "Whois" and menu["description"] == "" and menu["contexts"] == [0]
    r = await fake.user_command("alice", "Whois", "organizer")
    assert r.ephemeral and r.content == "organizer roles=['Organizer'] asked_by=alice"
    with pytest.raises(FakeDiscordError, match="no synced user command 'Who'"):
        await fake.user_command("alice", "Who", "bob")
    with pytest.raises(FakeDiscordError, match="no synced slash command /Whois"):
        await fake.slash("alice", "Whois")


async def test_default_member_permissions_hide_commands(fake: FakeDiscord) -> None:
    with pytest.raises(FakeDiscordError, match="cannot see /admin"):
        await fake.slash("alice", "admin")
    assert (await fake.slash("admin", "admin")).content == "admin ok"
    assert (await fake.slash("owner", "admin")).content == "admin ok"


async def test_defer_then_followups(fake: FakeDiscord) -> None:
    r = await fake.slash("carol", "slow")
    assert r.type == 5 and r.deferred and r.ephemeral
    await r.wait_final()
    # The first follow-up after a thinking defer replaces the loading message.
    assert r.content == "done slowly" and r.ephemeral and not r.message.loading
    await fake.wait_until(lambda: len(r.followups) == 1)
    assert r.followups[0].content == "second follow-up" and not r.followups[0].ephemeral


async def test_defer_then_edit_original(fake: FakeDiscord) -> None:
    r = await fake.slash("carol", "slowedit")
    assert r.type == 5 and not r.ephemeral
    await r.wait_final()
    assert r.content == "edited original"


async def test_button_on_ephemeral_message(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "secret")
    assert r.ephemeral and [b["label"] for b in r.message.buttons] == ["Reveal", "Later"]
    with pytest.raises(FakeDiscordError, match="ephemeral"):
        await fake.click("bob", r, "reveal")
    c = await fake.click("alice", r, "reveal")
    assert c.type == 7 and c.message.id == r.message.id
    assert r.content == "Revealed!" and r.components == []


async def test_button_on_channel_message_deferred_update(fake: FakeDiscord) -> None:
    await fake.slash("alice", "panel")
    panel = await fake.wait_for_message("general", lambda m: m.content == "panel")
    c = await fake.click("bob", panel, label="Later")
    assert c.type == 6 and c.deferred
    await c.wait_final()
    assert fake.message(panel.id).content == "Deferred edit"


async def test_persistent_dynamic_button_edits_channel_message(fake: FakeDiscord) -> None:
    await fake.slash("organizer", "announce", event_id=42)
    msg = await fake.wait_for_message("general", lambda m: m.content == "Event 42")
    assert msg.custom_ids == ["rsvp:v1:42"]
    r = await fake.click("alice", msg, "rsvp:v1:42")
    assert r.ephemeral and r.content == "RSVP counted for 42 by alice"
    await fake.wait_for_message("general", lambda m: m.id == msg.id and m.content == "RSVPs: 1")
    assert fake.message(msg.id).edit_count == 1


async def test_modal_open_and_submit(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "feedback")
    assert r.type == 9 and r.modal is not None and r.modal["title"] == "Feedback"
    with pytest.raises(FakeDiscordError, match="required"):
        await fake.submit_modal("alice", r, {"body": "no topic"})
    s = await fake.submit_modal("alice", r, {"topic": "Events", "body": "More please"})
    assert s.ephemeral and s.content == "Thanks for Events: More please"
    # by custom_id, from a button on an ephemeral message
    form = await fake.slash("bob", "formbutton")
    opened = await fake.click("bob", form, "open-form")
    assert opened.modal is not None
    s2 = await fake.submit_modal("bob", opened.modal["custom_id"], {"topic": "x"})
    assert s2.content == "Thanks for x: -"


async def test_modal_with_labels_selects_checkbox_and_file(fake: FakeDiscord) -> None:
    r = await fake.slash("carol", "profile")
    assert r.modal is not None and [c["type"] for c in r.modal["components"]] == [18] * 5
    s = await fake.submit_modal(
        "carol",
        r,
        {
            "bio": "Kotlin dev",
            "track": ["android"],
            "buddy": ["alice"],
            "public": True,
            "cv": [("cv.pdf", b"%PDF")],
        },
    )
    assert s.content == (
        "bio=Kotlin dev track=['android'] buddy=['alice'] public=True cv=['cv.pdf']"
    )


async def test_components_v2_message(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "card")
    m = r.message
    assert m is not None and m.flags & MessageFlags.IS_COMPONENTS_V2
    assert "I/O Extended" in r.text and m.components[0]["type"] == 17
    assert m.custom_ids == ["card:going"]


async def test_select_menus(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "pick")
    with pytest.raises(FakeDiscordError, match="no option"):
        await fake.select("alice", r, "pick", ["blue"])
    s = await fake.select("alice", r, "pick", ["green"])
    assert s.type == 7 and r.content == "picked green"
    r2 = await fake.slash("alice", "pick")
    s2 = await fake.select("alice", r2, "who", ["carol"])
    assert s2.content == "chose carol"


async def test_dm_and_closed_dms(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "dm", member="bob")
    assert r.content == "sent"
    dm = await fake.wait_for_dm("bob", lambda m: m.content == "hello from bot")
    assert fake.dms_to("bob") == [dm]
    picked = await fake.select("bob", dm, "pick", ["red"])  # a component in a DM
    assert picked.payload["context"] == 1 and "user" in picked.payload
    assert fake.message(dm.id).content == "picked red"
    fake.world.close_dms("carol")
    r = await fake.slash("alice", "dm", member="carol")
    assert r.content == "DMs closed (50007)"
    assert fake.dms_to("carol") == []


async def test_file_upload_and_attachment_option(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "file")
    assert r.files == {"hello.txt": b"hello file"}
    assert r.attachments[0].content_type == "text/plain"
    assert r.embed["title"] == "Report"
    up = await fake.slash("alice", "upload", attachment=("data.bin", b"abc"))
    assert up.content == "uploaded"
    msg = await fake.wait_for_message("general", lambda m: m.content.startswith("got data.bin"))
    assert msg.content == "got data.bin (3 bytes)" and msg.files == {"reversed.bin": b"cba"}
    assert any(a.filename == "reversed.bin" for a in fake.all_files())


async def test_limit_violation_is_recorded(fake: FakeDiscord) -> None:
    before = len(fake.limit_violations)
    r = await fake.slash("alice", "toolong")
    assert r.content == "limit hit 50035"
    v = fake.limit_violations[before]
    assert v.field == "content" and "2000" in v.message and v.method == "POST"


async def test_unknown_route_is_recorded(fake: FakeDiscord) -> None:
    r = await fake.slash("alice", "bogus")
    assert r.content == "404 0"
    assert fake.unknown_routes[-1].path == "/definitely/not/a/route"
    fake.unknown_routes.clear()


async def test_roles_threads_events_and_edits(fake: FakeDiscord, shared_bot: BotProcess) -> None:
    r = await fake.slash("alice", "grant", role="Volunteer")
    assert r.content == "granted Volunteer" and "Volunteer" in fake.member_roles("alice")
    await fake.wait_until(lambda: "roles of alice" in shared_bot.output(), what="member update")
    await fake.update_role("GDG Bot", permissions=0)  # the bot loses Manage Roles
    r = await fake.slash("bob", "grant", role="Organizer")
    assert r.content == "forbidden 50013" and "Organizer" not in fake.member_roles("bob")
    await fake.update_role("GDG Bot", permissions=P.BOT_DEFAULT)

    r = await fake.slash("organizer", "thread", member="carol", channel="mentorship")
    thread = fake.threads()[-1]
    assert r.content == f"thread {thread.id}" and thread.type == 12
    assert fake.thread_members(thread.id) == [fake.world.bot_user_id, fake.world.user("carol")]
    welcome = await fake.wait_for_message(thread.id)
    assert welcome.mentions["users"] == {fake.world.user("carol")}
    assert welcome.pings["users"] == set()  # AllowedMentions.none()

    r = await fake.slash("organizer", "event", name="I/O Extended")
    ev = fake.scheduled_events()[-1]
    assert r.content == f"event {ev.id}" and ev.location == "NUST, Islamabad"

    await fake.slash("alice", "edit", text="draft")
    msg = await fake.wait_for_message("general", lambda m: m.content == "draft (edited)")
    assert msg.history[0]["content"] == "draft"


async def test_gateway_events_reach_the_bot(fake: FakeDiscord, shared_bot: BotProcess) -> None:
    uid = await fake.add_member("dave")
    await fake.remove_member(uid)
    await fake.wait_for_message("general", lambda m: m.content == "bye dave")
    await fake.delete_role("Volunteer")
    await fake.wait_until(lambda: "role deleted: Volunteer" in shared_bot.output())
    cid = await fake.create_channel("temp")
    await fake.delete_channel(cid)
    await fake.wait_until(lambda: "channel deleted: temp" in shared_bot.output())
    # a message mentioning the bot reaches it even without the message-content intent
    await fake.post_message("alice", "general", f"<@{fake.world.bot_user_id}> hello")
    await fake.wait_for_message("general", lambda m: m.content.startswith("you said:"))


async def test_resume_after_drop_and_reconnect(fake: FakeDiscord, shared_bot: BotProcess) -> None:
    identifies = fake.gateway.identify_count
    resumes = fake.gateway.resume_count
    await fake.drop_connection()
    await fake.wait_for_resume(resumes + 1, timeout=20)
    assert (await fake.slash("alice", "ping")).content == "pong"
    await fake.send_reconnect()
    await fake.wait_for_resume(resumes + 2, timeout=20)
    assert fake.gateway.identify_count == identifies
    assert (await fake.slash("alice", "ping")).content == "pong"
    assert "/gateway-resume" in fake.gateway.urls_used[-1]
    await fake.invalidate_session(resumable=False)
    await fake.wait_for_identify(identifies + 1, timeout=20)
    await fake.wait_until(lambda: fake.gateway.latest_session().guilds_sent_at is not None)
    assert (await fake.slash("alice", "ping")).content == "pong"


async def test_no_answer_times_out_clearly(fake: FakeDiscord) -> None:
    with pytest.raises(InteractionTimeout, match="did not answer") as info:
        await fake.slash("alice", "nothing", timeout=0.5)
    assert "bot output" in str(info.value)


async def test_fault_injection(fake: FakeDiscord) -> None:
    rule = fake.faults.add("POST", r"/interactions/\d+/[^/]+/callback", status=500, times=1)
    r = await fake.slash("alice", "ping", timeout=6)  # discord.py retries 5xx after 1 s
    assert rule.hits == 1 and r.content == "pong"
    assert fake.unknown_routes == []
