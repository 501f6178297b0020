"""`make run ARGS="--locale de-DE"`: the console as a German or Spanish device. Lines are
typed in the language, resolved by that locale's model, and answered by lambda_handler in
the language's words (a subprocess, as `make run` starts it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from si_coach.voice.wording import wording_for

REPO_ROOT = Path(__file__).resolve().parents[2]
TYPED = {
    "de-DE": "öffne i. s. g. trainer\nja\nweiter\nwie lange halte ich\nes tut weh\n",
    "es-MX": "abre entrenador sacroilíaco\nsí\nsiguiente\ncuánto tiempo aguanto\nme duele\n",
}


def run_console(lines: str, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
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


@pytest.mark.parametrize("locale", TYPED)
def test_the_console_speaks_the_locale(locale: str, tmp_path: Path) -> None:
    result = run_console(TYPED[locale], "--fast", "--locale", locale, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    words = wording_for(locale)
    out = result.stdout
    assert words.safety_reminder in out
    assert "-> HoldTimeIntent" in out
    assert "-> PainIntent" in out
    assert words.line("routine.stop_now") in out
    assert "-> AMAZON.FallbackIntent" not in out


def test_an_unknown_locale_is_refused(tmp_path: Path) -> None:
    result = run_console("", "--locale", "fr-FR", data_dir=tmp_path)
    assert result.returncode == 2
    assert "--locale" in result.stderr
