"""Suggest as resource from a message: the first link as people paste it, the message as
the note (cut to its limit), and one clear sentence when there is no link."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.resources.from_message import NO_LINK, first_link, suggestion_from_message
from bot.resources.records import MAX_NOTE


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("see https://example.org/course.", "https://example.org/course"),
        ("two: http://a.example/x and https://b.example/y", "http://a.example/x"),
        ("<https://example.org/no-preview>", "https://example.org/no-preview"),
        ("[the course](https://example.org/c?a=1&b=2)", "https://example.org/c?a=1&b=2"),
        ("**https://example.org/bold**!", "https://example.org/bold"),
        ("||https://example.org/spoiler||", "https://example.org/spoiler"),
        ("(https://en.wikipedia.org/wiki/Transformer_(deep_learning))",
         "https://en.wikipedia.org/wiki/Transformer_(deep_learning)"),
        ("HTTPS://Example.org/Caps", "HTTPS://Example.org/Caps"),
    ],
)  # fmt: skip
def test_first_link_as_people_paste_it(text: str, link: str) -> None:
    assert first_link(text) == link


@pytest.mark.parametrize("text", [None, "", "no link here", "ftp://files.example/x", "https://"])
def test_no_link(text: str | None) -> None:
    assert first_link(text) is None
    with pytest.raises(InvalidInput) as refused:
        suggestion_from_message(text)
    assert str(refused.value) == NO_LINK


def test_the_message_is_the_note_collapsed_and_cut_to_its_limit() -> None:
    link, note = suggestion_from_message("Great  intro:\n https://example.org/intro \x00 <@123>")
    assert (link, note) == (
        "https://example.org/intro",
        "Great intro: https://example.org/intro <@123>",
    )
    long = "https://example.org/long " + "word " * 200
    _, cut = suggestion_from_message(long)
    assert cut is not None and len(cut) == MAX_NOTE and cut.endswith("…")
    assert suggestion_from_message(" <https://example.org/only> ") == (
        "https://example.org/only",
        None,
    )
