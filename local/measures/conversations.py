"""Scripted conversations the figures drive through lambda_handler.

`walk_whole_routine` is the warm-turn and request-count conversation: launch, "what
exercises are there", start, "next" until the routine is finished, with "help" and "what
have I done" asked mid-routine. The turns marked `changes_nothing` only answer a question;
they must never write to the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.envelopes import AlexaDevice, AlexaSession

Handler = Callable[[dict, Any], dict]

# Asked mid-routine, after this many "next"s: the answer changes nothing.
QUESTIONS_ASKED_AFTER_NEXTS = 6
QUESTIONS_MID_ROUTINE = ("AMAZON.HelpIntent", "HistoryIntent")
MOST_NEXTS = 200  # far more than the routine needs; a routine that never ends is a failure


@dataclass(frozen=True)
class Turn:
    """What the user said ("LaunchRequest" or an intent name) and whether it changes nothing."""

    said: str
    changes_nothing: bool = False


class RoutineDidNotFinishError(RuntimeError):
    """The scripted walk did not reach the end of the routine."""


def walk_whole_routine(
    session: AlexaSession, after_turn: Callable[[Turn, dict], None] | None = None
) -> list[Turn]:
    """Walk `session` through the whole routine; `after_turn` sees each turn and response."""
    turns: list[Turn] = []

    def take(turn: Turn) -> dict:
        response = session.launch() if turn.said == "LaunchRequest" else session.say(turn.said)
        turns.append(turn)
        if after_turn is not None:
            after_turn(turn, response)
        return response

    take(Turn("LaunchRequest"))
    take(Turn("ListExercisesIntent", changes_nothing=True))
    take(Turn("StartRoutineIntent"))
    for nexts in range(1, MOST_NEXTS + 1):
        take(Turn("AMAZON.NextIntent"))
        if session.session_id is None:
            return turns
        if nexts == QUESTIONS_ASKED_AFTER_NEXTS:
            for intent in QUESTIONS_MID_ROUTINE:
                take(Turn(intent, changes_nothing=True))
    raise RoutineDidNotFinishError(f"the routine was not over after {MOST_NEXTS} nexts")


def replay(session: AlexaSession, turns: list[Turn], after_turn=None) -> None:
    """Send the same sequence of requests to another skill (the naive baseline)."""
    for turn in turns:
        response = session.launch() if turn.said == "LaunchRequest" else session.say(turn.said)
        if after_turn is not None:
            after_turn(turn, response)


def new_user_session(handler: Handler, number: int) -> AlexaSession:
    """A session for a user never seen before, so every walk meets the same state."""
    device = AlexaDevice(
        user_id=f"amzn1.ask.account.BENCH{number:06d}",
        device_id=f"amzn1.ask.device.BENCH{number:06d}",
    )
    return AlexaSession(handler, device)
