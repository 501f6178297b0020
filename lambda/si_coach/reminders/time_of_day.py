"""The time of a daily reminder: read from an AMAZON.TIME slot, and said through wording data.

AMAZON.TIME hands the skill 24-hour "HH:MM" values ("08:00", "20:30"), or one of four
period codes when the user names only a part of the day: MO (morning), AF (afternoon),
EV (evening), NI (night). A period becomes a concrete suggested time, marked as such, so
the dialogue can confirm it ("every day at seven in the evening?") before anything is set.
Anything else (an empty slot, "?", a value out of range) is refused with None, and the
dialogue asks again. No words live here: `say_time` builds the spoken time from a locale's
wording table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The time suggested for each AMAZON.TIME period code, as (hour, minute): the user hears it
# and confirms or changes it, so these are sensible defaults, not guesses of intent.
PERIOD_TIMES: dict[str, tuple[int, int]] = {
    "MO": (8, 0),
    "AF": (14, 0),
    "EV": (19, 0),
    "NI": (21, 0),
}

# "08:00", "8:00", "08:00:00", "08" and the same with a leading "T" (ISO 8601's time
# designator, seen when a time comes with a date part cut off).
_CLOCK_VALUE = re.compile(r"T?(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?")


@dataclass(frozen=True, order=True)
class TimeOfDay:
    """A wall-clock time in the user's own time zone, to the minute."""

    hour: int
    minute: int = 0
    # True when the user named only a part of the day and this time was suggested for it.
    suggested: bool = False

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise ValueError(f"not a time of day: {self.hour:02d}:{self.minute:02d}")

    @property
    def clock(self) -> str:
        """The 24-hour form, "08:05": also the form kept in session attributes."""
        return f"{self.hour:02d}:{self.minute:02d}"

    @classmethod
    def from_clock(cls, value: str) -> TimeOfDay:
        """The inverse of `clock`; raises ValueError on anything else."""
        match = re.fullmatch(r"(\d{2}):(\d{2})", value)
        if not match:
            raise ValueError(f"not an HH:MM time: {value!r}")
        return cls(int(match[1]), int(match[2]))


def parse_time_slot(value: str | None) -> TimeOfDay | None:
    """The time an AMAZON.TIME slot value names, or None when it names none.

    Seconds are dropped (a daily reminder is set to the minute); "24:00" is midnight.
    """
    if value is None:
        return None
    text = value.strip().upper()
    if text in PERIOD_TIMES:
        hour, minute = PERIOD_TIMES[text]
        return TimeOfDay(hour, minute, suggested=True)
    match = _CLOCK_VALUE.fullmatch(text)
    if match is None:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    second = int(match["second"] or 0)
    if (hour, minute, second) == (24, 0, 0):
        return TimeOfDay(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return TimeOfDay(hour, minute)


def say_time(
    time: TimeOfDay,
    clock: Mapping[str, Any],
    number: Callable[[int], str],
    *,
    hour: Callable[[int], str] | None = None,
) -> str:
    """The spoken form of `time`, built only from a locale's clock table and number words.

    `clock` (the [clock] table of the wording data, `Wording.clock`) holds: `noon` and `midnight`;
    `periods`, a list of [from_hour, words] pairs in order of the hour, naming the part of
    the day a time falls in; `twelve_hour`, whether hours are said on a twelve-hour dial;
    and three patterns, `on_the_hour` ({hour} {period}), `with_minutes` ({hour} {minute}
    {period}) and `with_single_minutes` ({hour} {minute} {period}, for minutes 1 to 9,
    where English says "oh five"). `number` says a number in words; `hour`, when given,
    says the hour ("la una", "las ocho" in Spanish; "ein" before "Uhr" in German).
    """
    if time.minute == 0 and time.hour == 12:
        return str(clock["noon"])
    if time.minute == 0 and time.hour == 0:
        return str(clock["midnight"])
    dial = time.hour
    if clock.get("twelve_hour", True):
        dial = dial % 12 or 12
    period = _period_words(time.hour, clock["periods"])
    if time.minute == 0:
        pattern = clock["on_the_hour"]
    elif time.minute < 10:
        pattern = clock["with_single_minutes"]
    else:
        pattern = clock["with_minutes"]
    said_hour = (hour or number)(dial)
    spoken = pattern.format(hour=said_hour, minute=number(time.minute), period=period)
    return " ".join(spoken.split())


def _period_words(hour: int, periods: Sequence[Sequence[Any]]) -> str:
    words = ""
    for from_hour, period_words in periods:
        if hour >= int(from_hour):
            words = str(period_words)
    return words
