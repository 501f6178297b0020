"""The skill's request handlers: each turns a request into an engine event or a question,
and the outcome into speech. Thin by design: the engine decides, the voice speaks, and the
turn (turn.py) holds the user's progress.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name, is_request_type
from ask_sdk_model import Response

from si_coach.alexa.request import request_locale, resolved_slot_id, slot_was_heard
from si_coach.dialogue.conversation import (
    help_for,
    history_answer,
    launch_greeting,
    list_exercises,
    overview,
    pace_answer,
    prompt,
    side_answer,
)
from si_coach.dialogue.repair import after_answer, fallback_answer, yes_no_answer
from si_coach.dialogue.state import SESSION_MORE_ABOUT, QuestionKind
from si_coach.dialogue.turn import CoachTurn
from si_coach.handlers.base import CoachHandler
from si_coach.handlers.reminder import offer_after_routine, send_reminder_reply
from si_coach.routine.catalogue import Pace, Side
from si_coach.routine.outcomes import HowTo, UnknownExercise, WhichExercise
from si_coach.routine.pacing import Event, EventKind, Phase
from si_coach.voice.speaker import voice_for
from si_coach.voice.speech import SpeechPlan

log = logging.getLogger(__name__)

# Intents that are engine events, one to one.
ROUTINE_EVENTS = {
    "StartRoutineIntent": EventKind.START,
    "AMAZON.NextIntent": EventKind.NEXT,
    "AMAZON.PreviousIntent": EventKind.PREVIOUS,
    # Only "do that set again" paces reps again; "repeat that" is repair (question_handlers).
    "RepeatSetIntent": EventKind.REPEAT,
    "AMAZON.StartOverIntent": EventKind.START_OVER,
    "AMAZON.PauseIntent": EventKind.PAUSE,
    "AMAZON.ResumeIntent": EventKind.RESUME,
    "SkipExerciseIntent": EventKind.SKIP,
    "GoToExerciseIntent": EventKind.GO_TO,
    "HowToIntent": EventKind.HOW_TO,
    "PainIntent": EventKind.PAIN,
    "AMAZON.StopIntent": EventKind.STOP,
    "AMAZON.CancelIntent": EventKind.STOP,
    "AMAZON.NavigateHomeIntent": EventKind.STOP,
}


class LaunchHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        plan, question = launch_greeting(turn.conversation())
        if turn.hold_lapsed:
            plan = plan.after(turn.voice.reply().line("answers.hold_lapsed").lead())
        if turn.store_unread:
            plan = plan.after(turn.voice.reply().line("answers.store_unreachable").lead())
        if turn.person_id is not None:
            hello = turn.voice.reply().named_line("answers.hello_person", turn.person_id)
            plan = plan.after(hello.lead())
        turn.ask_question(question)
        return plan


class RoutineEventHandler(CoachHandler):
    """Every intent that is an engine event: next, skip, how do I do X, it hurts, stop..."""

    INTENTS = tuple(ROUTINE_EVENTS)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        kind = ROUTINE_EVENTS[get_intent_name(handler_input)]
        exercise_id = None
        if kind in (EventKind.GO_TO, EventKind.HOW_TO):
            exercise_id = resolved_slot_id(handler_input, "exercise")
            # "" is a name the catalogue lacks: GO_TO always needs one; HOW_TO without any
            # name ("how do I do this one") explains the current exercise.
            named = kind is EventKind.GO_TO or slot_was_heard(handler_input, "exercise")
            if exercise_id is None and named:
                exercise_id = ""
        before = turn.progress.routine.phase
        plan = turn.run(Event(kind, exercise_id))
        if any(isinstance(o, UnknownExercise | WhichExercise) for o in turn.outcomes):
            turn.ask_question(QuestionKind.CHOOSE_EXERCISE)
        for outcome in turn.outcomes:
            if isinstance(outcome, HowTo) and turn.voice.how_to_is_brief(outcome):
                turn.session[SESSION_MORE_ABOUT] = outcome.variant_id
        return offer_after_routine(turn, handler_input, before, plan)


class TellMeMoreHandler(CoachHandler):
    """ "Tell me more" after a brief how-to: the rest of it (how it grows, what it works)."""

    INTENTS = ("TellMeMoreIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        talk = turn.conversation()
        variant_id = turn.session.get(SESSION_MORE_ABOUT) or turn.progress.routine.variant_id
        back = turn.voice.back(talk.place)
        if variant_id is None or turn.catalogue.find_variant(variant_id) is None:
            return help_for(talk)
        name = turn.voice.variant_name(variant_id)
        more = turn.voice.more_about(variant_id)
        reply = turn.voice.reply()
        if more:
            reply.line("answers.more_lead", exercise=name).text(*more)
        else:
            reply.line("answers.nothing_more", exercise=name)
        return reply.text(back).ask(back)


class YesNoHandler(CoachHandler):
    """Yes or no: answers the open question (repair.QUESTIONS), or the last instruction."""

    INTENTS = ("AMAZON.YesIntent", "AMAZON.NoIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = CoachTurn.of(handler_input)
        answered = yes_no_answer(turn, is_intent_name("AMAZON.YesIntent")(handler_input))
        if isinstance(answered, SpeechPlan):
            after_answer(turn, answered, keeps_question=False, missed=False)
            return turn.respond(answered)
        # The reminder dialogue's answer, sent with its permission question or card.
        return send_reminder_reply(turn, handler_input, answered)


class OverviewHandler(CoachHandler):
    INTENTS = ("OverviewIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        plan, question = overview(turn.conversation())
        turn.ask_question(question)
        return plan


class ListExercisesHandler(CoachHandler):
    INTENTS = ("ListExercisesIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return list_exercises(turn.conversation())


class HistoryHandler(CoachHandler):
    INTENTS = ("HistoryIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return history_answer(turn.conversation())


class InjuredSideHandler(CoachHandler):
    """ "My left side is injured", or "I can only do my right side" (the other is injured)."""

    INTENTS = ("InjuredSideIntent", "GoodSideIntent")

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        side_id = resolved_slot_id(handler_input, "side")
        if is_intent_name("GoodSideIntent")(handler_input) and side_id in ("left", "right"):
            side_id = Side(side_id).other.value
        if side_id not in ("left", "right", "none"):
            turn.ask_question(QuestionKind.INJURED_SIDE)
            return prompt(
                turn.conversation(),
                "answers.which_side_injured",
                "answers.which_side_injured_reprompt",
            )
        injured = None if side_id == "none" else Side(side_id)
        turn.change(injured_side=injured)
        carry_on = None
        if turn.progress.routine.phase in (Phase.READY, Phase.IN_SET, Phase.UP_NEXT):
            carry_on = turn.run(Event(EventKind.START))
        return side_answer(turn.conversation(), carry_on)


class PaceHandler(CoachHandler):
    INTENTS = ("PaceIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        pace_id = resolved_slot_id(handler_input, "pace")
        if pace_id not in {p.value for p in Pace}:
            turn.ask_question(QuestionKind.PACE)
            return prompt(turn.conversation(), "answers.which_pace", "answers.which_pace_reprompt")
        turn.change(pace=Pace(pace_id))
        return pace_answer(turn.conversation())


class HelpHandler(CoachHandler):
    INTENTS = ("AMAZON.HelpIntent",)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return help_for(turn.conversation())


class SessionEndedHandler(CoachHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info(
            "session ended: %s %s",
            getattr(request, "reason", None),
            getattr(request, "error", None),
        )
        return handler_input.response_builder.response


class FallbackHandler(CoachHandler):
    """AMAZON.FallbackIntent, and any intent or request this skill does not know."""

    INTENTS = ("AMAZON.FallbackIntent",)
    KEEPS_QUESTION = True
    MISS = True

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        if not is_request_type("IntentRequest")(handler_input):
            # Requests nobody said (skill events, CanFulfill, errors): answered without speech.
            log.info("unexpected request type %s", get_request_type(handler_input))
            return handler_input.response_builder.response
        return super().handle(handler_input)

    def answer(self, turn: CoachTurn, handler_input: HandlerInput) -> SpeechPlan:
        return fallback_answer(turn)


class ApologyHandler(AbstractExceptionHandler):
    """Any error: a short spoken apology, never a raw exception."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("error while handling a request", exc_info=exception)
        words = voice_for(request_locale(handler_input)).wording
        return (
            handler_input.response_builder.speak(words.line("answers.error"))
            .ask(words.line("answers.error_reprompt"))
            .response
        )
