"""Today's routine when time is short: it fits by the voice's own timing, chooses what was done
least recently so everything comes round, and leaves out what the user asked to leave out."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from si_coach.routine.catalogue import Pace, Side, default_catalogue
from si_coach.routine.pacing import Coaching, Event, EventKind, PacingEngine, Phase, RoutineState
from si_coach.routine.plan import PlanKind, paced_seconds, plan_routine, routine_seconds
from si_coach.voice.speaker import voice_for

CATALOGUE = default_catalogue()
ENGINE = PacingEngine(CATALOGUE, voice_for("en-US"))
NOW = 1_790_000_000.0
COACHINGS = [
    Coaching(),
    Coaching(injured_side=Side.LEFT, pace=Pace.SLOWER),
    Coaching(pace=Pace.FASTER, levels={v.id: v.top_level for v in CATALOGUE.variants}),
]


def walked(coaching: Coaching, variant_ids: tuple[str, ...]) -> list[str]:
    """The variants the engine paces, in order, when the routine is these variants."""
    chosen = Coaching(coaching.injured_side, coaching.pace, coaching.levels, variant_ids)
    state, seen, now = RoutineState(), [], NOW
    while state.phase is not Phase.FINISHED:
        kind = EventKind.START if state.phase is Phase.NOT_STARTED else EventKind.NEXT
        state = ENGINE.handle(state, Event(kind), now, chosen).state
        now += 60
        if state.variant_id and (not seen or seen[-1] != state.variant_id):
            seen.append(state.variant_id)
    return seen


@pytest.mark.parametrize("coaching", COACHINGS)
@pytest.mark.parametrize("minutes", [5, 10, 15])
def test_a_timed_routine_fits_its_minutes_by_the_engines_own_walk(
    coaching: Coaching, minutes: int
) -> None:
    plan = plan_routine(ENGINE, coaching, NOW, kind=PlanKind.TIMED, minutes=minutes)
    assert plan.fits
    assert plan.variant_ids
    # Walked again from scratch, as the skill will pace it: the same time, within the minutes.
    walk = routine_seconds(ENGINE, plan.variant_ids, coaching, NOW)
    assert walk == pytest.approx(plan.seconds)
    assert walk <= minutes * 60
    # The engine paces exactly the chosen variants, in routine order.
    assert walked(coaching, plan.variant_ids) == list(plan.variant_ids)
    order = [v.id for v in CATALOGUE.variants]
    assert list(plan.variant_ids) == sorted(plan.variant_ids, key=order.index)


def test_ten_minutes_is_shorter_than_the_whole_routine_and_uses_most_of_the_time() -> None:
    whole = paced_seconds(ENGINE, RoutineState(), Coaching(), NOW)
    assert whole > 20 * 60, "the whole routine takes far longer than ten minutes"
    plan = plan_routine(ENGINE, Coaching(), NOW, kind=PlanKind.TIMED, minutes=10)
    assert 5 * 60 < plan.seconds <= 10 * 60


@pytest.mark.parametrize("coaching", COACHINGS)
def test_over_two_weeks_of_ten_minute_days_every_exercise_comes_round(
    coaching: Coaching,
) -> None:
    last_done: dict[str, date] = {}
    first_day = date(2026, 12, 1)
    done_on: dict[str, list[date]] = {e.id: [] for e in CATALOGUE.exercises}
    for offset in range(14):
        today = first_day + timedelta(days=offset)
        plan = plan_routine(
            ENGINE, coaching, NOW, kind=PlanKind.TIMED, minutes=10, last_done=last_done
        )
        for variant_id in plan.variant_ids:
            last_done[variant_id] = today
            done_on[CATALOGUE.variant(variant_id).exercise_id].append(today)
    # Every exercise comes round, but one that alone takes longer than ten minutes at these
    # levels: the plan names it, so the user hears why it waits for a longer day.
    for variant_id in plan.too_long:
        assert routine_seconds(ENGINE, (variant_id,), coaching, NOW) > 10 * 60
    too_long = {CATALOGUE.variant(v).exercise_id for v in plan.too_long}
    missing = {e for e, days in done_on.items() if not days}
    assert missing == too_long
    if coaching == Coaching():
        assert not too_long, "at the first levels every exercise fits ten minutes"
    # And no exercise waits more than a week once the rotation has started.
    for exercise_id, days in done_on.items():
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        assert all(gap <= 7 for gap in gaps), (exercise_id, days)


def test_least_recently_done_comes_first() -> None:
    today = date(2026, 12, 7)
    recent = {v.id: today for v in CATALOGUE.variants}
    recent["clamshell"] = today - timedelta(days=9)
    plan = plan_routine(ENGINE, Coaching(), NOW, kind=PlanKind.TIMED, minutes=5, last_done=recent)
    assert "clamshell" in plan.variant_ids


def test_left_out_exercises_are_never_chosen() -> None:
    for kind, minutes in [(PlanKind.FULL, None), (PlanKind.TIMED, 30), (PlanKind.STRETCHES, None)]:
        plan = plan_routine(
            ENGINE,
            Coaching(left_out=frozenset({"hamstring_wall_stretch"})),
            NOW,
            kind=kind,
            minutes=minutes,
        )
        assert "hamstring_wall_stretch" not in plan.variant_ids
        assert plan.left_out == ("hamstring_wall_stretch",)


def test_the_full_routine_is_every_variant_and_just_the_stretches_are_the_stretches() -> None:
    full = plan_routine(ENGINE, Coaching(), NOW, kind=PlanKind.FULL)
    assert full.variant_ids == tuple(v.id for v in CATALOGUE.variants)
    stretches = plan_routine(ENGINE, Coaching(), NOW, kind=PlanKind.STRETCHES)
    assert stretches.variant_ids == (
        "knee_to_chest_one_leg",
        "knee_to_chest_both_legs",
        "quadriceps_stretch",
        "hamstring_wall_stretch",
    )


def test_too_little_time_gets_the_shortest_exercise_and_says_it_does_not_fit() -> None:
    plan = plan_routine(ENGINE, Coaching(), NOW, kind=PlanKind.TIMED, minutes=0)
    assert len(plan.variant_ids) == 1
    assert not plan.fits
    shortest = min(routine_seconds(ENGINE, (v.id,), Coaching(), NOW) for v in CATALOGUE.variants)
    assert plan.seconds == pytest.approx(shortest)


def test_leaving_out_everything_keeps_the_whole_routine() -> None:
    everything = frozenset(v.id for v in CATALOGUE.variants)
    plan = plan_routine(ENGINE, Coaching(left_out=everything), NOW, kind=PlanKind.FULL)
    assert plan.variant_ids == tuple(v.id for v in CATALOGUE.variants)
    assert plan.left_out == ()


def test_skip_and_previous_walk_todays_routine_and_a_named_exercise_finds_its_place() -> None:
    today = ("hip_abduction", "clamshell", "lower_trunk_rotation")
    coaching = Coaching(routine=today)
    state = ENGINE.handle(RoutineState(), Event(EventKind.START), NOW, coaching).state
    assert state.variant_id == "hip_abduction"
    state = ENGINE.handle(state, Event(EventKind.SKIP), NOW, coaching).state
    assert state.variant_id == "clamshell"
    state = ENGINE.handle(state, Event(EventKind.PREVIOUS), NOW, coaching).state
    assert state.variant_id == "hip_abduction"
    # The bridge is not in today's routine, but the user asked for it: after it, the clamshell.
    state = ENGINE.handle(state, Event(EventKind.GO_TO, "bridge"), NOW, coaching).state
    assert state.variant_id == "bridge"
    state = ENGINE.handle(state, Event(EventKind.SKIP), NOW, coaching).state
    assert state.variant_id == "clamshell"
    state = ENGINE.handle(state, Event(EventKind.SKIP), NOW, coaching).state
    state = ENGINE.handle(state, Event(EventKind.SKIP), NOW, coaching).state
    assert state.phase is Phase.FINISHED
