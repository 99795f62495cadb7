"""Log redaction: interaction and bot tokens, typed values, message text and ticket codes
never reach a log line, in discord.py's payload shapes (dict reprs, JSON, URLs); and the
error handler logs where an error happened, never a form's answers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot import logsafety
from bot.events import tickets
from bot.logsafety import REDACTED, redact
from cogs._common import send_error

TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmZha2U6dG9rZW4"
BOT_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789"


def test_ticket_alphabet_matches_the_tickets_module() -> None:
    assert logsafety.TICKET_ALPHABET == tickets.ALPHABET


@pytest.mark.parametrize(
    "url",
    [
        f"POST https://discord.com/api/v10/interactions/1234567890/{TOKEN}/callback",
        f"PATCH https://discord.com/api/v10/webhooks/9000/{TOKEN}/messages/@original",
        f"Webhook ID 9000 with POST http://127.0.0.1:5/api/v10/webhooks/9000/{TOKEN}?wait=1",
    ],
)
def test_interaction_tokens_in_urls(url: str) -> None:
    out = redact(url)
    assert TOKEN not in out and REDACTED in out
    assert "1234567890" in out or "9000" in out  # the ids stay: they help debugging


def test_tokens_in_gateway_payloads_and_json() -> None:
    payload = {"t": "INTERACTION_CREATE", "d": {"id": "1", "token": TOKEN, "type": 2}}
    for text in (repr(payload), json.dumps(payload), json.dumps(payload, indent=2)):
        out = redact(text)
        assert TOKEN not in out and "INTERACTION_CREATE" in out


def test_bot_token_as_header_shape_and_known_secret() -> None:
    assert BOT_TOKEN not in redact(f"{{'Authorization': 'Bot {BOT_TOKEN}'}}")
    assert BOT_TOKEN not in redact(f"token is {BOT_TOKEN} here")
    assert "plain-secret" not in redact("x plain-secret y", ["plain-secret"])


def test_form_answers_options_and_select_values() -> None:
    modal = {
        "type": 5,
        "data": {
            "custom_id": "form:rsvp:v1:7:123",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "q0", "value": "NUST"}]},
                {"type": 1, "components": [{"custom_id": "q1", "value": 'O\'Brien "Q" ]x'}]},
            ],
        },
    }
    select = {"data": {"custom_id": "pick", "values": ["alpha-choice", "beta]choice"]}}
    option = {"options": [{"name": "goal", "type": 3, "value": "Fine-tune a Urdu model"}]}
    for text in (repr(modal), json.dumps(modal), repr(select), json.dumps(select), repr(option)):
        out = redact(text)
        for secret in ("NUST", "O'Brien", "Brien", "alpha-choice", "beta]choice", "Urdu model"):
            assert secret not in out, (secret, out)
    assert "form:rsvp:v1:7:123" in redact(repr(modal))  # where it came from stays


def test_message_text_and_embeds_the_bot_sends() -> None:
    body = json.dumps(
        {
            "content": "Your ticket: **K7QM-3XWD**",
            "embeds": [{"title": "Stats", "description": "answers: NUST", "fields": []}],
        }
    )
    out = redact(f"POST /channels/5/messages with {body} has returned 200")
    assert "K7QM" not in out and "NUST" not in out and "Stats" in out


@pytest.mark.parametrize(
    "text",
    [
        "checked in K7QM-3XWD at the door",
        "ticket-12-K7QM-3XWD.png",
        "code=k7qm-3xwd",
        "(K7QM-3XWD)",
    ],
)
def test_ticket_codes_anywhere(text: str) -> None:
    out = redact(text)
    assert "K7QM" not in out.upper() and "3XWD" not in out.upper()


def test_ordinary_lines_are_left_alone() -> None:
    for line in (
        "Shard ID None has connected to Gateway (Session ID: 4f2c9d).",
        "GUILD_CREATE for guild 1000 with 12 members",
        "database opened at data/bot.sqlite3",
        "rsvp:v1:42 clicked; 2026-07-26 10:00 (Asia/Karachi)",
        "{'custom_id': 'q0', 'type': 4, 'value': 5}",  # a number is no one's secret
    ):
        assert redact(line) == line


@pytest.fixture(autouse=True)
def restore_levels() -> Iterator[None]:
    """install() quiets aiosqlite for the process; undo it after each test."""
    root, quieted = logging.getLogger(), logging.getLogger("aiosqlite")
    levels = root.level, quieted.level
    yield
    root.setLevel(levels[0])
    quieted.setLevel(levels[1])


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing through a handler with redaction installed, as bot.__main__ does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logsafety.install([handler], secrets=["known-bot-token"])
    logger = logging.getLogger("test.logsafety")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_filter_redacts_arguments_and_tracebacks(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    payload = {"token": TOKEN, "data": {"components": [{"value": "heron-7319"}]}}
    logger.debug("For Shard ID %s: WebSocket Event: %s", None, payload)
    logger.debug("%s %s with %s has returned %s", "POST", f"/webhooks/1/{TOKEN}", None, 200)
    try:
        raise RuntimeError(f"failed POST /interactions/1/{TOKEN}/callback (K7QM-3XWD)")
    except RuntimeError:
        logger.exception("Ignoring exception, bot token known-bot-token")
    out = stream.getvalue()
    for secret in (TOKEN, "heron-7319", "K7QM-3XWD", "known-bot-token"):
        assert secret not in out, secret
    assert "WebSocket Event" in out and "Traceback" in out and "RuntimeError" in out


def test_query_parameters_are_not_logged_at_debug() -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    logsafety.install([logging.NullHandler()])
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("discord.gateway").isEnabledFor(logging.DEBUG)  # redacted instead


class _Response:
    def is_done(self) -> bool:
        return False

    async def send_message(self, *args: Any, **kwargs: Any) -> None:
        self.sent = (args, kwargs)


async def test_error_handler_logs_where_not_what_a_form_held(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the shape discord.py gives a modal submission: no command, the answers in .data
    interaction: Any = SimpleNamespace(
        command=None,
        type=discord.InteractionType.modal_submit,
        data={
            "custom_id": "form:rsvp:v1:7:123",
            "components": [{"type": 1, "components": [{"custom_id": "q0", "value": "NUST"}]}],
        },
        guild_id=1000,
        user=SimpleNamespace(id=42),
        response=_Response(),
    )
    with caplog.at_level(logging.ERROR, logger="cogs._common"):
        await send_error(interaction, RuntimeError("a bug"))
    (record,) = caplog.records
    message = record.getMessage()
    assert "NUST" not in message and "components" not in message
    assert "form:rsvp:v1:7:123" in message and "modal_submit" in message
    assert record.exc_info is not None
