"""The vocabulary of interactions: the fake's errors, interaction and callback types, which
callbacks each interaction type accepts, and the attachment size limit announced with them."""

from __future__ import annotations


class FakeDiscordError(AssertionError):
    """A test asked the fake for something Discord would not allow or could not do."""


class InteractionTimeout(FakeDiscordError):
    """The bot did not answer an interaction in time."""


class InteractionType:
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType:
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


ALLOWED_CALLBACKS: dict[int, tuple[int, ...]] = {
    InteractionType.APPLICATION_COMMAND: (4, 5, 9),
    InteractionType.MESSAGE_COMPONENT: (4, 5, 6, 7, 9),
    InteractionType.AUTOCOMPLETE: (8,),
    InteractionType.MODAL_SUBMIT: (4, 5, 6, 7),
}

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
