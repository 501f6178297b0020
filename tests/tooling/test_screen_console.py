"""`make run ARGS="--screen"`: the console shows, beside the speech, what a screen would show."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from local.console import Pause, SpeechPlayer, TimedLine, Words, screen_changes
from local.utterances import REPO_ROOT
from si_coach.screen import PreviewFrame
from si_coach.voice.wording import wording_for
from tests.support.fake_time import FakeTime

WORDS = wording_for("en-US")


def test_screen_lines_show_at_their_time_in_the_speech_and_add_no_waiting() -> None:
    fake_time = FakeTime()
    out = io.StringIO()
    player = SpeechPlayer(out, sleep=fake_time.sleep, monotonic=fake_time.monotonic)
    # "Hold." takes 0.4 s; the screen ticks one second and two seconds into the pause.
    player.play(
        [Words("Hold."), Pause(3.0), Words("And relax.")],
        [TimedLine(1.4, "tick 2"), TimedLine(2.4, "tick 1"), TimedLine(3.5, "closing")],
    )
    transcript = out.getvalue()
    assert transcript.index("Hold.") < transcript.index("tick 2") < transcript.index("tick 1")
    assert transcript.index("tick 1") < transcript.index("And relax.")
    assert transcript.index("closing") > transcript.index("tick 1")
    assert sum(fake_time.naps) == pytest.approx(0.4 + 3.0 + 0.8)
    # The ticks came when the speech reached them: one second into the pause, then another.
    assert fake_time.naps[1:3] == [pytest.approx(1.0), pytest.approx(1.0)]


def test_screen_changes_are_the_lines_that_changed() -> None:
    frames = [
        PreviewFrame(0.0, ("Bridge", "Rep 1 of 8", ">>")),
        PreviewFrame(2.0, ("Bridge", "Rep 1 of 8", ">> Hold  6")),
        PreviewFrame(3.0, ("Bridge", "Rep 1 of 8", ">> Hold  5")),
        PreviewFrame(9.0, ("Bridge", "Rep 2 of 8", ">> Hold  6")),
    ]
    changes = screen_changes(frames)
    assert [c.at for c in changes] == [2.0, 3.0, 9.0]
    assert changes[0].text.endswith("2.0 s  >> Hold  6")
    assert changes[2].text.endswith("Rep 2 of 8  >> Hold  6")


def run_console(lines: str, *args: str, data_dir) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TABLE_NAME", "SKILL_ID", "AWS_ENDPOINT_URL_DYNAMODB")
    }
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "lambda"), str(REPO_ROOT)])
    environ["SI_COACH_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "local.console", *args],
        input=lines,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environ,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_the_console_with_screen_shows_the_title_counters_and_the_countdown_ticking(
    tmp_path,
) -> None:
    lines = "open s. i. joint coach\nstart my routine\nnext\npause\nhow do I do the bridge\n"
    result = run_console(lines, "--fast", "--screen", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    assert f"  screen | {WORDS.line('screen.skill_title')}\n" in transcript
    assert "  screen | Hip abduction\n" in transcript
    assert "  screen | Rep 1 of 10\n" in transcript
    ticks = re.findall(r"screen \|\s+([\d.]+) s  (?:Rep \d+ of 10  )?>> Hold  (\d)", transcript)
    assert [count for _, count in ticks[:6]] == ["5", "4", "3", "2", "1", "0"]
    times = [float(at) for at, _ in ticks]
    assert times == sorted(times)
    assert times[1] - times[0] == pytest.approx(1.0)
    # The countdown ticks within the speech: a tick comes before the words after it.
    assert transcript.index(">> Hold  4") < transcript.index("coach: two")
    assert f">> {WORDS.line('screen.say_next')}" in transcript
    assert f"  screen | >> {WORDS.line('screen.paused')}\n" in transcript
    assert "  screen | [Resume]\n" in transcript
    assert "  screen | Bridge\n" in transcript

    speaker = run_console(lines, "--fast", data_dir=tmp_path / "speaker")
    assert speaker.returncode == 0, speaker.stderr
    assert "screen |" not in speaker.stdout
