"""What the pacing engine decided, as typed outcomes: the voice turns them into speech.

Outcomes are named tuples: the engine makes many a response, and a cold start defines every
class, so they are kept cheap. Being tuples, two outcomes of different kinds with equal
fields compare equal: tell them apart by their type (as the voice does).

An outcome says what happened ("reps three to six paced", "a hold carried into the next
response", "paused") and carries the facts the voice needs to say it, never words. A paced
response is a run of beats (a rep begins, the action and its hold, the release, a rest), so
the voice can time each one and the screen can follow them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from si_coach.routine.catalogue import Dose, Side, Variant


class Block(NamedTuple):
    """A run of reps of one variant on one side (or none) for one set."""

    variant: Variant
    side: Side | None
    set_number: int


class Lead(StrEnum):
    """How a block is introduced."""

    FIRST = "first"  # the routine begins
    NEXT = "next"  # the routine moves on
    SKIPPING = "skipping"  # the user skipped ahead
    BACK_TO = "back_to"  # the user went back
    FIRST_ONE = "first_one"  # "previous" on the first exercise
    GO_TO = "go_to"  # the user named an exercise
    YOU_ARE_ON = "you_are_on"  # a resumed block, read out again


class Standing(StrEnum):
    """Where the routine stands, for telling the user how to carry on."""

    NOT_STARTED = "not_started"
    FINISHED = "finished"
    PAUSED = "paused"
    ACTIVE = "active"


class Place(NamedTuple):
    standing: Standing
    block: Block | None = None  # for ACTIVE: the block the user is on


# -- announcing ----------------------------------------------------------------------------


class BlockAnnounced(NamedTuple):
    """A block's set-up, then a wait for "next". `whole`: the full set-up, not a bridge.

    `one_side`: an exercise done on each side is done on the block's side only today (the
    other side is injured), so its dose is said for that side alone.
    """

    block: Block
    dose: Dose
    lead: Lead
    whole: bool
    one_side: bool = False


class UpNext(NamedTuple):
    """The next block named, its set-up to be read on "next" (no room left to read it)."""

    block: Block


class InBlock(NamedTuple):
    """A resumed block part-way through: where the user is and how many reps are done."""

    block: Block
    dose: Dose
    reps_done: int


# -- pacing beats --------------------------------------------------------------------------


class RepBegins(NamedTuple):
    rep: int  # index within the block, from 0
    reps: int
    first_in_chunk: bool


class Action(NamedTuple):
    """The movement's cue, then "Hold."; `side` is the way held (alternating) or the block's."""

    variant_id: str
    side: Side | None
    rep: int


class Hold(NamedTuple):
    """`covered` of a hold's `seconds` paced in this response; counted aloud when short."""

    seconds: int
    covered: int
    counted: bool
    rep: int


class TimeUp(NamedTuple):
    """A hold carried across responses ended before the user came back."""

    rep: int


class Release(NamedTuple):
    variant_id: str
    side: Side | None
    rep: int


class Rest(NamedTuple):
    seconds: int
    rep: int  # the rep the rest follows


class ChunkEnded(NamedTuple):
    """Some reps of a block are left for the next response."""

    block: Block
    done: int
    total: int


class HoldCarried(NamedTuple):
    """The response ends inside a hold; "next" picks it up from its end time."""

    seconds_left: int


class SetFinished(NamedTuple):
    pass


class VariantFinished(NamedTuple):
    variant_id: str


class RoutineFinished(NamedTuple):
    """The last block of today's routine is done. `chosen`: it was a routine chosen for today
    (a short one, or just the stretches), not the whole routine."""

    chosen: bool = False


class SkippedPastLast(NamedTuple):
    """ "Skip" on the last exercise: the routine ends for today."""


class TodaySummary(NamedTuple):
    """What was really finished today (added by the skill, which knows the history)."""

    variant_ids: tuple[str, ...]
    everything: bool


class RepeatingChunk(NamedTuple):
    """The user asked to do the last reps again."""


# -- answers that do not pace --------------------------------------------------------------


class HowTo(NamedTuple):
    variant_id: str
    dose: Dose
    place: Place


class WhichExercise(NamedTuple):
    """A how-to question with no exercise named and none under way."""


class UnknownExercise(NamedTuple):
    place: Place


class Paused(NamedTuple):
    pass


class StillPaused(NamedTuple):
    pass


class StoppedForPain(NamedTuple):
    place_kept: bool


class Stopped(NamedTuple):
    """The user is done for now; the session ends."""

    place_kept: bool


class FinishedAlready(NamedTuple):
    pass


class LeftOutToday(NamedTuple):
    """The routine begins without exercises the user left out ("no doorway at home")."""

    exercise_ids: tuple[str, ...]


class TodaysRoutine(NamedTuple):
    """A routine chosen for today (routine/plan.py): what it holds and about how long it
    takes, why (the minutes the user has, or just the stretches), and what waits for a longer
    day because it alone takes longer than the time."""

    kind: str
    variant_ids: tuple[str, ...]
    seconds: float
    minutes_asked: int | None
    too_long: tuple[str, ...]


class NotNow(NamedTuple):
    """An event that does nothing here; the voice says what would work."""

    place: Place


Outcome = (
    BlockAnnounced
    | UpNext
    | InBlock
    | RepBegins
    | Action
    | Hold
    | TimeUp
    | Release
    | Rest
    | ChunkEnded
    | HoldCarried
    | SetFinished
    | VariantFinished
    | RoutineFinished
    | SkippedPastLast
    | TodaySummary
    | RepeatingChunk
    | HowTo
    | WhichExercise
    | UnknownExercise
    | Paused
    | StillPaused
    | StoppedForPain
    | Stopped
    | FinishedAlready
    | NotNow
    | LeftOutToday
    | TodaysRoutine
)
