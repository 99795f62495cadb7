"""Reading the times organizers type, in the guild's zone, and reminder offsets.

Everything returned is UTC. Discord-free on purpose: cogs render `<t:…>` themselves.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from bot.errors import InvalidInput
from bot.i18n import N_, _, strip_marks

# Monday first, as datetime.weekday() counts; translated where shown: _(WEEKDAYS[d]).
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

MAX_WHEN_LENGTH = 100
MAX_OFFSETS = 3
MAX_OFFSET_SECONDS = 30 * 86400
_UNITS = {"d": 86400, "h": 3600, "m": 60}

_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1}
_DAY_WORD = "|".join(sorted([*_WEEKDAYS, *_RELATIVE_DAYS], key=len, reverse=True))
_CLOCK = r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
_DAY_THEN_TIME = re.compile(rf"^(?P<day>{_DAY_WORD})\s+(?:at\s+)?{_CLOCK}$")
_TIME_THEN_DAY = re.compile(rf"^{_CLOCK}\s+(?P<day>{_DAY_WORD})$")
_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[ T]|\s+at\s+)"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?$"
)
_OFFSET = re.compile(r"^(\d{1,6})\s*([dhm])$")

# Two defaults that differ in every field we insist on: whatever dateutil fills in from
# the default (rather than the text) comes out different, so we can tell what was missing.
# January and March both have 31 days, and 1904/1908 are leap years, so any day fits both.
_DEFAULT_A = datetime(1904, 1, 1, 0, 0)
_DEFAULT_B = datetime(1908, 3, 3, 1, 0)


def _formats_hint(tz: ZoneInfo) -> str:
    # The examples stay English in every language: they are what the parser reads.
    return _(
        "Try 2026-07-26 10:00, 26 Jul 2026 10am, tomorrow 18:00 or friday 6pm "
        "(times are read in {zone}).",
        zone=tz.key,
    )


def _refusal(sentence: str, tz: ZoneInfo) -> InvalidInput:
    """What was wrong (one translated sentence), then the forms that work."""
    return InvalidInput(f"{sentence} {_formats_hint(tz)}")


def _clock_time(hour: str, minute: str | None, ampm: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.startswith("p") else 0)
    elif minute is None:
        return None  # a bare "18" is too easy to misread: want 18:00 or 6pm
    if h > 23 or m > 59:
        return None
    return time(h, m)


def _relative(match: re.Match[str], tz: ZoneInfo, now: datetime) -> datetime | None:
    at = _clock_time(match["hour"], match["minute"], match["ampm"])
    if at is None:
        return None
    today = now.astimezone(tz).date()
    word = match["day"]
    if word in _RELATIVE_DAYS:
        day = today + timedelta(days=_RELATIVE_DAYS[word])
        return datetime.combine(day, at, tzinfo=tz)
    # A weekday means its next occurrence: today if that time is still ahead, else next week.
    ahead = (_WEEKDAYS[word] - today.weekday()) % 7
    local = datetime.combine(today + timedelta(days=ahead), at, tzinfo=tz)
    if local <= now:
        local = datetime.combine(today + timedelta(days=ahead + 7), at, tzinfo=tz)
    return local


def _general(cleaned: str, tz: ZoneInfo, text: str) -> datetime:
    """Absolute dates via dateutil (not fuzzy); raises InvalidInput if a part is missing."""
    iso = _ISO.match(cleaned)
    if iso:
        year, month, day, hour, minute = (int(iso[k]) for k in ("y", "mo", "d", "h", "mi"))
        try:
            return datetime(year, month, day, hour, minute, int(iso["s"] or 0), tzinfo=tz)
        except ValueError:
            raise _refusal(_("“{text}” is not a real date and time.", text=text), tz) from None
    # Day-first for 03/04/2026 (as written in Pakistan and most of the world), but a leading
    # four-digit year is always year-month-day.
    dayfirst = not re.match(r"^\d{4}\b", cleaned)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", date_parser.UnknownTimezoneWarning)
        for default in (_DEFAULT_A, _DEFAULT_B):
            try:
                results.append(date_parser.parse(cleaned, default=default, dayfirst=dayfirst))
            except date_parser.UnknownTimezoneWarning:
                raise InvalidInput(
                    _(
                        "Leave the time zone out of “{text}”: times are read in {zone}.",
                        text=text,
                        zone=tz.key,
                    )
                ) from None
            except (ValueError, OverflowError):
                raise _refusal(
                    _("I couldn't read “{text}” as a date and time.", text=text), tz
                ) from None
    a, b = results
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        raise _refusal(_("“{text}” needs a full date with the year.", text=text), tz)
    if a.hour != b.hour:
        raise _refusal(_("“{text}” has no time of day.", text=text), tz)
    if a.tzinfo is not None:
        return a  # an explicit offset or UTC in the text wins over the guild zone
    return a.replace(tzinfo=tz)


def parse_when(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """What an organizer typed, read in `tz`, as an aware UTC datetime.

    Accepts 2026-07-26 10:00, 2026-07-26T10:00, 26 Jul 2026 10am, Jul 26 2026 18:00,
    tomorrow 18:00, today 9pm, friday 18:00 (its next occurrence). Past times are not
    refused here; callers decide.
    """
    # dateutil wants the case as typed (it reads "UTC" but not "utc"); our patterns don't.
    # Bidi marks (a time copied from an Urdu message) are not part of what was typed.
    cleaned = " ".join(strip_marks(text).split()).rstrip(".")
    if not cleaned:
        raise _refusal(_("Give a date and time."), tz)
    if len(cleaned) > MAX_WHEN_LENGTH:
        raise _refusal(_("That time is too long to be a date."), tz)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lowered = cleaned.lower()
    match = _DAY_THEN_TIME.match(lowered) or _TIME_THEN_DAY.match(lowered)
    if match:
        local = _relative(match, tz, now)
        if local is None:
            raise _refusal(_("I couldn't read the time in “{text}”.", text=cleaned), tz)
    else:
        local = _general(cleaned, tz, cleaned)  # quoted as collapsed: at most 100 characters
    try:
        when = local.astimezone(UTC)
    except OverflowError:  # 0001-01-01 00:00 east of UTC, 9999-12-31 23:59 west of it
        when = None
    # The event's end (up to 30 days later) must stay within what a datetime can hold.
    if when is None or not 1 < when.year < 9999:
        raise _refusal(_("“{text}” is not a date I can use.", text=cleaned), tz)
    return when


def format_local(epoch: int | float, tz: ZoneInfo) -> str:
    """Plain text like `26 Jul 2026 10:00` in `tz` (for places Discord timestamps can't go)."""
    return datetime.fromtimestamp(epoch, tz).strftime("%d %b %Y %H:%M")


# --- reminder offsets ----------------------------------------------------------------


def _offset_error(part: str) -> InvalidInput:
    return InvalidInput(
        _(
            "“{text}” is not a reminder offset. Write a number with d, h or m, "
            "like 24h, 90m or 2d (at most 30d), separated by commas: 24h,1h.",
            text=part,
        )
    )


def parse_offset(text: str) -> int:
    """`24h` → 86400. A positive number with d, h or m, at most 30 days."""
    part = strip_marks(text).strip().lower()
    match = _OFFSET.match(part)
    if not match:
        raise _offset_error(text.strip()[:20])
    seconds = int(match[1]) * _UNITS[match[2]]
    if not 0 < seconds <= MAX_OFFSET_SECONDS:
        raise _offset_error(text.strip()[:20])
    return seconds


def parse_offsets(text: str) -> list[int]:
    """`24h,1h` → [86400, 3600]: deduplicated, largest first, at most 3.

    `none` or `off` means no reminders (an empty list).
    """
    cleaned = strip_marks(text).strip().lower()  # as shown in an Urdu message: no marks
    if cleaned in ("none", "off"):
        return []
    parts = [p for p in re.split(r"[,;\s]+", cleaned) if p]
    if not parts:
        raise InvalidInput(_("Give reminder offsets like 24h,1h (or none to turn reminders off)."))
    offsets = sorted({parse_offset(p) for p in parts}, reverse=True)
    if len(offsets) > MAX_OFFSETS:
        raise InvalidInput(
            _(
                "At most {limit} reminder offsets, like 24h,1h — you gave {count}.",
                limit=MAX_OFFSETS,
                count=len(offsets),
            )
        )
    return offsets


def format_offset(seconds: int) -> str:
    """86400 → `24h`, 5400 → `90m`, 172800 → `2d`."""
    if seconds >= 2 * 86400 and seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def format_offsets(offsets: list[int]) -> str:
    """[86400, 3600] → `24h,1h` (the form parse_offsets reads back); `none` when empty."""
    return ",".join(format_offset(o) for o in offsets) if offsets else "none"
