"""/privacy export and /privacy delete across every feature, end to end: in the server,
and from a DM (also for a server the member has left)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.test_events import create

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
GUILD = 1000


def holds(store: StoreHandle, member_id: int) -> list[str]:
    """Every table.column (found as bot.privacy finds them) still holding the member in the
    guild, role syncs excepted (they take a role back, then delete themselves)."""
    from bot.privacy import is_member_column

    found = []
    for table in store.tables():
        for name, kind in store.columns(table):
            if not is_member_column(name, kind):
                continue
            extra = " AND kind <> 'role.sync'" if table == "outbox" else ""
            n = store.fetchval(
                f"SELECT COUNT(*) FROM {table} WHERE {name} = ?{extra}", (member_id,)
            )
            if n:
                found.append(f"{table}.{name}")
    return found


async def dm_commands_synced(fake: FakeDiscord) -> None:
    """Commands usable in DMs are global (guild commands never reach DMs)."""
    await fake.wait_until(
        lambda: any(c["name"] == "privacy" for c in fake.commands(None)),
        timeout=10,
        what="/privacy synced globally",
    )


def exported(result: Any) -> dict[str, Any]:
    (name, data), *_ = result.files.items()
    assert name.endswith(".json")
    return json.loads(data)


async def test_export_then_delete_everything(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Privacy Jam", capacity=1, questions="Your university?")
    form_c = await fake.click("carol", ann, label="Going")
    await fake.submit_modal("carol", form_c, {"q0": "NUST H-12"})
    form = await fake.click("alice", ann, label="Going")
    await fake.submit_modal("alice", form, {"q0": "FAST Lahore"})  # waitlisted
    form_b = await fake.click("bob", ann, label="Going")
    await fake.submit_modal("bob", form_b, {"q0": "LUMS"})  # waitlisted behind alice
    await fake.click("carol", ann, label="Can't go")  # alice gets the seat: a DM with her ticket
    await fake.slash("admin", "resource import-starter")
    choices = await fake.autocomplete("alice", "resource done", "resource", "crash")
    await fake.slash("alice", "resource done", resource=choices[0]["value"])
    await fake.slash("alice", "mentee request", topics="NLP", goal="A private goal 7731")
    ticket_dm = await fake.wait_for_dm(
        "alice", lambda m: "Privacy Jam" in m.text and "seat" in m.text, timeout=10
    )

    result = await fake.slash("alice", "privacy export")
    assert result.ephemeral
    mine = exported(result)
    assert mine["member_id"] == 2004 and mine["guild_id"] == GUILD
    assert "FAST Lahore" in json.dumps(mine["events"]["rsvps"])
    assert mine["events"]["event_tickets"] and mine["resources"]["resource_progress"]
    assert mine["mentorship"]["mentee_requests"][0]["goal"] == "A private goal 7731"
    assert [m["kind"] for m in mine["messages"]["outbox"]] == ["event.promoted"]
    assert "LUMS" not in json.dumps(mine)  # only alice's own data
    code = mine["events"]["event_tickets"][0]["code"]
    assert code in ticket_dm.text

    ask = await fake.slash("alice", "privacy delete")
    assert ask.ephemeral and "cannot be undone" in ask.content and "GDG Islamabad" in ask.content
    done = await fake.click("alice", ask, label="Delete my data")
    await fake.wait_until(lambda: "Done" in done.message.content, timeout=10)
    assert "Done. Removed:" in done.message.content and "1 RSVP(s)" in done.message.content
    assert "message(s)" in done.message.content
    # her seat went to bob, who is told
    await fake.wait_for_dm("bob", lambda m: "Privacy Jam" in m.content and "seat" in m.content)

    assert holds(store, 2004) == []
    assert store.fetchval("SELECT COUNT(*) FROM outbox WHERE payload LIKE ?", (f"%{code}%",)) == 0
    again = exported(await fake.slash("alice", "privacy export"))
    assert again["events"]["rsvps"] == [] and again["mentorship"]["mentee_requests"] == []
    assert again["messages"]["outbox"] == []


async def test_keep_it_deletes_nothing(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:

    await fake.slash("carol", "mentee request", topics="MLOps")
    before = store.dump()
    ask = await fake.slash("carol", "privacy delete")
    kept = await fake.click("carol", ask, label="Keep it")
    assert kept.message is not None and "Nothing was deleted" in kept.message.content
    assert store.dump() == before


async def test_a_member_who_left_exports_and_deletes_from_a_dm(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await dm_commands_synced(fake)
    uid = await fake.add_member("leaver")
    await fake.slash("leaver", "mentor join", topics="NLP", capacity=1)
    await fake.slash("leaver", "mentee request", topics="MLOps", goal="Private leaver goal")
    await fake.remove_member("leaver")

    choices = await fake.autocomplete("leaver", "privacy export", "server", "", dm=True)
    assert [c["value"] for c in choices] == [str(GUILD)]
    assert "GDG Islamabad" in choices[0]["name"]
    mine = exported(await fake.slash("leaver", "privacy export", dm=True, server=str(GUILD)))
    assert mine["member_id"] == uid and mine["guild_id"] == GUILD
    assert mine["mentorship"]["mentee_requests"][0]["goal"] == "Private leaver goal"
    # with data in one server only, the server may be left out
    only = exported(await fake.slash("leaver", "privacy export", dm=True))
    assert only["mentorship"]["mentor_profiles"] == mine["mentorship"]["mentor_profiles"]

    ask = await fake.slash("leaver", "privacy delete", dm=True, server=str(GUILD))
    assert "GDG Islamabad" in ask.content
    done = await fake.click("leaver", ask, label="Delete my data")
    await fake.wait_until(lambda: "Done" in done.message.content, timeout=10)
    assert "mentor profile" in done.message.content
    assert holds(store, uid) == []
    nothing = await fake.slash("leaver", "privacy export", dm=True)
    assert "I hold no data about you" in nothing.content and not nothing.files


async def test_bad_server_is_one_sentence_and_changes_nothing(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:

    await dm_commands_synced(fake)
    await fake.slash("bob", "mentee request", topics="MLOps")
    before = store.dump()
    typed = await fake.slash("bob", "privacy delete", dm=True, server="my server")
    assert typed.ephemeral and "Pick a server from the list" in typed.content
    unknown = await fake.slash("bob", "privacy export", dm=True, server="123456")
    assert "I hold no data about you in that server" in unknown.content and not unknown.files
    assert store.dump() == before
