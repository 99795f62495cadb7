"""Every mentorship outbox kind has a typed payload (bot/mentorship/messages.py), and a row
queued by the version before payloads were typed still decodes to it."""

from __future__ import annotations

import json

import pytest

from bot.kinds import PAYLOADS, Kind, decode
from bot.mentorship import messages

# Rows as the untyped version wrote them: (kind, payload JSON).
OLD_ROWS = [
    ("mentorship.proposal", {"proposal_id": 7, "role": "mentor"}),
    (
        "mentorship.rerouted",
        {"request_id": 3, "previous_proposal_id": 7, "reason": "declined", "proposal_id": 8},
    ),
    ("mentorship.no_mentor", {"request_id": 3, "previous_proposal_id": 8, "reason": "expired"}),
    ("mentorship.declined", {"proposal_id": 7}),
    ("mentorship.expired", {"proposal_id": 7}),
    ("mentorship.withdrawn", {"proposal_id": 7, "reason": "member_left"}),
    ("mentorship.matched", {"match_id": 5, "role": "mentee"}),
    ("mentorship.ended", {"match_id": 5, "role": "mentor", "reason": "data_deleted"}),
    ("mentorship.checkin", {"match_id": 5, "role": "mentee"}),
]


def test_every_mentorship_kind_has_a_payload_here() -> None:
    mine = {k for k in Kind if k.value.startswith("mentorship.")}
    assert mine == {Kind(kind) for kind, _ in OLD_ROWS}
    assert all(PAYLOADS[k].__module__ == messages.__name__ for k in mine)


@pytest.mark.parametrize(("kind", "stored"), OLD_ROWS, ids=[k for k, _ in OLD_ROWS])
def test_old_rows_decode_and_read_back_the_same(kind: str, stored: dict[str, object]) -> None:
    message = decode(kind, json.dumps(stored))
    assert message is not None and message.KIND == kind
    assert json.loads(message.to_json()) == stored


def test_dedupe_keys() -> None:
    assert messages.key("proposal", 12, "mentor") == "mentorship:proposal:12:mentor"
    assert messages.key("checkin", 5, "") == "mentorship:checkin:5:"
