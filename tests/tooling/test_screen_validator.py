"""Every screen document passes apl-suggester's static validator, run through node.

The validator (npm apl-suggester, pinned in package.json; `make test` installs it with
`npm ci`) reports every finding at WARNING level, so any finding fails. It can also throw on
a wrongly typed property, which fails too. Checked: each layout as loaded, and the rendered
document of every screen of every variant (pose drawings and countdown commands added).
Skipped, with the reason, where node or the installed package is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from si_coach.screen import render_directives
from si_coach.screen.documents import DOCUMENT_NAMES, load_document
from tests.support.screen_examples import detail_screens, exercise_screens, list_screens

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "support" / "screen_apl_validator.cjs"
PACKAGE = ROOT / "node_modules" / "apl-suggester" / "package.json"


def documents_to_check() -> dict[str, dict]:
    documents = {f"{name}.json": load_document(name) for name in DOCUMENT_NAMES}
    screens = [(f"{name} at the top", s) for name, s in exercise_screens()]
    screens += [(f"{name} on day one", s) for name, s in exercise_screens(level=0)]
    for name, screen in [*screens, *list_screens(), *detail_screens()]:
        (directive,) = render_directives(screen, "1.1")
        documents[f"rendered {name}"] = directive["document"]
    return documents


@pytest.fixture(scope="module")
def validator_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the APL validator cannot run")
    if not PACKAGE.is_file():
        pytest.skip("apl-suggester is not installed: run `npm ci` (make test does)")
    documents = documents_to_check()
    path = tmp_path_factory.mktemp("apl") / "documents.json"
    path.write_text(json.dumps(documents), encoding="utf-8")
    run = subprocess.run(
        [node, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert set(results) == set(documents)
    return results


@pytest.mark.slow
def test_the_validator_runs_on_every_document(validator_results: dict) -> None:
    assert len(validator_results) >= 3 + 2 * 14 + 3 + 9


def test_every_document_passes_the_validator(validator_results: dict) -> None:
    failures = {name: found for name, found in validator_results.items() if found}
    assert not failures, json.dumps(failures, indent=1)[:4000]


@pytest.mark.slow
def test_the_validator_catches_a_broken_document(tmp_path: Path) -> None:
    """The check can fail: a property the schema does not know, and a mistyped one."""
    node = shutil.which("node")
    if node is None or not PACKAGE.is_file():
        pytest.skip("node or apl-suggester is missing")
    broken = load_document("exercise")
    broken["layouts"]["ActionButton"]["items"][0]["item"]["blink"] = True
    mistyped = load_document("list")
    mistyped["layouts"]["FooterHint"]["items"][0]["color"] = 7
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"broken": broken, "mistyped": mistyped}), encoding="utf-8")
    run = subprocess.run(
        [node, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    results = json.loads(run.stdout)
    assert "blink" in json.dumps(results["broken"])
    assert results["mistyped"]
