"""The foundation end to end: start-up, sync, /settings, /help, restart, shutdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.test_cli import run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
MANAGE_ONLY = "Only members with the Manage Server permission"
REFUSAL = "Only organizers can do this"


async def test_startup_logs_each_step_and_syncs_every_command(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    out = bot.output()
    for step in (
        "database opened",
        "migrations:",
        "cogs loaded: ",
        "persistent views registered",
        "scheduler started",
        "commands synced to guild 1000",
    ):
        assert step in out, f"missing start-up log line {step!r}"
    loaded = out.split("cogs loaded: ")[1].splitlines()[0].split(", ")
    assert {"events", "help", "settings", "mentorship"} <= set(loaded)
    names = {c["name"] for c in fake.commands()}
    assert {"settings", "help", "event", "mentor", "mentee", "mentorship"} <= names
    settings = next(c for c in fake.commands() if c["name"] == "settings")
    assert settings.get("default_member_permissions") is None  # visible; the bot checks
    assert fake.unknown_routes == []


async def test_settings_show_is_for_everyone(bot: BotProcess, fake: FakeDiscord) -> None:
    result = await fake.slash("alice", "settings show")
    assert result.ephemeral
    text = result.text
    assert "Asia/Karachi" in text and "Islamabad" in text and "Lahore" in text
    assert "Reminders before start" in text and "24h,1h" in text


async def test_timezone_set_and_unknown_refused(bot: BotProcess, fake: FakeDiscord) -> None:
    ok = await fake.slash("admin", "settings timezone", name="europe/london")
    assert ok.ephemeral and "Europe/London" in ok.content
    bad = await fake.slash("admin", "settings timezone", name="Asia/Karachy")
    assert bad.ephemeral and "Did you mean Asia/Karachi?" in bad.content
    assert "Europe/London" in (await fake.slash("admin", "settings show")).text
    back = await fake.slash("admin", "settings timezone", name="Asia/Karachi")
    assert "Asia/Karachi" in back.content


async def test_timezone_autocomplete(bot: BotProcess, fake: FakeDiscord) -> None:
    choices = await fake.autocomplete("admin", "settings timezone", "name", "karac")
    assert choices and choices[0]["value"] == "Asia/Karachi"


async def test_city_lifecycle_and_bad_inputs(bot: BotProcess, fake: FakeDiscord) -> None:
    added = await fake.slash(
        "admin", "settings city-add", name="Karachi", options={"channel": "general"}
    )
    assert "Added **Karachi**" in added.content and "<#1201>" in added.content
    twice = await fake.slash("admin", "settings city-add", name="karachi")
    assert "already one of this server's cities" in twice.content
    assert "city-edit" in twice.content
    choices = await fake.autocomplete("admin", "settings city-edit", "name", "kar")
    assert [c["value"] for c in choices] == ["Karachi"]
    edited = await fake.slash(
        "admin", "settings city-edit", name="KARACHI", options={"role": "Volunteer"}
    )
    assert "Updated **Karachi**" in edited.content and "<@&1101>" in edited.content
    missing = await fake.slash("admin", "settings city-remove", name="Peshawar")
    assert "no city called “Peshawar”" in missing.content and "Karachi" in missing.content
    removed = await fake.slash("admin", "settings city-remove", name="karachi")
    assert "Removed **Karachi**" in removed.content
    assert "Karachi —" not in (await fake.slash("admin", "settings show")).text


async def test_announcements_and_reminders_settings(bot: BotProcess, fake: FakeDiscord) -> None:
    res = await fake.slash("admin", "settings announcements", options={"channel": "announcements"})
    assert "<#1202>" in res.content
    rem = await fake.slash("admin", "settings reminders", offsets="2d,3h")
    assert "2d,3h" in rem.content
    bad = await fake.slash("admin", "settings reminders", offsets="soon")
    assert bad.ephemeral and "soon" in bad.content
    assert "2d,3h" in (await fake.slash("admin", "settings show")).text
    await fake.slash("admin", "settings reminders", offsets="24h,1h")


async def test_organizer_role_grants_organizer_commands(bot: BotProcess, fake: FakeDiscord) -> None:
    before = await fake.slash("organizer", "settings city-add", name="Multan")
    assert REFUSAL in before.content
    res = await fake.slash("admin", "settings organizer-role", options={"role": "Organizer"})
    assert "<@&1102>" in res.content
    after = await fake.slash("organizer", "settings city-add", name="Multan")
    assert "Added **Multan**" in after.content
    await fake.slash("organizer", "settings city-remove", name="Multan")


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("settings organizer-role", {"role": "Volunteer"}),
        ("settings timezone", {"name": "UTC"}),
        ("settings announcements", {"channel": "general"}),
        ("settings city-add", {"name": "Quetta"}),
        ("settings city-edit", {"name": "Lahore", "channel": "general"}),
        ("settings city-remove", {"name": "Lahore"}),
        ("settings reminders", {"offsets": "1h"}),
    ],
)
async def test_members_are_refused_and_nothing_changes(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle, command: str, options: dict
) -> None:
    before = store.dump()
    result = await fake.slash("alice", command, options=options)
    assert result.ephemeral
    # who counts as an organizer is decided by Manage Server alone, not the organizer role
    refusal = MANAGE_ONLY if command == "settings organizer-role" else REFUSAL
    assert refusal in result.content and "Manage Server" in result.content
    assert store.dump() == before


async def help_pages(fake: FakeDiscord) -> list[str]:
    """Every page of /help, turned with Next (which edits the one message)."""
    result = await fake.slash("alice", "help")
    assert result.ephemeral
    pages = [result.text]
    while result.message is not None and any(
        b.get("label") == "Next" and not b.get("disabled")
        for row in result.components
        for b in row.get("components", [])
    ):
        result = await fake.click("alice", result.message, label="Next")
        pages.append(result.text)
    return pages


async def test_help_lists_every_command_by_feature(bot: BotProcess, fake: FakeDiscord) -> None:
    text = "\n".join(await help_pages(fake))
    for line in (
        "/settings timezone",
        "/settings city-add",
        "/event create",
        "/event rsvp",
        "/help",
    ):
        assert line in text
    assert "**Settings**" in text and "**Events**" in text


async def test_help_ends_with_the_right_click_menus(bot: BotProcess, fake: FakeDiscord) -> None:
    pages = await help_pages(fake)
    last = pages[-1]
    assert "**Right-click menus**" in last
    assert "**Suggest as resource** — right-click a message → Apps" in last
    assert "**Check in** — right-click a member → Apps" in last


async def test_settings_survive_a_restart(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.slash("admin", "settings city-add", name="Faisalabad")
    await bot.restart()
    assert "Faisalabad" in (await fake.slash("alice", "settings show")).text
    await fake.slash("admin", "settings city-remove", name="Faisalabad")


async def test_sigterm_shuts_down_cleanly(fake: FakeDiscord, fresh_store: StoreHandle) -> None:
    proc = BotProcess(fake, fresh_store.path, extra_env=fresh_store.env())
    await proc.start()
    code = await proc.stop()
    assert code == 0
    out = proc.output()
    assert "shutdown requested" in out and "database closed" in out
    assert "Traceback" not in out


async def test_migrate_and_backup_need_no_token(
    bot: BotProcess, store: StoreHandle, tmp_path: Path
) -> None:
    env = store.env()
    copy = tmp_path / "copy.sqlite3"
    res = await asyncio.to_thread(run_cli, "backup", str(copy), env=env, cwd=tmp_path)
    if store.kind == "sqlite":
        # backup of the live database while the bot runs
        assert res.returncode == 0 and "integrity check: ok" in res.stdout
        assert StoreHandle.sqlite(copy).fetchval("SELECT COUNT(*) FROM guilds") >= 1
    else:
        # PostgreSQL has its own tool for a consistent copy of a live database
        assert res.returncode == 2 and "pg_dump" in res.stderr and not copy.exists()
    # the live store is up to date already
    live = await asyncio.to_thread(run_cli, "migrate", env=env, cwd=tmp_path)
    assert live.stdout.startswith("0 migration(s) applied"), live.stderr
    fresh = tmp_path / "fresh" / "new.sqlite3"
    res = await asyncio.to_thread(
        run_cli, "migrate", env={"DATABASE_PATH": str(fresh), "DATABASE_URL": ""}, cwd=tmp_path
    )
    assert res.returncode == 0 and "migration(s) applied" in res.stdout
    again = await asyncio.to_thread(
        run_cli, "migrate", env={"DATABASE_PATH": str(fresh), "DATABASE_URL": ""}, cwd=tmp_path
    )
    assert again.stdout.startswith("0 migration(s) applied")
