"""Export and delete cover every column that holds a member id, found from the schema.

The columns are not listed here: `bot.privacy.member_columns` reads every table of the
migrated schema (an INTEGER column named user_id, or ending in _id or _by, unless it is
a guild, channel, role, message or other non-member id). Each one is a test case. A table
or column added later shows up as a new case, which fails until the seed below puts a
member in it and some feature's export_member_data / delete_member_data covers it.

Every case seeds two guilds with the same member, exports and deletes in one of them,
and checks: every row holding the member there is in the export (found by its key), the
other guild's rows are not; after the delete no row there holds the member (role syncs
excepted: they take a role back and delete themselves), the other guild's rows stay.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from bot import privacy
from bot.db import Database, find_migrations
from bot.events import EventService
from bot.guilds import GuildSettings
from bot.mentorship import MentorshipService
from bot.resources.service import ResourceService
from bot.taxonomy import Taxonomy

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G, G2 = 900, 901
MEMBER, OTHER = 7001, 7002
T = 1_780_000_000


def _schema_columns() -> list[tuple[str, str]]:
    """The member columns of the shipped schema, for the parametrisation."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in find_migrations():
            conn.executescript(migration.path.read_text(encoding="utf-8"))
        found = []
        tables = conn.execute("SELECT name FROM pragma_table_list WHERE type = 'table'")
        for (table,) in sorted(tables.fetchall()):
            if table.startswith("sqlite_"):
                continue
            for name, kind in conn.execute(
                "SELECT name, type FROM pragma_table_info(?)", (table,)
            ).fetchall():
                if privacy.is_member_column(name, kind or ""):
                    found.append((table, name))
        return found
    finally:
        conn.close()


MEMBER_COLUMNS = _schema_columns()


async def seed(db: Database, g: int) -> None:
    """One guild where MEMBER appears in every member column known today (as the
    attendee and as the volunteer, as mentor and as mentee, …), beside OTHER."""
    ex = db.execute
    await ex("INSERT INTO guilds(guild_id) VALUES (?) ON CONFLICT DO NOTHING", (g,))
    ev = "INSERT INTO events(guild_id, title, city, starts_at, ends_at, organizer_id, created_at, updated_at) VALUES (?, ?, 'Lahore', ?, ?, ?, ?, ?)"  # noqa: E501
    mine = await db.insert(ev, (g, "Organized by the member", T, T + 3600, MEMBER, T, T))
    theirs = await db.insert(ev, (g, "Attended by the member", T, T + 3600, OTHER, T, T))
    series = (
        "INSERT INTO event_series(guild_id, rule, first_local, tz, duration, title, city,"
        " organizer_id, created_at, updated_at)"
        " VALUES (?, 'weekly', '2027-01-09T10:00', 'Asia/Karachi', 3600, ?, 'Lahore', ?, ?, ?)"
    )
    await ex(series, (g, "Series by the member", MEMBER, T, T))
    await ex(series, (g, "Series by another", OTHER, T, T))
    seq = await db.fetchval("SELECT value FROM rsvp_seq")
    await ex(
        "INSERT INTO rsvps(event_id, user_id, status, seq, created_at, answers)"
        " VALUES (?, ?, 'going', ?, ?, '[[\"Uni?\", \"FAST\"]]')",
        (theirs, MEMBER, seq + 1, T),
    )
    await ex(
        "INSERT INTO rsvps(event_id, user_id, status, seq, created_at)"
        " VALUES (?, ?, 'going', ?, ?)",
        (mine, OTHER, seq + 2, T),
    )
    await ex(
        "INSERT INTO event_tickets(code, event_id, user_id, issued_at) VALUES (?, ?, ?, ?)",
        (f"MEMB-{g}", theirs, MEMBER, T),
    )
    checkin = (
        "INSERT INTO event_checkins(event_id, user_id, checked_in_at, by_user_id, code, walk_in)"
        " VALUES (?, ?, ?, ?, ?, 0)"
    )
    await ex(checkin, (theirs, MEMBER, T, OTHER, f"MEMB-{g}"))  # the member came
    await ex(checkin, (mine, OTHER, T, MEMBER, f"OTHR-{g}"))  # the member checked OTHER in
    await ex(
        "INSERT INTO event_feedback(event_id, user_id, rating, comment, created_at)"
        " VALUES (?, ?, 4, 'Loved it', ?)",
        (theirs, MEMBER, T),
    )
    await ex(
        "INSERT INTO event_member_prefs(guild_id, user_id, reminder_dms) VALUES (?, ?, 0)",
        (g, MEMBER),
    )
    await ex(
        "INSERT INTO role_grants(guild_id, role_id, user_id, granted_at) VALUES (?, ?, ?, ?)",
        (g, 7001, MEMBER, T),
    )
    language = "INSERT INTO member_languages(guild_id, user_id, language) VALUES (?, ?, ?)"
    await ex(language, (g, MEMBER, "ur"))
    await ex(language, (g, OTHER, "en"))

    res = (
        "INSERT INTO resources(guild_id, url, url_canonical, title, topic, level, status,"
        " suggested_by, added_by, reviewed_by, note, created_at, approved_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    await ex(res, (g, "https://a.example", "a.example", "Suggested", None, None, "pending",
                   MEMBER, None, None, "my note", T, None))  # fmt: skip
    await ex(res, (g, "https://b.example", "b.example", "Added", "NLP", "beginner", "approved",
                   None, MEMBER, None, None, T, T))  # fmt: skip
    done = await db.insert(res, (g, "https://c.example", "c.example", "Reviewed", "NLP", "beginner",
                          "approved", OTHER, None, MEMBER, "their note", T, T))  # fmt: skip
    await ex(
        "INSERT INTO resource_progress(guild_id, user_id, resource_id, done_at)"
        " VALUES (?, ?, ?, ?)",
        (g, MEMBER, done, T),
    )
    await ex(
        "INSERT INTO resource_topics(guild_id, name, name_key, created_by) VALUES (?, ?, ?, ?)",
        (g, "Member topic", "member topic", MEMBER),
    )
    await ex(
        "INSERT INTO resource_autoposts(guild_id, channel_id, schedule, created_by, created_at)"
        " VALUES (?, 55, 'daily 10:00', ?, ?)",
        (g, MEMBER, T),
    )
    await ex(
        "INSERT INTO resource_feeds(guild_id, url, url_canonical, channel_id, next_poll_at,"
        " created_by, created_at)"
        " VALUES (?, 'https://f.example/rss', 'f.example/rss', 55, ?, ?, ?)",
        (g, T, MEMBER, T),
    )

    await ex(
        "INSERT INTO mentor_profiles(guild_id, user_id, capacity, created_at, updated_at)"
        " VALUES (?, ?, 2, ?, ?)",
        (g, MEMBER, T, T),
    )
    await ex(
        "INSERT INTO mentor_topics(guild_id, user_id, topic, position) VALUES (?, ?, 'NLP', 0)",
        (g, MEMBER),
    )
    await ex(
        "INSERT INTO mentee_requests(guild_id, user_id, status, topics, goal, created_at,"
        " updated_at) VALUES (?, ?, 'open', '[\"MLOps\"]', 'A private goal', ?, ?)",
        (g, MEMBER, T, T),
    )
    prop = (
        "INSERT INTO mentorship_proposals(guild_id, mentor_id, mentee_id, status, score,"
        " created_at, expires_at) VALUES (?, ?, ?, ?, 1.0, ?, ?)"
    )
    await ex(prop, (g, MEMBER, OTHER, "declined", T, T + 1))
    await ex(prop, (g, OTHER, MEMBER, "expired", T, T + 1))
    excl = (
        "INSERT INTO mentorship_exclusions(guild_id, mentee_id, mentor_id, reason, created_at)"
        " VALUES (?, ?, ?, ?, ?)"
    )
    await ex(excl, (g, MEMBER, OTHER, "declined", T))
    await ex(excl, (g, OTHER, MEMBER, "expired", T))
    match = (
        "INSERT INTO mentorship_matches(guild_id, mentor_id, mentee_id, topics, status,"
        " started_at, ended_at, ended_by, end_reason, checkin_due_at)"
        " VALUES (?, ?, ?, '[\"NLP\"]', ?, ?, ?, ?, ?, ?)"
    )
    active = await db.insert(match, (g, MEMBER, OTHER, "active", T, None, None, None, T + 9))
    ended = await db.insert(match, (g, OTHER, MEMBER, "ended", T, T + 5, MEMBER, "ended", T + 9))
    await ex(
        "INSERT INTO mentorship_checkins(match_id, user_id, answer, answered_at)"
        " VALUES (?, ?, 'need_help', ?)",
        (active, MEMBER, T),
    )
    await ex(
        "INSERT INTO mentorship_feedback(guild_id, match_id, from_id, from_role, rating,"
        " comment, created_at) VALUES (?, ?, ?, 'mentee', 4, 'Kind words', ?)",
        (g, ended, MEMBER, T),
    )

    out = (
        "INSERT INTO outbox(guild_id, kind, user_id, payload, dedupe_key, status)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )
    code = json.dumps({"event_id": theirs, "seat": 1, "code": f"MEMB-{g}"})
    await ex(out, (g, "event.promoted", MEMBER, code, f"event:{theirs}:promoted:{MEMBER}:1",
                   "pending"))  # fmt: skip
    await ex(out, (g, "mentorship.ended", MEMBER, "{}", f"m:{g}:{MEMBER}", "sent"))
    await ex(out, (g, "role.sync", MEMBER, '{"role_id": 5}', None, "pending"))


@pytest.fixture
async def features(
    db: Database, guilds: GuildSettings, clock: FakeClock
) -> dict[str, privacy.MemberData]:
    clock.set(T + 60)
    await seed(db, G)
    await seed(db, G2)
    return {
        "events": EventService(db, guilds, clock=clock),
        "resources": ResourceService(db, clock=clock),
        "mentorship": MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock),
    }


async def holding(db: Database, table: str, column: str, guild_id: int) -> list[dict[str, Any]]:
    guild = await privacy.guild_of(db, table)
    rows = await db.fetch_dicts(
        f"SELECT * FROM {table} WHERE {column} = ? AND {guild} = ?", (MEMBER, guild_id)
    )
    if table == "outbox":
        rows = [r for r in rows if r["kind"] not in privacy.KEPT_OUTBOX_KINDS]
    return rows


async def key_columns(db: Database, table: str) -> list[str]:
    columns = [c for c in await db.columns(table) if c.primary_key]
    keys = [c.name for c in sorted(columns, key=lambda c: c.primary_key)]
    assert keys, f"{table} has no primary key: the test can't tell its rows apart"
    return keys


def sections(export: dict[str, Any], table: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for part in export.values():
        if isinstance(part, dict) and isinstance(part.get(table), list):
            found.extend(part[table])
    return found


def ids(cases: list[tuple[str, str]]) -> list[str]:
    return [f"{t}.{c}" for t, c in cases]


def test_the_rule_finds_the_member_columns_known_today() -> None:
    expected = {
        ("rsvps", "user_id"),
        ("events", "organizer_id"),
        ("event_series", "organizer_id"),
        ("event_checkins", "by_user_id"),
        ("resources", "reviewed_by"),
        ("resource_feeds", "created_by"),
        ("mentorship_matches", "ended_by"),
        ("mentorship_feedback", "from_id"),
        ("mentorship_exclusions", "mentor_id"),
        ("outbox", "user_id"),
    }
    assert expected <= set(MEMBER_COLUMNS)
    names = {c for _, c in MEMBER_COLUMNS}
    assert not names & {"guild_id", "event_id", "channel_id", "role_id", "message_id", "id"}
    assert not names & {"match_id", "thread_id", "scheduled_event_id", "checked_outbox_id"}


async def test_both_stores_find_the_same_member_columns_by_one_rule(db: Database) -> None:
    """The store's own catalog (PostgreSQL's information_schema, SQLite's table_info) gives
    the columns these cases were made from: the PostgreSQL schema keeps up with SQLite's."""
    assert await privacy.member_columns(db) == MEMBER_COLUMNS
    assert await privacy.guild_of(db, "rsvps") == (
        "(SELECT p.guild_id FROM events p WHERE p.id = rsvps.event_id)"
    )
    assert await privacy.guild_of(db, "outbox") == "outbox.guild_id"
    with pytest.raises(ValueError, match="schema_migrations"):
        await privacy.guild_of(db, "schema_migrations")


@pytest.mark.parametrize(("table", "column"), MEMBER_COLUMNS, ids=ids(MEMBER_COLUMNS))
async def test_export_holds_every_row_with_the_member(
    db: Database, features: dict[str, privacy.MemberData], table: str, column: str
) -> None:
    here = await holding(db, table, column, G)
    assert here, (
        f"{table}.{column} holds member ids, but the seed of this test puts none there: "
        "seed it, then cover it in a feature's export_member_data and delete_member_data"
    )
    elsewhere = await holding(db, table, column, G2)
    export = await privacy.export_member(db, features, G, MEMBER, now=T)
    json.dumps(export)  # the file /privacy export sends
    exported = sections(export, table)
    assert exported, f"the export has no {table!r} section (sections are named after tables)"
    keys = await key_columns(db, table)
    for row in exported:
        missing = [k for k in keys if k not in row]
        assert not missing, f"exported {table} rows must carry the table's key {keys}: {row}"
    exported_keys = {tuple(r[k] for k in keys) for r in exported}
    for row in here:
        assert tuple(row[k] for k in keys) in exported_keys, f"{table} row not exported: {row}"
    for row in elsewhere:
        assert tuple(row[k] for k in keys) not in exported_keys, f"another guild's row: {row}"


@pytest.mark.parametrize(("table", "column"), MEMBER_COLUMNS, ids=ids(MEMBER_COLUMNS))
async def test_delete_leaves_no_row_with_the_member(
    db: Database, features: dict[str, privacy.MemberData], table: str, column: str
) -> None:
    assert await holding(db, table, column, G), f"the seed puts no member in {table}.{column}"
    elsewhere = await holding(db, table, column, G2)
    await privacy.delete_member(db, features, G, MEMBER)
    left = await holding(db, table, column, G)
    assert left == [], f"{table}.{column} still holds the member after the delete: {left}"
    assert await holding(db, table, column, G2) == elsewhere  # another guild is untouched


async def test_guilds_holding_the_member_and_what_delete_reports(
    db: Database, features: dict[str, privacy.MemberData]
) -> None:
    assert await privacy.guilds_holding(db, MEMBER) == [G, G2]
    assert await privacy.guilds_holding(db, 424242) == []
    results = await privacy.delete_member(db, features, G, MEMBER)
    assert results["messages"] == (1, 2)  # the pending promotion DM dropped, the sent one gone
    # role syncs stay: the one pending and the one taking back the role the bot gave (role
    # 7001, whose grant goes with the delete); each deletes itself once done
    kinds = await db.fetchall(
        "SELECT kind, status, payload FROM outbox WHERE guild_id = ? AND user_id = ?",
        (G, MEMBER),
    )
    assert [(r["kind"], r["status"]) for r in kinds] == [("role.sync", "pending")] * 2
    payloads = [json.loads(r["payload"]) for r in kinds]
    assert all(p["forget"] for p in payloads)
    assert [p["role_id"] for p in payloads if p.get("granted")] == [7001]
    assert await privacy.guilds_holding(db, MEMBER) == [G, G2]  # that role sync, until it runs
    await db.execute("DELETE FROM outbox WHERE kind = 'role.sync'")
    assert await privacy.guilds_holding(db, MEMBER) == [G2]
    # ticket codes are gone from the store, payloads included
    dump = json.dumps(
        [dict(r) for r in await db.fetchall("SELECT * FROM outbox WHERE guild_id = ?", (G,))]
    )
    assert f"MEMB-{G}" not in dump
    assert (
        await db.fetchval("SELECT COUNT(*) FROM event_checkins WHERE code = ?", (f"MEMB-{G}",)) == 0
    )
