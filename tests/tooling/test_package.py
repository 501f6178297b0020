"""The deployment artifact (`make package`): built for the runtime, complete, and it answers.

The artifact is built once for the module by scripts/package.py, the script `make package`
runs. A fresh interpreter of the runtime's Python version that sees only the artifact and
the standard library (no site-packages, no PYTHONPATH) imports its handler and answers a
LaunchRequest against moto's DynamoDB server: whatever the code, the catalogue, its data
files or a dependency needs and the artifact lacks fails here. Every module ships its
bytecode for that version, and that interpreter runs it rather than the source.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from local.envelopes import AlexaSession, speech_text
from scripts.package import PackagingError, runtime_python, runtime_version
from tests.support.template_table import load_template

REPO_ROOT = Path(__file__).resolve().parents[2]
CODE_DIR = REPO_ROOT / "lambda"
PACKAGE_SCRIPT = REPO_ROOT / "scripts" / "package.py"


@pytest.fixture(scope="module")
def runtime_interpreter() -> Path:
    runtime = load_template()["Resources"]["SkillFunction"]["Properties"]["Runtime"]
    try:
        return runtime_python(runtime_version(runtime))
    except PackagingError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory, runtime_interpreter: Path) -> Path:
    build = tmp_path_factory.mktemp("package") / "build"
    result = subprocess.run(
        [sys.executable, str(PACKAGE_SCRIPT), "--build-dir", str(build)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return build


@pytest.fixture(scope="module")
def artifact(build_dir: Path) -> Path:
    return build_dir / "SkillFunction"


# Runs with -I -S: no site-packages, no PYTHONPATH, no current directory on sys.path; and -B:
# Lambda's code directory is read-only, so no bytecode is written into the artifact.
_ANSWER_FROM_ARTIFACT = """
import json, sys
artifact = sys.argv[1]
sys.path.insert(0, artifact)
import lambda_function
response = lambda_function.lambda_handler(json.loads(sys.argv[2]), None)
loaded_from = {getattr(module, "__file__", None) for module in list(sys.modules.values())}
outside = sorted(
    path for path in loaded_from
    if path and not path.startswith((artifact, sys.base_prefix))
)
print(json.dumps({"response": response, "loaded_outside": outside}))
"""


def answer_from(artifact: Path, python: Path, table: Any) -> dict:
    """A LaunchRequest answered by a fresh `python` that sees only `artifact`."""
    launches: list[dict] = []
    AlexaSession(lambda event, _: launches.append(event) or {}).launch()
    environment = {
        name: value
        for name, value in os.environ.items()
        if name.startswith("AWS_") or name in ("HOME", "PATH", "LANG")
    }
    environment["TABLE_NAME"] = table.name
    launch = json.dumps(launches[0])

    result = subprocess.run(
        [str(python), "-I", "-S", "-B", "-c", _ANSWER_FROM_ARTIFACT, str(artifact), launch],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fresh_interpreter_answers_a_launch_from_the_artifact_alone(
    artifact: Path, runtime_interpreter: Path, dynamodb_server_table: Any
) -> None:
    answer = answer_from(artifact, runtime_interpreter, dynamodb_server_table)
    assert answer["loaded_outside"] == [], "modules came from outside the artifact"
    assert speech_text(answer["response"]).startswith("Welcome")
    assert answer["response"]["response"]["shouldEndSession"] is False


def test_every_module_ships_bytecode_the_runtime_uses_without_checking_the_source(
    artifact: Path, runtime_interpreter: Path
) -> None:
    facts = subprocess.run(
        [
            str(runtime_interpreter),
            "-I",
            "-c",
            "import importlib.util, sys; "
            "print(importlib.util.MAGIC_NUMBER.hex(), sys.implementation.cache_tag)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    magic, cache_tag = bytes.fromhex(facts[0]), facts[1]
    sources = list(artifact.rglob("*.py"))
    assert len(sources) > 100
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{cache_tag}.pyc"
        header = compiled.read_bytes()[:8]
        assert header[:4] == magic, compiled
        # PEP 552: flags 0b01, hash-based and not checked against the source.
        assert int.from_bytes(header[4:8], "little") == 1, compiled
    assert not [p for p in artifact.rglob("*.pyc") if cache_tag not in p.name]


def test_every_data_file_ships_its_parsed_copy(artifact: Path) -> None:
    import tomllib

    data_files = list((artifact / "si_coach").rglob("*.toml"))
    assert len(data_files) >= 3
    for data_file in data_files:
        copy = data_file.parent / "__pycache__" / f"{data_file.name}.json"
        shipped = json.loads(copy.read_text(encoding="utf-8"))
        assert shipped["data"] == tomllib.loads(data_file.read_text(encoding="utf-8")), copy


def test_the_runtime_answers_from_the_bytecode_even_with_the_sources_broken(
    artifact: Path, runtime_interpreter: Path, dynamodb_server_table: Any, tmp_path: Path
) -> None:
    # Were any of these compiled at start-up, the launch would fail: the bytecode is what runs.
    copy = tmp_path / "SkillFunction"
    shutil.copytree(artifact, copy)
    for name in ("lambda_function.py", "si_coach/skill.py", "si_coach/handlers/routine.py"):
        (copy / name).write_text("raise SystemExit('compiled from source')\n", encoding="utf-8")
    answer = answer_from(copy, runtime_interpreter, dynamodb_server_table)
    assert speech_text(answer["response"]).startswith("Welcome")


def test_every_file_under_the_code_uri_is_in_the_artifact(artifact: Path) -> None:
    # Data files (the catalogue, wording, documents) included by rule, not by a list.
    code_files = [
        path.relative_to(CODE_DIR)
        for path in CODE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]
    data_files = [path for path in code_files if path.suffix != ".py"]

    assert any(path.name == "catalogue.toml" for path in data_files)
    for relative in code_files:
        assert (artifact / relative).read_bytes() == (CODE_DIR / relative).read_bytes(), relative


def test_dependencies_are_the_pinned_versions_built_for_the_runtime(artifact: Path) -> None:
    function = load_template()["Resources"]["SkillFunction"]["Properties"]
    python_tag = "cpython-" + function["Runtime"].removeprefix("python").replace(".", "")
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[function["Architectures"][0]]
    pins = dict(
        line.split("==")
        for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )

    installed = dict(
        path.name.removesuffix(".dist-info").rsplit("-", 1) for path in artifact.glob("*.dist-info")
    )
    installed = {re.sub(r"[-_.]+", "-", name).lower(): found for name, found in installed.items()}
    for name, version in pins.items():
        assert installed[re.sub(r"[-_.]+", "-", name).lower()] == version
    for extension in artifact.rglob("*.so"):
        assert f"{python_tag}-{machine}-linux-gnu" in extension.name, extension


def test_the_built_template_deploys_the_artifact(build_dir: Path) -> None:
    source = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8").splitlines()
    built = (build_dir / "template.yaml").read_text(encoding="utf-8").splitlines()

    changed = [(old, new) for old, new in zip(source, built, strict=True) if old != new]
    assert changed == [("      CodeUri: lambda/", "      CodeUri: SkillFunction")]


def test_the_zip_holds_the_artifact(build_dir: Path, artifact: Path) -> None:
    with zipfile.ZipFile(build_dir.parent / "si-coach-lambda.zip") as archive:
        names = set(archive.namelist())

    assert names == {
        path.relative_to(artifact).as_posix() for path in artifact.rglob("*") if path.is_file()
    }
    assert "lambda_function.py" in names
