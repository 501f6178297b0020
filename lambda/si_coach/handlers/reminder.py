"""Request handlers of the daily reminder: thin, each hands its request to the reminder
dialogue (si_coach/dialogue/reminder.py) and sends what it answers, with the permission
question or card when there is one. A yes or no to one of its questions comes through
YesNoHandler (repair.QUESTIONS). Registered in registry.py.

The dialogue and the Reminders API client are imported when a reminder request first
arrives, not when the skill starts: most sessions never use them, and every cold start
would pay for their imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response

from si_coach.alexa.request import slot_value
from si_coach.dialogue.turn import ANSWERS_OUT_OF_SESSION, CoachTurn
from si_coach.handlers.base import CoachHandler
from si_coach.routine.pacing import Phase
from si_coach.voice.speech import SpeechPlan

if TYPE_CHECKING:
    from si_coach.dialogue.reminder import ReminderDialogue, ReminderReply

TIME_SLOT = "time"


class ReminderHandler(CoachHandler):
    """Base of the reminder handlers: the dialogue's reply, sent with what it needs."""

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = CoachTurn.of(handler_input)
        reply = self.reply(_dialogue(turn, handler_input), handler_input)
        return send_reminder_reply(turn, handler_input, reply)

    def reply(self, dialogue: ReminderDialogue, handler_input: HandlerInput) -> ReminderReply:
        raise NotImplementedError


class SetReminderHandler(ReminderHandler):
    INTENTS = ("SetReminderIntent",)

    def reply(self, dialogue: ReminderDialogue, handler_input: HandlerInput) -> ReminderReply:
        return dialogue.set_reminder(slot_value(handler_input, TIME_SLOT))


class ChangeReminderHandler(ReminderHandler):
    INTENTS = ("ChangeReminderIntent",)

    def reply(self, dialogue: ReminderDialogue, handler_input: HandlerInput) -> ReminderReply:
        return dialogue.change_reminder(slot_value(handler_input, TIME_SLOT))


class WhenIsReminderHandler(ReminderHandler):
    INTENTS = ("WhenIsReminderIntent",)

    def reply(self, dialogue: ReminderDialogue, handler_input: HandlerInput) -> ReminderReply:
        return dialogue.when_is_reminder()


class StopReminderHandler(ReminderHandler):
    INTENTS = ("StopReminderIntent",)

    def reply(self, dialogue: ReminderDialogue, handler_input: HandlerInput) -> ReminderReply:
        return dialogue.stop_reminder()


class PermissionAnswerHandler(ReminderHandler):
    """Alexa's answer to the permission question: a SessionResumedRequest once its consent
    task is done, or the older Connections.Response to AskFor; in a session or out of one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if get_request_type(handler_input) not in ANSWERS_OUT_OF_SESSION:
            return False
        from si_coach.reminders import is_consent_answer  # noqa: PLC0415

        return is_consent_answer(handler_input.request_envelope.request)

    def reply(self, dialogue: ReminderDialogue, handler_input: HandlerInput) -> ReminderReply:
        from si_coach.reminders import read_consent_answer  # noqa: PLC0415

        answer = read_consent_answer(handler_input.request_envelope.request)
        return dialogue.consent_answered(answer)


def offer_after_routine(
    turn: CoachTurn, handler_input: HandlerInput, phase_before: Phase, plan: SpeechPlan
) -> SpeechPlan:
    """`plan`, with a daily reminder offered when the routine has just been finished (see
    ReminderDialogue.offer_after_routine); other turns are answered without the dialogue."""
    just_finished = phase_before is not Phase.FINISHED and turn.progress.routine.phase is (
        Phase.FINISHED
    )
    if not (plan.end_session and just_finished):
        return plan
    return _dialogue(turn, handler_input).offer_after_routine(phase_before, plan)


def _dialogue(turn: CoachTurn, handler_input: HandlerInput) -> ReminderDialogue:
    from si_coach.dialogue.reminder import ReminderDialogue  # noqa: PLC0415

    return ReminderDialogue(turn, handler_input)


def send_reminder_reply(
    turn: CoachTurn, handler_input: HandlerInput, reply: ReminderReply
) -> Response:
    """The reminder dialogue's answer: its speech, with its card or permission question."""
    builder = handler_input.response_builder
    if reply.card is not None:
        builder.set_card(reply.card)
    if reply.ask_permission is not None:
        # Alexa asks next: no reprompt, and the session is Alexa's until the answer.
        return builder.speak(reply.plan.ssml()).add_directive(reply.ask_permission).response
    return turn.respond(reply.plan)
