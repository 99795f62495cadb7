"""A suggestion made from a chat message (right-click → Suggest as resource): the first
link in the text, and the text itself as the note for the organizers.

Only the link is taken from the message; everything after that — normalising it,
refusing duplicates and bad links, the member's pending limit — is `Library.suggest`,
exactly as for /resource suggest.
"""

from __future__ import annotations

import re

from bot.errors import InvalidInput
from bot.i18n import N_, _
from bot.resources.records import MAX_NOTE

# A link as people paste it: up to whitespace or what Discord's markdown wraps links in
# (<…> to hide the preview, ||…|| spoilers, `code`); brackets are trimmed after.
_LINK = re.compile(r"https?://[^\s<>\"'`|\[\]{}]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~"  # sentence punctuation and markdown emphasis after a link
NO_LINK = N_("That message has no http:// or https:// link in it, so there is nothing to suggest.")


def first_link(text: str | None) -> str | None:
    """The first http(s) link in `text`, without the punctuation or markdown around it
    (a closing parenthesis is kept when the link opened one, as Wikipedia's do)."""
    for match in _LINK.finditer(text or ""):
        link = match.group(0)
        while link and (
            link[-1] in _TRAILING or (link[-1] == ")" and link.count("(") < link.count(")"))
        ):
            link = link[:-1]
        if link.partition("://")[2]:
            return link
    return None


def suggestion_from_message(text: str | None) -> tuple[str, str | None]:
    """(link, note): the first link, and the message with its whitespace collapsed, cut to
    the note's limit (None when the message is only the link). InvalidInput: no link."""
    link = first_link(text)
    if link is None:
        raise InvalidInput(_(NO_LINK))
    note = " ".join((text or "").replace("\x00", "").split())
    if note.strip("<>|* ") == link:
        return link, None
    return link, note if len(note) <= MAX_NOTE else note[: MAX_NOTE - 1] + "…"
