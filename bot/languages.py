"""Who reads which language: each member's choice in a server, else the server's default.

A member's choice is kept per server, like everything else the bot knows about them,
so /privacy export shows it and /privacy delete (or leaving) forgets it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from bot.db import Database
from bot.errors import InvalidInput
from bot.i18n import ENGLISH, LANGUAGES, N_, _

UNKNOWN = N_("“{name}” is not a language I speak. Choose one of: {choices}.")


def resolve(name: str) -> str:
    """The language code for a choice's value or name (`ur`, `Urdu`, `اردو`)."""
    key = name.strip().casefold()
    for code, label in LANGUAGES.items():
        names = {code, label.casefold(), *(p.strip("() ").casefold() for p in label.split(" "))}
        if key in names:
            return code
    choices = _(", ").join(LANGUAGES.values())
    raise InvalidInput(_(UNKNOWN, name=name.strip()[:40], choices=choices))


class Languages:
    """Reads and sets languages; one query for the language a member reads."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Every interaction looks its member's language up before anything else, so the
        # lookups must finish in the order the interactions arrived: 2,000 Going clicks
        # take their seats in click order. PostgreSQL answers from a pool of connections,
        # out of order; one lookup at a time keeps the order (SQLite's one thread does
        # anyway).
        self._in_order = asyncio.Lock()

    async def of_member(self, guild_id: int | None, user_id: int) -> str:
        async with self._in_order:
            return await self._of_member(guild_id, user_id)

    async def _of_member(self, guild_id: int | None, user_id: int) -> str:
        """The member's language in the server: their choice, else the server's default.
        With no server (a form sent from a DM): the language they chose, if they chose
        the same one in every server that knows it; else English."""
        if guild_id is None:
            rows = await self.db.fetchall(
                "SELECT DISTINCT language FROM member_languages WHERE user_id = ?", (user_id,)
            )
            return str(rows[0]["language"]) if len(rows) == 1 else ENGLISH
        row = await self.db.fetchone(
            "SELECT m.language AS mine, g.language AS server FROM guilds g"
            " LEFT JOIN member_languages m ON m.guild_id = g.guild_id AND m.user_id = ?"
            " WHERE g.guild_id = ?",
            (user_id, guild_id),
        )
        if row is None:
            return ENGLISH
        return str(row["mine"] or row["server"] or ENGLISH)

    async def of_members(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        """{user id: language} for many members at once (a reminder to a whole event)."""
        ids = sorted(set(user_ids))
        server = await self.of_server(guild_id)
        found = {uid: server for uid in ids}
        if not ids:
            return found
        marks = ", ".join("?" for _ in ids)
        rows = await self.db.fetchall(
            f"SELECT user_id, language FROM member_languages WHERE guild_id = ?"
            f" AND user_id IN ({marks})",
            (guild_id, *ids),
        )
        found.update({int(r["user_id"]): str(r["language"]) for r in rows})
        return found

    async def of_server(self, guild_id: int | None) -> str:
        """The server's default language (public posts, and members who chose none)."""
        if guild_id is None:
            return ENGLISH
        value = await self.db.fetchval(
            "SELECT language FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return str(value or ENGLISH)

    async def member_choice(self, guild_id: int, user_id: int) -> str | None:
        value = await self.db.fetchval(
            "SELECT language FROM member_languages WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return str(value) if value is not None else None

    async def set_member(self, guild_id: int, user_id: int, language: str) -> str:
        code = resolve(language)
        await self.db.execute(
            "INSERT INTO member_languages(guild_id, user_id, language) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET language = excluded.language",
            (guild_id, user_id, code),
        )
        return code

    async def set_server(self, guild_id: int, language: str) -> str:
        """Set by an organizer; the caller has made sure the guild's row exists."""
        code = resolve(language)
        await self.db.execute("UPDATE guilds SET language = ? WHERE guild_id = ?", (code, guild_id))
        return code

    # --- privacy (bot/privacy.py) -----------------------------------------------------
    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        rows = await self.db.fetchall(
            "SELECT guild_id, user_id, language FROM member_languages"
            " WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return {"member_languages": [dict(r) for r in rows]}

    async def delete_member_data(self, guild_id: int, user_id: int) -> int:
        return await self.db.execute_rowcount(
            "DELETE FROM member_languages WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
