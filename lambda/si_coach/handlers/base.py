"""The base of the skill's request handlers: each names the intents it answers and turns a
request into speech; the base settles the session after every answer (repair.py).

Handlers live in handlers.py and in their features' own modules (question_handlers.py);
all build on CoachHandler from here, so no feature module has to import handlers.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from si_coach.dialogue.repair import after_answer
from si_coach.dialogue.turn import CoachTurn
from si_coach.voice.speech import SpeechPlan


class CoachHandler(AbstractRequestHandler):
    """Base for the skill's handlers: each names the intents it answers in INTENTS."""

    INTENTS: tuple[str, ...] = ()
    # Repair turns (a miss, "what did you say") leave the question asked before them open.
    KEEPS_QUESTION = False
    # A miss counts towards more helpful answers; anything understood starts the count again.
    MISS = False

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input) and (
            get_intent_name(handler_input) in self.INTENTS
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = CoachTurn.of(handler_input)
        plan = self.answer(turn, handler_input)
        after_answer(turn, plan, keeps_question=self.KEEPS_QUESTION, missed=self.MISS)
        return turn.respond(plan)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        raise NotImplementedError


class LoadedOnFirstUse(CoachHandler):
    """Stands in for the handlers of a feature kept in a module of its own, and imports
    that module on the first request for one of their intents, so a cold start that needs
    none of them does not pay for loading them. `handlers` maps each intent to the name of
    the class in `module` that answers it."""

    def __init__(self, module: str, handlers: Mapping[str, str]) -> None:
        self.module = module
        self.handlers = dict(handlers)
        self.INTENTS = tuple(self.handlers)

    def handle(self, handler_input: HandlerInput) -> Response:
        module = importlib.import_module(self.module)
        handler = getattr(module, self.handlers[get_intent_name(handler_input)])()
        return handler.handle(handler_input)
