"""The one SQL the features write, read by both stores.

Features write SQLite-style SQL with `?`, `?N` or `:name` placeholders, and only what
both SQLite and PostgreSQL understand (`ON CONFLICT … DO NOTHING`, `RETURNING`, row
values, `unixepoch()` and a few SQLite functions PostgreSQL gets from the first
PostgreSQL migration). The PostgreSQL store translates the placeholders to psycopg's
(`%s`, `%(pN)s`, `%(name)s`) and doubles every literal `%`, so the text of a query is
never rewritten beyond that. Rows of both stores read alike: by name, by position,
`dict(row)`, `row.keys()` (`Row`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Params = Sequence[Any] | Mapping[str, Any]


class Row:
    """A result row like sqlite3.Row: `row["col"]`, `row[0]`, `dict(row)`, `row.keys()`."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and self._values == other._values

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))})"


@functools.lru_cache(maxsize=4096)
def to_psycopg(sql: str, named: bool) -> tuple[str, tuple[str, ...]]:
    """(psycopg SQL, names of the numbered `?N` placeholders in order of first use).

    `?` → `%s`; `?N` → `%(pN)s`; `:name` → `%(name)s` when the parameters are a mapping;
    every `%` → `%%`. Quoted strings and identifiers are copied as they are (but their
    `%` doubled, which psycopg reads back as one)."""
    out: list[str] = []
    numbered: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # '' inside a string
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
        elif ch == "%":
            out.append("%%")
            i += 1
        elif ch == "?":
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            if j > i + 1:
                name = f"p{sql[i + 1 : j]}"
                if name not in numbered:
                    numbered.append(name)
                out.append(f"%({name})s")
            else:
                out.append("%s")
            i = j
        elif ch == ":" and named and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            if i > 0 and sql[i - 1] == ":":  # a ::cast
                out.append(ch)
                i += 1
                continue
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out), tuple(numbered)


def _text(value: Any) -> Any:
    # A safety net: features drop NUL from what members type (PostgreSQL's text can't hold
    # it), and a lookup by a text with NUL finds nothing rather than failing.
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def bind(sql: str, params: Params) -> tuple[str, Params]:
    """SQLite-style SQL and parameters, as psycopg takes them."""
    if not params:  # psycopg reads `%` as a placeholder only when there are parameters
        return sql, params
    text, numbered = to_psycopg(sql, isinstance(params, Mapping))
    if isinstance(params, Mapping):
        return text, {k: _text(v) for k, v in params.items()}
    values = [_text(v) for v in params]
    if numbered:
        return text, {name: values[int(name[1:]) - 1] for name in numbered}
    return text, tuple(values)
