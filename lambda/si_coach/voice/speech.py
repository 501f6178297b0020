"""Speech plans: what one response says, how long it pauses, and its timeline, as Alexa SSML.

Language-free: the words come from the voice (voice.py), which reads them from the wording
data. This module owns the timing model and the platform's limits on SSML; the engine's planning
limits are in routine/limits.py.

Timing model: a cue takes its word count divided by the language's words per second (Alexa's
English voice speaks at roughly 150 words a minute: WORDS_PER_SECOND); a pause takes exactly
its length. A lone number said while counting has its own length: COUNT_WORD_SECONDS in
English. Each language has its SpeechTiming (TIMINGS), measured with espeak-ng's voice for
it at 150 words a minute (tests/unit/test_speech_audio.py, and
tests/unit/test_speech_audio_languages.py for Spanish and German): Spanish and German say
fewer words a second than English, and German's number words are long, so the same cues
take longer and fewer counted reps fit one response. A hold of N seconds is N seconds from
the cue that starts it to the cue that ends it, so the speech inside a hold (counting, "ten
seconds left") is paid for by shortening the silences around it.

Timeline: while a paced response is built, the spans of each rep, hold and rest are
recorded from the same timing model, in seconds from the start of the speech. The skill
uses them to tell how far playback got when the user interrupts, and the screen runs its
countdown from them: one clock for voice, screen and counting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from html import escape

WORDS_PER_SECOND = 2.5
MAX_BREAK_MS = 10_000
MAX_SSML_CHARS = 8_000
COUNT_WORD_SECONDS = 0.3

_WORD = re.compile(r"[\w'-]+")


@dataclass(frozen=True)
class SpeechTiming:
    """How fast one language is spoken: words a second, and the length of a counted number."""

    words_per_second: float = WORDS_PER_SECOND
    count_word_seconds: float = COUNT_WORD_SECONDS

    def speaking_seconds(self, text: str) -> float:
        return len(_WORD.findall(text)) / self.words_per_second


# Alexa says a recognised person's first name (<alexa:name>); the skill never hears it, so its
# length is a fair guess at a first name's.
NAME_SECONDS = 0.5


def name_ssml(person_id: str) -> str:
    """The SSML that has Alexa say a recognised person's first name; the skill keeps none."""
    return f'<alexa:name type="first" personId="{escape(person_id, quote=True)}"/>'


ENGLISH_TIMING = SpeechTiming()
# espeak-ng at 150 words a minute (-v es, -v de): the skill's own lines came out at 2.2 words
# a second in both languages (2.44 in English); a number counted inside a hold, one a
# second, took 0.37 s in Spanish ("uno" to "diez") and 0.40 s in German ("eins" to "zehn").
TIMINGS = {
    "en": ENGLISH_TIMING,
    "es": SpeechTiming(words_per_second=2.2, count_word_seconds=0.37),
    "de": SpeechTiming(words_per_second=2.2, count_word_seconds=0.40),
}


def timing_for(locale: str | None) -> SpeechTiming:
    """The timing of a locale's language ("de-DE", "de"); English's when it has none."""
    return TIMINGS.get((locale or "").split("-")[0], ENGLISH_TIMING)


def speaking_seconds(text: str, timing: SpeechTiming = ENGLISH_TIMING) -> float:
    return timing.speaking_seconds(text)


def cue_seconds(
    text: str, count_words: frozenset[str] = frozenset(), timing: SpeechTiming = ENGLISH_TIMING
) -> float:
    """Speaking time of a cue found in SSML: a lone count word is timed as when counting."""
    if text.strip() in count_words:
        return timing.count_word_seconds
    return timing.speaking_seconds(text)


@dataclass(frozen=True)
class Cue:
    text: str
    # Known speaking time, where the word-rate estimate is too rough (counting).
    seconds: float | None = None
    # The cue as SSML, where it holds markup the text cannot (a person's name said by Alexa);
    # None: the text, escaped.
    ssml: str | None = None

    @property
    def duration(self) -> float:
        return speaking_seconds(self.text) if self.seconds is None else self.seconds


@dataclass(frozen=True)
class Silence:
    milliseconds: int


Segment = Cue | Silence


def segment_seconds(segment: Segment) -> float:
    return segment.milliseconds / 1000 if isinstance(segment, Silence) else segment.duration


class SpanKind(StrEnum):
    REP = "rep"  # from the rep's first cue to the end of its release cue
    HOLD = "hold"  # from the end of "Hold." to the cue that ends the hold
    REST = "rest"  # the rest after a rep


@dataclass(frozen=True)
class Span:
    """A stretch of a paced response, in seconds from the start of its speech."""

    kind: SpanKind
    rep: int  # the rep's index within its block, from 0
    start: float
    end: float


@dataclass(frozen=True)
class SpeechPlan:
    """One response's speech: the paced segments, then the reprompt if the session stays open."""

    segments: tuple[Segment, ...]
    reprompt: str | None
    end_session: bool = False
    timeline: tuple[Span, ...] = ()

    @cached_property
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
                parts.append(
                    escape(segment.text, quote=False) if segment.ssml is None else segment.ssml
                )
            elif segment.milliseconds > 0:
                parts.append(f'<break time="{segment.milliseconds}ms"/>')
        return "<speak>" + " ".join(parts) + "</speak>"

    def reprompt_ssml(self) -> str | None:
        return (
            None
            if self.reprompt is None
            else f"<speak>{escape(self.reprompt, quote=False)}</speak>"
        )

    def after(self, lead: SpeechPlan) -> SpeechPlan:
        """This plan with `lead`'s words said first; the timeline moves by their length."""
        shift = lead.planned_seconds
        timeline = tuple(Span(s.kind, s.rep, s.start + shift, s.end + shift) for s in self.timeline)
        return SpeechPlan(lead.segments + self.segments, self.reprompt, self.end_session, timeline)


@dataclass
class SpeechBuilder:
    """Accumulates cues and pauses for one response, keeping track of planned time."""

    segments: list[Segment] = field(default_factory=list)
    elapsed: float = 0.0
    timing: SpeechTiming = ENGLISH_TIMING
    timeline: list[Span] = field(default_factory=list)
    # Speaking time of the last time-left cue, taken out of the silence after it.
    _cue_debt: float = 0.0

    def say(self, *texts: str) -> SpeechBuilder:
        for text in texts:
            if text:
                seconds = self.timing.speaking_seconds(text)
                self.segments.append(Cue(text, seconds))
                self.elapsed += seconds
        return self

    def say_cue(self, cue: Cue) -> SpeechBuilder:
        """A cue built elsewhere (one with SSML of its own)."""
        self.segments.append(cue)
        self.elapsed += cue.duration
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

    def span(self, kind: SpanKind, rep: int, start: float) -> SpeechBuilder:
        """Record a span from `start` to now."""
        self.timeline.append(Span(kind, rep, round(start, 3), round(self.elapsed, 3)))
        return self

    def counted_hold(self, count_words: list[str]) -> SpeechBuilder:
        """Count aloud, one word a second."""
        seconds = self.timing.count_word_seconds
        for word in count_words:
            self.segments.append(Cue(word, seconds))
            self.elapsed += seconds
            self.pause(1 - seconds)
        return self

    def timed_hold(
        self, remaining: int, covered: int, time_left_cue: Callable[[int], str]
    ) -> SpeechBuilder:
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
                cue = time_left_cue(left)
                self.say(cue)
                self._cue_debt = self.timing.speaking_seconds(cue)
        self._cue_debt = 0.0
        return self

    def build(self, reprompt: str | None, *, end_session: bool = False) -> SpeechPlan:
        return SpeechPlan(tuple(self.segments), reprompt, end_session, tuple(self.timeline))
