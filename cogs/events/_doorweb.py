"""The door page's web side: the signed link `/event door` DMs, and its routes.

Every route that shows or changes member data verifies the link (purpose "door", its
expiry and the event's revocation generation) and, at that moment, that the member who
asked for it is still an organizer or volunteer of the server (from the bot's member
cache); anything else gets the core's plain 403 and nothing more. Check-ins go through
`Door.check_in`, like `/event checkin`.

Language: the JSON a route answers (its titles and sentences) is in the language of the
member the link was made for, as their replies in Discord are; the page's own labels
(static/door/) are English.

CSRF: the token is in the path, no cookie is ever set or read, and POSTs take JSON only,
so another site can neither ride a volunteer's session nor post a form here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from aiohttp import web

from bot.events.doorpage import MAX_QUERY, DoorDesk, ScanAnswer, link_expiry, search
from bot.events.models import Event
from bot.i18n import N_, _, speaking, strip_marks
from bot.languages import Languages
from bot.web.links import BadLink
from cogs.web._server import forbidden

if TYPE_CHECKING:
    from bot.events import EventService
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)

PURPOSE = "door"
STATIC = Path(__file__).parent / "static" / "door"
# What /static/door/ serves: code and style only, the same for everyone.
STATIC_FILES = {
    "door.js": "application/javascript",
    "door.css": "text/css",
    "vendor/jsQR.js": "application/javascript",
}
MAX_BODY = 1024  # a code or a member id in JSON: far less than this
MAX_CODE = 64
_STATUS_LABEL = {"going": N_("going"), "waitlist": N_("waitlisted")}
NOT_CHECKED_IN = N_("Not checked in")


@dataclass(frozen=True)
class DoorVisit:
    """A good link, used by a member who may still check people in."""

    guild: discord.Guild
    event_id: int
    by: discord.Member
    organizer: bool  # organizers check in at any time; volunteers inside the window


def revocation_key(event_id: int) -> str:
    return f"event:{event_id}"  # not a bare number: keys that are numbers are member ids


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers={"Cache-Control": "no-store"})


def _refusal(sentence: str, status: int = 400) -> web.Response:
    return _json(
        {"ok": False, "outcome": "refused", "title": _(NOT_CHECKED_IN), "detail": sentence}, status
    )


class DoorWeb:
    def __init__(
        self, bot: CommunityBot, events: EventService, languages: Languages | None = None
    ) -> None:
        self.bot = bot
        self.events = events
        self.desk = DoorDesk(events.door, events.store)
        # Whose language the answers are in: the member the link was made for.
        self.languages = languages if languages is not None else Languages(events.store.db)

    def register(self) -> None:
        web_ = self.bot.web
        web_.add_route("GET", "/door/{token}", self.page)
        web_.add_route("GET", "/door/{token}/state", self.state)
        web_.add_route("POST", "/door/{token}/scan", self.scan)
        web_.add_route("GET", "/door/{token}/search", self.search)
        web_.add_route("POST", "/door/{token}/checkin", self.checkin)
        web_.add_route("GET", "/static/door/{name:[A-Za-z0-9_./-]+}", self.static)

    # --- links ---------------------------------------------------------------------------
    async def link(self, guild_id: int, event: Event, member_id: int) -> tuple[str, int]:
        """A door link for `member_id` and when it expires (see `link_expiry`)."""
        web_ = self.bot.web
        gen = await web_.revocations.generation(guild_id, PURPOSE, revocation_key(event.id))
        expires = link_expiry(event, await self.desk.timezone(guild_id))
        subject: dict[str, int | str] = {"g": guild_id, "e": event.id, "m": member_id, "gen": gen}
        token = web_.signer.sign(PURPOSE, subject, expires)
        return web_.url(f"/door/{token}"), expires

    async def revoke(self, guild_id: int, event_id: int) -> None:
        await self.bot.web.revocations.revoke(guild_id, PURPOSE, revocation_key(event_id))

    async def _visit(self, request: web.Request) -> DoorVisit | None:
        """The link's visit, or None: bad, expired, revoked, or its member no longer staff."""
        try:
            subject = self.bot.web.signer.verify(PURPOSE, request.match_info["token"])
            guild_id, event_id, member_id = (int(subject[k]) for k in ("g", "e", "m"))
            gen = int(subject["gen"])
        except (BadLink, KeyError, ValueError) as exc:
            log.info("door link refused: %s", exc if isinstance(exc, BadLink) else "bad subject")
            return None
        key = revocation_key(event_id)
        if gen != await self.bot.web.revocations.generation(guild_id, PURPOSE, key):
            log.info("door link refused: revoked")
            return None
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(member_id) if guild else None
        staff = await self.door_staff(member) if member is not None else None
        if guild is None or member is None or staff is None:
            log.info("door link refused: its member may no longer check members in")
            return None
        return DoorVisit(guild, event_id, member, organizer=staff == "organizer")

    async def _language(self, visit: DoorVisit) -> str:
        """The language of the member the link was made for (their choice, else the
        server's): the answers on their phone are in it, like their replies in Discord."""
        return await self.languages.of_member(visit.guild.id, visit.by.id)

    async def door_staff(self, member: discord.Member) -> str | None:
        """'organizer' (Manage Server or the organizer role), 'volunteer', or None: who may
        check members in, as for `/event checkin`."""
        config = await self.bot.guild_settings.get(member.guild.id)
        roles = {r.id for r in member.roles}
        if member.guild_permissions.manage_guild or config.organizer_role_id in roles:
            return "organizer"
        volunteer = await self.events.door.volunteer_role(member.guild.id)
        return "volunteer" if volunteer in roles else None

    # --- routes --------------------------------------------------------------------------
    async def page(self, request: web.Request) -> web.StreamResponse:
        visit = await self._visit(request)
        if visit is None:
            return forbidden()
        # The page itself is static (its data comes from the routes below); only this
        # response may use the camera.
        response = web.FileResponse(STATIC / "door.html")
        response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        response.headers["Cache-Control"] = "no-store"
        response.content_type = "text/html"
        return response

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        response = web.FileResponse(STATIC / name)
        response.content_type = STATIC_FILES[name]
        response.headers["Cache-Control"] = "public, max-age=3600"  # i18n: not translated
        return response

    async def state(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        if visit is None:
            return forbidden()
        event = await self.desk.event(visit.guild.id, visit.event_id)
        counts = await self.desk.counts(visit.guild.id, visit.event_id)
        return _json(
            {
                "title": event.title,
                "checked_in": counts.checked_in,
                "going": counts.going,
                "walk_ins": counts.walk_ins,
            }
        )

    async def scan(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        if visit is None:
            return forbidden()
        # The refusal a check-in raises is worded when raised: in the volunteer's language.
        with speaking(await self._language(visit)):
            body = await _json_body(request)
            if isinstance(body, web.Response):
                return body
            code = body.get("code")
            if isinstance(code, str):
                code = strip_marks(code)  # typed after copying it out of an Urdu message
            if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE:
                return _refusal(_("Send the ticket code as text, like K7QX-9M2P."))
            answer = await self.desk.scan(
                visit.guild.id,
                visit.event_id,
                by_user_id=visit.by.id,
                code=code,
                organizer=visit.organizer,
            )
            return await self._answer(visit, answer)

    async def checkin(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        if visit is None:
            return forbidden()
        with speaking(await self._language(visit)):
            body = await _json_body(request)
            if isinstance(body, web.Response):
                return body
            raw = body.get("user_id")
            user_id = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 21 else None
            if user_id is None or visit.guild.get_member(user_id) is None:
                # a refusal like an unknown code's (the request itself was well formed)
                return _refusal(_("That member is not in this server: search for them again."), 200)
            answer = await self.desk.admit(
                visit.guild.id,
                visit.event_id,
                by_user_id=visit.by.id,
                member_id=user_id,
                organizer=visit.organizer,
            )
            return await self._answer(visit, answer)

    async def search(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        if visit is None:
            return forbidden()
        query = request.query.get("q", "")[:MAX_QUERY]
        registrants, checked_in = await self.desk.registrants(visit.guild.id, visit.event_id)
        people = ((m.id, m.display_name) for m in visit.guild.members if not m.bot)
        found = search(people, registrants, checked_in, query)
        with speaking(await self._language(visit)):
            return _json(
                {
                    "found": [
                        {
                            "id": str(f.user_id),  # a string: JavaScript numbers lose snowflakes
                            "name": f.name,
                            "label": _label(f.status, f.checked_in),
                            "checked_in": f.checked_in,
                        }
                        for f in found
                    ]
                }
            )

    # --- rendering -----------------------------------------------------------------------
    def _name(self, guild: discord.Guild, user_id: int | None) -> str:
        member = guild.get_member(user_id) if user_id is not None else None
        return member.display_name if member else _("a member no longer in the server")

    async def _answer(self, visit: DoorVisit, answer: ScanAnswer) -> web.Response:
        guild = visit.guild
        counts = await self.desk.counts(guild.id, visit.event_id)
        data: dict[str, Any] = {
            "ok": answer.ok,
            "outcome": answer.outcome,
            "counts": {"checked_in": counts.checked_in, "going": counts.going},
        }
        name = self._name(guild, answer.member_id)
        if answer.outcome == "refused":
            data |= {"title": _(NOT_CHECKED_IN), "detail": answer.reason}
        elif answer.outcome == "already":
            tz = await self.desk.timezone(guild.id)
            at = datetime.fromtimestamp(answer.at or 0, tz).strftime("%H:%M")
            if answer.by_user_id:
                by = self._name(guild, answer.by_user_id)
                detail = _("at {at} by {by}", at=at, by=by)
            else:
                detail = _("at {at}", at=at)
            data |= {"title": _("Already checked in: {name}", name=name), "detail": detail}
        elif answer.outcome == "walk_in":
            if answer.status == "waitlist":
                detail = _("Walk-in (on the waitlist)")
            else:
                detail = _("Walk-in (no RSVP)")
            data |= {"title": _("Checked in: {name}", name=name), "detail": detail}
        else:
            data |= {
                "title": _("Checked in: {name}", name=name),
                "detail": _("Seat {seat}", seat=answer.seat),
            }
        return _json(data)


def _label(status: str | None, checked_in: bool) -> str:
    """A search result's place: going, waitlisted or a walk-in, and whether checked in."""
    place = _STATUS_LABEL.get(status or "")
    label = _(place) if place is not None else _("not registered: a walk-in")
    return _("{place} · checked in", place=label) if checked_in else label


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    """The request's JSON object, or the response refusing it (not JSON, too big)."""
    if request.content_type != "application/json":
        return _refusal(_("Send JSON (Content-Type: application/json)."), 415)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _refusal(_("That request is too big."), 413)
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return _refusal(_("That request is too big."), 413)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _refusal(_("That request is not valid JSON."))
    if not isinstance(body, dict):
        return _refusal(_("That request is not a JSON object."))
    return body
