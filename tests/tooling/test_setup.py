"""Set-up as CI and a newcomer meet it: the tools CI installs, and an install that shows
its progress without noise. These read the scripts CI runs (.ci/run, the Makefile,
scripts/validate-template); the audio checks themselves fail under CI when a tool is missing
(tests/unit/test_speech_audio.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CI_RUN = REPO_ROOT / ".ci" / "run"
MAKEFILE = REPO_ROOT / "Makefile"
VALIDATE_TEMPLATE = REPO_ROOT / "scripts" / "validate-template"


def test_ci_installs_the_audio_tools_and_node_when_missing_then_runs_make_test() -> None:
    script = CI_RUN.read_text()
    for tool in ("espeak-ng", "sox", "nodejs", "npm"):
        assert f"missing+=({tool})" in script, tool
    assert len(re.findall(r"^\s*apt-get update", script, re.M)) == 1
    assert "apt-get install -y" in script
    assert "DEBIAN_FRONTEND=noninteractive" in script
    # CI is set, so the audio checks fail instead of skipping.
    assert 'export CI="${CI:-true}"' in script
    assert script.rstrip().endswith("make test")


def test_ci_script_is_valid_bash() -> None:
    result = subprocess.run(
        ["bash", "-n", str(CI_RUN)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_installs_show_progress_and_no_notices() -> None:
    makefile = MAKEFILE.read_text()
    installs = re.findall(r"pip install[^\n]*(?:\\\n[^\n]*)*", makefile)
    assert installs, "the Makefile installs .venv with pip"
    for install in installs:
        assert "--quiet" not in install and "--progress-bar on" in install
    assert "Setting up $(VENV) (about 380 MB" in makefile
    assert "npm ci" in makefile and "--update-notifier=false" in makefile
    script = VALIDATE_TEMPLATE.read_text()
    assert "--quiet" not in script and "--progress-bar on" in script


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_sam_validate_says_nothing_on_success_and_everything_on_failure(tmp_path: Path) -> None:
    """The block of scripts/validate-template that runs `sam validate`, with a stand-in sam."""
    block = re.search(r"if ! sam_said=.*?\nfi\n", VALIDATE_TEMPLATE.read_text(), re.S)
    assert block is not None
    sam = tmp_path / "bin" / "sam"
    sam.parent.mkdir()

    def run(exit_status: int) -> subprocess.CompletedProcess[str]:
        sam.write_text(
            '#!/bin/sh\necho "template.yaml is a valid SAM Template.'
            ' For additional validation, please run with \\"--lint\\" option"\n'
            f"exit {exit_status}\n"
        )
        sam.chmod(0o755)
        return subprocess.run(
            ["bash", "-c", f"set -euo pipefail\nSAM_VENV={tmp_path}\n{block.group(0)}"],
            capture_output=True,
            text=True,
            check=False,
        )

    passed = run(0)
    assert passed.returncode == 0 and "--lint" not in passed.stdout + passed.stderr
    failed = run(1)
    assert failed.returncode == 1 and "valid SAM Template" in failed.stderr
