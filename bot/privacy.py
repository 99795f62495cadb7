"""A member's data across features: what `/privacy export` gathers and `/privacy delete`
removes, in any server the bot holds something about them (also one they have left).

Each feature answers for its own tables (`export_member_data` / `delete_member_data` on
its service, as Red's `red_delete_data_for_user`); an export section is named after the
table its rows come from, and each row carries that table's key, so a test can prove
that every row holding the member is in it. This module adds the outbox (messages owed
or sent to the member), gathers the features, and finds the servers holding data.

Which columns hold a member id is read from the schema, not listed by hand: an integer
column named `user_id`, or ending in `_id` or `_by`, unless it names something that is
not a member (`NOT_MEMBER_IDS`, or a guild, channel, role or message). One rule for
both stores: SQLite declares such columns INTEGER, PostgreSQL's are bigint. A table added
later is therefore found by `tests/unit/test_privacy_schema.py`, which fails until
export and delete cover it.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Mapping
from typing import Any, Protocol

from bot.db import Database
from bot.languages import Languages
from bot.web.links import LinkRevocations

# `*_id` columns that hold something other than a member.
NOT_MEMBER_IDS = frozenset(
    {
        "id",
        "event_id",
        "scheduled_event_id",
        "resource_id",
        "autopost_id",
        "feed_id",
        "request_id",
        "proposal_id",
        "match_id",
        "series_id",
        "thread_id",
        "checked_outbox_id",
    }
)
NOT_MEMBER_SUFFIXES = ("guild_id", "channel_id", "role_id", "message_id")
# Pending outbox rows a delete leaves alone: a role sync takes back a role the bot gave the
# member, then deletes itself (bot/events/roles.py). Done ones are deleted like the rest.
KEPT_OUTBOX_KINDS = ("role.sync",)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")  # table and column names we build SQL from


def is_member_column(name: str, declared_type: str) -> bool:
    """Whether a column holds a member's Discord id (the naming rule above)."""
    name = name.lower()
    if "INT" not in declared_type.upper():
        return False
    if name in NOT_MEMBER_IDS or name.endswith(NOT_MEMBER_SUFFIXES):
        return False
    return name == "user_id" or name.endswith("_id") or name.endswith("_by")


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"unexpected name in the schema: {name!r}")
    return name


async def member_columns(db: Database) -> list[tuple[str, str]]:
    """(table, column) for every column of an ordinary table that holds a member id, from
    the store's catalog (SQLite's table_info, PostgreSQL's information_schema)."""
    found: list[tuple[str, str]] = []
    for table in await db.tables():
        for column in await db.columns(table):
            if is_member_column(column.name, column.type):
                found.append((_checked(table), _checked(column.name)))
    return found


async def guild_of(db: Database, table: str) -> str:
    """An SQL expression for the guild a row of `table` belongs to: its own guild_id, or
    its parent's through a foreign key (rsvps → events). ValueError if there is none."""
    table = _checked(table)
    if "guild_id" in {c.name for c in await db.columns(table)}:
        return f"{table}.guild_id"
    for fk in await db.foreign_keys(table):
        parent = _checked(fk.parent)
        if "guild_id" in {c.name for c in await db.columns(parent)}:
            to, frm = _checked(fk.parent_column), _checked(fk.column)
            return f"(SELECT p.guild_id FROM {parent} p WHERE p.{to} = {table}.{frm})"
    raise ValueError(f"{table} has no guild_id and no foreign key to a table with one")


async def _holders(db: Database) -> str:
    """One query over every member column: the guild of each row holding `:user`. Built
    once per store (the schema is set at start-up, by the migrations)."""
    sql = _HOLDERS.get(db)
    if sql is None:
        parts = [
            f"SELECT {await guild_of(db, table)} AS g FROM {table} WHERE {column} = :user"
            for table, column in await member_columns(db)
        ]
        sql = _HOLDERS[db] = " UNION ".join(parts)
    return sql


_HOLDERS: weakref.WeakKeyDictionary[Database, str] = weakref.WeakKeyDictionary()


async def guilds_holding(db: Database, user_id: int) -> list[int]:
    """Every guild where some row holds this member's id (for `/privacy … server`)."""
    rows = await db.fetchall(await _holders(db), {"user": user_id})
    return sorted({int(r["g"]) for r in rows if r["g"] is not None})


# --- the outbox: messages owed or sent to the member ---------------------------------------
async def export_messages(db: Database, guild_id: int, user_id: int) -> dict[str, Any]:
    """The DMs the bot owes or sent the member here (what they said, not to whom else)."""
    rows = await db.fetch_dicts(
        "SELECT id, kind, status, payload, due_at, created_at, sent_at FROM outbox"
        " WHERE guild_id = ? AND user_id = ? ORDER BY id",
        (guild_id, user_id),
    )
    for row in rows:
        try:
            row["payload"] = json.loads(row["payload"])
        except (TypeError, ValueError):
            pass
    return {"outbox": rows}


async def forget_messages(db: Database, guild_id: int, user_id: int) -> tuple[int, int]:
    """Remove every outbox row addressed to the member here (payloads carry ticket codes,
    dedupe keys carry their id): pending DMs are not sent. Role syncs stay (they take
    back a role the bot gave, then delete themselves). Returns (pending dropped, removed)."""
    kept = ", ".join("?" for _ in KEPT_OUTBOX_KINDS)
    rows = await db.fetchall(
        "DELETE FROM outbox WHERE guild_id = ? AND user_id = ?"
        f" AND NOT (kind IN ({kept}) AND status = 'pending') RETURNING status",
        (guild_id, user_id, *KEPT_OUTBOX_KINDS),
    )
    return sum(1 for r in rows if r["status"] == "pending"), len(rows)


# --- all features ---------------------------------------------------------------------------
class MemberData(Protocol):
    """What every feature's service answers for a member in one guild."""

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]: ...

    async def delete_member_data(self, guild_id: int, user_id: int) -> Any: ...


async def export_member(
    db: Database, features: Mapping[str, MemberData], guild_id: int, user_id: int, now: int
) -> dict[str, Any]:
    """Everything the bot stores about the member in this guild, by feature and table."""
    data: dict[str, Any] = {"member_id": user_id, "guild_id": guild_id, "exported_at": now}
    for name, service in features.items():
        data[name] = await service.export_member_data(guild_id, user_id)
    data["messages"] = await export_messages(db, guild_id, user_id)
    data["links"] = await LinkRevocations(db).export_member_data(guild_id, user_id)
    data["language"] = await Languages(db).export_member_data(guild_id, user_id)
    return data


async def delete_member(
    db: Database,
    features: Mapping[str, MemberData],
    guild_id: int,
    user_id: int,
    languages: Languages | None = None,
) -> dict[str, Any]:
    """Forget the member in this guild, every feature then the outbox, in one transaction
    (all or nothing). Returns each feature's result, and `messages`: (dropped, removed).
    `languages`: the bot's own, so its memory of the member's choice goes too."""
    results: dict[str, Any] = {}
    async with db.transaction():
        for name, service in features.items():
            results[name] = await service.delete_member_data(guild_id, user_id)
        # Last: the features above may owe the member nothing new, but others something.
        results["messages"] = await forget_messages(db, guild_id, user_id)
        results["links"] = await LinkRevocations(db).delete_member_data(guild_id, user_id)
        languages = languages or Languages(db)
        results["language"] = await languages.delete_member_data(guild_id, user_id)
    return results
