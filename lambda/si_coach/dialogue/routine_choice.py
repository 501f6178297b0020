"""Choosing today's routine by voice: "I only have ten minutes", "just the stretches", "the
full routine", "leave out the hamstring stretch" and "put it back".

The planner (routine/plan.py) chooses; this module keeps the choice in the user's record and
starts the chosen routine through the engine, so the voice says the plan and the first
exercise in one answer. A short routine lasts until it is finished, or until the user asks for
another; the next "start my routine" is the whole routine again, less what was left out.
"""

from __future__ import annotations

from dataclasses import replace

from si_coach.dialogue.turn import CoachTurn
from si_coach.routine.outcomes import TodaysRoutine
from si_coach.routine.pacing import Event, EventKind, Phase, RoutineState
from si_coach.routine.plan import PlanKind, RoutinePlan, plan_routine
from si_coach.voice.speech import SpeechPlan

# "A short routine today", with no minutes said.
SHORT_ROUTINE_MINUTES = 10
# Longer than this is not a short routine: the whole routine is planned instead.
LONGEST_MINUTES = 180


def minutes_heard(value: str | None) -> int:
    """The minutes an AMAZON.NUMBER slot gave, or the short routine's default."""
    try:
        minutes = int(value or "")
    except ValueError:
        return SHORT_ROUTINE_MINUTES
    return max(0, min(minutes, LONGEST_MINUTES))


def start_chosen_routine(turn: CoachTurn, kind: PlanKind, minutes: int | None) -> SpeechPlan:
    """Plan today's routine, keep the choice, and begin it from its first exercise.

    What was finished today is not planned again, unless that leaves nothing.
    """
    progress = turn.progress
    coaching = replace(progress.coaching(), routine=())
    done_today = frozenset(turn.conversation().done_today())
    remaining = [
        v
        for v in turn.catalogue.variants
        if v.id not in coaching.left_out and v.id not in done_today
    ]
    planning = replace(coaching, left_out=coaching.left_out | done_today) if remaining else coaching
    plan = plan_routine(
        turn.engine,
        planning,
        turn.now.timestamp(),
        kind=kind,
        minutes=minutes,
        last_done=progress.choices.last_done,
    )
    # The whole routine is kept as "every variant" so that one put back later joins it.
    routine = () if plan.kind is PlanKind.FULL and planning == coaching else plan.variant_ids
    turn.progress = replace(
        progress,
        choices=replace(progress.choices, routine=routine),
        routine=RoutineState(updated_at=progress.routine.updated_at),
    )
    return turn.run(Event(EventKind.START), lead=(_said(plan),))


def back_to_full_routine(turn: CoachTurn) -> SpeechPlan:
    """The whole routine again (less what was left out), from where the user is."""
    progress = turn.progress
    turn.progress = replace(progress, choices=replace(progress.choices, routine=()))
    if not progress.routine.phase.in_routine:
        return start_chosen_routine(turn, PlanKind.FULL, None)
    now = turn.now.timestamp()
    plan = plan_routine(turn.engine, turn.progress.coaching(), now, kind=PlanKind.FULL)
    return turn.run(Event(EventKind.START), lead=(_said(plan),))


def leave_out(turn: CoachTurn, exercise_id: str | None) -> SpeechPlan:
    """Leave an exercise out until asked back; if the user is on it, move on to the next."""
    variant = turn.catalogue.find_variant(exercise_id or "")
    reply = turn.voice.reply()
    if variant is None:
        return reply.line("answers.leave_out_which").ask_line("answers.leave_out_which_reprompt")
    exercise = turn.catalogue.exercise_of(variant)
    variant_ids = frozenset(v.id for v in exercise.variants)
    name = turn.voice.the_exercise_names((exercise.id,))
    choices = turn.progress.choices
    if variant_ids <= choices.left_out:
        back = turn.voice.back(turn.conversation().place)
        return reply.line("answers.left_out_already", exercise=name).text(back).ask(back)
    turn.change(
        choices=replace(
            choices,
            left_out=choices.left_out | variant_ids,
            routine=tuple(v for v in choices.routine if v not in variant_ids),
        )
    )
    routine = turn.progress.routine
    on_it = routine.phase.in_routine and routine.variant_id in variant_ids
    lead = turn.voice.reply().line("answers.left_out", exercise=name).lead()
    if on_it and routine.phase is not Phase.PAUSED:
        return turn.run(Event(EventKind.SKIP)).after(lead)
    back = turn.voice.back(turn.conversation().place)
    return reply.line("answers.left_out", exercise=name).text(back).ask(back)


def put_back(turn: CoachTurn, exercise_id: str | None) -> SpeechPlan:
    variant = turn.catalogue.find_variant(exercise_id or "")
    reply = turn.voice.reply()
    if variant is None:
        return reply.line("answers.put_back_which").ask_line("answers.put_back_which_reprompt")
    exercise = turn.catalogue.exercise_of(variant)
    variant_ids = frozenset(v.id for v in exercise.variants)
    name = turn.voice.the_exercise_names((exercise.id,))
    choices = turn.progress.choices
    key = "answers.put_back" if variant_ids & choices.left_out else "answers.put_back_not_out"
    turn.change(choices=replace(choices, left_out=choices.left_out - variant_ids))
    back = turn.voice.back(turn.conversation().place)
    return reply.line(key, exercise=name).text(back).ask(back)


def _said(plan: RoutinePlan) -> TodaysRoutine:
    return TodaysRoutine(
        plan.kind.value, plan.variant_ids, plan.seconds, plan.minutes_asked, plan.too_long
    )
