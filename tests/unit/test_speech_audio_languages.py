"""Holds measured as sound in Spanish and German: the voice's SSML rendered by espeak-ng's
Spanish and German voices (-v es, -v de), whose breaks are real silence.

A hold is what it adds to the speech: the rendered length of lead + hold + release, less the
same lead and release with a one-millisecond break between them (so both renderings have the
same utterance edges, which espeak-ng pads with silence), within 0.6 s. The speech is built with the
language's own timing (si_coach.voice.speech.TIMINGS), so a timing model that kept English's
pace for German's longer number words would stretch each counted second and fail here.
Skipped where espeak-ng or sox is not installed. Lengths of rendered audio, not wall-clock
timings: machine load cannot change them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from si_coach.routine.outcomes import Hold
from si_coach.voice.speaker import voice_for
from si_coach.voice.speech import TIMINGS, SpeechBuilder
from si_coach.voice.wording import wording_for

pytestmark = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("soxi")),
    reason="espeak-ng and sox render and measure the speech",
)
# espeak-ng's rate the timings were measured at, in words a minute.
ESPEAK_WORDS_PER_MINUTE = 150
VOICES = {"es": "es", "de": "de"}
TOLERANCE_SECONDS = 0.6


def rendered_seconds(ssml: str, language: str, directory: Path) -> float:
    wav = directory / "speech.wav"
    subprocess.run(
        [
            *("espeak-ng", "-v", VOICES[language], "-m"),
            *("-s", str(ESPEAK_WORDS_PER_MINUTE), "-w", str(wav), ssml),
        ],
        check=True,
    )
    measured = subprocess.run(["soxi", "-D", str(wav)], check=True, capture_output=True, text=True)
    return float(measured.stdout)


@pytest.mark.parametrize("language", ["es", "de"])
@pytest.mark.parametrize(
    ("seconds", "counted"), [(2, True), (5, True), (6, True), (10, True), (15, False), (30, False)]
)
def test_a_hold_lasts_its_length_when_spoken(
    language: str, seconds: int, counted: bool, tmp_path: Path
) -> None:
    voice = voice_for(language)
    words = voice.wording
    lead = (words.variant("bridge").action_cue, words.line("routine.hold"))
    release = words.variant("bridge").release_cue

    def builder() -> SpeechBuilder:
        return SpeechBuilder(timing=TIMINGS[language])

    held = builder().say(*lead)
    if counted:
        held.counted_hold([voice.grammar.number(n) for n in range(1, seconds + 1)])
    else:
        held.timed_hold(
            seconds,
            seconds,
            lambda left: words.line("routine.time_left", duration=voice.grammar.duration(left)),
        )
    whole = rendered_seconds(held.say(release).build(None).ssml(), language, tmp_path)
    # The same lead and release with the shortest break between: the same utterance edges.
    without = builder().say(*lead).pause(0.001).say(release).build(None).ssml()
    assert whole - rendered_seconds(without, language, tmp_path) == pytest.approx(
        seconds, abs=TOLERANCE_SECONDS
    )


@pytest.mark.parametrize("language", ["es", "de"])
def test_the_voice_plans_a_hold_in_the_languages_time(language: str) -> None:
    """A counted hold planned by the voice lasts exactly its length in every language."""
    voice = voice_for(language)
    for seconds in (2, 5, 10):
        hold = Hold(rep=0, seconds=seconds, covered=seconds, counted=True)
        assert voice.seconds([hold]) == pytest.approx(seconds)
    assert wording_for(language).locale == language


def test_spanish_and_german_words_and_counted_numbers_take_their_own_time() -> None:
    english, spanish, german = (voice_for(locale).timing for locale in ("en-US", "es-ES", "de-DE"))
    line = "one two three four five six seven eight nine ten"
    assert spanish.speaking_seconds(line) > english.speaking_seconds(line)
    assert german.speaking_seconds(line) > english.speaking_seconds(line)
    assert german.count_word_seconds > spanish.count_word_seconds > english.count_word_seconds
