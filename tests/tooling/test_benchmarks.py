"""The benchmark runs and prints every figure.

Speed is never asserted here (machines are shared and noisy): `make bench` reports it. The
benchmark is run as `make bench` runs it, in its own interpreter: the tests import nothing
from benchmarks/ (tests/tooling/test_layout.py keeps it so). The figures that are properties
of the code are asserted in tests/storage/test_dynamodb_usage.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
ENVIRONMENT = {**os.environ, "PYTHONPATH": os.pathsep.join(["lambda", "."])}


def run_benchmark(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *arguments],
        cwd=REPOSITORY,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_the_quick_benchmark_prints_a_table_with_every_figure() -> None:
    listed = run_benchmark("--figures")
    assert listed.returncode == 0, listed.stderr
    figure_names = listed.stdout.splitlines()
    assert len(figure_names) >= 17, figure_names
    result = run_benchmark("--quick")
    assert result.returncode == 0, result.stderr
    table = result.stdout
    assert "| figure" in table
    for name in figure_names:
        assert name in table, f"{name!r} missing from:\n{table}"
    assert "FAILED" not in table
    assert "nproc" in table
