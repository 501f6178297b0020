"""The README stays true: its state table is the one the engine runs, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from si_coach.routine.pacing import state_table_markdown

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_state_table_in_the_readme_is_generated_from_the_engine() -> None:
    match = re.search(r"<!-- state-table:start -->\n(.*?)\n<!-- state-table:end -->", README, re.S)
    assert match, "README needs the state table between its markers"
    assert match.group(1).strip() == state_table_markdown().strip(), (
        "regenerate it: PYTHONPATH=lambda .venv/bin/python -m si_coach.routine.pacing"
    )


def test_every_make_target_the_readme_names_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z][\w-]*)", README))
    assert named, "the README names its make commands"
    assert named <= targets


def test_the_ci_entry_point_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README
    assert re.search(r"^make test$", ci, re.M)
