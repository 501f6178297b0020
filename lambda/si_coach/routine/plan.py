"""Today's routine when the whole one is not wanted: a routine that fits the time the user has,
just the stretches, or the whole routine without the exercises they left out.

Pure, like the engine: the planner walks the engine itself to time a routine (the voice's own
timing, the user's levels, pace and injured side), so a plan that is said to fit ten minutes
is paced in ten minutes. Which exercises come first: those done least recently, so that on
short days every exercise still comes round within a few days; a tie goes to routine order.
The chosen variants are always done in routine order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from si_coach.routine.catalogue import Variant
from si_coach.routine.pacing import Coaching, Event, EventKind, PacingEngine, Phase, RoutineState

# Between one response and the next: the user says "next" and Alexa answers. Added to each
# response's planned time when a routine's length is estimated.
ANSWER_GAP_SECONDS = 3.0
# A routine walked further than this is a bug in the engine, not a long routine.
MAX_RESPONSES = 2000


class PlanKind(StrEnum):
    FULL = "full"  # every exercise not left out
    TIMED = "timed"  # what fits the minutes the user has
    STRETCHES = "stretches"  # the exercises the article calls stretches


@dataclass(frozen=True)
class RoutinePlan:
    """Today's routine: its variants in routine order, why, and how long it takes."""

    kind: PlanKind
    variant_ids: tuple[str, ...]
    seconds: float
    minutes_asked: int | None = None
    # Exercises the user asked to leave out, in routine order (said at the routine's start).
    left_out: tuple[str, ...] = ()
    # Variants that alone take longer than the minutes asked for, at today's levels: they wait
    # for a longer day (said, so the user knows why they do not come round).
    too_long: tuple[str, ...] = ()
    # Variants that alone take longer than the minutes asked for, at today's levels: they wait
    # for a longer day (said, so the user knows why they do not come round).
    too_long: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return self.minutes_asked is None or self.seconds <= self.minutes_asked * 60


def paced_seconds(
    engine: PacingEngine, state: RoutineState, coaching: Coaching, now: float
) -> float:
    """Walk the routine from `state` to its end, saying next each time, and add up the time
    (each response's speech by the voice's timing, plus the user's answer)."""
    total = 0.0
    for _ in range(MAX_RESPONSES):
        if state.phase is Phase.FINISHED:
            return total
        kind = EventKind.START if state.phase is Phase.NOT_STARTED else EventKind.NEXT
        step = engine.handle(state, Event(kind), now, coaching)
        seconds = engine.timing.seconds(step.outcomes) + ANSWER_GAP_SECONDS
        total += seconds
        now += seconds
        state = step.state
    raise RuntimeError("the routine did not finish; the engine is stuck")


def routine_seconds(
    engine: PacingEngine, variant_ids: Iterable[str], coaching: Coaching, now: float
) -> float:
    """How long a routine of these variants takes, from its start."""
    chosen = replace(coaching, routine=tuple(variant_ids))
    return paced_seconds(engine, RoutineState(), chosen, now)


def plan_routine(
    engine: PacingEngine,
    coaching: Coaching,
    now: float,
    *,
    kind: PlanKind,
    minutes: int | None = None,
    last_done: Mapping[str, date] | None = None,
) -> RoutinePlan:
    """Choose today's routine.

    The variants the user left out (`coaching.left_out`) are never chosen; `last_done` gives,
    for each variant, the last local date it was finished. With `minutes`, the least recently
    done variants are taken while the routine, walked by the engine, still fits; a variant
    too long for what is left is passed over for a shorter one. When nothing fits, the
    shortest variant is chosen and the plan says it does not fit.
    """
    catalogue = engine.catalogue
    coaching = replace(coaching, routine=())
    candidates = [
        v
        for v in engine.routine_variants(coaching)
        if kind is not PlanKind.STRETCHES or catalogue.exercise_of(v).stretch
    ]
    left_out_ids = engine.left_out_exercises(coaching)
    if not candidates:
        # Every stretch was left out: the stretches stand rather than an empty routine.
        candidates = [v for v in catalogue.variants if catalogue.exercise_of(v).stretch]
    if minutes is None:
        chosen = tuple(v.id for v in candidates)
        seconds = routine_seconds(engine, chosen, coaching, now)
        return RoutinePlan(kind, chosen, seconds, None, left_out_ids)
    budget = minutes * 60
    done = last_done or {}
    oldest_first = sorted(
        candidates,
        key=lambda v: (done.get(v.id, date.min), catalogue.variants.index(v)),
    )
    alone = {v.id: routine_seconds(engine, (v.id,), coaching, now) for v in candidates}
    too_long = tuple(v.id for v in candidates if alone[v.id] > budget)
    chosen_ids: list[str] = []
    seconds = 0.0
    for variant in oldest_first:
        if variant.id in too_long:
            continue
        trial = _in_routine_order(candidates, [*chosen_ids, variant.id])
        trial_seconds = routine_seconds(engine, trial, coaching, now)
        if trial_seconds <= budget:
            chosen_ids = list(trial)
            seconds = trial_seconds
    if not chosen_ids:
        shortest = min(oldest_first, key=lambda v: alone[v.id])
        chosen_ids = [shortest.id]
        seconds = alone[shortest.id]
    return RoutinePlan(
        PlanKind.TIMED if kind is PlanKind.FULL else kind,
        tuple(chosen_ids),
        seconds,
        minutes,
        left_out_ids,
        tuple(v for v in too_long if v not in chosen_ids),
    )


def _in_routine_order(variants: list[Variant], ids: Iterable[str]) -> tuple[str, ...]:
    wanted = frozenset(ids)
    return tuple(v.id for v in variants if v.id in wanted)
