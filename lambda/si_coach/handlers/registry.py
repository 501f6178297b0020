"""The one list of the skill's request handlers, in dispatch order, and the intents they answer.

Most handlers are imported with the skill. The questions asked mid-exercise (questions.py)
and the choices of today's routine (routine_choice.py, with the planner it calls) are loaded
on the first request for one of them, so a cold start that needs none of them does not pay
for loading them: their intents are named here, with the class that answers each, and
nowhere else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import partial

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name
from ask_sdk_model import Response

from si_coach.handlers import privacy, reminder, routine
from si_coach.handlers.base import CoachHandler


class LoadedOnFirstUse(CoachHandler):
    """Stands in for the handlers of a module loaded on first use: imports `module` on the
    first request for one of their intents. `handlers` maps each intent to the name of the
    class in `module` that answers it."""

    def __init__(self, module: str, handlers: Mapping[str, str]) -> None:
        self.module = module
        self.handlers = dict(handlers)
        self.INTENTS = tuple(self.handlers)

    def handle(self, handler_input: HandlerInput) -> Response:
        module = importlib.import_module(self.module)
        handler = getattr(module, self.handlers[get_intent_name(handler_input)])()
        return handler.handle(handler_input)


# The questions asked mid-exercise, and "what did you say".
QUESTIONS_ON_FIRST_USE = partial(
    LoadedOnFirstUse,
    "si_coach.handlers.questions",
    {
        "HoldTimeIntent": "HoldTimeHandler",
        "RepsLeftIntent": "RepsLeftHandler",
        "WhatsNextIntent": "WhatsNextHandler",
        "WhichSideIntent": "WhichSideHandler",
        "EquipmentIntent": "EquipmentHandler",
        "MissingEquipmentIntent": "MissingEquipmentHandler",
        "RoutineLengthIntent": "RoutineLengthHandler",
        "ExercisesLeftIntent": "ExercisesLeftHandler",
        "ThanksIntent": "ThanksHandler",
        "TooEasyIntent": "TooEasyHandler",
        "TiredIntent": "TiredHandler",
        "CanIUseIntent": "CanIUseHandler",
        "AMAZON.RepeatIntent": "PardonHandler",
    },
)

# A short routine, just the stretches, the full one, leaving an exercise out or putting it back.
ROUTINE_CHOICES_ON_FIRST_USE = partial(
    LoadedOnFirstUse,
    "si_coach.handlers.routine_choice",
    {
        "ShortRoutineIntent": "ShortRoutineHandler",
        "StretchesOnlyIntent": "StretchesOnlyHandler",
        "FullRoutineIntent": "FullRoutineHandler",
        "LeaveOutIntent": "LeaveOutHandler",
        "PutBackIntent": "PutBackHandler",
    },
)

# In dispatch order: the first that can handle a request answers it; the fallback answers
# whatever no other handler takes.
HANDLERS: tuple[Callable[[], CoachHandler], ...] = (
    routine.LaunchHandler,
    routine.RoutineEventHandler,
    routine.TellMeMoreHandler,
    reminder.SetReminderHandler,
    reminder.ChangeReminderHandler,
    reminder.WhenIsReminderHandler,
    reminder.StopReminderHandler,
    reminder.PermissionAnswerHandler,
    privacy.WhatDoYouKeepHandler,
    privacy.DeleteMyDataHandler,
    privacy.SkillDisabledHandler,
    routine.YesNoHandler,
    routine.OverviewHandler,
    routine.ListExercisesHandler,
    routine.HistoryHandler,
    routine.InjuredSideHandler,
    routine.PaceHandler,
    ROUTINE_CHOICES_ON_FIRST_USE,
    routine.HelpHandler,
    QUESTIONS_ON_FIRST_USE,
    routine.SessionEndedHandler,
    routine.FallbackHandler,
)
HANDLED_INTENTS = frozenset(name for make in HANDLERS for name in make().INTENTS)
