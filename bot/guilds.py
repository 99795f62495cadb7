"""Guild-wide settings: time zone, organizer role, announcements channel, cities.

A guild's row is created the first time anything asks for it, seeded with the
default cities, so every feature can rely on it existing.
"""

from __future__ import annotations

import difflib
import zoneinfo
from dataclasses import dataclass
from functools import cache

from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotFound
from bot.i18n import _

DEFAULT_TIMEZONE = "Asia/Karachi"
DEFAULT_CITIES = ("Islamabad", "Lahore")
MAX_CITY_NAME = 50


@dataclass(frozen=True)
class City:
    id: int
    name: str
    channel_id: int | None
    role_id: int | None


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    timezone: str
    organizer_role_id: int | None
    announcements_channel_id: int | None
    organizer_channel_id: int | None = None  # organizer-only notices go here
    curator_role_id: int | None = None  # may add resources without review

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted (from the tzdata package, so the same everywhere)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def resolve_timezone(name: str) -> str:
    """The canonical zone name for `name` (case-insensitive), or InvalidInput with a suggestion."""
    cleaned = name.strip().replace(" ", "_")
    by_key = {z.casefold(): z for z in timezone_names()}
    if cleaned.casefold() in by_key:
        return by_key[cleaned.casefold()]
    close = difflib.get_close_matches(cleaned.casefold(), list(by_key), n=1, cutoff=0.6)
    shown = name.strip()[:100]
    if close:
        raise InvalidInput(
            _(
                "“{name}” is not a time zone I know. Did you mean {zone}?",
                name=shown,
                zone=by_key[close[0]],
            )
        )
    raise InvalidInput(
        _("“{name}” is not a time zone I know. Use a name like Asia/Karachi.", name=shown)
    )


def search_timezones(text: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: prefix matches of any part first, then substrings."""
    key = text.strip().casefold().replace(" ", "_")
    if not key:
        popular = [DEFAULT_TIMEZONE, "UTC", "Asia/Dubai", "Europe/London", "America/New_York"]
        return popular[:limit]
    starts = [z for z in timezone_names() if any(p.startswith(key) for p in _parts(z))]
    rest = [z for z in timezone_names() if key in z.casefold() and z not in starts]
    return (starts + rest)[:limit]


def _parts(zone: str) -> list[str]:
    low = zone.casefold()
    return [low, *low.split("/")]


def clean_city_name(name: str) -> str:
    cleaned = " ".join(name.replace("\x00", "").split())  # no NUL in either store
    if not cleaned:
        raise InvalidInput(_("A city needs a name."))
    if len(cleaned) > MAX_CITY_NAME:
        raise InvalidInput(_("A city name can be at most {limit} characters.", limit=MAX_CITY_NAME))
    return cleaned


class GuildSettings:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def ensure(self, guild_id: int) -> None:
        """Create the guild's row and default cities if this is the first time we see it."""
        if await self.db.fetchone("SELECT 1 FROM guilds WHERE guild_id = ?", (guild_id,)):
            return
        async with self.db.transaction():
            created = await self.db.execute_rowcount(
                "INSERT INTO guilds(guild_id, timezone) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (guild_id, DEFAULT_TIMEZONE),
            )
            if created:
                await self.db.executemany(
                    "INSERT INTO cities(guild_id, name, name_key) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [(guild_id, c, c.casefold()) for c in DEFAULT_CITIES],
                )

    async def remember_name(self, guild_id: int, name: str) -> None:
        """The server's name as Discord says it, for processes that don't hold the guild."""
        await self.ensure(guild_id)
        await self.db.execute(
            "UPDATE guilds SET name = ? WHERE guild_id = ? AND (name IS NULL OR name <> ?)",
            (name, guild_id, name),
        )

    async def name(self, guild_id: int) -> str | None:
        """The server's name last seen by the process that owns it (None: never seen)."""
        value = await self.db.fetchval("SELECT name FROM guilds WHERE guild_id = ?", (guild_id,))
        return str(value) if value is not None else None

    async def get(self, guild_id: int) -> GuildConfig:
        await self.ensure(guild_id)
        row = await self.db.fetchone(
            "SELECT guild_id, timezone, organizer_role_id, announcements_channel_id,"
            " organizer_channel_id, curator_role_id FROM guilds WHERE guild_id = ?",
            (guild_id,),
        )
        assert row is not None
        return GuildConfig(**dict(row))

    async def set_timezone(self, guild_id: int, name: str) -> str:
        zone = resolve_timezone(name)
        await self.ensure(guild_id)
        await self.db.execute("UPDATE guilds SET timezone = ? WHERE guild_id = ?", (zone, guild_id))
        return zone

    async def set_organizer_role(self, guild_id: int, role_id: int | None) -> None:
        await self.ensure(guild_id)
        await self.db.execute(
            "UPDATE guilds SET organizer_role_id = ? WHERE guild_id = ?", (role_id, guild_id)
        )

    async def set_curator_role(self, guild_id: int, role_id: int | None) -> None:
        await self.ensure(guild_id)
        await self.db.execute(
            "UPDATE guilds SET curator_role_id = ? WHERE guild_id = ?", (role_id, guild_id)
        )

    async def set_announcements_channel(self, guild_id: int, channel_id: int | None) -> None:
        await self.ensure(guild_id)
        await self.db.execute(
            "UPDATE guilds SET announcements_channel_id = ? WHERE guild_id = ?",
            (channel_id, guild_id),
        )

    # --- cities -------------------------------------------------------------
    async def cities(self, guild_id: int) -> list[City]:
        await self.ensure(guild_id)
        rows = await self.db.fetchall(
            "SELECT id, name, channel_id, role_id FROM cities WHERE guild_id = ? ORDER BY name_key",
            (guild_id,),
        )
        return [City(**dict(r)) for r in rows]

    async def city(self, guild_id: int, name: str) -> City:
        """The city called `name` (any case), or NotFound listing the guild's cities."""
        await self.ensure(guild_id)
        row = await self.db.fetchone(
            "SELECT id, name, channel_id, role_id FROM cities WHERE guild_id = ? AND name_key = ?",
            (guild_id, " ".join(name.replace("\x00", "").split()).casefold()),
        )
        if row is None:
            names = ", ".join(c.name for c in await self.cities(guild_id)) or _("none yet")
            raise NotFound(
                _(
                    "There is no city called “{name}”. This server's cities: {cities}.",
                    name=name.strip()[:MAX_CITY_NAME],
                    cities=names,
                )
            )
        return City(**dict(row))

    async def add_city(
        self, guild_id: int, name: str, channel_id: int | None = None, role_id: int | None = None
    ) -> City:
        cleaned = clean_city_name(name)
        await self.ensure(guild_id)
        async with self.db.transaction():
            existing = await self.db.fetchone(
                "SELECT name FROM cities WHERE guild_id = ? AND name_key = ?",
                (guild_id, cleaned.casefold()),
            )
            if existing:
                raise AlreadyExists(
                    _(
                        "{city} is already one of this server's cities; "
                        "use /settings city-edit to change its channel or role.",
                        city=existing["name"],
                    )
                )
            city_id = await self.db.insert(
                "INSERT INTO cities(guild_id, name, name_key, channel_id, role_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (guild_id, cleaned, cleaned.casefold(), channel_id, role_id),
            )
        return City(city_id, cleaned, channel_id, role_id)

    async def edit_city(
        self,
        guild_id: int,
        name: str,
        channel_id: int | None = None,
        role_id: int | None = None,
    ) -> City:
        """Set the city's channel and/or role (None leaves that one as it is)."""
        if channel_id is None and role_id is None:
            raise InvalidInput(_("Give a channel, a role or both to change for this city."))
        city = await self.city(guild_id, name)
        new = City(
            city.id,
            city.name,
            channel_id if channel_id is not None else city.channel_id,
            role_id if role_id is not None else city.role_id,
        )
        await self.db.execute(
            "UPDATE cities SET channel_id = ?, role_id = ? WHERE id = ?",
            (new.channel_id, new.role_id, city.id),
        )
        return new

    async def remove_city(self, guild_id: int, name: str) -> City:
        city = await self.city(guild_id, name)
        await self.db.execute("DELETE FROM cities WHERE id = ?", (city.id,))
        return city

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """A channel was deleted: clear every setting that named it; says what changed (in
        the language being spoken: the caller speaks the server's)."""
        cleared: list[str] = []
        async with self.db.transaction():
            if await self.db.execute_rowcount(
                "UPDATE guilds SET announcements_channel_id = NULL"
                " WHERE guild_id = ? AND announcements_channel_id = ?",
                (guild_id, channel_id),
            ):
                cleared.append(_("the announcements channel setting"))
            if await self.db.execute_rowcount(
                "UPDATE guilds SET organizer_channel_id = NULL"
                " WHERE guild_id = ? AND organizer_channel_id = ?",
                (guild_id, channel_id),
            ):
                cleared.append(_("the organizer channel (notices wait until it is set again)"))
            for row in await self.db.fetchall(
                "UPDATE cities SET channel_id = NULL WHERE guild_id = ? AND channel_id = ?"
                " RETURNING name",
                (guild_id, channel_id),
            ):
                cleared.append(_("the channel of {city}", city=row["name"]))
        return cleared

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        """A role was deleted: clear every setting that named it; says what changed (in
        the language being spoken: the caller speaks the server's)."""
        cleared: list[str] = []
        async with self.db.transaction():
            if await self.db.execute_rowcount(
                "UPDATE guilds SET organizer_role_id = NULL"
                " WHERE guild_id = ? AND organizer_role_id = ?",
                (guild_id, role_id),
            ):
                cleared.append(_("the organizer role (only Manage Server counts now)"))
            if await self.db.execute_rowcount(
                "UPDATE guilds SET curator_role_id = NULL"
                " WHERE guild_id = ? AND curator_role_id = ?",
                (guild_id, role_id),
            ):
                cleared.append(_("the curator role (only organizers add resources directly now)"))
            for row in await self.db.fetchall(
                "UPDATE cities SET role_id = NULL WHERE guild_id = ? AND role_id = ?"
                " RETURNING name",
                (guild_id, role_id),
            ):
                cleared.append(_("the role of {city}", city=row["name"]))
        return cleared

    async def search_cities(self, guild_id: int, text: str) -> list[str]:
        key = text.strip().casefold()
        return [c.name for c in await self.cities(guild_id) if key in c.name.casefold()][:25]
