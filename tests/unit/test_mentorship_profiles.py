"""Mentor profiles and requests: create, update, every bad input refused with no change,
pause/resume, the guild's languages, listing, one open request per member."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from bot.guilds import GuildSettings
from bot.mentorship import MentorshipService
from bot.taxonomy import LEVELS, Taxonomy

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 500
MENTOR = 11
MENTEE = 21


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


async def test_join_creates_a_profile_with_canonical_names_and_defaults(
    ms: MentorshipService, clock: FakeClock
) -> None:
    profile = await ms.mentors.join(G, MENTOR, topics=" nlp , machine learning,NLP,", capacity=3)
    assert profile.topics == ("NLP", "Machine Learning")
    assert profile.capacity == 3
    assert profile.city is None
    assert profile.languages == ("English",)
    assert profile.levels == LEVELS
    assert profile.bio is None
    assert profile.status == "active"
    assert profile.created_at == profile.updated_at == int(clock.now)
    assert profile.free_places == 3 and profile.available


async def test_join_twice_updates_and_keeps_what_was_not_given(
    ms: MentorshipService, clock: FakeClock
) -> None:
    first = await ms.mentors.join(
        G,
        MENTOR,
        topics="NLP",
        capacity=2,
        city="lahore",
        languages="urdu, english",
        levels="beginner,Intermediate",
        bio="  I build NLP systems.  ",
    )
    assert first.city == "Lahore"
    assert first.languages == ("Urdu", "English")
    assert first.levels == ("beginner", "intermediate")
    assert first.bio == "I build NLP systems."
    clock.advance(60)
    second = await ms.mentors.join(G, MENTOR, topics="MLOps, Data Science", capacity=5)
    assert second.topics == ("MLOps", "Data Science")
    assert second.capacity == 5
    assert (second.city, second.languages, second.levels, second.bio) == (
        "Lahore",
        ("Urdu", "English"),
        ("beginner", "intermediate"),
        "I build NLP systems.",
    )
    assert second.created_at == first.created_at
    assert second.updated_at == first.updated_at + 60
    # An empty city or bio clears it; `all` serves every level; Remote is always a city.
    third = await ms.mentors.join(
        G, MENTOR, topics="NLP", capacity=1, city="", bio="", levels="all"
    )
    assert (third.city, third.bio, third.levels) == (None, None, LEVELS)
    remote = await ms.mentors.join(G, MENTOR, topics="NLP", capacity=1, city="remote")
    assert remote.city == "Remote"
    assert [p.user_id for p in (await ms.mentors.with_free_places(G))[0]] == [MENTOR]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"topics": "NLPP"}, "Did you mean NLP?"),
        ({"topics": "Cooking"}, "is not a topic here"),
        ({"topics": " , "}, "at least one topic"),
        ({"capacity": 0}, "from 1 to 10"),
        ({"capacity": 11}, "from 1 to 10"),
        ({"city": "Karachi"}, "Islamabad, Lahore, Remote"),
        ({"city": "Lahor"}, "Did you mean Lahore?"),
        ({"languages": "English, Klingon"}, "Languages: English, Urdu"),
        ({"levels": "expert"}, "beginner, intermediate and advanced"),
        ({"bio": "x" * 301}, "at most 300 characters (this one has 301)"),
    ],
)
async def test_join_refuses_bad_input_and_changes_nothing(
    ms: MentorshipService, kwargs: dict[str, object], fragment: str
) -> None:
    before = await ms.mentors.join(G, MENTOR, topics="NLP", capacity=2, bio="Hello")
    args: dict[str, object] = {"topics": "Computer Vision", "capacity": 4, "bio": "Changed"}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as err:
        await ms.mentors.join(G, MENTOR, **args)  # type: ignore[arg-type]
    assert fragment in str(err.value)
    assert await ms.mentors.profile(G, MENTOR) == before
    # A new member refused gets no profile at all.
    with pytest.raises(InvalidInput):
        await ms.mentors.join(G, MENTOR + 1, **args)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await ms.mentors.profile(G, MENTOR + 1)


async def test_bio_of_exactly_300_characters_is_accepted(ms: MentorshipService) -> None:
    profile = await ms.mentors.join(G, MENTOR, topics="NLP", capacity=1, bio="é" * 300)
    assert profile.bio == "é" * 300


async def test_languages_added_by_organizers_become_choices(ms: MentorshipService) -> None:
    assert await ms.config.languages(G) == ["English", "Urdu"]
    assert await ms.config.add_language(G, "  Punjabi ") == "Punjabi"
    with pytest.raises(AlreadyExists):
        await ms.config.add_language(G, "punjabi")
    with pytest.raises(InvalidInput):
        await ms.config.add_language(G, "")
    with pytest.raises(InvalidInput):
        await ms.config.add_language(G, "a, b")
    assert await ms.config.languages(G) == ["English", "Urdu", "Punjabi"]
    profile = await ms.mentors.join(G, MENTOR, topics="NLP", capacity=1, languages="PUNJABI")
    assert profile.languages == ("Punjabi",)
    assert await ms.config.languages(G + 1) == ["English", "Urdu"]  # per guild


async def test_pause_resume_and_their_refusals(ms: MentorshipService) -> None:
    with pytest.raises(NotFound, match="/mentor join"):
        await ms.mentors.pause(G, MENTOR)
    await ms.mentors.join(G, MENTOR, topics="NLP", capacity=2)
    paused = await ms.mentors.pause(G, MENTOR)
    assert paused.status == "paused" and not paused.available
    assert await ms.mentors.pause(G, MENTOR) == paused  # twice: no change
    assert (await ms.mentors.with_free_places(G)) == ([], 0)
    # Updating a paused profile keeps it paused.
    assert (await ms.mentors.join(G, MENTOR, topics="NLP", capacity=3)).status == "paused"
    resumed = await ms.mentors.resume(G, MENTOR)
    assert resumed.status == "active" and resumed.capacity == 3
    await ms.mentors.leave(G, MENTOR)
    with pytest.raises(NotFound, match="left"):
        await ms.mentors.resume(G, MENTOR)
    with pytest.raises(NotFound):
        await ms.mentors.profile(G, MENTOR)
    assert await ms.mentors.free_places(G, MENTOR) == 0
    # Joining again brings the profile back, active.
    back = await ms.mentors.join(G, MENTOR, topics="NLP", capacity=2)
    assert back.status == "active"


async def test_list_mentors_filters_by_topic_and_pages(ms: MentorshipService) -> None:
    for i in range(12):
        await ms.mentors.join(G, 100 + i, topics="NLP" if i % 2 else "MLOps", capacity=1 + i % 3)
    page0, total = await ms.mentors.with_free_places(G, per_page=5)
    assert total == 12 and len(page0) == 5
    assert [p.free_places for p in page0] == sorted((p.free_places for p in page0), reverse=True)
    page2, _ = await ms.mentors.with_free_places(G, page=2, per_page=5)
    assert len(page2) == 2
    nlp, nlp_total = await ms.mentors.with_free_places(G, topic="nlp")
    assert nlp_total == 6 and all("NLP" in p.topics for p in nlp)
    with pytest.raises(InvalidInput, match="Did you mean MLOps"):
        await ms.mentors.with_free_places(G, topic="mlop")


async def test_one_open_request_per_member_updated_in_place(
    ms: MentorshipService, clock: FakeClock
) -> None:
    first = (
        await ms.requests.ask(
            G, MENTEE, topics="nlp", goal=" Ship a chatbot ", city="Islamabad", language="urdu"
        )
    ).request
    assert (first.status, first.topics, first.goal, first.city, first.language) == (
        "open",
        ("NLP",),
        "Ship a chatbot",
        "Islamabad",
        "Urdu",
    )
    clock.advance(3600)
    second = (await ms.requests.ask(G, MENTEE, topics="NLP, Computer Vision", level="beg")).request
    assert second.id == first.id
    assert second.topics == ("NLP", "Computer Vision")
    assert (second.goal, second.city, second.language, second.level) == (
        "Ship a chatbot",
        "Islamabad",
        "Urdu",
        "beginner",
    )
    assert second.created_at == first.created_at  # keeps its place in the queue
    cleared = (await ms.requests.ask(G, MENTEE, topics="NLP", goal="", city="")).request
    assert (cleared.goal, cleared.city) == (None, None)
    assert (await ms.requests.open_request(G, MENTEE)) == cleared


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"topics": "Deep Lerning"}, InvalidInput, "Did you mean Deep Learning?"),
        ({"goal": "g" * 301}, InvalidInput, "at most 300 characters"),
        ({"city": "Quetta"}, InvalidInput, "Remote"),
        ({"language": "French"}, InvalidInput, "English, Urdu"),
        ({"level": "guru"}, InvalidInput, "Levels are"),
    ],
)
async def test_request_refuses_bad_input_and_changes_nothing(
    ms: MentorshipService, kwargs: dict[str, object], error: type[Exception], fragment: str
) -> None:
    before = (await ms.requests.ask(G, MENTEE, topics="NLP", goal="Learn")).request
    args: dict[str, object] = {"topics": "MLOps", "goal": "Other"}
    args.update(kwargs)
    with pytest.raises(error) as err:
        await ms.requests.ask(G, MENTEE, **args)  # type: ignore[arg-type]
    assert fragment in str(err.value)
    assert await ms.requests.open_request(G, MENTEE) == before


async def test_cancel_request(ms: MentorshipService) -> None:
    with pytest.raises(NotFound):
        await ms.requests.cancel(G, MENTEE)
    request = (await ms.requests.ask(G, MENTEE, topics="NLP")).request
    cancelled = await ms.requests.cancel(G, MENTEE)
    assert cancelled.id == request.id and cancelled.status == "cancelled"
    assert await ms.requests.open_request(G, MENTEE) is None
    again = (await ms.requests.ask(G, MENTEE, topics="NLP")).request
    assert again.id != request.id and again.status == "open"


async def test_request_refused_while_a_proposal_waits(ms: MentorshipService) -> None:
    await ms.mentors.join(G, MENTOR, topics="NLP", capacity=1)
    await ms.requests.ask(G, MENTEE, topics="NLP")
    await ms.rounds.run(G)
    with pytest.raises(NotAllowed, match="accept or decline"):
        await ms.requests.ask(G, MENTEE, topics="MLOps")
    assert (await ms.requests.open_request(G, MENTEE)).topics == ("NLP",)  # type: ignore[union-attr]
