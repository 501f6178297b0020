"""The README and docs/ stay true: the state table is the one the engine runs, the commands
exist, the README's map of the code matches the tree, and every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from si_coach.routine.pacing import state_table_markdown

ROOT = Path(__file__).resolve().parents[2]
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
PACKAGE = ROOT / "lambda" / "si_coach"
# The README is a front door: what the skill is, the two commands, the sample dialogue and a
# map; everything else lives in docs/.
README_MAX_LINES = 210
DOCUMENTS = sorted(
    [
        README_PATH,
        ROOT / "benchmarks" / "README.md",
        ROOT / "tests" / "README.md",
        *(ROOT / "docs").glob("*.md"),
    ]
)
# [text](target) in Markdown, outside code.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def outside_code(markdown: str) -> str:
    """The Markdown with fenced blocks and inline code taken out."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", markdown)


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors for a document's headings."""
    without_fences = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    return {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.*)$", without_fences, re.M)
    }


def code_map() -> list[str]:
    """The first word of each line of the README's map of the code: a path from the root."""
    section = README.split("## A map of the code", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```\n(.*?)^```", section, re.S | re.M)
    assert block, "the README's map of the code is a fenced block"
    return [line.split()[0] for line in block.group(1).splitlines() if line and line[0] != " "]


def test_the_state_table_in_the_architecture_doc_is_generated_from_the_engine() -> None:
    architecture = text_of(ROOT / "docs" / "architecture.md")
    match = re.search(
        r"<!-- state-table:start -->\n(.*?)\n<!-- state-table:end -->", architecture, re.S
    )
    assert match, "docs/architecture.md needs the state table between its markers"
    assert match.group(1).strip() == state_table_markdown().strip(), (
        "regenerate it: PYTHONPATH=lambda .venv/bin/python -m si_coach.routine.pacing"
    )


def test_every_make_target_the_docs_name_exists() -> None:
    makefile = text_of(ROOT / "Makefile")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    named = {
        target
        for document in DOCUMENTS
        for target in re.findall(r"`make ([a-z][\w-]*)", text_of(document))
    }
    assert {"run", "test"} <= set(re.findall(r"`make ([a-z][\w-]*)", README)), (
        "the README names its two commands"
    )
    assert named <= targets, sorted(named - targets)


def test_the_ci_entry_point_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README
    assert re.search(r"^make test$", ci, re.M)


def test_the_readme_is_a_front_door() -> None:
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_the_readmes_code_map_names_every_folder_of_the_package() -> None:
    named = {path.rstrip("/") for path in code_map()}
    folders = {
        folder.relative_to(ROOT).as_posix()
        for folder in PACKAGE.rglob("*")
        if folder.is_dir() and folder.name != "__pycache__"
    }
    assert folders, "the package has folders"
    assert folders <= named, f"not in the README's map: {sorted(folders - named)}"


def test_every_path_in_the_readmes_code_map_exists() -> None:
    paths = code_map()
    assert len(paths) >= 10
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert not missing, f"the README's map names paths that do not exist: {missing}"
    folders = [path for path in paths if path.endswith("/")]
    assert all((ROOT / path).is_dir() for path in folders)


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    checked = 0
    broken = []
    for document in DOCUMENTS:
        for target in LINK.findall(outside_code(text_of(document))):
            if re.match(r"[a-z]+:", target):
                continue  # an absolute URL
            path_part, _, anchor = unquote(target).partition("#")
            linked = (document.parent / path_part).resolve() if path_part else document
            checked += 1
            if not linked.exists():
                broken.append(f"{document.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(text_of(linked)):
                broken.append(f"{document.relative_to(ROOT)}: {target} (no such heading)")
    assert checked >= 10, "the README links to the docs"
    assert not broken, broken


def test_the_link_check_reads_links_and_headings_as_github_does() -> None:
    assert LINK.findall(outside_code("see [x](docs/gone.md) and `[y](ignored.md)`")) == [
        "docs/gone.md"
    ]
    assert "interruptions-only-the-reps-heard-are-counted" in anchors(
        "### Interruptions: only the reps heard are counted\n"
    )
