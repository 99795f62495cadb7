"""The private thread of a match: made once, its intro posted once, even across a crash.

Making the thread is a call to Discord; recording it is a write here. A crash between
the two used to leave a thread nobody knew about, and the next start made another (or
sent the intro by DM beside it). So the steps are recorded as they happen:

1. `begin` writes the intent (`thread_requested_at`) and commits it *before* the call;
2. `record_thread` stores the thread's id as soon as Discord answers;
3. `record_intro` marks the intro done once it is in the thread.

At the next start, a match whose intent is recorded but whose thread is not ('find')
may have a thread already: the cog looks for it by its name, which always starts with
`Mentorship #<match id>:` (in the language it was made in), before making one. A match
with a thread but no intro ('have') gets the intro only if the thread holds no message
from the bot yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot import organizer_notices
from bot.db import Database
from bot.i18n import LANGUAGES, N_, _, in_language, strip_marks
from bot.mentorship.matches import Matches
from bot.mentorship.models import Clock, Match

MAX_NAME = 100  # Discord's limit for a thread name

Step = Literal["done", "create", "find", "have"]


PREFIX = N_("Mentorship #{id}:")  # how every thread name starts


def thread_name(match: Match) -> str:
    """`Mentorship #12: NLP, MLOps` (cut to Discord's 100 characters), in the language
    being spoken."""
    topics = ", ".join(match.topics) or _("mentorship")
    name = f"{_(PREFIX, id=match.id)} {topics}"
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def is_thread_of(name: str, match_id: int) -> bool:
    """Whether a thread's name is the one `thread_name` gives this match (in any of the
    languages: the server's may have changed since)."""
    name = strip_marks(name)
    return any(
        name.startswith(strip_marks(in_language(language, PREFIX, id=match_id)))
        for language in LANGUAGES
    )


@dataclass(frozen=True)
class ThreadPlan:
    step: Step  # done: nothing to do; create: make it; find: look first; have: thread_id
    thread_id: int | None = None


class MatchThreads:
    def __init__(self, db: Database, matches: Matches, clock: Clock) -> None:
        self.db = db
        self.matches = matches
        self.clock = clock

    async def begin(self, match_id: int) -> ThreadPlan:
        """What to do for the match's thread, recording the intent to make one (committed
        before the cog calls Discord)."""
        async with self.db.transaction():
            # Locked: of two processes finishing one match's intro, one makes the thread.
            row = await self.db.fetchone(
                "SELECT status, thread_id, intro_sent_at, thread_requested_at"
                f" FROM mentorship_matches m WHERE id = ?{self.db.lock('m')}",
                (match_id,),
            )
            if row is None or row["status"] != "active" or row["intro_sent_at"] is not None:
                return ThreadPlan("done")
            if row["thread_id"] is not None:
                return ThreadPlan("have", row["thread_id"])
            if row["thread_requested_at"] is not None:
                return ThreadPlan("find")
            await self.db.execute(
                "UPDATE mentorship_matches SET thread_requested_at = ? WHERE id = ?",
                (int(self.clock()), match_id),
            )
        return ThreadPlan("create")

    async def record_thread(self, match_id: int, thread_id: int) -> None:
        """Discord made (or we found) the match's thread."""
        await self.db.execute(
            "UPDATE mentorship_matches SET thread_id = ? WHERE id = ?", (thread_id, match_id)
        )

    async def record_intro(self, match_id: int) -> None:
        """The intro is in the thread: the match needs nothing more at start-up."""
        await self.db.execute(
            "UPDATE mentorship_matches SET intro_sent_at = COALESCE(intro_sent_at, ?) WHERE id = ?",
            (int(self.clock()), match_id),
        )

    async def intro_by_dm(
        self, match_id: int, problem: str | None = None, params: dict[str, Any] | None = None
    ) -> bool:
        """No thread (no channel set, or Discord refused): owe the intro to both by DM, and
        with `problem` tell the organizers why, in the same transaction (`problem`: a
        catalogue message marked with N_, its placeholders filled from `params`, rendered
        in the server's language by organizer_notices.notify)."""
        async with self.db.transaction():
            owed = await self.matches.intro_by_dm(match_id)
            match = await self.matches.get(match_id)
            if problem is not None:
                await organizer_notices.notify(
                    self.db,
                    match.guild_id,
                    problem,
                    params=params,
                    dedupe_key=f"mentorship:thread_failed:{match_id}",
                    now=int(self.clock()),
                )
        return owed
