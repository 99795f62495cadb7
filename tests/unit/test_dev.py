"""dev.py, the set-up script: `run` opens the playground when no token is set."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_run_without_a_token_opens_the_playground(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec and spec.loader
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    ran: list[tuple[str, ...]] = []
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev, "ensure_venv", lambda extras: None)
    monkeypatch.setattr(dev, "run", lambda *args: ran.append(args) or 0)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    dev.main(["run"])
    (tmp_path / ".env").write_text("DISCORD_TOKEN=\nLOG_LEVEL=INFO\n")
    dev.main(["run"])
    (tmp_path / ".env").write_text("DISCORD_TOKEN='abc.def'\n")
    dev.main(["run"])
    assert ran == [
        ("-m", "bot.testing.playground"),
        ("-m", "bot.testing.playground"),
        ("-m", "bot"),
    ]
