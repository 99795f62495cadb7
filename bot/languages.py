"""Who reads which language: each member's choice in a server, else the server's default.

A member's choice is kept per server, like everything else the bot knows about them,
so /privacy export shows it and /privacy delete forgets it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.db import Database
from bot.errors import InvalidInput
from bot.i18n import ENGLISH, LANGUAGES, N_, _

REREAD_SECONDS = 30.0  # how stale a server's languages may get (see Languages)
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


@dataclass
class _Server:
    """One server's languages as last read: its default and the members' own choices."""

    default: str
    members: dict[int, str]
    read_at: float


class Languages:
    """Which language each member reads, from memory: every interaction and every DM asks
    before anything else, and in a 2,000-click burst a query per click would queue behind
    the seat decisions and miss Discord's 3-second deadline.

    A server's languages are read in one go the first time it is asked about, and again
    in the background once they are REREAD_SECONDS old; a change made here is seen at
    once, one made through another process (another shard) within REREAD_SECONDS."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.clock = clock
        self._servers: dict[int, _Server] = {}
        self._reading: dict[int, asyncio.Future[_Server]] = {}

    async def _server(self, guild_id: int) -> _Server:
        known = self._servers.get(guild_id)
        if known is not None:
            if self.clock() - known.read_at >= REREAD_SECONDS:
                self._read(guild_id)  # in the background: this answer is not held up
            return known
        # Everyone asking before the first read awaits the same one, in arrival order.
        return await asyncio.shield(self._read(guild_id))

    def _read(self, guild_id: int) -> asyncio.Future[_Server]:
        reading = self._reading.get(guild_id)
        if reading is None:
            reading = asyncio.ensure_future(self._load(guild_id))
            self._reading[guild_id] = reading
            reading.add_done_callback(lambda _done: self._reading.pop(guild_id, None))
        return reading

    async def _load(self, guild_id: int) -> _Server:
        read_at = self.clock()
        default = await self.db.fetchval(
            "SELECT language FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        rows = await self.db.fetchall(
            "SELECT user_id, language FROM member_languages WHERE guild_id = ?", (guild_id,)
        )
        server = _Server(
            str(default or ENGLISH), {int(r["user_id"]): str(r["language"]) for r in rows}, read_at
        )
        self._servers[guild_id] = server
        return server

    async def of_member(self, guild_id: int | None, user_id: int) -> str:
        """The member's language in the server: their choice, else the server's default.
        With no server (a form sent from a DM): the language they chose, if they chose
        the same one in every server that knows it; else English."""
        if guild_id is None:
            rows = await self.db.fetchall(
                "SELECT DISTINCT language FROM member_languages WHERE user_id = ?", (user_id,)
            )
            return str(rows[0]["language"]) if len(rows) == 1 else ENGLISH
        server = await self._server(guild_id)
        return server.members.get(user_id, server.default)

    async def of_members(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str]:
        """{user id: language} for many members at once (a reminder to a whole event)."""
        server = await self._server(guild_id)
        return {uid: server.members.get(uid, server.default) for uid in set(user_ids)}

    async def of_server(self, guild_id: int | None) -> str:
        """The server's default language (public posts, and members who chose none)."""
        if guild_id is None:
            return ENGLISH
        return (await self._server(guild_id)).default

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
        if (server := self._servers.get(guild_id)) is not None:
            server.members[user_id] = code
        return code

    async def set_server(self, guild_id: int, language: str) -> str:
        """Set by an organizer; the caller has made sure the guild's row exists."""
        code = resolve(language)
        await self.db.execute("UPDATE guilds SET language = ? WHERE guild_id = ?", (code, guild_id))
        if (server := self._servers.get(guild_id)) is not None:
            server.default = code
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
        if (server := self._servers.get(guild_id)) is not None:
            server.members.pop(user_id, None)
        return await self.db.execute_rowcount(
            "DELETE FROM member_languages WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
