"""The package's folders are layers: no import cycle in lambda/, and no import pointing up or
beside a layer, lazy (inside a function) and type-only (TYPE_CHECKING) imports included.

The layers and their order are read from si_coach/__init__.py's docstring, so the order
written down there is the order checked here.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

LAMBDA_DIR = Path(__file__).resolve().parents[2] / "lambda"
PACKAGE = "si_coach"
# The Lambda entry, beside the package: it may import any layer.
ENTRY = "lambda_function"


def module_files(root: Path) -> dict[str, Path]:
    """Every module under `root`, by its dotted name (a package by its own name)."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Every name an import statement anywhere in the module reaches (function bodies and
    `if TYPE_CHECKING:` blocks included), relative imports made absolute; for `from a
    import b`, both `a` and `a.b`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of `root` it imports. Importing `a.b.c` also runs the packages
    `a` and `a.b`, so those count too (except the importer's own packages, already running).
    """
    modules = module_files(root)

    def ancestors(name: str) -> set[str]:
        parts = name.split(".")
        return {".".join(parts[:k]) for k in range(1, len(parts))}

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(name, path):
            known = imported
            while known and known not in modules:
                known = known.rpartition(".")[0]
            if known:
                targets.add(known)
                targets |= {a for a in ancestors(known) if a in modules}
        graph[name] = targets - {name} - ancestors(name)
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles: each strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_order(package_doc: str) -> list[tuple[str, ...]]:
    """The layers, top first, from the package docstring's indented block: one line a
    layer, folders on the same line side by side."""
    rows = []
    for line in package_doc.splitlines():
        if line.startswith("    ") and line.strip() and all(w.isidentifier() for w in line.split()):
            rows.append(tuple(line.split()))
    return rows


def layer_of(module: str, package: str) -> str | None:
    """The folder (or top-level module) of `package` that `module` belongs to."""
    parts = module.split(".")
    if parts[0] != package or len(parts) == 1:
        return None
    return parts[1]


def wrong_way_imports(
    graph: Mapping[str, set[str]], package: str, order: list[tuple[str, ...]], entry: str
) -> list[str]:
    """Each import that points up a layer, or sideways into another folder of the same row
    (once for each module and layer); and each module in no layer. The package's own
    __init__ is below every layer, and imports nothing."""
    rank = {layer: len(order) - row for row, layers in enumerate(order) for layer in layers}
    problems = []
    for module, targets in sorted(graph.items()):
        if module == entry:
            continue
        source = layer_of(module, package)
        if module == package:
            problems += [f"{package}/__init__.py imports {target}" for target in sorted(targets)]
            continue
        if source not in rank:
            problems.append(f"{module} is in no layer")
            continue
        reported = set()
        for target in sorted(targets):
            goal = layer_of(target, package)
            if goal is None or goal == source or goal in reported:
                continue
            if goal == entry or rank.get(goal, len(order) + 1) >= rank[source]:
                reported.add(goal)
                problems.append(f"{module} ({source}) imports {target} ({goal})")
    return problems


def package_doc(root: Path, package: str) -> str:
    tree = ast.parse((root / package / "__init__.py").read_text())
    return ast.get_docstring(tree, clean=False) or ""


# -- the skill's own code ---------------------------------------------------------------------


def test_the_lambda_code_has_no_import_cycle() -> None:
    assert cycles(import_graph(LAMBDA_DIR)) == []


def test_every_import_points_down_a_layer() -> None:
    order = layer_order(package_doc(LAMBDA_DIR, PACKAGE))
    folders = {
        path.stem if path.is_file() else path.name
        for path in (LAMBDA_DIR / PACKAGE).iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert {layer for row in order for layer in row} == folders
    assert wrong_way_imports(import_graph(LAMBDA_DIR), PACKAGE, order, ENTRY) == []


# -- the checks can fail ----------------------------------------------------------------------


def _package(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


LAYERED = {
    "pkg/__init__.py": '''
        """Layers:

            top
            middle side
            bottom
        """
    ''',
    "pkg/top/__init__.py": "",
    "pkg/middle/__init__.py": "",
    "pkg/side/__init__.py": "",
    "pkg/bottom/__init__.py": "",
    "pkg/bottom/facts.py": "",
}


def test_a_cycle_through_a_lazy_import_is_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            **LAYERED,
            "pkg/middle/turn.py": "from pkg.middle.screens import show\n",
            "pkg/middle/screens.py": """
                def show():
                    from pkg.middle import turn
            """,
        },
    )
    assert cycles(import_graph(root)) == [["pkg.middle.screens", "pkg.middle.turn"]]


@pytest.mark.parametrize(
    "source",
    [
        "from pkg.top import thing\n",  # up, at the top of the module
        "def later():\n    import pkg.top.thing\n",  # up, lazily
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..top import thing\n",
        "from pkg.side import thing\n",  # beside
    ],
    ids=["module-level", "lazy", "type-only-relative", "sideways"],
)
def test_an_import_up_or_beside_a_layer_is_found(tmp_path: Path, source: str) -> None:
    root = _package(
        tmp_path,
        {**LAYERED, "pkg/top/thing.py": "", "pkg/side/thing.py": "", "pkg/middle/m.py": source},
    )
    order = layer_order(package_doc(root, "pkg"))
    assert order == [("top",), ("middle", "side"), ("bottom",)]
    problems = wrong_way_imports(import_graph(root), "pkg", order, ENTRY)
    assert len(problems) == 1
    assert problems[0].startswith("pkg.middle.m (middle) imports pkg.")


def test_imports_down_a_layer_pass(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {**LAYERED, "pkg/top/m.py": "from pkg.middle import x\nfrom pkg.bottom.facts import y\n"},
    )
    order = layer_order(package_doc(root, "pkg"))
    assert wrong_way_imports(import_graph(root), "pkg", order, ENTRY) == []
