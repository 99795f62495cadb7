"""Completing what a member is typing from a known set (topics, languages, cities,
levels), for autocomplete: pure functions, no I/O, no Discord.

Discord shows at most MAX_CHOICES choices, each name and value at most MAX_CHOICE_LENGTH
characters; a choice's value replaces the whole option, so a choice too long to hold the
completed text is left out rather than cut (a cut value would lose what was typed).

For a comma-separated option (`NLP, mach`) the last item is completed and the items
before it are kept: a known one in its canonical spelling (`nlp` → `NLP`), an unknown
one as typed (the command refuses it later, naming the nearest). Items already chosen
are not offered again. Nothing here decides what is valid: the parsers do, and typing
instead of picking keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_CHOICES = 25
MAX_CHOICE_LENGTH = 100


def key(text: str) -> str:
    """How names are compared: NUL dropped, spaces collapsed, case folded."""
    return " ".join(text.replace("\x00", "").split()).casefold()


def matches(text: str, known: Sequence[str]) -> list[str]:
    """The known names for `text`, in their order: those starting with it first, then
    those containing it; all of them for nothing typed."""
    typed = key(text)
    starts = [n for n in known if key(n).startswith(typed)]
    rest = [n for n in known if typed in key(n) and n not in starts]
    return starts + rest


def complete_one(text: str, known: Sequence[str]) -> list[str]:
    """Choices for an option holding one name."""
    fits = [n for n in matches(text, known) if 0 < len(n) <= MAX_CHOICE_LENGTH]
    return fits[:MAX_CHOICES]


def complete_list(text: str, known: Sequence[str]) -> list[str]:
    """Choices for a comma-separated option: the text with its last item completed."""
    head, _, last = text.rpartition(",")
    canonical = {key(n): n for n in known}
    before: dict[str, str] = {}  # each item once, in the order typed
    for part in head.split(","):
        name = " ".join(part.replace("\x00", "").split())
        if name:
            before.setdefault(key(name), canonical.get(key(name), name))
    prefix = "".join(f"{name}, " for name in before.values())
    out: list[str] = []
    for name in matches(last, known):
        completed = prefix + name
        if key(name) in before or len(completed) > MAX_CHOICE_LENGTH:
            continue
        out.append(completed)
        if len(out) == MAX_CHOICES:
            break
    return out
