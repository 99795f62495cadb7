"""The check-in chart of /event stats: a PNG Pillow opens, of the size promised, and alt
text that says in words what it shows; no chart before anyone checked in."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PIL import Image

from bot.events import EventService, EventStats, checkin_chart
from bot.events.chart import DPI, MAX_ALT_TEXT, SIZE, describe

if TYPE_CHECKING:  # conftest is pytest's to import; this is for the type only
    from conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]
G = 1000
KARACHI = ZoneInfo("Asia/Karachi")


async def door_night(service: EventService, clock: FakeClock, title: str = "Door Night") -> int:
    """Going 4 of capacity 5, then check-ins over three slots, one of them empty:
    09:30 two with a seat, 10:00 one with a seat and one walk-in (Karachi time)."""
    event = await service.catalogue.create(
        G, 1, title=title, city="Lahore", starts="2026-07-26 10:00", capacity=5
    )
    for user in (10, 11, 12, 13):
        await service.seats.rsvp(G, event.id, user)
    checkins = [(-1800, 10), (-1000, 11), (60, 12), (120, 50)]
    for offset, user in checkins:
        clock.set(event.starts_at + offset)
        await service.door.check_in(G, event.id, by_user_id=2, member_id=user)
    return event.id


async def test_the_chart_is_a_png_with_words_for_it(
    event_service: EventService, clock: FakeClock
) -> None:
    eid = await door_night(event_service, clock)
    stats = await event_service.door.stats(G, eid)
    chart = checkin_chart(stats, KARACHI)
    assert chart is not None and chart.filename == f"event-{eid}-checkins.png"
    image = Image.open(io.BytesIO(chart.png))
    assert image.format == "PNG"
    assert image.size == (int(SIZE[0] * DPI), int(SIZE[1] * DPI))  # 800 × 450
    image.verify()
    # Not a blank canvas: the bars and panels put many colours on it.
    colours = Image.open(io.BytesIO(chart.png)).convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20
    assert chart.alt_text == (
        "Chart of the check-ins at “Door Night”, 26 Jul 2026, 09:30 to 10:15 (Asia/Karachi). "
        "4 checked in (3 with a seat, 1 walk-in) of 4 going. "
        "Busiest 15 minutes: 09:30 to 09:45, 2 check-ins. "
        "Top: checked in so far, walk-ins stacked on seat holders, against a dashed line at "
        "the number going. Bottom: check-ins per 15 minutes. A dotted line marks the start."
    )


async def test_no_check_ins_no_chart(event_service: EventService) -> None:
    event = await event_service.catalogue.create(
        G, 1, title="Quiet", city="Lahore", starts="2026-07-26 10:00"
    )
    assert checkin_chart(await event_service.door.stats(G, event.id), KARACHI) is None


async def test_titles_are_plain_text_and_long_spans_show_dates(
    event_service: EventService, clock: FakeClock
) -> None:
    # `$…$` would be matplotlib's mathtext; a script DejaVu lacks draws boxes, not errors.
    title = "Earn $5 and $10 — 数据 ﷺ " + "x" * 75
    eid = await door_night(event_service, clock, title=title)
    event = await event_service.catalogue.get(G, eid)
    clock.set(event.starts_at - 3 * 86400)  # an organizer checked a speaker in days early
    await event_service.door.check_in(G, eid, by_user_id=1, member_id=13, organizer=True)
    stats = await event_service.door.stats(G, eid)
    assert len(stats.curve) > 250  # 15-minute slots over three days
    chart = checkin_chart(stats, KARACHI)
    assert chart is not None
    assert Image.open(io.BytesIO(chart.png)).size == (800, 450)
    assert "”, 23 Jul 2026 10:00 to 26 Jul 2026 10:15 (Asia/Karachi)." in chart.alt_text
    assert "Busiest 15 minutes: 26 Jul 09:30 to 09:45, 2 check-ins." in chart.alt_text
    assert "5 checked in (4 with a seat, 1 walk-in) of 4 going" in chart.alt_text
    assert "“Earn $5 and $10 — 数据 ﷺ xxx" in chart.alt_text and "x…”" in chart.alt_text


def test_alt_text_stays_within_discords_limit() -> None:
    from bot.events import Event

    starts = 1_785_042_000  # 26 Jul 2026 10:00 in Karachi
    event = Event(
        id=1, guild_id=G, title="T" * 100, city="Lahore", venue=None, description=None,
        starts_at=starts, ends_at=starts + 3 * 3600, capacity=None, channel_id=None,
        message_id=None, role_id=None, organizer_id=1, status="scheduled", cancel_reason=None,
        scheduled_event_id=None, sequence=0, created_at=0, updated_at=0,
    )  # fmt: skip
    one = EventStats(event, 1, 0, 1, 0, None, 0, ((starts, 1),), False, (0,))
    text = describe(one, KARACHI)
    assert len(text) <= MAX_ALT_TEXT and "1 checked in (1 with a seat, 0 walk-ins)" in text
    assert "Busiest 15 minutes: 10:00 to 10:15, 1 check-in." in text
    # Stats from before walk-ins were counted per slot draw them all as seat holders.
    older = dataclasses.replace(one, curve_walk_ins=())
    assert "(1 with a seat, 0 walk-ins)" in describe(older, KARACHI)


def test_matplotlib_is_not_imported_until_a_chart_is_drawn() -> None:
    """The bot's start-up doesn't pay for it: importing the events and their cogs leaves
    matplotlib out."""
    code = (
        "import sys, bot.events, cogs.events, cogs.events._door, cogs.help;"
        "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
