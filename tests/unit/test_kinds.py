"""Outbox kinds are declared once: every kind has exactly one typed payload, rows decode
back into it (old rows too), and the bot won't start with a kind nobody renders."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from bot.kinds import PAYLOADS, RETIRED, Kind, decode
from cogs._delivery import Deliverer

# Every module that declares payloads (importing them registers the classes).
DECLARING = (
    "bot.organizer_notices",
    "bot.events.roles",
    "bot.events.messages",
    "bot.resources.messages",
    "bot.mentorship.messages",
)


@pytest.fixture(autouse=True, scope="module")
def _declared() -> None:
    for name in DECLARING:
        importlib.import_module(name)


def test_every_kind_has_one_payload() -> None:
    assert set(PAYLOADS) == set(Kind), f"kinds without a payload: {set(Kind) - set(PAYLOADS)}"
    assert not RETIRED & {str(k) for k in Kind}


def test_a_row_decodes_into_its_payload_and_unknown_keys_are_ignored() -> None:
    notice = decode("organizer.notice", '{"text": "hello", "from_an_older_version": 1}')
    assert notice is not None and notice.KIND is Kind.ORGANIZER_NOTICE
    assert decode("organizer.notice", "{}") is None  # missing what the payload needs
    assert decode("resource.feed_disabled", '{"text": "retired"}') is None
    assert decode("no.such.kind", "{}") is None


def test_the_deliverer_refuses_to_start_without_a_renderer_for_every_kind() -> None:
    deliverer = Deliverer(SimpleNamespace())  # type: ignore[arg-type]

    async def render(item: object) -> None:
        return None

    for kind in list(Kind)[:-1]:
        deliverer.register(kind, render)
    with pytest.raises(RuntimeError, match=str(list(Kind)[-1])):
        deliverer.check_renderers()
    deliverer.register(list(Kind)[-1], render)
    deliverer.check_renderers()
