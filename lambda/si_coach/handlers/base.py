"""The base of the skill's request handlers: each names the intents it answers and turns a
request into speech; the base settles the session after every answer (repair.py).

Handlers live in their topics' modules (routine.py, questions.py, reminder.py, privacy.py);
all build on CoachHandler from here, and registry.py lists them in dispatch order.
"""

from __future__ import annotations

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
