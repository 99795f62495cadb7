"""LOG_FORMAT=json: one JSON object per line, for hosts that collect logs.

Fields: time (ISO 8601, UTC), level, logger, message and, when there is one, exception
(the traceback's text). bot/logsafety.py wraps this formatter like any other, and redacts
the message and the traceback before they are put into JSON.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def use_json(handlers: list[logging.Handler]) -> None:
    """Every one of `handlers` writes JSON lines (call before logsafety.install)."""
    for handler in handlers:
        handler.setFormatter(JsonFormatter())
