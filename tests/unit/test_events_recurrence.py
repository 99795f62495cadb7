"""When a series' occurrences start: wall time kept across DST, month lengths, the n-th
weekday, the end by date or count; bad rules and ends refused (bot/events/recurrence.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.events.recurrence import Recurrence, check_end, parse_rule

KARACHI = ZoneInfo("Asia/Karachi")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(epoch: int | None) -> datetime:
    assert epoch is not None
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def days(rec: Recurrence, n: int) -> list[date]:
    return [rec.local(k).date() for k in range(n)]


def test_weekly_keeps_ten_oclock_across_the_clock_change() -> None:
    # London goes to summer time on Sunday 28 March 2027.
    rec = Recurrence("weekly", datetime(2027, 3, 20, 10, 0), LONDON)
    assert [utc(rec.start(k)) for k in range(3)] == [
        datetime(2027, 3, 20, 10, 0),
        datetime(2027, 3, 27, 10, 0),
        datetime(2027, 4, 3, 9, 0),  # 10:00 BST
    ]
    # and back in autumn (31 October 2027), in New York (7 November 2027) likewise
    fall = Recurrence("every-2-weeks", datetime(2027, 10, 30, 18, 30), NEW_YORK)
    assert [utc(fall.start(k)) for k in range(2)] == [
        datetime(2027, 10, 30, 22, 30),
        datetime(2027, 11, 13, 23, 30),
    ]


def test_karachi_has_no_clock_change_so_the_utc_time_never_moves() -> None:
    rec = Recurrence("weekly", datetime(2027, 1, 2, 10, 0), KARACHI)
    assert {utc(rec.start(k)).time() for k in range(60)} == {datetime(2027, 1, 1, 5, 0).time()}


def test_an_hour_skipped_by_the_clock_change_reads_as_the_hour_after() -> None:
    rec = Recurrence("weekly", datetime(2027, 3, 7, 2, 30), NEW_YORK)  # 14 Mar 02:30 is skipped
    assert utc(rec.start(1)) == datetime(2027, 3, 14, 7, 30)  # 03:30 EDT


def test_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    rec = Recurrence("monthly-date", datetime(2027, 1, 31, 18, 0), KARACHI)
    assert days(rec, 6) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]
    leap = Recurrence("monthly-date", datetime(2027, 12, 30, 18, 0), KARACHI)
    assert days(leap, 3) == [date(2027, 12, 30), date(2028, 1, 30), date(2028, 2, 29)]
    assert "the month's last day when it is shorter" in rec.describe()


def test_monthly_on_the_same_weekday() -> None:
    second_saturday = Recurrence("monthly-weekday", datetime(2027, 1, 9, 10, 0), KARACHI)
    assert days(second_saturday, 4) == [
        date(2027, 1, 9),
        date(2027, 2, 13),
        date(2027, 3, 13),
        date(2027, 4, 10),
    ]
    assert second_saturday.describe() == "monthly on the 2nd Saturday at 10:00"
    # 30 January 2027 is a 5th Saturday: "the last Saturday" (February has no 5th)
    last = Recurrence("monthly-weekday", datetime(2027, 1, 30, 10, 0), KARACHI)
    assert days(last, 3) == [date(2027, 1, 30), date(2027, 2, 27), date(2027, 3, 27)]
    assert last.describe() == "monthly on the last Saturday at 10:00"


def test_the_end_by_count_or_by_date_whichever_first() -> None:
    by_count = Recurrence("weekly", datetime(2027, 1, 2, 10, 0), KARACHI, count=3)
    assert [by_count.start(k) is not None for k in range(4)] == [True, True, True, False]
    until = Recurrence("weekly", datetime(2027, 1, 2, 10, 0), KARACHI, until=date(2027, 1, 16))
    assert [until.start(k) is not None for k in range(4)] == [True, True, True, False]
    both = Recurrence("weekly", datetime(2027, 1, 2, 10, 0), KARACHI, date(2027, 1, 30), 2)
    assert both.start(2) is None
    assert both.describe() == "weekly on Saturday at 10:00, 2 times, until 2027-01-30"
    assert by_count.start(-1) is None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("weekly", "weekly"),
        ("Every 2 weeks", "every-2-weeks"),
        ("monthly on the same weekday", "monthly-weekday"),
        ("monthly-date", "monthly-date"),
    ],
)
def test_rules_by_their_words(text: str, rule: str) -> None:
    assert parse_rule(text) == rule


def test_unknown_rule_and_bad_ends_are_refused() -> None:
    with pytest.raises(InvalidInput, match="isn't one I know"):
        parse_rule("daily")
    first = datetime(2027, 1, 2, 10, 0)
    with pytest.raises(InvalidInput, match="before its first event"):
        check_end(first, date(2027, 1, 1), None)
    with pytest.raises(InvalidInput, match="at most ten years"):
        check_end(first, date(2037, 2, 1), None)
    with pytest.raises(InvalidInput, match="1 to 520 occurrences"):
        check_end(first, None, 521)
    check_end(first, date(2027, 1, 2), 1)  # the first day itself is fine
