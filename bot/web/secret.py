"""The web secret that signs links: WEB_SECRET, or one generated once into the data folder.

Generated with `secrets.token_bytes(32)` on the first start with WEB_PORT set, written as
hex to a file only its owner can read, and read back on every later start, so links stay
good across restarts. Several processes (DATABASE_URL) must share WEB_SECRET instead:
bot/config.py refuses to start without it then.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.config import ConfigError

SECRET_BYTES = 32


def load_or_create(path: Path) -> bytes:
    """The secret in `path`, made first if the file doesn't exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:  # first start: nobody can have read it before it is whole (O_EXCL, 0600)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_bytes(SECRET_BYTES).hex() + "\n")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < SECRET_BYTES:
        raise ConfigError(
            f"the web secret in {path} is damaged: delete the file to make a new one "
            "(links sent so far stop working), or set WEB_SECRET."
        )
    return secret
