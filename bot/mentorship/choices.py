"""What `/mentor join`, `/mentee request` and `/mentor list` offer as a member types:
the guild's topics, its mentorship languages, its cities (and Remote) and the levels,
completed by bot/completion.py (the last item of a comma-separated option, without the
ones already chosen). Only offers: the parsers in inputs.py still decide, so a typed
value keeps working and an unknown one is refused with its usual sentence.
"""

from __future__ import annotations

from typing import Literal

from bot import completion
from bot.guilds import GuildSettings
from bot.mentorship.config import MentorshipConfig
from bot.mentorship.matching import REMOTE
from bot.taxonomy import LEVELS, Taxonomy

# What an option holds: a comma-separated list of topics, languages or levels, or one of
# a topic, a language, a city or a level.
ChoiceKind = Literal["topics", "topic", "languages", "language", "city", "levels", "level"]
LISTS: frozenset[ChoiceKind] = frozenset({"topics", "languages", "levels"})


class KnownChoices:
    def __init__(self, guilds: GuildSettings, taxonomy: Taxonomy, config: MentorshipConfig) -> None:
        self.guilds = guilds
        self.taxonomy = taxonomy
        self.config = config

    async def known(self, guild_id: int, kind: ChoiceKind) -> list[str]:
        """The names an option of `kind` accepts here, in the order they are offered."""
        if kind in ("topics", "topic"):
            return await self.taxonomy.topics(guild_id)
        if kind in ("languages", "language"):
            return await self.config.languages(guild_id)
        if kind == "city":
            return [*(c.name for c in await self.guilds.cities(guild_id)), REMOTE]
        return list(LEVELS)

    async def complete(self, guild_id: int, kind: ChoiceKind, text: str) -> list[str]:
        """Up to 25 completions of `text`, each at most 100 characters."""
        known = await self.known(guild_id, kind)
        if kind in LISTS:
            return completion.complete_list(text, known)
        return completion.complete_one(text, known)
