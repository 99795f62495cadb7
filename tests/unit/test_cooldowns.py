"""Per-member cooldowns: a sliding window; the refusal says when; looking costs nothing."""

from __future__ import annotations

import pytest

from bot.cooldowns import Cooldowns, Limit, TooSoon, wait_text
from tests.unit.conftest import FakeClock

LIMIT = Limit(3, 600, "suggest resources")


def test_the_fourth_action_in_the_window_is_refused_with_when() -> None:
    clock = FakeClock(1000)
    cooldowns = Cooldowns(clock)
    for _ in range(3):
        cooldowns.check(LIMIT, 1, 42)
    clock.advance(60)
    with pytest.raises(TooSoon) as refused:
        cooldowns.check(LIMIT, 1, 42)
    assert str(refused.value) == "Slow down a little: you can suggest resources again in 9 minutes."
    assert refused.value.retry_after == 540
    cooldowns.check(LIMIT, 1, 43)  # another member is not affected
    cooldowns.check(LIMIT, 2, 42)  # nor the same member in another server
    clock.advance(540)  # the first action has left the window
    cooldowns.check(LIMIT, 1, 42)


def test_looking_counts_nothing_until_counted() -> None:
    cooldowns = Cooldowns(FakeClock(0))
    for _ in range(10):
        cooldowns.check(LIMIT, 1, 42, count=False)
    for _ in range(3):
        cooldowns.count(LIMIT, 1, 42)
    with pytest.raises(TooSoon):
        cooldowns.check(LIMIT, 1, 42, count=False)


def test_a_refusal_does_not_extend_the_wait() -> None:
    clock = FakeClock(0)
    cooldowns = Cooldowns(clock)
    for _ in range(3):
        cooldowns.check(LIMIT, 7)
    for _ in range(5):
        clock.advance(100)
        with pytest.raises(TooSoon):
            cooldowns.check(LIMIT, 7)
    clock.advance(100)
    cooldowns.check(LIMIT, 7)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "in 1 second"), (40, "in 40 seconds"), (100, "in 2 minutes"), (7200, "in 2 hours")],
)
def test_wait_text(seconds: float, text: str) -> None:
    assert wait_text(seconds) == text
