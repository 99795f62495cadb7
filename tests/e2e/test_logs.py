"""The bot's log holds no secrets, even at LOG_LEVEL=DEBUG, where discord.py logs whole
gateway payloads and REST URLs and bodies: no interaction token (a webhook URL or a
payload's "token"), no bot token, no registration answer or mentee goal, no ticket code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.conftest import assert_no_personal_data_in_public
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ANSWERS = {"q0": "Quokka Polytechnic 4821", "q1": "heron-secret-7319"}
GOAL = "Fine-tune a Quokka model 5512"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(fake: FakeDiscord, store: StoreHandle) -> AsyncIterator[BotProcess]:
    # keep every line: DEBUG is long and the default keeps the last 5,000
    env = {**store.env(), "LOG_LEVEL": "DEBUG"}
    proc = BotProcess(fake, store.path, extra_env=env, keep_lines=1_000_000)
    await proc.start()
    yield proc
    await proc.stop()
    assert_no_personal_data_in_public(fake, store)


async def test_debug_log_holds_no_token_answer_goal_or_ticket_code(
    bot: BotProcess, fake: FakeDiscord
) -> None:
    ann = await create(
        fake,
        "Log Night",
        starts=local(timedelta(hours=2)),  # check-in is open
        questions="University?; A secret?",
        capacity=5,
    )
    eid = event_id(ann)
    opened = await fake.click("alice", ann, label="Going")
    assert opened.modal is not None
    done = await fake.submit_modal("alice", opened, ANSWERS)
    assert "You're in" in done.content
    dm = await fake.wait_for_dm("alice", lambda m: "Your ticket for **Log Night**" in m.content)
    code = dm.content.split("**")[3]
    again = await fake.slash("alice", "event ticket", event=eid)
    assert code in again.content
    checked = await fake.slash("admin", "event checkin", event=eid, code=code.lower())
    assert "✅" in checked.content and code in checked.content
    asked = await fake.slash("bob", "mentee request", topics="nlp", goal=GOAL)
    assert GOAL in asked.text  # stored through a plain query with parameters
    tokens = [r.token for r in (opened, done, again, checked, asked)]

    await bot.stop()  # everything it will ever log about these is written
    log = bot.output()
    # the test is only worth something if discord.py's payload logging was on
    assert "INTERACTION_CREATE" in log and "discord.http" in log, log[-2000:]
    secrets = {
        "interaction token": tokens,
        "bot token": [fake.env()["DISCORD_TOKEN"]],
        "answer": list(ANSWERS.values()),
        "mentee goal": [GOAL],
        "ticket code": [code, code.lower(), code.replace("-", "")],
    }
    leaks = [(what, s) for what, values in secrets.items() for s in values if s in log]
    assert not leaks, f"secrets in the log: {leaks}"
