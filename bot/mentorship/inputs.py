"""Reading what members type for profiles, requests and feedback.

Every parser raises InvalidInput with one sentence naming what would work, before
anything is written: a refused command changes nothing. NUL characters are dropped from
everything typed (as from event titles): nobody means one, SQLite's length() stops at it
and PostgreSQL refuses it in text. The guild's languages are read
by bot/mentorship/config.py, which passes them to `parse_language(s)` here.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.errors import InvalidInput
from bot.guilds import GuildSettings
from bot.i18n import N_, _
from bot.mentorship.matching import REMOTE
from bot.mentorship.models import (
    MAX_BIO,
    MAX_CAPACITY,
    MAX_COMMENT,
    MAX_GOAL,
    MAX_LANGUAGE_NAME,
    MIN_CAPACITY,
)
from bot.taxonomy import LEVELS, Taxonomy, resolve_level


def typed(text: str | None) -> str:
    """What a member typed, NUL characters dropped ("" for None)."""
    return (text or "").replace("\x00", "")


def split_list(text: str | None) -> list[str]:
    """`"NLP, machine learning,,"` → ["NLP", "machine learning"] (spaces collapsed)."""
    return [" ".join(part.split()) for part in typed(text).split(",") if part.strip()]


def unique(values: Sequence[str]) -> tuple[str, ...]:
    """Each value once (case-insensitively), in the order first given."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def nearest(text: str, choices: Sequence[str]) -> str | None:
    """The choice nearest to `text` (`Urdu` for `urdo`), or None if none is close."""
    by_key = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(text.casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def keep_or_set(given: str | None, current: str | None) -> str | None:
    """An optional field of a profile or request: None (not given) keeps the current
    value, "" (given empty) clears it, anything else replaces it."""
    return current if given is None else (given or None)


async def parse_topics(taxonomy: Taxonomy, guild_id: int, text: str | None) -> tuple[str, ...]:
    """Canonical topic names; an unknown one → InvalidInput suggesting the nearest."""
    parts = split_list(text)
    if not parts:
        topics = ", ".join((await taxonomy.topics(guild_id))[:3])
        raise InvalidInput(
            _("Name at least one topic, separated by commas (e.g. {topics}).", topics=topics)
        )
    return unique([await taxonomy.resolve_topic(guild_id, part) for part in parts])


def check_capacity(capacity: int) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise InvalidInput(
            _(
                "Capacity is a whole number from {low} to {high}.",
                low=MIN_CAPACITY,
                high=MAX_CAPACITY,
            )
        )
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            _(
                "Capacity must be from {low} to {high} mentees at a time (you gave {given}).",
                low=MIN_CAPACITY,
                high=MAX_CAPACITY,
                given=capacity,
            )
        )
    return capacity


def check_rating(rating: int) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("A rating is a whole number from 1 to 5."))
    return rating


def _clean_text(text: str | None, limit: int, too_long: str) -> str | None:
    """`too_long`: the refusal (a catalogue message with {limit} and {length})."""
    cleaned = typed(text).strip()
    if len(cleaned) > limit:
        raise InvalidInput(_(too_long, limit=limit, length=len(cleaned)))
    return cleaned or None


def clean_bio(text: str | None) -> str | None:
    return _clean_text(
        text,
        MAX_BIO,
        N_("Your bio can be at most {limit:,} characters (this one has {length:,})."),
    )


def clean_goal(text: str | None) -> str | None:
    return _clean_text(
        text,
        MAX_GOAL,
        N_("The goal can be at most {limit:,} characters (this one has {length:,})."),
    )


def clean_comment(text: str | None) -> str | None:
    return _clean_text(
        text,
        MAX_COMMENT,
        N_("The comment can be at most {limit:,} characters (this one has {length:,})."),
    )


async def parse_city(guilds: GuildSettings, guild_id: int, text: str) -> str:
    """One of the guild's cities or Remote (any case) → its canonical name."""
    name = " ".join(typed(text).split())
    if name.casefold() == REMOTE.casefold():
        return REMOTE
    cities = [c.name for c in await guilds.cities(guild_id)]
    for city in cities:
        if city.casefold() == name.casefold():
            return city
    choices = [*cities, REMOTE]
    close = nearest(name, choices)
    if close is not None:
        raise InvalidInput(
            _(
                "“{name}” is not one of this server's cities. Did you mean {close}? "
                "Choose one of: {choices}.",
                name=name[:50],
                close=close,
                choices=", ".join(choices),
            )
        )
    raise InvalidInput(
        _(
            "“{name}” is not one of this server's cities. Choose one of: {choices}.",
            name=name[:50],
            choices=", ".join(choices),
        )
    )


async def parse_optional_city(guilds: GuildSettings, guild_id: int, text: str | None) -> str | None:
    """A city option: None (not given) stays None, blank → "" (clear), else the city."""
    if text is None:
        return None
    return await parse_city(guilds, guild_id, text) if text.strip() else ""


def parse_levels(text: str) -> tuple[str, ...]:
    """Comma-separated levels (or `all`), in the fixed order beginner → advanced."""
    parts = split_list(text)
    if not parts or any(p.casefold() == "all" for p in parts):
        return LEVELS
    chosen = {resolve_level(p) for p in parts}
    return tuple(level for level in LEVELS if level in chosen)


def parse_language(known: Sequence[str], text: str) -> str:
    """One of the guild's languages (any case) → its name as the guild spells it."""
    name = " ".join(typed(text).split())
    for lang in known:
        if lang.casefold() == name.casefold():
            return lang
    close = nearest(name, known)
    if close is not None:
        raise InvalidInput(
            _(
                "“{name}” is not a language here. Did you mean {close}? Languages: {languages}.",
                name=name[:MAX_LANGUAGE_NAME],
                close=close,
                languages=", ".join(known),
            )
        )
    raise InvalidInput(
        _(
            "“{name}” is not a language here. Languages: {languages}.",
            name=name[:MAX_LANGUAGE_NAME],
            languages=", ".join(known),
        )
    )


def parse_languages(known: Sequence[str], text: str) -> tuple[str, ...]:
    parts = split_list(text)
    if not parts:
        raise InvalidInput(
            _("Name at least one language: {languages}.", languages=", ".join(known))
        )
    return unique([parse_language(known, p) for p in parts])


def check_language_name(name: str | None) -> str:
    """A new language's name: one name, no commas, at most MAX_LANGUAGE_NAME."""
    cleaned = " ".join(typed(name).split())
    if not cleaned:
        raise InvalidInput(_("A language needs a name."))
    if len(cleaned) > MAX_LANGUAGE_NAME or "," in cleaned:
        raise InvalidInput(
            _(
                "A language name is one name of at most {n} characters, without commas.",
                n=MAX_LANGUAGE_NAME,
            )
        )
    return cleaned
