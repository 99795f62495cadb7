"""The starter catalogue file: enough entries, each well-formed, no duplicate pages."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from bot.resources.starter import STARTER_PATH, load_starter
from bot.resources.urls import check_url
from bot.taxonomy import DEFAULT_TOPICS, LEVELS


def test_file_is_plain_json_with_the_expected_keys() -> None:
    data = json.loads(STARTER_PATH.read_text(encoding="utf-8"))
    for item in data["resources"]:
        assert set(item) == {"title", "url", "topic", "level", "description"}


def test_at_least_thirty_entries() -> None:
    assert len(load_starter()) >= 30


def test_every_entry_is_well_formed() -> None:
    for e in load_starter():
        assert e.topic in DEFAULT_TOPICS, e
        assert e.level in LEVELS, e
        assert e.title.strip() == e.title and 0 < len(e.title) <= 200, e
        assert 0 < len(e.description) <= 200 and "\n" not in e.description, e
        parts = urlsplit(e.url)
        assert parts.scheme == "https" and parts.hostname and not parts.fragment, e
        assert check_url(e.url).url == e.url


def test_no_duplicate_pages() -> None:
    canonicals = [check_url(e.url).canonical for e in load_starter()]
    assert len(canonicals) == len(set(canonicals))
    titles = [e.title.casefold() for e in load_starter()]
    assert len(titles) == len(set(titles))


def test_every_default_topic_and_level_is_covered() -> None:
    entries = load_starter()
    assert {e.topic for e in entries} == set(DEFAULT_TOPICS)
    assert {e.level for e in entries} == set(LEVELS)
