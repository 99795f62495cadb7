"""The fake REST API (``/api/v10/...``): routes, request recording, limits, faults.

One module per resource, each a mixin of ``@route`` handlers; :class:`Rest` composes them:

- :mod:`.routing`: the route table, dispatch (recording, faults, rate limits, auth, body
  reading, responses) and the lookups and permission checks shared by all resources
- :mod:`.records`, :mod:`.faults`: what is recorded, the error shape, fault and rate-limit rules
- :mod:`.compose`: building and editing messages from a payload (limits, flags, attachments)
- :mod:`.users`, :mod:`.commands`, :mod:`.channels`, :mod:`.messages`, :mod:`.guilds`,
  :mod:`.threads`, :mod:`.scheduled_events`, :mod:`.callbacks`, :mod:`.webhooks`: the routes
"""

from __future__ import annotations

from .callbacks import CallbackRoutes
from .channels import ChannelRoutes
from .commands import CommandRoutes
from .faults import FaultRule, Faults, RateLimited, RateLimitRule, discord_like_rate_limits
from .guilds import GuildRoutes
from .messages import MessageRoutes
from .records import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    ApiError,
    LimitViolation,
    RecordedRequest,
    UnknownRoute,
    UploadedFile,
    unknown,
)
from .routing import API_PREFIX, ID, ROUTES, TOKEN, RestBase, route
from .scheduled_events import ScheduledEventRoutes
from .threads import ThreadRoutes
from .users import UserRoutes
from .webhooks import WebhookRoutes


class Rest(
    UserRoutes,
    CommandRoutes,
    ChannelRoutes,
    MessageRoutes,
    GuildRoutes,
    ThreadRoutes,
    ScheduledEventRoutes,
    CallbackRoutes,
    WebhookRoutes,
):
    """The fake's REST API: ``handle`` (from :class:`RestBase`) plus every resource's routes."""


__all__ = [
    "API_PREFIX",
    "ID",
    "MISSING_ACCESS",
    "MISSING_PERMISSIONS",
    "ROUTES",
    "TOKEN",
    "ApiError",
    "FaultRule",
    "Faults",
    "LimitViolation",
    "RateLimitRule",
    "RateLimited",
    "RecordedRequest",
    "Rest",
    "RestBase",
    "UnknownRoute",
    "UploadedFile",
    "discord_like_rate_limits",
    "route",
    "unknown",
]
