"""Recurring schedules that organizers type: `daily 10:00`, `weekly mon,thu 18:00`, or cron.

Shared by the resource autoposts and the mentorship rounds. A `Schedule` keeps a
normalised text (what is stored in the database) and builds an APScheduler
`CronTrigger` in the guild's time zone whenever one is needed, so a changed
guild time zone is picked up by re-parsing the stored text.
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

from bot.errors import InvalidInput
from bot.i18n import N_, _, _n, strip_marks
from bot.timeutil import WEEKDAYS

MIN_GAP_SECONDS = 3600
# How many upcoming fire times are inspected for the "not more often than hourly" rule.
_GAP_SAMPLES = 60
_MAX_TEXT = 100

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES: dict[str, int] = {}
for _i, (_short, _full) in enumerate(zip(DAY_NAMES, _DAY_FULL, strict=True)):
    _DAY_ALIASES[_short] = _i
    _DAY_ALIASES[_full] = _i
_DAY_ALIASES.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
# How describe() names the days: bot.timeutil.WEEKDAYS (the names above are what
# organizers type, in English).

# Cron numbers weekdays 0 (or 7) = Sunday; APScheduler 3 numbers them 0 = Monday,
# so numeric cron weekdays are translated to names before they reach APScheduler.
_CRON_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CRON_DOW_LOOKUP = {name: i for i, name in enumerate(_CRON_DOW_NAMES[:7])}

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DAILY = re.compile(r"^daily\s+(\S+)$")
_WEEKLY = re.compile(r"^weekly\s+(.+?)\s+(\S+)$")

FORMS_HELP = N_(
    "Use `daily 10:00`, `weekly mon,thu 18:00` or a five-field cron expression "
    "such as `0 9 * * 1-5` (minute hour day month weekday)."
)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule. `text` is the normalised form to store; re-parse it to rebuild."""

    text: str
    kind: str  # 'daily' | 'weekly' | 'cron'
    timezone: str
    hour: int | None = None
    minute: int | None = None
    days: tuple[int, ...] = ()  # weekly: 0 = Monday
    cron: str | None = None  # cron: the five fields as typed (normalised spacing)
    cron_dow: str | None = None  # cron: the weekday field translated for APScheduler

    def trigger(self) -> CronTrigger:
        """A fresh APScheduler trigger in the guild's time zone."""
        tz = zoneinfo.ZoneInfo(self.timezone)
        if self.kind == "daily":
            return CronTrigger(hour=self.hour, minute=self.minute, timezone=tz)
        if self.kind == "weekly":
            dow = ",".join(DAY_NAMES[d] for d in self.days)
            return CronTrigger(day_of_week=dow, hour=self.hour, minute=self.minute, timezone=tz)
        assert self.cron is not None
        minute, hour, day, month, _dow = self.cron.split()
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=self.cron_dow or "*",
            timezone=tz,
        )

    def next_fire(self, after: float) -> int | None:
        """The first fire time strictly after epoch `after`, as epoch seconds (None: never)."""
        fires = self.next_fires(after, 1)
        return fires[0] if fires else None

    def next_fires(self, after: float, count: int) -> list[int]:
        """Up to `count` fire times strictly after epoch `after`, as epoch seconds."""
        trigger = self.trigger()
        out: list[int] = []
        t = int(after)
        for _step in range(count):
            # APScheduler answers times >= the one given, so ask from one second later.
            nxt = trigger.get_next_fire_time(None, datetime.fromtimestamp(t + 1, UTC))
            if nxt is None:
                break
            t = int(nxt.timestamp())
            out.append(t)
        return out

    def describe(self) -> str:
        """A human sentence, e.g. `every Monday and Thursday at 18:00 (Asia/Karachi)`."""
        zone = self.timezone
        at = f"{self.hour:02d}:{self.minute:02d}" if self.hour is not None else ""
        if self.kind == "daily":
            return _("every day at {time} ({zone})", time=at, zone=zone)
        if self.kind == "weekly":
            names = [_(WEEKDAYS[d]) for d in self.days]
            days = (
                names[0]
                if len(names) == 1
                else _("{first} and {last}", first=_(", ").join(names[:-1]), last=names[-1])
            )
            return _("every {days} at {time} ({zone})", days=days, time=at, zone=zone)
        return _("cron `{cron}` ({zone})", cron=self.cron, zone=zone)


def _zone_name(tz: tzinfo | str) -> str:
    if isinstance(tz, str):
        return tz
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    if tz is UTC:
        return "UTC"
    raise ValueError("parse_schedule needs a zoneinfo.ZoneInfo or a zone name")


def _invalid(text: str, why: str = "") -> InvalidInput:
    shown = text.strip()[:_MAX_TEXT]
    sentences = [_("“{text}” is not a schedule I understand.", text=shown), why, _(FORMS_HELP)]
    return InvalidInput(" ".join(s for s in sentences if s))


def _parse_time(text: str, raw: str) -> tuple[int, int]:
    match = _TIME.match(text)
    if not match:
        raise _invalid(raw, _("“{text}” is not a 24-hour time like 18:00.", text=text[:20]))
    return int(match.group(1)), int(match.group(2))


def _parse_days(text: str, raw: str) -> tuple[int, ...]:
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip().strip(",")):
        if not part:
            continue
        if "-" in part:
            first, _dash, last = part.partition("-")
            if first not in _DAY_ALIASES or last not in _DAY_ALIASES:
                raise _invalid(
                    raw, _("“{text}” is not a range of days like mon-fri.", text=part[:20])
                )
            a, b = _DAY_ALIASES[first], _DAY_ALIASES[last]
            span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            days.update(span)
        elif part in _DAY_ALIASES:
            days.add(_DAY_ALIASES[part])
        else:
            raise _invalid(raw, _("“{text}” is not a day of the week.", text=part[:20]))
    if not days:
        raise _invalid(raw, _("Name at least one day."))
    return tuple(sorted(days))


def _cron_dow_value(token: str, raw: str) -> int:
    if token.isdecimal() and 0 <= int(token) <= 7:  # not isdigit(): int("²") fails
        return int(token) % 7  # 7 is Sunday too
    if token in _CRON_DOW_LOOKUP:
        return _CRON_DOW_LOOKUP[token]
    raise _invalid(raw, _("“{text}” is not a weekday (0-7 or sun-sat).", text=token[:20]))


def _translate_cron_dow(field: str, raw: str) -> str:
    """Expand a cron weekday field (0/7 = Sunday) into APScheduler day names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        rng, _slash, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdecimal() or int(step_text) == 0:
                raise _invalid(raw, _("“{text}” has a bad step.", text=item[:20]))
            step = int(step_text)
        if rng == "*":
            lo, hi = 0, 6
        elif "-" in rng:
            a, _dash, b = rng.partition("-")
            lo, hi = _cron_dow_value(a, raw), _cron_dow_value(b, raw)
            if hi == 0 and lo > 0:
                hi = 7  # `5-7` and `fri-sun` run to Sunday
            if lo > hi:
                raise _invalid(raw, _("“{text}” is a range that runs backwards.", text=item[:20]))
        else:
            lo = hi = _cron_dow_value(rng, raw)
            if step_text:
                hi = 6
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_CRON_DOW_NAMES[d] for d in sorted(days))


def _parse_cron(fields: list[str], raw: str, zone: str) -> Schedule:
    day, dow = fields[2], fields[4]
    if day not in ("*", "?") and dow not in ("*", "?"):
        # Cron fires when either matches, APScheduler when both do: refuse the ambiguity.
        raise _invalid(raw, _("Restrict the day of the month or the day of the week, not both."))
    cron_dow = _translate_cron_dow(dow, raw)
    schedule = Schedule(
        text=" ".join(fields),
        kind="cron",
        timezone=zone,
        cron=" ".join(fields),
        cron_dow=cron_dow,
    )
    try:
        schedule.trigger()
    except ValueError as exc:
        raise _invalid(raw, f"({str(exc)[:80]})") from None
    return schedule


def parse_schedule(text: str, tz: tzinfo | str) -> Schedule:
    """Parse what an organizer typed, in time zone `tz`; InvalidInput says what works.

    Refuses anything that fires more often than hourly or never fires at all.
    """
    zone = _zone_name(tz)
    raw = strip_marks(text or "")  # copied from an Urdu message: no bidi marks
    cleaned = " ".join(raw.strip().lower().split())
    if not cleaned:
        raise InvalidInput(_("Give a schedule.") + " " + _(FORMS_HELP))
    if len(cleaned) > _MAX_TEXT:
        raise _invalid(raw[:_MAX_TEXT])
    if cleaned.startswith("cron "):
        cleaned = cleaned[5:].strip()

    if match := _DAILY.match(cleaned):
        hour, minute = _parse_time(match.group(1), raw)
        schedule = Schedule(
            text=f"daily {hour:02d}:{minute:02d}",
            kind="daily",
            timezone=zone,
            hour=hour,
            minute=minute,
        )
    elif match := _WEEKLY.match(cleaned):
        days = _parse_days(match.group(1), raw)
        hour, minute = _parse_time(match.group(2), raw)
        names = ",".join(DAY_NAMES[d] for d in days)
        schedule = Schedule(
            text=f"weekly {names} {hour:02d}:{minute:02d}",
            kind="weekly",
            timezone=zone,
            hour=hour,
            minute=minute,
            days=days,
        )
    elif len(fields := cleaned.split(" ")) == 5 and not cleaned.startswith(("daily", "weekly")):
        schedule = _parse_cron(fields, raw, zone)
    else:
        raise _invalid(raw)

    _check_frequency(schedule, raw)
    return schedule


def _check_frequency(schedule: Schedule, raw: str) -> None:
    # A fixed reference keeps the verdict the same whenever it is asked.
    start = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    fires = schedule.next_fires(start, _GAP_SAMPLES)
    if not fires:
        # Maybe the expression only names past or rare dates; look from now too.
        fires = schedule.next_fires(datetime.now(UTC).timestamp(), _GAP_SAMPLES)
    if not fires:
        raise _invalid(raw, _("It never fires."))
    gaps = [b - a for a, b in itertools.pairwise(fires)]
    if gaps and min(gaps) < MIN_GAP_SECONDS:
        every = timedelta(seconds=min(gaps))
        raise InvalidInput(
            _(
                "“{text}” would fire as often as every {every}; "
                "schedules may fire at most once an hour.",
                text=raw.strip()[:_MAX_TEXT],
                every=_human(every),
            )
        )


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return _("{n} seconds", n=int(delta.total_seconds()))
    return _n("minute", "{n} minutes", minutes, n=minutes)
