"""The tests are laid out for a newcomer: by kind, support code in one place, and apart from
the benchmark (what both need lives in local/: fake_aws.py, template_table.py, measures/)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
BENCHMARKS = ROOT / "benchmarks"
# The only things at the top of tests/: the folders by kind, support code, the development
# set, the shared fixtures and the test map.
TESTS_TOP_LEVEL = {"unit", "skill", "storage", "tooling", "support", "nlu", "conftest.py"}
TESTS_TOP_LEVEL_DOCUMENTS = {"README.md"}


def imported_modules(source: str) -> Iterator[str]:
    """Every module a Python source imports, lazy and type-only imports included."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def imports_of_package(folder: Path, package: str) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if package not in source:
            continue  # cannot import it: no need to parse
        for module in imported_modules(source):
            if module == package or module.startswith(f"{package}."):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def test_the_import_scan_sees_every_kind_of_import() -> None:
    source = (
        "import benchmarks.run\n"
        "from tests.support import x\n"
        "def f():\n    from benchmarks import aws\n"
        "if TYPE_CHECKING:\n    import tests\n"
    )
    assert list(imported_modules(source)) == [
        "benchmarks.run",
        "tests.support",
        "benchmarks",
        "tests",
    ]


def test_tests_import_nothing_from_the_benchmark() -> None:
    assert not imports_of_package(TESTS, "benchmarks")


def test_the_benchmark_imports_nothing_from_the_tests() -> None:
    assert not imports_of_package(BENCHMARKS, "tests")


def test_the_top_of_tests_holds_only_the_folders_by_kind_and_support() -> None:
    present = {path.name for path in TESTS.iterdir() if path.name != "__pycache__"}
    assert present - TESTS_TOP_LEVEL_DOCUMENTS <= TESTS_TOP_LEVEL, sorted(
        present - TESTS_TOP_LEVEL - TESTS_TOP_LEVEL_DOCUMENTS
    )
    for kind in ("unit", "skill", "storage", "tooling"):
        folder = TESTS / kind
        assert all(path.name.startswith("test_") for path in folder.glob("*.py")), (
            f"support code goes in tests/support/, not tests/{kind}/"
        )
