"""The pacing engine and its voice: limits of every response, hold timing, events, the
timeline, and state round-trips."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from si_coach.routine.catalogue import Pace, Side, Sides, default_catalogue
from si_coach.routine.limits import MAX_PLANNED_SECONDS
from si_coach.routine.pacing import (
    CARRIED_FOR_SET_UP_SECONDS,
    Coaching,
    Event,
    EventKind,
    PacingEngine,
    Phase,
    RoutineState,
    state_table_markdown,
)
from si_coach.voice.speaker import voice_for
from si_coach.voice.speech import (
    MAX_BREAK_MS,
    MAX_SSML_CHARS,
    Cue,
    Silence,
    SpanKind,
    SpeechPlan,
    segment_seconds,
    speaking_seconds,
)

CATALOGUE = default_catalogue()
VOICE = voice_for("en-US")
WORDS = VOICE.wording
ENGINE = PacingEngine(CATALOGUE, VOICE)
T0 = 1_800_000_000.0
# Tags Alexa's SSML accepts (developer documentation, "SSML reference").
ALEXA_SSML_TAGS = {
    "speak", "break", "amazon:domain", "amazon:effect", "amazon:emotion", "audio", "emphasis",
    "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "voice", "w",
}  # fmt: skip
TOP_LEVELS = {v.id: v.top_level for v in CATALOGUE.variants}

COACHINGS = {
    "first day": Coaching(),
    "left side injured": Coaching(injured_side=Side.LEFT),
    "right side injured, slower": Coaching(injured_side=Side.RIGHT, pace=Pace.SLOWER),
    "faster": Coaching(pace=Pace.FASTER),
    "top of every range": Coaching(levels=TOP_LEVELS),
    "top of every range, slower": Coaching(pace=Pace.SLOWER, levels=TOP_LEVELS),
}


@dataclass(frozen=True)
class Said:
    """An engine step and how the voice says it."""

    state: RoutineState
    plan: SpeechPlan
    completed: tuple[str, ...]
    outcomes: tuple


def handle(state: RoutineState, event: Event, now: float, coaching: Coaching) -> Said:
    step = ENGINE.handle(state, event, now, coaching)
    return Said(step.state, VOICE.render(step.outcomes), step.completed, step.outcomes)


def walk_routine(coaching: Coaching, reply_delay: float = 1.5) -> Iterator[tuple[Said, float]]:
    """Start the routine and say "next" after every response until it ends."""
    now = T0
    step = handle(RoutineState(), Event(EventKind.START), now, coaching)
    for _ in range(1000):
        yield step, now
        if step.plan.end_session:
            return
        now += step.plan.planned_seconds + reply_delay
        step = handle(step.state, Event(EventKind.NEXT), now, coaching)
    raise AssertionError("the routine never ended")


def assert_within_limits(plan: SpeechPlan) -> None:
    ssml = plan.ssml()
    assert len(ssml) < MAX_SSML_CHARS
    assert plan.planned_seconds <= MAX_PLANNED_SECONDS, plan.text
    root = ET.fromstring(ssml)  # raises if not well-formed
    assert root.tag == "speak"
    for element in root.iter():
        assert element.tag in ALEXA_SSML_TAGS
        if element.tag == "break":
            match = re.fullmatch(r"(\d+)ms", element.attrib["time"])
            assert match and 0 < int(match.group(1)) <= MAX_BREAK_MS
    assert not re.search(r"\d", plan.text), "numbers are spelled out for the ear"
    if plan.end_session:
        assert plan.reprompt is None
    else:
        assert plan.reprompt, "an open session needs a reprompt"
        ET.fromstring(plan.reprompt_ssml() or "")
        assert plan.text.rstrip().endswith((".", "?"))


@pytest.mark.parametrize("coaching_name", sorted(COACHINGS))
def test_every_response_of_the_whole_routine_meets_every_limit(coaching_name: str) -> None:
    coaching = COACHINGS[coaching_name]
    completed = []
    responses = 0
    for step, _ in walk_routine(coaching):
        assert_within_limits(step.plan)
        completed += step.completed
        responses += 1
    assert completed == [v.id for v in CATALOGUE.variants]
    assert responses > 20


def _holds(plan: SpeechPlan) -> list[float]:
    """Seconds from each "Hold." cue to the cue that ends the hold, by the timing model."""
    holds, current = [], None
    for segment in plan.segments:
        if isinstance(segment, Cue) and segment.text == "Hold.":
            current = 0.0
            continue
        if current is None:
            continue
        inside_hold = isinstance(segment, Silence) or re.fullmatch(
            r"[a-z-]+|.* (seconds?|minutes?) left\.|Keep holding\.", segment.text
        )
        if inside_hold:
            current += segment_seconds(segment)
        else:
            holds.append(round(current, 3))
            current = None
    return holds


@pytest.mark.parametrize("levels", [{}, TOP_LEVELS], ids=["first day", "top of ranges"])
@pytest.mark.parametrize("variant_id", [v.id for v in CATALOGUE.variants])
def test_holds_last_exactly_their_dose(variant_id: str, levels: dict[str, int]) -> None:
    coaching = Coaching(levels=levels)
    variant = CATALOGUE.variant(variant_id)
    dose = variant.dose(coaching.level(variant))
    step = handle(RoutineState(), Event(EventKind.GO_TO, variant_id), T0, coaching)
    now, holds, carried = T0, [], False
    while not step.completed:
        now += step.plan.planned_seconds + 1
        step = handle(step.state, Event(EventKind.NEXT), now, coaching)
        carried |= step.state.phase is Phase.HOLDING
        holds += _holds(step.plan)
    per_rep = 2 if variant.sides is Sides.ALTERNATING else 1
    sides = 2 if variant.sides is Sides.EACH else 1
    if carried:
        # Holds over a minute are carried across responses; so is a block's last long hold
        # when the next block's set-up would not fit after it (said together, in one turn).
        assert dose.hold_seconds > 60 or variant_id == "hamstring_wall_stretch"
        assert dose.hold_seconds > CARRIED_FOR_SET_UP_SECONDS
    else:
        assert holds == [float(dose.hold_seconds)] * (dose.reps * dose.sets * per_rep * sides)


def test_a_six_minute_hold_is_carried_across_responses_by_the_clock() -> None:
    coaching = Coaching(levels=TOP_LEVELS)
    state = handle(
        RoutineState(), Event(EventKind.GO_TO, "hamstring_wall_stretch"), T0, coaching
    ).state
    step = handle(state, Event(EventKind.NEXT), T0, coaching)
    assert step.state.phase is Phase.HOLDING
    hold_started = T0 + step.plan.planned_seconds - speaking_seconds(step.plan.segments[-2].text)
    ends_at = step.state.hold_ends_at
    assert ends_at is not None
    now = T0 + step.plan.planned_seconds + 4
    carried = 0
    while step.state.phase is Phase.HOLDING:
        assert "Keep holding" in step.plan.text and step.plan.reprompt
        assert step.state.hold_ends_at == ends_at, "the end of the hold never moves"
        step = handle(step.state, Event(EventKind.NEXT), now, coaching)
        assert_within_limits(step.plan)
        now += step.plan.planned_seconds + 4
        carried += 1
    assert carried >= 4
    assert "Slowly bring the leg down." in step.plan.text
    assert step.state.reps_done == 1
    assert ends_at - T0 >= 360 > ends_at - hold_started - 90


def test_a_late_reply_shortens_the_rest_of_the_hold_and_never_extends_it() -> None:
    coaching = Coaching(levels=TOP_LEVELS)
    state = handle(
        RoutineState(), Event(EventKind.GO_TO, "hamstring_wall_stretch"), T0, coaching
    ).state
    step = handle(state, Event(EventKind.NEXT), T0, coaching)
    ends_at = step.state.hold_ends_at or 0
    late = handle(step.state, Event(EventKind.NEXT), ends_at + 30, coaching)
    assert late.plan.text.startswith("Time's up.")
    assert late.state.reps_done == 1


def test_how_to_explains_without_moving_the_routine() -> None:
    state = handle(RoutineState(), Event(EventKind.START), T0, Coaching()).state
    state = handle(state, Event(EventKind.NEXT), T0 + 30, Coaching()).state
    assert state.phase is Phase.IN_SET and state.reps_done > 0
    step = handle(state, Event(EventKind.HOW_TO, "bridge"), T0 + 120, Coaching())
    assert "Lift your hips, until your shoulders, hips and knees make a straight line." in (
        step.plan.text
    )
    assert "make a straight line. Hold for six seconds. Then lower your hips" in step.plan.text
    assert "Do it eight times." in step.plan.text
    # Mid-exercise the rest (how the dose grows, what it works) waits for "tell me more".
    assert "reps grow from eight to ten" not in step.plan.text
    assert step.plan.text.endswith(
        "For more about it, say: tell me more. Say next to carry on with the hip abduction."
    )
    assert step.state.to_dict() | {"updated_at": 0} == state.to_dict() | {"updated_at": 0}


def test_pain_stops_keeps_the_place_and_gives_the_safety_advice() -> None:
    state = handle(RoutineState(), Event(EventKind.GO_TO, "bridge"), T0, Coaching()).state
    state = handle(state, Event(EventKind.NEXT), T0 + 20, Coaching()).state
    step = handle(state, Event(EventKind.PAIN), T0 + 100, Coaching())
    assert step.plan.end_session and step.plan.reprompt is None
    assert step.plan.text.startswith("Stop now.")
    for line in WORDS.safety_advice:
        assert line in step.plan.text
    # Kept as a plain pause: nothing saved says that pain was the reason.
    assert step.state.phase is Phase.PAUSED
    assert (step.state.variant_id, step.state.reps_done) == ("bridge", state.reps_done)
    assert "pain" not in json.dumps(step.state.to_dict())
    back = handle(step.state, Event(EventKind.RESUME), T0 + 9000, Coaching())
    assert back.plan.text.startswith("You're on the bridge.")
    assert back.state.phase is Phase.IN_SET and back.state.reps_done == state.reps_done


def test_pause_and_resume_return_to_the_same_rep() -> None:
    state = handle(RoutineState(), Event(EventKind.START), T0, Coaching()).state
    state = handle(state, Event(EventKind.NEXT), T0 + 30, Coaching()).state
    paused = handle(state, Event(EventKind.PAUSE), T0 + 120, Coaching())
    assert paused.state.phase is Phase.PAUSED
    assert "Say resume" in paused.plan.text
    again = handle(paused.state, Event(EventKind.PAUSE), T0 + 130, Coaching())
    assert again.plan.text.startswith("You're paused.")
    resumed = handle(paused.state, Event(EventKind.RESUME), T0 + 600, Coaching())
    assert resumed.state.phase is Phase.IN_SET
    assert resumed.state.reps_done == state.reps_done
    assert "You've done six of ten." in resumed.plan.text


def test_skip_previous_go_to_and_start_over_move_between_variants() -> None:
    coaching = Coaching()
    state = handle(RoutineState(), Event(EventKind.START), T0, coaching).state
    state = handle(state, Event(EventKind.SKIP), T0, coaching).state
    assert state.variant_id == "hip_adduction" and state.phase is Phase.READY
    state = handle(state, Event(EventKind.GO_TO, "knee_to_chest"), T0, coaching).state
    assert (state.variant_id, state.side) == ("knee_to_chest_one_leg", Side.LEFT)
    state = handle(state, Event(EventKind.SKIP), T0, coaching).state
    assert state.variant_id == "knee_to_chest_both_legs"
    state = handle(state, Event(EventKind.PREVIOUS), T0, coaching).state
    assert state.variant_id == "knee_to_chest_one_leg"
    state = handle(state, Event(EventKind.START_OVER), T0, coaching).state
    assert (state.variant_id, state.reps_done) == ("hip_abduction", 0)
    first = handle(state, Event(EventKind.PREVIOUS), T0, coaching)
    assert first.plan.text.startswith("This is the first one:")


def test_an_unknown_exercise_is_named_as_unknown_and_the_list_is_given() -> None:
    step = handle(RoutineState(), Event(EventKind.GO_TO, "cartwheel"), T0, Coaching())
    assert step.plan.text.startswith("I don't know that one.")
    for exercise in CATALOGUE.exercises:
        assert WORDS.exercise(exercise.id).name in step.plan.text
    assert step.state.phase is Phase.NOT_STARTED


def test_repeat_paces_the_last_chunk_again() -> None:
    state = handle(RoutineState(), Event(EventKind.START), T0, Coaching()).state
    first_chunk = handle(state, Event(EventKind.NEXT), T0 + 20, Coaching())
    repeated = handle(first_chunk.state, Event(EventKind.REPEAT), T0 + 100, Coaching())
    assert repeated.plan.text.startswith("Again, from the top. Here we go.")
    assert repeated.state.reps_done == first_chunk.state.reps_done


def test_an_injured_side_is_left_out_and_declaring_it_mid_exercise_moves_on() -> None:
    left_injured = Coaching(injured_side=Side.LEFT)
    state = handle(RoutineState(), Event(EventKind.GO_TO, "clamshell"), T0, left_injured)
    assert state.state.side is Side.RIGHT
    assert "Lie on your left side, so your right knee is on top." in state.plan.text
    right_side = handle(RoutineState(), Event(EventKind.GO_TO, "clamshell"), T0, Coaching())
    right_side = handle(right_side.state, Event(EventKind.NEXT), T0, Coaching())
    right_side = handle(right_side.state, Event(EventKind.NEXT), T0, Coaching())
    assert right_side.state.side is Side.RIGHT and right_side.state.phase is Phase.READY
    right_injured = Coaching(injured_side=Side.RIGHT)
    moved = handle(right_side.state, Event(EventKind.START), T0, right_injured)
    assert moved.state.variant_id == "quadriceps_stretch"
    assert moved.state.side is Side.LEFT


def test_state_table_lists_every_phase_and_event() -> None:
    table = state_table_markdown()
    for phase in Phase:
        assert f"| {phase.value.replace('_', ' ')} |" in table
    for kind in EventKind:
        assert kind.value.replace("_", " ") in table.splitlines()[0]


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"version": 99},
        {**RoutineState().to_dict(), "phase": "dancing"},
        {**RoutineState().to_dict(), "reps_done": -1},
        {**RoutineState().to_dict(), "reps_done": 1.5},
        {**RoutineState().to_dict(), "set": "two"},
        {**RoutineState().to_dict(), "phase": "ready", "variant": "cartwheel"},
        {**RoutineState().to_dict(), "phase": "holding", "variant": "bridge"},
        {**RoutineState().to_dict(), "phase": "paused", "variant": "bridge"},
        {"version": 1, "phase": "ready"},
        [1, 2, 3],
    ],
)
def test_a_broken_saved_state_is_refused(broken: object) -> None:
    with pytest.raises(ValueError):
        RoutineState.from_dict(broken, CATALOGUE)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------

exercise_ids = st.sampled_from(
    [e.id for e in CATALOGUE.exercises] + [v.id for v in CATALOGUE.variants] + ["cartwheel"]
)
events = st.one_of(
    st.builds(Event, st.sampled_from([k for k in EventKind if k not in (EventKind.GO_TO,)])),
    st.builds(Event, st.just(EventKind.GO_TO), exercise_ids),
    st.builds(Event, st.just(EventKind.HOW_TO), st.one_of(st.none(), exercise_ids)),
)
coachings = st.builds(
    Coaching,
    injured_side=st.sampled_from([None, Side.LEFT, Side.RIGHT]),
    pace=st.sampled_from(list(Pace)),
    levels=st.dictionaries(
        st.sampled_from([v.id for v in CATALOGUE.variants]), st.integers(0, 40), max_size=4
    ),
)


def assert_in_bounds(state: RoutineState, coaching: Coaching) -> None:
    if state.phase in (Phase.NOT_STARTED, Phase.FINISHED):
        return
    variant = CATALOGUE.variant(state.variant_id or "")
    dose = variant.dose(coaching.level(variant))
    assert 0 <= state.reps_done < dose.reps
    assert 0 <= state.chunk_start <= state.reps_done
    assert 1 <= state.set_number <= variant.sets
    if variant.sides is Sides.EACH:
        assert state.side in (Side.LEFT, Side.RIGHT)
    else:
        assert state.side is None
    assert (state.phase is Phase.HOLDING) == (state.hold_ends_at is not None)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(events, st.floats(0, 600), coachings), min_size=1, max_size=40),
)
def test_any_sequence_of_events_stays_in_bounds_and_round_trips(sequence) -> None:
    state = RoutineState()
    now = T0
    for event, delay, coaching in sequence:
        now += delay
        step = handle(state, event, now, coaching)
        assert_within_limits(step.plan)
        state = step.state
        assert_in_bounds(ENGINE.normalise(state, coaching), coaching)
        saved = json.loads(json.dumps(state.to_dict()))
        assert RoutineState.from_dict(saved, CATALOGUE) == state


# -- the timeline, and chunking by the voice's own timing ---------------------------------


@pytest.mark.parametrize("coaching_name", ["first day", "top of every range, slower"])
def test_every_paced_response_carries_a_timeline_that_matches_its_speech(
    coaching_name: str,
) -> None:
    coaching = COACHINGS[coaching_name]
    paced = 0
    for step, _ in walk_routine(coaching):
        plan = step.plan
        holds = [s for s in plan.timeline if s.kind is SpanKind.HOLD]
        reps = [s for s in plan.timeline if s.kind is SpanKind.REP]
        if not reps:
            continue
        paced += 1
        assert all(0 <= s.start <= s.end <= plan.planned_seconds + 1e-6 for s in plan.timeline)
        assert [r.rep for r in reps] == list(range(reps[0].rep, reps[0].rep + len(reps)))
        assert all(a.end <= b.start + 1e-6 for a, b in pairwise(reps))
        # The spoken holds, measured from the segments, are the timeline's holds.
        spoken = _holds(plan)
        fresh = [round(h.end - h.start, 3) for h in holds][-len(spoken) :] if spoken else []
        assert fresh == spoken
    assert paced > 10


class SlowVoice:
    """The same voice, said at half speed: the engine must fit fewer reps in a response."""

    def seconds(self, outcomes) -> float:
        return 2 * VOICE.seconds(outcomes)


def test_the_engine_chunks_by_the_voices_timing() -> None:
    state = handle(RoutineState(), Event(EventKind.START), T0, Coaching()).state
    usual = ENGINE.handle(state, Event(EventKind.NEXT), T0, Coaching())
    slow = PacingEngine(CATALOGUE, SlowVoice()).handle(state, Event(EventKind.NEXT), T0, Coaching())
    assert 0 < slow.state.reps_done < usual.state.reps_done


def test_stop_mid_hold_keeps_the_place_and_restarts_that_rep() -> None:
    coaching = Coaching(levels=TOP_LEVELS)
    state = handle(RoutineState(), Event(EventKind.GO_TO, "hamstring_wall_stretch"), T0, coaching)
    holding = handle(state.state, Event(EventKind.NEXT), T0, coaching)
    assert holding.state.phase is Phase.HOLDING
    stopped = handle(holding.state, Event(EventKind.STOP), T0 + 100, coaching)
    assert stopped.plan.end_session and "saved your place" in stopped.plan.text
    assert stopped.state.phase is Phase.IN_SET and stopped.state.hold_ends_at is None
