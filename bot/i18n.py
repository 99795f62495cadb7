"""What the bot says, in the language of whoever reads it (English source, Urdu).

The messages live in a gettext catalogue handled by Babel: `bot/locale/messages.pot`
(extracted from the code) and `bot/locale/<lang>/LC_MESSAGES/messages.po` (the
translations; see bot/locale/GLOSSARY.md). The .po files are read at first use and
compiled in memory, so there is no build step and no .mo file to forget.

Who reads: the language is a context variable. The cogs set it for each interaction
(the member's choice, else the server's default) and for each outbox message (its
recipient's, or the server's for a channel post); code that writes to someone else
in the middle of an interaction — a public announcement, a DM to the promoted member
— wraps it in `speaking(language)`. Outside any of these it is English.

- `_("Seats: {taken} of {capacity}", taken=3, capacity=8)` translates now and fills
  the named placeholders. In a right-to-left language each text value is wrapped in
  Unicode isolation marks (FSI … PDI) so a Latin title, a code or a mention inside an
  Urdu sentence keeps its own direction and doesn't reorder the words around it. URLs,
  Discord markup (`<@…>`, `<t:…>`) and placeholders inside a code span are left as they
  are: the marks would break them, or be copied with the code.
- `_n("{n} seat", "{n} seats", n, n=n)` for counted nouns.
- `N_("…")` marks a string for the catalogue without translating it (module constants,
  which are translated where they are used: `_(CONSTANT)`).

`python -m bot.i18n extract|update|check` keeps the catalogue in step with the code.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import io
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
ENGLISH = "en"
URDU = "ur"
# Code -> its own name, as the /language choices show it.
LANGUAGES: dict[str, str] = {ENGLISH: "English", URDU: "اردو (Urdu)"}
RTL = frozenset({URDU})
FSI, PDI = "\u2068", "\u2069"
BIDI_MARKS = frozenset("\u2066\u2067\u2068\u2069\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
# The gettext keywords Babel extracts: _(msgid), N_(msgid), _n(singular, plural, n).
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "_n": (1, 2)}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=ENGLISH)


def current() -> str:
    """The language being spoken now (a code in LANGUAGES)."""
    return _current.get()


def use(language: str) -> None:
    """Speak `language` for the rest of this task (set at the start of an interaction)."""
    _current.set(language if language in LANGUAGES else ENGLISH)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak `language` inside the block only (a message for someone else)."""
    token = _current.set(language if language in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _current.reset(token)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The language's catalogue, compiled from its .po in memory (English: the source)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == ENGLISH or not po.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def isolate(value: Any, language: str) -> Any:
    """`value` wrapped in FSI…PDI when it is text inside a right-to-left sentence."""
    if language not in RTL or not isinstance(value, str) or not value:
        return value
    if value.startswith(("http://", "https://", "webcal://", "<")) or "\n" in value:
        return value
    return f"{FSI}{value}{PDI}"


def _fill(text: str, language: str, params: dict[str, Any]) -> str:
    if not params:
        return text
    # Inside a code span (`/{name}`) the text is shown left to right as it is, and the
    # marks would be part of what a member copies: no isolation there.
    in_code = {n for span in re.findall(r"`[^`]*`", text) for n in placeholders(span)}
    return text.format(
        **{k: v if k in in_code else isolate(v, language) for k, v in params.items()}
    )


def _(msgid: str, /, **params: Any) -> str:
    """`msgid` in the current language, its {placeholders} filled from `params`."""
    language = current()
    return _fill(translations(language).gettext(msgid), language, params)


def _n(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The singular or plural form for `n`, in the current language."""
    language = current()
    return _fill(translations(language).ngettext(singular, plural, n), language, params)


def N_(msgid: str, /) -> str:
    """Mark `msgid` for the catalogue; translate it later with `_(msgid)`."""
    return msgid


def in_language(language: str, msgid: str, /, **params: Any) -> str:
    """`msgid` in `language`, whatever the current one is."""
    with speaking(language):
        return _(msgid, **params)


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message ({title} -> "title")."""
    return {name for _text, name, _spec, _conv in Formatter().parse(text) if name}


def unwrap(text: str) -> str:
    """`text` stripped, without the pair of isolation marks `_()` put around it: a title
    copied out of an Urdu message. Other marks (a member may type them) are kept."""
    cleaned = text.strip()
    if len(cleaned) >= 2 and cleaned[0] == FSI and cleaned[-1] == PDI:
        return cleaned[1:-1].strip()
    return cleaned


def strip_marks(text: str) -> str:
    """`text` without bidi marks: what a member copied from an Urdu message (a ticket
    code) must still match."""
    return "".join(c for c in text if c not in BIDI_MARKS)
