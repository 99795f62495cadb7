"""Tickets: their codes and QR images (pure), and issuing them in the store.

A code is 8 characters from a 32-character alphabet with no 0/O or 1/I (so it can be read
aloud and typed from a phone screen), shown as `K7QX-9M2P`. Each character comes from
`secrets`, so no code says anything about another: 2^40 possibilities per code.
"""

from __future__ import annotations

import io
import re
import secrets

import segno

from bot.db import SyncConnection
from bot.errors import InvalidInput
from bot.events.models import Ticket
from bot.i18n import _, strip_marks

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# Big modules and a wide quiet zone: read from a phone held at arm's length, even on a
# dim screen. The code is short, so the image stays small (~1 KB).
QR_SCALE = 12
QR_BORDER = 4
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str:
    """What a volunteer typed (any case, with or without the dash or spaces) → `K7QX-9M2P`.
    Bidi marks are dropped: a code copied from an Urdu message carries them."""
    text = strip_marks(text)
    raw = _SEPARATORS.sub("", text.strip()).upper()
    if len(raw) != CODE_LENGTH or any(c not in ALPHABET for c in raw):
        shown = text.strip()[:20]
        raise InvalidInput(
            _(
                "“{code}” is not a ticket code: codes have 8 letters and digits like "
                "K7QM-3XWD (no 0, O, 1 or I).",
                code=shown,
            )
        )
    return f"{raw[:4]}-{raw[4:]}"


def ticket_qr_png(code: str) -> bytes:
    """A PNG QR code holding exactly the code (a reader at the door shows `K7QX-9M2P`)."""
    qr = segno.make(code, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def ticket_filename(event_id: int, code: str) -> str:
    return f"ticket-{event_id}-{code}.png"


# --- issuing them, inside a transaction ---------------------------------------------------
_INSERT_TICKET = (
    "INSERT INTO event_tickets(code, event_id, user_id, issued_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT(code) DO NOTHING"
)
_LIVE_TICKET = (
    "SELECT code, event_id, user_id, issued_at, voided_at, void_reason FROM event_tickets"
    " WHERE event_id = ? AND user_id = ? AND voided_at IS NULL"
)


def issue_ticket(conn: SyncConnection, event_id: int, user_id: int, now: int) -> Ticket:
    """A fresh code for a new seat (a clash of random codes retries). The one way tickets
    are issued: async code inside `db.transaction()` runs it with `db.run_in_transaction`,
    which joins that transaction."""
    while True:
        code = new_code()
        if conn.execute(_INSERT_TICKET, (code, event_id, user_id, now)).rowcount:
            return Ticket(code, event_id, user_id, now)


def live_ticket(conn: SyncConnection, event_id: int, user_id: int, now: int) -> Ticket:
    """The seated member's ticket; seats from before tickets existed get one now."""
    row = conn.execute(_LIVE_TICKET, (event_id, user_id)).fetchone()
    return Ticket(**dict(row)) if row else issue_ticket(conn, event_id, user_id, now)
