"""Event roles end to end: roles that would hand out power are refused (at creation and
again at the moment of granting); the bot takes back only what it gave; a crash between
a seat change and its role change loses neither; drift is repaired at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, P, World
from bot.testing.store import StoreHandle
from tests.e2e.conftest import add_organizers_channel
from tests.e2e.test_events import create, event_id

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
ROLE_CHANGE = r"^/guilds/\d+/members/\d+/roles/\d+$"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    w = World.default()  # Volunteer 1, Organizer 2, Admin 3, the bot's role 4
    g = w.guild_id
    w.add_role("Attendee", guild=g, id=1150, position=1)
    w.add_role("Member", guild=g, id=1151, position=1)
    w.add_role("Moderator", guild=g, id=1152, position=1, permissions=P.KICK_MEMBERS)
    w.add_role("Pinger", guild=g, id=1153, position=1, permissions=P.MENTION_EVERYONE)
    w.add_role("Integration", guild=g, id=1154, position=1, managed=True, bot_id=9999)
    w.add_role("Senior", guild=g, id=1155, position=3)  # above the organizer's own role
    w.add_role("Top", guild=g, id=1156, position=9)  # above the bot's role
    w.add_role("Later Mod", guild=g, id=1157, position=1)
    w.guilds[g].members[w.user("alice")].roles.append(1151)  # alice holds Member already
    add_organizers_channel(w)
    async with FakeDiscord(w) as fd:
        yield fd


async def test_roles_that_hand_out_power_are_refused(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings organizer-role", options={"role": "Organizer"})
    await fake.slash("organizer", "settings show")  # the guild's defaults exist before the dump
    before = store.dump()
    for role, says in [
        ("@everyone", "every member already has it"),
        ("Integration", "belongs to a bot or an integration"),
        ("Moderator", "moderator or admin permissions (Kick Members)"),
        ("Pinger", "Mention @everyone"),
        ("Top", "at or above my own top role"),
        ("Senior", "at or above your own top role"),
    ]:
        refused = await fake.slash(
            "organizer",
            "event create",
            options={
                "title": f"Power {role}",
                "city": "Lahore",
                "starts": "tomorrow 18:00",
                "role": role,
            },
        )
        assert refused.ephemeral and says in refused.content, (role, refused.content)
        assert "Created" not in refused.content
        city = await fake.slash(
            "organizer", "settings city-edit", options={"name": "Lahore", "role": role}
        )
        assert says in city.content, (role, city.content)
    assert store.dump() == before
    # the server owner is above every role, so only the bot's own limits apply to them
    ok = await fake.slash(
        "owner",
        "event create",
        options={
            "title": "Owner Senior",
            "city": "Lahore",
            "starts": "tomorrow 18:00",
            "role": "Senior",
            "channel": "lahore-events",
        },
    )
    await ok.wait_final()
    assert "Created" in ok.text


async def test_only_what_the_bot_gave_is_taken_back(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Members Night", role="Member")
    await fake.click("alice", ann, label="Going")  # held Member before
    await fake.click("bob", ann, label="Going")
    await fake.wait_until(lambda: "Member" in fake.member_roles("bob"), timeout=10)
    await fake.click("alice", ann, label="Can't go")
    await fake.click("bob", ann, label="Can't go")
    await fake.wait_until(lambda: "Member" not in fake.member_roles("bob"), timeout=10)
    await asyncio.sleep(1)  # the deliverer has nothing else to do to alice
    assert "Member" in fake.member_roles("alice")


async def test_a_role_that_gained_power_is_not_handed_out(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    ann = await create(fake, "Later Power", role="Later Mod")
    await fake.slash("admin", "settings organizer-channel", options={"channel": "organizers"})
    await fake.update_role("Later Mod", permissions=P.BAN_MEMBERS)  # after the event exists
    going = await fake.click("carol", ann, label="Going")
    assert "You're in" in going.content  # the seat is hers; only the role is withheld
    notice = await fake.wait_for_message("organizers", lambda m: "<@&1157>" in m.text, timeout=10)
    assert "Ban Members" in notice.text
    assert "Later Mod" not in fake.member_roles("carol")


async def test_a_crash_between_seat_and_role_loses_neither(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    ann = await create(fake, "Crash Roles", role="Attendee")
    # Discord hangs on the grant; the bot is killed while it waits
    fake.faults.add("PUT", ROLE_CHANGE, status=503, delay=10)
    seen = len(fake.requests_to("PUT", ROLE_CHANGE))
    going = await fake.click("carol", ann, label="Going")
    assert "You're in" in going.content
    await fake.wait_until(lambda: len(fake.requests_to("PUT", ROLE_CHANGE)) > seen, timeout=10)
    bot.kill()
    await bot.wait(10)
    assert "Attendee" not in fake.member_roles("carol")
    await bot.start()
    await fake.wait_until(lambda: "Attendee" in fake.member_roles("carol"), timeout=15)

    fake.faults.add("DELETE", ROLE_CHANGE, status=503, delay=10)
    seen = len(fake.requests_to("DELETE", ROLE_CHANGE))
    left = await fake.click("carol", ann, label="Can't go")
    assert "given up your seat" in left.content
    await fake.wait_until(lambda: len(fake.requests_to("DELETE", ROLE_CHANGE)) > seen, timeout=10)
    bot.kill()
    await bot.wait(10)
    assert "Attendee" in fake.member_roles("carol")
    await bot.start()
    await fake.wait_until(lambda: "Attendee" not in fake.member_roles("carol"), timeout=15)


async def test_drift_is_repaired_at_start_up(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Drift Night", role="Attendee")
    await fake.click("bob", ann, label="Going")
    await fake.click("owner", ann, label="Going")
    await fake.wait_until(
        lambda: "Attendee" in fake.member_roles("bob") and "Attendee" in fake.member_roles("owner"),
        timeout=10,
    )
    await bot.stop()
    # While the bot was away: someone took bob's role, and owner's RSVP went away
    # (e.g. a restore from backup) while the role we gave stayed.
    g = fake.world.guilds[fake.world.guild_id]
    g.members[fake.world.user("bob")].roles.remove(1150)
    store.execute(
        "DELETE FROM rsvps WHERE event_id = ? AND user_id = ?",
        (int(event_id(ann)), fake.world.user("owner")),
    )
    await bot.start()
    await fake.wait_until(
        lambda: (
            "Attendee" in fake.member_roles("bob") and "Attendee" not in fake.member_roles("owner")
        ),
        timeout=15,
    )


async def test_cancel_takes_roles_back(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Cancelled Roles", role="Attendee")
    await fake.click("carol", ann, label="Going")
    await fake.wait_until(lambda: "Attendee" in fake.member_roles("carol"), timeout=10)
    done = await fake.slash("admin", "event cancel", event=event_id(ann))
    await done.wait_final()
    assert "1 member(s) going or waitlisted" in done.text
    await fake.wait_until(lambda: "Attendee" not in fake.member_roles("carol"), timeout=10)


async def test_delete_my_data_takes_back_the_roles_the_bot_gave(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Forget Roles", role="Attendee")
    await fake.click("bob", ann, label="Going")
    await fake.wait_until(lambda: "Attendee" in fake.member_roles("bob"), timeout=10)
    ask = await fake.slash("bob", "privacy delete")
    done = await fake.click("bob", ask, label="Delete my data")
    await fake.wait_until(lambda: "Done" in done.message.content, timeout=10)
    await fake.wait_until(lambda: "Attendee" not in fake.member_roles("bob"), timeout=10)
    bob = fake.world.user("bob")

    def left() -> list[tuple[object, ...]]:
        return store.fetchall(
            "SELECT 'outbox', id FROM outbox WHERE user_id = ?1"
            " UNION ALL SELECT 'role_grants', role_id FROM role_grants WHERE user_id = ?1",
            (bob,),
        )

    for _ in range(100):  # the store changes without a request to wake a waiter: poll
        if not left():
            break
        await asyncio.sleep(0.1)
    assert left() == [], "nothing of bob stays once the role is taken back"
