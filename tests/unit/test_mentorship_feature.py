"""MentorshipFeature (cogs/mentorship/_feature.py): found by type in the feature registry,
its button work arms the timers of what it decided, and its answers to the Feature
protocol (member data inside the caller's transaction, channels, roles, time zone,
settings)."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from bot import privacy
from bot.db import Database
from bot.guilds import GuildSettings
from bot.mentorship import Match, MentorshipService
from bot.scheduler import Scheduler
from bot.taxonomy import Taxonomy
from cogs._features import Feature, Features, FeatureUnavailable
from cogs.mentorship._feature import MentorshipFeature
from cogs.mentorship._timers import MentorshipTimers, expiry_job, round_job
from cogs.mentorship._views import FeedbackModal

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 640
A, B = 1, 2
M1 = 11
CHANNEL = 7200
DAY = 86400


class Introductions:
    """Stands in for the Discord side of introductions: records who was introduced."""

    def __init__(self, service: MentorshipService | None = None) -> None:
        self.service = service
        self.introduced: list[int] = []

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    async def introduce(self, match: Match) -> None:
        self.introduced.append(match.id)

    async def introduce_missing(self, guild_id: int | None = None) -> int:
        """The pairs without their intro yet (the real one marks them done: once each)."""
        assert self.service is not None
        missing = await self.service.matches.missing_intro(guild_id)
        new = [m for m in missing if m.id not in self.introduced]
        for match in new:
            await self.introduce(match)
        return len(new)


class Response:
    def __init__(self) -> None:
        self.sent: list[str | None] = []

    def is_done(self) -> bool:
        return bool(self.sent)

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append(content)


def clicked_by(user_id: int) -> Any:
    """A button click or form in a DM (no guild), as the feature reads it."""
    return SimpleNamespace(
        user=SimpleNamespace(id=user_id), guild_id=None, guild=None, response=Response()
    )


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    clock.set(int(time.time()) + 30 * DAY)  # the timers' jobs lie ahead: none fires
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


@pytest.fixture
async def scheduler() -> AsyncIterator[Scheduler]:
    running = Scheduler()
    running.start()
    yield running
    running.shutdown()


@pytest.fixture
def introductions(ms: MentorshipService) -> Introductions:
    return Introductions(ms)


@pytest.fixture
async def feature(
    ms: MentorshipService, scheduler: Scheduler, introductions: Introductions
) -> AsyncIterator[MentorshipFeature]:
    def wake() -> None:  # the deliverer's kick
        pass

    stand_in: Any = introductions
    built = MentorshipFeature(ms, stand_in, MentorshipTimers(scheduler, ms, wake), wake)
    await built.start()
    yield built
    built.stop()


async def proposed(ms: MentorshipService) -> int:
    await ms.mentors.join(G, A, topics="NLP", capacity=1, languages="Urdu")
    await ms.mentors.join(G, B, topics="NLP", capacity=1)
    await ms.requests.ask(G, M1, topics="NLP", language="Urdu", goal="A private goal")
    (pid,) = (await ms.rounds.run(G)).proposal_ids
    return pid


def test_the_registry_finds_it_by_type_and_says_when_it_is_not_loaded() -> None:
    features = Features()
    with pytest.raises(FeatureUnavailable):
        features.get(MentorshipFeature)
    stub: Any = SimpleNamespace()
    feature = MentorshipFeature(stub, stub, stub, lambda: None)
    assert isinstance(feature, Feature) and feature.name == "Mentorship"
    features.add(feature)
    assert features.get(MentorshipFeature) is feature


async def test_answers_reply_introduce_and_arm_the_next_expiry(
    feature: MentorshipFeature,
    ms: MentorshipService,
    scheduler: Scheduler,
    introductions: Introductions,
) -> None:
    pid = await proposed(ms)
    declined = clicked_by(A)
    await feature.answer_proposal(declined, pid, accept=False)
    assert declined.response.sent == [
        "Declined. Thanks for letting me know; I've found another option."
    ]
    (rerouted,) = await ms.proposals.expiries(G)  # to B, armed at once
    assert scheduler.has(expiry_job(rerouted.id))
    for user in (B, M1):
        await feature.answer_proposal(clicked_by(user), rerouted.id, accept=True)
    (match,) = await ms.matches.active(G, M1)
    assert introductions.introduced == [match.id]
    checkin = clicked_by(M1)
    await feature.answer_checkin(checkin, match.id, "need_help")
    assert checkin.response.sent == ["Thanks: the organizers are told and will reach out."]
    await ms.matches.end(G, match.id, M1)
    form = re.fullmatch(FeedbackModal.TEMPLATE, f"mfeedback:v2:{match.id}")
    assert form is not None
    thanks = clicked_by(M1)
    await feature.submit_feedback(thanks, form, {"rating": "4", "comment": "Helpful"})
    assert thanks.response.sent == [
        f"Mentorship #{match.id} has ended. Thank you for the feedback!"
    ]
    assert await ms.feedback.given(match.id, M1)


async def test_member_data_is_deleted_in_the_callers_transaction(
    feature: MentorshipFeature, ms: MentorshipService, db: Database, scheduler: Scheduler
) -> None:
    pid = await proposed(ms)
    exported = await feature.export_member_data(G, A)
    assert [p["user_id"] for p in exported["mentor_profiles"]] == [A]
    # bot/privacy.py deletes every feature's data in one transaction: all or nothing.
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await feature.delete_member_data(G, A)
            raise RuntimeError("another feature failed")
    assert (await ms.proposals.get(pid)).status == "pending"
    gone = await privacy.delete_member(db, {"mentorship": feature}, G, A)
    assert gone["mentorship"] == [
        "• mentorship: your mentor profile, 0 request(s), 0 check-in(s), 0 exclusion(s); "
        "0 mentorship(s) ended (the other side is told)"
    ]
    (rerouted,) = await ms.proposals.expiries(G)  # M1's request went on to B
    assert not scheduler.has(expiry_job(rerouted.id))
    await feature.after_member_deleted(G)
    assert scheduler.has(expiry_job(rerouted.id))


async def test_channels_roles_time_zone_and_settings(
    feature: MentorshipFeature,
    ms: MentorshipService,
    guilds: GuildSettings,
    scheduler: Scheduler,
) -> None:
    await ms.config.set_channel(G, CHANNEL)
    assert await feature.forget_role(G, CHANNEL) == []
    assert await feature.forget_channel(G, CHANNEL + 1) == []
    assert await feature.forget_channel(G, CHANNEL) == [
        "the mentorship channel (new pairs are introduced by DM)"
    ]
    guild: Any = SimpleNamespace(id=G)
    assert await feature.settings_section(guild) == (
        "Mentorship",
        [
            ("Matching rounds", "every Monday at 18:00 (Asia/Karachi)"),
            ("Private threads in", "not set (intros by DM)"),
            ("Languages", "English, Urdu"),
        ],
    )
    await feature.timezone_changed(G)  # the guild's first round job
    before = scheduler.next_run(round_job(G))
    await guilds.set_timezone(G, "Europe/London")
    await feature.timezone_changed(G)
    after = scheduler.next_run(round_job(G))
    assert before is not None and after is not None and after != before
    settings = await feature.set_schedule(G, "daily 09:00")
    assert settings.schedule == "daily 09:00"
    moved = scheduler.next_run(round_job(G))
    assert moved is not None and (moved.hour, moved.minute) == (9, 0)
