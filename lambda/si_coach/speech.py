"""Speech plans: what one response says and how long it pauses, rendered as Alexa SSML.

Timing model: a cue takes its word count divided by WORDS_PER_SECOND (Alexa's voice speaks
at roughly 150 words a minute); a pause takes exactly its length. A lone number said while
counting is shorter than an average word: COUNT_WORD_SECONDS, from counted holds rendered
by espeak-ng at 150 words a minute (tests/test_speech_audio.py). A hold of N seconds is N
seconds from the cue that starts it to the cue that ends it, so the speech inside a hold
(counting, "ten seconds left") is paid for by shortening the silences around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

WORDS_PER_SECOND = 2.5
MAX_BREAK_MS = 10_000
MAX_SSML_CHARS = 8_000
MAX_PLANNED_SECONDS = 90.0
# Holds up to this length are counted aloud, one number a second.
MAX_COUNTED_HOLD_SECONDS = 10
COUNT_WORD_SECONDS = 0.3

_NUMBER_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen", "twenty"),
)
_TENS_WORDS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty"}


def number_words(value: int) -> str:
    """Spell a number for the ear ("twenty-five"), so the SSML carries no bare digits."""
    if 0 <= value <= 20:
        return _NUMBER_WORDS[value]
    if 20 < value < 60:
        tens, units = divmod(value, 10)
        word = _TENS_WORDS[tens * 10]
        return f"{word}-{_NUMBER_WORDS[units]}" if units else word
    return str(value)


def duration_words(seconds: int) -> str:
    """ "two minutes", "one minute thirty seconds", "forty-five seconds"."""
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(f"{number_words(minutes)} minute{'s' if minutes != 1 else ''}")
    if rest or not minutes:
        parts.append(f"{number_words(rest)} second{'s' if rest != 1 else ''}")
    return " ".join(parts)


def speaking_seconds(text: str) -> float:
    return len(re.findall(r"[\w'-]+", text)) / WORDS_PER_SECOND


_COUNT_WORDS = frozenset(number_words(n) for n in range(1, MAX_COUNTED_HOLD_SECONDS + 1))


def cue_seconds(text: str) -> float:
    """Speaking time of a cue found in SSML: a lone count word is timed as when counting."""
    return COUNT_WORD_SECONDS if text.strip() in _COUNT_WORDS else speaking_seconds(text)


@dataclass(frozen=True)
class Cue:
    text: str
    # Known speaking time, where the word-rate estimate is too rough (counting).
    seconds: float | None = None

    @property
    def duration(self) -> float:
        return speaking_seconds(self.text) if self.seconds is None else self.seconds


@dataclass(frozen=True)
class Silence:
    milliseconds: int


Segment = Cue | Silence


def segment_seconds(segment: Segment) -> float:
    return segment.milliseconds / 1000 if isinstance(segment, Silence) else segment.duration


@dataclass(frozen=True)
class SpeechPlan:
    """One response's speech: the paced segments, then the reprompt if the session stays open."""

    segments: tuple[Segment, ...]
    reprompt: str | None
    end_session: bool = False

    @property
    def planned_seconds(self) -> float:
        return sum(segment_seconds(s) for s in self.segments)

    @property
    def text(self) -> str:
        """The words alone, for logs, tests and the console."""
        return " ".join(s.text for s in self.segments if isinstance(s, Cue))

    def ssml(self) -> str:
        parts = []
        for segment in self.segments:
            if isinstance(segment, Cue):
                parts.append(escape(segment.text, quote=False))
            elif segment.milliseconds > 0:
                parts.append(f'<break time="{segment.milliseconds}ms"/>')
        return "<speak>" + " ".join(parts) + "</speak>"

    def reprompt_ssml(self) -> str | None:
        return (
            None
            if self.reprompt is None
            else f"<speak>{escape(self.reprompt, quote=False)}</speak>"
        )


@dataclass
class SpeechBuilder:
    """Accumulates cues and pauses for one response, keeping track of planned time."""

    segments: list[Segment] = field(default_factory=list)
    elapsed: float = 0.0
    # Speaking time of the last time-left cue, taken out of the silence after it.
    _cue_debt: float = 0.0

    def say(self, *texts: str) -> SpeechBuilder:
        for text in texts:
            if text:
                self.segments.append(Cue(text))
                self.elapsed += speaking_seconds(text)
        return self

    def pause(self, seconds: float) -> SpeechBuilder:
        """A silence of at most one break; callers keep it under MAX_BREAK_MS."""
        milliseconds = round(seconds * 1000)
        if milliseconds <= 0:
            return self
        if milliseconds > MAX_BREAK_MS:
            raise ValueError(f"a single pause of {seconds}s is longer than one SSML break")
        self.segments.append(Silence(milliseconds))
        self.elapsed += milliseconds / 1000
        return self

    def counted_hold(self, seconds: int) -> SpeechBuilder:
        """Count "one" to N, one number a second."""
        for count in range(1, seconds + 1):
            self.segments.append(Cue(number_words(count), COUNT_WORD_SECONDS))
            self.elapsed += COUNT_WORD_SECONDS
            self.pause(1 - COUNT_WORD_SECONDS)
        return self

    def timed_hold(self, remaining: int, covered: int) -> SpeechBuilder:
        """Keep silent through `covered` of the `remaining` seconds of a hold.

        Breaks are at most ten seconds apart, each followed by a short cue that tells the
        time left, so no single break exceeds the SSML limit.
        """
        end = remaining - covered
        left = remaining
        while left > end:
            next_mark = max(end, ((left - 1) // 10) * 10)
            silence = left - next_mark
            self.pause(silence - self._cue_debt)
            self._cue_debt = 0.0
            left = next_mark
            if left > end:
                cue = _time_left_cue(left)
                self.say(cue)
                self._cue_debt = speaking_seconds(cue)
        self._cue_debt = 0.0
        return self

    def build(self, reprompt: str | None, *, end_session: bool = False) -> SpeechPlan:
        return SpeechPlan(tuple(self.segments), reprompt, end_session)


def _time_left_cue(seconds_left: int) -> str:
    if seconds_left <= 60 or seconds_left % 30 == 0:
        return f"{duration_words(seconds_left)} left."
    return "Keep holding."
