"""The check-in window and the member's context menu, end to end: volunteers check in
only inside `/settings checkin-window`, organizers at any time (and are told when it was
outside); right-click a member → Check in finds their event, asks with a select menu when
there are several, and says so when none is open. Permission is checked at the click and
again at the pick.

The module's events are all its own (its bot and store are), so what is "open now" is
known: every event here starts in the future unless a test says otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.test_events import KARACHI, create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

VOLUNTEER = "door_keeper"
MENU = "Check in"
REFUSED = "Only organizers and volunteers can check members in"


def epoch(typed: str) -> int:
    """What an organizer typed with `local(…)`, as epoch seconds."""
    return int(datetime.strptime(typed, "%Y-%m-%d %H:%M").replace(tzinfo=KARACHI).timestamp())


def pick_menu(result: object) -> dict:
    (row,) = result.components  # type: ignore[attr-defined]
    (select,) = row["components"]
    assert select["type"] == 3 and select["custom_id"].startswith("door:v1:pick:")
    return select


async def test_volunteers_need_the_window_and_organizers_are_told(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member(VOLUNTEER, roles=["Volunteer"])
    await fake.slash("admin", "settings volunteer-role", options={"role": "Volunteer"})
    starts = local(timedelta(days=3))
    ann = await create(fake, "Window Night", starts=starts)
    eid = event_id(ann)
    await fake.click("bob", ann, label="Going")

    early = await fake.slash(VOLUNTEER, "event checkin", event=eid, options={"member": "bob"})
    opens = epoch(starts) - 24 * 3600
    assert early.ephemeral and "✅" not in early.content
    assert f"opens 24 hours before the start: <t:{opens}:F> (<t:{opens}:R>)" in early.content
    assert "Organizers can check members in before that" in early.content
    assert store.fetchall("SELECT * FROM event_checkins") == []

    # An organizer may: badges the day before, a speaker early. The reply says so.
    org = await fake.slash("admin", "event checkin", event=eid, options={"member": "carol"})
    assert "walk-in" in org.content and "outside the check-in window" in org.content
    assert f"from <t:{opens}:f> until <t:{epoch(starts) + 4 * 3600}:f>" in org.content

    refused = await fake.slash("alice", "settings checkin-window", options={"hours": 168})
    assert refused.content.startswith("Only organizers")
    wide = await fake.slash("admin", "settings checkin-window", options={"hours": 168})
    assert "from 168 hours before the start of each event" in wide.content
    assert (
        "Check-in window:** volunteers from 168 hours before the start; organizers any"
        in (await fake.slash("alice", "settings show")).text
    )
    now = await fake.slash(VOLUNTEER, "event checkin", event=eid, options={"member": "bob"})
    assert "✅" in now.content and "outside" not in now.content

    back = await fake.slash("admin", "settings checkin-window", options={"hours": 0})
    assert "from the start of each event" in back.content  # 0: only once it has started
    late = await fake.slash(VOLUNTEER, "event checkin", event=eid, options={"member": "alice"})
    assert f"opens at the start: <t:{epoch(starts)}:F>" in late.content
    await fake.slash("admin", "settings checkin-window", options={"hours": 24})


async def test_right_click_checks_a_member_in_at_their_event(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("guest_one")
    ann = await create(fake, "Menu Night", starts=local(timedelta(hours=1)), capacity=10)
    eid = event_id(ann)
    await fake.click("guest_one", ann, label="Going")

    before = store.dump()
    member = await fake.user_menu("alice", MENU, target="guest_one")
    assert member.ephemeral and member.content.startswith(REFUSED)
    assert store.dump() == before

    done = await fake.user_menu(VOLUNTEER, MENU, target="guest_one")
    assert done.ephemeral and "✅ **guest_one** checked in — seat 1, ticket" in done.content
    again = await fake.user_menu("admin", MENU, target="guest_one")
    assert "already checked in" in again.content
    stats = await fake.slash("admin", "event stats", event=eid)
    await stats.wait_final()  # a slow first chart is answered "thinking…" first
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert (fields["Checked in"], fields["Walk-ins"]) == ("1", "0")


async def test_several_open_events_are_asked_and_checked_again_at_the_pick(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("guest_two")
    await fake.add_member("guest_three")
    lahore = event_id(await create(fake, "Menu Lahore", starts=local(timedelta(hours=2))))
    isb = event_id(
        await create(
            fake,
            "Menu Islamabad",
            city="Islamabad",
            channel="islamabad-events",
            starts=local(timedelta(hours=2)),
        )
    )
    asked = await fake.user_menu(VOLUNTEER, MENU, target="guest_two")
    assert asked.ephemeral and "guest_two" in asked.content and "which one?" in asked.content
    select = pick_menu(asked)
    options = {o["value"]: o for o in select["options"]}
    assert {lahore, isb} <= set(options)
    assert options[isb]["label"] == "Menu Islamabad"
    assert (
        options[isb]["description"].startswith("Islamabad · ")
        and "walk-in" in (options[isb]["description"])
    )
    picked = await fake.select(VOLUNTEER, asked, select["custom_id"], [isb])
    assert "Recorded **guest_two** as a **walk-in** (had no RSVP)" in picked.content
    assert asked.components == []  # the question is replaced by the answer
    stats = await fake.slash("admin", "event stats", event=isb)
    await stats.wait_final()  # a slow first chart is answered "thinking…" first
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert (fields["Checked in"], fields["Walk-ins"]) == ("1", "1")

    # The volunteer loses the role while the question is open: the pick is refused.
    second = await fake.user_menu(VOLUNTEER, MENU, target="guest_three")
    await fake.set_member_roles(VOLUNTEER, [])
    before = store.dump()
    refused = await fake.select(VOLUNTEER, second, pick_menu(second)["custom_id"], [lahore])
    assert refused.ephemeral and refused.content.startswith(REFUSED)
    assert store.dump() == before
    await fake.set_member_roles(VOLUNTEER, ["Volunteer"])
    # The same question, answered by someone who may, after a restart: still decided.
    await bot.stop()
    await bot.start()
    ok = await fake.select(VOLUNTEER, second, pick_menu(second)["custom_id"], [lahore])
    assert "Recorded **guest_three** as a **walk-in**" in ok.content


async def test_when_nothing_is_open_it_says_so(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    await fake.add_member("guest_four")
    await fake.slash("admin", "settings checkin-window", options={"hours": 0})  # none started
    before = store.dump()
    none = await fake.user_menu(VOLUNTEER, MENU, target="guest_four")
    assert none.ephemeral and "No event is open for check-in now" in none.content
    assert "from the start of an event until an hour after its end" in none.content
    organizer = await fake.user_menu("admin", MENU, target="guest_four")
    assert "has no RSVP to an upcoming event either" in organizer.content
    assert "`/event checkin`" in organizer.content
    assert store.dump() == before
    # An organizer right-clicking a member going to a later event checks them in early.
    ann = await create(fake, "Speaker Day", starts=local(timedelta(days=2)))
    await fake.click("guest_four", ann, label="Going")
    early = await fake.user_menu("admin", MENU, target="guest_four")
    assert "✅ **guest_four** checked in" in early.content
    assert "outside the check-in window" in early.content
    await fake.slash("admin", "settings checkin-window", options={"hours": 24})


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []
