"""Signed links: a round trip works; tampering, expiry, another page or garbage never do;
revoking a key makes its older links fail, on both stores; privacy covers member keys."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot import privacy
from bot.config import ConfigError
from bot.db import Database
from bot.web.links import BadLink, LinkRevocations, LinkSigner
from bot.web.secret import load_or_create

if TYPE_CHECKING:
    from conftest import FakeClock

SECRET = b"s" * 32
T = 1_800_000_000


def signer(now: float = T, secret: bytes = SECRET) -> LinkSigner:
    return LinkSigner(secret, clock=lambda: now)


def test_a_signed_link_verifies_to_its_subject_until_it_expires() -> None:
    token = signer().sign("door", {"event_id": 12, "gen": 0, "who": "v"}, T + 60)
    assert token.isascii() and all(c.isalnum() or c in "-_." for c in token)
    assert signer(T + 59).verify("door", token) == {"event_id": 12, "gen": 0, "who": "v"}
    with pytest.raises(BadLink, match="expired"):
        signer(T + 60).verify("door", token)


def test_a_link_for_one_page_never_opens_another() -> None:
    token = signer().sign("calendar", {"user_id": 7}, T + 60)
    with pytest.raises(BadLink):
        signer().verify("door", token)


def test_another_secret_refuses_the_link() -> None:
    token = signer().sign("door", {"event_id": 1}, T + 60)
    with pytest.raises(BadLink, match="signature"):
        signer(secret=b"t" * 32).verify("door", token)


def _reencode(body: dict[str, object]) -> str:
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_tampered_payload_or_signature_is_refused() -> None:
    token = signer().sign("door", {"event_id": 1}, T + 60)
    payload, signature = token.split(".")
    other = _reencode({"p": "door", "s": {"event_id": 2}, "e": T + 60})
    later = _reencode({"p": "door", "s": {"event_id": 1}, "e": T + 10**6})
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for bad in (f"{other}.{signature}", f"{later}.{signature}", f"{payload}.{flipped}"):
        with pytest.raises(BadLink):
            signer().verify("door", bad)


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "abc", "a.b.c", "!!!.???", "é.é", "x" * 5000, "eyJ9.", ".AAAA"],
)
def test_garbage_is_a_bad_link(garbage: str) -> None:
    with pytest.raises(BadLink):
        signer().verify("door", garbage)


def test_a_signed_but_unreadable_payload_is_a_bad_link() -> None:
    s = signer()
    for body in (b"not json", b"[]", b'{"p":"door","s":[],"e":1}', b'{"p":"door","s":{}}'):
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
        token = f"{payload}.{s.sign('x', {}, 1).split('.')[1]}"  # any signature: refused
        with pytest.raises(BadLink):
            s.verify("door", token)
        # signed properly over the junk: still refused, as unreadable
        mac = base64.urlsafe_b64encode(s._mac("door", payload)).rstrip(b"=").decode()
        with pytest.raises(BadLink, match="unreadable"):
            s.verify("door", f"{payload}.{mac}")


def test_the_signer_never_shows_its_secret_and_wants_a_long_one() -> None:
    assert "sss" not in repr(signer())
    with pytest.raises(ValueError, match="32 bytes"):
        LinkSigner(b"short")
    with pytest.raises(ValueError):
        signer().sign("door", {"flag": True}, T)  # bools are not ids


async def test_revoking_a_key_fails_its_older_links(db: Database, clock: FakeClock) -> None:
    revocations = LinkRevocations(db, clock=clock)
    assert await revocations.generation(900, "door", 12) == 0
    assert await revocations.revoke(900, "door", 12) == 1
    assert await revocations.revoke(900, "door", 12) == 2
    assert await revocations.generation(900, "door", 12) == 2
    # other keys, purposes and guilds keep theirs
    assert await revocations.generation(900, "door", 13) == 0
    assert await revocations.generation(900, "calendar", 12) == 0
    assert await revocations.generation(901, "door", 12) == 0
    assert await revocations.generation(900, "door", "12") == 2  # keys are text


async def test_privacy_exports_and_deletes_a_members_link_keys(
    db: Database, clock: FakeClock
) -> None:
    revocations = LinkRevocations(db, clock=clock)
    await revocations.revoke(900, "calendar", 7001)
    await revocations.revoke(901, "calendar", 7001)
    await revocations.revoke(900, "calendar", 7002)
    export = await privacy.export_member(db, {}, 900, 7001, now=T)
    rows = export["links"]["link_generations"]
    assert [(r["guild_id"], r["purpose"], r["link_key"]) for r in rows] == [
        (900, "calendar", "7001")
    ]
    results = await privacy.delete_member(db, {}, 900, 7001)
    assert results["links"] == 1
    assert await revocations.generation(900, "calendar", 7001) == 0
    assert await revocations.generation(901, "calendar", 7001) == 1  # another server's
    assert await revocations.generation(900, "calendar", 7002) == 1  # another member's


def test_the_generated_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "web_secret"
    first = load_or_create(path)
    assert len(first) == 32
    assert load_or_create(path) == first  # links survive a restart
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("not hex\n")
    with pytest.raises(ConfigError, match="delete the file"):
        load_or_create(path)
