"""The playground in a real browser: a newcomer runs an event from announcement to
reminder through the page alone, as the organizer, as members and as the volunteer."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import ROOT, PlaygroundProcess

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
IDS = {"fatima": "2002", "ali": "2003", "nadia": "2004", "omar": "2013", "usman": "2011",
       "zainab": "2012", "bilal": "2008"}  # fmt: skip
SCREENSHOT = ROOT / "docs" / "playground.png"


def in_karachi(hours: float) -> str:
    """A start `hours` from now as an organizer in Lahore types it (the playground's clock
    is the real one until the test travels)."""
    return (datetime.now(ZoneInfo("Asia/Karachi")) + timedelta(hours=hours)).strftime(
        "%Y-%m-%d %H:%M"
    )


async def be(page: Page, member: str) -> None:
    await page.select_option("[data-testid=member-switcher]", IDS[member])


async def open_channel(page: Page, name: str) -> None:
    await page.click(f"[data-testid=channel][data-channel-name='{name}']")
    await expect(page.locator("[data-testid=channel-header]")).to_contain_text(name)


async def open_dm(page: Page) -> None:
    await page.click("[data-testid=dm]")
    await expect(page.locator("[data-testid=channel-header]")).to_contain_text("GDG Bot")


async def command(page: Page, path: str, **options: str) -> None:
    """Type `/path`, pick it, fill the options (adding optional ones) and send."""
    composer = page.locator("[data-testid=composer]")
    await composer.click()
    await composer.fill(f"/{path}")
    await page.click(f"[data-testid=command-suggestion][data-command='{path}']")
    for name, value in options.items():
        field = page.locator(f"[data-testid=option][data-option-name='{name}']")
        if not await field.count():
            await page.click(f"[data-testid=add-option][data-option-name='{name}']")
        await fill_option(field, value)
    await page.click("[data-testid=send]")


async def fill_option(field: Locator, value: str) -> None:
    select = field.locator("select")
    if await select.count():
        await select.select_option(label=value)
    else:
        await field.locator("input, textarea").first.fill(value)


def field(modal: Locator, field_id: str) -> Locator:
    return modal.locator(f"[data-testid=modal-field][data-field-id={field_id}]").locator(
        "input, textarea"
    )


def message(page: Page, text: str) -> Locator:
    return page.locator("[data-testid=message]", has_text=text).last


async def test_the_demo_server_is_there(page: Page) -> None:
    await be(page, "fatima")
    await open_channel(page, "lahore-events")
    announcement = message(page, "Google I/O Extended Lahore")
    await expect(announcement.locator("[data-testid=embed-title]")).to_have_text(
        "Google I/O Extended Lahore"
    )
    await expect(announcement.locator("[data-testid=embed]")).to_contain_text("4/8 going")
    for label in ("Going", "Can't go", "Add to calendar"):
        await expect(
            announcement.locator("[data-testid=component-button]", has_text=label)
        ).to_be_visible()
    # only organizers (and the bot) see #organizers
    await expect(
        page.locator("[data-testid=channel][data-channel-name=organizers]")
    ).to_be_visible()
    await be(page, "omar")
    await expect(page.locator("[data-testid=channel][data-channel-name=organizers]")).to_have_count(
        0
    )


async def test_screenshot(page: Page) -> None:
    """The README's picture, taken here (before the tests below change the demo):
    `python3 dev.py screenshot` rewrites the committed docs/playground.png; the suite
    itself writes it only to a temp file."""
    await be(page, "fatima")
    await open_channel(page, "lahore-events")
    announcement = message(page, "Google I/O Extended Lahore")
    await expect(announcement.locator("[data-testid=embed]")).to_contain_text("4/8 going")
    target = (
        SCREENSHOT
        if os.environ.get("UPDATE_SCREENSHOT")
        else Path(os.environ.get("TMPDIR", "/tmp")) / "playground-screenshot.png"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(target))
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


async def test_create_rsvp_ephemeral_form_ticket_autocomplete_and_time_travel(
    page: Page, playground: PlaygroundProcess
) -> None:
    await be(page, "fatima")
    await open_channel(page, "lahore-events")
    await command(
        page, "event create", title="Flutter Forward Lahore", city="Lahore",
        starts=in_karachi(hours=30), capacity="2",
    )  # fmt: skip
    created = message(page, "Created Flutter Forward Lahore")
    await expect(page.locator("[data-testid=message]", has_text="Created")).to_have_count(1)
    await expect(created.locator("[data-testid=ephemeral-note]")).to_have_text(
        "Only you can see this"
    )
    announcement = page.locator(
        "[data-testid=message]", has=page.locator("[data-testid=embed-title]", has_text="Flutter")
    )
    await expect(announcement.locator("[data-testid=embed]")).to_contain_text("0/2 going")

    # members click Going: the seat count moves; each reply is only for its member
    await be(page, "omar")
    await announcement.locator("[data-testid=component-button]", has_text="Going").click()
    await expect(message(page, "You're in — seat 1 of 2")).to_be_visible()
    await expect(
        message(page, "You're in — seat 1 of 2").locator("[data-testid=ephemeral-note]")
    ).to_be_visible()
    await expect(announcement.locator("[data-testid=embed]")).to_contain_text("1/2 going")
    await be(page, "usman")
    await expect(page.locator("[data-testid=message]", has_text="You're in")).to_have_count(0)
    await expect(page.locator("[data-testid=message]", has_text="Created")).to_have_count(0)

    # a registration form (the I/O Extended event asks two questions)
    io = page.locator(
        "[data-testid=message]",
        has=page.locator("[data-testid=embed-title]", has_text="Google I/O Extended Lahore"),
    )
    await io.locator("[data-testid=component-button]", has_text="Going").click()
    modal = page.locator("[data-testid=modal]")
    await expect(modal.locator("[data-testid=modal-title]")).to_have_text("Register")
    await field(modal, "q0").fill("UET Lahore")
    await field(modal, "q1").fill("robots")
    await modal.locator("[data-testid=modal-submit]").click()
    await expect(modal).to_be_hidden()
    await expect(message(page, "You're in — seat 5 of 8")).to_be_visible()
    await expect(io.locator("[data-testid=embed]")).to_contain_text("5/8 going")

    # the ticket, with its QR code, in the member's DMs
    await open_dm(page)
    ticket = message(page, "Your ticket for Google I/O Extended Lahore")
    await expect(ticket.locator("[data-testid=attachment-image]")).to_be_visible()
    assert await ticket.locator("[data-testid=attachment-image]").evaluate(
        "img => img.complete && img.naturalWidth > 50"
    )

    # autocomplete comes from the bot as the member types
    await open_channel(page, "lahore-events")
    composer = page.locator("[data-testid=composer]")
    await composer.fill("/event info")
    await page.click("[data-testid=command-suggestion][data-command='event info']")
    await page.locator("[data-testid=option][data-option-name=event] input").fill("flutter")
    choice = page.locator("[data-testid=option-choice]", has_text="Flutter Forward Lahore")
    await expect(choice).to_be_visible()
    await choice.click()
    await page.click("[data-testid=send]")
    await expect(message(page, "Not registered")).to_be_visible()

    # a day ahead: the reminder DM for Omar's event
    await page.click("[data-testid=travel-1d]")
    await expect(page.locator("[data-testid=status]")).to_contain_text("ready", timeout=60_000)
    await be(page, "omar")
    await open_dm(page)
    await expect(message(page, "Reminder: Flutter Forward Lahore")).to_be_visible(timeout=20_000)
