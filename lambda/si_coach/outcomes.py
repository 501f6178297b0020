"""What the pacing engine decided, as typed outcomes: the voice turns them into speech.

An outcome says what happened ("reps three to six paced", "a hold carried into the next
response", "paused") and carries the facts the voice needs to say it, never words. A paced
response is a run of beats (a rep begins, the action and its hold, the release, a rest), so
the voice can time each one and the screen can follow them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from si_coach.catalogue import Dose, Side, Variant


@dataclass(frozen=True)
class Block:
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


@dataclass(frozen=True)
class Place:
    standing: Standing
    block: Block | None = None  # for ACTIVE: the block the user is on


# -- announcing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockAnnounced:
    """A block's set-up, then a wait for "next". `whole`: the full set-up, not a bridge."""

    block: Block
    dose: Dose
    lead: Lead
    whole: bool


@dataclass(frozen=True)
class UpNext:
    """The next block named, its set-up to be read on "next" (no room left to read it)."""

    block: Block


@dataclass(frozen=True)
class InBlock:
    """A resumed block part-way through: where the user is and how many reps are done."""

    block: Block
    dose: Dose
    reps_done: int


# -- pacing beats --------------------------------------------------------------------------


@dataclass(frozen=True)
class RepBegins:
    rep: int  # index within the block, from 0
    reps: int
    first_in_chunk: bool


@dataclass(frozen=True)
class Action:
    """The movement's cue, then "Hold."; `side` is the way held (alternating) or the block's."""

    variant_id: str
    side: Side | None
    rep: int


@dataclass(frozen=True)
class Hold:
    """`covered` of a hold's `seconds` paced in this response; counted aloud when short."""

    seconds: int
    covered: int
    counted: bool
    rep: int


@dataclass(frozen=True)
class TimeUp:
    """A hold carried across responses ended before the user came back."""

    rep: int


@dataclass(frozen=True)
class Release:
    variant_id: str
    side: Side | None
    rep: int


@dataclass(frozen=True)
class Rest:
    seconds: int
    rep: int  # the rep the rest follows


@dataclass(frozen=True)
class ChunkEnded:
    """Some reps of a block are left for the next response."""

    block: Block
    done: int
    total: int


@dataclass(frozen=True)
class HoldCarried:
    """The response ends inside a hold; "next" picks it up from its end time."""

    seconds_left: int


@dataclass(frozen=True)
class SetFinished:
    pass


@dataclass(frozen=True)
class VariantFinished:
    variant_id: str


@dataclass(frozen=True)
class RoutineFinished:
    pass


@dataclass(frozen=True)
class SkippedPastLast:
    """ "Skip" on the last exercise: the routine ends for today."""


@dataclass(frozen=True)
class TodaySummary:
    """What was really finished today (added by the skill, which knows the history)."""

    variant_ids: tuple[str, ...]
    everything: bool


@dataclass(frozen=True)
class RepeatingChunk:
    """The user asked to do the last reps again."""


# -- answers that do not pace --------------------------------------------------------------


@dataclass(frozen=True)
class HowTo:
    variant_id: str
    dose: Dose
    place: Place


@dataclass(frozen=True)
class WhichExercise:
    """A how-to question with no exercise named and none under way."""


@dataclass(frozen=True)
class UnknownExercise:
    place: Place


@dataclass(frozen=True)
class Paused:
    pass


@dataclass(frozen=True)
class StillPaused:
    pass


@dataclass(frozen=True)
class StoppedForPain:
    place_kept: bool


@dataclass(frozen=True)
class Stopped:
    """The user is done for now; the session ends."""

    place_kept: bool


@dataclass(frozen=True)
class FinishedAlready:
    pass


@dataclass(frozen=True)
class NotNow:
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
)
