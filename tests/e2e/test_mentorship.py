"""Mentorship end to end: mentors join, a mentee asks, a round proposes by DM, a decline
re-routes at once, both accept → introduction, end with feedback, stats; expiry after a
restart; permissions and bad input; a cooldown on requests; members who leave the server;
the private thread made once across a SIGKILL, its intro posted once; check-in alerts to
organizers only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from bot.mentorship.threads import is_thread_of
from bot.testing import BotProcess, FakeDiscord, FakeMessage
from bot.testing.store import StoreHandle

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


async def proposal_dm(fake: FakeDiscord, user: str, *, after: int = 0) -> FakeMessage:
    return await fake.wait_for_dm(
        user,
        lambda m: m.id > after and any(b.get("label") == "Accept" for b in m.buttons),
        timeout=10,
    )


async def poll(predicate: Callable[[], bool], what: str) -> None:
    """Wait (up to 10 s) for something only the database shows: no Discord traffic follows."""
    deadline = time.monotonic() + 10
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def matched_pair(fake: FakeDiscord, mentor: str, mentee: str, topic: str) -> FakeMessage:
    """Both join, a round proposes, the mentor accepts. Returns the mentee's proposal DM."""
    await fake.add_member(mentor)
    await fake.add_member(mentee)
    await fake.slash(mentor, "mentor join", topics=topic, capacity=1)
    await fake.slash(mentee, "mentee request", topics=topic, goal=f"A private goal about {topic}")
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    await fake.click(mentor, await proposal_dm(fake, mentor), label="Accept")
    return await proposal_dm(fake, mentee)


async def test_bad_inputs_change_nothing(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    # the guild's defaults are seeded on first use (or at ready): seed them before the dump
    await fake.slash("alice", "settings show")
    await fake.slash("alice", "mentor list")
    before = store.dump()
    unknown = await fake.slash("alice", "mentor join", topics="NPL", capacity=2)
    assert unknown.ephemeral and "NLP" in unknown.content  # the nearest topic is suggested
    long_bio = await fake.slash("alice", "mentor join", topics="NLP", capacity=2, bio="x" * 301)
    assert "300" in long_bio.content
    goal = await fake.slash("carol", "mentee request", topics="NLP", goal="g" * 301)
    assert "300" in goal.content
    refused = await fake.slash("alice", "mentorship match")
    assert "Only organizers can do this" in refused.content
    stats = await fake.slash("alice", "mentorship stats")
    assert "Only organizers can do this" in stats.content
    assert store.dump() == before


async def test_match_decline_reroute_accept_end_feedback(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    joined = await fake.slash(
        "alice", "mentor join", topics="NLP, Deep Learning", capacity=1, languages="Urdu"
    )
    assert joined.ephemeral and "Thank you for mentoring" in joined.content
    assert "NLP, Deep Learning" in joined.text
    await fake.slash("bob", "mentor join", topics="NLP", capacity=1, languages="English")
    choices = await fake.autocomplete("carol", "mentee request", "topics", "Machine Learning, dee")
    assert choices[0]["value"] == "Machine Learning, Deep Learning"
    asked = await fake.slash(
        "carol", "mentee request", topics="nlp", language="Urdu", goal="Fine-tune a Urdu model"
    )
    assert "Fine-tune a Urdu model" in asked.text and asked.ephemeral

    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    assert "**1** proposal(s)" in summary.text

    to_alice = await proposal_dm(fake, "alice")
    assert "Fine-tune a Urdu model" in to_alice.text  # the proposed mentor sees the goal
    assert "shared topic" in to_alice.text.lower()
    to_carol = await proposal_dm(fake, "carol")
    assert "<@2004>" in to_carol.text and "Fine-tune" not in to_carol.content

    accepted = await fake.click("carol", to_carol, label="Accept")
    assert "as soon as the other side accepts" in accepted.content
    declined = await fake.click("alice", to_alice, label="Decline")
    assert "Declined" in declined.content

    # re-routed at once to bob, the next best mentor with a free place
    to_bob = await proposal_dm(fake, "bob")
    await fake.wait_for_dm("carol", lambda m: "next best match" in m.content, timeout=10)
    to_carol_2 = await proposal_dm(fake, "carol", after=to_carol.id)
    await fake.click("bob", to_bob, label="Accept")
    matched = await fake.click("carol", to_carol_2, label="Accept")
    assert "You're matched" in matched.content
    intro = await fake.wait_for_dm("bob", lambda m: "Welcome" in m.content, timeout=10)
    assert "Fine-tune a Urdu model" in intro.content and "NLP" in intro.content

    status = await fake.slash("carol", "mentorship status")
    assert "Mentorship #" in status.content and "active" in status.content

    options = await fake.autocomplete("carol", "mentorship end", "match", "")
    ended = await fake.slash("carol", "mentorship end", match=options[0]["value"])
    assert ended.modal is not None
    thanks = await fake.submit_modal("carol", ended, {"rating": "5", "comment": "Great help"})
    assert "Thank you for the feedback" in thanks.content
    await fake.wait_for_dm("bob", lambda m: "has ended" in m.content, timeout=10)

    stats = await fake.slash("admin", "mentorship stats")
    assert "5.0 / 5 from 1" in stats.text and "1 declined" in stats.text
    assert "Great help" not in stats.text


async def test_expiry_after_a_restart_reroutes(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("mentor_x")
    await fake.add_member("mentor_y")
    await fake.add_member("mentee_z")
    await fake.slash("mentor_x", "mentor join", topics="MLOps", capacity=1, languages="Urdu")
    await fake.slash("mentor_y", "mentor join", topics="MLOps", capacity=1)
    await fake.slash("mentee_z", "mentee request", topics="MLOps", language="Urdu")
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    first = await proposal_dm(fake, "mentor_x")
    await bot.stop()
    # 72 hours pass while the bot is down
    store.execute(
        "UPDATE mentorship_proposals SET expires_at = ? WHERE status = 'pending'",
        (int(time.time()) - 60,),
    )
    await bot.start()
    await proposal_dm(fake, "mentor_y")
    await fake.wait_for_dm("mentor_x", lambda m: "expired" in m.content, timeout=10)
    late = await fake.click("mentor_x", first, label="Accept")
    assert "expired" in late.content


async def test_both_accept_makes_a_private_thread(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.slash("admin", "settings mentorship-channel", options={"channel": "mentorship"})
    await fake.add_member("thread_mentor")
    await fake.add_member("thread_mentee")
    await fake.slash("thread_mentor", "mentor join", topics="Computer Vision", capacity=1)
    await fake.slash(
        "thread_mentee", "mentee request", topics="Computer Vision", goal="Detect potholes"
    )
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    await fake.click("thread_mentor", await proposal_dm(fake, "thread_mentor"), label="Accept")
    await fake.click("thread_mentee", await proposal_dm(fake, "thread_mentee"), label="Accept")
    await fake.wait_until(lambda: bool(fake.threads()), timeout=10)
    (thread,) = [t for t in fake.threads() if "Computer Vision" in t.name]
    assert thread.type == 12  # private
    intro = await fake.wait_for_message(thread.id, lambda m: "Welcome" in m.content, timeout=10)
    members = fake.thread_members(thread)
    assert {fake.world.user("thread_mentor"), fake.world.user("thread_mentee")} <= set(members)
    assert "Detect potholes" in intro.content and not intro.pings["users"]


async def test_mentee_requests_have_a_cooldown_but_not_for_organizers(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("eager")
    for goal in ("one", "two", "three"):
        done = await fake.slash("eager", "mentee request", topics="Data Science", goal=goal)
        assert "Got it" in done.content
    before = store.dump()
    refused = await fake.slash("eager", "mentee request", topics="Data Science", goal="four")
    assert refused.ephemeral
    assert refused.content.startswith("Slow down a little: you can ask for a mentor again in")
    assert "minutes" in refused.content
    assert store.dump() == before
    for goal in ("one", "two", "three", "four", "five"):  # organizers are exempt
        done = await fake.slash("admin", "mentee request", topics="Data Science", goal=goal)
        assert "Got it" in done.content


async def test_a_mentor_who_leaves_the_server_is_rerouted_at_once(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("leaving_mentor")
    await fake.add_member("staying_mentor")
    mentee = await fake.add_member("left_behind")
    await fake.slash(
        "leaving_mentor", "mentor join", topics="Responsible AI", capacity=1, languages="Urdu"
    )
    await fake.slash("staying_mentor", "mentor join", topics="Responsible AI", capacity=1)
    await fake.slash("left_behind", "mentee request", topics="Responsible AI", language="Urdu")
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    first = await proposal_dm(fake, "leaving_mentor")
    to_mentee = await proposal_dm(fake, "left_behind")

    await fake.remove_member("leaving_mentor")
    # the request goes to the next-best mentor now, not after 72 hours
    await proposal_dm(fake, "staying_mentor")
    await fake.wait_for_dm("left_behind", lambda m: "next best match" in m.content, timeout=10)
    await proposal_dm(fake, "left_behind", after=to_mentee.id)
    statuses = store.fetchall(
        "SELECT status FROM mentorship_proposals WHERE mentee_id = ? ORDER BY id", (mentee,)
    )
    assert statuses == [("withdrawn",), ("pending",)]
    assert store.fetchall(
        "SELECT status FROM mentor_profiles WHERE user_id = ?", (fake.world.user("leaving_mentor"),)
    ) == [("left",)]
    late = await fake.click("leaving_mentor", first, label="Accept")
    assert "withdrawn" in late.content


async def test_a_mentee_who_leaves_closes_the_request_and_the_mentor_is_told(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("patient_mentor")
    mentee = await fake.add_member("gone_mentee")
    await fake.slash("patient_mentor", "mentor join", topics="Math for ML", capacity=1)
    await fake.slash("gone_mentee", "mentee request", topics="Math for ML")
    summary = await fake.slash("admin", "mentorship match")
    await summary.wait_final()
    await proposal_dm(fake, "patient_mentor")
    await fake.remove_member("gone_mentee")
    await fake.wait_for_dm(
        "patient_mentor",
        lambda m: "withdrawn" in m.content and "left the server" in m.content,
        timeout=10,
    )
    assert store.fetchall("SELECT status FROM mentee_requests WHERE user_id = ?", (mentee,)) == [
        ("cancelled",)
    ]
    profile = await fake.slash("patient_mentor", "mentorship status")
    assert "1 of 1 free" in profile.content


async def test_a_crash_between_making_the_thread_and_recording_it_makes_no_second_one(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings mentorship-channel", options={"channel": "mentorship"})
    to_mentee = await matched_pair(fake, "crash_mentor", "crash_mentee", "Generative AI")
    mentee = fake.world.user("crash_mentee")
    creates = r"^/channels/\d+/threads$"
    before = len(fake.requests_to("POST", creates))
    # Discord makes the thread, but the bot is killed before it hears back and records it.
    fake.faults.add("POST", creates, status=None, delay=2.0)
    await fake.click("crash_mentee", to_mentee, label="Accept")
    await fake.wait_until(
        lambda: len(fake.requests_to("POST", creates)) > before, timeout=10, what="thread POST"
    )
    bot.kill()
    await bot.wait(10)
    ((match_id, thread_id, requested),) = store.fetchall(
        "SELECT id, thread_id, thread_requested_at FROM mentorship_matches WHERE mentee_id = ?",
        (mentee,),
    )
    assert thread_id is None and requested is not None  # the intent was recorded first

    def ours() -> list:
        return [t for t in fake.threads() if is_thread_of(t.name, match_id)]

    await fake.wait_until(lambda: len(ours()) == 1, timeout=10, what="the thread Discord made")
    ours()[0].archived = True  # and the bot stays down until it is archived

    await bot.start()
    await fake.wait_until(
        lambda: "mentorship intros finished at start-up" in bot.output(), timeout=15
    )
    (thread,) = ours()  # found and used, not made again
    assert not thread.archived
    intros = [m for m in fake.messages_in(thread.id) if "Welcome" in m.content]
    assert len(intros) == 1 and "A private goal about Generative AI" in intros[0].content
    assert {fake.world.user("crash_mentor"), mentee} <= set(fake.thread_members(thread))
    assert not [m for m in fake.dms_to("crash_mentee") if "Welcome" in m.content]
    assert store.fetchall("SELECT thread_id FROM mentorship_matches WHERE id = ?", (match_id,)) == [
        (thread.id,)
    ]


async def test_the_intro_is_posted_once_and_check_in_alerts_reach_organizers_only(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.slash("admin", "settings mentorship-channel", options={"channel": "mentorship"})
    to_mentee = await matched_pair(fake, "once_mentor", "once_mentee", "Python for AI")
    await fake.click("once_mentee", to_mentee, label="Accept")
    mentee = fake.world.user("once_mentee")
    recorded = "SELECT 1 FROM mentorship_matches WHERE mentee_id = ? AND intro_sent_at IS NOT NULL"
    await poll(lambda: bool(store.fetchall(recorded, (mentee,))), "the intro recorded")
    ((match_id,),) = store.fetchall(
        "SELECT id FROM mentorship_matches WHERE mentee_id = ?", (mentee,)
    )
    organizers = await fake.create_channel("organizers")
    await bot.stop()
    # As if killed after posting the intro, before recording it; and 14 days went by.
    store.execute("UPDATE mentorship_matches SET intro_sent_at = NULL WHERE id = ?", (match_id,))
    store.execute(
        "UPDATE mentorship_matches SET checkin_due_at = ? WHERE id = ?",
        (int(time.time()) - 60, match_id),
    )
    announcements = fake.world.channel("announcements")
    store.execute(
        "UPDATE guilds SET announcements_channel_id = ?, organizer_channel_id = ?",
        (announcements, organizers),
    )
    await bot.start()
    await fake.wait_until(
        lambda: "mentorship intros finished at start-up" in bot.output(), timeout=15
    )
    (thread,) = [t for t in fake.threads() if is_thread_of(t.name, match_id)]
    assert len([m for m in fake.messages_in(thread.id) if "Welcome" in m.content]) == 1
    assert not [m for m in fake.dms_to("once_mentee") if "Welcome" in m.content]

    checkin = await fake.wait_for_dm("once_mentee", lambda m: "two weeks" in m.content, timeout=10)
    posts_before = len(fake.messages_in("announcements"))
    answered = await fake.click("once_mentee", checkin, f"mcheck:v1:need_help:{match_id}")
    assert "organizers are told" in answered.content
    notice = await fake.wait_for_message(
        organizers, lambda m: f"mentorship #{match_id}" in m.content, timeout=10
    )
    assert "help" in notice.content and "A private goal" not in notice.content
    assert len(fake.messages_in("announcements")) == posts_before


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
