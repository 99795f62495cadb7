"""Mentorship messages from the outbox, the private threads, and the timers
(proposal expiry, 14-day check-ins, scheduled rounds) rebuilt from the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import outbox
from bot.errors import DomainError
from bot.mentorship import Match, MentorshipService, threads
from cogs._common import NO_PINGS, truncate
from cogs.mentorship._embeds import joined, profile_embed, request_embed
from cogs.mentorship._views import checkin_view, proposal_view

if TYPE_CHECKING:
    from cogs._app import CommunityBot

log = logging.getLogger(__name__)
TIMER_JOB = "mentorship:timers"


def round_job_id(guild_id: int) -> str:
    return f"mentorship:round:{guild_id}"


class MentorshipNotices:
    def __init__(self, bot: CommunityBot, service: MentorshipService) -> None:
        self.bot = bot
        self.service = service
        self._introducing: set[int] = set()  # match ids being introduced right now
        self._startup: asyncio.Task[None] | None = None
        for kind, renderer in {
            "mentorship.proposal": self._proposal,
            "mentorship.rerouted": self._rerouted,
            "mentorship.no_mentor": self._no_mentor,
            "mentorship.declined": self._declined,
            "mentorship.expired": self._expired,
            "mentorship.withdrawn": self._withdrawn,
            "mentorship.matched": self._matched,
            "mentorship.ended": self._ended,
            "mentorship.checkin": self._checkin,
        }.items():
            bot.delivery.register(kind, renderer)
        bot.scheduler.add_rebuilder("mentorship", self.rebuild)

    # --- timers -------------------------------------------------------------
    async def rebuild(self) -> int:
        count = 0
        for plan in await self.service.round_plans():
            self.schedule_round(plan.guild_id, plan.schedule.trigger())
            if plan.overdue:
                self.bot.scheduler.at(
                    f"{round_job_id(plan.guild_id)}:catch-up", 0, self.run_round, plan.guild_id
                )
            count += 1
        await self.arm_timers()
        # Threads need the channel cache, which fills only once connected.
        self._startup = asyncio.create_task(self._introduce_missing(), name="mentorship-intros")
        return count + 1

    async def _introduce_missing(self) -> None:
        """Matches left without their intro (a restart, or a crash mid-way): finish each."""
        await self.bot.wait_until_ready()
        missing = await self.service.matches_missing_intro()
        for match in missing:
            try:
                await self.introduce(match)
            except Exception:
                log.exception("could not introduce mentorship #%s at start-up", match.id)
        log.info("mentorship intros finished at start-up: %d", len(missing))

    def stop(self) -> None:
        if self._startup is not None:
            self._startup.cancel()

    def schedule_round(self, guild_id: int, trigger: Any) -> None:
        self.bot.scheduler.every(round_job_id(guild_id), trigger, self.run_round, guild_id)

    async def reschedule_round(self, guild_id: int) -> None:
        plan = await self.service.round_plan(guild_id)
        self.schedule_round(guild_id, plan.schedule.trigger())

    async def run_round(self, guild_id: int) -> None:
        try:
            summary = await self.service.run_scheduled_round(guild_id)
        except Exception:
            log.exception("scheduled mentorship round for guild %s failed", guild_id)
            return
        if summary is not None:
            log.info("mentorship round in %s: %d proposal(s)", guild_id, summary.matched)
        await self.after_change()

    async def arm_timers(self) -> None:
        """Wake at the earliest proposal expiry or check-in (safe to call any time)."""
        due = await self.service.next_timer_at()
        if due is None:
            self.bot.scheduler.cancel(TIMER_JOB)
        else:
            self.bot.scheduler.at(TIMER_JOB, due, self.run_timers)

    async def run_timers(self) -> None:
        try:
            await self.service.run_timers()
        except Exception:
            log.exception("mentorship timers failed; trying again at the next start-up")
            return
        await self.after_change()

    async def after_change(self) -> None:
        """Something was decided: send what is owed and re-arm the timers."""
        self.bot.delivery.kick()
        await self.arm_timers()

    # --- threads --------------------------------------------------------------
    async def introduce(self, match: Match) -> None:
        """A private thread in the mentorship channel with both, else the intro by DM.
        Safe to repeat, also after a crash half-way: bot/mentorship/threads.py records each
        step, so the thread is made once and the intro posted once."""
        if match.id in self._introducing:
            return
        self._introducing.add(match.id)
        try:
            await self._introduce(match)
        finally:
            self._introducing.discard(match.id)

    async def _introduce(self, match: Match) -> None:
        plan = await threads.begin(self.service, match.id)
        if plan.step == "done":
            return
        settings = await self.service.settings(match.guild_id)
        channel = self.bot.get_channel(settings.channel_id) if settings.channel_id else None
        if isinstance(channel, discord.TextChannel):
            try:
                await self._in_thread(match, channel, plan)
                return
            except discord.HTTPException as exc:
                log.warning("could not make a thread for match %s: %s", match.id, exc)
                problem = (
                    f"I couldn't make the private thread of mentorship #{match.id} in "
                    f"<#{channel.id}> ({truncate(exc.text or str(exc.status), 100)}), so the "
                    "pair got their introduction by DM. Check that I can Create Private "
                    "Threads and Send Messages in Threads there."
                )
                await threads.intro_by_dm(self.service, match.id, problem)
                self.bot.delivery.kick()
                return
        await threads.intro_by_dm(self.service, match.id)
        self.bot.delivery.kick()

    async def _in_thread(
        self, match: Match, channel: discord.TextChannel, plan: threads.ThreadPlan
    ) -> None:
        thread: discord.Thread | None = None
        if plan.thread_id is not None:
            thread = await self._thread_by_id(plan.thread_id)
        elif plan.step == "find":  # asked Discord before: it may have made it
            thread = await self._find_thread(channel, match.id)
        made_now = thread is None
        if thread is not None and thread.archived:  # e.g. the bot was down for days
            thread = await thread.edit(archived=False)
        if thread is None:
            thread = await channel.create_thread(
                name=threads.thread_name(match),
                type=discord.ChannelType.private_thread,
                invitable=False,
            )
        await threads.record_thread(self.service, match.id, thread.id)
        for member_id in (match.mentor_id, match.mentee_id):
            if member_id:
                await thread.add_user(discord.Object(member_id))
        if made_now or not await self._intro_posted(thread):
            view = await self.service.match_view(match.id)
            await thread.send(**self._intro(view), allowed_mentions=NO_PINGS)
        await threads.record_intro(self.service, match.id)

    async def _thread_by_id(self, thread_id: int) -> discord.Thread | None:
        found = self.bot.get_channel(thread_id)
        if found is None:
            with contextlib.suppress(discord.NotFound, discord.Forbidden):
                found = await self.bot.fetch_channel(thread_id)
        return found if isinstance(found, discord.Thread) else None

    async def _find_thread(
        self, channel: discord.TextChannel, match_id: int
    ) -> discord.Thread | None:
        """The match's thread, by its name: among the server's active threads, then the
        channel's archived private threads the bot is in."""
        for thread in await channel.guild.active_threads():
            if threads.is_thread_of(thread.name, match_id):
                return thread
        with contextlib.suppress(discord.HTTPException):
            async for thread in channel.archived_threads(private=True, joined=True, limit=200):
                if threads.is_thread_of(thread.name, match_id):
                    return thread
        return None

    async def _intro_posted(self, thread: discord.Thread) -> bool:
        """Whether the bot already wrote in a thread made before (the intro is its only
        message; "added to the thread" notices are system messages). Without Read Message
        History the answer is no: a possible repeat beats a pair with no intro."""
        me = self.bot.user
        try:
            async for message in thread.history(limit=20):
                if me is not None and message.author.id == me.id:
                    if message.type == discord.MessageType.default:
                        return True
        except discord.HTTPException as exc:
            log.warning("could not read thread %s to see if the intro is there: %s", thread.id, exc)
        return False

    def _intro(self, view: Any) -> dict[str, Any]:
        match = view.match
        lines = [
            f"Welcome, <@{match.mentor_id}> (mentor) and <@{match.mentee_id}> (mentee)!",
            f"**Shared topics:** {truncate(joined(match.topics), 600)}",
        ]
        if view.request and view.request.goal:
            lines.append(f"**Goal:** {truncate(view.request.goal, 300)}")
        # Both name every shared topic: 25 topics of 50 characters would pass 2,000.
        lines.append(f"**A first step:** {truncate(view.first_step, 600)}")
        lines.append("End it any time with `/mentorship end`.")
        return {"content": "\n".join(lines)}

    # --- renderers ------------------------------------------------------------
    async def _proposal(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        try:
            view = await self.service.proposal_view(int(item.payload["proposal_id"]), item.user_id)
        except DomainError:
            return None
        proposal = view.proposal
        if proposal.status != "pending":
            return None
        reasons = "\n".join(f"• {r}" for r in proposal.reasons) or "—"
        if item.payload.get("role") == "mentor":
            text = "A member would like you as their mentor. Here is what they asked for:"
            embed = request_embed(view.request) if view.request else None
        else:
            text = "I found you a mentor! Here is their profile:"
            embed = profile_embed(view.mentor) if view.mentor else None
        due = proposal.expires_at
        text += (
            f"\n**Why this match:**\n{reasons}\nAnswer by <t:{due}:f> (<t:{due}:R>); "
            "when both of you accept, I'll introduce you."
        )
        return {"content": text, "embed": embed, "view": proposal_view(proposal.id)}

    async def _rerouted(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        why = {"declined": "couldn't take you on", "expired": "didn't answer in time"}.get(
            item.payload.get("reason", ""), "is no longer available"
        )
        return {
            "content": f"The mentor I proposed {why}, so I've asked the next best match "
            "for you straight away. You'll get their profile in a separate message."
        }

    async def _no_mentor(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        return {
            "content": "The mentor I proposed isn't available, and nobody else with a free "
            "place fits your request right now. Your request stays open for the next round."
        }

    async def _declined(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        return {
            "content": f"The member declined mentorship proposal #{item.payload['proposal_id']}."
            " Your place is free again. Thank you for offering!"
        }

    async def _expired(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        return {
            "content": f"Mentorship proposal #{item.payload['proposal_id']} expired after 72 "
            "hours without both answers; the request went to another mentor."
        }

    async def _withdrawn(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        why = (
            "the member left the server"
            if item.payload.get("reason") == "member_left"
            else "the member no longer needs it"
        )
        return {
            "content": f"Mentorship proposal #{item.payload['proposal_id']} was withdrawn: "
            f"{why}. Nothing to do."
        }

    async def _matched(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        try:
            view = await self.service.match_view(int(item.payload["match_id"]), item.user_id)
        except DomainError:
            return None
        return self._intro(view)

    async def _ended(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        reason = item.payload.get("reason")
        why = {
            "mentor_left": "your mentor stopped mentoring",
            "data_deleted": "the other member removed their data",
            "member_left": "the other member left the server",
        }.get(reason or "", "the other side ended it")
        return {
            "content": f"Mentorship #{item.payload['match_id']} has ended: {why}. "
            "Thank you! You can ask for a new mentor with `/mentee request`."
        }

    async def _checkin(self, item: outbox.OutboxItem) -> dict[str, Any] | None:
        match_id = int(item.payload["match_id"])
        try:
            match = await self.service.get_match(match_id)
        except DomainError:
            return None
        if not match.active:
            return None
        return {
            "content": f"It's been two weeks of mentorship #{match_id} "
            f"({joined(match.topics)}). How is it going?",
            "view": checkin_view(match_id),
        }
