"""The fake's REST route table: every route has its handler, and no path matches two routes.

The routes are spread over the resource modules of ``bot.testing.fakediscord.rest`` and
found by handler name on ``Rest``, so these guard the composition: a handler name used
twice or a pattern that swallows another's paths would otherwise fail silently.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.testing.fakediscord.rest import ROUTES, Rest

SAMPLES = {r"(\d+)": ["123"], r"([^/]+)": ["tok"], r"(\d+|@me)": ["123", "@me"]}
SAMPLES[r"(\d+|@original)"] = ["123", "@original"]


def sample_paths(pattern: str) -> list[str]:
    """Concrete paths for an anchored route pattern, one per alternative of each group."""
    body = pattern.removeprefix("^").removesuffix("$")
    paths = [""]
    for part in re.split(r"(\([^)]*\))", body):
        options = SAMPLES[part] if part.startswith("(") else [part]
        paths = [p + o for p in paths for o in options]
    return paths


def test_every_route_has_a_handler_with_a_unique_name() -> None:
    names = Counter(name for _, _, name in ROUTES)
    assert [n for n, count in names.items() if count > 1] == []
    assert [n for n in names if not callable(getattr(Rest, n, None))] == []
    assert len(ROUTES) >= 66


def test_each_path_matches_exactly_its_own_route() -> None:
    for method, rx, name in ROUTES:
        for path in sample_paths(rx.pattern):
            hits = [n for m, other, n in ROUTES if m == method and other.match(path)]
            assert hits == [name], (method, path)
