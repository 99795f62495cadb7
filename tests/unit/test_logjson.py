"""LOG_FORMAT=json: one JSON object per line, redacted like the text log, tracebacks too."""

from __future__ import annotations

import io
import json
import logging

from bot import logsafety
from bot.logjson import use_json


def test_json_lines_are_redacted_tracebacks_included() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    use_json([handler])
    logsafety.install([handler], secrets=["the-bot-token"])
    logger = logging.getLogger("test.logjson")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sent %s", '{"content": "K7QM-3XWD"}')
        try:
            raise ValueError('payload {"token": "abc"} with the-bot-token')
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["level"] for r in lines] == ["WARNING", "ERROR"]
    assert lines[0]["logger"] == "test.logjson" and lines[0]["time"].endswith("+00:00")
    assert "K7QM-3XWD" not in lines[0]["message"]
    assert "ValueError" in lines[1]["exception"]
    assert "abc" not in lines[1]["exception"] and "the-bot-token" not in lines[1]["exception"]
