"""Events at the door and after, end to end: registration questions → modal → csv;
ticket DM with a QR that decodes to the code; check-in by code and by member, walk-ins,
refusals; stats with the check-in chart; after the event a feedback DM → modal →
/event feedback. The check-in window and the member's context menu:
test_event_checkin.py."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from bot.testing import BotProcess, FakeDiscord
from bot.testing.store import StoreHandle
from tests.e2e.test_events import create, event_id, local

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


def qr_text(png: bytes) -> str:
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.text


async def test_questions_modal_then_answers_in_csv(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(
        fake, "Study Jam With Questions", questions="University or company?; ML experience?;"
    )
    opened = await fake.click("alice", ann, label="Going")
    assert opened.modal is not None
    labels = [c["components"][0]["label"] for c in opened.modal["components"]]
    assert labels == ["University or company?", "ML experience?"]
    # nothing is stored until the form is submitted
    info = await fake.slash("alice", "event info", event=event_id(ann))
    assert "Not registered" in info.text
    done = await fake.submit_modal("alice", opened, {"q0": "NUST", "q1": "some"})
    assert "You're in — seat 1" in done.content
    result = await fake.slash(
        "admin", "event attendees", event=event_id(ann), options={"format": "csv"}
    )
    (_, data), *_ = result.files.items()
    (row,) = list(csv.DictReader(io.StringIO(data.decode())))
    assert row["University or company?"] == "NUST" and row["ML experience?"] == "some"
    assert row["standing"] == "good"


async def test_bad_questions_are_refused(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    before = store.dump()
    for questions, says in [
        ("a?; b?; c?; d?; e?", "4"),
        ("a?;; b?", "empty"),
        ("x" * 46, "45"),
    ]:
        res = await fake.slash(
            "admin",
            "event create",
            options={
                "title": "Q",
                "city": "Lahore",
                "starts": local(timedelta(days=1)),
                "questions": questions,
            },
        )
        assert res.ephemeral and says in res.content and "Created" not in res.content
    assert store.dump() == before


async def test_ticket_dm_qr_checkin_and_stats(bot: BotProcess, fake: FakeDiscord) -> None:
    ann = await create(fake, "Door Night", starts=local(timedelta(hours=2)), capacity=2)
    eid = event_id(ann)
    await fake.click("bob", ann, label="Going")
    dm = await fake.wait_for_dm("bob", lambda m: "Your ticket for **Door Night**" in m.content)
    (png,) = dm.files.values()
    code = dm.content.split("**")[3]
    assert qr_text(png) == code and len(code) == 9 and code[4] == "-"
    again = await fake.slash("bob", "event ticket", event=eid)
    assert code in again.content and again.ephemeral and again.files

    await fake.click("carol", ann, label="Going")
    await fake.click("owner", ann, label="Going")  # waitlisted: no ticket
    none = await fake.slash("owner", "event ticket", event=eid)
    assert "#1 on the waitlist" in none.content

    refused = await fake.slash("alice", "event checkin", event=eid, code=code)
    assert "Only organizers" in refused.content or "volunteer" in refused.content.lower()
    by_code = await fake.slash("admin", "event checkin", event=eid, code=code.lower())
    assert "✅" in by_code.content and "Bob" in by_code.content and code in by_code.content
    twice = await fake.slash("admin", "event checkin", event=eid, options={"member": "bob"})
    assert "already checked in" in twice.content
    walk_in = await fake.slash("admin", "event checkin", event=eid, options={"member": "owner"})
    assert "walk-in" in walk_in.content and "waitlist" in walk_in.content
    bogus = await fake.slash("admin", "event checkin", event=eid, code="ZZZZ-ZZZZ")
    assert bogus.ephemeral and "✅" not in bogus.content

    # leaving voids the ticket, and the door says why
    await fake.click("carol", ann, label="Can't go")
    carol_dm = await fake.wait_for_dm("carol", lambda m: "Door Night" in m.content)
    carol_code = carol_dm.content.split("**")[3]
    void = await fake.slash("admin", "event checkin", event=eid, code=carol_code)
    assert "✅" not in void.content and "void" in void.content.lower()

    stats = await fake.slash("admin", "event stats", event=eid)
    await stats.wait_final()  # a slow first chart is answered "thinking…" first
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert fields["Checked in"] == "2" and fields["Walk-ins"] == "1"
    assert fields["No-shows"] == "after it ends"
    # The curve as a picture beside the figures, with words for it.
    (chart,) = stats.attachments
    assert chart.filename == f"event-{eid}-checkins.png" and stats.ephemeral
    image = Image.open(io.BytesIO(chart.content))
    assert image.format == "PNG" and image.size == (800, 450)
    assert chart.description is not None
    assert chart.description.startswith("Chart of the check-ins at “Door Night”")
    assert "2 checked in (1 with a seat, 1 walk-in) of 2 going" in chart.description
    assert "Busiest 15 minutes: " in chart.description
    quiet = await create(fake, "Quiet Door", starts=local(timedelta(hours=3)))
    no_chart = await fake.slash("admin", "event stats", event=event_id(quiet))
    await no_chart.wait_final()
    assert no_chart.attachments == []
    assert "no check-ins yet" in no_chart.text
    member_stats = await fake.slash("alice", "event stats", event=eid)
    assert "Only organizers" in member_stats.content


async def test_feedback_after_the_event(
    bot: BotProcess, fake: FakeDiscord, store: StoreHandle
) -> None:
    ann = await create(fake, "Feedback Evening", starts=local(timedelta(hours=2)))
    eid = event_id(ann)
    await fake.click("carol", ann, label="Going")
    await fake.slash("admin", "event checkin", event=eid, options={"member": "carol"})
    await bot.stop()
    now = int(time.time())  # the event took place and ended two hours ago
    store.execute(
        "UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?",
        (now - 4 * 3600, now - 2 * 3600, int(eid)),
    )
    await bot.start()
    dm = await fake.wait_for_dm(
        "carol",
        # the feedback request, not the ticket DM (which has buttons too)
        lambda m: (
            "Feedback Evening" in m.content
            and any(b.get("label") == "Give feedback" for b in m.buttons)
        ),
        timeout=15,
    )
    form = await fake.click("carol", dm, label="Give feedback")
    assert form.modal is not None
    thanks = await fake.submit_modal("carol", form, {"rating": "4", "comment": "Loved it"})
    assert "Thank you" in thanks.content
    second = await fake.click("carol", dm, label="Give feedback")
    assert second.modal is None and second.ephemeral  # once per attendee
    report = await fake.slash("admin", "event feedback", event=eid)
    assert "1 answer(s), average 4.0 / 5" in report.content
    (text,) = report.files.values()
    assert b"Loved it" in text and b"Carol" not in text


async def test_nothing_unknown_or_over_the_limits(bot: BotProcess, fake: FakeDiscord) -> None:
    assert fake.unknown_routes == []
    assert fake.limit_violations == []


async def test_volunteers_check_in_and_nothing_more(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.add_member("volunteer1", roles=["Volunteer"])
    ann = await create(fake, "Volunteer Door", starts=local(timedelta(hours=1)))
    eid = event_id(ann)
    await fake.click("alice", ann, label="Going")
    before = await fake.slash("volunteer1", "event checkin", event=eid, options={"member": "alice"})
    assert "volunteer" in before.content.lower() and "✅" not in before.content
    set_role = await fake.slash("admin", "settings volunteer-role", options={"role": "Volunteer"})
    assert "<@&1101>" in set_role.content
    ok = await fake.slash("volunteer1", "event checkin", event=eid, options={"member": "alice"})
    assert "✅" in ok.content
    for command, options in [
        ("event stats", {"event": eid}),
        ("event attendees", {"event": eid}),
        ("event cancel", {"event": eid}),
    ]:
        refused = await fake.slash("volunteer1", command, options=options)
        assert "Only organizers can do this" in refused.content
    # who checks in is decided by Manage Server alone
    refused = await fake.slash(
        "volunteer1", "settings volunteer-role", options={"role": "Volunteer"}
    )
    assert "Only members with the Manage Server permission" in refused.content


async def test_no_show_policy_setting(bot: BotProcess, fake: FakeDiscord) -> None:
    on = await fake.slash("admin", "settings no-show-policy", options={"limit": 2, "window": 5})
    assert "2 or more no-shows in their last 5 events" in on.content
    bad = await fake.slash("admin", "settings no-show-policy", options={"limit": 6, "window": 5})
    assert bad.ephemeral and "2 or more" not in bad.content
    shown = await fake.slash("alice", "settings show")
    assert "2 or more no-shows" in shown.text
    off = await fake.slash("admin", "settings no-show-policy", options={"limit": 0})
    assert "off" in off.content


async def test_leaving_the_server_releases_seats(bot: BotProcess, fake: FakeDiscord) -> None:
    await fake.add_member("leaver")
    await fake.add_member("waiter")
    ann = await create(fake, "Leave Release", capacity=1)
    await fake.click("leaver", ann, label="Going")
    await fake.click("waiter", ann, label="Going")
    await fake.remove_member("leaver")
    dm = await fake.wait_for_dm("waiter", lambda m: "seat opened up" in m.content, timeout=10)
    assert "Leave Release" in dm.content and dm.files
    info = await fake.slash("waiter", "event info", event=event_id(ann))
    assert "Going — seat 1" in info.text
