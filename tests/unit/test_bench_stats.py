"""The benchmarks' percentile is the nearest rank, as it says."""

from __future__ import annotations

import pytest

from bench._stats import pct


@pytest.mark.parametrize(
    ("q", "expected"),
    [(50, 50), (90, 90), (99, 99), (100, 100), (1, 1), (0, 1), (99.5, 100)],
)
def test_nearest_rank_of_one_to_a_hundred(q: float, expected: int) -> None:
    assert pct(list(range(1, 101)), q) == expected


def test_small_and_empty_samples() -> None:
    assert pct([3.0, 1.0, 2.0], 50) == 2.0
    assert pct([3.0, 1.0, 2.0], 99) == 3.0
    assert pct([], 99) == 0.0
