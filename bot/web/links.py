"""Signed, expiring, revocable links: the only way onto a web page that shows member data.

A token is `payload.signature`, both base64url without padding: the payload is compact
JSON of the purpose, the subject (what the page is about: an event id, a member id, the
key's generation) and the expiry (epoch seconds); the signature is HMAC-SHA256 over the
purpose and the payload with the bot's web secret. The purpose is in the payload and the
MAC, so a link made for one page never opens another.

`verify` raises `BadLink` with a reason for the log; the visitor only ever sees the plain
403 page, whatever the reason (cogs/web/_server.py `forbidden()`).

Revocation: each (guild, purpose, key) has a generation number (`LinkRevocations`, table
`link_generations`). A feature puts `"gen": await revocations.generation(...)` in the
subject when it makes a link and checks it still matches when the link is used; `revoke`
bumps the number, so every older link of that key stops working at once. A key that
names a member must be their id (int): /privacy export and delete find those rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from bot.db import Database

Subject = dict[str, int | str]

MAX_TOKEN_LENGTH = 2000  # far above any real link; refuses megabytes before hashing them
_VERSION = b"link-v1"


class BadLink(Exception):
    """The link is tampered, malformed, expired or for another page. The message is for
    the log; never show it (nor the token) to the visitor."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or not all(c.isalnum() or c in "-_" for c in text) or not text.isascii():
        raise BadLink("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadLink("not base64url") from None


def _check_subject(subject: Any) -> Subject:
    if not isinstance(subject, dict):
        raise ValueError("the subject must be a dict")
    for key, value in subject.items():
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("the subject maps names to ints or strings")
    return subject


class LinkSigner:
    """Makes and checks the tokens of signed links with one secret."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 32:
            raise ValueError("the link secret must be at least 32 bytes")
        self._secret = secret
        self._clock = clock

    def __repr__(self) -> str:  # never the secret, in a traceback or a log line
        return "LinkSigner(<secret>)"

    def _mac(self, purpose: str, payload: str) -> bytes:
        message = b"\n".join((_VERSION, purpose.encode("utf-8"), payload.encode("ascii")))
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def sign(self, purpose: str, subject: dict[str, int | str], expires_at: int) -> str:
        """A URL-safe token for `purpose` about `subject`, good until `expires_at`."""
        if not purpose:
            raise ValueError("a link needs a purpose")
        body = {"p": purpose, "s": _check_subject(subject), "e": int(expires_at)}
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{payload}.{_b64(self._mac(purpose, payload))}"

    def verify(self, purpose: str, token: str) -> dict[str, int | str]:
        """The subject of a good token for `purpose`; `BadLink` otherwise."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise BadLink("too long")
        payload, dot, signature = token.partition(".")
        if not dot or "." in signature:
            raise BadLink("malformed")
        given = _unb64(signature)
        payload_bytes = _unb64(payload)  # well-formed before the MAC: cheap refusals first
        if not hmac.compare_digest(given, self._mac(purpose, payload)):
            raise BadLink("bad signature (tampered, another secret or another purpose)")
        try:
            body = json.loads(payload_bytes)
            subject = _check_subject(body["s"])
            expires_at, made_for = body["e"], body["p"]
        except (ValueError, KeyError, TypeError):
            raise BadLink("signed but unreadable") from None
        if made_for != purpose:
            raise BadLink("signed for another purpose")
        if not isinstance(expires_at, int) or isinstance(expires_at, bool):
            raise BadLink("signed but unreadable")
        if self._clock() >= expires_at:
            raise BadLink("expired")
        return subject


class LinkRevocations:
    """The generation number of each (guild, purpose, key); revoking bumps it."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    async def generation(self, guild_id: int, purpose: str, key: int | str) -> int:
        """The current generation (0 until the key is first revoked)."""
        found = await self.db.fetchval(
            "SELECT generation FROM link_generations"
            " WHERE guild_id = ? AND purpose = ? AND link_key = ?",
            (guild_id, purpose, str(key)),
        )
        return 0 if found is None else int(found)

    async def revoke(self, guild_id: int, purpose: str, key: int | str) -> int:
        """Make every link of this key made so far fail; returns the new generation."""
        async with self.db.transaction():
            await self.db.execute(
                "INSERT INTO guilds(guild_id) VALUES (?) ON CONFLICT DO NOTHING", (guild_id,)
            )
            return int(
                await self.db.fetchval(
                    "INSERT INTO link_generations(guild_id, purpose, link_key, generation,"
                    " revoked_at) VALUES (?, ?, ?, 1, ?)"
                    " ON CONFLICT (guild_id, purpose, link_key) DO UPDATE"
                    " SET generation = link_generations.generation + 1,"
                    " revoked_at = excluded.revoked_at"
                    " RETURNING generation",
                    (guild_id, purpose, str(key), int(self.clock())),
                )
            )

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's revoked links here (keys that are their id)."""
        rows = await self.db.fetch_dicts(
            "SELECT guild_id, purpose, link_key, generation, revoked_at FROM link_generations"
            " WHERE guild_id = ? AND link_key = ? ORDER BY purpose",
            (guild_id, str(user_id)),
        )
        return {"link_generations": rows}

    async def delete_member_data(self, guild_id: int, user_id: int) -> int:
        """Forget the member's rows. Their older links then verify again, but what they
        open is the member's data, which the same delete removes; and links expire."""
        return await self.db.execute_rowcount(
            "DELETE FROM link_generations WHERE guild_id = ? AND link_key = ?",
            (guild_id, str(user_id)),
        )
