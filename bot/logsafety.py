"""Keep secrets and members' private answers out of the log, at every LOG_LEVEL.

At DEBUG discord.py logs whole gateway payloads (`discord.gateway`) and REST URLs and
bodies (`discord.http`, `discord.webhook`). Those carry:
- interaction tokens, as `"token": "…"` and inside webhook URLs
  (`/webhooks/{app}/{token}`, `/interactions/{id}/{token}/callback`): whoever has one can
  answer as the bot for 15 minutes;
- the bot token, should an `Authorization: Bot …` header ever be printed;
- what members typed: form answers and command options (`"value"`, `"values"`), and the
  text the bot sends them (`"content"`, embed `"description"`), which holds ticket codes.
aiosqlite logs every query's parameters at DEBUG, members' text included, and nothing an
operator needs: it is held at INFO.

`install()` puts a `RedactingFilter` on every root handler (it rewrites the record's
message) and wraps the handler's formatter (tracebacks are formatted after filters run).
Redaction is by pattern, so it also covers text we never saw: a key or URL shape, not a
list of known values (plus the bot token, which is known).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"

# bot/events/tickets.py's ALPHABET (no 0/O, 1/I); copied so logging set-up imports no
# feature package, and tests/unit/test_logsafety.py checks the two agree.
TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

_QUOTED = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_CODE_CHAR = f"[{TICKET_ALPHABET}{TICKET_ALPHABET.lower()}]"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # the token part of interaction/webhook URLs
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?#'\"]+"), rf"\g<1>{REDACTED}"),
    # "token": "…", "value": "…", "values": ["…", …], "content": "…" in JSON or a dict's repr
    (
        re.compile(
            rf"""(["'](?:\w*token|value|values|content|description)["']\s*:\s*)"""
            rf"""(?:{_QUOTED}|\[\s*(?:{_QUOTED}\s*,?\s*)*\])"""
        ),
        rf"\g<1>'{REDACTED}'",
    ),
    # Authorization: Bot … / Bearer …
    (
        re.compile(r"""(?i)(authorization["']?\s*[:=]\s*["']?)(?:bot|bearer)\s+[^\s'"]+"""),
        rf"\g<1>{REDACTED}",
    ),
    # the shape of a Discord bot token (base64 id . timestamp . hmac)
    (re.compile(r"[\w-]{23,}\.[\w-]{6,7}\.[\w-]{27,}"), REDACTED),
    # ticket codes, K7QM-3XWD, in any case (a file name, a message, a volunteer's typing)
    (
        re.compile(rf"(?<![0-9A-Za-z]){_CODE_CHAR}{{4}}-{_CODE_CHAR}{{4}}(?![0-9A-Za-z])"),
        REDACTED,
    ),
]

# Loggers whose DEBUG output is raw data that patterns can't tell apart (query parameters).
QUIETED = ("aiosqlite",)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with tokens, typed values, message text and ticket codes replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (arguments merged in) with secrets redacted."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it itself
            return True
        record.msg, record.args = self.redact(message), None
        return True


class RedactingFormatter(logging.Formatter):
    """Wraps a handler's formatter: redacts the whole line, tracebacks included."""

    def __init__(self, inner: logging.Formatter, redactor: RedactingFilter) -> None:
        super().__init__()
        self.inner = inner
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        # The traceback redacted before the inner formatter embeds it: a JSON line
        # escapes quotes, which the patterns would no longer recognise.
        if record.exc_info and not record.exc_text:
            record.exc_text = self.inner.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        return self.redactor.redact(self.inner.format(record))


def install(
    handlers: Iterable[logging.Handler] | None = None, *, secrets: Iterable[str | None] = ()
) -> RedactingFilter:
    """Redact on `handlers` (default: the root logger's); call after logging is set up."""
    redactor = RedactingFilter(secrets)
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        handler.addFilter(redactor)
        handler.setFormatter(RedactingFormatter(handler.formatter or logging.Formatter(), redactor))
    for name in QUIETED:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
    return redactor
