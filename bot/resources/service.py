"""The library's front: one object built with the store and the clock, holding the parts
that each own one job. Callers reach the part they need (`resources.review.approve(…)`):

- `taxonomy`  the guild's topics and the three levels (bot/taxonomy.py, shared);
- `library`   adding, suggesting, removing, the starter catalogue (library.py);
- `review`    the queue of suggestions and the organizers' decisions (review.py);
- `finder`    search, browsing, autocomplete, resolving what a member typed (finder.py);
- `progress`  done marks, progress per topic, `next` (progress.py).

Autoposts and feeds have fronts of their own (bot/resources/autopost/, feeds/). The
member's data (export and delete, for bot/privacy.py) covers every resources table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.db import Database
from bot.resources import member_data
from bot.resources.finder import Finder
from bot.resources.library import Library
from bot.resources.progress import Progress
from bot.resources.review import ReviewQueue
from bot.taxonomy import Taxonomy


class ResourceService:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.taxonomy = Taxonomy(db, clock)
        self.library = Library(db, self.taxonomy, clock)
        self.review = ReviewQueue(db, self.library, self.taxonomy, clock)
        self.finder = Finder(db, self.library, self.taxonomy)
        self.progress = Progress(db, self.library, self.taxonomy, clock)

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """See bot/resources/member_data.py."""
        return await member_data.export_member_data(self.db, guild_id, user_id)

    async def delete_member_data(self, guild_id: int, user_id: int) -> dict[str, int]:
        """See bot/resources/member_data.py."""
        return await member_data.delete_member_data(self.db, guild_id, user_id)
