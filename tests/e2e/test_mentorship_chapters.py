"""Mentorship as chapters run it (issue 14): topics, languages, cities and levels are
picked by autocomplete (the last item of a comma-separated list completed, the typed
forms still working); /mentorship status names the other person and shows the mentee
their own goal; a second /mentee request says what changed; right-click a member →
**Mentor profile** shows their public profile, never a goal."""

from __future__ import annotations

from typing import Any

import pytest

from bot.testing import BotProcess, FakeDiscord, FakeMessage
from bot.testing.store import StoreHandle

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


def values(choices: list[dict[str, Any]]) -> list[str]:
    return [c["value"] for c in choices]


def fit(choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Discord's limits on an autocomplete answer, checked on what reached the fake."""
    assert len(choices) <= 25
    for c in choices:
        assert 1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100
    return choices


async def proposal_dm(fake: FakeDiscord, user: str) -> FakeMessage:
    return await fake.wait_for_dm(
        user, lambda m: any(b.get("label") == "Accept" for b in m.buttons), timeout=10
    )


# --- 7. known sets are picked, not typed ---------------------------------------------------
async def test_topics_complete_the_last_item_and_keep_the_ones_before(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    got = fit(await fake.autocomplete("alice", "mentor join", "topics", "nlp, mach"))
    assert values(got) == ["NLP, Machine Learning"]  # the earlier item in its own spelling
    after = fit(
        await fake.autocomplete("alice", "mentee request", "topics", "NLP, Deep Learning, ")
    )
    assert len(after) == 8  # the ten topics but the two chosen
    assert all(v.startswith("NLP, Deep Learning, ") for v in values(after))
    assert not [v for v in values(after) if v.count("NLP") > 1 or v.endswith("Deep Learning")]
    everything = fit(await fake.autocomplete("alice", "mentor join", "topics", ""))
    assert values(everything)[:2] == ["Machine Learning", "Deep Learning"]
    # /mentor list filters by one topic: no list there
    one = fit(await fake.autocomplete("alice", "mentor list", "topic", "vision"))
    assert values(one) == ["Computer Vision"]


async def test_long_lists_offer_only_what_fits_in_a_choice(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    typed = "Machine Learning, Deep Learning, Generative AI, Computer Vision, Data Science, "
    got = fit(await fake.autocomplete("alice", "mentor join", "topics", typed))
    assert values(got) and all(v.startswith(typed) for v in values(got))
    assert typed + "NLP" in values(got)
    assert typed + "Responsible AI" in values(got)  # 93 characters: fits
    longer = typed + "Math for ML, "  # 92: NLP and MLOps fit, the longer names do not
    assert values(fit(await fake.autocomplete("alice", "mentor join", "topics", longer))) == [
        longer + "NLP",
        longer + "MLOps",
    ]
    assert await fake.autocomplete("alice", "mentor join", "topics", "x" * 150 + ", ") == []
    assert fake.limit_violations == []


async def test_languages_cities_and_levels_are_offered_from_the_server(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await fake.slash("admin", "settings language-add", options={"name": "Punjabi"})
    await fake.slash("admin", "settings city-add", options={"name": "Karachi"})
    langs = fit(await fake.autocomplete("alice", "mentor join", "languages", "english, "))
    assert values(langs) == ["English, Urdu", "English, Punjabi"]
    assert values(await fake.autocomplete("alice", "mentee request", "language", "pun")) == [
        "Punjabi"
    ]
    cities = fit(await fake.autocomplete("alice", "mentor join", "city", ""))
    assert values(cities) == ["Islamabad", "Karachi", "Lahore", "Remote"]
    assert values(await fake.autocomplete("alice", "mentee request", "city", "rem")) == ["Remote"]
    levels = fit(await fake.autocomplete("alice", "mentor join", "levels", "Beginner, "))
    assert values(levels) == ["beginner, intermediate", "beginner, advanced"]
    assert values(await fake.autocomplete("alice", "mentee request", "level", "adv")) == [
        "advanced"
    ]


async def test_a_picked_list_is_accepted_and_a_typed_unknown_refused_as_before(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("picker")
    topics = values(await fake.autocomplete("picker", "mentor join", "topics", "MLOps, gen"))[0]
    languages = values(await fake.autocomplete("picker", "mentor join", "languages", "ur"))[0]
    levels = values(await fake.autocomplete("picker", "mentor join", "levels", "intermediate, a"))
    joined = await fake.slash(
        "picker",
        "mentor join",
        topics=topics,
        capacity=2,
        city="lahore",  # typed, in any case: still works
        languages=languages,
        levels=levels[0],
    )
    assert "Thank you for mentoring" in joined.content
    assert "MLOps, Generative AI" in joined.text and "Urdu" in joined.text
    assert "intermediate, advanced" in joined.text and "Lahore" in joined.text
    before = store.dump()
    refused = await fake.slash("picker", "mentor join", topics="MLOps, Quantum", capacity=2)
    assert refused.ephemeral and "“Quantum” is not a topic here." in refused.content
    lang = await fake.slash("picker", "mentee request", topics="NLP", language="Klingon")
    assert "“Klingon” is not a language here." in lang.content
    assert store.dump() == before


# --- 9. a second request says what changed; 8. status shows it -------------------------------
async def test_a_second_request_says_what_changed_and_status_shows_the_goal(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    await fake.add_member("reviser")
    first = await fake.slash("reviser", "mentee request", topics="NLP", goal="Read papers")
    assert first.content.startswith("Got it. The next matching round is")
    second = await fake.slash(
        "reviser", "mentee request", topics="NLP, MLOps", goal="Ship a Urdu model", city="Lahore"
    )
    assert second.ephemeral
    assert "Your request is updated: topics NLP → NLP, MLOps; goal changed; city any → Lahore." in (
        second.content
    )
    assert "Ship a Urdu model" in second.text  # the request, in the reply only they see
    status = await fake.slash("reviser", "mentorship status")
    assert status.ephemeral
    assert "(NLP, MLOps): open · your goal: Ship a Urdu model" in status.content
    assert "Read papers" not in status.content
    same = await fake.slash("reviser", "mentee request", topics="nlp, mlops")
    assert "Nothing changed: your request already said exactly this." in same.content


async def test_status_names_the_other_person_of_each_proposal_and_match(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    mentor = await fake.add_member("named_mentor")
    mentee = await fake.add_member("named_mentee")
    await fake.slash("named_mentor", "mentor join", topics="Data Science", capacity=1)
    await fake.slash("named_mentee", "mentee request", topics="Data Science", goal="Win Kaggle")
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    await fake.click("named_mentor", await proposal_dm(fake, "named_mentor"), label="Accept")

    waiting = await fake.slash("named_mentee", "mentorship status")
    assert f"with <@{mentor}>, your mentor: pending" in waiting.content
    assert "your goal: Win Kaggle" in waiting.content  # their own goal, ephemeral
    assert waiting.message is not None and not waiting.message.pings["users"]
    as_mentor = await fake.slash("named_mentor", "mentorship status")
    assert f"with <@{mentee}>, your mentee: pending (you accepted)" in as_mentor.content

    await fake.click("named_mentee", await proposal_dm(fake, "named_mentee"), label="Accept")
    await fake.wait_for_dm("named_mentor", lambda m: "Welcome" in m.content, timeout=10)
    matched = await fake.slash("named_mentee", "mentorship status")
    assert f"with <@{mentor}>, your mentor (Data Science): active" in matched.content
    mentor_view = await fake.slash("named_mentor", "mentorship status")
    assert f"with <@{mentee}>, your mentee (Data Science): active" in mentor_view.content
    assert "Win Kaggle" not in mentor_view.content  # their status shows their own requests
    assert mentor_view.message is not None and not mentor_view.message.pings["users"]


# --- 6c. right-click a member → Mentor profile ---------------------------------------------
async def test_the_mentor_profile_menu_shows_the_public_profile(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    mentor = await fake.add_member("menu_mentor")
    await fake.add_member("menu_mentee")
    await fake.slash(
        "menu_mentor",
        "mentor join",
        topics="Computer Vision, NLP",
        capacity=2,
        city="Islamabad",
        languages="Urdu, English",
        levels="beginner",
        bio="Ten years of OpenCV",
    )
    await fake.slash("menu_mentee", "mentee request", topics="NLP", goal="A secret plan 42")
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    await proposal_dm(fake, "menu_mentor")  # a pending proposal holds one of the two places

    shown = await fake.user_menu("bob", "Mentor profile", target="menu_mentor")
    assert shown.ephemeral and shown.content == ""
    assert f"<@{mentor}>" in shown.text and "Ten years of OpenCV" in shown.text
    for part in ("Computer Vision, NLP", "Islamabad", "Urdu, English", "beginner", "1 of 2"):
        assert part in shown.text
    assert "A secret plan 42" not in shown.text  # a mentee's goal never shows

    await fake.slash("menu_mentor", "mentor pause")
    paused = await fake.user_menu("bob", "Mentor profile", target="menu_mentor")
    assert f"<@{mentor}> has paused mentoring: no new mentees for now." == paused.content
    assert "Computer Vision" in paused.text
    assert paused.message is not None and not paused.message.pings["users"]
    own = await fake.user_menu("menu_mentor", "Mentor profile", target="menu_mentor")
    assert "Your profile is paused" in own.content

    await fake.slash("menu_mentor", "mentor leave")
    left = await fake.user_menu("bob", "Mentor profile", target="menu_mentor")
    assert left.content == f"<@{mentor}> isn't a mentor here any more." and not left.embeds
    assert "Computer Vision" not in left.text


async def test_the_mentor_profile_menu_for_someone_who_is_not_a_mentor(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    carol = fake.world.user("carol")
    other = await fake.user_menu("alice", "Mentor profile", target="carol")
    assert other.ephemeral and other.content == f"<@{carol}> isn't a mentor here."
    assert other.message is not None and not other.message.pings["users"]
    mine = await fake.user_menu("carol", "Mentor profile", target="carol")
    assert mine.content == "You aren't a mentor here: `/mentor join` to offer."
    slash = await fake.slash("alice", "mentor profile", member="carol")
    assert slash.content == other.content  # the command says the same


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    fake.assert_clean()
