"""Turning a test's ``/name group sub option=value`` into an interaction's ``data``: the synced
command it names (:func:`resolve_command`), its option values converted and checked as the
Discord client would (:class:`OptionBuilder`, :func:`build_options`, with ``resolved`` users,
members, roles, channels and attachments) and nested under the subcommand chain
(:func:`wrap_chain`)."""

from __future__ import annotations

import mimetypes
from typing import Any

from ..world import FakeAttachment, World
from .kinds import FakeDiscordError


def _option_schema_lookup(options: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for o in options:
        if o.get("name") == name:
            return o
    return None


def resolve_command(
    world: World, guild_id: int | None, path: str
) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """Find a synced chat-input command by ``"name sub-group sub"``.

    Returns ``(command, [group, sub] names, leaf option schemas)``.
    """
    parts = path.strip().lstrip("/").split()
    if not parts:
        raise FakeDiscordError("empty command path")
    pools = []
    if guild_id is not None:
        pools.append(world.commands.get(guild_id, []))
    pools.append(world.commands.get(None, []))
    cmd = None
    for pool in pools:
        for c in pool:
            if c.get("name") == parts[0] and (c.get("type") or 1) == 1:
                cmd = c
                break
        if cmd is not None:
            break
    if cmd is None:
        known = sorted({c["name"] for pool in pools for c in pool if (c.get("type") or 1) == 1})
        where = f"guild {guild_id} or global" if guild_id is not None else "global"
        raise FakeDiscordError(
            f"no synced slash command /{parts[0]} ({where}); synced: {known}. "
            "Did the bot sync its commands (BotProcess.start waits for that by default)?"
        )
    options = cmd.get("options") or []
    chain: list[str] = []
    for part in parts[1:]:
        sub = _option_schema_lookup(options, part)
        if sub is None or sub.get("type") not in (1, 2):
            subs = [o["name"] for o in options if o.get("type") in (1, 2)]
            raise FakeDiscordError(
                f"/{' '.join([parts[0], *chain])} has no subcommand {part!r}; has: {subs}"
            )
        chain.append(part)
        options = sub.get("options") or []
    if any(o.get("type") in (1, 2) for o in options):
        subs = [o["name"] for o in options if o.get("type") in (1, 2)]
        raise FakeDiscordError(f"/{path} is a group; pick a subcommand: {subs}")
    return cmd, chain, options


class OptionBuilder:
    """Converts Python values to interaction option values + ``resolved`` data."""

    def __init__(self, world: World, guild_id: int | None, user_id: int, channel_id: int) -> None:
        self.world = world
        self.guild_id = guild_id
        self.user_id = user_id
        self.channel_id = channel_id
        self.resolved: dict[str, dict[str, Any]] = {}

    def _add(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = value

    def user(self, value: Any) -> int:
        uid = self.world.user(value)
        self._add("users", uid, self.world.user_payload(uid))
        if self.guild_id is not None and uid in self.world.guilds[self.guild_id].members:
            m = self.world.member_payload(
                self.guild_id,
                uid,
                with_user=False,
                channel_id=self.channel_id,
                with_permissions=True,
            )
            self._add("members", uid, m)
        return uid

    def role(self, value: Any) -> int:
        rid = self.world.role(value, guild=self.guild_id)
        role = self.world.get_role(rid)
        assert role is not None
        self._add("roles", rid, role.to_payload())
        return rid

    def channel(self, value: Any, allowed_types: list[int] | None) -> int:
        cid = self.world.channel(value, guild=self.guild_id)
        ch = self.world.channels[cid]
        if allowed_types and ch.type not in allowed_types:
            raise FakeDiscordError(
                f"channel {ch.name!r} has type {ch.type}; the option accepts types {allowed_types}"
            )
        data = self.world.channel_payload(cid, for_user=self.user_id)
        keep = (
            "id",
            "name",
            "type",
            "permissions",
            "parent_id",
            "thread_metadata",
            "guild_id",
            "owner_id",
            "topic",
            "position",
            "nsfw",
            "last_message_id",
            "flags",
        )
        self._add("channels", cid, {k: v for k, v in data.items() if k in keep})
        return cid

    def attachment(self, value: Any) -> int:
        if isinstance(value, FakeAttachment):
            att = value
        elif isinstance(value, tuple) and len(value) in (2, 3):
            filename, content = value[0], value[1]
            ctype = value[2] if len(value) == 3 else None
            if isinstance(content, str):
                content = content.encode()
            att = self._fake_attachment(filename, content, ctype)
        else:
            raise FakeDiscordError(
                "attachment options take (filename, bytes[, content_type]) or a FakeAttachment"
            )
        self._add("attachments", att.id, att.to_payload())
        return att.id

    def _fake_attachment(self, filename: str, content: bytes, ctype: str | None) -> FakeAttachment:
        world = self.world
        aid = world.snowflakes.next()
        ctype = ctype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        att = FakeAttachment(
            id=aid,
            filename=filename,
            content=content,
            content_type=ctype,
            url=f"{world.cdn_base}/attachments/{self.channel_id}/{aid}/{filename}",
            ephemeral=True,
        )
        world.attachments[aid] = att
        return att

    def convert(self, schema: dict[str, Any], value: Any, *, focused: bool = False) -> Any:
        t = schema.get("type")
        name = schema.get("name")
        if focused:
            return str(value) if t in (3, 4, 10) or value is None else value
        if t == 3:
            if not isinstance(value, str):
                value = str(value)
            lo, hi = schema.get("min_length"), schema.get("max_length")
            if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
                raise FakeDiscordError(
                    f"option {name!r}: length {len(value)} outside [{lo}, {hi}] "
                    "(Discord would not let the user send it)"
                )
        elif t == 4:
            if isinstance(value, bool) or not isinstance(value, int):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise FakeDiscordError(
                        f"option {name!r} needs an integer, got {value!r}"
                    ) from None
            self._check_range(schema, value)
        elif t == 10:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise FakeDiscordError(f"option {name!r} needs a number, got {value!r}") from None
            self._check_range(schema, value)
        elif t == 5:
            if not isinstance(value, bool):
                raise FakeDiscordError(f"option {name!r} needs a bool, got {value!r}")
        elif t == 6:
            return str(self.user(value))
        elif t == 7:
            return str(self.channel(value, schema.get("channel_types")))
        elif t == 8:
            return str(self.role(value))
        elif t == 9:
            try:
                return str(self.user(value))
            except LookupError:
                return str(self.role(value))
        elif t == 11:
            return str(self.attachment(value))
        choices = schema.get("choices")
        if choices and t in (3, 4, 10):
            values = [c.get("value") for c in choices]
            if value not in values:
                by_name = {c.get("name"): c.get("value") for c in choices}
                if value in by_name:
                    return by_name[value]
                raise FakeDiscordError(
                    f"option {name!r}: {value!r} is not one of the choices {values}"
                )
        return value

    @staticmethod
    def _check_range(schema: dict[str, Any], value: float) -> None:
        lo, hi = schema.get("min_value"), schema.get("max_value")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise FakeDiscordError(
                f"option {schema.get('name')!r}: {value} outside [{lo}, {hi}] "
                "(Discord would not let the user send it)"
            )


def build_options(
    builder: OptionBuilder,
    schemas: list[dict[str, Any]],
    values: dict[str, Any],
    *,
    focused: str | None = None,
    focused_value: Any = None,
    path: str = "",
) -> list[dict[str, Any]]:
    names = {s["name"] for s in schemas}
    unknown = [k for k in values if k not in names]
    if focused is not None and focused not in names:
        unknown.append(focused)
    if unknown:
        raise FakeDiscordError(
            f"/{path} has no option(s) {unknown}; options: {[s['name'] for s in schemas]}"
        )
    out: list[dict[str, Any]] = []
    for s in schemas:
        n = s["name"]
        if n == focused:
            if not s.get("autocomplete"):
                raise FakeDiscordError(f"option {n!r} of /{path} has no autocomplete")
            out.append(
                {
                    "type": s["type"],
                    "name": n,
                    "value": builder.convert(s, focused_value, focused=True),
                    "focused": True,
                }
            )
            continue
        if n not in values or values[n] is None:
            if s.get("required") and focused is None:
                raise FakeDiscordError(f"/{path}: required option {n!r} is missing")
            continue
        out.append({"type": s["type"], "name": n, "value": builder.convert(s, values[n])})
    return out


def wrap_chain(chain: list[str], cmd: dict[str, Any], leaf: list[dict[str, Any]]) -> list:
    """Nest leaf options inside subcommand-group / subcommand options."""
    options = leaf
    schemas = cmd.get("options") or []
    types = []
    for name in chain:
        s = _option_schema_lookup(schemas, name)
        assert s is not None
        types.append(s["type"])
        schemas = s.get("options") or []
    for name, t in reversed(list(zip(chain, types, strict=True))):
        options = [{"type": t, "name": name, "options": options}]
    return options
