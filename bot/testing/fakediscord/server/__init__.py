"""``FakeDiscord``: the fake's server plus the helpers tests drive it with.

One class composed of parts, each a mixin over :class:`~.core.FakeCore` (the shared state,
change notification and interaction delivery):

- :mod:`.server`: ``FakeDiscord`` itself: lifecycle, URLs and env, attachments, waiters,
  gateway faults
- :mod:`.reading`: reading state and records, ``assert_clean``
- :mod:`.commands`: ``slash``, ``autocomplete``
- :mod:`.components`: ``click``, ``select``
- :mod:`.modals`: ``submit_modal``
- :mod:`.changes`: channels, roles, members and messages changed and announced on the gateway
"""

from __future__ import annotations

from .core import ChannelRef, UserRef
from .server import FakeDiscord

__all__ = ["ChannelRef", "FakeDiscord", "UserRef"]
