"""The shared SQL as PostgreSQL's driver takes it (bot/sql.py)."""

from __future__ import annotations

import pytest

from bot.sql import Row, bind


@pytest.mark.parametrize(
    ("sql", "params", "expected"),
    [
        ("SELECT ? + ?", (1, 2), ("SELECT %s + %s", (1, 2))),
        ("WHERE a = ?2 OR b = ?1 OR c = ?2", (1, 2),
         ("WHERE a = %(p2)s OR b = %(p1)s OR c = %(p2)s", {"p2": 2, "p1": 1})),
        ("WHERE u = :user AND x::int = 1", {"user": 5},
         ("WHERE u = %(user)s AND x::int = 1", {"user": 5})),
        ("WHERE t LIKE '%?%' AND n = ?", (3,), ("WHERE t LIKE '%%?%%' AND n = %s", (3,))),
        ("SELECT 'it''s ?' || ?", ("x",), ("SELECT 'it''s ?' || %s", ("x",))),
        ("SELECT 10 % 3", (), ("SELECT 10 % 3", ())),
    ],
)  # fmt: skip
def test_placeholders_and_percent_signs(sql: str, params: object, expected: object) -> None:
    assert bind(sql, params) == expected  # type: ignore[arg-type]


def test_a_row_reads_like_sqlite3s() -> None:
    row = Row({"a": 0, "b": 1}, (1, "x"))
    assert row["b"] == "x" and row[0] == 1 and dict(row) == {"a": 1, "b": "x"}
    assert list(row) == [1, "x"] and row.keys() == ["a", "b"] and len(row) == 2
