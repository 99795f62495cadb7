"""No sentence a member reads bypasses the message catalogue (bot/i18n.py).

Every module under bot/ and cogs/ is walked: a string literal that reads like a
sentence (three words or more) must be inside `_()`, `_n()` or `N_()`, unless it is a
docstring, a log line, SQL, an assert, the message of a programmer's error
(RuntimeError, TypeError…), or a slash command's own name and description (Discord
shows those in English: it has no Urdu locale). Modules that only the host or a
programmer ever read are listed in ENGLISH_ONLY with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENGLISH_ONLY: dict[str, str] = {
    "bot/__main__.py": "the host's command line and start-up errors",
    "bot/config.py": "the host's settings and their errors",
    "bot/i18n_catalogue.py": "the contributors' catalogue tool",
    "bot/db.py": "the database layer: programmer and host errors",
    "bot/sqlite_db.py": "the database layer",
    "bot/postgres_db.py": "the database layer",
    "bot/logjson.py": "log formatting",
    "bot/shards.py": "the host's shard settings",
    "cogs/web/_metrics.py": "Prometheus metric help texts (read by the host's monitoring)",
    "cogs/web/__init__.py": "/healthz, read by the host's monitoring",
    "cogs/web/_server.py": "the web server's plain 403/404/500 pages (no member known) and "
    "its start-up errors for the host",
    "bot/web/health.py": "/healthz, read by the host's monitoring",
    "bot/web/links.py": "why a link was refused: logged only; the member sees the plain 403",
    "bot/web/secret.py": "the host's WEB_SECRET setting",
    "bot/resources/feeds/netguard.py": "the guard against internal addresses: its refusals "
    "are logged, the member sees the feed's own error",
    "bot/copy_store.py": "`python -m bot copy-to`: the host's command line",
}
# A line ending in this comment, or the line after it when it stands alone, holds a
# literal that is never translated: a header value, a stored name members type, a
# permission name as Discord's (English-only) settings show it.
NOT_MEMBER_TEXT = "# i18n: not translated"
SKIP_DIRS = ("bot/testing/", "bot/locale/")

MARKERS = {"_", "_n", "N_", "in_language"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
PROGRAMMER_ERRORS = {
    "RuntimeError",
    "TypeError",
    "ValueError",
    "KeyError",
    "AssertionError",
    "NotImplementedError",
    "SystemExit",
    "LookupError",
    "OSError",
    "BadLink",  # why a signed link was refused: logged; the member sees the plain 403
}
# Discord shows these in English: command names, descriptions and option hints.
DISCORD_METADATA = {"command", "Group", "describe", "context_menu", "rename", "GroupCog"}
SENTENCE = re.compile(r"[A-Za-z][a-z']*[ ,:]+[A-Za-z][a-z']*[ ,:;.—-]+[A-Za-z]")
# SQL: statements, conditions with a parameter, and column lists ("id, title, url").
SQL = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|ALTER|DROP|PRAGMA)\b"
    r"|\bFROM \w|\bWHERE\b|\bORDER BY\b"
    r"|\s=\s\?|^\s*[a-z_.]+(,\s*[a-z_.]+)+\s*$",
    re.I,
)


def modules() -> list[Path]:
    paths = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "cogs").rglob("*.py"))
    return [p for p in paths if not str(p.relative_to(ROOT)).startswith(SKIP_DIRS)]


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes whose string literals are not member-facing."""
    exempt: set[int] = set()

    def cover(node: ast.AST) -> None:
        exempt.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                cover(body[0])  # docstring
        if isinstance(node, ast.Assert):
            cover(node)
        if isinstance(node, ast.Call):
            name = _name(node.func)
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            is_log = (
                name in LOG_METHODS
                and isinstance(receiver, ast.Name)
                and receiver.id
                in {
                    "log",
                    "logger",
                    "logging",
                    "_log",
                }
            )
            if name in MARKERS or is_log or name in PROGRAMMER_ERRORS:
                cover(node)
            elif name in DISCORD_METADATA:
                for kw in node.keywords:
                    if kw.arg in {"name", "description"} or name == "describe":
                        cover(kw)
            elif name == "Choice":
                pass  # a choice's name is Discord metadata only in a decorator (below)
        if isinstance(node, ast.ClassDef):
            for kw in node.keywords:
                cover(kw)
        for decorator in getattr(node, "decorator_list", []):
            cover(decorator)
    return exempt


def offenders(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    exempt = _exempt_nodes(tree)
    lines = source.splitlines()
    marked = {n for n, line in enumerate(lines, 1) if line.endswith(NOT_MEMBER_TEXT)}
    marked |= {n + 1 for n, line in enumerate(lines, 1) if line.strip() == NOT_MEMBER_TEXT}
    found = []
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            exempt.update(id(n) for n in ast.walk(node))
        if text and SENTENCE.search(text) and not SQL.search(text) and node.lineno not in marked:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:70]!r}")
    return found


def test_every_sentence_members_read_goes_through_the_catalogue() -> None:
    found = [
        line
        for path in modules()
        if str(path.relative_to(ROOT)) not in ENGLISH_ONLY
        for line in offenders(path)
    ]
    assert not found, "not through _() (bot/i18n.py):\n" + "\n".join(found)


def test_english_only_modules_exist() -> None:
    missing = [m for m in ENGLISH_ONLY if not (ROOT / m).exists()]
    assert not missing


def test_the_scanner_catches_a_bare_reply(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "async def f(i):\n"
        '    """A docstring is fine."""\n'
        '    log.info("a log line is fine too")\n'
        '    await reply(i, _("Through the catalogue is fine."))\n'
        '    await reply(i, f"You are going to {title}, see you there.")\n'
    )
    original = ROOT
    try:
        globals()["ROOT"] = tmp_path
        found = offenders(sample)
    finally:
        globals()["ROOT"] = original
    assert len(found) == 1 and "You are going to" in found[0]
