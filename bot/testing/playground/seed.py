"""First start of a fresh playground: set GDG Lahore up the way its organizers would,
through the bot's own commands (never SQL), so what the page shows is what the bot
really stored. Takes a few seconds; `python -m bot.testing.playground --fresh` redoes it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.testing import FakeDiscord, FakeDiscordError, InteractionResult
from bot.testing.playground.world import ORGANIZER, OWNER

log = logging.getLogger(__name__)
KARACHI = ZoneInfo("Asia/Karachi")
IO_TITLE = "Google I/O Extended Lahore"
JAM_TITLE = "Build with Gemini: Islamabad Study Jam"


def local_day(now: float, days: int, hour: int) -> str:
    """`YYYY-MM-DD HH:00` in Asia/Karachi, `days` from `now` (as an organizer types it)."""
    day = datetime.fromtimestamp(now, KARACHI) + timedelta(days=days)
    return day.strftime(f"%Y-%m-%d {hour:02d}:00")


class SeedError(RuntimeError):
    """A seeding command was refused: the demo would be wrong, so say which."""


async def run(fake: FakeDiscord, user: str, command: str, **options: Any) -> InteractionResult:
    try:
        result = await fake.slash(user, command, options=options, timeout=20)
        await result.wait_final(20)
    except FakeDiscordError as exc:
        raise SeedError(f"/{command} as {user}: {exc}") from exc
    return result


async def seed(fake: FakeDiscord, now: float) -> None:
    """Every step a new chapter's organizers take, then a few members and mentors."""
    for command, options in [
        ("settings organizer-role", {"role": "Organizer"}),
        ("settings volunteer-role", {"role": "Volunteer"}),
        ("settings organizer-channel", {"channel": "organizers"}),
        ("settings announcements", {"channel": "announcements"}),
        ("settings city-edit", {"name": "Lahore", "channel": "lahore-events"}),
        ("settings city-edit", {"name": "Islamabad", "channel": "islamabad-events"}),
        ("settings mentorship-channel", {"channel": "mentorship"}),
    ]:
        await run(fake, OWNER, command, **options)
    await run(fake, ORGANIZER, "resource import-starter")
    await run(fake, ORGANIZER, "resource autopost", channel="ai-learning", schedule="daily 10:00")
    created = await run(
        fake,
        ORGANIZER,
        "event create",
        title=IO_TITLE,
        city="Lahore",
        starts=local_day(now, 3, 10),
        ends=local_day(now, 3, 17),
        venue="Arfa Software Technology Park",
        capacity=8,
        description=(
            "Watch the Google I/O keynote together, then talks on Gemini, Flutter and "
            "Android from Lahore's own developers. Lunch and swag for everyone who comes."
        ),
        role="I/O Attendee",
        questions="University or company?; What do you build?",
    )
    if "Created" not in created.text:
        raise SeedError(f"the I/O Extended event was not created: {created.text}")
    announcement = await fake.wait_for_message(
        "lahore-events", lambda m: bool(m.embeds) and m.embeds[0].get("title") == IO_TITLE
    )
    for member, place, builds in [
        ("ayesha", "FAST Lahore", "a Gemini study buddy"),
        ("bilal", "Tkxel", "Flutter apps"),
        ("hamza", "Systems Ltd", "dashboards"),
        ("sara", "LUMS", "my first Android app"),
    ]:
        form = await fake.click(member, announcement, label="Going")
        if form.modal is None:
            raise SeedError(f"{member}'s Going did not open the registration form")
        await fake.submit_modal(member, form, {"q0": place, "q1": builds})
    await run(
        fake,
        ORGANIZER,
        "event create",
        title=JAM_TITLE,
        city="Islamabad",
        starts=local_day(now, 10, 18),
        venue="NUST, H-12",
        capacity=30,
        description="Two hours of hands-on prompting and the Gemini API, laptops needed.",
    )
    mentors: list[tuple[str, dict[str, Any]]] = [
        ("nadia", {"topics": "Machine Learning, NLP", "capacity": 2,
                   "languages": "Urdu, English", "levels": "beginner, intermediate",
                   "bio": "ML engineer; happy to start from zero, in Urdu or English."}),
        ("kamran", {"topics": "Deep Learning, MLOps", "capacity": 2, "languages": "English",
                    "bio": "Puts models into production at a Lahore startup."}),
        ("saad", {"topics": "Computer Vision, Python for AI", "capacity": 1,
                  "languages": "Urdu", "city": "Lahore"}),
    ]  # fmt: skip
    for mentor, options in mentors:
        await run(fake, mentor, "mentor join", **options)
    log.info("playground seeded: settings, %s, %s, 3 mentors, starter resources",
             IO_TITLE, JAM_TITLE)  # fmt: skip
