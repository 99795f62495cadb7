"""Recurring events: a series is a rule (recurrence.py) and a template, and each occurrence
is an ordinary event with its own RSVPs, seats, tickets and reminders.

Occurrences are made ahead of time, not all at once: every occurrence starting within the
guild's lead (`/settings series-lead`, default 14 days) exists; the rest are made by a
job at `start - lead` (cogs/events/_timers.py), which the cog then announces. Making one
locks the series row and reads the highest index made, and (series_id, series_index) is
unique, so two processes or a repeated job make each occurrence once. An occurrence
whose start has already passed (the bot was down for weeks) is skipped, never made late.

"This and all later" is a split, as calendars do it: the series ends before the
occurrence, and a new series starts at it (with the edit applied), taking over the
occurrences already made from there on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput, NotAllowed
from bot.events.catalogue import Catalogue
from bot.events.models import Event
from bot.events.recurrence import Recurrence, Rule, check_end, local_of, parse_rule
from bot.events.reminders import Reminders
from bot.events.results import EditResult
from bot.events.store import SELECT_EVENT, EventStore, event_from_row
from bot.i18n import _, strip_marks
from bot.timeutil import parse_when

DEFAULT_LEAD_DAYS = 14
MAX_LEAD_DAYS = 90
DAY = 86400
# The template: the event columns an occurrence copies from its series.
_TEMPLATE = (
    "title",
    "city",
    "venue",
    "description",
    "capacity",
    "channel_id",
    "role_id",
    "questions",
    "organizer_id",
    "online_url",
)
_COPIED = ", ".join(_TEMPLATE)


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    guild_id: int
    recurrence: Recurrence
    duration: int
    status: str  # 'active' or 'ended'
    next_index: int  # the next occurrence to make (or skip, when its time has passed)

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class SeriesJob:
    """A job for the cog: at due_at call `series.make_due(series_id)`."""

    series_id: int
    guild_id: int
    due_at: int


class Series:
    def __init__(self, store: EventStore, catalogue: Catalogue, reminders: Reminders) -> None:
        self.store = store
        self.db = store.db
        self.catalogue = catalogue
        self.reminders = reminders

    # --- the lead ---------------------------------------------------------------------------
    async def lead_days(self, guild_id: int) -> int:
        days = await self.db.fetchval(
            "SELECT series_lead_days FROM event_guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return DEFAULT_LEAD_DAYS if days is None else int(days)

    async def set_lead_days(self, guild_id: int, days: int) -> None:
        if not 1 <= days <= MAX_LEAD_DAYS:
            raise InvalidInput(_("The lead is 1 to {max} days.", max=MAX_LEAD_DAYS))
        await self.store.set_setting(guild_id, "series_lead_days", days)

    # --- creating -------------------------------------------------------------------------
    async def create(
        self,
        guild_id: int,
        organizer_id: int,
        *,
        repeat: str,
        until: str | None = None,
        count: int | None = None,
        **fields: Any,
    ) -> tuple[SeriesInfo, list[Event]]:
        """The first occurrence from `fields` (as Catalogue.create takes them), the series
        from it, and every further occurrence within the lead, in one transaction."""
        rule = parse_rule(repeat)
        tz = (await self.store.guilds.get(guild_id)).tz
        last_day = _parse_until(until, tz, self.store.now()) if until is not None else None
        async with self.db.transaction():
            first = await self.catalogue.create(guild_id, organizer_id, **fields)
            first_local = local_of(first.starts_at, tz)
            check_end(first_local, last_day, count)
            now = self.store.now()
            series_id = await self.db.insert(
                f"INSERT INTO event_series(guild_id, rule, first_local, tz, duration,"
                f" until_local, max_count, created_at, updated_at, {_COPIED})"
                f" SELECT guild_id, ?, ?, ?, ?, ?, ?, ?, ?, {_COPIED} FROM events WHERE id = ?",
                (
                    rule,
                    first_local.isoformat(timespec="seconds"),
                    tz.key,
                    first.ends_at - first.starts_at,
                    last_day.isoformat() if last_day else None,
                    count,
                    now,
                    now,
                    first.id,
                ),
            )
            await self.db.execute(
                "UPDATE events SET series_id = ?, series_index = 0 WHERE id = ?",
                (series_id, first.id),
            )
            made = await self._make_due(series_id)
            info = await self.get(series_id)
        return info, [await self.store.load(guild_id, first.id), *made]

    async def get(self, series_id: int) -> SeriesInfo:
        row = await self.db.fetchone("SELECT * FROM event_series WHERE id = ?", (series_id,))
        if row is None:
            raise NotAllowed(_("That series no longer exists."))
        return _info(row)

    # --- making occurrences ahead ------------------------------------------------------------
    async def make_due(self, series_id: int) -> list[Event]:
        """Make every occurrence now within the lead; returns them (to announce)."""
        async with self.db.transaction():
            return await self._make_due(series_id)

    async def _make_due(self, series_id: int) -> list[Event]:
        row = await self.db.fetchone(
            f"SELECT s.* FROM event_series s WHERE s.id = ?{self.db.lock('s')}", (series_id,)
        )
        if row is None or row["status"] != "active":
            return []
        info = _info(row)
        now = self.store.now()
        horizon = now + await self.lead_days(info.guild_id) * DAY
        k = info.next_index
        made: list[int] = []
        offsets = await self.reminders.offsets(info.guild_id)
        while (starts_at := info.recurrence.start(k)) is not None and starts_at <= horizon:
            if starts_at > now:  # one whose time passed while nobody made it is skipped
                made.append(await self._insert(info, k, starts_at, now))
                await self.reminders.plan(made[-1], starts_at, offsets, now)
            k += 1
        status = "active" if info.recurrence.start(k) is not None else "ended"
        await self.db.execute(
            "UPDATE event_series SET next_index = ?, status = ?, updated_at = ? WHERE id = ?",
            (k, status, now, series_id),
        )
        return [await self.store.load(info.guild_id, event_id) for event_id in made]

    async def _insert(self, info: SeriesInfo, index: int, starts_at: int, now: int) -> int:
        return await self.db.insert(
            f"INSERT INTO events(guild_id, starts_at, ends_at, created_at, updated_at,"
            f" announce_intent_at, series_id, series_index, {_COPIED})"
            f" SELECT guild_id, ?, ?, ?, ?, CASE WHEN channel_id IS NULL THEN NULL ELSE ? END,"
            f" id, ?, {_COPIED} FROM event_series WHERE id = ?",
            (starts_at, starts_at + info.duration, now, now, now, index, info.id),
        )

    async def pending(self, series_id: int | None = None) -> list[SeriesJob]:
        """When each active series' next occurrence is due to be made."""
        rows = await self.db.fetchall(
            "SELECT s.*, COALESCE(g.series_lead_days, ?) AS lead FROM event_series s"
            " LEFT JOIN event_guild_settings g ON g.guild_id = s.guild_id"
            " WHERE s.status = 'active' AND (? IS NULL OR s.id = ?) ORDER BY s.id",
            (DEFAULT_LEAD_DAYS, series_id, series_id),
        )
        jobs = []
        for row in rows:
            info = _info(row)
            starts_at = info.recurrence.start(info.next_index)
            # past its end (ended by the next make): due now
            due = self.store.now() if starts_at is None else starts_at - int(row["lead"]) * DAY
            jobs.append(SeriesJob(info.id, info.guild_id, due))
        return jobs

    async def guild_series(self, guild_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM event_series WHERE guild_id = ? AND status = 'active'", (guild_id,)
        )
        return [int(r["id"]) for r in rows]

    # --- this and all later -------------------------------------------------------------------
    async def later(self, event: Event) -> list[Event]:
        """The occurrences after `event` already made, still ahead and not cancelled."""
        if event.series_id is None:
            return []
        rows = await self.db.fetchall(
            f"{SELECT_EVENT} FROM events e WHERE e.series_id = ? AND e.series_index > ?"
            " AND e.status = 'scheduled' AND e.ends_at > ? ORDER BY e.series_index",
            (event.series_id, event.series_index, self.store.now()),
        )
        return [event_from_row(r) for r in rows]

    async def asks_scope(self, event: Event) -> bool:
        """Whether an edit or cancel of `event` has later occurrences to ask about."""
        if event.series_id is None:
            return False
        info = await self.get(event.series_id)
        return info.active or bool(await self.later(event))

    async def split(self, event: Event) -> SeriesInfo:
        """End the series before `event`; a new series from `event` on (same rule, same end,
        the count less what came before), with the occurrences made from `event` on. Call
        after `event` itself was edited: the new series copies it as its template."""
        assert event.series_id is not None and event.series_index is not None
        old = await self.get(event.series_id)
        rec = old.recurrence
        tz = rec.tz
        now = self.store.now()
        index = event.series_index
        async with self.db.transaction():
            await self.db.execute(
                "UPDATE event_series SET status = 'ended', updated_at = ? WHERE id = ?",
                (now, old.id),
            )
            count = None if rec.count is None else max(1, rec.count - index)
            new_id = await self.db.insert(
                f"INSERT INTO event_series(guild_id, rule, first_local, tz, duration,"
                f" until_local, max_count, status, next_index, created_at, updated_at,"
                f" {_COPIED}) SELECT guild_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_COPIED}"
                " FROM events WHERE id = ?",
                (
                    rec.rule,
                    local_of(event.starts_at, tz).isoformat(timespec="seconds"),
                    tz.key,
                    event.ends_at - event.starts_at,
                    rec.until.isoformat() if rec.until else None,
                    count,
                    old.status,
                    max(1, old.next_index - index),
                    now,
                    now,
                    event.id,
                ),
            )
            await self.db.execute(
                "UPDATE events SET series_id = ?, series_index = series_index - ?"
                " WHERE series_id = ? AND series_index >= ?",
                (new_id, index, old.id, index),
            )
        return await self.get(new_id)

    async def edit_later(
        self, guild_id: int, event: Event, **changes: Any
    ) -> tuple[list[EditResult], list[Event]]:
        """Edit `event` as Catalogue.edit does, then split the series there and give every
        later occurrence made the same change; a new time moves them by the rule from the
        new start. Returns each edit's result (this one first) and any occurrence the move
        brought within the lead (to announce). Each occurrence is edited in its own
        transaction, in its own turn, as a single edit would be."""
        first = await self.catalogue.edit(guild_id, event.id, **changes)
        results = [first]
        info = await self.split(first.event)
        moved = bool({"starts_at", "ends_at"} & set(first.changed))
        others = {k: v for k, v in changes.items() if k not in ("starts", "ends")}
        now = self.store.now()
        for later in await self.later(await self.store.load(guild_id, event.id)):
            assert later.series_index is not None
            given = dict(others)
            starts_at = info.recurrence.start(later.series_index)
            if moved and starts_at is not None and starts_at > now:
                given["at"] = (starts_at, starts_at + info.duration)
            if given:
                results.append(await self.catalogue.edit(guild_id, later.id, **given))
        return results, await self.make_due(info.id)

    async def cancel_later(self, guild_id: int, event: Event, reason: str | None) -> list[Event]:
        """Cancel `event` and every later occurrence made, and make no more."""
        cancelled = [await self.catalogue.cancel(guild_id, event.id, reason)]  # checks first
        await self.end_from(event)  # then none is made meanwhile
        later = await self.later(event)
        for occurrence in later:
            cancelled.append(await self.catalogue.cancel(guild_id, occurrence.id, reason))
        return cancelled

    async def end_from(self, event: Event) -> None:
        """No more occurrences after `event` (cancelling this and all later)."""
        if event.series_id is not None:
            await self.db.execute(
                "UPDATE event_series SET status = 'ended', updated_at = ? WHERE id = ?",
                (self.store.now(), event.series_id),
            )


def _info(row: Any) -> SeriesInfo:
    until = row["until_local"]
    rec = Recurrence(
        rule=_rule(row["rule"]),
        first=_naive(row["first_local"]),
        tz=ZoneInfo(row["tz"]),
        until=date.fromisoformat(until) if until else None,
        count=row["max_count"],
    )
    return SeriesInfo(
        int(row["id"]),
        int(row["guild_id"]),
        rec,
        int(row["duration"]),
        row["status"],
        int(row["next_index"]),
    )


def _rule(text: str) -> Rule:
    return parse_rule(text)


def _naive(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _parse_until(text: str, tz: ZoneInfo, now: int) -> date:
    """A date as organizers write it (`2027-06-30`, `30 Jun 2027`), read at noon."""
    text = strip_marks(text)  # a date copied from an Urdu message
    try:
        return parse_when(f"{text.strip()[:40]} 12:00", tz, datetime.fromtimestamp(now, UTC)).date()
    except InvalidInput:
        raise InvalidInput(
            _(
                "I couldn't read until “{until}” as a date: write it like 2027-06-30 "
                "or 30 Jun 2027.",
                until=text.strip()[:40],
            )
        ) from None
