"""The pacing engine: a pure state machine from (routine state, event, now) to paced speech.

It knows nothing of Alexa, storage or clocks: `now` (seconds since the epoch) is passed in,
and the caller persists the returned state. One call plans one response: a chunk of reps
that fits the platform's limits (see speech.py), ending with a question and a reprompt.

The routine is walked in blocks: for each variant in catalogue order, for each side it is
done on (the injured side left out), for each set, a run of reps. A block too long for one
response is split at rep boundaries; a hold too long for one response (the hamstring
stretch) is carried across responses, its end time kept in the state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from si_coach.catalogue import Catalogue, Pace, Side, Sides, Variant
from si_coach.speech import (
    MAX_COUNTED_HOLD_SECONDS,
    MAX_PLANNED_SECONDS,
    SpeechBuilder,
    SpeechPlan,
    duration_words,
    number_words,
    speaking_seconds,
)

STATE_SCHEMA_VERSION = 1
# Paced time per response, leaving room under the 90 s limit for the closing question.
PACING_BUDGET_SECONDS = 78.0


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    UP_NEXT = "up_next"  # a block is named but its set-up not yet read out
    READY = "ready"  # a block has been announced; waiting for the user to begin it
    IN_SET = "in_set"  # some reps of the block are done; waiting to carry on
    HOLDING = "holding"  # a long hold runs on between responses
    PAUSED = "paused"
    FINISHED = "finished"


class EventKind(StrEnum):
    START = "start"
    NEXT = "next"
    PREVIOUS = "previous"
    REPEAT = "repeat"
    SKIP = "skip"
    GO_TO = "go_to"
    HOW_TO = "how_to"
    PAUSE = "pause"
    RESUME = "resume"
    PAIN = "pain"
    START_OVER = "start_over"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    # For GO_TO and HOW_TO: an exercise or variant id from the catalogue.
    exercise_id: str | None = None


@dataclass(frozen=True)
class Coaching:
    """The user's settings that shape pacing: injured side, pace, and progression levels."""

    injured_side: Side | None = None
    pace: Pace = Pace.NORMAL
    levels: Mapping[str, int] = field(default_factory=dict)

    def level(self, variant: Variant) -> int:
        return self.levels.get(variant.id, 0)


@dataclass(frozen=True)
class RoutineState:
    """Where the user is in the routine, and what a resumed session needs to carry on."""

    phase: Phase = Phase.NOT_STARTED
    variant_id: str | None = None
    side: Side | None = None
    set_number: int = 1
    reps_done: int = 0
    # Reps done when the last chunk began: "repeat" paces that chunk again.
    chunk_start: int = 0
    # For HOLDING: when the current hold ends, in seconds since the epoch.
    hold_ends_at: float | None = None
    # For PAUSED: the phase to go back to.
    paused_from: Phase | None = None
    updated_at: float = 0.0

    def to_dict(self) -> dict:
        return {
            "version": STATE_SCHEMA_VERSION,
            "phase": self.phase.value,
            "variant": self.variant_id,
            "side": self.side.value if self.side else None,
            "set": self.set_number,
            "reps_done": self.reps_done,
            "chunk_start": self.chunk_start,
            "hold_ends_at": self.hold_ends_at,
            "paused_from": self.paused_from.value if self.paused_from else None,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_dict(cls, raw: Mapping, catalogue: Catalogue) -> RoutineState:
        """Rebuild a saved state; raises ValueError if it does not fit this catalogue."""
        if not isinstance(raw, Mapping) or raw.get("version") != STATE_SCHEMA_VERSION:
            raise ValueError("routine state has an unknown schema version")
        try:
            state = cls(
                phase=Phase(raw["phase"]),
                variant_id=raw["variant"],
                side=Side(raw["side"]) if raw["side"] is not None else None,
                set_number=_whole(raw["set"]),
                reps_done=_whole(raw["reps_done"]),
                chunk_start=_whole(raw["chunk_start"]),
                hold_ends_at=None if raw["hold_ends_at"] is None else float(raw["hold_ends_at"]),
                paused_from=Phase(raw["paused_from"]) if raw["paused_from"] else None,
                updated_at=float(raw["updated_at"]),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"routine state is malformed: {error}") from error
        needs_variant = state.phase not in (Phase.NOT_STARTED, Phase.FINISHED)
        if needs_variant and catalogue.find_variant(state.variant_id or "") is None:
            raise ValueError("routine state names an exercise the catalogue lacks")
        if state.phase is Phase.HOLDING and state.hold_ends_at is None:
            raise ValueError("a hold in progress needs its end time")
        if state.paused_from in (Phase.PAUSED, Phase.NOT_STARTED, Phase.FINISHED):
            raise ValueError("a pause cannot return to that phase")
        if (state.phase is Phase.PAUSED) != (state.paused_from is not None):
            raise ValueError("only a paused routine remembers where it paused")
        return state


def _whole(value: object) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 0:  # type: ignore[call-overload]
        raise TypeError(f"{value!r} is not a whole number")
    return int(value)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Step:
    """What one event produced: the new state, its speech, and variants finished just now."""

    state: RoutineState
    plan: SpeechPlan
    completed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A run of reps of one variant on one side (or none) for one set."""

    variant: Variant
    side: Side | None
    set_number: int


class PacingEngine:
    """Turns events into paced speech over one catalogue. Stateless: state comes in and out."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    # -- public entry point -------------------------------------------------------------

    def handle(self, state: RoutineState, event: Event, now: float, coaching: Coaching) -> Step:
        state = self._normalise(state, coaching)
        transition = TRANSITIONS[state.phase].get(event.kind)
        if transition is None:
            step = _not_now(self, state, event, now, coaching)
        else:
            step = transition(self, state, event, now, coaching)
        return replace(step, state=replace(step.state, updated_at=now))

    # -- routine geometry ---------------------------------------------------------------

    def blocks(self, variant: Variant, coaching: Coaching) -> list[Block]:
        sides: list[Side | None]
        if variant.sides is Sides.EACH:
            sides = [s for s in (Side.LEFT, Side.RIGHT) if s != coaching.injured_side]
        else:
            sides = [None]
        return [Block(variant, side, n) for side in sides for n in range(1, variant.sets + 1)]

    def current_block(self, state: RoutineState, coaching: Coaching) -> Block:
        variant = self.catalogue.variant(state.variant_id or "")
        for block in self.blocks(variant, coaching):
            if block.side == state.side and block.set_number == state.set_number:
                return block
        raise LookupError("state is not on a block")

    def _normalise(self, state: RoutineState, coaching: Coaching) -> RoutineState:
        """Bring a saved state back inside the routine after the catalogue or settings changed."""
        if state.phase in (Phase.NOT_STARTED, Phase.FINISHED):
            return state
        variant = self.catalogue.find_variant(state.variant_id or "")
        if variant is None:
            return RoutineState(updated_at=state.updated_at)
        if variant.id != state.variant_id:
            first = self.blocks(variant, coaching)[0]
            return _at_block_start(state, first, _keep_pause(state, Phase.READY))
        allowed = self.blocks(variant, coaching)
        if not any(b.side == state.side and b.set_number == state.set_number for b in allowed):
            # The side was just declared injured: go on from the next block still allowed.
            in_order = self.blocks(variant, Coaching(pace=coaching.pace, levels=coaching.levels))
            here = next(
                (
                    i
                    for i, b in enumerate(in_order)
                    if (b.side, b.set_number) == (state.side, state.set_number)
                ),
                -1,
            )
            target = next((b for b in in_order[here + 1 :] if b in allowed), None)
            if target is None:
                following = self.variant_after(variant, +1)
                if following is None:
                    return RoutineState(phase=Phase.FINISHED, updated_at=state.updated_at)
                target = self.blocks(following, coaching)[0]
            return _at_block_start(state, target, _keep_pause(state, Phase.READY))
        reps = variant.dose(coaching.level(variant)).reps
        if state.reps_done >= reps:
            return replace(state, reps_done=reps - 1, chunk_start=min(state.chunk_start, reps - 1))
        return state

    def next_block(self, block: Block, coaching: Coaching) -> Block | None:
        blocks = self.blocks(block.variant, coaching)
        index = blocks.index(block)
        if index + 1 < len(blocks):
            return blocks[index + 1]
        variants = self.catalogue.variants
        position = variants.index(block.variant)
        if position + 1 < len(variants):
            return self.blocks(variants[position + 1], coaching)[0]
        return None

    def variant_after(self, variant: Variant, offset: int) -> Variant | None:
        variants = self.catalogue.variants
        position = variants.index(variant) + offset
        return variants[position] if 0 <= position < len(variants) else None


def _at_block_start(state: RoutineState, block: Block, phase: Phase) -> RoutineState:
    return replace(
        state,
        phase=phase,
        variant_id=block.variant.id,
        side=block.side,
        set_number=block.set_number,
        reps_done=0,
        chunk_start=0,
        hold_ends_at=None,
        paused_from=None if phase is not Phase.PAUSED else state.paused_from,
    )


def _keep_pause(state: RoutineState, otherwise: Phase) -> Phase:
    return Phase.PAUSED if state.phase is Phase.PAUSED else otherwise


# -- speech pieces -------------------------------------------------------------------------


def _side_text(text: str, side: Side | None) -> str:
    if side is None:
        return text
    return text.format(side=side.value, other_side=side.other.value)


def _hold_phrase(variant: Variant, coaching: Coaching) -> str:
    dose = variant.dose(coaching.level(variant))
    each_way = " each way" if variant.sides is Sides.ALTERNATING else ""
    return f"Hold for {duration_words(dose.hold_seconds)}{each_way}"


def _reps_phrase(variant: Variant, coaching: Coaching) -> str:
    dose = variant.dose(coaching.level(variant))
    reps = f"{number_words(dose.reps)} times"
    if dose.sets > 1:
        reps = f"{number_words(dose.sets)} sets of {number_words(dose.reps)}"
    where = " on each side" if variant.sides is Sides.EACH else ""
    return f"Do it {reps}{where}."


def _dose_sentence(variant: Variant, coaching: Coaching) -> str:
    return f"{_hold_phrase(variant, coaching)}. {_reps_phrase(variant, coaching)}"


def _spoken_steps(variant: Variant, coaching: Coaching) -> list[str]:
    """The steps with each bare "Hold." given its length, then how many to do."""
    seconds = duration_words(variant.dose(coaching.level(variant)).hold_seconds)
    spoken = {"Hold.": f"Hold for {seconds}.", "Hold again.": f"Hold again, for {seconds}."}
    steps = [spoken.get(step, step) for step in variant.steps]
    return [*steps, _reps_phrase(variant, coaching)]


def _range_sentence(variant: Variant) -> str:
    """How the dose can grow, said in the how-to so the user hears the whole range."""
    parts = []
    hold, reps = variant.hold_seconds, variant.reps
    if hold.max > hold.min:
        parts.append(f"holds grow from {duration_words(hold.min)} to {duration_words(hold.max)}")
    if reps.max > reps.min:
        parts.append(f"reps grow from {number_words(reps.min)} to {number_words(reps.max)}")
    if not parts:
        return ""
    return "As the days go by, " + " and ".join(parts) + "."


def _block_name(block: Block) -> str:
    if block.side is None:
        return block.variant.name
    return f"{block.variant.name}, {block.side.value} side"


def _intro(
    engine: PacingEngine, block: Block, coaching: Coaching, lead: str, *, full: bool = False
) -> list[str]:
    """Announce a block: a new variant (or a resumed block) gets its whole set-up; the
    next side or set within a variant a short bridge."""
    variant = block.variant
    exercise = engine.catalogue.exercise_of(variant)
    lines: list[str] = []
    if full or block == engine.blocks(variant, coaching)[0]:
        lines.append(f"{lead} {_block_name(block)}.".strip())
        if exercise.equipment:
            lines.append(f"You'll need {exercise.equipment}.")
        lines.extend(variant.position)
        if block.side is not None:
            lines.append(_side_text(variant.side_setup, block.side))
        if block.set_number > 1:
            lines.append(f"This is set {number_words(block.set_number)}.")
        lines.append(_dose_sentence(variant, coaching))
        lines.append("Say next when you're in position.")
    elif block.side is not None and block.set_number == 1:
        lines.append(f"Now your {block.side.value} side.")
        lines.append(_side_text(variant.side_setup, block.side))
        lines.append("Say next when you're ready.")
    else:
        lines.append(
            f"Rest as long as you need. Then say next for set {number_words(block.set_number)}."
        )
    return lines


def _ready_reprompt(block: Block) -> str:
    return f"Say next to begin the {_block_name(block)}, or say pause."


def _announce(
    engine: PacingEngine,
    state: RoutineState,
    coaching: Coaching,
    *,
    lead: str = "Next:",
    full: bool = False,
) -> Step:
    block = engine.current_block(state, coaching)
    speech = SpeechBuilder().say(*_intro(engine, block, coaching, lead, full=full))
    return Step(replace(state, phase=Phase.READY), speech.build(_ready_reprompt(block)))


def _where_you_are(engine: PacingEngine, state: RoutineState, coaching: Coaching) -> Step:
    """Re-announce the current block, saying how far into it the user already is."""
    block = engine.current_block(state, coaching)
    if state.reps_done == 0:
        resumed = replace(state, hold_ends_at=None)
        return _announce(engine, resumed, coaching, lead="You're on the", full=True)
    dose = block.variant.dose(coaching.level(block.variant))
    speech = SpeechBuilder().say(
        f"You're on the {_block_name(block)}.",
        *block.variant.position,
        f"You've done {number_words(state.reps_done)} of {number_words(dose.reps)}.",
        "Say next when you're in position to carry on.",
    )
    new_state = replace(state, phase=Phase.IN_SET, hold_ends_at=None, chunk_start=state.reps_done)
    return Step(new_state, speech.build(f"Say next to carry on with the {_block_name(block)}."))


# -- pacing reps ---------------------------------------------------------------------------


def _pace(engine: PacingEngine, state: RoutineState, coaching: Coaching, now: float) -> Step:
    """Pace as many reps of the current block as fit one response, then close it."""
    block = engine.current_block(state, coaching)
    variant = block.variant
    dose = variant.dose(coaching.level(variant))
    rest = variant.rest_seconds.for_pace(coaching.pace)
    speech = SpeechBuilder()
    reps_done = state.reps_done
    chunk_start = reps_done
    if state.phase is Phase.HOLDING and state.hold_ends_at is not None:
        remaining = round(state.hold_ends_at - now)
        if remaining > 0:
            carried = _hold(speech, remaining, fresh=False)
            if carried < remaining:
                return _keep_holding(
                    state, speech, seconds_left=remaining - carried, reps_done=reps_done
                )
        else:
            speech.say("Time's up.")
        speech.say(_side_text(variant.release_cue, block.side))
        reps_done += 1
        if reps_done < dose.reps:
            _rest_between_reps(speech, rest)
    while reps_done < dose.reps:
        if (
            reps_done > chunk_start
            and speech.elapsed + _rep_seconds(variant, block, dose.hold_seconds, rest)
            > PACING_BUDGET_SECONDS
        ):
            break
        speech.say(_rep_label(reps_done, dose.reps, first_in_chunk=reps_done == chunk_start))
        if variant.sides is Sides.ALTERNATING:
            for side in (Side.LEFT, Side.RIGHT):
                speech.say(_side_text(variant.action_cue, side), "Hold.")
                _hold(speech, dose.hold_seconds, fresh=True)
        else:
            speech.say(_side_text(variant.action_cue, block.side), "Hold.")
            started_at = speech.elapsed
            carried = _hold(speech, dose.hold_seconds, fresh=True)
            if carried < dose.hold_seconds:
                hold_end = now + started_at + dose.hold_seconds
                return _keep_holding(
                    replace(state, hold_ends_at=hold_end, chunk_start=chunk_start),
                    speech,
                    seconds_left=dose.hold_seconds - carried,
                    reps_done=reps_done,
                )
        speech.say(_side_text(variant.release_cue, block.side))
        reps_done += 1
        if reps_done < dose.reps:
            _rest_between_reps(speech, rest)
    if reps_done < dose.reps:
        left = dose.reps - reps_done
        speech.say(
            f"That's {number_words(reps_done)} of {number_words(dose.reps)}.",
            f"Say next for the last {number_words(left)}."
            if left > 1
            else "Say next for the last one.",
        )
        new_state = replace(
            state,
            phase=Phase.IN_SET,
            reps_done=reps_done,
            chunk_start=chunk_start,
            hold_ends_at=None,
        )
        return Step(new_state, speech.build(f"Say next to carry on with the {_block_name(block)}."))
    return _finish_block(engine, state, block, speech, coaching)


def _finish_block(
    engine: PacingEngine,
    state: RoutineState,
    block: Block,
    speech: SpeechBuilder,
    coaching: Coaching,
) -> Step:
    following = engine.next_block(block, coaching)
    completed: tuple[str, ...] = ()
    if following is None or following.variant != block.variant:
        completed = (block.variant.id,)
        speech.say(f"Well done. You've finished the {block.variant.name}.")
    else:
        speech.say("Good.")
    if following is None:
        speech.say(
            "And that's the whole routine. Great work today.",
            "Come back tomorrow, and I'll take you through it again.",
        )
        finished = RoutineState(phase=Phase.FINISHED)
        return Step(finished, speech.build(None, end_session=True), completed)
    intro = _intro(engine, following, coaching, "Next:")
    if speech.elapsed + sum(map(speaking_seconds, intro)) <= MAX_PLANNED_SECONDS - 2:
        speech.say(*intro)
        ready = _at_block_start(state, following, Phase.READY)
        return Step(ready, speech.build(_ready_reprompt(following)), completed)
    # No room left in this response for the set-up: name what's next, read it on "next".
    speech.say(f"Up next: {_block_name(following)}.", "Say next when you're ready.")
    up_next = _at_block_start(state, following, Phase.UP_NEXT)
    return Step(up_next, speech.build(_ready_reprompt(following)), completed)


def _keep_holding(
    state: RoutineState, speech: SpeechBuilder, *, seconds_left: int, reps_done: int
) -> Step:
    """End a response in the middle of a hold; "next" picks the count up from its end time."""
    speech.say(f"{duration_words(seconds_left)} to go. Keep holding.", "Say next.")
    holding = replace(state, phase=Phase.HOLDING, reps_done=reps_done, chunk_start=reps_done)
    return Step(holding, speech.build("Keep holding, and say next."))


def _hold(speech: SpeechBuilder, seconds: int, *, fresh: bool) -> int:
    """Pace a hold, as much of it as fits; returns the seconds covered in this response."""
    if fresh and seconds <= MAX_COUNTED_HOLD_SECONDS:
        speech.counted_hold(seconds)
        return seconds
    room = int(PACING_BUDGET_SECONDS - speech.elapsed)
    covered = max(0, min(seconds, room))
    speech.timed_hold(seconds, covered)
    return covered


def _rest_between_reps(speech: SpeechBuilder, rest: int) -> None:
    # A short rest is silence alone; a longer one is named, so the pause isn't mistaken
    # for the skill having stopped.
    if rest >= 4:
        speech.say("Rest.").pause(rest - speaking_seconds("Rest."))
    else:
        speech.pause(rest)


def _rep_label(reps_done: int, reps: int, *, first_in_chunk: bool) -> str:
    if reps_done == reps - 1 and reps > 1:
        return "Last one."
    if reps_done == 0:
        return "Here we go."
    return f"Number {number_words(reps_done + 1)}." if first_in_chunk or reps > 3 else "Again."


def _rep_seconds(variant: Variant, block: Block, hold: int, rest: int) -> float:
    """Planned length of one rep, used to decide whether it still fits the response."""
    cue = speaking_seconds(_side_text(variant.action_cue, block.side or Side.LEFT)) + 1.2
    holds = 2 if variant.sides is Sides.ALTERNATING else 1
    release = speaking_seconds(_side_text(variant.release_cue, block.side))
    return holds * (cue + hold) + release + rest + 1.0


# -- transitions ---------------------------------------------------------------------------

Transition = Callable[[PacingEngine, RoutineState, Event, float, Coaching], Step]


def _begin_routine(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    first = engine.blocks(engine.catalogue.variants[0], coaching)[0]
    return _announce(
        engine, _at_block_start(RoutineState(), first, Phase.READY), coaching, lead="First:"
    )


def _continue(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    return _pace(engine, state, coaching, now)


def _announce_up_next(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    return _announce(engine, state, coaching)


def _remind(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    return _where_you_are(engine, state, coaching)


def _repeat_chunk(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    rewound = replace(state, reps_done=state.chunk_start, hold_ends_at=None, phase=Phase.IN_SET)
    step = _pace(engine, rewound, coaching, now)
    return replace(step, plan=_prefixed(step.plan, "Again, from the top."))


def _skip(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    current = engine.catalogue.variant(state.variant_id or "")
    following = engine.variant_after(current, +1)
    if following is None:
        speech = SpeechBuilder().say(
            "That was the last exercise, so that's the routine done for today. Well done."
        )
        return Step(RoutineState(phase=Phase.FINISHED), speech.build(None, end_session=True))
    return _go_to_variant(engine, state, following, coaching, lead="Skipping ahead. Next:")


def _previous(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    if state.phase is Phase.FINISHED:
        current = engine.catalogue.variants[-1]
        return _go_to_variant(engine, state, current, coaching, lead="Back to")
    current = engine.catalogue.variant(state.variant_id or "")
    earlier = engine.variant_after(current, -1)
    if earlier is None:
        return _go_to_variant(engine, state, current, coaching, lead="This is the first one:")
    return _go_to_variant(engine, state, earlier, coaching, lead="Back to")


def _go_to(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    target = engine.catalogue.find_variant(event.exercise_id or "")
    if target is None:
        return _unknown_exercise(engine, state, coaching)
    return _go_to_variant(engine, state, target, coaching, lead="Let's do")


def _go_to_variant(
    engine: PacingEngine,
    state: RoutineState,
    variant: Variant,
    coaching: Coaching,
    *,
    lead: str,
) -> Step:
    block = engine.blocks(variant, coaching)[0]
    return _announce(engine, _at_block_start(state, block, Phase.READY), coaching, lead=lead)


def _how_to(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    """Explain a variant's steps; the routine's position does not move."""
    if event.exercise_id is not None:
        variant = engine.catalogue.find_variant(event.exercise_id)
        if variant is None:
            return _unknown_exercise(engine, state, coaching)
    elif state.variant_id and state.phase is not Phase.FINISHED:
        variant = engine.catalogue.variant(state.variant_id)
    else:
        speech = SpeechBuilder().say(
            "Which exercise? For example, say: how do I do the bridge.",
        )
        return Step(state, speech.build("Say: how do I do the bridge, or name another one."))
    exercise = engine.catalogue.exercise_of(variant)
    speech = SpeechBuilder().say(f"Here's the {variant.name}.")
    if exercise.equipment:
        speech.say(f"You'll need {exercise.equipment}.")
    speech.say(*variant.position, *_spoken_steps(variant, coaching))
    speech.say(_range_sentence(variant), *variant.notes)
    if exercise.works:
        speech.say(f"It works {exercise.works}.")
    back = _back_to_routine(engine, state, coaching)
    speech.say(back)
    held = state
    if state.phase is Phase.HOLDING:
        # A hold can't be timed while the steps are read out: that rep starts again.
        held = replace(state, phase=Phase.IN_SET, hold_ends_at=None)
    return Step(held, speech.build(back))


def _back_to_routine(engine: PacingEngine, state: RoutineState, coaching: Coaching) -> str:
    if state.phase in (Phase.NOT_STARTED, Phase.FINISHED):
        return "Say start my routine when you're ready."
    if state.phase is Phase.PAUSED:
        return "You're paused. Say resume when you're ready."
    block = engine.current_block(state, coaching)
    return f"Say next to carry on with the {_block_name(block)}."


def _unknown_exercise(engine: PacingEngine, state: RoutineState, coaching: Coaching) -> Step:
    names = [e.name for e in engine.catalogue.exercises]
    listing = ", ".join(names[:-1]) + f", and {names[-1]}"
    back = _back_to_routine(engine, state, coaching)
    speech = SpeechBuilder().say(
        "I don't know that one.", f"The exercises are: {listing}.", "Which one would you like?"
    )
    return Step(state, speech.say(back).build(f"Name an exercise, like the bridge. {back}"))


def _pause(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    back_to = Phase.IN_SET if state.phase is Phase.HOLDING else state.phase
    if back_to is Phase.IN_SET and state.reps_done == 0:
        back_to = Phase.READY
    paused = replace(state, phase=Phase.PAUSED, paused_from=back_to, hold_ends_at=None)
    speech = SpeechBuilder().say("Paused. Take your time.", "Say resume when you're ready.")
    return Step(paused, speech.build("Say resume when you're ready, or stop to finish for today."))


def _still_paused(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    speech = SpeechBuilder().say("You're paused.", "Say resume when you're ready.")
    return Step(state, speech.build("Say resume when you're ready, or stop to finish for today."))


def _unpause(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    restored = replace(state, phase=state.paused_from or Phase.READY, paused_from=None)
    return _where_you_are(engine, restored, coaching)


def _stop_for_pain(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    """Stop at once and give the safety advice; the place is kept as a plain pause.

    Nothing saved says that pain was the reason: a record holds exercise progress only.
    """
    in_routine = state.phase not in (Phase.NOT_STARTED, Phase.FINISHED)
    stopped = state
    if in_routine and state.phase is not Phase.PAUSED:
        stopped = _pause(engine, state, event, now, coaching).state
    speech = SpeechBuilder().say(
        "Stop now. Slowly ease out of the position, and rest.",
        *engine.catalogue.safety_advice,
        "I've saved your place. Take care." if in_routine else "Take care.",
    )
    return Step(stopped, speech.build(None, end_session=True))


def _finished_already(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    speech = SpeechBuilder().say(
        "You've finished the routine.", "Say start over to go again, or stop to finish."
    )
    return Step(state, speech.build("Say start over, or stop."))


def _not_now(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    """An event that does nothing in this phase: say so, and what would work."""
    if state.phase is Phase.NOT_STARTED:
        line = "We haven't started yet. Say start my routine."
    elif state.phase is Phase.FINISHED:
        line = "You've finished the routine. Say start over to go again."
    else:
        line = _back_to_routine(engine, state, coaching)
    speech = SpeechBuilder().say(line)
    return Step(state, speech.build(line))


def _prefixed(plan: SpeechPlan, text: str) -> SpeechPlan:
    lead = SpeechBuilder().say(text).build(None)
    return replace(plan, segments=lead.segments + plan.segments)


# The state table: which events do something in which phase. An event missing from a
# phase's row is answered by _not_now, which says what can be said instead.
TRANSITIONS: dict[Phase, dict[EventKind, Transition]] = {
    Phase.NOT_STARTED: {
        EventKind.START: _begin_routine,
        EventKind.NEXT: _begin_routine,
        EventKind.RESUME: _begin_routine,
        EventKind.START_OVER: _begin_routine,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAIN: _stop_for_pain,
    },
    Phase.UP_NEXT: {
        EventKind.START: _announce_up_next,
        EventKind.NEXT: _announce_up_next,
        EventKind.RESUME: _announce_up_next,
        EventKind.REPEAT: _announce_up_next,
        EventKind.PREVIOUS: _previous,
        EventKind.SKIP: _skip,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAUSE: _pause,
        EventKind.PAIN: _stop_for_pain,
        EventKind.START_OVER: _begin_routine,
    },
    Phase.READY: {
        EventKind.START: _remind,
        EventKind.NEXT: _continue,
        EventKind.RESUME: _remind,
        EventKind.REPEAT: _remind,
        EventKind.PREVIOUS: _previous,
        EventKind.SKIP: _skip,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAUSE: _pause,
        EventKind.PAIN: _stop_for_pain,
        EventKind.START_OVER: _begin_routine,
    },
    Phase.IN_SET: {
        EventKind.START: _remind,
        EventKind.NEXT: _continue,
        EventKind.RESUME: _remind,
        EventKind.REPEAT: _repeat_chunk,
        EventKind.PREVIOUS: _previous,
        EventKind.SKIP: _skip,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAUSE: _pause,
        EventKind.PAIN: _stop_for_pain,
        EventKind.START_OVER: _begin_routine,
    },
    Phase.HOLDING: {
        EventKind.START: _remind,
        EventKind.NEXT: _continue,
        EventKind.RESUME: _continue,
        EventKind.REPEAT: _repeat_chunk,
        EventKind.PREVIOUS: _previous,
        EventKind.SKIP: _skip,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAUSE: _pause,
        EventKind.PAIN: _stop_for_pain,
        EventKind.START_OVER: _begin_routine,
    },
    Phase.PAUSED: {
        EventKind.START: _unpause,
        EventKind.NEXT: _unpause,
        EventKind.RESUME: _unpause,
        EventKind.REPEAT: _still_paused,
        EventKind.PAUSE: _still_paused,
        EventKind.PREVIOUS: _previous,
        EventKind.SKIP: _skip,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAIN: _stop_for_pain,
        EventKind.START_OVER: _begin_routine,
    },
    Phase.FINISHED: {
        EventKind.START: _begin_routine,
        EventKind.START_OVER: _begin_routine,
        EventKind.NEXT: _finished_already,
        EventKind.RESUME: _finished_already,
        EventKind.REPEAT: _finished_already,
        EventKind.PREVIOUS: _previous,
        EventKind.GO_TO: _go_to,
        EventKind.HOW_TO: _how_to,
        EventKind.PAIN: _stop_for_pain,
    },
}


def state_table_markdown() -> str:
    """The state table as Markdown: each phase, and what each event does there."""
    events = list(EventKind)
    header = "| phase | " + " | ".join(e.value.replace("_", " ") for e in events) + " |"
    rule = "|---" * (len(events) + 1) + "|"
    rows = [header, rule]
    for phase in Phase:
        cells = []
        for event in events:
            transition = TRANSITIONS[phase].get(event)
            cells.append(
                "-" if transition is None else transition.__name__.strip("_").replace("_", " ")
            )
        rows.append(f"| {phase.value.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(state_table_markdown())
