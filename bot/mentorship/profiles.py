"""Reading what members type for profiles and requests, the guild's languages, and
loading mentor profiles with their load (active matches, pending proposals).

Every parser raises InvalidInput with one sentence naming what would work, before
anything is written: a refused command changes nothing.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput
from bot.guilds import GuildSettings
from bot.mentorship.matching import REMOTE
from bot.mentorship.models import (
    DEFAULT_LANGUAGES,
    MAX_BIO,
    MAX_CAPACITY,
    MAX_COMMENT,
    MAX_GOAL,
    MAX_LANGUAGE_NAME,
    MAX_LANGUAGES,
    MIN_CAPACITY,
    MentorProfile,
)
from bot.taxonomy import LEVELS, Taxonomy, resolve_level


def split_list(text: str | None) -> list[str]:
    """`"NLP, machine learning,,"` → ["NLP", "machine learning"] (spaces collapsed)."""
    return [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def _hint(text: str, choices: Sequence[str]) -> str:
    by_key = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(text.casefold(), list(by_key), n=1, cutoff=0.6)
    return f" Did you mean {by_key[close[0]]}?" if close else ""


async def parse_topics(taxonomy: Taxonomy, guild_id: int, text: str | None) -> tuple[str, ...]:
    """Canonical topic names; an unknown one → InvalidInput suggesting the nearest."""
    parts = split_list(text)
    if not parts:
        topics = ", ".join((await taxonomy.topics(guild_id))[:3])
        raise InvalidInput(f"Name at least one topic, separated by commas (e.g. {topics}).")
    return _unique([await taxonomy.resolve_topic(guild_id, part) for part in parts])


def check_capacity(capacity: int) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise InvalidInput(f"Capacity is a whole number from {MIN_CAPACITY} to {MAX_CAPACITY}.")
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            f"Capacity must be from {MIN_CAPACITY} to {MAX_CAPACITY} mentees at a time "
            f"(you gave {capacity})."
        )
    return capacity


def _clean_text(text: str | None, limit: int, what: str) -> str | None:
    cleaned = (text or "").strip()
    if len(cleaned) > limit:
        raise InvalidInput(
            f"{what} can be at most {limit:,} characters (this one has {len(cleaned):,})."
        )
    return cleaned or None


def clean_bio(text: str | None) -> str | None:
    return _clean_text(text, MAX_BIO, "Your bio")


def clean_goal(text: str | None) -> str | None:
    return _clean_text(text, MAX_GOAL, "The goal")


def clean_comment(text: str | None) -> str | None:
    return _clean_text(text, MAX_COMMENT, "The comment")


async def parse_city(guilds: GuildSettings, guild_id: int, text: str) -> str:
    """One of the guild's cities or Remote (any case) → its canonical name."""
    name = " ".join(text.split())
    if name.casefold() == REMOTE.casefold():
        return REMOTE
    cities = [c.name for c in await guilds.cities(guild_id)]
    for city in cities:
        if city.casefold() == name.casefold():
            return city
    choices = [*cities, REMOTE]
    raise InvalidInput(
        f"“{name[:50]}” is not one of this server's cities.{_hint(name, choices)} "
        f"Choose one of: {', '.join(choices)}."
    )


def parse_levels(text: str) -> tuple[str, ...]:
    """Comma-separated levels (or `all`), in the fixed order beginner → advanced."""
    parts = split_list(text)
    if not parts or any(p.casefold() == "all" for p in parts):
        return LEVELS
    chosen = {resolve_level(p) for p in parts}
    return tuple(level for level in LEVELS if level in chosen)


# --- the guild's languages -------------------------------------------------------------


async def ensure_languages(db: Database, guild_id: int) -> None:
    """Seed English and Urdu the first time a guild uses mentorship (INSERT OR IGNORE)."""
    await db.executemany(
        "INSERT OR IGNORE INTO mentorship_languages(guild_id, name, name_key, position)"
        " VALUES (?, ?, ?, ?)",
        [(guild_id, name, name.casefold(), i) for i, name in enumerate(DEFAULT_LANGUAGES)],
    )


async def languages(db: Database, guild_id: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT name FROM mentorship_languages WHERE guild_id = ? ORDER BY position, name_key",
        (guild_id,),
    )
    return [r["name"] for r in rows]


async def add_language(db: Database, guild_id: int, name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput("A language needs a name.")
    if len(cleaned) > MAX_LANGUAGE_NAME or "," in cleaned:
        raise InvalidInput(
            f"A language name is one name of at most {MAX_LANGUAGE_NAME} characters, "
            "without commas."
        )
    async with db.transaction():
        existing = await db.fetchval(
            "SELECT name FROM mentorship_languages WHERE guild_id = ? AND name_key = ?",
            (guild_id, cleaned.casefold()),
        )
        if existing:
            raise AlreadyExists(f"{existing} is already one of this server's languages.")
        count, last = await _language_count(db, guild_id)
        if count >= MAX_LANGUAGES:
            raise InvalidInput(f"This server already has {MAX_LANGUAGES} languages, the most.")
        await db.execute(
            "INSERT INTO mentorship_languages(guild_id, name, name_key, position)"
            " VALUES (?, ?, ?, ?)",
            (guild_id, cleaned, cleaned.casefold(), last + 1),
        )
    return cleaned


async def _language_count(db: Database, guild_id: int) -> tuple[int, int]:
    row = await db.fetchone(
        "SELECT COUNT(*) AS n, COALESCE(MAX(position), -1) AS last FROM mentorship_languages"
        " WHERE guild_id = ?",
        (guild_id,),
    )
    assert row is not None
    return int(row["n"]), int(row["last"])


async def parse_language(db: Database, guild_id: int, text: str) -> str:
    known = await languages(db, guild_id)
    name = " ".join(text.split())
    for lang in known:
        if lang.casefold() == name.casefold():
            return lang
    raise InvalidInput(
        f"“{name[:MAX_LANGUAGE_NAME]}” is not a language here.{_hint(name, known)} "
        f"Languages: {', '.join(known)}."
    )


async def parse_languages(db: Database, guild_id: int, text: str) -> tuple[str, ...]:
    parts = split_list(text)
    if not parts:
        raise InvalidInput(
            f"Name at least one language: {', '.join(await languages(db, guild_id))}."
        )
    return _unique([await parse_language(db, guild_id, p) for p in parts])


# --- reading profiles ------------------------------------------------------------------

_PROFILE_SELECT = (
    "SELECT p.guild_id, p.user_id, p.capacity, p.city, p.languages, p.levels, p.bio,"
    " p.status, p.created_at, p.updated_at,"
    " (SELECT COUNT(*) FROM mentorship_matches m WHERE m.guild_id = p.guild_id"
    "   AND m.mentor_id = p.user_id AND m.status = 'active') AS active_mentees,"
    " (SELECT COUNT(*) FROM mentorship_proposals q WHERE q.guild_id = p.guild_id"
    "   AND q.mentor_id = p.user_id AND q.status = 'pending') AS pending_proposals"
    " FROM mentor_profiles p"
)


def _profile(row: sqlite3.Row, topics: Sequence[str]) -> MentorProfile:
    return MentorProfile(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        topics=tuple(topics),
        capacity=row["capacity"],
        city=row["city"],
        languages=tuple(json.loads(row["languages"])),
        levels=tuple(json.loads(row["levels"])),
        bio=row["bio"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        active_mentees=row["active_mentees"],
        pending_proposals=row["pending_proposals"],
    )


async def load_profiles(
    db: Database, guild_id: int, where: str = "", params: Sequence[Any] = ()
) -> list[MentorProfile]:
    """The guild's profiles matching `where` (SQL over alias p, our own text only), by
    member id, with their topics and load. Two queries, whatever the number of mentors."""
    condition = f" AND ({where})" if where else ""
    rows = await db.fetchall(
        f"{_PROFILE_SELECT} WHERE p.guild_id = ?{condition} ORDER BY p.user_id",
        (guild_id, *params),
    )
    if not rows:
        return []
    topic_rows = await db.fetchall(
        "SELECT t.user_id, t.topic FROM mentor_topics t JOIN mentor_profiles p"
        " ON p.guild_id = t.guild_id AND p.user_id = t.user_id"
        f" WHERE t.guild_id = ?{condition} ORDER BY t.user_id, t.position",
        (guild_id, *params),
    )
    topics: dict[int, list[str]] = {}
    for r in topic_rows:
        topics.setdefault(r["user_id"], []).append(r["topic"])
    return [_profile(r, topics.get(r["user_id"], [])) for r in rows]


async def load_profile(db: Database, guild_id: int, user_id: int) -> MentorProfile | None:
    found = await load_profiles(db, guild_id, "p.user_id = ?", (user_id,))
    return found[0] if found else None


async def save_profile(
    db: Database,
    guild_id: int,
    user_id: int,
    *,
    topics: Sequence[str],
    capacity: int,
    city: str | None,
    languages: Sequence[str],
    levels: Sequence[str],
    bio: str | None,
    status: str,
    now: int,
) -> None:
    """Insert or replace a profile and its topics (call inside a transaction)."""
    await db.execute(
        "INSERT INTO mentor_profiles(guild_id, user_id, capacity, city, languages, levels,"
        " bio, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(guild_id, user_id) DO UPDATE SET capacity = excluded.capacity,"
        " city = excluded.city, languages = excluded.languages, levels = excluded.levels,"
        " bio = excluded.bio, status = excluded.status, updated_at = excluded.updated_at",
        (
            guild_id,
            user_id,
            capacity,
            city,
            json.dumps(list(languages)),
            json.dumps(list(levels)),
            bio,
            status,
            now,
            now,
        ),
    )
    await db.execute(
        "DELETE FROM mentor_topics WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    await db.executemany(
        "INSERT INTO mentor_topics(guild_id, user_id, topic, position) VALUES (?, ?, ?, ?)",
        [(guild_id, user_id, topic, i) for i, topic in enumerate(topics)],
    )
