"""Request handlers of the user's data (privacy.py): "what do you keep about me", "delete
my data" (its yes or no is answered by YesNoHandler, from repair.QUESTIONS), and the
out-of-session AlexaSkillEvent.SkillDisabled. Registered in registry.py.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response

from si_coach.alexa.events import SKILL_DISABLED
from si_coach.dialogue.privacy import (
    ask_to_forget,
    forget_disabled_user,
    what_is_kept,
)
from si_coach.dialogue.turn import CoachTurn, progress_store_of
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


class SkillDisabledHandler(CoachHandler):
    """The user disabled the skill: out of session, no speech; their record is deleted."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) == SKILL_DISABLED

    def handle(self, handler_input: HandlerInput) -> Response:
        forget_disabled_user(progress_store_of(handler_input), handler_input.request_envelope)
        return handler_input.response_builder.response
