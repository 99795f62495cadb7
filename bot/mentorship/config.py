"""A guild's mentorship settings: when rounds run, where pairs get their private
thread, and which languages members may pick.

The settings row and the default languages (English, Urdu) are made the first time a
guild uses mentorship (`ensure`). The round schedule is stored as text and read in the
guild's *current* time zone, so a new zone moves the rounds' wall-clock time with it.
"""

from __future__ import annotations

from bot.db import Database, Row
from bot.errors import AlreadyExists, InvalidInput
from bot.guilds import GuildSettings
from bot.i18n import N_, _
from bot.mentorship import inputs, store
from bot.mentorship.models import (
    DEFAULT_LANGUAGES,
    DEFAULT_SCHEDULE,
    MAX_LANGUAGES,
    Clock,
    MentorshipSettings,
)
from bot.schedules import Schedule, parse_schedule


def next_tick(schedule: Schedule, row: Row) -> int | None:
    """The schedule's next tick not yet served: after the last one served, and never
    before the schedule was set (ticks of an older schedule are not owed)."""
    return schedule.next_fire(max(row["last_tick_at"] or 0, row["schedule_set_at"]))


class MentorshipConfig:
    def __init__(self, db: Database, guilds: GuildSettings, clock: Clock) -> None:
        self.db = db
        self.guilds = guilds
        self.clock = clock

    async def ensure(self, guild_id: int) -> None:
        """The guild's mentorship settings row and languages, the first time only."""
        if await self.db.fetchone(
            "SELECT 1 FROM mentorship_settings WHERE guild_id = ?", (guild_id,)
        ):
            return
        await self.guilds.ensure(guild_id)
        now = int(self.clock())
        async with self.db.transaction():
            created = await self.db.execute_rowcount(
                "INSERT INTO mentorship_settings(guild_id, schedule, schedule_set_at,"
                " created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guild_id, DEFAULT_SCHEDULE, now, now),
            )
            if created:
                await self.db.executemany(
                    "INSERT INTO mentorship_languages(guild_id, name, name_key,"
                    " position) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [(guild_id, n, n.casefold(), i) for i, n in enumerate(DEFAULT_LANGUAGES)],
                )

    async def row(self, guild_id: int) -> Row:
        """The settings row (call `ensure` first)."""
        row = await self.db.fetchone(
            "SELECT guild_id, schedule, schedule_set_at, channel_id, last_round_at, last_tick_at"
            " FROM mentorship_settings WHERE guild_id = ?",
            (guild_id,),
        )
        assert row is not None, "call ensure first"
        return row

    # --- rounds and threads --------------------------------------------------------------
    async def schedule(self, guild_id: int) -> Schedule:
        """The round schedule, parsed in the guild's current time zone."""
        await self.ensure(guild_id)
        row = await self.row(guild_id)
        return parse_schedule(row["schedule"], (await self.guilds.get(guild_id)).tz)

    async def settings(self, guild_id: int) -> MentorshipSettings:
        schedule = await self.schedule(guild_id)
        row = await self.row(guild_id)
        return MentorshipSettings(
            guild_id=guild_id,
            schedule=schedule.text,
            schedule_description=schedule.describe(),
            channel_id=row["channel_id"],
            last_round_at=row["last_round_at"],
            next_round_at=next_tick(schedule, row),
        )

    async def set_schedule(self, guild_id: int, text: str) -> MentorshipSettings:
        """Organizers: when rounds run (`daily 10:00`, `weekly mon 18:00`, cron). The
        round's job must be re-armed after (cogs/mentorship/_timers.py)."""
        await self.ensure(guild_id)
        parsed = parse_schedule(text, (await self.guilds.get(guild_id)).tz)
        await self.db.execute(
            "UPDATE mentorship_settings SET schedule = ?, schedule_set_at = ? WHERE guild_id = ?",
            (parsed.text, int(self.clock()), guild_id),
        )
        return await self.settings(guild_id)

    async def set_channel(self, guild_id: int, channel_id: int | None) -> MentorshipSettings:
        """Organizers: the channel for private match threads (None: intros go by DM)."""
        await self.ensure(guild_id)
        await self.db.execute(
            "UPDATE mentorship_settings SET channel_id = ? WHERE guild_id = ?",
            (channel_id, guild_id),
        )
        return await self.settings(guild_id)

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """A channel was deleted: new pairs are introduced by DM until one is set again."""
        if await self.db.execute_rowcount(
            "UPDATE mentorship_settings SET channel_id = NULL"
            " WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        ):
            # A catalogue message: the notice that lists it translates it (cogs/cleanup.py).
            return [N_("the mentorship channel (new pairs are introduced by DM)")]
        return []

    # --- languages -----------------------------------------------------------------------
    async def languages(self, guild_id: int) -> list[str]:
        """The languages members may pick here (English and Urdu, then any added)."""
        await self.ensure(guild_id)
        rows = await self.db.fetchall(
            "SELECT name FROM mentorship_languages WHERE guild_id = ? ORDER BY position, name_key",
            (guild_id,),
        )
        return [r["name"] for r in rows]

    async def add_language(self, guild_id: int, name: str) -> str:
        """Organizers: add a language; AlreadyExists if it is there (any case)."""
        cleaned = inputs.check_language_name(name)
        await self.ensure(guild_id)
        async with self.db.transaction():
            await store.lock_guild(self.db, guild_id)  # two at once: one counts the other
            existing = await self.db.fetchval(
                "SELECT name FROM mentorship_languages WHERE guild_id = ? AND name_key = ?",
                (guild_id, cleaned.casefold()),
            )
            if existing:
                raise AlreadyExists(
                    _("{name} is already one of this server's languages.", name=existing)
                )
            row = await self.db.fetchone(
                "SELECT COUNT(*) AS n, COALESCE(MAX(position), -1) AS last"
                " FROM mentorship_languages WHERE guild_id = ?",
                (guild_id,),
            )
            assert row is not None
            if row["n"] >= MAX_LANGUAGES:
                raise InvalidInput(
                    _("This server already has {n} languages, the most.", n=MAX_LANGUAGES)
                )
            await self.db.execute(
                "INSERT INTO mentorship_languages(guild_id, name, name_key, position)"
                " VALUES (?, ?, ?, ?)",
                (guild_id, cleaned, cleaned.casefold(), row["last"] + 1),
            )
        return cleaned

    async def parse_language(self, guild_id: int, text: str | None) -> str | None:
        """A language option: None (not given) stays None, blank → "" (clear), else one
        of the guild's languages."""
        if text is None:
            return None
        return inputs.parse_language(await self.languages(guild_id), text) if text.strip() else ""

    async def parse_languages(self, guild_id: int, text: str) -> tuple[str, ...]:
        return inputs.parse_languages(await self.languages(guild_id), text)
