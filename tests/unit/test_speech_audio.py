"""Holds measured as sound: SSML rendered by espeak-ng, whose breaks are real silence.

A hold is timed from the end of "Hold." to the start of the cue that ends it: the rendered
length of lead + hold + release, less the lead and the release rendered alone. That method
carries espeak-ng's own silence at the edges of an utterance (a few tenths of a second), and
espeak-ng's number words vary in length ("seven" is longer than "two"), so the tolerance is
0.6 s: enough to catch a timing model that drifts, not a claim about Alexa's voice to the
tenth. Skipped where espeak-ng or sox is not installed (`apt-get install espeak-ng sox`).
These are lengths of rendered audio, not wall-clock timings: machine load cannot change them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from si_coach.voice.speech import WORDS_PER_SECOND, SpeechBuilder

pytestmark = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("soxi")),
    reason="espeak-ng and sox render and measure the speech",
)
LEAD = ("Push your knees apart.", "Hold.")
RELEASE = "And relax."
TOLERANCE_SECONDS = 0.6


def rendered_seconds(ssml: str, directory: Path) -> float:
    wav = directory / "speech.wav"
    rate = str(round(WORDS_PER_SECOND * 60))
    subprocess.run(["espeak-ng", "-m", "-s", rate, "-w", str(wav), ssml], check=True)
    measured = subprocess.run(["soxi", "-D", str(wav)], check=True, capture_output=True, text=True)
    return float(measured.stdout)


@pytest.mark.parametrize(
    ("seconds", "counted"), [(2, True), (5, True), (6, True), (10, True), (15, False), (30, False)]
)
def test_a_hold_lasts_its_length_when_spoken(seconds: int, counted: bool, tmp_path: Path) -> None:
    held = SpeechBuilder().say(*LEAD)
    if counted:
        held.counted_hold(seconds)
    else:
        held.timed_hold(seconds, seconds)
    whole = rendered_seconds(held.say(RELEASE).build(None).ssml(), tmp_path)
    lead = rendered_seconds(SpeechBuilder().say(*LEAD).build(None).ssml(), tmp_path)
    release = rendered_seconds(SpeechBuilder().say(RELEASE).build(None).ssml(), tmp_path)
    assert whole - lead - release == pytest.approx(seconds, abs=TOLERANCE_SECONDS)
