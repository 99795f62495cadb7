"""The Urdu catalogue is complete and safe to fill: every message the code marks has a
translation whose placeholders and Markdown match the English (bot/i18n_catalogue.py)."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Message

from bot.i18n import URDU, placeholders
from bot.i18n_catalogue import extract, po_path, problems, read

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def entries() -> list[Message]:
    return [m for m in read(po_path(URDU), URDU) if m.id]


def prose(text: str) -> str:
    """The words of a message, without placeholders, markup, code and links."""
    return re.sub(r"\{[^}]*\}|<[^>]*>|`[^`]*`|https?://\S+", "", text)


def forms(message: Message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [str(s) for s in strings]


def english(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple) else message.id)


def test_every_message_in_the_code_has_an_urdu_translation_with_the_same_placeholders() -> None:
    found = problems(URDU)
    assert not found, "run `python -m bot.i18n_catalogue update`, then translate:\n" + "\n".join(
        found
    )


def test_the_catalogue_holds_no_message_the_code_no_longer_has() -> None:
    in_code = {english(m) for m in extract() if m.id}
    stale = sorted(english(m) for m in entries() if english(m) not in in_code)
    assert not stale, "stale entries (run `python -m bot.i18n_catalogue update`): " + repr(stale)


def test_urdu_keeps_the_markdown_of_the_english() -> None:
    bad = []
    for message in entries():
        for form in forms(message):
            for mark in ("**", "`", "\n"):
                if english(message).count(mark) != form.count(mark):
                    bad.append(f"{mark!r} in {english(message)!r}")
    assert not bad, bad


def test_urdu_is_written_in_urdu_and_polite() -> None:
    untranslated, informal = [], []
    for message in entries():
        for form in forms(message):
            if re.search(r"[A-Za-z]{3}", prose(english(message))) and not ARABIC_SCRIPT.search(
                form
            ):
                untranslated.append(english(message))
            if re.search(r"(?<!\w)(تم|تمہارا|تمہاری|تمہیں)(?!\w)", form):
                informal.append(english(message))
    # Names members type as they are (command names, product names) may stay Latin.
    assert not untranslated, untranslated
    assert not informal, "آپ, never تم: " + repr(informal)


@pytest.mark.parametrize(
    ("text", "names"),
    [("Seat {seat} of {capacity}", {"seat", "capacity"}), ("{n:.0f} s", {"n"}), ("none", set())],
)
def test_placeholders_are_read_by_name(text: str, names: set[str]) -> None:
    assert placeholders(text) == names
