"""The signed links of members' calendar subscriptions (bot/web/links.py does the signing).

A link's subject is the guild (`g`), the member (`m`), the city if one was picked (`c`)
and the generation of the member's calendar links (`gen`); it lasts `VALID_DAYS`, long
because a calendar app can't ask for a new one: the member makes a new link (and, with
reset, stops the old ones) in Discord. Revoking is per member and guild: purpose
"calendar", key the member's id, so /privacy export and delete find it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.web.links import BadLink, LinkRevocations, LinkSigner

PURPOSE = "calendar"
VALID_DAYS = 365


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def webcal(url: str) -> str:
    """The same address for calendar apps: webcal:// opens a subscription in them."""
    scheme, _, rest = url.partition("://")
    return f"webcal://{rest}" if scheme in ("http", "https") else url


@dataclass(frozen=True)
class CalendarLink:
    guild_id: int
    user_id: int
    city: str | None
    token: str
    expires_at: int | None  # known when made (the signer checks it when opened)


class CalendarLinks:
    def __init__(
        self,
        signer: LinkSigner,
        revocations: LinkRevocations,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer = signer
        self.revocations = revocations
        self.clock = clock

    async def make(
        self, guild_id: int, user_id: int, city: str | None = None, *, reset: bool = False
    ) -> CalendarLink:
        """A new link for the member; `reset` first makes every earlier one stop working."""
        if reset:
            gen = await self.revocations.revoke(guild_id, PURPOSE, user_id)
        else:
            gen = await self.revocations.generation(guild_id, PURPOSE, user_id)
        subject: dict[str, int | str] = {"g": guild_id, "m": user_id, "gen": gen}
        if city:
            subject["c"] = city
        expires_at = int(self.clock()) + VALID_DAYS * 86400
        token = self.signer.sign(PURPOSE, subject, expires_at)
        return CalendarLink(guild_id, user_id, city or None, token, expires_at)

    async def open(self, token: str) -> CalendarLink:
        """What a good link is for; `BadLink` if it is tampered, expired, for another page,
        or revoked (its generation is no longer the member's)."""
        subject = self.signer.verify(PURPOSE, token)
        guild_id, user_id, gen = subject.get("g"), subject.get("m"), subject.get("gen")
        city = subject.get("c")
        if not (isinstance(guild_id, int) and isinstance(user_id, int) and isinstance(gen, int)):
            raise BadLink("signed but not a calendar subject")
        if city is not None and not isinstance(city, str):
            raise BadLink("signed but not a calendar subject")
        if gen != await self.revocations.generation(guild_id, PURPOSE, user_id):
            raise BadLink("revoked")
        return CalendarLink(guild_id, user_id, city, token, None)
