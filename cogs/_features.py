"""What every feature answers for, and where the bot keeps its features.

Privacy, cleanup and settings don't know the features by name: they loop over
`bot.features`, and each feature (events, resources, mentorship) implements
`Feature`, built once in its package's `setup()` with its collaborators passed in.
Buttons, forms and autocomplete reach their feature's work through the typed lookup
`bot.features.get(EventsFeature)`, which says clearly when the feature isn't loaded,
instead of looking a cog up by its name and getting `Any` back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar, runtime_checkable

import discord

from bot.errors import DomainError
from bot.i18n import _

T = TypeVar("T")
SettingsSection = tuple[str, list[tuple[str, str]]]


class FeatureUnavailable(DomainError):
    """The feature behind a button or command is not loaded."""


@runtime_checkable
class Feature(Protocol):
    """One feature's answers to the questions every feature must answer."""

    name: str  # shown to members ("Events")

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything the feature stores about the member in this guild."""
        ...

    async def delete_member_data(self, guild_id: int, user_id: int) -> list[str]:
        """Forget the member here (inside the caller's transaction); returns lines for
        the member's summary of what was removed."""
        ...

    async def after_member_deleted(self, guild_id: int) -> None:
        """After the delete committed: wake whatever sends what it caused."""
        ...

    async def forget_channel(self, guild_id: int, channel_id: int) -> list[str]:
        """A channel was deleted: clear every reference; returns what was cleared."""
        ...

    async def forget_role(self, guild_id: int, role_id: int) -> list[str]:
        """A role was deleted: clear every reference; returns what was cleared."""
        ...

    async def timezone_changed(self, guild_id: int) -> None:
        """The guild's time zone changed: re-plan what runs at wall-clock times."""
        ...

    async def settings_section(self, guild: discord.Guild) -> SettingsSection:
        """This feature's part of /settings show: (title, [(label, value), …])."""
        ...


class Features:
    """The loaded features, in load order; a feature type maps to its one instance."""

    def __init__(self) -> None:
        self._by_type: dict[type, Feature] = {}

    def add(self, feature: Feature) -> None:
        if not isinstance(feature, Feature):
            raise TypeError(f"{type(feature).__name__} does not implement Feature")
        self._by_type[type(feature)] = feature

    def remove(self, kind: type) -> None:
        self._by_type.pop(kind, None)

    def get(self, kind: type[T]) -> T:
        found = self._by_type.get(kind)
        if found is None:
            raise FeatureUnavailable(
                _("That part of the bot isn't running right now; try again in a minute.")
            )
        return found  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Feature]:
        return iter(list(self._by_type.values()))
