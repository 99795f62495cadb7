"""The shape of the code, checked: `bot/` (the domain) never imports discord or the cogs,
and one feature never imports another (shared vocabulary lives in `bot/` itself).

Two places are exempt, by design: `bot/__main__.py`, the composition root that builds the
settings, the store and the Discord client and hands them down, and `bot/testing/`, the
fake Discord and its tools, which speak Discord's protocol on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ("events", "resources", "mentorship")
EXEMPT = {ROOT / "bot" / "__main__.py"}


def modules(package: str) -> list[Path]:
    return sorted(
        p
        for p in (ROOT / package).rglob("*.py")
        if "testing" not in p.relative_to(ROOT / package).parts[:1] and p not in EXEMPT
    )


def imported(path: Path, package: str | None = None) -> set[str]:
    """Every module name a file imports (absolute; relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            # `from bot import mentorship` imports bot.mentorship
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def feature_of(name: str, layer: str) -> str | None:
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == layer and parts[1] in FEATURES:
        return parts[1]
    return None


@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_never_imports_discord_or_cogs(path: Path) -> None:
    bad = sorted(n for n in imported(path) if n.split(".")[0] in ("discord", "cogs", "aiohttp.web"))
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: keep Discord in cogs/"


@pytest.mark.parametrize(
    "path", modules("bot") + modules("cogs"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_feature_imports_another(path: Path) -> None:
    layer = path.relative_to(ROOT).parts[0]
    mine = feature_of(".".join(path.relative_to(ROOT).with_suffix("").parts), layer)
    if mine is None:
        return  # shared modules (bot/db.py, cogs/_common.py, cogs/settings.py…) may
    others = {
        f
        for n in imported(path)
        for f in (feature_of(n, "bot"), feature_of(n, "cogs"))
        if f is not None and f != mine
    }
    assert not others, f"{path.relative_to(ROOT)} ({mine}) imports the {sorted(others)} feature"


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    """The parser finds imports in every form the checks rely on."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import discord\nfrom bot import mentorship\nfrom cogs._common import reply\n"
    )
    assert {"discord", "bot.mentorship", "cogs._common"} <= imported(sample, "bot.events")
    assert feature_of("bot.mentorship.service", "bot") == "mentorship"
    assert feature_of("cogs._common", "cogs") is None
