"""Who may do what, generated from the synced command tree: every command not known to be
for members is organizer-only, and a plain member (and a volunteer, except for check-in
and its door link) is refused with a clear message and changes nothing in the database.

A new command is organizer-only here until it is added to MEMBER_COMMANDS, so this test
fails for any member command nobody classified. Organizer-only *buttons* (the resource
review) live only in the organizer's own ephemeral message, which Discord shows to nobody
else: a member cannot click them (the fake refuses it as Discord would).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.conftest import assert_no_personal_data_in_public

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

MEMBER_COMMANDS = {
    "help",
    "settings show",
    "language set",
    *(
        f"event {c}"
        for c in ("list", "info", "rsvp", "leave", "mine", "reminders", "ticket", "calendar")
    ),
    # a member's /resource add becomes a suggestion in the review queue
    *(f"resource {c}" for c in ("add", "suggest", "search", "list", "done", "progress", "next")),
    *(f"mentor {c}" for c in ("join", "pause", "resume", "leave", "profile", "list")),
    "mentee request",
    "mentee cancel",
    "mentorship status",
    "mentorship end",
    "privacy export",
    "privacy delete",
}
VOLUNTEER_COMMANDS = {"event checkin", "event door"}
# Right-click commands (context menus), by name: for everyone (each checked by its
# feature), or for volunteers and organizers (members are refused).
MEMBER_MENUS = {"Suggest as resource", "Mentor profile"}
VOLUNTEER_MENUS = {"Check in"}
# settings that decide who holds power need Manage Server itself
MANAGE_ONLY = "Only members with the Manage Server permission"
# a value of each option type that Discord would accept (the check runs before the body)
SAMPLE = {3: "1", 4: 1, 5: True, 6: "bob", 7: "general", 8: "Volunteer", 10: 1.0}


def leaf_commands(fake: FakeDiscord) -> dict[str, list[dict[str, Any]]]:
    """Every invocable slash command path with its options, from what the bot synced."""
    found: dict[str, list[dict[str, Any]]] = {}

    def walk(prefix: str, options: list[dict[str, Any]]) -> None:
        subs = [o for o in options if o["type"] in (1, 2)]
        if not subs:
            found[prefix] = options
        for sub in subs:
            walk(f"{prefix} {sub['name']}", sub.get("options", []))

    for command in fake.commands():
        if command.get("type", 1) == 1:  # slash commands; context menus are below
            walk(command["name"], command.get("options", []))
    return found


def menus(fake: FakeDiscord) -> set[str]:
    return {c["name"] for c in fake.commands() if c.get("type", 1) != 1}


def sample_options(options: list[dict[str, Any]]) -> dict[str, Any]:
    values = {}
    for option in options:
        if not option.get("required"):
            continue
        if option.get("choices"):
            values[option["name"]] = option["choices"][0]["value"]
        else:
            values[option["name"]] = option.get("min_value", SAMPLE[option["type"]])
    return values


async def test_every_member_command_exists(bot: BotProcess, fake: FakeDiscord) -> None:
    missing = MEMBER_COMMANDS - set(leaf_commands(fake))
    assert not missing, f"classified but not synced: {missing}"


async def test_every_context_menu_is_classified_and_members_get_theirs(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    assert menus(fake) == MEMBER_MENUS | VOLUNTEER_MENUS
    posted = await fake.post_message("bob", "general", "see https://ai.google.dev/gemma")
    for menu in (c for c in fake.commands() if c.get("type", 1) != 1):
        assert menu["default_member_permissions"] is None
        assert menu["contexts"] == [0]  # servers only
        if menu["name"] not in MEMBER_MENUS:
            continue
        if menu["type"] == 2:
            done = await fake.user_menu("alice", menu["name"], target="bob")
        else:
            done = await fake.message_menu("alice", menu["name"], message=posted.id)
        await done.wait_final()
        assert done.ephemeral and done.text


async def test_members_are_refused_the_volunteers_context_menus(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("alice", "settings show")  # the guild's defaults exist before the dump
    before = store.dump()
    for name in sorted(VOLUNTEER_MENUS):
        result = await fake.user_menu("alice", name, target="bob")
        assert result.ephemeral and result.content.startswith("Only organizers"), (name, result)
    assert store.dump() == before


async def test_members_are_refused_every_organizer_command(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("alice", "settings show")  # the guild's defaults exist before the dump
    commands = leaf_commands(fake)
    organizer_only = sorted(set(commands) - MEMBER_COMMANDS)
    assert len(organizer_only) >= 30
    before = store.dump()
    for path in organizer_only:
        result = await fake.slash("alice", path, options=sample_options(commands[path]))
        assert result.ephemeral, path
        assert result.content.startswith(("Only organizers", MANAGE_ONLY)), (path, result.content)
    assert store.dump() == before


async def test_volunteers_may_check_in_and_nothing_more(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("door_volunteer", roles=["Volunteer"])
    await fake.slash("admin", "settings volunteer-role", options={"role": "Volunteer"})
    commands = leaf_commands(fake)
    before = store.dump()
    for path in sorted(set(commands) - MEMBER_COMMANDS - VOLUNTEER_COMMANDS):
        result = await fake.slash("door_volunteer", path, options=sample_options(commands[path]))
        refusals = ("Only organizers can do this", MANAGE_ONLY)
        assert result.content.startswith(refusals), (path, result.content)
    assert store.dump() == before
    allowed = await fake.slash(
        "door_volunteer", "event checkin", event="999", options={"member": "bob"}
    )
    assert "There is no event #999" in allowed.content  # past the permission check
    menu = await fake.user_menu("door_volunteer", "Check in", target="bob")
    assert "No event is open for check-in now" in menu.content  # past the permission check
    door = await fake.slash("door_volunteer", "event door", event="999")
    assert "There is no event #999" in door.content  # the door page's link, too


async def test_the_public_message_scan_catches_a_leak(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    from tests.e2e.conftest import personal_data

    # a goal nobody (user 42 is no member) told the bot, taken out again at the end
    store.execute(
        "INSERT INTO mentee_requests(guild_id, user_id, status, topics, goal,"
        " created_at, updated_at) VALUES (1000, 42, 'open', '[]', 'secret goal 99', 0, 0)"
    )
    try:
        assert "secret goal 99" in personal_data(store)
        await fake.post_message("alice", "general", "my goal: secret goal 99")
        for message in fake.world.messages.values():  # make it look like the bot's own post
            if "secret goal 99" in message.content:
                message.author_id = fake.world.bot_user_id
        with pytest.raises(AssertionError, match="secret goal 99"):
            assert_no_personal_data_in_public(fake, store)
        for message in fake.world.messages.values():
            if "secret goal 99" in message.content:
                message.deleted = True
    finally:
        store.execute("DELETE FROM mentee_requests WHERE user_id = 42 AND guild_id = 1000")
