"""The fake's own layout: small modules that say what they own, classes composed of parts that
do not shadow each other, the old import paths, and worlds pickled before the split.

The fake is one package per concern (``world/``, ``server/``, ``rest/``, ``gateway/``,
``interactions/``, ``limits/``); ``FakeDiscord`` and ``World`` are composed of mixins, where a
method defined in two parts would silently hide one of them.
"""

from __future__ import annotations

import ast
import importlib
import pickle
from pathlib import Path

import pytest

import bot.testing.fakediscord as fakediscord
from bot.testing.fakediscord import world as world_pkg
from bot.testing.fakediscord.server.changes import WorldChanges
from bot.testing.fakediscord.server.commands import CommandHelpers
from bot.testing.fakediscord.server.components import ComponentHelpers
from bot.testing.fakediscord.server.core import FakeCore
from bot.testing.fakediscord.server.modals import ModalHelpers
from bot.testing.fakediscord.server.reading import StateReading
from bot.testing.fakediscord.world.payloads import Payloads
from bot.testing.fakediscord.world.permissions import PermissionRules

PACKAGE = Path(fakediscord.__file__).parent
MAX_LINES = 400

# Names imported from the modules the packages replaced, by tests, the playground and the fake.
OLD_PATHS = {
    "world": [
        "P",
        "ChannelType",
        "Intents",
        "MessageFlags",
        "DISCORD_EPOCH_MS",
        "iso",
        "SnowflakeGenerator",
        "FakeUser",
        "FakeRole",
        "Overwrite",
        "FakeChannel",
        "FakeMember",
        "FakeAttachment",
        "FakeMessage",
        "FakeScheduledEvent",
        "FakeGuild",
        "Application",
        "parse_mentions",
        "apply_allowed_mentions",
        "World",
    ],
    "server": ["FakeDiscord", "UserRef", "ChannelRef"],
    "gateway": ["Gateway", "GatewayConnection", "GatewaySession", "Op", "ReceivedOp"],
    "interactions": [
        "FakeDiscordError",
        "InteractionTimeout",
        "InteractionType",
        "CallbackType",
        "ALLOWED_CALLBACKS",
        "ATTACHMENT_SIZE_LIMIT",
        "InteractionResult",
        "OptionBuilder",
        "resolve_command",
        "build_options",
        "wrap_chain",
        "find_user",
        "base_payload",
    ],
    "limits": [
        "Problem",
        "form_errors",
        "check_embeds",
        "check_components",
        "check_message",
        "is_empty_message",
        "check_modal",
        "check_choices",
        "valid_chat_input_name",
        "check_commands",
        "CONTENT_MAX",
        "EMBED_TOTAL_MAX",
        "CUSTOM_ID_MAX",
        "COMMAND_TOTAL_CHARS_MAX",
    ],
}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_small_and_says_what_it_owns() -> None:
    too_long = {}
    undocumented = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES:
            too_long[str(path.relative_to(PACKAGE))] = text.count("\n")
        if not ast.get_docstring(ast.parse(text)):
            undocumented.append(str(path.relative_to(PACKAGE)))
    assert too_long == {}
    assert undocumented == []


@pytest.mark.parametrize("module", sorted(OLD_PATHS))
def test_old_module_paths_still_export_their_names(module: str) -> None:
    mod = importlib.import_module(f"bot.testing.fakediscord.{module}")
    assert [n for n in OLD_PATHS[module] if not hasattr(mod, n)] == []


def parts_clash(parts: list[type]) -> dict[str, list[str]]:
    """Names (not dunders) defined by more than one of ``parts``."""
    owners: dict[str, list[str]] = {}
    for part in parts:
        for name in vars(part):
            if not (name.startswith("__") and name.endswith("__")):
                owners.setdefault(name, []).append(part.__name__)
    return {n: o for n, o in owners.items() if len(o) > 1}


def test_fake_discord_parts_define_each_name_once() -> None:
    parts = [
        FakeCore,
        StateReading,
        CommandHelpers,
        ComponentHelpers,
        ModalHelpers,
        WorldChanges,
        fakediscord.FakeDiscord,
    ]
    assert set(fakediscord.FakeDiscord.__mro__) >= set(parts)
    # FakeCore declares the state FakeDiscord.__init__ sets: annotations, not class attributes.
    assert parts_clash(parts) == {}


def test_world_parts_define_each_name_once() -> None:
    # Payloads declares ``permissions`` for the type checker only (it is PermissionRules').
    assert "permissions" not in vars(Payloads)
    assert parts_clash([PermissionRules, Payloads, fakediscord.World]) == {}


def test_a_world_pickled_under_the_old_module_path_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The playground saves its World with pickle; saves from before the split name every class
    ``bot.testing.fakediscord.world.<Name>``, which the package re-exports."""
    w = fakediscord.World.default()
    w.add_channel("saved")
    for name in world_pkg.__all__:
        obj = getattr(world_pkg, name)
        if isinstance(obj, type):
            monkeypatch.setattr(obj, "__module__", world_pkg.__name__)
    blob = pickle.dumps(w)
    monkeypatch.undo()
    assert b"bot.testing.fakediscord.world.world" not in blob
    loaded = pickle.loads(blob)
    assert type(loaded) is fakediscord.World
    assert type(loaded.guild()) is fakediscord.FakeGuild
    assert loaded.channel("saved") == w.channel("saved")
    assert loaded.permissions(loaded.guild_id, loaded.user("alice"), loaded.channel("saved"))
