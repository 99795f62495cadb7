"""The demo server the playground opens on: GDG Lahore, with its channels, roles and
people. Only who and where lives here; everything the bot knows (settings, the I/O
Extended event, RSVPs, mentors, the resource library) is seeded through the bot's own
commands (seed.py), so it can never drift from the schema."""

from __future__ import annotations

from dataclasses import dataclass

from bot.testing import Overwrite, P, World

GUILD_ID = 1000
OWNER = "hira"
ORGANIZER = "fatima"
VOLUNTEER = "ali"


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    roles: tuple[str, ...] = ()
    about: str = ""  # shown in the "You are" switcher


PEOPLE = (
    Person(OWNER, "Hira", (), "server owner"),
    Person(ORGANIZER, "Fatima", ("Organizer",), "organizer"),
    Person(VOLUNTEER, "Ali", ("Volunteer",), "volunteer at the door"),
    Person("nadia", "Nadia", ("Mentor",), "mentor: ML, NLP (Urdu, English)"),
    Person("kamran", "Kamran", ("Mentor",), "mentor: Deep Learning, MLOps"),
    Person("saad", "Saad", ("Mentor",), "mentor: Computer Vision"),
    Person("ayesha", "Ayesha", (), "student, FAST Lahore"),
    Person("bilal", "Bilal", (), "Flutter developer"),
    Person("hamza", "Hamza", (), "data analyst"),
    Person("sara", "Sara", (), "student, LUMS"),
    Person("usman", "Usman", (), "backend engineer"),
    Person("zainab", "Zainab", (), "new to AI, prefers Urdu"),
    Person("omar", "Omar", (), "student, UET"),
)
CHANNELS = (
    "general",
    "announcements",
    "lahore-events",
    "islamabad-events",
    "ai-learning",
    "mentorship",
)


def demo_world() -> World:
    """GDG Lahore: roles Organizer, Volunteer, Mentor and I/O Attendee; public channels
    and #organizers, which only organizers (and the bot) can see."""
    w = World(app_name="GDG Bot")
    for i, person in enumerate(PEOPLE):
        w.add_user(person.username, id=2001 + i, global_name=person.name)
    w.application.owner_id = w.user(OWNER)
    g = w.add_guild("GDG Lahore", id=GUILD_ID, owner=OWNER)
    w.add_role("I/O Attendee", guild=g.id, id=1105, position=1, color=0x4285F4)
    w.add_role("Mentor", guild=g.id, id=1106, position=1, color=0x34A853)
    w.add_role("Volunteer", guild=g.id, id=1101, position=2, color=0xFBBC04)
    w.add_role("Organizer", guild=g.id, id=1102, position=3, color=0xEA4335)
    w.add_role(
        "GDG Bot",
        guild=g.id,
        id=1104,
        permissions=P.BOT_DEFAULT,
        position=5,
        managed=True,
        bot_id=w.application.bot_user_id,
    )
    for i, name in enumerate(CHANNELS):
        w.add_channel(name, guild=g.id, id=1201 + i)
    can = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY
    w.add_channel(
        "organizers",
        guild=g.id,
        id=1290,
        overwrites=[
            Overwrite(g.id, 0, deny=P.VIEW_CHANNEL),
            Overwrite(1102, 0, allow=can),
            Overwrite(1104, 0, allow=can),
        ],
    )
    g.system_channel_id = 1201
    w.add_member(w.application.bot_user_id, guild=g.id, roles=["GDG Bot"])
    for person in PEOPLE:
        w.add_member(person.username, guild=g.id, roles=list(person.roles))
    return w
