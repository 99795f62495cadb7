"""Discord misbehaving: the gateway dropping, asking for a reconnect or invalidating the
session, and REST answering 500/502/503/429 on messages, DMs and interaction callbacks.

Every test asserts what a member or organizer sees: the next command and click are
answered, the announcement or DM arrives exactly once, a rate limit is waited out.

Who retries what: discord.py retries a request itself on 500/502/504/524 (after 1 s, 3 s,
5 s, 7 s, 9 s; five tries) and on a 429 (after the body's ``retry_after``); anything else,
or a 5xx that outlasts those tries, reaches the bot. The outbox deliverer
(cogs/_delivery.py) then tries the message again later (5 s, 30 s, 120 s, 600 s).
A 5xx is modelled here as "Discord did nothing" (the fake answers before routing): a
5xx returned *after* Discord created a message would make any retry a duplicate, and no
client can tell the two apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, FakeMessage, World
from bot.testing.fakediscord.rest import FaultRule, RecordedRequest
from bot.testing.store import StoreHandle
from tests.e2e.test_events import create, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

CHANNEL = "lahore-events"  # where `create` announces
CALLBACK = r"^/interactions/\d+/[^/]+/callback$"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    world = World.default()
    world.add_members(24)  # fresh members per test, so DM counts are each test's own
    async with FakeDiscord(world) as fd:
        yield fd


async def _settle(seconds: float = 1.5) -> None:
    """Give a duplicate (if the bot were to send one) time to arrive."""
    await asyncio.sleep(seconds)


def announcements_titled(fake: FakeDiscord, title: str) -> list[FakeMessage]:
    return [m for m in fake.messages_in(CHANNEL) if m.embeds and m.embeds[0]["title"] == title]


def dms_about(fake: FakeDiscord, user: str, text: str) -> list[FakeMessage]:
    return [m for m in fake.dms_to(user) if text in m.content]


def retry_after_fault(fake: FakeDiscord, fault: RecordedRequest) -> RecordedRequest:
    """The successful request that retried ``fault`` (same method and path, later)."""
    (retry, *_) = [
        r
        for r in fake.requests
        if r.method == fault.method
        and r.path == fault.path
        and r.time > fault.time
        and r.status is not None
        and 200 <= r.status < 300
    ]
    return retry


async def answers_after_fault(
    fake: FakeDiscord, before: FakeMessage, user: str, title: str, seat: int = 1
) -> None:
    """A slash command (create an event) and a click on a button posted before the fault."""
    after = await create(fake, title, capacity=5)
    assert len(announcements_titled(fake, title)) == 1
    clicked = await fake.click(user, before, label="Going")
    assert clicked.ephemeral and f"You're in — seat {seat} of 5" in clicked.content
    mine = await fake.click(user, after, label="Going")
    assert "You're in — seat 1 of 5" in mine.content


# ----- gateway ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "user", "meanwhile"),
    [(4000, "member0001", "member0017"), (None, "member0002", "member0018")],
    ids=["close-4000", "tcp-drop"],
)
async def test_dropped_gateway_connection_resumes(
    bot: BotProcess, fake: FakeDiscord, code: int | None, user: str, meanwhile: str
) -> None:
    before = await create(fake, f"Before drop {code}", capacity=5)
    identifies, resumes = fake.gateway.identify_count, fake.gateway.resume_count
    assert await fake.drop_connection(code) == 1
    # a click while the bot is away is buffered by the gateway and replayed on RESUME
    during = await fake.click(meanwhile, before, label="Going", wait=False)
    await fake.wait_for_resume(resumes + 1, timeout=20)
    assert fake.gateway.identify_count == identifies  # resumed, not a new session
    await during.wait_response()
    assert during.ephemeral and "You're in — seat 1 of 5" in during.content
    await answers_after_fault(fake, before, user, f"After drop {code}", seat=2)


async def test_op7_reconnect_resumes(bot: BotProcess, fake: FakeDiscord) -> None:
    before = await create(fake, "Before reconnect", capacity=5)
    identifies, resumes = fake.gateway.identify_count, fake.gateway.resume_count
    assert await fake.send_reconnect() == 1
    await fake.wait_for_resume(resumes + 1, timeout=20)
    assert fake.gateway.identify_count == identifies
    assert "/gateway-resume" in fake.gateway.urls_used[-1]  # the resume_gateway_url
    await answers_after_fault(fake, before, "member0003", "After reconnect")


async def test_op9_invalid_session_identifies_again(bot: BotProcess, fake: FakeDiscord) -> None:
    before = await create(fake, "Before invalid session", capacity=5)
    identifies = fake.gateway.identify_count
    assert await fake.invalidate_session(resumable=False) == 1
    # discord.py waits 5 s before a non-initial IDENTIFY (Client.before_identify_hook)
    await fake.wait_for_identify(identifies + 1, timeout=20)
    await fake.wait_until(
        lambda: (s := fake.gateway.latest_session()) is not None and s.guilds_sent_at is not None,
        what="GUILD_CREATE on the new session",
    )
    # the buttons on the old announcement still work: persistent items survive a new READY
    await answers_after_fault(fake, before, "member0004", "After invalid session")


# ----- REST 5xx on messages and DMs ---------------------------------------------------------
@pytest.mark.parametrize("status", [500, 502])
async def test_announcement_5xx_is_retried_and_posted_once(
    bot: BotProcess, fake: FakeDiscord, status: int
) -> None:
    channel_id = fake.world.channel(CHANNEL)
    rule = fake.faults.add("POST", rf"^/channels/{channel_id}/messages$", status=status)
    title = f"Announced through a {status}"
    ann = await create(fake, title, capacity=3)  # asserts "Created" and finds the post
    assert rule.hits == 1
    fault = next(rec for r, rec in fake.fault_hits if r is rule)
    retry = retry_after_fault(fake, fault)
    assert retry.time - fault.time >= 0.9  # discord.py backs off 1 s, 3 s, 5 s…
    reply = fake.last_interaction  # the /event create
    assert reply is not None
    assert f"Announced in <#{channel_id}>" in reply.text
    assert len(announcements_titled(fake, title)) == 1
    seated = await fake.click("member0005", ann, label="Going")
    assert "You're in — seat 1 of 3" in seated.content


async def _promote(fake: FakeDiscord, title: str, holder: str, waiting: str) -> FakeMessage:
    """An event with one seat: `holder` has it, `waiting` is #1 on the waitlist."""
    ann = await create(fake, title, capacity=1)
    assert "seat 1 of 1" in (await fake.click(holder, ann, label="Going")).content
    assert "waitlist" in (await fake.click(waiting, ann, label="Going")).content
    # the holder's ticket DM is out of the way before a test injects a DM fault
    await fake.wait_for_dm(holder, lambda m: title in m.content, timeout=10)
    return ann


async def _leave(fake: FakeDiscord, ann: FakeMessage, holder: str) -> None:
    left = await fake.click(holder, ann, label="Can't go")
    assert "given up your seat" in left.content


@pytest.mark.parametrize(
    ("status", "route", "holder", "waiting"),
    [
        (500, "message", "member0006", "member0007"),
        (502, "message", "member0008", "member0009"),
        (502, "open-dm", "member0010", "member0011"),
    ],
)
async def test_promotion_dm_5xx_is_retried_and_arrives_once(
    bot: BotProcess, fake: FakeDiscord, status: int, route: str, holder: str, waiting: str
) -> None:
    title = f"Waitlist DM through a {status} on {route}"
    ann = await _promote(fake, title, holder, waiting)
    if route == "message":
        dm = fake.world.dm_channel_for(fake.world.user(waiting)).id
        rule = fake.faults.add("POST", rf"^/channels/{dm}/messages$", status=status)
    else:  # opening the DM channel (POST /users/@me/channels) fails first
        rule = fake.faults.add("POST", r"^/users/@me/channels$", status=status)
    await _leave(fake, ann, holder)
    await fake.wait_for_dm(waiting, lambda m: title in m.content, timeout=15)
    assert rule.hits == 1
    fault = next(rec for r, rec in fake.fault_hits if r is rule)
    if route == "open-dm":
        assert int(fault.json["recipient_id"]) == fake.world.user(waiting)
    assert retry_after_fault(fake, fault).time - fault.time >= 0.9
    await _settle()
    (dm_msg,) = dms_about(fake, waiting, title)
    assert "a seat opened up and you're in" in dm_msg.content
    mine = await fake.slash(waiting, "event mine")
    assert title in mine.text and "Going — seat 1 of 1" in mine.text


async def test_promotion_dm_503_is_retried_later_by_the_outbox(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    """503 is not one discord.py retries: the deliverer records the failure and tries the
    DM again RETRY_SECONDS[0] = 5 s later (due times are whole seconds, hence >= 4 s)."""
    title = "Waitlist DM through a 503"
    holder, waiting = "member0015", "member0016"
    ann = await _promote(fake, title, holder, waiting)
    dm = fake.world.dm_channel_for(fake.world.user(waiting)).id
    rule = fake.faults.add("POST", rf"^/channels/{dm}/messages$", status=503)
    await _leave(fake, ann, holder)
    await fake.wait_for_dm(waiting, lambda m: title in m.content, timeout=20)
    fault = next(rec for r, rec in fake.fault_hits if r is rule)
    assert retry_after_fault(fake, fault).time - fault.time >= 4.0
    await _settle()
    assert len(dms_about(fake, waiting, title)) == 1
    listed = await fake.slash("admin", "event attendees", event=title)
    assert "could not be delivered" not in listed.text  # delivered in the end


# ----- 429 with retry_after -----------------------------------------------------------------
RETRY_AFTER = 1.5
TOLERANCE = 0.1


def rate_limit(fake: FakeDiscord, path: str) -> FaultRule:
    return fake.faults.add(
        "POST",
        path,
        status=429,
        body={
            "message": "You are being rate limited.",
            "retry_after": RETRY_AFTER,
            "global": False,
        },
        headers={"Retry-After": "2", "X-RateLimit-Scope": "user"},
    )


async def test_announcement_429_waits_retry_after_and_posts_once(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    channel_id = fake.world.channel(CHANNEL)
    rule = rate_limit(fake, rf"^/channels/{channel_id}/messages$")
    title = "Announced through a 429"
    await create(fake, title, capacity=3)
    assert rule.hits == 1
    fault = next(rec for r, rec in fake.fault_hits if r is rule)
    assert fault.status == 429
    assert retry_after_fault(fake, fault).time - fault.time >= RETRY_AFTER - TOLERANCE
    await _settle(0.5)
    assert len(announcements_titled(fake, title)) == 1


async def test_dm_429_waits_retry_after_and_arrives_once(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    title = "Waitlist DM through a 429"
    holder, waiting = "member0012", "member0013"
    ann = await _promote(fake, title, holder, waiting)
    dm = fake.world.dm_channel_for(fake.world.user(waiting)).id
    rule = rate_limit(fake, rf"^/channels/{dm}/messages$")
    await _leave(fake, ann, holder)
    await fake.wait_for_dm(waiting, lambda m: title in m.content, timeout=15)
    fault = next(rec for r, rec in fake.fault_hits if r is rule)
    assert retry_after_fault(fake, fault).time - fault.time >= RETRY_AFTER - TOLERANCE
    await _settle()
    assert len(dms_about(fake, waiting, title)) == 1


# ----- interaction callback 500 -------------------------------------------------------------
async def test_interaction_callback_500_once_still_answers(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    """A 500 on POST /interactions/{id}/{token}/callback, once.

    What happens: the handler has already run (the RSVP is stored) when it answers;
    discord.py's webhook adapter retries the *HTTP request* (not the handler) on any 5xx
    after 1 s, then 3 s, 5 s, 7 s. The first retry lands inside Discord's 3 s window, so the
    member gets the normal answer, once, and the seat is taken once.

    On real Discord a 5xx can also come *after* Discord applied the callback; the retry is
    then refused with 400/40060 "already acknowledged". discord.py raises HTTPException
    from `response.send_message`; the bot's `guarded` wrapper / tree `on_error` hand it to
    `send_error`, whose own reply fails the same way and is caught and logged ("could not
    deliver an error reply"). The member already saw the first (applied) answer; nothing
    crashes and the next interaction is handled normally. The fake's faults answer before
    routing, so they model only the first case, which is what this test checks.
    """
    ann = await create(fake, "Callback fault", capacity=5)
    rule = fake.faults.add("POST", CALLBACK, status=500)
    clicked = await fake.click("member0014", ann, label="Going", timeout=8)
    assert rule.hits == 1
    assert clicked.ephemeral and "You're in — seat 1 of 5" in clicked.content
    assert clicked.latency is not None and 0.9 <= clicked.latency < 3.0
    again = await fake.click("member0014", ann, label="Going")
    assert "already going — seat 1 of 5" in again.content  # stored once

    # a deferred slash command whose defer hits the 500 still gets its final reply
    rule = fake.faults.add("POST", CALLBACK, status=500)
    await create(fake, "Created through a callback fault", capacity=5)
    assert rule.hits == 1
    assert len(announcements_titled(fake, "Created through a callback fault")) == 1


# ----- 5xx that discord.py does not retry (503) -----------------------------------------------
async def test_announcement_503_still_reports_the_created_event(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    channel_id = fake.world.channel(CHANNEL)
    fake.faults.add("POST", rf"^/channels/{channel_id}/messages$", status=503)
    result = await fake.slash(
        "admin",
        "event create",
        title="Announced through a 503",
        city="Lahore",
        starts=local(timedelta(days=3)),
        options={"channel": CHANNEL, "capacity": 3},
    )
    await result.wait_final()
    assert "Created **Announced through a 503**" in result.text, result.text
    assert "post it again" in result.text  # the organizer knows the announcement is missing


async def test_ticket_dm_503_still_reaches_the_member(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Ticket through a 503", capacity=3)
    dm = fake.world.dm_channel_for(fake.world.user("member0019")).id
    fake.faults.add("POST", rf"^/channels/{dm}/messages$", status=503)
    clicked = await fake.click("member0019", ann, label="Going")
    assert "Your ticket is in your DMs" in clicked.content

    def ticket_arrived() -> bool:
        return bool(dms_about(fake, "member0019", "Your ticket")) or any(
            "Your ticket" in f.content for f in clicked.followups
        )

    await fake.wait_until(ticket_arrived, timeout=7, what="the ticket")


# ----- the fake saw nothing it did not understand -------------------------------------------
async def test_no_unknown_routes_or_limit_violations(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
    assert fake.late_callbacks == []
