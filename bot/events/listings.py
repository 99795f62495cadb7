"""Listings: what members and organizers look up — upcoming events, search and
autocomplete, a member's own place and events, and the attendee list. Read-only."""

from __future__ import annotations

from typing import Any

from bot.events.models import Attendee, Event, MemberStatus, MyEvent
from bot.events.questions import load_answers
from bot.events.standing import Standings
from bot.events.store import RANK_OF_R, SELECT_EVENT, EventStore, event_from_row, iso
from bot.i18n import _, unwrap
from bot.timeutil import format_local

_CHOICE_NAME_LIMIT = 100  # Discord's limit on an autocomplete choice's name


class Listings:
    def __init__(self, store: EventStore, standing: Standings) -> None:
        self.store = store
        self.db = store.db
        self.standing = standing

    async def upcoming(self, guild_id: int, city: str | None = None) -> list[Event]:
        """Not cancelled and not over, soonest first. An unknown city → NotFound listing them."""
        now = self.store.now()
        one_city = city is not None and bool(city.strip())
        sql = (
            f"{SELECT_EVENT} FROM events e WHERE e.guild_id = ? AND e.status = 'scheduled'"
            " AND e.ends_at > ?"
            f"{' AND lower(e.city) = lower(?)' if one_city else ''}"
            " ORDER BY e.starts_at, e.id"
        )
        params: list[Any] = [guild_id, now]
        if city is not None and one_city:
            params.append(" ".join(city.split()))
        rows = await self.db.fetchall(sql, params)
        if not rows and city is not None and city.strip():
            await self.store.guilds.city(guild_id, city)  # a typo gets the list of cities
        return [event_from_row(r) for r in rows]

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Event]:
        """For autocomplete: title or city contains `text` (or it is the id); upcoming events
        soonest first, then past and cancelled ones, latest first."""
        key = " ".join(unwrap(text).split())  # pasted from an Urdu message
        ident = key.removeprefix("#")
        now = self.store.now()
        rows = await self.db.fetchall(
            f"{SELECT_EVENT} FROM events e WHERE e.guild_id = ?1 AND (?2 = ''"
            " OR instr(lower(e.title), lower(?2)) > 0 OR instr(lower(e.city), lower(?2)) > 0"
            " OR CAST(e.id AS TEXT) = ?3)"
            " ORDER BY (e.status = 'scheduled' AND e.ends_at > ?4) DESC,"
            " CASE WHEN e.status = 'scheduled' AND e.ends_at > ?4 THEN e.starts_at"
            " ELSE -e.starts_at END, e.id LIMIT ?5",
            (guild_id, key, ident, now, max(1, min(limit, 100))),
        )
        return [event_from_row(r) for r in rows]

    async def autocomplete(
        self, guild_id: int, text: str, limit: int = 25
    ) -> list[tuple[str, str]]:
        """(name, value) choices: `Title · City · 26 Jul 2026 10:00` (guild zone) → `"12"`."""
        tz = (await self.store.guilds.get(guild_id)).tz
        now = self.store.now()
        choices = []
        for event in await self.search(guild_id, text, limit):
            when = format_local(event.starts_at, tz)
            tag = (
                " " + _("(cancelled)")
                if event.cancelled
                else " " + _("(over)")
                if event.is_over(now)
                else ""
            )
            suffix = f" · {event.city} · {when}{tag}"
            room = _CHOICE_NAME_LIMIT - len(suffix)
            title = event.title if len(event.title) <= room else event.title[: room - 1] + "…"
            choices.append((title + suffix, str(event.id)))
        return choices

    async def status_of(self, event_id: int, user_id: int) -> MemberStatus:
        """The member's place: going with seat n, waitlisted at position n, or not registered."""
        row = await self.db.fetchone(
            f"SELECT r.status, {RANK_OF_R} AS rank FROM rsvps r"
            " WHERE r.event_id = ? AND r.user_id = ?",
            (event_id, user_id),
        )
        if row is None:
            return MemberStatus(None, None, None)
        if row["status"] == "going":
            return MemberStatus("going", row["rank"], None)
        return MemberStatus("waitlist", None, row["rank"])

    async def online_link(self, event: Event, user_id: int) -> str | None:
        """The event's online link if this member is going now, else None: what every DM,
        card and calendar file for one member goes through (Event.link_for)."""
        if event.online_url is None:
            return None  # no need to ask
        return event.link_for((await self.status_of(event.id, user_id)).status)

    async def mine(self, guild_id: int, user_id: int) -> list[MyEvent]:
        """The member's upcoming events (not cancelled, not over), soonest first."""
        rows = await self.db.fetchall(
            f"{SELECT_EVENT}, r.status AS my_status, {RANK_OF_R} AS my_rank"
            " FROM rsvps r JOIN events e ON e.id = r.event_id"
            " WHERE e.guild_id = ? AND r.user_id = ? AND e.status = 'scheduled'"
            " AND e.ends_at > ? ORDER BY e.starts_at, e.id",
            (guild_id, user_id, self.store.now()),
        )
        return [
            MyEvent(
                event_from_row(r),
                r["my_status"],
                r["my_rank"] if r["my_status"] == "going" else None,
                r["my_rank"] if r["my_status"] == "waitlist" else None,
            )
            for r in rows
        ]

    async def attendees(self, guild_id: int, event_id: int) -> list[Attendee]:
        """Going (seat order) then the waitlist (good standing first, each in click order),
        with answers, standing and check-in time: organizers only (export.attendees_csv
        makes the file)."""
        await self.store.load(guild_id, event_id)
        now = self.store.now()
        rows = await self.db.fetchall(
            "SELECT r.user_id, r.status, r.created_at, r.answers, r.behind, c.checked_in_at"
            " FROM rsvps r LEFT JOIN event_checkins c"
            " ON c.event_id = r.event_id AND c.user_id = r.user_id"
            " WHERE r.event_id = ? ORDER BY r.status = 'waitlist', r.behind, r.seq",
            (event_id,),
        )
        poor = await self.standing.poor_among_attendees(guild_id, event_id, now)
        result: list[Attendee] = []
        seat = position = 0
        for r in rows:
            going = r["status"] == "going"
            if going:
                seat += 1
            else:
                position += 1
            checked_in = r["checked_in_at"]
            result.append(
                Attendee(
                    r["user_id"],
                    r["status"],
                    iso(r["created_at"]),
                    seat if going else None,
                    None if going else position,
                    load_answers(r["answers"]),
                    "poor" if r["user_id"] in poor else "good",
                    None if checked_in is None else iso(checked_in),
                    bool(r["behind"]),
                )
            )
        return result
