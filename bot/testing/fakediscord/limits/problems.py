"""What a limit check reports: :class:`Problem` (a path into the payload, Discord's error code
and message), :func:`form_errors` (problems as the ``errors`` object of Discord's
``400 Invalid Form Body``, code 50035), and the field checks every limit is built from
(:func:`max_len`, :func:`len_between`, :func:`too_many`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One violated limit: ``path`` is like ``("embeds", 0, "title")``."""

    path: tuple[str | int, ...]
    code: str
    message: str

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path)


def form_errors(problems: list[Problem]) -> dict[str, Any]:
    """Nested ``{"embeds": {"0": {"title": {"_errors": [...]}}}}`` as Discord answers."""
    root: dict[str, Any] = {}
    for p in problems:
        node = root
        for key in p.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": p.code, "message": p.message})
    return root


def max_len(path: tuple, value: Any, limit: int, out: list[Problem]) -> None:
    """A string longer than ``limit`` (anything else passes)."""
    if isinstance(value, str) and len(value) > limit:
        out.append(Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def len_between(path: tuple, value: Any, lo: int, hi: int, out: list[Problem]) -> None:
    """A required string: missing, not a string, or its length outside ``lo..hi``."""
    if value is None:
        value = ""
    if not isinstance(value, str) or not lo <= len(value) <= hi:
        n = len(value) if isinstance(value, str) else "?"
        out.append(
            Problem(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {lo} and {hi} in length ({n}).")
        )


def too_many(path: tuple, items: Any, limit: int, out: list[Problem]) -> None:
    """A list of more than ``limit`` items."""
    if isinstance(items, list) and len(items) > limit:
        out.append(Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))
