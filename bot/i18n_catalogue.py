"""Keeping the message catalogue in step with the code (contributors, CI).

    python -m bot.i18n_catalogue extract   # bot/locale/messages.pot from bot/ and cogs/
    python -m bot.i18n_catalogue update    # extract, then add new entries to every .po
    python -m bot.i18n_catalogue check     # every entry translated, placeholders alike

A contributor who adds or changes a string runs `update`, translates the new entries
in each `bot/locale/<lang>/LC_MESSAGES/messages.po` (empty msgstr), and runs `check`;
tests/unit/test_i18n_catalogue.py runs the same check.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, ENGLISH, KEYWORDS, LANGUAGES, LOCALE_DIR, placeholders

ROOT = LOCALE_DIR.parent.parent
SOURCES = ("bot", "cogs")
POT = LOCALE_DIR / f"{DOMAIN}.pot"


def _skip(path: str) -> bool:
    return "/testing/" in f"/{path}" or "/locale/" in f"/{path}"


def extract() -> Catalog:
    """Every message the code marks, as a template (no translations)."""
    catalog = Catalog(project="gdg-community-bot", charset="utf-8", fuzzy=False)
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            if _skip(f"{source}/{filename}"):
                continue
            catalog.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    for where, lineno, text in command_descriptions():
        catalog.add(text, None, [(where, lineno)], auto_comments=[HELP_COMMENT])
    return catalog


HELP_COMMENT = "A command's description: /help shows it beside the English command name."
# Calls whose `description=` /help shows: app_commands.command, group.command, Group(...)
# and a GroupCog's class keywords.
_DESCRIBED = {"command", "Group", "context_menu"}


def command_descriptions() -> list[tuple[str, int, str]]:
    """Each slash command's and group's description in cogs/ (Discord shows them in
    English, as it has no Urdu locale; /help translates them)."""
    found: list[tuple[str, int, str]] = []
    for path in sorted((ROOT / "cogs").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            keywords: list[ast.keyword] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _DESCRIBED:
                    keywords = node.keywords
            elif isinstance(node, ast.ClassDef):
                keywords = node.keywords
            for kw in keywords:
                value = kw.value
                if kw.arg == "description" and isinstance(value, ast.Constant):
                    if isinstance(value.value, str):
                        found.append((where, getattr(node, "lineno", 0), value.value))
    return found


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=language)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(
            f, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False
        )


def update() -> None:
    template = extract()
    write(POT, template)
    for language in LANGUAGES:
        if language == ENGLISH:
            continue
        path = po_path(language)
        catalog = read(path, language) if path.exists() else Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        write(path, catalog)


def problems(language: str) -> list[str]:
    """What is wrong with a language's catalogue against the code: missing, untranslated
    or fuzzy entries, and placeholders that differ from the English."""
    template = extract()
    path = po_path(language)
    if not path.exists():
        return [f"{path} is missing"]
    catalog = read(path, language)
    found: list[str] = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if entry is None:
            found.append(f"not in the catalogue: {ids[0]!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            found.append(f"not translated: {ids[0]!r}")
            continue
        wanted = placeholders(str(ids[-1])) | placeholders(str(ids[0]))
        for string in strings:
            if placeholders(str(string)) != wanted:
                found.append(
                    f"placeholders differ in {ids[0]!r}: {sorted(placeholders(str(string)))}"
                    f" against {sorted(wanted)}"
                )
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        write(POT, extract())
        return 0
    if command == "update":
        update()
        return 0
    if command == "check":
        bad = [f"{lang}: {p}" for lang in LANGUAGES if lang != ENGLISH for p in problems(lang)]
        print("\n".join(bad) or "catalogue complete")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
