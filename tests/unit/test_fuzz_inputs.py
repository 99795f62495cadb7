"""Bad input at scale (issue 7): property-based tests over the services behind the slash
commands, fed random text — Urdu and other scripts, emoji, zero-width and bidi characters,
strings up to 6,000 characters, SQL, FTS5 and Markdown meta-characters, mention syntax.

For every input:
- a service call either refuses with a DomainError (a non-empty sentence that fits in a
  message) or succeeds, never anything else (no sqlite3 error, KeyError, ValueError, …);
- what it says it stored reads back identically, and equals the input under the
  documented normalisation (whitespace collapsed or stripped, canonical names);
- searches, resolvers and autocomplete never crash and stay within their limits;
- what the cogs render from the stored values fits Discord's limits: embeds, message
  content, autocomplete choices, and every message owed in the outbox.

Every test runs twice, with the bot speaking English and Urdu (bot/i18n.py).
One migrated database per test and a fresh guild id per example, so examples never see
each other's data. `FUZZ_EXAMPLES=1000 pytest tests/unit/test_fuzz_inputs.py` runs the long
version (the default keeps the file well under a minute).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import discord
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.cooldowns import Cooldowns
from bot.db import Database
from bot.errors import DomainError, InvalidInput
from bot.events import EventService, MemberStatus, attendees_csv, event_ics, feedback_report
from bot.events.export import _safe_cell
from bot.events.questions import parse_questions
from bot.guilds import GuildSettings, resolve_timezone, search_timezones, timezone_names
from bot.i18n import ENGLISH, URDU, speaking
from bot.kinds import decode
from bot.mentorship import MentorshipService
from bot.outbox import OutboxItem
from bot.resources import AutopostService, FeedService, ResourceService, Taxonomy, resolve_level
from bot.resources.messages import AutopostPost, FeedEntryPost
from bot.resources.records import title_from_url
from bot.resources.urls import check_url
from bot.schedules import parse_schedule
from bot.taxonomy import DEFAULT_TOPICS, LEVELS
from bot.timeutil import format_offsets, parse_offsets, parse_when
from cogs._common import column as lines_column
from cogs._common import truncate
from cogs._features import Features
from cogs.events._choices import event_choices
from cogs.events._embeds import event_embed, list_line
from cogs.events._feature import EventsFeature
from cogs.events._modals import FeedbackModal
from cogs.events._notify import EventNotices
from cogs.events._tickets import ticket_text
from cogs.mentorship._embeds import profile_embed, request_embed
from cogs.mentorship._feature import MentorshipFeature
from cogs.mentorship._notify import MentorshipRenderers
from cogs.mentorship._views import FeedbackModal as MentorFeedbackModal
from cogs.resources._choices import feed_choices, resource_choices, topic_choices
from cogs.resources._embeds import (
    autopost_line,
    next_text,
    progress_embed,
    resource_embed,
    result_entry,
    results_embed,
)
from cogs.resources._feature import ResourcesFeature
from cogs.resources._notify import ResourceNotices, feed_post, library_post
from cogs.resources._review import suggestion_embed

T = TypeVar("T")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
# 2026-07-01 00:00 UTC, 05:00 in Asia/Karachi (the default zone), a Wednesday.
START = int(datetime(2026, 7, 1, tzinfo=UTC).timestamp())
ORGANIZER = 900
MEMBER, OTHER = 901, 902
SNOWFLAKE = st.integers(1, 2**63 - 1)
# Discord's integer options carry at most 2^53 either way.
DISCORD_INT = st.one_of(st.integers(-3, 30), st.integers(-(2**53), 2**53))


@pytest.fixture(autouse=True, params=[ENGLISH, URDU])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test runs in English and in Urdu: refusals and everything rendered must fit
    Discord's limits in both (Urdu is longer than English in some messages)."""
    with speaking(request.param):
        yield request.param


def fuzz(scale: float = 1.0) -> settings:
    """Hypothesis settings: EXAMPLES × scale examples, no deadline (SQLite in a thread)."""
    return settings(
        max_examples=max(1, round(EXAMPLES * scale)),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # one db per test; guilds are per example
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --- the text members type ----------------------------------------------------------------
URDU_WORDS = ("اسلام آباد", "لاہور", "مشین لرننگ", "سیکھنا", "کراچی", "تقریب", "۱۲")
EMOJI = ("😀", "👍🏽", "👨‍👩‍👧‍👦", "🇵🇰", "❤️", "🧑🏾‍💻", "🏳️‍🌈", "🔥", "🤖")
INVISIBLE = (
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\ufeff",  # BOM / zero-width no-break space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u00ad",  # soft hyphen
)
SPACES = (" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u2029", "\x0b", "\x1c")
META = (
    "'; DROP TABLE events; --",
    "' OR '1'='1",
    "%",
    "_",
    "%_%",
    '"',
    '""',
    "*",
    "NEAR(",
    "NEAR(a b)",
    " OR ",
    "AND",
    "NOT",
    "-",
    "^",
    "(",
    ")",
    ":",
    "{fts_title}:",
    "~g1",
    "~",
    "**",
    "__",
    "`",
    "```",
    "||",
    "~~",
    "> ",
    "[x](https://e.com)",
    "\\",
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<#789>",
    "<t:0:R>",
    "<:gdg:123>",
    "\x00",
    ";",
    ",",
    "#",
    "#1",
    "1",
    "12",
    "²",
    "¹",
    "١٢",
    "Ⅻ",
    "9" * 25,
    "https://",
    "javascript:",
    "%s",
    "{0}",
    "?",
    "?1",
    "İ",
    "ß",
    "ﬁ",
)
# Lengths at and around every limit the services and Discord have.
LIMIT_SIZES = (
    1, 2, 30, 31, 45, 46, 50, 51, 99, 100, 101, 199, 200, 201, 256, 257, 300, 301,
    400, 500, 501, 1000, 1001, 1024, 1025, 2000, 2001, 4096, 4097, 6000,
)  # fmt: skip

pieces = st.one_of(
    st.text(max_size=12),  # any Unicode scalar value but surrogates
    st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), min_size=1, max_size=12),
    st.sampled_from(URDU_WORDS),
    st.sampled_from(EMOJI),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    st.sampled_from(INVISIBLE),
    st.sampled_from(SPACES),
    st.sampled_from(META),
    st.text("abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=10),
)


def _repeat(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


long_texts = st.builds(
    _repeat,
    pieces.filter(bool),
    st.one_of(st.sampled_from(LIMIT_SIZES), st.integers(1, 6000)),
)
# Numbers as members may type them (ids, ratings): any script's digits (Urdu's ۱۲ among
# them), superscripts, circled and Roman numerals, and ids longer than any column holds.
numerals = st.builds(
    "{}{}".format,
    st.sampled_from(("", "#", " # ")),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=25),
)
# A few words lost in a paste of whitespace: short once collapsed, long as typed.
padded = st.builds(
    "{}{}{}".format, pieces, st.sampled_from(SPACES).map(lambda space: space * 2500), pieces
)
# Mixed pieces, raw Unicode, numerals, or a long run (up to 6,000 characters, Discord's limit
# on a string option).
texts = st.one_of(
    st.lists(pieces, max_size=10).map("".join), st.text(), numerals, long_texts, padded
)
maybe = st.none() | texts


def mostly(valid: st.SearchStrategy[T], other: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """`valid` about two times in three, else `other`: with several arguments per call,
    random values for all of them would nearly always be refused, leaving the read-back
    untested. (`one_of` would pick each side about half the time, whatever the repeats.)"""
    return st.tuples(st.booleans(), st.booleans()).flatmap(
        lambda coins: valid if any(coins) else other
    )


def valid_or_random(*valid: str) -> st.SearchStrategy[str]:
    """A value the service accepts (in odd spacing or case), or any text."""
    spaced = st.sampled_from(valid).flatmap(
        lambda v: st.sampled_from((v, v.upper(), f"  {v.lower()} ", v.replace(" ", "\u3000")))
    )
    return mostly(spaced, texts)


def number(low: int, high: int) -> st.SearchStrategy[int]:
    """A whole number the service accepts, or any Discord integer option."""
    return mostly(st.integers(low, high), DISCORD_INT)


# --- Discord's limits ---------------------------------------------------------------------
def assert_refusal(err: DomainError) -> None:
    """A refusal is one sentence a member can read: not empty, and it fits in a message."""
    text = str(err)
    assert text.strip(), f"{type(err).__name__} without a message"
    assert len(text) <= 2000, f"{type(err).__name__} of {len(text)} characters"


async def attempt(call: Coroutine[Any, Any, T]) -> T | None:
    """The call's result, or None when it refused with a DomainError. Anything else fails.
    (`--hypothesis-show-statistics` shows how often each call was accepted or refused.)"""
    try:
        result = await call
    except DomainError as err:
        assert_refusal(err)
        event(f"{call.__qualname__}: refused")
        return None
    event(f"{call.__qualname__}: accepted")
    return result


def attempt_sync(func: Callable[..., T], *args: Any) -> T | None:
    try:
        result = func(*args)
    except DomainError as err:
        assert_refusal(err)
        event(f"{func.__qualname__}: refused")
        return None
    event(f"{func.__qualname__}: accepted")
    return result


def assert_embed_fits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert field.name and field.name.strip() and len(field.name) <= 256, field.name
        assert field.value and field.value.strip(), f"empty value in field {field.name}"
        assert len(field.value) <= 1024, f"field {field.name}: {len(field.value)} characters"
    assert len(embed.footer.text or "") <= 2048
    assert len(embed.author.name or "") <= 256
    assert len(embed) <= 6000, f"embed of {len(embed)} characters"


def assert_message_fits(message: dict[str, Any]) -> None:
    content = message.get("content")
    assert content is None or len(content) <= 2000, f"content of {len(content or '')} characters"
    if message.get("embed") is not None:
        assert_embed_fits(message["embed"])
    for embed in message.get("embeds") or ():
        assert_embed_fits(embed)


def assert_choices_fit(choices: list[Any]) -> None:
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice.name) <= 100, choice.name
        assert not isinstance(choice.value, str) or 1 <= len(choice.value) <= 100


# The 1-character rating field of the feedback forms, as typed (Urdu's ۵ is a 5 too).
RATING_TEXT = mostly(st.sampled_from("12345۵٣"), st.text(max_size=1))


# --- the world of one example ---------------------------------------------------------------
_guild_ids = itertools.count(10_000)


class Clock:
    def __init__(self) -> None:
        self.now = float(START)

    def __call__(self) -> float:
        return self.now


class StubBot:
    """Just enough of the bot for the notice renderers: they register by outbox kind."""

    def __init__(self) -> None:
        self.renderers: dict[str, Callable[[OutboxItem], Awaitable[dict[str, Any] | None]]] = {}
        self.delivery = SimpleNamespace(register=self.renderers.__setitem__, kick=lambda: None)
        self.scheduler = SimpleNamespace(add_rebuilder=lambda *args, **kwargs: None)

    def get_guild(self, guild_id: int) -> None:
        return None


class StubResponse:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def is_done(self) -> bool:
        return bool(self.sent)

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


@dataclass
class World:
    db: Database
    guild: int
    clock: Clock
    guilds: GuildSettings
    events: EventService
    resources: ResourceService
    autoposts: AutopostService
    feeds: FeedService
    mentorship: MentorshipService
    bot: StubBot

    def interaction(self, user_id: int = MEMBER) -> Any:
        """A stand-in for the discord.Interaction the cogs' callbacks read."""
        features = Features()
        features.add(events_feature(self.events))
        features.add(resources_feature(self))
        client = SimpleNamespace(features=features)
        guild = SimpleNamespace(
            id=self.guild, get_member=lambda _: None, get_channel=lambda _: None
        )
        user = SimpleNamespace(id=user_id, display_name="member")
        return SimpleNamespace(
            client=client, guild_id=self.guild, guild=guild, user=user, response=StubResponse()
        )

    async def assert_outbox_fits(self) -> int:
        """Render every message this guild is owed, as the deliverer would; each must fit."""
        rows = await self.db.fetchall(
            "SELECT id, guild_id, kind, user_id, channel_id, payload, attempts FROM outbox"
            " WHERE guild_id = ? AND status = 'pending' ORDER BY id",
            (self.guild,),
        )
        for r in rows:
            item = OutboxItem(
                r["id"],
                r["guild_id"],
                r["kind"],
                r["user_id"],
                r["channel_id"],
                json.loads(r["payload"]),
                r["attempts"],
                decode(r["kind"], r["payload"]),
            )
            message = await self.bot.renderers[item.kind](item)
            if message is not None:
                assert_message_fits(message)
        return len(rows)


def world(db: Database) -> World:
    clock = Clock()
    guilds = GuildSettings(db)
    w = World(
        db=db,
        guild=next(_guild_ids),
        clock=clock,
        guilds=guilds,
        events=EventService(db, guilds, clock=clock),
        resources=ResourceService(db, clock=clock),
        autoposts=AutopostService(db, guilds, clock=clock),
        feeds=FeedService(db, clock=clock),
        mentorship=MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock),
        bot=StubBot(),
    )
    EventNotices(w.events).register(w.bot.delivery)  # type: ignore[arg-type]  (a stand-in)
    ResourceNotices(w.bot, w.resources)  # type: ignore[arg-type]
    MentorshipRenderers(w.mentorship).register(w.bot.delivery)  # type: ignore[arg-type]
    return w


def collapsed(text: str | None) -> str:
    """Member text as stored: NUL dropped (neither store keeps it), whitespace collapsed."""
    return " ".join((text or "").replace("\x00", "").split())


def event_title(text: str) -> str:
    """An event title as stored: whitespace collapsed, NUL dropped (SQLite stops at it)."""
    return collapsed(text.replace("\x00", ""))


def id_like(text: str) -> bool:
    """What resolvers read as an id (`12`, `#12`, Arabic-Indic digits too), not a name."""
    return text.strip().removeprefix("#").strip().isdecimal()


# ============================================================================================
# Guild settings: time zone and cities (/settings timezone, city-add/-edit/-remove)
# ============================================================================================
@fuzz(2)
@given(text=valid_or_random("Asia/Karachi", "utc", "america/new york", "Europe/London"))
async def test_time_zone_is_canonical_or_refused(db: Database, text: str) -> None:
    w = world(db)
    zone = await attempt(w.guilds.set_timezone(w.guild, text))
    found = search_timezones(text)
    assert len(found) <= 25 and set(found) <= set(timezone_names())
    if zone is None:
        assert (await w.guilds.get(w.guild)).timezone == "Asia/Karachi"
        return
    assert zone in timezone_names()
    assert (await w.guilds.get(w.guild)).timezone == zone
    assert resolve_timezone(zone) == zone


@fuzz(2)
@given(name=valid_or_random("Karachi", "Islamabad"), channel=st.none() | SNOWFLAKE)
async def test_city_reads_back(db: Database, name: str, channel: int | None) -> None:
    w = world(db)
    city = await attempt(w.guilds.add_city(w.guild, name, channel_id=channel))
    assert len(await w.guilds.search_cities(w.guild, name)) <= 25
    if city is None:
        return
    assert city.name == collapsed(name)
    assert city.channel_id == channel
    assert await w.guilds.city(w.guild, name) == city
    assert await w.guilds.city(w.guild, city.name) == city
    assert city in await w.guilds.cities(w.guild)
    edited = await w.guilds.edit_city(w.guild, name, role_id=77)
    assert edited == await w.guilds.city(w.guild, name) and edited.role_id == 77
    assert (await w.guilds.remove_city(w.guild, name)).id == city.id
    assert city.name not in [c.name for c in await w.guilds.cities(w.guild)]


@fuzz()
@given(text=texts)
async def test_city_lookups_take_any_text(db: Database, text: str) -> None:
    w = world(db)
    found = await attempt(w.guilds.city(w.guild, text))
    assert found is None or found.name.casefold() == collapsed(text).casefold()
    await attempt(w.guilds.edit_city(w.guild, text, channel_id=5))
    await attempt(w.guilds.remove_city(w.guild, text))
    await attempt(w.events.listings.upcoming(w.guild, text))


# ============================================================================================
# Events (/event create, edit, cancel, rsvp, leave, info, list, checkin, feedback, settings)
# ============================================================================================
_DATE_PARTS = st.tuples(
    st.sampled_from((1, 2, 1969, 1970, 2026, 2027, 2038, 2100, 9998, 9999, 10000)),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
)
iso_like = _DATE_PARTS.map(lambda p: f"{p[0]:04d}-{p[1]:02d}-{p[2]:02d} {p[3]:02d}:{p[4]:02d}")
edge_times = st.sampled_from(
    (
        "2026-07-10 18:00",
        "10 Jul 2026 10am",
        "tomorrow 18:00",
        "friday 6pm",
        "2026-07-10T18:00",
        "2026-07-10 18:00 UTC",
        "2026-07-10 18:00 +05:00",
        "9999-12-31 23:59",  # the calendar's ends, in the guild's zone
        "9999-12-31 18:00",
        "9999-12-31 12:00",
        "0001-01-01 00:00",
        "1 Jan 0001 10:00",
    )
)
when_texts = st.one_of(edge_times, iso_like, texts)
good_times = st.sampled_from(
    ("2026-07-10 18:00", "10 Jul 2026 10am", "tomorrow 18:00", "friday 6pm", "2026-07-10T18:00")
)
question_texts = st.one_of(texts, st.lists(texts, max_size=5).map("; ".join))
# Online links: meeting links with any text after the host, else near misses and anything.
online_urls = st.none() | mostly(
    st.builds(
        "{}{}/{}".format,
        st.sampled_from(("https://", "HTTPS://", " https://")),
        st.sampled_from(("meet.google.com", "zoom.us", "[::1]:8443", "x.co")),
        texts,
    ),
    texts
    | st.builds(
        "{}{}{}".format,
        st.sampled_from(("http://", "javascript:", "ftp://", "https://u:p@", "https://", "")),
        st.sampled_from(("meet.google.com/", "", ":99999/", "a b/")),
        texts,
    ),
)


def assert_online_url(stored: str | None, given: str | None) -> None:
    """Kept as given (trimmed), and only an https link fit for `<…>` in a DM."""
    assert stored == ((given or "").strip() or None)
    if stored is not None:
        assert stored.lower().startswith("https://") and len(stored) <= 500
        assert not any(c.isspace() or c in "<>\x00" for c in stored)


ZONES = ("Asia/Karachi", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC")


@fuzz(4)
@given(text=when_texts, zone=st.sampled_from(ZONES))
def test_parse_when_reads_a_time_or_refuses(text: str, zone: str) -> None:
    now = datetime.fromtimestamp(START, UTC)
    when = attempt_sync(parse_when, text, ZoneInfo(zone), now)
    if when is not None:
        assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0
        assert 1 < when.year < 9999  # room for the end, reminders and the door
        when.timestamp()  # usable as an epoch


def events_feature(service: EventService) -> EventsFeature:
    """The events' button, form and autocomplete work over `service`; its Discord-side
    collaborators are stand-ins (these tests reach the service through it)."""
    stub: Any = SimpleNamespace(pacer=None, kick=lambda: None)
    return EventsFeature(
        service, announcements=stub, timers=stub, deliverer=stub, cooldowns=Cooldowns()
    )


async def _event_card_fits(w: World, event_id: int) -> None:
    event = await w.events.catalogue.get(w.guild, event_id)
    for status in (
        None,
        MemberStatus(None, None, None),
        MemberStatus("going", 10**5, None),
        MemberStatus("waitlist", None, 10**5),
    ):
        assert_embed_fits(event_embed(event, status=status))
    listing = lines_column([list_line(event)] * 30, 4000)  # /event list
    assert_embed_fits(discord.Embed(title="Upcoming events", description=listing))
    assert_choices_fit(await event_choices(w.interaction(), event.title))


@fuzz(2)
@given(
    zone=st.sampled_from(ZONES),
    title=texts,
    city=valid_or_random("Islamabad", "Lahore"),
    starts=mostly(good_times, when_texts),
    ends=mostly(st.none(), when_texts),
    venue=maybe,
    capacity=st.none() | number(1, 100_000),
    description=maybe,
    questions=st.none() | question_texts,
    online_url=online_urls,
)
async def test_create_event_stores_what_it_says(
    db: Database,
    zone: str,
    title: str,
    city: str,
    starts: str,
    ends: str | None,
    venue: str | None,
    capacity: int | None,
    description: str | None,
    questions: str | None,
    online_url: str | None,
) -> None:
    w = world(db)
    await w.guilds.set_timezone(w.guild, zone)
    event = await attempt(
        w.events.catalogue.create(
            w.guild,
            ORGANIZER,
            title=title,
            city=city,
            starts=starts,
            ends=ends,
            venue=venue,
            capacity=capacity,
            description=description,
            questions=questions,
            online_url=online_url,
        )
    )
    if event is None:
        return
    assert event == await w.events.catalogue.get(w.guild, event.id)
    assert_online_url(event.online_url, online_url)
    assert event.title == event_title(title)
    assert event.city.casefold() == collapsed(city).casefold()
    assert event.venue == (collapsed(venue) or None)
    assert event.description == ((description or "").replace("\x00", "").strip() or None)
    assert event.questions == parse_questions(questions)
    assert event.capacity == capacity
    assert event.starts_at > START and event.starts_at < event.ends_at
    assert event_ics(event, None, START)  # /event ics: the calendar file
    assert event_ics(event, None, START, event.online_url)  # a member going's
    await _event_card_fits(w, event.id)


@fuzz(2)
@example(zone="America/New_York", starts="9999-12-31 18:00", ends=None).via("ends in 10000")
@given(zone=st.sampled_from(ZONES), starts=edge_times | iso_like, ends=st.none() | edge_times)
async def test_any_accepted_time_is_usable(
    db: Database, zone: str, starts: str, ends: str | None
) -> None:
    """Whatever start and end are accepted, in whatever zone, everything built from them
    works: the card, the choice's date, the calendar file, Discord's scheduled event."""
    w = world(db)
    await w.guilds.set_timezone(w.guild, zone)
    event = await attempt(
        w.events.catalogue.create(
            w.guild, ORGANIZER, title="Edge", city="Lahore", starts=starts, ends=ends
        )
    )
    if event is None:
        return
    assert event.starts < event.ends  # the datetimes Discord's scheduled event is given
    assert event_ics(event, None, START)
    await _event_card_fits(w, event.id)


async def _base_event(w: World, **kwargs: Any) -> int:
    fields = {"title": "Base", "city": "Lahore", "starts": "2026-07-10 18:00", "capacity": 1}
    event = await w.events.catalogue.create(w.guild, ORGANIZER, **{**fields, **kwargs})
    return event.id


@fuzz(2)
@given(
    title=maybe,
    starts=mostly(st.none(), when_texts | good_times),
    ends=mostly(st.none(), when_texts),
    venue=maybe,
    capacity=st.none() | number(1, 100_000),
    description=maybe,
    unlimited=mostly(st.just(False), st.booleans()),
    questions=st.none() | question_texts,
    online_url=online_urls,
    reason=maybe,
)
async def test_edit_and_cancel_store_what_they_say(
    db: Database,
    title: str | None,
    starts: str | None,
    ends: str | None,
    venue: str | None,
    capacity: int | None,
    description: str | None,
    unlimited: bool,
    questions: str | None,
    online_url: str | None,
    reason: str | None,
) -> None:
    w = world(db)
    event_id = await _base_event(w)
    await w.events.seats.rsvp(w.guild, event_id, MEMBER)  # seated
    await w.events.seats.rsvp(w.guild, event_id, OTHER)  # waitlisted
    before = await w.events.catalogue.get(w.guild, event_id)
    result = await attempt(
        w.events.catalogue.edit(
            w.guild,
            event_id,
            title=title,
            starts=starts,
            ends=ends,
            venue=venue,
            capacity=capacity,
            description=description,
            unlimited=unlimited,
            questions=questions,
            online_url=online_url,
        )
    )
    after = await w.events.catalogue.get(w.guild, event_id)
    if result is None:
        assert after == before  # a refused edit changes nothing
    else:
        assert result.event == after
        if title is not None:
            assert after.title == event_title(title)
        if venue is not None:
            assert after.venue == (collapsed(venue) or None)
        if description is not None:
            assert after.description == (description.replace("\x00", "").strip() or None)
        if questions is not None:
            assert after.questions == parse_questions(questions)
        if capacity is not None:
            assert after.capacity == capacity
        if unlimited:
            assert after.capacity is None
        if online_url is not None:
            assert_online_url(after.online_url, online_url)
    cancelled = await attempt(w.events.catalogue.cancel(w.guild, event_id, reason))
    if cancelled is not None:
        assert cancelled == await w.events.catalogue.get(w.guild, event_id)
        assert cancelled.cancel_reason == (collapsed(reason) or None)
    await _event_card_fits(w, event_id)
    await w.assert_outbox_fits()


@fuzz(2)
@given(
    questions=question_texts,
    answers=st.none() | st.lists(texts, max_size=5),
    name=texts,
)
async def test_rsvp_answers_read_back(
    db: Database, questions: str, answers: list[str] | None, name: str
) -> None:
    w = world(db)
    try:
        asked = parse_questions(questions)
    except InvalidInput:
        asked = ("Your GitHub?", "T-shirt size")
    event_id = await _base_event(w, questions="; ".join(asked))
    result = await attempt(w.events.seats.rsvp(w.guild, event_id, MEMBER, answers))
    attendees = await w.events.listings.attendees(w.guild, event_id)
    if result is None:
        assert attendees == []
        return
    assert result.going and result.ticket is not None
    kept = (a.replace("\x00", "").strip() for a in answers or ())  # no NUL, as stored
    stored = tuple(zip(asked, kept, strict=False)) if asked else ()
    assert [a.answers for a in attendees] == [stored]
    event = await w.events.catalogue.get(w.guild, event_id)
    assert len(ticket_text(event, result.ticket)) <= 2000
    # The export reads back the same answers (cells that start like formulas are quoted).
    table = list(csv.reader(io.StringIO(attendees_csv(attendees, {MEMBER: name}, asked))))
    assert table[1][1] == _safe_cell(name)
    assert table[1][7:] == [_safe_cell(a) for _, a in stored]
    again = await w.events.seats.rsvp(w.guild, event_id, MEMBER, answers)
    assert again.outcome == "already_going"
    assert (await w.events.seats.leave(w.guild, event_id, MEMBER)).outcome == "was_going"


@fuzz(3)
@given(queries=st.lists(texts, min_size=1, max_size=4), titles=st.lists(texts, max_size=3))
async def test_event_lookups_take_any_text(
    db: Database, queries: list[str], titles: list[str]
) -> None:
    w = world(db)
    created = []
    for n, title in enumerate(titles):
        event = await attempt(
            w.events.catalogue.create(
                w.guild, ORGANIZER, title=title, city="Lahore", starts=f"{n + 2} Jul 2026 10:00"
            )
        )
        if event is not None:
            created.append(event)
    if created:
        await w.events.catalogue.cancel(w.guild, created[0].id, "moved")
    for query in [*queries, *(e.title for e in created)]:
        found = await attempt(w.events.catalogue.resolve(w.guild, query))
        assert found is None or found.guild_id == w.guild
        for limit in (1, 25, 1000):
            assert len(await w.events.listings.search(w.guild, query, limit)) <= min(limit, 100)
        pairs = await w.events.listings.autocomplete(w.guild, query)
        assert len(pairs) <= 25
        for name, value in pairs:
            assert 1 <= len(name) <= 100 and value.isdecimal()
        assert_choices_fit(
            [discord.app_commands.Choice(name=n, value=v) for n, v in pairs]
            + await event_choices(w.interaction(), query)
        )
    for event in created:
        if not id_like(event.title):
            found = await attempt(w.events.catalogue.resolve(w.guild, event.title))
            same = [e for e in created if e.title.lower() == event.title.lower()]
            assert found is not None or len(same) > 1
            assert found is None or found.title.lower() == event.title.lower()


@fuzz(2)
@given(text=texts, use_ticket=st.booleans(), lower=st.booleans(), sep=st.sampled_from(SPACES))
async def test_check_in_by_any_code(
    db: Database, text: str, use_ticket: bool, lower: bool, sep: str
) -> None:
    w = world(db)
    # 07:00 in Karachi, two hours from now: the door is open.
    event_id = await _base_event(w, starts="2026-07-01 07:00")
    seat = await w.events.seats.rsvp(w.guild, event_id, MEMBER)
    assert seat.ticket is not None
    code = seat.ticket.code
    if use_ticket:
        text = f"{sep}{code[:4]}{sep}{code[5:]}{sep}"
        text = text.lower() if lower else text
    result = await attempt(
        w.events.door.check_in(w.guild, event_id, by_user_id=ORGANIZER, code=text)
    )
    if use_ticket:
        assert result is not None and result.member_id == MEMBER and result.code == code
    else:
        assert result is None or result.member_id == MEMBER


async def _attended_event(w: World) -> int:
    """An event MEMBER was checked in at, now over (feedback is open)."""
    event_id = await _base_event(w, starts="2026-07-01 07:00")
    await w.events.seats.rsvp(w.guild, event_id, MEMBER)
    await w.events.door.check_in(w.guild, event_id, by_user_id=ORGANIZER, member_id=MEMBER)
    w.clock.now += 6 * 3600
    return event_id


@fuzz(2)
@given(rating=number(1, 5), comment=maybe)
async def test_event_feedback_reads_back(db: Database, rating: int, comment: str | None) -> None:
    w = world(db)
    event_id = await _attended_event(w)
    given = await attempt(w.events.feedback.give(w.guild, event_id, MEMBER, rating, comment))
    summary = await w.events.feedback.summary(w.guild, event_id)
    feedback_report(summary)
    if given is None:
        assert summary.count == 0
        return
    assert given.rating == rating
    assert given.comment == ((comment or "").replace("\x00", "").strip() or None)
    assert summary.count == 1
    assert [c.comment for c in summary.comments] == ([given.comment] if given.comment else [])


@fuzz(2)
@given(rating=RATING_TEXT, comment=maybe)
async def test_event_feedback_form_takes_any_text(
    db: Database, rating: str, comment: str | None
) -> None:
    """The Give feedback modal: a 1-character rating field and a comment, as typed."""
    w = world(db)
    event_id = await _attended_event(w)
    interaction = w.interaction(MEMBER)
    form = re.fullmatch(FeedbackModal.TEMPLATE, f"efbm:v2:{event_id}")
    values = {"rating": rating, "comment": comment or ""}
    await attempt(events_feature(w.events).submit_feedback(interaction, form, values))
    for message in interaction.response.sent:
        assert_message_fits(message)


@fuzz(2)
@given(
    offsets=mostly(
        st.lists(
            st.sampled_from(("24h", "1h", "90m", "2d", "30d", "١h", "۴۸H", "15 m", " 6h ")),
            min_size=1,
            max_size=3,
        ).map(",".join),
        st.one_of(
            texts,
            st.sampled_from(("none", "OFF", " none ")),
            st.lists(
                st.builds(
                    "{}{}".format,
                    st.sampled_from(("1", "24", "0", "720", "999999", "١", "²", "1.5")),
                    st.sampled_from(("h", "m", "d", "s", "")),
                ),
                max_size=5,
            ).map(";".join),
        ),
    ),
    limit=st.none() | number(0, 10),
    window=st.none() | number(1, 20),
)
async def test_event_settings_read_back(
    db: Database, offsets: str, limit: int | None, window: int | None
) -> None:
    w = world(db)
    await _base_event(w)
    stored = await attempt(w.events.reminders.set_offsets(w.guild, offsets))
    if stored is not None:
        assert await w.events.reminders.offsets(w.guild) == stored
        assert parse_offsets(format_offsets(stored)) == stored
    policy = await attempt(w.events.standing.set_policy(w.guild, limit, window))
    if policy is not None:
        assert await w.events.standing.policy(w.guild) == policy
        assert limit is None or policy.limit == limit
        assert window is None or policy.window == window


# ============================================================================================
# Schedules (/resource autopost, /settings mentorship-schedule)
# ============================================================================================
good_schedules = st.one_of(
    st.builds("daily {}:{:02d}".format, st.integers(0, 23), st.integers(0, 59)),
    st.builds(
        "weekly {} {}:{:02d}".format,
        st.sampled_from(("mon", "Mon,Thu", "fri-mon", "saturday, sun", "tues")),
        st.integers(0, 23),
        st.integers(0, 59),
    ),
    st.builds(
        "{}{} {} * * {}".format,
        st.sampled_from(("", "cron ", "CRON  ")),
        st.integers(0, 59),
        st.sampled_from(("9", "18", "9,17", "8-10", "*/3")),
        st.sampled_from(("*", "1-5", "0", "7", "sun", "mon-fri", "5-7", "*/2", "1/2")),
    ),
    st.builds("0 {} {} * *".format, st.integers(0, 23), st.sampled_from(("1", "15", "1,15"))),
)
schedule_words = st.lists(
    st.sampled_from(
        (
            "daily", "weekly", "cron", "mon", "fri,sun", "mon-fri", "sat-tue", "*", "?",
            "*/2", "*/²", "1-5", "5-7", "7", "0", "²", "١", "٣", "60", "18:00", "٠٩:٣٠",
            "24:00", "9:5", "L", "last", "31", "2", "29",
        )
    ),
    min_size=1,
    max_size=6,
).map(" ".join)  # fmt: skip
schedule_texts = mostly(good_schedules, texts | schedule_words)


@fuzz(3)
@given(text=schedule_texts, zone=st.sampled_from(ZONES))
def test_schedule_text_is_normalised_once(text: str, zone: str) -> None:
    schedule = attempt_sync(parse_schedule, text, zone)
    if schedule is None:
        return
    again = parse_schedule(schedule.text, zone)
    assert again.text == schedule.text  # the stored text reads back as the same schedule
    assert schedule.next_fire(START) is not None
    assert schedule.describe()


@fuzz(2)
@given(text=schedule_texts, topic=st.none() | valid_or_random(*DEFAULT_TOPICS))
async def test_schedules_read_back(db: Database, text: str, topic: str | None) -> None:
    w = world(db)
    autopost = await attempt(w.autoposts.schedules.set(w.guild, 55, text, topic, ORGANIZER))
    tz = (await w.guilds.get(w.guild)).tz
    if autopost is not None:
        assert autopost.schedule == parse_schedule(text, tz).text
        assert await w.autoposts.schedules.get(autopost.id) == autopost
        assert not topic or autopost.topic == await w.resources.taxonomy.resolve_topic(
            w.guild, topic
        )
        listing = lines_column([autopost_line(autopost)] * 40, 4096, sep="\n\n")
        assert_embed_fits(discord.Embed(title="Autoposts", description=listing))
    settings_ = await attempt(w.mentorship.config.set_schedule(w.guild, text))
    if settings_ is not None:
        assert settings_.schedule == parse_schedule(text, tz).text
        assert (await w.mentorship.config.settings(w.guild)).schedule == settings_.schedule


# ============================================================================================
# Resources (/resource add, suggest, review, search, list, done, next, remove, feeds, topics)
# ============================================================================================
# Links that work (with any text in the path), else anything: odd schemes, hosts, ports.
good_urls = st.builds(
    "{}://{}{}{}".format,
    st.sampled_from(("https", "http", "HTTPS")),
    st.sampled_from(("example.com", "ai.google.dev", "www.kaggle.com", "[::1]", "a@b.com:8443")),
    st.one_of(st.just(""), texts.map(lambda t: "/" + "".join(t.split())[:300])),
    st.sampled_from(("", "?utm_source=x", "?a=1&fbclid=2", "#frag", "?q=%20")),
)
url_texts = mostly(
    good_urls,
    texts
    | st.builds(
        "{}{}{}{}{}{}".format,
        st.sampled_from(("https", "http", "HTTPS", "javascript", "data", "file", "ftp", "")),
        st.sampled_from(("://", ":", ":/", "")),
        st.one_of(st.sampled_from(("example.com", "ai.google.dev", "[::1]", "a@b.com")), texts),
        st.sampled_from(("", ":443", ":8080", ":99999", ":x")),
        st.one_of(st.just(""), texts.map(lambda t: "/" + t)),
        st.sampled_from(("", "?utm_source=x", "?a=1&fbclid=2", "#frag", "?q=%20")),
    ),
)


@fuzz(4)
@given(text=url_texts)
def test_check_url_keeps_the_link_or_refuses(text: str) -> None:
    checked = attempt_sync(check_url, text)
    if checked is not None:
        assert checked.url == text.strip() and len(checked.url) <= 500
        assert checked.canonical.startswith(("http://", "https://"))
        attempt_sync(check_url, checked.canonical)


def _resource_cards_fit(resources: list[Any], total: int) -> None:
    for r in resources:
        assert_embed_fits(resource_embed(r))
        assert_embed_fits(resource_embed(r, footer=r.title * 20))
        assert len(result_entry(999, r)) <= 800
        assert_embed_fits(suggestion_embed(r, 10**6))
    page = (resources * 5)[:5]
    assert_embed_fits(results_embed("Results " * 40, page, 10**4, total, hint="x " * 100))


@fuzz(2)
@given(
    url=url_texts,
    title=texts,
    topic=valid_or_random(*DEFAULT_TOPICS),
    level=valid_or_random(*LEVELS, "adv", "B"),
    description=maybe,
)
async def test_add_resource_stores_what_it_says(
    db: Database, url: str, title: str, topic: str, level: str, description: str | None
) -> None:
    w = world(db)
    added = await attempt(
        w.resources.library.add(w.guild, url, title, topic, level, ORGANIZER, description)
    )
    if added is None:
        return
    assert added == await w.resources.library.get(w.guild, added.id)
    assert added.url == url.strip()
    assert added.title == collapsed(title.replace("\x00", "")) and added.title  # NUL dropped
    assert added.description == collapsed((description or "").replace("\x00", ""))
    assert added.topic == await w.resources.taxonomy.resolve_topic(w.guild, topic)
    assert added.level in LEVELS
    assert await w.resources.finder.resolve(w.guild, f"#{added.id}") == added
    assert await w.resources.library.find_by_url(w.guild, url) == added
    if not id_like(added.title):
        assert await w.resources.finder.resolve(w.guild, added.title) == added
    found, total = await w.resources.finder.search(w.guild, added.title)
    assert len(found) <= 5 and total >= len(found)
    _resource_cards_fit([added], 1)
    assert_choices_fit(await resource_choices(w.interaction(), added.title))
    assert await w.resources.progress.mark_done(w.guild, MEMBER, added.id)
    assert (await w.resources.library.remove(w.guild, added.id)).id == added.id


@fuzz(2)
@given(
    url=url_texts,
    title=maybe,
    note=maybe,
    approve=st.booleans(),
    topic=valid_or_random(*DEFAULT_TOPICS),
    level=valid_or_random(*LEVELS),
    new_title=maybe,
    new_description=maybe,
    reason=maybe,
)
async def test_suggest_and_review_store_what_they_say(
    db: Database,
    url: str,
    title: str | None,
    note: str | None,
    approve: bool,
    topic: str,
    level: str,
    new_title: str | None,
    new_description: str | None,
    reason: str | None,
) -> None:
    w = world(db)
    pending = await attempt(w.resources.library.suggest(w.guild, MEMBER, url, title, note))
    if pending is None:
        return
    assert pending == await w.resources.library.get(w.guild, pending.id, approved_only=False)
    assert pending.status == "pending" and pending.url == url.strip()
    assert pending.title == (
        collapsed((title or "").replace("\x00", "")) or title_from_url(url.strip())
    )
    assert pending.note == (collapsed((note or "").replace("\x00", "")) or None)
    assert_embed_fits(suggestion_embed(pending, 1))
    if approve:
        done = await attempt(
            w.resources.review.approve(
                w.guild, pending.id, ORGANIZER, topic, level, new_title, new_description
            )
        )
        if done is not None:
            assert done == await w.resources.library.get(w.guild, pending.id)
            assert done.title == (collapsed((new_title or "").replace("\x00", "")) or pending.title)
            described = collapsed((new_description or "").replace("\x00", ""))
            assert done.description == (described or pending.description)
            _resource_cards_fit([done], 1)
    else:
        done = await attempt(w.resources.review.reject(w.guild, pending.id, ORGANIZER, reason))
        if done is not None:
            assert done.status == "rejected"
            assert done == await w.resources.library.get(w.guild, pending.id, approved_only=False)
    await w.assert_outbox_fits()


@fuzz(2)
@given(name=texts, probe=st.sampled_from(("scope probe", "Scope")))
async def test_topics_read_back_and_filter(db: Database, name: str, probe: str) -> None:
    w = world(db)
    stored = await attempt(w.resources.taxonomy.add_topic(w.guild, name, ORGANIZER))
    found = await w.resources.taxonomy.search_topics(w.guild, name)
    assert len(found) <= 25
    assert_choices_fit(await topic_choices(w.interaction(), name))
    if stored is None:
        return
    assert stored == collapsed(name.replace("\x00", ""))  # NUL dropped, as everywhere
    assert await w.resources.taxonomy.resolve_topic(w.guild, name) == stored
    assert stored in await w.resources.taxonomy.topics(w.guild)
    # The topic filter finds the topic's resources whatever the name (the scope token).
    added = await w.resources.library.add(
        w.guild, "https://example.com/probe", "Scope probe", name, "beginner", ORGANIZER
    )
    hits, total = await w.resources.finder.search(w.guild, probe, topic=name)
    assert [r.id for r in hits] == [added.id] and total == 1
    listed, total = await w.resources.finder.list_resources(w.guild, topic=name)
    assert [r.id for r in listed] == [added.id] and total == 1
    # /resource next and /resource progress show the topic's name.
    pick = await w.resources.progress.next_for(w.guild, MEMBER, name)
    assert pick.resource == added and len(next_text(pick)) <= 2000
    await w.resources.progress.mark_done(w.guild, MEMBER, added.id)
    assert len(next_text(await w.resources.progress.next_for(w.guild, MEMBER, name))) <= 2000
    rows = await w.resources.progress.per_topic(w.guild, MEMBER)
    assert_embed_fits(progress_embed(SimpleNamespace(display_name=name), rows))


@fuzz(3)
@given(
    queries=st.lists(texts, min_size=1, max_size=3),
    titles=st.lists(st.tuples(texts, maybe), max_size=3),
    topic=st.none() | valid_or_random(*DEFAULT_TOPICS),
    level=st.none() | valid_or_random(*LEVELS),
    page=DISCORD_INT,
    per_page=DISCORD_INT,
)
async def test_library_lookups_take_any_text(
    db: Database,
    queries: list[str],
    titles: list[tuple[str, str | None]],
    topic: str | None,
    level: str | None,
    page: int,
    per_page: int,
) -> None:
    w = world(db)
    library = []
    for n, (title, description) in enumerate(titles):
        added = await attempt(
            w.resources.library.add(
                w.guild,
                f"https://example.com/{n}",
                title,
                DEFAULT_TOPICS[n],
                LEVELS[n],
                ORGANIZER,
                description,
            )
        )
        if added is not None:
            library.append(added)
    for query in queries:
        found = await attempt(w.resources.finder.resolve(w.guild, query))
        assert found is None or found in library
        result = await attempt(
            w.resources.finder.search(w.guild, query, topic, level, page, per_page)
        )
        if result is not None:
            hits, total = result
            assert len(hits) <= per_page and total >= len(hits)
            assert all(hit in library for hit in hits)
            _resource_cards_fit(hits, total)
        result = await attempt(
            w.resources.finder.list_resources(w.guild, topic, level, page, per_page)
        )
        if result is not None:
            assert len(result[0]) <= per_page
        pairs = await w.resources.finder.autocomplete(w.guild, query)
        assert len(pairs) <= 25
        assert_choices_fit(await resource_choices(w.interaction(), query))
        assert_choices_fit(await topic_choices(w.interaction(), query))
        assert_choices_fit(await feed_choices(w.interaction(), query))
        await attempt(w.resources.progress.next_for(w.guild, MEMBER, query))
        await attempt(w.feeds.subscriptions.resolve(w.guild, query))
        await attempt(w.feeds.subscriptions.remove(w.guild, query))
        assert len(await w.feeds.subscriptions.autocomplete(w.guild, query)) <= 25


@fuzz(2)
@given(
    title=texts,
    description=maybe,
    topic=st.none() | st.sampled_from(DEFAULT_TOPICS),
    level=st.none() | st.sampled_from(LEVELS),
    extra=maybe,
)
async def test_autopost_and_feed_posts_fit(
    db: Database,
    title: str,
    description: str | None,
    topic: str | None,
    level: str | None,
    extra: str | None,
) -> None:
    w = world(db)
    added = await attempt(
        w.resources.library.add(
            w.guild, "https://example.com/x", title, "NLP", "beginner", ORGANIZER, description
        )
    )
    if added is not None:
        autopost = await w.autoposts.schedules.set(w.guild, 55, "daily 10:00")
        assert autopost.next_due_at is not None
        w.clock.now = autopost.next_due_at
        tick = await w.autoposts.ticks.run_due(autopost.id)
        assert tick is not None and tick.outcome == "posted" and tick.resource_id == added.id
        assert await w.assert_outbox_fits() >= 1
    # Feed entries and autopost payloads carry text from outside, as it came.
    entry = FeedEntryPost(
        feed_id=1,
        feed_title=extra,
        title=title,
        link="https://example.com/entry",
        summary=description,
        published=START,
        resource_id=12,
        topic=topic,
        level=level,
    )
    post = AutopostPost(
        autopost_id=1,
        resource_id=12,
        title=title,
        url="https://example.com/entry",
        description=description,
        topic=topic,
        level=level,
        tick_at=START,
    )
    assert_embed_fits(feed_post(entry))
    assert_embed_fits(library_post(post))


def resources_feature(w: World) -> ResourcesFeature:
    """The resources' autocomplete work over the world's services; its Discord-side
    collaborators (timers, the feed session) are stand-ins these tests never reach."""
    stub: Any = SimpleNamespace()
    return ResourcesFeature(
        w.resources, w.autoposts, w.feeds, w.guilds, timers=stub, session=stub, wake=lambda: None
    )


# ============================================================================================
# Mentorship (/mentor join, /mentee request, /mentorship end, feedback, languages)
# ============================================================================================
topic_lists = mostly(
    st.lists(valid_or_random(*DEFAULT_TOPICS), min_size=1, max_size=4).map(", ".join), texts
)


@fuzz(2)
@given(name=valid_or_random("Punjabi", "Pashto"))
async def test_language_reads_back(db: Database, name: str) -> None:
    w = world(db)
    stored = await attempt(w.mentorship.config.add_language(w.guild, name))
    if stored is None:
        return
    assert stored == collapsed(name.replace("\x00", ""))  # NUL dropped, as everywhere
    assert stored in await w.mentorship.config.languages(w.guild)
    asked = await w.mentorship.requests.ask(w.guild, MEMBER, topics="NLP", language=name)
    request = asked.request
    assert request.language == stored


@fuzz(2)
@given(
    topics=topic_lists,
    capacity=number(1, 10),
    city=st.none() | valid_or_random("Lahore", "Remote"),
    languages=st.none() | valid_or_random("English", "Urdu", "urdu, english"),
    levels=st.none() | valid_or_random("beginner", "all", "advanced, beginner"),
    bio=maybe,
)
async def test_mentor_profile_reads_back(
    db: Database,
    topics: str,
    capacity: int,
    city: str | None,
    languages: str | None,
    levels: str | None,
    bio: str | None,
) -> None:
    w = world(db)
    feature = mentorship_feature(w.mentorship)
    for kind, text in (("languages", languages), ("levels", levels), ("topic", topics)):
        assert_choices_fit(await feature.choices(w.interaction(), kind, text or ""))
    profile = await attempt(
        w.mentorship.mentors.join(
            w.guild,
            MEMBER,
            topics=topics,
            capacity=capacity,
            city=city,
            languages=languages,
            levels=levels,
            bio=bio,
        )
    )
    if profile is None:
        assert await attempt(w.mentorship.mentors.profile(w.guild, MEMBER)) is None
        return
    assert profile == await w.mentorship.mentors.profile(w.guild, MEMBER)
    assert profile.capacity == capacity
    assert profile.bio == ((bio or "").replace("\x00", "").strip() or None)
    city_typed = None if city is None else collapsed(city.replace("\x00", ""))
    assert city_typed is None or (profile.city or "").casefold() == city_typed.casefold()
    assert profile.topics and profile.languages and profile.levels
    assert_embed_fits(profile_embed(profile))
    mentors, total = await w.mentorship.mentors.with_free_places(w.guild, None)
    assert len(mentors) <= 10 and total >= len(mentors)


@fuzz(2)
@given(
    topics=topic_lists,
    goal=maybe,
    city=st.none() | valid_or_random("Islamabad", "remote"),
    language=st.none() | valid_or_random("Urdu", "English"),
    level=st.none() | valid_or_random(*LEVELS),
)
async def test_mentee_request_reads_back(
    db: Database,
    topics: str,
    goal: str | None,
    city: str | None,
    language: str | None,
    level: str | None,
) -> None:
    w = world(db)
    asked = await attempt(
        w.mentorship.requests.ask(
            w.guild, MEMBER, topics=topics, goal=goal, city=city, language=language, level=level
        )
    )
    request = asked.request if asked else None
    if request is None:
        assert await w.mentorship.requests.open_request(w.guild, MEMBER) is None
        return
    assert request == await w.mentorship.requests.open_request(w.guild, MEMBER)
    assert request.goal == ((goal or "").replace("\x00", "").strip() or None)
    typed = None if language is None else collapsed(language.replace("\x00", ""))
    assert typed is None or (request.language or "").casefold() == typed.casefold()
    assert level is None or request.level == (resolve_level(level) if level.strip() else None)
    assert_embed_fits(request_embed(request))
    feature = mentorship_feature(w.mentorship)
    for kind, text in (
        ("topics", topics),
        ("city", city),
        ("language", language),
        ("level", level),
    ):
        assert_choices_fit(await feature.choices(w.interaction(), kind, text or ""))


def mentorship_feature(service: MentorshipService) -> MentorshipFeature:
    """The work behind mentorship's buttons, forms and autocomplete, over `service`; its
    Discord-side collaborators (introductions, timers) are stand-ins these tests don't use."""
    stub: Any = SimpleNamespace()
    return MentorshipFeature(service, stub, stub, lambda: None)


def near(limit: int) -> st.SearchStrategy[str]:
    """Text of about `limit` characters (the longest a service accepts, give or take)."""
    return st.builds(_repeat, pieces.filter(str.strip), st.integers(limit - 3, limit + 1))


# The longest match a guild allows: 10 default and 15 added topics of 50 characters.
LONGEST_TOPICS = [f"{n:02d} " + "Topic ✨ " * 6 for n in range(15)]


@fuzz(1.5)
@example(
    topics=LONGEST_TOPICS,
    goal="🎯" * 300,
    match_text="1",
    rating=5,
    rating_text="5",
    comment="👍" * 1000,
).via("the longest intro")
@given(
    topics=st.lists(st.one_of(texts, near(50)), max_size=15),
    goal=maybe,
    match_text=texts,
    rating=number(1, 5),
    rating_text=RATING_TEXT,
    comment=maybe,
)
async def test_mentorship_flow_renders_and_reads_back(
    db: Database,
    topics: list[str],
    goal: str | None,
    match_text: str,
    rating: int,
    rating_text: str,
    comment: str | None,
) -> None:
    w = world(db)
    ms = w.mentorship
    for name in topics:  # up to 25 topics in all, each up to 50 characters
        await attempt(ms.taxonomy.add_topic(w.guild, name))
    every = ", ".join(await ms.taxonomy.topics(w.guild))
    await ms.mentors.join(w.guild, OTHER, topics=every, capacity=10, bio="🧑🏾‍💻" * 75)
    update = await attempt(ms.requests.ask(w.guild, MEMBER, topics=every, goal=goal))
    update = update or await ms.requests.ask(w.guild, MEMBER, topics=every, goal=None)
    asked = update.request
    summary = await ms.rounds.run(w.guild)
    assert len(summary.proposal_ids) == 1
    await w.assert_outbox_fits()  # the proposals, with the profile and the request
    for user in (OTHER, MEMBER):
        outcome = await ms.proposals.answer(summary.proposal_ids[0], user, True)
    match = outcome.match
    assert match is not None and match.topics == asked.topics
    await ms.matches.intro_by_dm(match.id)
    assert await w.assert_outbox_fits() >= 2  # the intro, by DM to each side
    feature = mentorship_feature(ms)
    assert_choices_fit(await feature.match_choices(w.interaction(MEMBER), match_text))
    found = await attempt(ms.matches.resolve(w.guild, MEMBER, match_text))
    assert found is None or found.id == match.id
    assert await ms.matches.resolve(w.guild, MEMBER, f" #{match.id} ") == match
    await ms.matches.end(w.guild, match.id, MEMBER)
    await w.assert_outbox_fits()
    given = await attempt(ms.feedback.give(match.id, MEMBER, rating, comment))
    if given is not None:
        assert given.rating == rating
        assert given.comment == ((comment or "").replace("\x00", "").strip() or None)
        assert await ms.feedback.given(match.id, MEMBER)
    # The mentor's form: a 1-character rating and a comment, as typed.
    interaction = w.interaction(OTHER)
    form = re.fullmatch(MentorFeedbackModal.TEMPLATE, f"mfeedback:v2:{match.id}")
    values = {"rating": rating_text, "comment": comment or ""}
    await attempt(feature.submit_feedback(interaction, form, values))
    for message in interaction.response.sent:
        assert_message_fits(message)


# ============================================================================================
# The shared helper every renderer leans on
# ============================================================================================
@fuzz(4)
@given(text=texts, limit=st.integers(1, 6000))
def test_truncate_respects_the_limit(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert len(cut) <= limit
    if len(text) <= limit:
        assert cut == text
    else:
        assert cut.endswith("…") and text.startswith(cut[:-1])
