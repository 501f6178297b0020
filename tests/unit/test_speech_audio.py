"""Holds measured as sound: SSML rendered by espeak-ng, whose breaks are real silence.

The hold is said by the voice, as in a routine: the Hold outcome rendered by the English voice
(counted aloud when short, silent with time-left cues when long). It is timed from the end of
"Hold." to the start of the cue that ends it: the rendered length of lead + hold + release,
less the lead and the release rendered alone. That method carries espeak-ng's own silence at
the edges of an utterance (a few tenths of a second), and espeak-ng's number words vary in
length ("seven" is longer than "two"), so the tolerance is 0.6 s: enough to catch a timing
model that drifts, not a claim about Alexa's voice to the tenth.

Skipped where espeak-ng or sox is not installed (`apt-get install espeak-ng sox`), except in
CI (CI set in the environment), where a missing tool fails: CI must always hear the holds.
These are lengths of rendered audio, not wall-clock timings: machine load cannot change them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from si_coach.routine.limits import MAX_COUNTED_HOLD_SECONDS
from si_coach.routine.outcomes import Hold
from si_coach.voice.speaker import voice_for
from si_coach.voice.speech import WORDS_PER_SECOND, SpeechBuilder, SpeechPlan

TOOLS = ("espeak-ng", "soxi")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")

LEAD = ("Push your knees apart.", "Hold.")
RELEASE = "And relax."
TOLERANCE_SECONDS = 0.6


@pytest.fixture(autouse=True)
def _audio_tools() -> None:
    if MISSING and IN_CI:
        pytest.fail(f"CI must run the audio checks; not installed: {', '.join(MISSING)}")
    if MISSING:
        pytest.skip(f"espeak-ng and sox render and measure the speech; missing {MISSING}")


def rendered_seconds(ssml: str, directory: Path) -> float:
    wav = directory / "speech.wav"
    rate = str(round(WORDS_PER_SECOND * 60))
    subprocess.run(["espeak-ng", "-m", "-s", rate, "-w", str(wav), ssml], check=True)
    measured = subprocess.run(["soxi", "-D", str(wav)], check=True, capture_output=True, text=True)
    return float(measured.stdout)


def said(*texts: str) -> SpeechPlan:
    return SpeechBuilder().say(*texts).build(None)


def held(seconds: int) -> SpeechPlan:
    """LEAD, the hold as the voice says it in a routine, then RELEASE."""
    counted = seconds <= MAX_COUNTED_HOLD_SECONDS
    hold = voice_for("en-US").render([Hold(seconds, seconds, counted, 0)])
    return SpeechPlan(said(*LEAD).segments + hold.segments + said(RELEASE).segments, None)


@pytest.mark.parametrize("seconds", [2, 5, 6, 10, 15, 30, 45])
def test_a_hold_lasts_its_length_when_spoken(seconds: int, tmp_path: Path) -> None:
    whole = rendered_seconds(held(seconds).ssml(), tmp_path)
    lead = rendered_seconds(said(*LEAD).ssml(), tmp_path)
    release = rendered_seconds(said(RELEASE).ssml(), tmp_path)
    assert whole - lead - release == pytest.approx(seconds, abs=TOLERANCE_SECONDS)


def test_the_measure_can_tell_a_short_hold(tmp_path: Path) -> None:
    """The method itself: a hold two seconds short is caught, so the check can fail."""
    short = SpeechPlan(said(*LEAD).segments + said(RELEASE).segments, None)
    whole = rendered_seconds(short.ssml(), tmp_path)
    lead = rendered_seconds(said(*LEAD).ssml(), tmp_path)
    release = rendered_seconds(said(RELEASE).ssml(), tmp_path)
    assert abs(whole - lead - release) < 2 - TOLERANCE_SECONDS


def test_a_counted_hold_is_heard_counting() -> None:
    """Short holds are counted aloud, long ones are not: the two paths measured above."""
    assert "one" in held(5).text.split() and "five" in held(5).text.split()
    assert "one" not in held(30).text.split()
