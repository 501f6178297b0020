"""What a screen shows, as plain data: the input the screen builder turns into APL directives.

Every word displayed arrives already written (the wording data supplies it); nothing here
builds English. Times are seconds from the start of the response's speech, on the same
clock as the speech plan that produces the SSML: the screen keeps no clock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise


class SpanKind(StrEnum):
    HOLD = "hold"
    REST = "rest"
    # A timed rep without a hold (a movement paced by the voice).
    REP = "rep"


class ButtonAction(StrEnum):
    """What a touch button asks for; the skill handles each as the matching spoken intent."""

    NEXT = "next"
    PAUSE = "pause"
    RESUME = "resume"
    REPEAT = "repeat"


@dataclass(frozen=True)
class ScreenSpan:
    """One stretch of the speech that the screen counts down, such as a hold or a rest.

    The countdown shows the whole seconds left: at `start` it shows the span's length
    rounded up, and it reaches `left_at_end` at `end`. `left_at_end` is zero unless a long
    hold goes on past this response (the next response counts the rest down).
    """

    kind: SpanKind
    start: float
    end: float
    rep: int
    label: str
    # Replaces the counters line ("Set 1 of 2 · Rep 3 of 10") when the span starts; "" keeps it.
    counters_label: str = ""
    left_at_end: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SpanKind(self.kind))
        if not 0 <= self.start < self.end:
            raise ValueError(f"a span must start at 0 s or later and end after it: {self}")
        if self.left_at_end < 0:
            raise ValueError(f"left_at_end cannot be negative: {self}")

    @property
    def seconds_at_start(self) -> float:
        """Seconds still to go when the span starts (more than its length if it carries on)."""
        return self.end - self.start + self.left_at_end


@dataclass(frozen=True)
class ScreenButton:
    label: str
    action: ButtonAction

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", ButtonAction(self.action))


MAX_BUTTONS = 4


@dataclass(frozen=True)
class ExerciseScreen:
    """The paced exercise screen for one response.

    `spans` is the response's countdown timeline, in order and not overlapping. After the
    last span the screen shows `closing_instruction` ("Say 'next' to carry on") and no
    timer; with no spans it shows the closing instruction from the start.
    """

    title: str
    side_label: str
    counters_label: str
    steps: tuple[str, ...]
    equipment: str
    pose_id: str
    routine_progress: tuple[int, int]
    spans: tuple[ScreenSpan, ...]
    closing_instruction: str
    buttons: tuple[ScreenButton, ...] = ()
    # Words for the progress bar ("Exercise 3 of 9"); "" shows the bar alone.
    progress_label: str = ""
    # When the speech ends: the closing instruction never shows before it.
    closing_at: float = 0.0

    def __post_init__(self) -> None:
        for name in ("steps", "spans", "buttons"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "routine_progress", tuple(self.routine_progress))
        done, total = self.routine_progress
        if not (total > 0 and 0 <= done <= total):
            raise ValueError(
                f"routine progress must be (done, total), 0 <= done <= total > 0: "
                f"{self.routine_progress}"
            )
        for earlier, later in pairwise(self.spans):
            if later.start < earlier.end:
                raise ValueError(f"spans must be in order and not overlap: {earlier} then {later}")
        if len(self.buttons) > MAX_BUTTONS:
            raise ValueError(f"at most {MAX_BUTTONS} buttons fit on the screen")


@dataclass(frozen=True)
class ListItem:
    text: str
    detail: str = ""
    pose_id: str = ""


@dataclass(frozen=True)
class ListScreen:
    """The overview, the exercise list, history: a title and rows."""

    title: str
    items: tuple[ListItem, ...]
    footer: str = ""

    def __post_init__(self) -> None:
        items = tuple(ListItem(i) if isinstance(i, str) else i for i in self.items)
        object.__setattr__(self, "items", items)


@dataclass(frozen=True)
class DetailScreen:
    """How to do an exercise: a title, lines of text and the pose drawing."""

    title: str
    lines: tuple[str, ...]
    pose_id: str = ""
    footer: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))


Screen = ExerciseScreen | ListScreen | DetailScreen
