"""Figure 7: the slowest turn when DynamoDB accepts connections and never answers.

The skill runs as the Lambda runs it (lambda_function.lambda_handler, TABLE_NAME set), with
AWS_ENDPOINT_URL_DYNAMODB pointing at a server that never answers
(tests/support/hung_store.py). Each turn is timed around lambda_handler: a launch and the
later turns of its session up to "stop", and a session whose first request must save (a
pace set by a one-shot request). The function times out after 7 s; the target is 3 s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.aws import environment, fake_aws_settings, load_skill

TABLE_NAME = "ProgressTable-hung"


@dataclass(frozen=True)
class HungStoreTurns:
    seconds: dict[str, float]
    """Each turn's wall time, by what was said."""

    @property
    def worst(self) -> tuple[str, float]:
        return max(self.seconds.items(), key=lambda item: item[1])


def measure_hung_store_turns(later_turns: int) -> HungStoreTurns:
    # Imported here: it needs the repository root on sys.path, like the tests.
    from tests.support.hung_store import HungStore  # noqa: PLC0415

    # Every turn logs the store's time-out with a traceback: pages of noise here.
    skill_log = logging.getLogger("si_coach")
    level = skill_log.level
    skill_log.setLevel(logging.CRITICAL)
    try:
        with HungStore() as store, environment(fake_aws_settings()):
            with environment({"AWS_ENDPOINT_URL_DYNAMODB": store.endpoint}):
                seconds = _timed_turns(load_skill(TABLE_NAME), later_turns)
            if not store.operations:
                raise RuntimeError("the skill never asked the hung store: the figure is void")
    finally:
        skill_log.setLevel(level)
    return HungStoreTurns(seconds)


def _timed_turns(handler: Callable[[dict, object], dict], later_turns: int) -> dict[str, float]:
    from local.envelopes import AlexaSession  # noqa: PLC0415

    seconds: dict[str, float] = {}

    def timed(name: str, send: Callable[[], dict]) -> None:
        started = time.perf_counter()
        send()
        seconds[name] = time.perf_counter() - started

    session = AlexaSession(handler)
    timed("launch", session.launch)
    timed("start my routine", lambda: session.say("StartRoutineIntent"))
    for turn in range(later_turns):
        timed(f"next ({turn + 1})", lambda: session.say("AMAZON.NextIntent"))
    timed("stop", lambda: session.say("AMAZON.StopIntent"))
    first = AlexaSession(handler)
    timed("first request: go slower", lambda: first.say("PaceIntent", pace=("slower", "slower")))
    return seconds
