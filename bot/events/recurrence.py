"""When a series' occurrences start (pure; no store, no Discord).

Occurrence k is computed straight from the first one, never by stepping from the one
before, in the series' local wall time, then converted to UTC with the zone's rules for
that day:

- weekly / every 2 weeks: the first start plus k (or 2k) weeks. 10:00 stays 10:00 when
  the zone changes its clocks (the UTC instant moves by the hour instead).
- monthly on the same date: the first start plus k months, with dateutil's relativedelta,
  which keeps the day and clamps it to the month's length: a series on the 31st meets on
  30 April and 28 (or 29) February, and on the 31st again in May.
- monthly on the same weekday: the same n-th weekday of each month ("the 2nd Saturday");
  a first start on a 5th Saturday (day 29 to 31) means "the last Saturday", which every
  month has (a 5th one would skip most months).

A wall time that doesn't exist on a day (the hour skipped when clocks go forward) is
read with the offset before the change, so 02:30 on that night becomes 03:30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta, weekday

from bot.errors import InvalidInput
from bot.i18n import N_, _
from bot.timeutil import WEEKDAYS

Rule = Literal["weekly", "every-2-weeks", "monthly-weekday", "monthly-date"]
# What organizers pick in /event create (value → words). The words are the choices' names
# (Discord shows them in English) and what parse_rule reads: they stay English here.
RULES: dict[Rule, str] = {
    "weekly": N_("weekly"),
    "every-2-weeks": N_("every 2 weeks"),
    "monthly-weekday": N_("monthly on the same weekday"),
    "monthly-date": N_("monthly on the same date"),
}
MAX_OCCURRENCES = 520  # ten years of weekly meetups
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True)
class Recurrence:
    rule: Rule
    first: datetime  # the first start, local wall time (naive)
    tz: ZoneInfo
    until: date | None = None  # the last day an occurrence may start on (local), inclusive
    count: int | None = None  # how many occurrences in all

    def local(self, k: int) -> datetime:
        """Occurrence k's start in local wall time (naive)."""
        first = self.first
        if self.rule == "weekly":
            return first + timedelta(weeks=k)
        if self.rule == "every-2-weeks":
            return first + timedelta(weeks=2 * k)
        if self.rule == "monthly-date":
            return first + relativedelta(months=k)
        nth = _nth_weekday(first)
        month = first + relativedelta(months=k)
        if nth < 0:  # the last such weekday: from the month's end backwards
            return month + relativedelta(day=31, weekday=weekday(first.weekday(), -1))
        return month + relativedelta(day=1, weekday=weekday(first.weekday(), nth))

    def start(self, k: int) -> int | None:
        """Occurrence k's start (epoch seconds, UTC); None past the series' end."""
        if k < 0 or (self.count is not None and k >= self.count) or k >= MAX_OCCURRENCES:
            return None
        wall = self.local(k)
        if self.until is not None and wall.date() > self.until:
            return None
        return epoch_of(wall, self.tz)

    def describe(self) -> str:
        """`weekly on Saturday at 10:00`, `monthly on the last Friday at 18:30`, …"""
        first, at = self.first, self.first.strftime("%H:%M")
        day = _(WEEKDAYS[first.weekday()])
        if self.rule == "weekly":
            text = _("weekly on {day} at {at}", day=day, at=at)
        elif self.rule == "every-2-weeks":
            text = _("every 2 weeks on {day} at {at}", day=day, at=at)
        elif self.rule == "monthly-date" and first.day > 28:
            text = _(
                "monthly on day {n} at {at} (the month's last day when it is shorter)",
                n=first.day,
                at=at,
            )
        elif self.rule == "monthly-date":
            text = _("monthly on day {n} at {at}", n=first.day, at=at)
        else:
            nth = _nth_weekday(first)
            text = _(_NTH_WEEKDAY[nth], day=day, at=at)
        if self.count is not None:
            text += _(", {n} times", n=self.count)
        if self.until is not None:
            text += _(", until {date}", date=self.until.isoformat())
        return text


# "monthly on the n-th weekday", by _nth_weekday (-1: the last).
_NTH_WEEKDAY = {
    1: N_("monthly on the 1st {day} at {at}"),
    2: N_("monthly on the 2nd {day} at {at}"),
    3: N_("monthly on the 3rd {day} at {at}"),
    4: N_("monthly on the 4th {day} at {at}"),
    -1: N_("monthly on the last {day} at {at}"),
}


def _nth_weekday(day: datetime) -> int:
    """1..4 for the n-th such weekday of its month; -1 (the last) for a 5th one."""
    return -1 if day.day > 28 else (day.day - 1) // 7 + 1


def epoch_of(wall: datetime, tz: ZoneInfo) -> int:
    """A local wall time as epoch seconds (fold=0: the first of a repeated hour)."""
    return int(wall.replace(tzinfo=tz).astimezone(UTC).timestamp())


def local_of(epoch: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch, tz).replace(tzinfo=None)


def parse_rule(text: str) -> Rule:
    key = " ".join(text.lower().replace("-", " ").split())
    for rule, words in RULES.items():
        if key in (words, rule.replace("-", " ")):
            return rule
    raise InvalidInput(
        _(
            "Repeat {repeat} isn't one I know: pick weekly, every 2 weeks, monthly on the "
            "same weekday or monthly on the same date.",
            repeat=repr(text[:40]),
        )
    )


def check_end(first: datetime, until: date | None, count: int | None) -> None:
    """The series' end must come after its start and within ten years."""
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidInput(_("A series can have 1 to {max} occurrences.", max=MAX_OCCURRENCES))
    if until is not None:
        if until < first.date():
            raise InvalidInput(
                _(
                    "The series ends ({until}) before its first event ({first}): "
                    "give a later until date.",
                    until=until.isoformat(),
                    first=first.date().isoformat(),
                )
            )
        if (until - first.date()).days > MAX_SPAN_DAYS:
            raise InvalidInput(_("A series can run for at most ten years: give an earlier until."))
