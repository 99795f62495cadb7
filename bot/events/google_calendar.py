"""The "Add to Google Calendar" link of an announcement: Google's event template URL,
which needs no server of ours.

Discord refuses a link button whose URL is over 512 characters, and a title of emoji or
Urdu grows up to twelve-fold once percent-encoded, so every part is fitted to what is
left: the dates and the title first, then the place, then the details (the description
and the announcement's link), each cut with an ellipsis where needed. The online link is
never in it: the button is on the public announcement.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from bot.events.models import Event
from bot.i18n import _

BASE = "https://calendar.google.com/calendar/render?action=TEMPLATE"
MAX_URL = 512  # Discord's limit on a link button's URL
MAX_TITLE_PART = 240  # encoded characters: a long title still leaves room for the place
MAX_LOCATION_PART = 120
ELLIPSIS = "…"


def _encoded(text: str) -> str:
    return quote(text, safe="")


def _fit(text: str, room: int) -> str:
    """`text` encoded, or its longest prefix (with an ellipsis) that fits in `room`
    encoded characters; "" when not even the ellipsis fits."""
    whole = _encoded(text)
    if len(whole) <= room:
        return whole
    low, high = 0, len(text)  # a prefix of `low` characters fits; one of `high` doesn't
    while high - low > 1:
        mid = (low + high) // 2
        if len(_encoded(text[:mid].rstrip() + ELLIPSIS)) <= room:
            low = mid
        else:
            high = mid
    cut = text[:low].rstrip() + ELLIPSIS
    return _encoded(cut) if len(_encoded(cut)) <= room else ""


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(event: Event, announcement: str | None = None) -> str:
    """The template link for `event`, at most MAX_URL characters; `announcement` (the
    Discord link of the announcement) ends the details when there is room."""
    url = f"{BASE}&dates={_stamp(event.starts)}/{_stamp(event.ends)}"

    def room(cap: int, name: str) -> int:
        return min(cap, MAX_URL - len(url) - len(f"&{name}="))

    title = _fit(event.title, room(MAX_TITLE_PART, "text"))
    if title:
        url += f"&text={title}"
    location = _fit(event.location, room(MAX_LOCATION_PART, "location"))
    if location:
        url += f"&location={location}"
    details = _details(event, announcement, room(MAX_URL, "details"))
    if details:
        url += f"&details={details}"
    return url


def _details(event: Event, announcement: str | None, room: int) -> str:
    """The description, then the announcement's link (kept whole: a cut link is useless,
    so the description is cut first, and the link left out if even alone it can't fit)."""
    tail = "\n\n" + _("RSVP in Discord: {link}", link=announcement) if announcement else ""
    description = (event.description or "").strip()
    if not tail:
        return _fit(description, room)
    tail_encoded = _encoded(tail if description else tail.lstrip())
    if len(tail_encoded) > room:
        return _fit(description, room)
    if not description:
        return tail_encoded
    head = _fit(description, room - len(tail_encoded))
    return head + tail_encoded if head else _encoded(tail.lstrip())
