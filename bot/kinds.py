"""Every kind of thing the outbox can owe, declared once, each with the shape of its
payload.

A kind used to be a bare string written on both sides (the service that enqueues and
the cog that renders), so a typo showed up only as "no renderer" at run time. Now:

- `Kind` lists them all;
- each feature declares its payloads as frozen dataclasses with `@payload(Kind.X)`
  (bot/<feature>/messages.py), so the service builds a typed value and the renderer
  reads one back (`item.message`);
- at start-up the deliverer refuses to start unless every kind has a renderer
  (cogs/_delivery.py), and a test checks every kind has a payload.

Rows written before a payload's shape changed still decode: unknown keys are ignored;
a row missing a key the shape needs decodes to None (logged); its renderer then fails
it like any broken message (retried, then marked failed).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

log = logging.getLogger(__name__)


class Kind(StrEnum):
    ORGANIZER_NOTICE = "organizer.notice"
    ROLE_SYNC = "role.sync"
    EVENT_PROMOTED = "event.promoted"
    EVENT_CHANGED = "event.changed"
    EVENT_CANCELLED = "event.cancelled"
    EVENT_REMINDER = "event.reminder"
    EVENT_REMINDER_POST = "event.reminder.channel"
    EVENT_FEEDBACK_REQUEST = "event.feedback_request"
    RESOURCE_SUGGESTION_APPROVED = "resource.suggestion_approved"
    RESOURCE_SUGGESTION_REJECTED = "resource.suggestion_rejected"
    RESOURCE_AUTOPOST = "resource.autopost"
    RESOURCE_FEED_ENTRY = "resource.feed_entry"
    MENTORSHIP_PROPOSAL = "mentorship.proposal"
    MENTORSHIP_REROUTED = "mentorship.rerouted"
    MENTORSHIP_NO_MENTOR = "mentorship.no_mentor"
    MENTORSHIP_DECLINED = "mentorship.declined"
    MENTORSHIP_EXPIRED = "mentorship.expired"
    MENTORSHIP_WITHDRAWN = "mentorship.withdrawn"
    MENTORSHIP_MATCHED = "mentorship.matched"
    MENTORSHIP_ENDED = "mentorship.ended"
    MENTORSHIP_CHECKIN = "mentorship.checkin"


# Kinds older versions wrote that nothing renders any more (a row still queued from
# before an upgrade is dropped, not sent).
RETIRED = frozenset({"resource.feed_disabled", "resource.autopost_paused"})


class Payload:
    """Base of every kind's payload (a frozen dataclass); `KIND` is set by @payload."""

    KIND: ClassVar[Kind]

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))  # type: ignore[call-overload]


P = TypeVar("P", bound=type[Payload])
PAYLOADS: dict[Kind, type[Payload]] = {}


def payload(kind: Kind) -> Callable[[P], P]:
    """Class decorator: this dataclass is the payload of `kind` (one per kind)."""

    def register(cls: P) -> P:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__}: a payload is a dataclass")
        if kind in PAYLOADS and PAYLOADS[kind] is not cls:
            raise TypeError(f"{kind} already has the payload {PAYLOADS[kind].__name__}")
        cls.KIND = kind
        PAYLOADS[kind] = cls
        return cls

    return register


def decode(kind: str, raw: str) -> Payload | None:
    """The stored payload as its dataclass; None for a retired or unknown kind, or a row
    that lacks something the payload needs."""
    cls = PAYLOADS.get(Kind(kind)) if kind in Kind._value2member_map_ else None
    if cls is None:
        return None
    data: dict[str, Any] = json.loads(raw or "{}")
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    try:
        return cls(**{k: v for k, v in data.items() if k in names})
    except TypeError as exc:
        log.warning("outbox payload of kind %s can't be read (%s): skipped", kind, exc)
        return None
