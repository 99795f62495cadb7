"""Mentorship as chapters run it (issue 14), below Discord: the known sets offered by
autocomplete (bot/mentorship/choices.py), what a second request changed, a mentor's
profile looked up whatever its status, and how status, profiles and request replies read
(cogs/mentorship/_embeds.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest

from bot.db import Database
from bot.guilds import GuildSettings
from bot.mentorship import MentorshipService
from bot.mentorship.requests import request_changes
from bot.taxonomy import Taxonomy
from cogs.mentorship._embeds import profile_answer, request_reply, status_text

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

G = 700
MENTOR, OTHER = 11, 12
MENTEE = 21
ROUND = "<t:1:f>"


@pytest.fixture
def ms(db: Database, guilds: GuildSettings, clock: FakeClock) -> MentorshipService:
    return MentorshipService(db, guilds, Taxonomy(db, clock), clock=clock)


# --- what autocomplete offers ----------------------------------------------------------------
async def test_each_option_is_offered_the_servers_known_set(ms: MentorshipService) -> None:
    await ms.config.add_language(G, "Punjabi")
    await ms.guilds.add_city(G, "Karachi")
    await ms.taxonomy.add_topic(G, "Reinforcement Learning")
    assert await ms.choices.complete(G, "topics", "nlp, rein") == ["NLP, Reinforcement Learning"]
    assert await ms.choices.complete(G, "topic", "rein") == ["Reinforcement Learning"]
    assert await ms.choices.complete(G, "languages", "Urdu, ") == ["Urdu, English", "Urdu, Punjabi"]
    assert await ms.choices.complete(G, "language", "") == ["English", "Urdu", "Punjabi"]
    assert await ms.choices.complete(G, "city", "") == ["Islamabad", "Karachi", "Lahore", "Remote"]
    assert await ms.choices.complete(G, "city", "a") == ["Islamabad", "Karachi", "Lahore"]
    assert await ms.choices.complete(G, "levels", "advanced,beg") == ["advanced, beginner"]
    assert await ms.choices.complete(G, "level", "in") == ["intermediate", "beginner"]


async def test_what_is_offered_is_accepted_when_sent(ms: MentorshipService) -> None:
    topics = (await ms.choices.complete(G, "topics", "MLOps, deep"))[0]
    languages = (await ms.choices.complete(G, "languages", "english, u"))[0]
    levels = (await ms.choices.complete(G, "levels", "beginner, "))[0]
    city = (await ms.choices.complete(G, "city", "rem"))[0]
    profile = await ms.mentors.join(
        G, MENTOR, topics=topics, capacity=1, city=city, languages=languages, levels=levels
    )
    assert profile.topics == ("MLOps", "Deep Learning")
    assert profile.languages == ("English", "Urdu")
    assert profile.levels == ("beginner", "intermediate")
    assert profile.city == "Remote"


# --- a second request says what changed -------------------------------------------------------
async def test_a_new_request_has_no_previous_and_no_changes(ms: MentorshipService) -> None:
    update = await ms.requests.ask(G, MENTEE, topics="NLP", goal="Learn")
    assert update.previous is None and update.changes == ()
    assert update.request == await ms.requests.open_request(G, MENTEE)


async def test_an_update_lists_each_change(ms: MentorshipService) -> None:
    await ms.requests.ask(G, MENTEE, topics="NLP", goal="Learn", city="Lahore")
    update = await ms.requests.ask(
        G, MENTEE, topics="NLP, MLOps", goal="Ship it", city="", language="Urdu", level="adv"
    )
    assert update.previous is not None and update.previous.goal == "Learn"
    assert update.request.id == update.previous.id  # the same request, its place kept
    assert update.changes == (
        "topics NLP → NLP, MLOps",
        "goal changed",
        "city Lahore → any",
        "language any → Urdu",
        "level any → advanced",
    )
    same = await ms.requests.ask(G, MENTEE, topics="nlp,mlops")  # None keeps the rest
    assert same.changes == () and same.request.goal == "Ship it"
    cleared = await ms.requests.ask(G, MENTEE, topics="NLP, MLOps", goal="")
    assert cleared.changes == ("goal removed",)
    added = await ms.requests.ask(G, MENTEE, topics="NLP, MLOps", goal="Again")
    assert added.changes == ("goal added",)


async def test_changes_compare_field_by_field(ms: MentorshipService) -> None:
    before = (await ms.requests.ask(G, MENTEE, topics="NLP, MLOps")).request
    reordered = dataclasses.replace(before, topics=("MLOps", "NLP"))
    assert request_changes(before, reordered) == ("topics NLP, MLOps → MLOps, NLP",)
    assert request_changes(before, dataclasses.replace(before, updated_at=1)) == ()


# --- profiles looked up whatever their status -------------------------------------------------
async def test_lookup_finds_active_paused_and_left_profiles(ms: MentorshipService) -> None:
    async def status() -> str | None:
        profile = await ms.mentors.lookup(G, MENTOR)
        return profile.status if profile else None

    assert await status() is None
    await ms.mentors.join(G, MENTOR, topics="NLP", capacity=1)
    assert await status() == "active"
    await ms.mentors.pause(G, MENTOR)
    assert await status() == "paused"
    await ms.mentors.leave(G, MENTOR)
    assert await status() == "left"


async def test_profile_answers(ms: MentorshipService) -> None:
    assert profile_answer(None, MENTOR, OTHER) == (f"<@{MENTOR}> isn't a mentor here.", None)
    mine, none = profile_answer(None, MENTOR, MENTOR)
    assert mine == "You aren't a mentor here: `/mentor join` to offer." and none is None
    profile = await ms.mentors.join(G, MENTOR, topics="NLP", capacity=2, bio="Hi")
    content, embed = profile_answer(profile, MENTOR, OTHER)
    assert content is None and embed is not None
    assert "NLP" in embed.fields[0].value and "Hi" in (embed.description or "")
    paused = await ms.mentors.pause(G, MENTOR)
    content, embed = profile_answer(paused, MENTOR, OTHER)
    assert content == f"<@{MENTOR}> has paused mentoring: no new mentees for now."
    assert embed is not None
    assert profile_answer(paused, MENTOR, MENTOR)[0] == (
        "Your profile is paused: no new proposals until `/mentor resume`."
    )
    left = (await ms.mentors.leave(G, MENTOR)).profile
    assert profile_answer(left, MENTOR, OTHER) == (
        f"<@{MENTOR}> isn't a mentor here any more.",
        None,
    )


# --- /mentorship status and the request reply -------------------------------------------------
async def test_status_names_the_other_side_and_shows_the_own_goal(
    ms: MentorshipService, db: Database
) -> None:
    await ms.mentors.join(G, MENTOR, topics="NLP", capacity=1)
    await ms.requests.ask(G, MENTEE, topics="NLP", goal="Build a Urdu tokenizer")
    (proposal_id,) = (await ms.rounds.run(G)).proposal_ids
    await ms.proposals.answer(proposal_id, MENTOR, True)

    mentee_view = status_text(await ms.overview.status(G, MENTEE), MENTEE)
    assert "(NLP): proposed · your goal: Build a Urdu tokenizer" in mentee_view
    assert f"**Proposal #{proposal_id}** with <@{MENTOR}>, your mentor: pending" in mentee_view
    mentor_view = status_text(await ms.overview.status(G, MENTOR), MENTOR)
    assert f"with <@{MENTEE}>, your mentee: pending (you accepted)" in mentor_view
    assert "tokenizer" not in mentor_view  # a mentor's status lists their own requests only

    match = (await ms.proposals.answer(proposal_id, MENTEE, True)).match
    assert match is not None
    mentee_view = status_text(await ms.overview.status(G, MENTEE), MENTEE)
    assert f"**Mentorship #{match.id}** with <@{MENTOR}>, your mentor (NLP): active" in (
        mentee_view
    )
    assert "(NLP): matched · your goal: Build a Urdu tokenizer" in mentee_view

    # once the mentor's data is deleted, the mentee's status says who that was
    await ms.member_data.delete(G, MENTOR)
    gone = status_text(await ms.overview.status(G, MENTEE), MENTEE)
    assert f"**Mentorship #{match.id}** with a former member, your mentor" in gone


async def test_status_fits_one_message(ms: MentorshipService, clock: FakeClock) -> None:
    topics = ", ".join(await ms.taxonomy.topics(G))
    for n in range(12):  # more requests than status shows, each with a long goal
        await ms.requests.ask(G, MENTEE, topics=topics, goal=f"{n} " + "g" * 290)
        await ms.requests.cancel(G, MENTEE)
        clock.advance(1)
    await ms.requests.ask(G, MENTEE, topics=topics, goal="The open one " + "o" * 280)
    text = status_text(await ms.overview.status(G, MENTEE), MENTEE)
    assert len(text) <= 2000
    assert text.startswith("**Request #") and "The open one " + "o" * 280 in text
    assert status_text(await ms.overview.status(G, OTHER), OTHER).startswith("Nothing yet")


async def test_the_request_reply_says_asked_updated_or_unchanged(ms: MentorshipService) -> None:
    first = await ms.requests.ask(G, MENTEE, topics="NLP")
    assert request_reply(first, ROUND) == (
        f"Got it. The next matching round is {ROUND}; I'll DM you a proposal."
    )
    updated = await ms.requests.ask(G, MENTEE, topics="NLP, MLOps", goal="Ship")
    assert request_reply(updated, ROUND).startswith(
        "Got it. Your request is updated: topics NLP → NLP, MLOps; goal added. "
        "It keeps its place in the queue"
    )
    same = await ms.requests.ask(G, MENTEE, topics="NLP, MLOps")
    assert "Nothing changed: your request already said exactly this." in request_reply(same, ROUND)
