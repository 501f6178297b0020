"""What people ask mid-exercise, answered as facts: how long to hold, how many are left,
what comes next, which side, what is needed and what can stand in for it, and how long the
routine takes today.

Pure: each answer reads the routine state, the catalogue and the user's coaching (levels,
pace, injured side) and returns a fact for the voice to say (si_coach/handlers/questions.py).
None of them moves the user's place, and a hold carried across responses keeps running: its
end time stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple

from si_coach.routine.catalogue import Sides, Variant
from si_coach.routine.outcomes import Block, Place, Standing
from si_coach.routine.pacing import Coaching, PacingEngine, Phase, RoutineState
from si_coach.routine.plan import paced_seconds


@dataclass(frozen=True)
class Where:
    """The user's place in the routine as the questions see it: state, settings and time."""

    engine: PacingEngine
    state: RoutineState
    coaching: Coaching
    now: float

    @cached_property
    def settled(self) -> RoutineState:
        return self.engine.normalise(self.state, self.coaching)

    @cached_property
    def place(self) -> Place:
        return self.engine.place(self.state, self.coaching)

    @property
    def block(self) -> Block | None:
        """The block the user is on, paused or not; None before the routine and after it."""
        return self.place.block if self.settled.phase.in_routine else None

    @property
    def begun(self) -> bool:
        """Reps of the current block are under way (or done), not just announced."""
        state = self.settled
        phase = state.paused_from if state.phase is Phase.PAUSED else state.phase
        return phase in (Phase.IN_SET, Phase.HOLDING) or state.reps_done > 0


# -- facts -----------------------------------------------------------------------------------


class NotOnAnExercise(NamedTuple):
    """The question needs an exercise, and none is under way."""

    standing: Standing


class UnknownName(NamedTuple):
    """An exercise was named that the catalogue does not have."""


class HoldTime(NamedTuple):
    variant_id: str
    seconds: int
    each_way: bool  # an alternating exercise holds one way, then the other


class HoldTimes(NamedTuple):
    holds: tuple[HoldTime, ...]


class RepsLeft(NamedTuple):
    block: Block
    done: int  # reps finished in this block
    total: int  # reps in this block
    holding: bool  # a rep is being held right now (counted in neither)
    later: tuple[Block, ...]  # this exercise's blocks still to come (another side, more sets)

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def left_in_all(self) -> int:
        return self.left + self.total * len(self.later)


class Coming(NamedTuple):
    """What comes next. `now`: the block about to begin (announced, no reps yet)."""

    now: Block | None
    after: Block | None  # None: the current block is the routine's last
    current: Block | None


class SideNow(NamedTuple):
    block: Block


class Needed(NamedTuple):
    """Whose equipment to say: one exercise (`name_id` names it), or the whole routine."""

    exercise_ids: tuple[str, ...]
    name_id: str | None


class StandIn(NamedTuple):
    exercise_id: str
    alternatives: tuple[str, ...]  # items that do the same job; empty: nothing stands in
    comfort: bool  # the exercise can be done without the item
    current: bool  # the user is on this exercise now


class Missing(NamedTuple):
    item: str
    stand_ins: tuple[StandIn, ...]  # empty: no exercise needs the item


class RoutineLength(NamedTuple):
    whole_seconds: float
    left_seconds: float | None  # from where the user is; None when not under way


# -- answers ---------------------------------------------------------------------------------


def _named_variants(where: Where, exercise_id: str) -> tuple[Variant, ...] | None:
    """The variants an id names: all of an exercise's, or the one variant; None if unknown."""
    catalogue = where.engine.catalogue
    for exercise in catalogue.exercises:
        if exercise.id == exercise_id:
            return exercise.variants
    variant = catalogue.find_variant(exercise_id)
    return None if variant is None else (variant,)


def hold_time(where: Where, exercise_id: str | None) -> HoldTimes | NotOnAnExercise | UnknownName:
    """How long to hold: a named exercise today (each of its variants), or the current one.

    `exercise_id` is None when no exercise was named, "" when one was named but not known.
    """
    block = where.block
    if exercise_id is None:
        if block is None:
            return NotOnAnExercise(where.place.standing)
        variants: tuple[Variant, ...] = (block.variant,)
    else:
        named = _named_variants(where, exercise_id)
        if named is None:
            return UnknownName()
        variants = named
    holds = tuple(
        HoldTime(
            v.id,
            where.engine.dose(v, where.coaching).hold_seconds,
            v.sides is Sides.ALTERNATING,
        )
        for v in variants
    )
    return HoldTimes(holds)


def reps_left(where: Where) -> RepsLeft | NotOnAnExercise:
    """How many reps are left in this block, and which of this exercise's blocks follow."""
    block = where.block
    if block is None:
        return NotOnAnExercise(where.place.standing)
    blocks = where.engine.blocks(block.variant, where.coaching)
    later = tuple(blocks[blocks.index(block) + 1 :])
    dose = where.engine.dose(block.variant, where.coaching)
    state = where.settled
    return RepsLeft(
        block,
        min(state.reps_done, dose.reps),
        dose.reps,
        state.phase is Phase.HOLDING,
        later,
    )


def whats_next(where: Where) -> Coming | NotOnAnExercise:
    """The block about to begin, or the one after the current block."""
    engine, coaching = where.engine, where.coaching
    standing = where.place.standing
    if standing is Standing.FINISHED:
        return NotOnAnExercise(standing)
    block = where.block
    if block is None:
        first = engine.blocks(engine.routine_variants(coaching)[0], coaching)[0]
        return Coming(now=None, after=first, current=None)
    following = engine.next_block(block, coaching)
    return Coming(now=None if where.begun else block, after=following, current=block)


def which_side(where: Where) -> SideNow | NotOnAnExercise:
    block = where.block
    if block is None:
        return NotOnAnExercise(where.place.standing)
    return SideNow(block)


def equipment(where: Where, exercise_id: str | None) -> Needed | UnknownName:
    """Whose equipment to say: a named exercise, the current one, or the whole routine's."""
    catalogue = where.engine.catalogue
    if exercise_id is not None:
        variant = catalogue.find_variant(exercise_id)
        if variant is None:
            return UnknownName()
        return Needed((variant.exercise_id,), exercise_id)
    block = where.block
    if block is not None:
        return Needed((block.variant.exercise_id,), block.variant.id)
    needing = dict.fromkeys(need.exercise_id for need in catalogue.needs)
    return Needed(tuple(needing), None)


def missing_item(where: Where, item: str) -> Missing:
    """What stands in for a missing item, for each exercise that needs it; only the current
    exercise's answer when the user is on one that needs it."""
    catalogue = where.engine.catalogue
    block = where.block
    current = block.variant.exercise_id if block is not None else None
    stand_ins = tuple(
        StandIn(
            need.exercise_id,
            tuple(other for other in need.any_of if other != item),
            need.comfort,
            need.exercise_id == current,
        )
        for need in catalogue.needs
        if item in need.any_of
    )
    here = tuple(s for s in stand_ins if s.current)
    return Missing(item, here or stand_ins)


def routine_length(where: Where) -> RoutineLength:
    """Today's routine as the engine would pace it, timed with the voice's own timing (the
    engine's), plus a short gap for the user's answer after each response.

    The whole routine, from its start at today's levels, pace and injured side; and, when the
    user is under way, what is left from their place.
    """
    engine, coaching = where.engine, where.coaching
    whole = paced_seconds(engine, RoutineState(), coaching, where.now)
    state = where.settled
    if not state.phase.in_routine:
        return RoutineLength(whole, None)
    if state.phase is Phase.PAUSED:
        state = replace(state, phase=state.paused_from or Phase.READY, paused_from=None)
    left = paced_seconds(engine, state, coaching, where.now)
    return RoutineLength(whole, left)
