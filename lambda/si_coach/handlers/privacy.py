"""Request handlers of the user's data (privacy.py): "what do you keep about me", "delete
my data" with its confirmation, and the out-of-session AlexaSkillEvent.SkillDisabled.
Registered in registry.py.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, is_intent_name
from ask_sdk_model import Response

from si_coach.alexa.events import SKILL_DISABLED
from si_coach.dialogue.conversation import QuestionKind
from si_coach.dialogue.privacy import (
    ask_to_forget,
    forget_answered,
    forget_disabled_user,
    what_is_kept,
)
from si_coach.dialogue.turn import TURN_ATTRIBUTE, CoachTurn, progress_store_of
from si_coach.handlers.base import CoachHandler
from si_coach.voice.speech import SpeechPlan


class WhatDoYouKeepHandler(CoachHandler):
    INTENTS = ("WhatDoYouKeepIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return what_is_kept(turn)


class DeleteMyDataHandler(CoachHandler):
    INTENTS = ("DeleteMyDataIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return ask_to_forget(turn)


class DeleteMyDataAnswerHandler(CoachHandler):
    """Yes or no to "Shall I delete them?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not (
            is_intent_name("AMAZON.YesIntent")(handler_input)
            or is_intent_name("AMAZON.NoIntent")(handler_input)
        ):
            return False
        turn = handler_input.attributes_manager.request_attributes.get(TURN_ATTRIBUTE)
        return isinstance(turn, CoachTurn) and turn.pending_question() is QuestionKind.FORGET_DATA

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        store = progress_store_of(handler_input)
        return forget_answered(turn, store, handler_input.request_envelope, yes)


class SkillDisabledHandler(CoachHandler):
    """The user disabled the skill: out of session, no speech; their record is deleted."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) == SKILL_DISABLED

    def handle(self, handler_input: HandlerInput) -> Response:
        forget_disabled_user(progress_store_of(handler_input), handler_input.request_envelope)
        return handler_input.response_builder.response
