"""The rule for roles the bot hands out (bot/roles.py), one reason at a time."""

from __future__ import annotations

import dataclasses

import pytest

from bot.roles import ELEVATED_PERMISSIONS, RoleFacts, role_refusal

SAFE = RoleFacts(
    name="Attendee",
    is_everyone=False,
    managed=False,
    permissions=(1 << 10) | (1 << 11),  # View Channel, Send Messages
    at_or_above_bot=False,
    at_or_above_invoker=False,
    invoker_is_owner=False,
)


def test_an_ordinary_role_below_both_is_fine() -> None:
    assert role_refusal(SAFE) is None


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"is_everyone": True, "name": "@everyone"}, "every member already has it"),
        ({"managed": True}, "belongs to a bot or an integration"),
        ({"permissions": 1 << 3}, "(Administrator)"),
        ({"permissions": (1 << 1) | (1 << 2)}, "(Kick Members, Ban Members)"),
        ({"permissions": 1 << 17}, "Mention @everyone"),
        ({"permissions": 1 << 33}, "Manage Events"),
        ({"at_or_above_bot": True}, "at or above my own top role"),
        ({"at_or_above_invoker": True}, "at or above your own top role"),
    ],
)
def test_each_way_to_hand_out_power_is_refused(change: dict[str, object], says: str) -> None:
    reason = role_refusal(dataclasses.replace(SAFE, **change))  # type: ignore[arg-type]
    assert reason is not None and says in reason


def test_the_owner_may_pick_a_role_above_their_own_but_not_above_the_bots() -> None:
    owner = dataclasses.replace(SAFE, at_or_above_invoker=True, invoker_is_owner=True)
    assert role_refusal(owner) is None
    assert "my own top role" in (
        role_refusal(dataclasses.replace(owner, at_or_above_bot=True)) or ""
    )


def test_every_elevated_permission_is_named() -> None:
    for bit, name in ELEVATED_PERMISSIONS.items():
        assert name in (role_refusal(dataclasses.replace(SAFE, permissions=bit)) or "")
