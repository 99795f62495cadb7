"""Forms in a rush: many members with the same form open at once each keep what they
typed (the registration form, the event feedback form, the mentorship feedback form),
whatever order they submit in, also across a restart of the bot."""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord, InteractionResult, World
from bot.testing.store import StoreHandle
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
MEMBERS = [f"member{i:02d}" for i in range(50)]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def fake(store: StoreHandle) -> AsyncIterator[FakeDiscord]:
    world = World.default()
    for i, name in enumerate(MEMBERS):
        world.add_user(name, id=3000 + i, global_name=name.title())
        world.add_member(name, guild=world.guild_id)
    async with FakeDiscord(world) as fd:
        yield fd


async def open_all(fake: FakeDiscord, opened: dict[str, InteractionResult]) -> None:
    assert all(r.modal is not None for r in opened.values()), "every member gets the form"
    ids = {r.modal["custom_id"] for r in opened.values() if r.modal}
    assert len(ids) == len(opened), "each opening has its own custom_id"


async def test_fifty_registration_forms_submitted_in_any_order(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Rush Registration", questions="University?; Why come?")
    opened = {name: await fake.click(name, ann, label="Going") for name in MEMBERS}
    order = list(MEMBERS)
    random.Random(7).shuffle(order)
    for name in order:
        done = await fake.submit_modal(
            name, opened[name], {"q0": f"uni of {name}", "q1": f"because {name}"}
        )
        assert "You're in" in done.content, (name, done.content)
    stored = store.fetchall(
        "SELECT r.user_id, r.answers FROM rsvps r WHERE r.event_id = ?", (int(event_id(ann)),)
    )
    await open_all(fake, opened)
    by_user = {uid: json.loads(answers) for uid, answers in stored}
    assert len(by_user) == 50
    for i, name in enumerate(MEMBERS):
        assert by_user[3000 + i] == [
            ["University?", f"uni of {name}"],
            ["Why come?", f"because {name}"],
        ]


async def test_a_form_survives_a_restart(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Restart Registration", questions="Team?")
    opened = await fake.click("alice", ann, label="Going")
    await bot.restart()
    done = await fake.submit_modal("alice", opened, {"q0": "Blue"})
    assert "You're in" in done.content


async def test_fifty_feedback_forms_after_the_event_and_fifty_mentorship_forms(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Rush Feedback", starts=local(timedelta(hours=2)))
    eid = int(event_id(ann))
    for name in MEMBERS:
        await fake.click(name, ann, label="Going")
        checked = await fake.slash("admin", "event checkin", event=str(eid), member=name)
        assert "✅" in checked.content
    await bot.stop()
    now = int(time.time())
    # the event ended two hours ago; 50 mentorships are under way
    store.execute(
        "UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?",
        (now - 4 * 3600, now - 2 * 3600, eid),
    )
    store.executemany(
        "INSERT INTO mentorship_matches(id, guild_id, mentor_id, mentee_id, topics,"
        " started_at, checkin_due_at, checkin_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (900 + i, fake.world.guild_id, 2004, 3000 + i, '["NLP"]', now, now + 86400, now)
            for i in range(50)
        ],
    )
    await bot.start()

    dms = {
        name: await fake.wait_for_dm(
            name,
            # the feedback request, not the ticket DM (which has buttons too)
            lambda m: (
                "Rush Feedback" in m.content
                and any(b.get("label") == "Give feedback" for b in m.buttons)
            ),
            timeout=30,
        )
        for name in MEMBERS
    }
    forms = {name: await fake.click(name, dms[name], label="Give feedback") for name in MEMBERS}
    await open_all(fake, forms)
    ends = {
        name: await fake.slash(name, "mentorship end", match=str(900 + i))
        for i, name in enumerate(MEMBERS)
    }
    await open_all(fake, ends)

    order = list(MEMBERS)
    random.Random(11).shuffle(order)
    for i, name in enumerate(order):
        rating = str(1 + i % 5)
        thanks = await fake.submit_modal(
            name, forms[name], {"rating": rating, "comment": f"event notes {name}"}
        )
        assert "Thank you" in thanks.content, thanks.content
        ended = await fake.submit_modal(
            name, ends[name], {"rating": rating, "comment": f"mentor notes {name}"}
        )
        assert "Thank you" in ended.content, ended.content

    event_rows = dict(
        store.fetchall("SELECT user_id, comment FROM event_feedback WHERE event_id = ?", (eid,))
    )
    mentor_rows = dict(
        store.fetchall(
            "SELECT m.mentee_id, f.comment FROM mentorship_feedback f"
            " JOIN mentorship_matches m ON m.id = f.match_id WHERE f.from_role = 'mentee'",
        )
    )
    for i, name in enumerate(MEMBERS):
        assert event_rows[3000 + i] == f"event notes {name}"
        assert mentor_rows[3000 + i] == f"mentor notes {name}"
