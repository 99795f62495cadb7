"""The library's values and the small rules its parts share.

A `Resource` is one row of `resources` (approved, or a suggestion waiting or declined);
`TopicProgress`, `NextPick` and `ImportResult` are what progress, `next` and the starter
import answer. The helpers here clean member text, name a resource in a message and
check paging, so the library, review, finder and progress parts say these the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.i18n import N_, _
from bot.sql import Row

MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_NOTE = 500
MAX_PER_PAGE = 25
# Open suggestions one member may have waiting at a time (keeps the queue reviewable).
MAX_PENDING_PER_MEMBER = 10

COLUMNS = (
    "id, guild_id, url, url_canonical, title, description, topic, level, status, suggested_by,"
    " added_by, note, created_at, reviewed_by, reviewed_at, approved_at"
)
# The same columns for a query that calls the table `r`.
R_COLUMNS = ", ".join(f"r.{c.strip()}" for c in COLUMNS.split(","))


@dataclass(frozen=True)
class Resource:
    id: int
    guild_id: int
    url: str
    url_canonical: str
    title: str
    description: str
    topic: str | None  # None only while pending
    level: str | None  # None only while pending
    status: str  # 'approved' | 'pending' | 'rejected'
    suggested_by: int | None
    added_by: int | None
    note: str | None
    created_at: int
    reviewed_by: int | None
    reviewed_at: int | None
    approved_at: int | None


@dataclass(frozen=True)
class TopicProgress:
    topic: str
    done: int
    total: int


@dataclass(frozen=True)
class NextPick:
    resource: Resource | None  # None: nothing left at these levels in this topic
    topic: str | None  # the topic looked in (None = every topic: nothing done yet)
    level: str  # the member's level
    levels: tuple[str, ...]  # the levels looked at: the member's and one above


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int  # already in the library (or suggested, or declined before)
    total: int


def resource_of(row: Row) -> Resource:
    return Resource(**{k: row[k] for k in Resource.__dataclass_fields__})


# What clean_text says when a text is too long, one whole sentence per field.
TITLE_TOO_LONG = N_("The title can be at most {limit} characters (it has {length}).")
DESCRIPTION_TOO_LONG = N_("The description can be at most {limit} characters (it has {length}).")
NOTE_TOO_LONG = N_("The note can be at most {limit} characters (it has {length}).")
REASON_TOO_LONG = N_("The reason can be at most {limit} characters (it has {length}).")


def clean_text(value: str | None, limit: int, too_long: str) -> str:
    """Whitespace collapsed, NUL characters dropped (PostgreSQL's text can't hold them);
    InvalidInput (`too_long`, a catalogue message with {limit} and {length}) when
    longer than `limit`."""
    cleaned = " ".join((value or "").replace("\x00", "").split())
    if len(cleaned) > limit:
        raise InvalidInput(_(too_long, limit=limit, length=len(cleaned)))
    return cleaned


def check_page(page: int, per_page: int) -> None:
    if page < 0:
        raise InvalidInput(_("Pages are counted from 0."))
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(_("A page shows 1 to {limit} resources.", limit=MAX_PER_PAGE))


def title_from_url(url: str) -> str:
    """A suggestion's title when the member gave none: the link without scheme and query."""
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return rest.removeprefix("www.")[:MAX_TITLE] or url[:MAX_TITLE]


def named(resource: Resource) -> str:
    """How a message names a resource: “Title” (#id)."""
    return f"“{resource.title}” (#{resource.id})"


def is_id(text: str) -> bool:
    """Whether what a member typed (without a leading #) is a row id; a longer number
    fits no column."""
    return text.isdecimal() and len(text) <= 18
