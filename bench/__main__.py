"""`python -m bench [name ...]`: run every benchmark (or the named ones) and print
each one's figures, then one summary table.

A benchmark is a module here with `main(argv) -> list[dict]` that prints its own
figures and returns them as rows.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from typing import Any

import bench
from bench._stats import table

NOT_BENCHMARKS = {"echo_bot", "member_cache_bot"}


def benchmark_names() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if not m.name.startswith("_") and m.name not in NOT_BENCHMARKS
    )


def main(argv: list[str]) -> int:
    names = argv or benchmark_names()
    summary: list[dict[str, Any]] = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        start = time.perf_counter()
        rows = importlib.import_module(f"bench.{name}").main([])
        for row in rows:
            summary.append({"benchmark": name, **row})
        print(f"({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    print("\n=== all figures ===")
    print(table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
