"""Events and RSVPs: commands, announcement buttons, reminders."""

from bot.events import EventService
from cogs._app import CommunityBot
from cogs.events._cog import EventsCog
from cogs.events._views import FeedbackButton, FeedbackModal, QuestionsModal, RsvpButton


async def setup(bot: CommunityBot) -> None:
    events = EventService(bot.db, bot.guild_settings)
    bot.events = events
    bot.persistent_items.extend([RsvpButton, FeedbackButton])
    cog = EventsCog(bot, events)
    bot.forms.register(QuestionsModal.TEMPLATE, cog.submit_questions)
    bot.forms.register(FeedbackModal.TEMPLATE, cog.submit_feedback)
    await bot.add_cog(cog)
