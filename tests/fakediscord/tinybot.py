"""A tiny discord.py bot that exercises the fake Discord (run as a separate process).

It reads the same environment variables as the real bot and patches discord.py the same
way: ``DISCORD_API_BASE`` → ``Route.BASE``, ``DISCORD_GATEWAY_URL`` → ``DEFAULT_GATEWAY``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import signal
import sys
from datetime import UTC, datetime, timedelta

import discord
import yarl
from discord import app_commands
from discord.ext import commands

TIMEZONES = ["Asia/Karachi", "Asia/Kolkata", "Europe/London", "America/New_York", "UTC"]
RSVPS: dict[int, int] = {}


class RsvpButton(discord.ui.DynamicItem[discord.ui.Button], template=r"rsvp:v1:(?P<id>\d+)"):
    def __init__(self, event_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="RSVP", style=discord.ButtonStyle.primary, custom_id=f"rsvp:v1:{event_id}"
            )
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        RSVPS[self.event_id] = RSVPS.get(self.event_id, 0) + 1
        await interaction.response.send_message(
            f"RSVP counted for {self.event_id} by {interaction.user.name}", ephemeral=True
        )
        assert interaction.message is not None
        await interaction.message.edit(content=f"RSVPs: {RSVPS[self.event_id]}")


class RevealView(discord.ui.View):
    @discord.ui.button(label="Reveal", custom_id="reveal", style=discord.ButtonStyle.success)
    async def reveal(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Revealed!", view=None)

    @discord.ui.button(label="Later", custom_id="later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="Deferred edit")


class PickView(discord.ui.View):
    @discord.ui.select(
        custom_id="pick",
        options=[discord.SelectOption(label=x, value=x.lower()) for x in ("Red", "Green")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"picked {select.values[0]}", view=None)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="who")
    async def who(self, interaction: discord.Interaction, select: discord.ui.UserSelect) -> None:
        await interaction.response.send_message(f"chose {select.values[0].name}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    topic = discord.ui.TextInput(label="Topic", custom_id="topic", max_length=50)
    body = discord.ui.TextInput(
        label="Body", custom_id="body", style=discord.TextStyle.paragraph, required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Thanks for {self.topic.value}: {self.body.value or '-'}", ephemeral=True
        )


class ProfileModal(discord.ui.Modal, title="Mentor profile"):
    bio = discord.ui.Label(
        text="Bio", component=discord.ui.TextInput(custom_id="bio", max_length=200)
    )
    track = discord.ui.Label(
        text="Track",
        component=discord.ui.Select(
            custom_id="track",
            options=[discord.SelectOption(label=x, value=x) for x in ("android", "web", "ai")],
        ),
    )
    buddy = discord.ui.Label(
        text="Buddy", component=discord.ui.UserSelect(custom_id="buddy", required=False)
    )
    public = discord.ui.Label(text="Public", component=discord.ui.Checkbox(custom_id="public"))
    cv = discord.ui.Label(
        text="CV", component=discord.ui.FileUpload(custom_id="cv", required=False)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.bio.component, discord.ui.TextInput)
        assert isinstance(self.track.component, discord.ui.Select)
        assert isinstance(self.buddy.component, discord.ui.UserSelect)
        assert isinstance(self.public.component, discord.ui.Checkbox)
        assert isinstance(self.cv.component, discord.ui.FileUpload)
        buddies = [u.name for u in self.buddy.component.values]
        files = [a.filename for a in self.cv.component.values]
        await interaction.response.send_message(
            f"bio={self.bio.component.value} track={self.track.component.values} "
            f"buddy={buddies} public={self.public.component.value} cv={files}",
            ephemeral=True,
        )


class Card(discord.ui.LayoutView):
    container = discord.ui.Container(
        discord.ui.TextDisplay("## I/O Extended"),
        discord.ui.TextDisplay("Saturday at NUST"),
        discord.ui.ActionRow(
            discord.ui.Button(label="Going", custom_id="card:going"),
        ),
        accent_colour=0x4285F4,
    )


class ModalButtonView(discord.ui.View):
    @discord.ui.button(label="Open form", custom_id="open-form")
    async def open_form(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(FeedbackModal())


class TinyBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(command_prefix="!", intents=intents)
        self.guild_id = int(os.environ["DEV_GUILD_ID"]) if os.environ.get("DEV_GUILD_ID") else None

    async def setup_hook(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.create_task(self.shutdown()))
        self.add_dynamic_items(RsvpButton)
        register(self.tree)
        if self.guild_id:
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        print(f"synced {len(synced)} commands", flush=True)

    async def shutdown(self) -> None:
        print("SIGTERM: closing", flush=True)
        await self.close()

    async def on_ready(self) -> None:
        print(f"ready as {self.user} in {len(self.guilds)} guilds", flush=True)

    async def on_member_remove(self, member: discord.Member) -> None:
        channel = discord.utils.get(member.guild.text_channels, name="general")
        if channel is not None:
            await channel.send(f"bye {member.name}")

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.roles != after.roles:
            print(f"roles of {after.name}: {[r.name for r in after.roles]}", flush=True)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        print(f"channel deleted: {channel.name}", flush=True)

    async def on_guild_role_delete(self, role: discord.Role) -> None:
        print(f"role deleted: {role.name}", flush=True)

    async def on_resumed(self) -> None:
        print("resumed", flush=True)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if self.user is not None and self.user.mentioned_in(message):
            await message.channel.send(f"you said: {message.content}")


settings = app_commands.Group(name="settings", description="Bot settings")
notify = app_commands.Group(name="notify", description="Notifications", parent=settings)


@settings.command(name="timezone", description="Set the time zone")
@app_commands.describe(name="IANA time zone")
async def settings_timezone(interaction: discord.Interaction, name: str) -> None:
    await interaction.response.send_message(f"Timezone set to {name}", ephemeral=True)


@settings_timezone.autocomplete("name")
async def tz_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=tz, value=tz) for tz in TIMEZONES if current.lower() in tz.lower()
    ][:25]


@notify.command(name="on", description="Turn notifications on")
async def notify_on(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
    await interaction.response.send_message(f"notifications on in #{channel.name}")


def register(tree: app_commands.CommandTree) -> None:
    tree.add_command(settings)

    @tree.command(name="ping", description="Replies pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @tree.command(name="echo", description="Echo options")
    async def echo(
        interaction: discord.Interaction,
        text: str,
        count: int,
        flag: bool,
        member: discord.Member,
        role: discord.Role,
        channel: discord.TextChannel,
        ratio: float = 0.5,
        color: app_commands.Range[int, 1, 3] = 1,
    ) -> None:
        await interaction.response.send_message(
            f"text={text} count={count} flag={flag} member={member.name} "
            f"member_roles={sorted(r.name for r in member.roles)} role={role.name} "
            f"channel={channel.name} ratio={ratio} color={color} "
            f"perms_manage_guild={interaction.permissions.manage_guild}"
        )

    @tree.context_menu(name="Whois")
    @app_commands.guild_only()
    async def whois(interaction: discord.Interaction, member: discord.Member) -> None:
        roles = sorted(r.name for r in member.roles if not r.is_default())
        await interaction.response.send_message(
            f"{member.name} roles={roles} asked_by={interaction.user.name}", ephemeral=True
        )

    @tree.command(name="secret", description="Ephemeral with buttons")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", view=RevealView(), ephemeral=True)

    @tree.command(name="panel", description="Channel message with buttons")
    async def panel(interaction: discord.Interaction) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        await interaction.channel.send("panel", view=RevealView())
        await interaction.response.send_message("panel posted", ephemeral=True)

    @tree.command(name="slow", description="Deferred with a follow-up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await asyncio.sleep(0.2)
        await interaction.followup.send("done slowly", ephemeral=True)
        await interaction.followup.send("second follow-up")

    @tree.command(name="slowedit", description="Deferred then edit original")
    async def slowedit(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await asyncio.sleep(0.1)
        await interaction.edit_original_response(content="edited original")

    @tree.command(name="announce", description="Post an RSVP message")
    async def announce(interaction: discord.Interaction, event_id: int) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(RsvpButton(event_id))
        assert isinstance(interaction.channel, discord.TextChannel)
        await interaction.channel.send(f"Event {event_id}", view=view)
        await interaction.response.send_message("posted", ephemeral=True)

    @tree.command(name="feedback", description="Open a modal")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @tree.command(name="profile", description="Modal with labels, selects, checkbox, file")
    async def profile(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ProfileModal())

    @tree.command(name="card", description="A components v2 message")
    async def card(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(view=Card())

    @tree.command(name="formbutton", description="Button that opens a modal")
    async def formbutton(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("form", view=ModalButtonView(), ephemeral=True)

    @tree.command(name="dm", description="DM a member")
    async def dm(interaction: discord.Interaction, member: discord.Member) -> None:
        try:
            await member.send("hello from bot", view=PickView())
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"DMs closed ({exc.code})", ephemeral=True)
        else:
            await interaction.response.send_message("sent", ephemeral=True)

    @tree.command(name="file", description="Send a file")
    async def file(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "here",
            file=discord.File(io.BytesIO(b"hello file"), filename="hello.txt"),
            embed=discord.Embed(title="Report", description="See attachment"),
        )

    @tree.command(name="upload", description="Send a file to the channel")
    async def upload(interaction: discord.Interaction, attachment: discord.Attachment) -> None:
        data = await attachment.read()
        assert isinstance(interaction.channel, discord.TextChannel)
        await interaction.channel.send(
            f"got {attachment.filename} ({len(data)} bytes)",
            file=discord.File(io.BytesIO(data[::-1]), filename="reversed.bin"),
        )
        await interaction.response.send_message("uploaded", ephemeral=True)

    @tree.command(name="toolong", description="Break the content limit")
    async def toolong(interaction: discord.Interaction) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        try:
            await interaction.channel.send("x" * 2001)
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"limit hit {exc.code}", ephemeral=True)
        else:
            await interaction.response.send_message("no limit?", ephemeral=True)

    @tree.command(name="bogus", description="Call an unknown route")
    async def bogus(interaction: discord.Interaction) -> None:
        client = interaction.client
        try:
            await client.http.request(discord.http.Route("GET", "/definitely/not/a/route"))
        except discord.NotFound as exc:
            await interaction.response.send_message(f"404 {exc.code}", ephemeral=True)

    @tree.command(name="grant", description="Give yourself a role")
    async def grant(interaction: discord.Interaction, role: discord.Role) -> None:
        assert isinstance(interaction.user, discord.Member)
        try:
            await interaction.user.add_roles(role)
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
        else:
            await interaction.response.send_message(f"granted {role.name}", ephemeral=True)

    @tree.command(name="edit", description="Send then edit a channel message")
    async def edit(interaction: discord.Interaction, text: str) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        msg = await interaction.channel.send(text)
        await msg.edit(content=text + " (edited)")
        await interaction.response.send_message("edited", ephemeral=True)

    @tree.command(name="pick", description="A select menu")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick one", view=PickView())

    @tree.command(name="thread", description="Private thread with a member")
    async def thread(interaction: discord.Interaction, member: discord.Member) -> None:
        assert isinstance(interaction.channel, discord.TextChannel)
        th = await interaction.channel.create_thread(
            name=f"mentor-{member.name}", type=discord.ChannelType.private_thread
        )
        await th.add_user(member)
        await th.send(f"welcome {member.mention}", allowed_mentions=discord.AllowedMentions.none())
        await interaction.response.send_message(f"thread {th.id}", ephemeral=True)

    @tree.command(name="event", description="Create a scheduled event")
    async def event(interaction: discord.Interaction, name: str) -> None:
        assert interaction.guild is not None
        start = datetime.now(UTC) + timedelta(days=1)
        ev = await interaction.guild.create_scheduled_event(
            name=name,
            start_time=start,
            end_time=start + timedelta(hours=2),
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location="NUST, Islamabad",
        )
        await interaction.response.send_message(f"event {ev.id}", ephemeral=True)

    @tree.command(name="admin", description="Admins only")
    @app_commands.default_permissions(manage_guild=True)
    async def admin(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("admin ok", ephemeral=True)

    @tree.command(name="nothing", description="Never answers")
    async def nothing(interaction: discord.Interaction) -> None:
        return None


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), stream=sys.stdout)
    if os.environ.get("DISCORD_API_BASE"):
        discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    if os.environ.get("DISCORD_GATEWAY_URL"):
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            os.environ["DISCORD_GATEWAY_URL"]
        )
    bot = TinyBot()
    bot.run(os.environ["DISCORD_TOKEN"], log_handler=None)


if __name__ == "__main__":
    main()
