"""The pacing engine: a pure state machine from (routine state, event, now) to outcomes.

It knows nothing of Alexa, storage, clocks or words: `now` (seconds since the epoch) is
passed in, the caller persists the returned state, and the voice (voice.py) says the
returned outcomes (outcomes.py). One call plans one response.

The routine is walked in blocks: for each variant in catalogue order, for each side it is
done on (the injured side left out), for each set, a run of reps. A block too long for one
response is split at rep boundaries; a hold too long for one response (the hamstring
stretch) is carried across responses, its end time kept in the state.

Interruptions: a paced response is recorded as a PacedResponse (its timeline); the next
request's timestamp tells how many of its reps were finished (`reps_heard`), and the state
goes back to the rep in progress (`interrupted_state`) before the new event is handled.

Chunking, the one place: `_pace` decides how many reps fit one response. It measures each
beat it adds with the voice's own timing (`ResponseTiming.seconds`, the real words' length
by the timing model in speech.py), keeps paced time within PACING_BUDGET_SECONDS, and
leaves room under the platform's 90 s for the closing question. Nothing else splits a block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from si_coach.routine.catalogue import Catalogue, Pace, Side, Sides, Variant
from si_coach.routine.limits import MAX_COUNTED_HOLD_SECONDS, MAX_PLANNED_SECONDS
from si_coach.routine.outcomes import (
    Action,
    Block,
    BlockAnnounced,
    ChunkEnded,
    FinishedAlready,
    Hold,
    HoldCarried,
    HowTo,
    InBlock,
    Lead,
    LeftOutToday,
    NotNow,
    Outcome,
    Paused,
    Place,
    Release,
    RepBegins,
    RepeatingChunk,
    Rest,
    RoutineFinished,
    SetFinished,
    SkippedPastLast,
    Standing,
    StillPaused,
    Stopped,
    StoppedForPain,
    TimeUp,
    UnknownExercise,
    UpNext,
    VariantFinished,
    WhichExercise,
)

STATE_SCHEMA_VERSION = 1
# Paced time per response, leaving room under the 90 s limit for the closing question.
PACING_BUDGET_SECONDS = 78.0
# Room kept free after a block's set-up is added to a response that paced reps.
CLOSING_ROOM_SECONDS = 2.0
# A block's last long hold that leaves no room for the next block's set-up is carried into
# the next response with this much of it left: time to say "next" while holding, and room
# after it for the release, the finish and the set-up, said together.
CARRIED_FOR_SET_UP_SECONDS = 15


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    UP_NEXT = "up_next"  # a block is named but its set-up not yet read out
    READY = "ready"  # a block has been announced; waiting for the user to begin it
    IN_SET = "in_set"  # some reps of the block are done; waiting to carry on
    HOLDING = "holding"  # a long hold runs on between responses
    PAUSED = "paused"
    FINISHED = "finished"

    @property
    def in_routine(self) -> bool:
        """On a block, paused or not: there is a place to keep."""
        return self not in (Phase.NOT_STARTED, Phase.FINISHED)

    @property
    def active(self) -> bool:
        """On a block and not paused: "next" carries on."""
        return self.in_routine and self is not Phase.PAUSED


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
    STOP = "stop"


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
    # Today's routine, when it is not the whole catalogue (a short routine): its variant ids.
    # Empty means every variant. The order is always the catalogue's.
    routine: tuple[str, ...] = ()
    # Variants the user left out until they ask for them back ("no doorway at home").
    left_out: frozenset[str] = frozenset()

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
    # Reps done when the last chunk began: "do that set again" paces that chunk again.
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
        if state.phase.in_routine and catalogue.find_variant(state.variant_id or "") is None:
            raise ValueError("routine state names an exercise the catalogue lacks")
        if state.phase is Phase.HOLDING and state.hold_ends_at is None:
            raise ValueError("a hold in progress needs its end time")
        if state.paused_from is not None and not state.paused_from.active:
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
    """What one event produced: the new state, what happened, and variants finished now."""

    state: RoutineState
    outcomes: tuple[Outcome, ...]
    completed: tuple[str, ...] = ()


class ResponseTiming(Protocol):
    """How long the voice takes to say some outcomes (the voice implements it)."""

    def seconds(self, outcomes: Sequence[Outcome]) -> float: ...


class PacingEngine:
    """Turns events into outcomes over one catalogue. Stateless: state comes in and out."""

    def __init__(self, catalogue: Catalogue, timing: ResponseTiming) -> None:
        self.catalogue = catalogue
        self.timing = timing

    # -- public entry point -------------------------------------------------------------

    def handle(self, state: RoutineState, event: Event, now: float, coaching: Coaching) -> Step:
        state = self.normalise(state, coaching)
        transition = TRANSITIONS[state.phase].get(event.kind)
        if transition is None:
            step = _not_now(self, state, event, now, coaching)
        else:
            step = transition(self, state, event, now, coaching)
        if step.state == state:
            return step
        # Only a move dates the state: merging two devices' records keeps the latest move.
        return replace(step, state=replace(step.state, updated_at=now))

    # -- routine geometry ---------------------------------------------------------------

    def blocks(self, variant: Variant, coaching: Coaching) -> list[Block]:
        sides: list[Side | None]
        if variant.sides is Sides.EACH:
            sides = [s for s in (Side.LEFT, Side.RIGHT) if s != coaching.injured_side]
        else:
            sides = [None]
        return [Block(variant, side, n) for side in sides for n in range(1, variant.sets + 1)]

    def one_side_only(self, block: Block, coaching: Coaching) -> bool:
        """Whether `block`'s exercise, done on each side, is done on this side alone."""
        return block.side is not None and coaching.injured_side is not None

    def current_block(self, state: RoutineState, coaching: Coaching) -> Block:
        variant = self.catalogue.variant(state.variant_id or "")
        for block in self.blocks(variant, coaching):
            if block.side == state.side and block.set_number == state.set_number:
                return block
        raise LookupError("state is not on a block")

    def place(self, state: RoutineState, coaching: Coaching) -> Place:
        """Where the routine stands, for saying how to carry on."""
        state = self.normalise(state, coaching)
        if state.phase is Phase.NOT_STARTED:
            return Place(Standing.NOT_STARTED)
        if state.phase is Phase.FINISHED:
            return Place(Standing.FINISHED)
        block = self.current_block(state, coaching)
        if state.phase is Phase.PAUSED:
            return Place(Standing.PAUSED, block)
        return Place(Standing.ACTIVE, block)

    def normalise(self, state: RoutineState, coaching: Coaching) -> RoutineState:
        """Bring a saved state back inside the routine after the catalogue or settings changed."""
        if not state.phase.in_routine:
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
                following = self.variant_after(variant, +1, coaching)
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
        following = self.variant_after(block.variant, +1, coaching)
        return None if following is None else self.blocks(following, coaching)[0]

    def routine_variants(self, coaching: Coaching) -> tuple[Variant, ...]:
        """Today's variants in routine order: the whole catalogue, or the chosen ones."""
        everything = self.catalogue.variants
        chosen = frozenset(coaching.routine or (v.id for v in everything))
        today = tuple(v for v in everything if v.id in chosen and v.id not in coaching.left_out)
        # Nothing left to do is never a routine: the whole one stands instead.
        return today or everything

    def left_out_exercises(self, coaching: Coaching) -> tuple[str, ...]:
        """Exercises the user left out (every variant of them), in routine order; none when
        leaving them out would leave nothing, since then the whole routine stands."""
        kept = frozenset(v.id for v in self.routine_variants(replace(coaching, routine=())))
        return tuple(
            e.id for e in self.catalogue.exercises if all(v.id not in kept for v in e.variants)
        )

    def variant_after(self, variant: Variant, offset: int, coaching: Coaching) -> Variant | None:
        """The variant `offset` steps from this one in today's routine. A variant outside it
        (the user went to it by name) stands at its catalogue place among today's."""
        everything = self.catalogue.variants
        today = self.routine_variants(coaching)
        if variant in today:
            position = today.index(variant) + offset
            return today[position] if 0 <= position < len(today) else None
        here = everything.index(variant)
        if offset > 0:
            later = [v for v in today if everything.index(v) > here]
            return later[offset - 1] if len(later) >= offset else None
        earlier = [v for v in today if everything.index(v) < here]
        return earlier[offset] if len(earlier) >= -offset else None

    def dose(self, variant: Variant, coaching: Coaching):
        return variant.dose(coaching.level(variant))


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


def _announcement(engine: PacingEngine, block: Block, coaching: Coaching, lead: Lead) -> Outcome:
    """A new variant (or a resumed block) gets its whole set-up; the next side or set of the
    same variant a short bridge."""
    whole = lead is Lead.YOU_ARE_ON or block == engine.blocks(block.variant, coaching)[0]
    dose = engine.dose(block.variant, coaching)
    return BlockAnnounced(block, dose, lead, whole, one_side=engine.one_side_only(block, coaching))


def _announce(
    engine: PacingEngine, state: RoutineState, coaching: Coaching, *, lead: Lead = Lead.NEXT
) -> Step:
    block = engine.current_block(state, coaching)
    outcome = _announcement(engine, block, coaching, lead)
    return Step(replace(state, phase=Phase.READY), (outcome,))


def _where_you_are(engine: PacingEngine, state: RoutineState, coaching: Coaching) -> Step:
    """Re-announce the current block, saying how far into it the user already is."""
    block = engine.current_block(state, coaching)
    if state.reps_done == 0:
        resumed = replace(state, hold_ends_at=None)
        return _announce(engine, resumed, coaching, lead=Lead.YOU_ARE_ON)
    outcome = InBlock(block, engine.dose(block.variant, coaching), state.reps_done)
    new_state = replace(state, phase=Phase.IN_SET, hold_ends_at=None, chunk_start=state.reps_done)
    return Step(new_state, (outcome,))


# -- pacing reps ---------------------------------------------------------------------------


@dataclass
class _Chunk:
    """The beats of one paced response, and their planned time so far."""

    engine: PacingEngine
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0

    def add(self, *beats: Outcome) -> None:
        self.outcomes.extend(beats)
        self.elapsed += self.engine.timing.seconds(beats)

    def seconds(self, *beats: Outcome) -> float:
        return self.engine.timing.seconds(beats)


def _rep_beats(block: Block, dose, rest: int, rep: int, first_in_chunk: bool) -> list[Outcome]:
    """One whole rep as beats: its label, the action and hold (twice when alternating), the
    release, and the rest after it unless it is the block's last."""
    variant = block.variant
    beats: list[Outcome] = [RepBegins(rep, dose.reps, first_in_chunk)]
    ways = (Side.LEFT, Side.RIGHT) if variant.sides is Sides.ALTERNATING else (block.side,)
    for side in ways:
        beats.append(Action(variant.id, side, rep))
        beats.append(_fresh_hold(dose.hold_seconds, dose.hold_seconds, rep))
    beats.append(Release(variant.id, block.side, rep))
    if rep + 1 < dose.reps:
        beats.append(Rest(rest, rep))
    return beats


def _fresh_hold(seconds: int, covered: int, rep: int) -> Hold:
    return Hold(seconds, covered, seconds <= MAX_COUNTED_HOLD_SECONDS and covered == seconds, rep)


def _pace(engine: PacingEngine, state: RoutineState, coaching: Coaching, now: float) -> Step:
    """Pace as many reps of the current block as fit one response, then close it."""
    block = engine.current_block(state, coaching)
    variant = block.variant
    dose = engine.dose(variant, coaching)
    rest = variant.rest_seconds.for_pace(coaching.pace)
    chunk = _Chunk(engine)
    reps_done = state.reps_done
    chunk_start = reps_done
    if state.phase is Phase.HOLDING and state.hold_ends_at is not None:
        remaining = round(state.hold_ends_at - now)
        if remaining > 0:
            covered = max(0, min(remaining, int(PACING_BUDGET_SECONDS - chunk.elapsed)))
            chunk.add(Hold(remaining, covered, False, reps_done))
            if covered < remaining:
                return _keep_holding(state, chunk, remaining - covered, reps_done)
        else:
            chunk.add(TimeUp(reps_done))
        chunk.add(Release(variant.id, block.side, reps_done))
        reps_done += 1
        if reps_done < dose.reps:
            chunk.add(Rest(rest, reps_done - 1))
    last_in_chunk = _even_split(engine, block, coaching, chunk, reps_done, rest)
    while reps_done < dose.reps:
        beats = _rep_beats(block, dose, rest, reps_done, reps_done == chunk_start)
        if (
            reps_done > chunk_start
            and chunk.elapsed + chunk.seconds(*beats) > PACING_BUDGET_SECONDS
        ) or reps_done > last_in_chunk:
            break
        # The block's last rep is said with what follows it: the finish and the next block's
        # set-up, in one response. Where they don't fit, the last rep waits for the next
        # response (or, alone and long, its hold is carried), so that the set-up is never
        # put off to a turn of its own.
        set_up_fits = reps_done + 1 < dose.reps or (
            chunk.elapsed + chunk.seconds(*beats) + _finish_seconds(engine, block, coaching, chunk)
            <= MAX_PLANNED_SECONDS - CLOSING_ROOM_SECONDS
        )
        if not set_up_fits and reps_done > chunk_start:
            break
        if variant.sides is not Sides.ALTERNATING and dose.hold_seconds > MAX_COUNTED_HOLD_SECONDS:
            lead_in = beats[:2]  # the label and the action, up to "Hold."
            started_at = chunk.elapsed + chunk.seconds(*lead_in)
            room = int(PACING_BUDGET_SECONDS - started_at)
            if not set_up_fits:
                room = min(room, dose.hold_seconds - CARRIED_FOR_SET_UP_SECONDS)
            if room < dose.hold_seconds:
                covered = max(0, room)
                chunk.add(*lead_in, Hold(dose.hold_seconds, covered, False, reps_done))
                holding = replace(
                    state,
                    hold_ends_at=now + started_at + dose.hold_seconds,
                    chunk_start=chunk_start,
                )
                return _keep_holding(holding, chunk, dose.hold_seconds - covered, reps_done)
        chunk.add(*beats)
        reps_done += 1
    if reps_done < dose.reps:
        chunk.add(ChunkEnded(block, reps_done, dose.reps))
        new_state = replace(
            state,
            phase=Phase.IN_SET,
            reps_done=reps_done,
            chunk_start=chunk_start,
            hold_ends_at=None,
        )
        return Step(new_state, tuple(chunk.outcomes))
    return _finish_block(engine, state, block, chunk, coaching)


def _even_split(  # noqa: PLR0917 - the pacing loop's own state, passed as it stands
    engine: PacingEngine, block: Block, coaching: Coaching, chunk: _Chunk, first: int, rest: int
) -> int:
    """The last rep this response may pace: all of them, unless the reps left would fit
    but for the set-up that follows them; then half now and half with the set-up, rather
    than all but one ("say next for the last one")."""
    dose = engine.dose(block.variant, coaching)
    left = dose.reps - first
    reps = sum(
        chunk.seconds(*_rep_beats(block, dose, rest, rep, rep == first))
        for rep in range(first, dose.reps)
    )
    reps_fit = chunk.elapsed + reps <= PACING_BUDGET_SECONDS
    finish = _finish_seconds(engine, block, coaching, chunk)
    set_up_fits = chunk.elapsed + reps + finish <= MAX_PLANNED_SECONDS - CLOSING_ROOM_SECONDS
    if left > 1 and reps_fit and not set_up_fits:
        return first + (left + 1) // 2 - 1
    return dose.reps


def _finish_seconds(engine: PacingEngine, block: Block, coaching: Coaching, chunk: _Chunk) -> float:
    """How long the finish of `block` takes to say, with the following block's set-up."""
    following = engine.next_block(block, coaching)
    if following is None:
        return chunk.seconds(VariantFinished(block.variant.id), RoutineFinished())
    finished = (
        VariantFinished(block.variant.id) if following.variant != block.variant else SetFinished()
    )
    return chunk.seconds(finished, _announcement(engine, following, coaching, Lead.NEXT))


def _finish_block(
    engine: PacingEngine,
    state: RoutineState,
    block: Block,
    chunk: _Chunk,
    coaching: Coaching,
) -> Step:
    following = engine.next_block(block, coaching)
    completed: tuple[str, ...] = ()
    if following is None or following.variant != block.variant:
        completed = (block.variant.id,)
        chunk.add(VariantFinished(block.variant.id))
    else:
        chunk.add(SetFinished())
    if following is None:
        chunk.add(RoutineFinished(chosen=bool(coaching.routine)))
        return Step(RoutineState(phase=Phase.FINISHED), tuple(chunk.outcomes), completed)
    intro = _announcement(engine, following, coaching, Lead.NEXT)
    if chunk.elapsed + chunk.seconds(intro) <= MAX_PLANNED_SECONDS - CLOSING_ROOM_SECONDS:
        chunk.add(intro)
        ready = _at_block_start(state, following, Phase.READY)
        return Step(ready, tuple(chunk.outcomes), completed)
    # No room left in this response for the set-up: name what's next, read it on "next".
    chunk.add(UpNext(following))
    up_next = _at_block_start(state, following, Phase.UP_NEXT)
    return Step(up_next, tuple(chunk.outcomes), completed)


def _keep_holding(state: RoutineState, chunk: _Chunk, seconds_left: int, reps_done: int) -> Step:
    """End a response in the middle of a hold; "next" picks the count up from its end time."""
    chunk.add(HoldCarried(seconds_left))
    holding = replace(state, phase=Phase.HOLDING, reps_done=reps_done, chunk_start=reps_done)
    return Step(holding, tuple(chunk.outcomes))


# -- interruptions -------------------------------------------------------------------------

# A user who barges in ("Alexa, wait") cuts the speech off; the skill only learns when from
# the next request's timestamp. Those timestamps are whole seconds, playback starts a moment
# after the answer leaves the skill, and "Alexa, wait" takes about a second to say before
# the request is sent. So playback had got at most this much short of the gap between the
# two timestamps; taking it off never counts a rep the user did not finish.
BARGE_IN_ALLOWANCE_SECONDS = 2.0
# "Next" said during a rep ("I'm ahead of you") credits the rep in progress only once this
# much of its hold has surely been heard (playback reckoned with the allowance above, so in
# real time the user has heard this much plus up to two seconds: most of the hold). A rep
# cut off early in its hold has not been done; it is paced again.
HOLD_HEARD_FOR_NEXT = 0.5


@dataclass(frozen=True)
class PacedResponse:
    """The reps one paced response led, and when: enough to tell how far the user got."""

    answered_at: float  # the timestamp of the request it answered
    length: float  # its planned speaking time
    rep_starts: tuple[float, ...]  # each rep's start and end, from the start of the speech
    rep_ends: tuple[float, ...]
    first_rep: int  # the block's rep index of the first rep led
    # A hold still running when the speech ends (the long stretch) starts here.
    carried_hold_start: float | None = None
    # Each rep's (last) hold, start and end: how much of it "next" found heard.
    hold_starts: tuple[float, ...] = ()
    hold_ends: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        return {
            "at": self.answered_at,
            "length": self.length,
            "starts": list(self.rep_starts),
            "ends": list(self.rep_ends),
            "first": self.first_rep,
            "carried": self.carried_hold_start,
            "holds": [list(self.hold_starts), list(self.hold_ends)],
        }

    @classmethod
    def from_dict(cls, raw: Mapping) -> PacedResponse:
        """Rebuild a record of a paced response; raises ValueError if it is malformed."""
        try:
            paced = cls(
                answered_at=float(raw["at"]),
                length=float(raw["length"]),
                rep_starts=tuple(float(x) for x in raw["starts"]),
                rep_ends=tuple(float(x) for x in raw["ends"]),
                first_rep=_whole(raw["first"]),
                carried_hold_start=None if raw["carried"] is None else float(raw["carried"]),
                # A record without holds (older sessions): "next" credits no rep in progress.
                hold_starts=tuple(float(x) for x in raw.get("holds", [[], []])[0]),
                hold_ends=tuple(float(x) for x in raw.get("holds", [[], []])[1]),
            )
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(f"paced response is malformed: {error}") from error
        if len(paced.rep_starts) != len(paced.rep_ends):
            raise ValueError("paced response has unpaired reps")
        if len(paced.hold_starts) != len(paced.hold_ends):
            raise ValueError("paced response has unpaired holds")
        return paced

    def hold_heard_enough(self, rep: int, played: float) -> bool:
        """Whether `played` seconds in, most of the `rep`-th rep's hold had been heard."""
        if rep >= len(self.hold_starts):
            return False
        start, end = self.hold_starts[rep], self.hold_ends[rep]
        return played >= start + HOLD_HEARD_FOR_NEXT * (end - start)


def reps_heard(paced: PacedResponse, now: float, *, ahead: bool = False) -> int | None:
    """How many of a paced response's reps the user finished before speaking at `now`.

    None: the whole response played (or the user spoke inside a hold that outlasts it,
    whose end time rules), so everything it led counts. `ahead` is "next" said mid-chunk:
    the user is ahead of the coach, so the rep in progress counts as done too once most of
    its hold has been heard (HOLD_HEARD_FOR_NEXT); a rep cut off earlier in its hold, and a
    rep not yet begun, never do.
    """
    gap = now - paced.answered_at
    if gap >= paced.length:
        return None
    played = gap - BARGE_IN_ALLOWANCE_SECONDS
    heard = sum(1 for end in paced.rep_ends if end <= played)
    if heard == len(paced.rep_ends):
        carried = paced.carried_hold_start
        if carried is None or played >= carried:
            return None
    elif ahead and paced.hold_heard_enough(heard, played):
        heard += 1
    return heard


def interrupted_state(before: RoutineState, paced: PacedResponse, heard: int) -> RoutineState:
    """Where the user really is: `before`'s block, with only the reps heard done."""
    reps_done = paced.first_rep + heard
    return replace(
        before,
        phase=Phase.IN_SET if reps_done else Phase.READY,
        reps_done=reps_done,
        chunk_start=paced.first_rep,
        hold_ends_at=None,
        paused_from=None,
    )


# -- transitions ---------------------------------------------------------------------------

Transition = Callable[[PacingEngine, RoutineState, Event, float, Coaching], Step]


def _begin_routine(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    first = engine.blocks(engine.routine_variants(coaching)[0], coaching)[0]
    step = _announce(
        engine, _at_block_start(RoutineState(), first, Phase.READY), coaching, lead=Lead.FIRST
    )
    left_out = engine.left_out_exercises(coaching)
    if not left_out:
        return step
    return replace(step, outcomes=(LeftOutToday(left_out), *step.outcomes))


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
    return replace(step, outcomes=(RepeatingChunk(), *step.outcomes))


def _skip(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    current = engine.catalogue.variant(state.variant_id or "")
    following = engine.variant_after(current, +1, coaching)
    if following is None:
        return Step(RoutineState(phase=Phase.FINISHED), (SkippedPastLast(),))
    return _go_to_variant(engine, state, following, coaching, lead=Lead.SKIPPING)


def _previous(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    if state.phase is Phase.FINISHED:
        current = engine.routine_variants(coaching)[-1]
        return _go_to_variant(engine, state, current, coaching, lead=Lead.BACK_TO)
    current = engine.catalogue.variant(state.variant_id or "")
    earlier = engine.variant_after(current, -1, coaching)
    if earlier is None:
        return _go_to_variant(engine, state, current, coaching, lead=Lead.FIRST_ONE)
    return _go_to_variant(engine, state, earlier, coaching, lead=Lead.BACK_TO)


def _go_to(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    target = engine.catalogue.find_variant(event.exercise_id or "")
    if target is None:
        return Step(state, (UnknownExercise(engine.place(state, coaching)),))
    return _go_to_variant(engine, state, target, coaching, lead=Lead.GO_TO)


def _go_to_variant(
    engine: PacingEngine, state: RoutineState, variant: Variant, coaching: Coaching, *, lead: Lead
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
            return Step(state, (UnknownExercise(engine.place(state, coaching)),))
    elif state.variant_id and state.phase is not Phase.FINISHED:
        variant = engine.catalogue.variant(state.variant_id)
    else:
        return Step(state, (WhichExercise(),))
    held = _hold_interrupted(state)
    outcome = HowTo(variant.id, engine.dose(variant, coaching), engine.place(held, coaching))
    return Step(held, (outcome,))


def _hold_interrupted(state: RoutineState) -> RoutineState:
    """A hold can't go on unpaced: when anything else is said during it, that rep starts again."""
    if state.phase is Phase.HOLDING:
        return replace(state, phase=Phase.IN_SET, hold_ends_at=None)
    return state


def _pause(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    back_to = Phase.IN_SET if state.phase is Phase.HOLDING else state.phase
    if back_to is Phase.IN_SET and state.reps_done == 0:
        back_to = Phase.READY
    paused = replace(state, phase=Phase.PAUSED, paused_from=back_to, hold_ends_at=None)
    return Step(paused, (Paused(),))


def _still_paused(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    return Step(state, (StillPaused(),))


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
    stopped = state
    if state.phase.active:
        stopped = _pause(engine, state, event, now, coaching).state
    return Step(stopped, (StoppedForPain(place_kept=state.phase.in_routine),))


def _stop(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    """The user is done for now: the place is kept for next time."""
    return Step(_hold_interrupted(state), (Stopped(place_kept=state.phase.in_routine),))


def _finished_already(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    return Step(state, (FinishedAlready(),))


def _not_now(
    engine: PacingEngine, state: RoutineState, event: Event, now: float, coaching: Coaching
) -> Step:
    """An event that does nothing in this phase: say so, and what would work."""
    return Step(state, (NotNow(engine.place(state, coaching)),))


# The state table: which events do something in which phase. An event missing from a
# phase's row is answered by _not_now, which says what can be said instead.
_ANYWHERE: dict[EventKind, Transition] = {
    EventKind.GO_TO: _go_to,
    EventKind.HOW_TO: _how_to,
    EventKind.PAIN: _stop_for_pain,
    EventKind.STOP: _stop,
}
_ON_A_BLOCK: dict[EventKind, Transition] = {
    **_ANYWHERE,
    EventKind.PREVIOUS: _previous,
    EventKind.SKIP: _skip,
    EventKind.START_OVER: _begin_routine,
}
TRANSITIONS: dict[Phase, dict[EventKind, Transition]] = {
    Phase.NOT_STARTED: {
        **_ANYWHERE,
        EventKind.START: _begin_routine,
        EventKind.NEXT: _begin_routine,
        EventKind.RESUME: _begin_routine,
        EventKind.START_OVER: _begin_routine,
    },
    Phase.UP_NEXT: {
        **_ON_A_BLOCK,
        EventKind.START: _announce_up_next,
        EventKind.NEXT: _announce_up_next,
        EventKind.RESUME: _announce_up_next,
        EventKind.REPEAT: _announce_up_next,
        EventKind.PAUSE: _pause,
    },
    Phase.READY: {
        **_ON_A_BLOCK,
        EventKind.START: _remind,
        EventKind.NEXT: _continue,
        EventKind.RESUME: _remind,
        EventKind.REPEAT: _remind,
        EventKind.PAUSE: _pause,
    },
    Phase.IN_SET: {
        **_ON_A_BLOCK,
        EventKind.START: _remind,
        EventKind.NEXT: _continue,
        EventKind.RESUME: _remind,
        EventKind.REPEAT: _repeat_chunk,
        EventKind.PAUSE: _pause,
    },
    Phase.HOLDING: {
        **_ON_A_BLOCK,
        EventKind.START: _remind,
        EventKind.NEXT: _continue,
        EventKind.RESUME: _continue,
        EventKind.REPEAT: _repeat_chunk,
        EventKind.PAUSE: _pause,
    },
    Phase.PAUSED: {
        **_ON_A_BLOCK,
        EventKind.START: _unpause,
        EventKind.NEXT: _unpause,
        EventKind.RESUME: _unpause,
        EventKind.REPEAT: _still_paused,
        EventKind.PAUSE: _still_paused,
    },
    Phase.FINISHED: {
        **_ANYWHERE,
        EventKind.START: _begin_routine,
        EventKind.START_OVER: _begin_routine,
        EventKind.NEXT: _finished_already,
        EventKind.RESUME: _finished_already,
        EventKind.REPEAT: _finished_already,
        EventKind.PREVIOUS: _previous,
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
