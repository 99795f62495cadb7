"""The mentorship tables read as models, in one place: column lists, row conversion and
the loaders every part shares (a profile with its load, a request, a proposal, a match).

Writes stay with the part that decides them; the one shared write is `save_profile`.
Loaders take the caller's transaction when there is one (bot/db.py joins it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.db import Database, Row
from bot.mentorship.models import Match, MenteeRequest, MentorProfile, Proposal

# Column lists (SQL), built from their names.
PROPOSAL_COLUMNS = ", ".join(
    (
        *("id", "guild_id", "request_id", "mentor_id", "mentee_id", "status"),
        *("mentor_answer", "mentee_answer", "score", "reasons", "created_at", "expires_at"),
        *("decided_at", "origin"),
    )
)
MATCH_COLUMNS = ", ".join(
    (
        *("id", "guild_id", "request_id", "proposal_id", "mentor_id", "mentee_id", "topics"),
        *("status", "started_at", "ended_at", "ended_by", "end_reason", "thread_id"),
        *("intro_sent_at", "checkin_due_at", "checkin_sent_at"),
    )
)
REQUEST_COLUMNS = ", ".join(
    (
        *("id", "guild_id", "user_id", "status", "topics", "goal", "city", "language"),
        *("level", "created_at", "updated_at", "closed_at"),
    )
)
OPEN = "('open', 'proposed')"  # a request still waiting for a mentor


def proposal_of(row: Row) -> Proposal:
    return Proposal(**{**dict(row), "reasons": tuple(json.loads(row["reasons"]))})


def match_of(row: Row) -> Match:
    return Match(**{**dict(row), "topics": tuple(json.loads(row["topics"]))})


def request_of(row: Row) -> MenteeRequest:
    return MenteeRequest(**{**dict(row), "topics": tuple(json.loads(row["topics"]))})


def shared_topics(request_topics: Sequence[str], mentor_topics: Iterable[str]) -> tuple[str, ...]:
    """The request's topics the mentor also knows (case-insensitive), in request order."""
    theirs = {t.casefold() for t in mentor_topics}
    return tuple(t for t in request_topics if t.casefold() in theirs)


# --- deciding across processes ----------------------------------------------------------
# Every transaction that makes, answers, withdraws or ends proposals and matches (or changes
# who may get one) takes its guild's lock first: the guild's mentorship_settings row, locked
# until the transaction ends. On PostgreSQL two processes then decide one guild's mentorship
# one at a time, as SQLite's single writer does anyway, so a mentor's free places, a
# request's one pending proposal and "both sides accepted" are read and written together.
# It is always the first mentorship lock taken, so two decisions can't wait on each other;
# a row lock of one proposal or match (`lock=True` below) may follow it, never precede it.
async def lock_guild(db: Database, guild_id: int) -> None:
    """Take the guild's mentorship lock (inside a transaction; nothing to do on SQLite)."""
    clause = db.lock("s")
    if clause:
        await db.fetchone(
            f"SELECT s.guild_id FROM mentorship_settings s WHERE s.guild_id = ?{clause}",
            (guild_id,),
        )


async def lock_guild_of(db: Database, table: str, row_id: int) -> None:
    """`lock_guild` for the guild of a proposal or match (`table`: one of the two fixed
    names, never member input), in one statement."""
    clause = db.lock("s")
    if clause:
        await db.fetchone(
            "SELECT s.guild_id FROM mentorship_settings s WHERE s.guild_id ="
            f" (SELECT x.guild_id FROM {table} x WHERE x.id = ?){clause}",
            (row_id,),
        )


# --- proposals, matches, requests --------------------------------------------------------
async def proposals(
    db: Database, where: str, params: Sequence[Any] = (), *, lock: bool = False
) -> list[Proposal]:
    """Proposals matching `where` (our own SQL text, never member input), by id; `lock`
    locks them until the transaction ends (PostgreSQL; a decision about them)."""
    rows = await db.fetchall(
        f"SELECT {PROPOSAL_COLUMNS} FROM mentorship_proposals q WHERE {where} ORDER BY id"
        + (db.lock("q") if lock else ""),
        params,
    )
    return [proposal_of(r) for r in rows]


async def load_proposal(db: Database, proposal_id: int, *, lock: bool = False) -> Proposal | None:
    found = await proposals(db, "id = ?", (proposal_id,), lock=lock)
    return found[0] if found else None


async def matches(
    db: Database, where: str, params: Sequence[Any] = (), order: str = "id", *, lock: bool = False
) -> list[Match]:
    """Matches matching `where` (our own SQL text, never member input); `lock` as for
    `proposals`."""
    rows = await db.fetchall(
        f"SELECT {MATCH_COLUMNS} FROM mentorship_matches m WHERE {where} ORDER BY {order}"
        + (db.lock("m") if lock else ""),
        params,
    )
    return [match_of(r) for r in rows]


async def load_match(db: Database, match_id: int, *, lock: bool = False) -> Match | None:
    found = await matches(db, "id = ?", (match_id,), lock=lock)
    return found[0] if found else None


async def match_for_proposal(db: Database, proposal_id: int) -> Match | None:
    found = await matches(db, "proposal_id = ?", (proposal_id,))
    return found[0] if found else None


async def active_matches_of(db: Database, guild_id: int, user_id: int) -> list[Match]:
    """The member's active matches on either side, oldest first."""
    either_side = "guild_id = ?1 AND status = 'active' AND (mentor_id = ?2 OR mentee_id = ?2)"
    return await matches(db, either_side, (guild_id, user_id))


async def load_request(db: Database, request_id: int | None) -> MenteeRequest | None:
    if request_id is None:
        return None
    row = await db.fetchone(
        f"SELECT {REQUEST_COLUMNS} FROM mentee_requests WHERE id = ?", (request_id,)
    )
    return None if row is None else request_of(row)


async def open_request(db: Database, guild_id: int, user_id: int) -> MenteeRequest | None:
    """The member's request still waiting for a mentor (at most one per guild)."""
    row = await db.fetchone(
        f"SELECT {REQUEST_COLUMNS} FROM mentee_requests WHERE guild_id = ? AND user_id = ?"
        f" AND status IN {OPEN}",
        (guild_id, user_id),
    )
    return None if row is None else request_of(row)


# --- mentor profiles ---------------------------------------------------------------------
_PROFILE_SELECT = (
    "SELECT p.guild_id, p.user_id, p.capacity, p.city, p.languages, p.levels, p.bio,"
    " p.status, p.created_at, p.updated_at,"
    " (SELECT COUNT(*) FROM mentorship_matches m WHERE m.guild_id = p.guild_id"
    "   AND m.mentor_id = p.user_id AND m.status = 'active') AS active_mentees,"
    " (SELECT COUNT(*) FROM mentorship_proposals q WHERE q.guild_id = p.guild_id"
    "   AND q.mentor_id = p.user_id AND q.status = 'pending') AS pending_proposals"
    " FROM mentor_profiles p"
)


def _profile(row: Row, topics: Sequence[str]) -> MentorProfile:
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


async def load_profile(db: Database, guild_id: int, user_id: int | None) -> MentorProfile | None:
    if user_id is None:  # a blanked id: that member's data was deleted
        return None
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
