"""What organizers type for an event, checked and cleaned: title, venue, description,
capacity, the online link, and the start and end read in the guild's time zone. Pure."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.events.models import (
    DEFAULT_DURATION,
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_DURATION,
    MAX_ONLINE_URL,
    MAX_TITLE,
    MAX_VENUE,
    Event,
)
from bot.i18n import _
from bot.timeutil import format_local, parse_when


def no_nul(text: str) -> str:
    """NUL dropped from member text: PostgreSQL's text can't hold it and SQLite's
    length() stops at it."""
    return text.replace("\x00", "")


def clean_title(title: str) -> str:
    cleaned = " ".join(no_nul(title).split())
    if not cleaned:
        raise InvalidInput(_("An event needs a title."))
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(
            _(
                "The title can be at most {max} characters (this one has {n}).",
                max=MAX_TITLE,
                n=len(cleaned),
            )
        )
    return cleaned


def clean_venue(venue: str | None) -> str | None:
    cleaned = " ".join(no_nul(venue or "").split())
    if len(cleaned) > MAX_VENUE:
        raise InvalidInput(
            _(
                "The venue can be at most {max} characters (this one has {n}).",
                max=MAX_VENUE,
                n=len(cleaned),
            )
        )
    return cleaned or None


def clean_description(description: str | None) -> str | None:
    cleaned = no_nul(description or "").strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidInput(
            _(
                "The description can be at most {max:,} characters (this one has {n:,}).",
                max=MAX_DESCRIPTION,
                n=len(cleaned),
            )
        )
    return cleaned or None


# Never in a link: they break `<link>` in Discord text or markdown, or hide what it opens.
_NOT_IN_LINK = frozenset('<>"`\\{}|^')


def clean_online_url(url: str | None) -> str | None:
    """An https link to the online meeting (None = none; "" clears it on edit). Refused
    unless it is https with a host, with no spaces, control characters or credentials."""
    cleaned = (url or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_ONLINE_URL:
        raise InvalidInput(
            _(
                "The online link can be at most {max} characters (this one has {n}); "
                "use the meeting's short link.",
                max=MAX_ONLINE_URL,
                n=len(cleaned),
            )
        )
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned):
        raise InvalidInput(
            _(
                "The online link can't contain spaces or invisible characters; "
                "copy it again from the meeting's invite."
            )
        )
    if any(ch in _NOT_IN_LINK for ch in cleaned):
        raise InvalidInput(
            _(
                "The online link can't contain < > \" ` \\ { } | or ^; "
                "copy it again from the meeting's invite."
            )
        )
    try:
        parts = urlsplit(cleaned)
        parts.port  # noqa: B018  (raises ValueError for a port that isn't one)
    except ValueError:
        raise InvalidInput(
            _(
                "The online link is not a valid web address; "
                "give one like https://meet.google.com/abc-defg-hij."
            )
        ) from None
    if parts.scheme.lower() != "https":
        raise InvalidInput(
            _(
                "The online link must start with https:// "
                "(like https://meet.google.com/abc-defg-hij): other links are refused."
            )
        )
    if "@" in parts.netloc:
        raise InvalidInput(
            _(
                "The online link can't carry a user name or password (the part before @); "
                "give the meeting's plain link."
            )
        )
    host = parts.hostname or ""
    if not any(ch.isalnum() for ch in host) or not all(ch.isalnum() or ch in "-.:" for ch in host):
        raise InvalidInput(
            _(
                "The online link needs a host name after https://, "
                "like https://meet.google.com/abc-defg-hij."
            )
        )
    return cleaned


def check_capacity(capacity: int) -> int:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            _(
                "Capacity must be a whole number from 1 to {max:,}; "
                "leave it empty for unlimited seats.",
                max=MAX_CAPACITY,
            )
        )
    return capacity


def parse_times(
    tz: ZoneInfo, now: int, starts: str | None, ends: str | None, current: Event | None
) -> tuple[int, int]:
    """New (starts_at, ends_at). A new start without an end keeps the duration
    (3 h for a new event)."""
    now_dt = datetime.fromtimestamp(now, UTC)
    if starts is not None:
        starts_at = int(parse_when(starts, tz, now_dt).timestamp())
        if starts_at <= now:
            raise InvalidInput(
                _(
                    "The start ({when}, {zone}) is in the past. Give a time in the future.",
                    when=format_local(starts_at, tz),
                    zone=tz.key,
                )
            )
    else:
        assert current is not None
        starts_at = current.starts_at
    if ends is not None:
        ends_at = int(parse_when(ends, tz, now_dt).timestamp())
    elif current is None:
        ends_at = starts_at + DEFAULT_DURATION
    elif starts is not None:
        ends_at = starts_at + (current.ends_at - current.starts_at)
    else:
        ends_at = current.ends_at
    if ends_at <= starts_at:
        raise InvalidInput(
            _(
                "The end ({end}) must be after the start ({start}, {zone}).",
                end=format_local(ends_at, tz),
                start=format_local(starts_at, tz),
                zone=tz.key,
            )
        )
    if ends_at - starts_at > MAX_DURATION:
        raise InvalidInput(_("An event can last at most 30 days; check the end time."))
    return starts_at, ends_at
