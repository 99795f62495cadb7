"""`in_time` (cogs/_common.py): a click whose decision is still queued after DEFER_AFTER
is deferred, so Discord's 3 s deadline is met and the answer follows; a quick one is
answered directly, never deferred."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cogs import _common
from cogs._common import in_time


class Response:
    def __init__(self) -> None:
        self.deferred: list[dict[str, Any]] = []

    def is_done(self) -> bool:
        return bool(self.deferred)

    async def defer(self, **kwargs: Any) -> None:
        self.deferred.append(kwargs)


class Interaction:
    def __init__(self) -> None:
        self.response = Response()


async def decision(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "seated"


async def test_a_quick_decision_is_not_deferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "DEFER_AFTER", 0.2)
    interaction: Any = Interaction()
    assert await in_time(interaction, decision(0)) == "seated"
    assert interaction.response.deferred == []


async def test_a_queued_decision_is_deferred_then_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_common, "DEFER_AFTER", 0.01)
    interaction: Any = Interaction()
    assert await in_time(interaction, decision(0.1)) == "seated"
    assert interaction.response.deferred == [{"ephemeral": True, "thinking": True}]


async def test_a_refusal_still_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "DEFER_AFTER", 0.01)

    async def refused() -> None:
        await asyncio.sleep(0.05)
        raise ValueError("the event is over")

    interaction: Any = Interaction()
    with pytest.raises(ValueError, match="the event is over"):
        await in_time(interaction, refused())
    assert len(interaction.response.deferred) == 1
