"""Thin handlers for choosing today's routine: a short one, just the stretches, the full one,
and leaving an exercise out or putting it back (dialogue/routine_choice.py does the work)."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from si_coach.alexa.request import resolved_slot_id, slot_value
from si_coach.dialogue.routine_choice import (
    back_to_full_routine,
    leave_out,
    minutes_heard,
    put_back,
    start_chosen_routine,
)
from si_coach.dialogue.turn import CoachTurn
from si_coach.handlers.base import CoachHandler
from si_coach.routine.plan import PlanKind
from si_coach.voice.speech import SpeechPlan


class ShortRoutineHandler(CoachHandler):
    INTENTS = ("ShortRoutineIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        minutes = minutes_heard(slot_value(handler_input, "minutes"))
        return start_chosen_routine(turn, PlanKind.TIMED, minutes)


class StretchesOnlyHandler(CoachHandler):
    INTENTS = ("StretchesOnlyIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return start_chosen_routine(turn, PlanKind.STRETCHES, None)


class FullRoutineHandler(CoachHandler):
    INTENTS = ("FullRoutineIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return back_to_full_routine(turn)


class LeaveOutHandler(CoachHandler):
    INTENTS = ("LeaveOutIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return leave_out(turn, resolved_slot_id(handler_input, "exercise"))


class PutBackHandler(CoachHandler):
    INTENTS = ("PutBackIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return put_back(turn, resolved_slot_id(handler_input, "exercise"))
