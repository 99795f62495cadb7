"""The events' outbox payloads: typed, one per kind, and rows written before they were
typed (plain JSON with the same keys) still decode."""

from __future__ import annotations

import json

import pytest

from bot.events import (
    EventCancelled,
    EventChanged,
    EventPromoted,
    EventReminder,
    EventReminderPost,
    FeedbackRequested,
)
from bot.kinds import PAYLOADS, Kind, Payload, decode

OLD_ROWS = [
    (
        "event.promoted",
        '{"event_id": 3, "seat": 2, "code": "K7QX-9M2P"}',
        EventPromoted(3, 2, "K7QX-9M2P"),
    ),
    (
        "event.changed",
        '{"event_id": 3, "changes": ["starts_at", "venue"], "old_starts_at": 10,'
        ' "new_starts_at": 20, "old_ends_at": 30, "new_ends_at": 40, "old_venue": "Hall A",'
        ' "new_venue": null}',
        EventChanged(3, ("starts_at", "venue"), 10, 20, 30, 40, "Hall A", None),
    ),
    (
        "event.cancelled",
        '{"event_id": 3, "reason": "Venue flooded", "status": "waitlist"}',
        EventCancelled(3, "Venue flooded", "waitlist"),
    ),
    (
        "event.reminder",
        '{"event_id": 3, "offset_seconds": 3600, "starts_at": 99}',
        EventReminder(3, 3600, 99),
    ),
    (
        "event.reminder.channel",
        '{"event_id": 3, "offset_seconds": 3600, "starts_at": 99, "role_id": 600}',
        EventReminderPost(3, 3600, 99, 600),
    ),
    ("event.feedback_request", '{"event_id": 3}', FeedbackRequested(3)),
]


@pytest.mark.parametrize(("kind", "raw", "typed"), OLD_ROWS, ids=[r[0] for r in OLD_ROWS])
def test_rows_written_before_the_payloads_were_typed_still_decode(
    kind: str, raw: str, typed: Payload
) -> None:
    assert decode(kind, raw) == typed
    assert typed.KIND == kind
    assert json.loads(typed.to_json()) == json.loads(raw)  # and new rows read the same


def test_every_event_kind_has_its_payload() -> None:
    events = {k for k in Kind if k.value.startswith("event.")}
    assert events == {r[2].KIND for r in OLD_ROWS}
    assert events <= PAYLOADS.keys()
