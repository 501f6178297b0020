"""Figure 2: time of lambda_handler per warm turn, the skill against the naive baseline.

Both skills answer the same number of turns of JSON envelopes over the whole-routine walk
(the naive one answers them generically), in one process, each on its own moto table
(in-process, no HTTP). Walks are interleaved A B B A so both share the machine's noise;
each walk is by a new user so every walk meets the same state. Only the handler call is
timed: building envelopes and moving the simulated clock are not.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from local.fake_aws import Handler, load_skill, moto_table
from local.measures.conversations import Turn, new_user_session, replay, walk_whole_routine
from local.measures.naive_skill import naive_lambda_handler


@dataclass(frozen=True)
class WarmTurns:
    skill_seconds: list[float]
    naive_seconds: list[float]

    @property
    def skill_median(self) -> float:
        return statistics.median(self.skill_seconds)

    @property
    def naive_median(self) -> float:
        return statistics.median(self.naive_seconds)

    @property
    def skill_p99(self) -> float:
        return percentile(self.skill_seconds, 99)

    @property
    def naive_p99(self) -> float:
        return percentile(self.naive_seconds, 99)


def percentile(samples: list[float], percent: float) -> float:
    """Nearest-rank percentile: a value that was really observed."""
    ordered = sorted(samples)
    rank = max(1, round(percent / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def timed(handler: Handler, samples: list[float]) -> Handler:
    def timed_handler(event: dict, context: object) -> dict:
        started = time.perf_counter()
        response = handler(event, context)
        samples.append(time.perf_counter() - started)
        return response

    return timed_handler


def measure_warm_turns(walks: int) -> WarmTurns:
    with moto_table() as skill_table, moto_table() as naive_table:
        skill = load_skill(skill_table.name)
        naive = naive_lambda_handler(naive_table.name)
        # An untimed walk of each first: lazy imports and first-use caches are cold starts.
        turns: list[Turn] = walk_whole_routine(new_user_session(skill, 0))
        replay(new_user_session(naive, 0), turns)
        skill_samples: list[float] = []
        naive_samples: list[float] = []
        for walk in range(1, walks + 1):
            order = ("skill", "naive") if walk % 2 else ("naive", "skill")
            for name in order:
                if name == "skill":
                    walk_whole_routine(new_user_session(timed(skill, skill_samples), walk))
                else:
                    replay(new_user_session(timed(naive, naive_samples), walk), turns)
    return WarmTurns(skill_samples, naive_samples)
