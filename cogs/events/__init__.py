"""Events and RSVPs: commands, announcement buttons and forms, reminders and the door.

`setup()` is the feature's composition root: it builds each part once, passes each its
collaborators, and registers what the bot routes to them (outbox renderers, persistent
buttons, forms, the feature itself, whose timers start when the cog loads).
"""

from bot.events import EventService
from bot.events.roles import KIND as ROLE_SYNC
from cogs._app import CommunityBot
from cogs.events._announce import Announcements
from cogs.events._calendar import add_calendar_route
from cogs.events._checkin import CheckInPick
from cogs.events._cog import EventsCog
from cogs.events._doorweb import DoorWeb
from cogs.events._feature import EventsFeature
from cogs.events._modals import FeedbackModal, QuestionsModal
from cogs.events._notify import EventNotices
from cogs.events._roles import EventRoles
from cogs.events._threads import EventThreadKeeper
from cogs.events._timers import EventTimers
from cogs.events._views import FeedbackButton, RsvpButton, ticket_view


async def setup(bot: CommunityBot) -> None:
    events = EventService(bot.db, bot.guild_settings)
    threads = EventThreadKeeper(bot, events)
    announcements = Announcements(bot, events, threads)
    roles = EventRoles(bot, events)
    feature: EventsFeature
    timers = EventTimers(
        bot.scheduler,
        events,
        wake=bot.delivery.kick,
        apply=lambda change: feature.apply(change),  # the feature is built just below
        announce=lambda made: feature.announce_made(made),
        shards=bot.scope,
        archive=threads.archive,
        reminded=bot.metrics.reminders_sent.inc,
    )
    feature = EventsFeature(
        events,
        announcements=announcements,
        timers=timers,
        deliverer=bot.delivery,
        cooldowns=bot.cooldowns,
        signals=bot.signals,
        ticket_view=ticket_view,
    )
    EventNotices(events).register(bot.delivery)
    bot.delivery.register(ROLE_SYNC, roles.sync)
    bot.persistent_items.extend([RsvpButton, FeedbackButton, CheckInPick])
    bot.forms.register(QuestionsModal.TEMPLATE, feature.submit_questions)
    bot.forms.register(FeedbackModal.TEMPLATE, feature.submit_feedback)
    bot.features.add(feature)
    door_web = DoorWeb(bot, events, bot.languages)
    door_web.register()  # before the web server starts, which is after every cog loaded
    add_calendar_route(bot, events, bot.languages)
    await bot.add_cog(
        EventsCog(
            bot,
            feature,
            announcements=announcements,
            timers=timers,
            roles=roles,
            door_web=door_web,
        )
    )
