"""The message catalogue (bot/i18n.py) and who reads which language (bot/languages.py).

The Urdu here comes from a tiny catalogue written for the test (LOCALE_DIR pointed at a
temporary directory), so the tests don't depend on the real translations' wording.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import i18n
from bot.db import Database
from bot.errors import InvalidInput
from bot.guilds import GuildSettings
from bot.i18n import FSI, N_, PDI, _, _n, in_language, speaking, strip_marks
from bot.languages import Languages, resolve
from bot.schedules import parse_schedule
from bot.timeutil import parse_offsets, parse_when

G, OTHER_GUILD = 1000, 2000
ALI, SARA, BILAL = 11, 12, 13

PO = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: ur\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Settings"
msgstr "سیٹنگز"

msgid "You're going to **{title}**."
msgstr "آپ **{title}** میں جا رہے ہیں۔"

msgid "Open {url} or ask {member} before {when}."
msgstr "{when} سے پہلے {url} کھولیں یا {member} سے پوچھیں۔"

msgid "{n} seat"
msgid_plural "{n} seats"
msgstr[0] "{n} سیٹ"
msgstr[1] "{n} سیٹیں"

msgid "Seats: {taken} of {capacity}"
msgstr "سیٹیں: {capacity} میں سے {taken}"
"""


@pytest.fixture(autouse=True)
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A tiny Urdu catalogue in place of the real one, compiled afresh for each test."""
    po = tmp_path / "locale" / "ur" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO.lstrip(), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.translations.cache_clear()
    yield po
    i18n.translations.cache_clear()  # the next test (or module) reads the real catalogue


def isolated(text: str) -> str:
    return f"{FSI}{text}{PDI}"


# --- _() and friends ---------------------------------------------------------------------
def test_english_is_the_source_text_with_its_placeholders_filled() -> None:
    assert i18n.current() == "en"
    assert _("Settings") == "Settings"
    assert _("You're going to **{title}**.", title="Data Day") == "You're going to **Data Day**."
    assert FSI not in _("You're going to **{title}**.", title="Data Day")


def test_urdu_comes_from_the_catalogue() -> None:
    with speaking("ur"):
        assert i18n.current() == "ur"
        assert _("Settings") == "سیٹنگز"
        assert _("Seats: {taken} of {capacity}", taken=3, capacity=8) == "سیٹیں: 8 میں سے 3"


def test_urdu_isolates_text_placeholders_but_not_numbers() -> None:
    with speaking("ur"):
        said = _("You're going to **{title}**.", title="Data Day")
    assert said == f"آپ **{isolated('Data Day')}** میں جا رہے ہیں۔"
    assert strip_marks(said) == "آپ **Data Day** میں جا رہے ہیں۔"


def test_urls_mentions_and_timestamps_are_never_wrapped() -> None:
    params = {"url": "https://example.org/x", "member": "<@1>", "when": "<t:1:R>"}
    with speaking("ur"):
        said = _("Open {url} or ask {member} before {when}.", **params)
    assert said == "<t:1:R> سے پہلے https://example.org/x کھولیں یا <@1> سے پوچھیں۔"
    assert FSI not in said and PDI not in said


def test_a_message_missing_from_the_catalogue_falls_back_to_english() -> None:
    with speaking("ur"):
        said = _("Nobody translated {this} yet.", this="line")
    assert said == f"Nobody translated {isolated('line')} yet."


def test_n_picks_the_singular_or_the_plural() -> None:
    assert _n("{n} seat", "{n} seats", 1, n=1) == "1 seat"
    assert _n("{n} seat", "{n} seats", 3, n=3) == "3 seats"
    with speaking("ur"):
        assert _n("{n} seat", "{n} seats", 1, n=1) == "1 سیٹ"
        assert _n("{n} seat", "{n} seats", 3, n=3) == "3 سیٹیں"


def test_n_marks_without_translating() -> None:
    constant = N_("Settings")
    assert constant == "Settings"
    with speaking("ur"):
        assert N_("Settings") == "Settings" and _(constant) == "سیٹنگز"


def test_in_language_speaks_it_for_one_message_only() -> None:
    assert in_language("ur", "Settings") == "سیٹنگز"
    assert in_language("en", "Settings") == "Settings"
    assert i18n.current() == "en"


def test_strip_marks_removes_every_bidi_mark() -> None:
    marked = "\u2068T-7Q2\u2069 \u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067ok"
    assert strip_marks(marked) == "T-7Q2 ok"
    assert strip_marks("اردو and English") == "اردو and English"


def test_speaking_restores_the_language_before_it() -> None:
    with speaking("ur"):
        with speaking("en"):
            assert _("Settings") == "Settings"
        assert _("Settings") == "سیٹنگز"
        with pytest.raises(RuntimeError), speaking("en"):
            raise RuntimeError("boom")
        assert i18n.current() == "ur"
    assert i18n.current() == "en"


def test_an_unknown_language_is_spoken_as_english() -> None:
    with speaking("fr"):
        assert i18n.current() == "en"
        assert _("Settings") == "Settings"


async def test_use_sets_the_language_for_the_rest_of_the_task() -> None:
    i18n.use("ur")  # a test runs in its own task: this does not leak into the next test
    assert _("Settings") == "سیٹنگز"
    i18n.use("klingon")
    assert i18n.current() == "en"


# --- what members copy out of an Urdu message still parses ----------------------------------
def test_parsers_ignore_marks_around_what_was_copied() -> None:
    tz = ZoneInfo("Asia/Karachi")
    now = datetime(2026, 7, 1, tzinfo=UTC)
    assert parse_when(isolated("2026-07-26 10:00"), tz, now) == parse_when(
        "2026-07-26 10:00", tz, now
    )
    assert parse_schedule(isolated("weekly mon,thu 18:00"), tz).text == "weekly mon,thu 18:00"
    assert parse_offsets(isolated("24h,1h")) == [86400, 3600]


# --- bot.languages ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ur", "ur"),
        ("Urdu", "ur"),
        ("urdu ", "ur"),
        ("اردو", "ur"),
        ("English", "en"),
        ("en", "en"),
    ],
)
def test_resolve_accepts_codes_and_names(name: str, code: str) -> None:
    assert resolve(name) == code


def test_resolve_refuses_a_language_it_does_not_speak() -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve("French")
    assert str(refused.value) == (
        "“French” is not a language I speak. Choose one of: English, اردو (Urdu)."
    )


async def test_a_members_choice_beats_the_servers_default(db: Database) -> None:
    languages = Languages(db)
    await GuildSettings(db).ensure(G)
    assert await languages.of_server(G) == "en"  # the default
    assert await languages.of_member(G, ALI) == "en"
    assert await languages.member_choice(G, ALI) is None

    assert await languages.set_server(G, "Urdu") == "ur"
    assert await languages.of_server(G) == "ur"
    assert await languages.of_member(G, ALI) == "ur"  # chose none: the server's

    assert await languages.set_member(G, ALI, "English") == "en"
    assert await languages.of_member(G, ALI) == "en"  # their own choice wins
    assert await languages.member_choice(G, ALI) == "en"
    assert await languages.set_member(G, ALI, "ur") == "ur"  # and can change again
    assert await languages.of_member(G, ALI) == "ur"

    with pytest.raises(InvalidInput):
        await languages.set_member(G, SARA, "French")
    assert await languages.member_choice(G, SARA) is None


async def test_unknown_servers_and_dms_are_english(db: Database) -> None:
    languages = Languages(db)
    assert await languages.of_server(OTHER_GUILD) == "en"  # never seen
    assert await languages.of_member(OTHER_GUILD, ALI) == "en"
    assert await languages.of_server(None) == "en"  # a DM
    assert await languages.of_member(None, ALI) == "en"


async def test_a_choice_is_kept_per_server(db: Database) -> None:
    languages = Languages(db)
    for guild in (G, OTHER_GUILD):
        await GuildSettings(db).ensure(guild)
    await languages.set_member(G, ALI, "ur")
    assert await languages.of_member(G, ALI) == "ur"
    assert await languages.of_member(OTHER_GUILD, ALI) == "en"


async def test_of_members_answers_for_many_at_once(db: Database) -> None:
    languages = Languages(db)
    await GuildSettings(db).ensure(G)
    assert await languages.of_members(G, []) == {}
    await languages.set_server(G, "ur")
    await languages.set_member(G, SARA, "en")
    found = await languages.of_members(G, [ALI, SARA, BILAL, ALI])
    assert found == {ALI: "ur", SARA: "en", BILAL: "ur"}


async def test_a_choice_is_exported_and_deleted_with_the_members_data(db: Database) -> None:
    languages = Languages(db)
    await GuildSettings(db).ensure(G)
    await languages.set_member(G, ALI, "ur")
    exported = await languages.export_member_data(G, ALI)
    assert exported == {"member_languages": [{"guild_id": G, "user_id": ALI, "language": "ur"}]}
    assert await languages.delete_member_data(G, ALI) == 1
    assert await languages.member_choice(G, ALI) is None
    assert await languages.export_member_data(G, ALI) == {"member_languages": []}


async def test_in_a_dm_the_member_reads_the_language_they_chose_everywhere(db: Database) -> None:
    languages = Languages(db)
    for guild in (1, 2):
        await db.execute("INSERT INTO guilds(guild_id) VALUES (?)", (guild,))
    assert await languages.of_member(None, 7) == "en"  # chose nothing
    await languages.set_member(1, 7, "ur")
    assert await languages.of_member(None, 7) == "ur"
    await languages.set_member(2, 7, "en")
    assert await languages.of_member(None, 7) == "en"  # two different choices: English
    await languages.set_member(2, 7, "ur")
    assert await languages.of_member(None, 7) == "ur"


def test_a_placeholder_inside_a_code_span_is_not_isolated() -> None:
    with i18n.speaking("ur"):
        text = i18n._("`/{name}` — {what}", name="event create", what="Lahore")
    assert text == f"`/event create` — {i18n.FSI}Lahore{i18n.PDI}"


def test_unwrap_removes_only_the_pair_of_marks_around_a_copied_title() -> None:
    wrapped = f" {i18n.FSI}Study Jam{i18n.PDI} "
    assert i18n.unwrap(wrapped) == "Study Jam"
    assert i18n.unwrap("\u200eStudy Jam") == "\u200eStudy Jam"  # a member's own mark stays
    assert i18n.unwrap(i18n.FSI) == i18n.FSI


async def test_languages_are_read_once_and_another_process_is_seen_within_the_reread(
    db: Database,
) -> None:
    """Lookups come from memory (a click must not wait for a query); a change made here
    is seen at once, one made by another process (shard) after REREAD_SECONDS."""
    from bot import languages as module

    await db.execute("INSERT INTO guilds(guild_id) VALUES (5)")
    now = [1000.0]
    here, there = Languages(db, clock=lambda: now[0]), Languages(db, clock=lambda: now[0])
    assert await here.of_member(5, 1) == "en"
    await there.set_member(5, 1, "ur")
    await there.set_server(5, "ur")
    assert await there.of_member(5, 1) == "ur" and await there.of_member(5, 2) == "ur"
    assert await here.of_member(5, 1) == "en"  # read before the change, not yet stale
    now[0] += module.REREAD_SECONDS
    assert await here.of_member(5, 1) == "en"  # stale: answered at once, read again behind
    for _attempt in range(50):
        await asyncio.sleep(0.01)
        if await here.of_member(5, 1) == "ur":
            break
    assert await here.of_member(5, 1) == "ur" and await here.of_server(5) == "ur"
    await here.delete_member_data(5, 1)
    assert await here.of_member(5, 1) == "ur"  # the server's default now
    assert await here.of_members(5, [1, 3]) == {1: "ur", 3: "ur"}
