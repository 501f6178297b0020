"""Sessions walked into each phase of the routine through lambda_handler, for tests that
must hold in every phase (questions, repair)."""

from __future__ import annotations

import json
from collections.abc import Callable

from local.envelopes import AlexaDevice, AlexaSession
from si_coach.routine.catalogue import default_catalogue
from si_coach.routine.progress import Progress

Handler = Callable[[dict, object], dict]

# Every phase of the engine a user can be in when they speak.
PHASES = ("not_started", "up_next", "ready", "in_set", "holding", "paused", "finished")
NEXT = "AMAZON.NextIntent"
MAX_STEPS = 80


def routine(session: AlexaSession) -> dict:
    """The routine state the session carries (what the next request starts from)."""
    return session.attributes["progress"]["routine"]


def phase(session: AlexaSession) -> str:
    return routine(session)["phase"]


def _next_until(session: AlexaSession, done: Callable[[], bool]) -> None:
    for _ in range(MAX_STEPS):
        if done():
            return
        session.say(NEXT)
    raise AssertionError("the routine never got there")


def walk_to(handler: Handler, target: str) -> AlexaSession:
    """A session whose last response left the user in `target` (one of PHASES), the session
    still open."""
    session = AlexaSession(handler, AlexaDevice(user_id=f"amzn1.ask.account.{target.upper()}"))
    session.launch()
    if target == "ready":
        session.say("StartRoutineIntent")
    elif target == "in_set":
        session.say("StartRoutineIntent")
        session.say(NEXT)
    elif target == "paused":
        session.say("StartRoutineIntent")
        session.say(NEXT)
        session.say("AMAZON.PauseIntent")
    elif target == "up_next":
        # The routine now says a block's set-up with the rep before it, so a block named but
        # not yet set up is a place kept from before: a record saved then, carried as is,
        # after the last rep of the exercise before.
        session.say("GoToExerciseIntent", exercise=("hamstring", "hamstring_wall_stretch"))
        _next_until(session, lambda: routine(session)["variant"] == "lower_trunk_rotation")
        saved = json.loads(json.dumps(session.attributes["progress"]))
        routine(session)["phase"] = "up_next"
        session.attributes["saved_progress"] = saved
    elif target == "holding":
        # Day one's one-minute hold fits one response; from day two it is carried across.
        session.say("GoToExerciseIntent", exercise=("hamstring", "hamstring_wall_stretch"))
        _next_until(session, lambda: routine(session)["variant"] != "hamstring_wall_stretch")
        session.say("AMAZON.StopIntent")
        session.wait(days=1)
        session.launch()
        session.say("GoToExerciseIntent", exercise=("hamstring", "hamstring_wall_stretch"))
        session.say(NEXT)
    elif target == "finished":
        session.say("GoToExerciseIntent", exercise=("trunk rotation", "lower_trunk_rotation"))
        _next_until(session, lambda: session.session_id is None)
        session.launch()
    assert phase(session) == target, (target, routine(session))
    assert session.session_id is not None
    return session


def probe(session: AlexaSession) -> AlexaSession:
    """A copy of a session at the same moment, to try something from the same place."""
    copy = AlexaSession(session.handler, session.device, clock=session.clock)
    copy.session_id = session.session_id
    copy.attributes = json.loads(json.dumps(session.attributes))
    return copy


def session_progress(session: AlexaSession) -> Progress:
    """The progress the session carries, decoded as the skill reads it (the stored form is
    compact: variant codes, empty values left out)."""
    return Progress.from_dict(session.attributes["progress"], default_catalogue())
