"""Builds the Lambda deployment artifact, as `sam build` would, without the runtime's Python.

`python scripts/package.py [--release] [--build-dir DIR]` (run by `make package`) writes:

- DIR/SkillFunction/: the function's code, every file under the template's CodeUri
  (lambda/: the code, the catalogue and any other data files, local bytecode caches left
  out), plus requirements.txt installed by pip for the template's runtime and architecture
  (python3.13 on arm64: wheels only, for that Python version and platform, so a dependency
  that does not support them fails the build); then every module compiled to bytecode by
  the runtime's own Python version (see below);
- DIR/template.yaml: template.yaml with the function's CodeUri pointing at that folder;
- DIR/../si-coach-lambda.zip: the same folder zipped, for deploying without SAM.

DIR defaults to .aws-sam/build, where `sam deploy` looks for a built template, so
`.venv-sam/bin/sam deploy --guided` deploys this artifact. `sam build` itself would need the
runtime's Python on this machine (or Docker and the SAM build images); this needs PyPI only.

Lambda's code directory (/var/task) is read-only, so a function that ships no bytecode
compiles every module from source at every cold start. The build compiles them with an
interpreter of the runtime's minor version (`python3.13` on PATH, or pyenv's 3.13.x):
`compileall --invalidation-mode unchecked-hash`, so the bytecode is used whatever the
files' times after unzipping (Lambda's runtime never changes the sources beside it), with
the paths tracebacks show as /var/task/... . Without such an interpreter the build stops
and says so: bytecode for another version would be ignored by the runtime. Each TOML data
file gets its parsed copy too (si_coach/routine/toml_files.py), so no cold start parses TOML,
and the wording files are checked, each one's digest recorded (si_coach/voice/wording), so a
cold start from the artifact only compares digests instead of checking them again.

`--release` (`make package RELEASE=1`) first runs scripts/check_manifest.py in release mode,
which refuses the placeholder endpoint in interaction_model/skill.json.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = REPO_ROOT / "template.yaml"
FUNCTION_LOGICAL_ID = "SkillFunction"
DEFAULT_BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
ZIP_NAME = "si-coach-lambda.zip"
# What pip may install for each Lambda architecture (Amazon Linux 2023: glibc 2.34).
PLATFORMS = {
    "arm64": ("manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64"),
    "x86_64": ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64"),
}
LEFT_OUT = ("__pycache__", ".pyc", ".pyo")
# Where Lambda puts the function's code: the path the bytecode records for tracebacks.
LAMBDA_TASK_ROOT = "/var/task"


class PackagingError(Exception):
    """The artifact cannot be built; the message says why."""


def function_settings(template_text: str) -> dict[str, str]:
    """The function's CodeUri, Runtime and (single) architecture, read from template.yaml.

    Read as text, not YAML: the built template must keep every line of the original but
    one, and PyYAML is not a dependency of the build.
    """
    settings = {}
    for name in ("CodeUri", "Runtime"):
        values = re.findall(rf"^\s+{name}:\s*(\S+)\s*$", template_text, flags=re.MULTILINE)
        if len(values) != 1:
            raise PackagingError(f"template.yaml should name one {name}, found {values}")
        settings[name] = values[0]
    architectures = re.findall(
        r"^\s+Architectures:\s*\n\s+-\s*(\S+)\s*$", template_text, flags=re.MULTILINE
    )
    if len(architectures) != 1 or architectures[0] not in PLATFORMS:
        raise PackagingError(f"template.yaml should name one known architecture: {architectures}")
    settings["Architecture"] = architectures[0]
    return settings


def pip_target_arguments(runtime: str, architecture: str) -> list[str]:
    version = runtime_version(runtime)
    abi = "cp" + version.replace(".", "")
    platforms = [argument for p in PLATFORMS[architecture] for argument in ("--platform", p)]
    return [
        *platforms,
        "--python-version",
        version,
        "--implementation",
        "cp",
        "--abi",
        abi,
        "--abi",
        "abi3",
        "--abi",
        "none",
        "--only-binary=:all:",
    ]


def copy_code(code_dir: Path, destination: Path) -> list[Path]:
    """Every file under ``code_dir`` but bytecode caches, copied; returns their paths."""
    copied = []
    for source in sorted(code_dir.rglob("*")):
        relative = source.relative_to(code_dir)
        if source.is_dir() or any(part.endswith(LEFT_OUT) for part in relative.parts):
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied.append(relative)
    return copied


def install_requirements(requirements: Path, destination: Path, pip_arguments: list[str]) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--no-user",
        "--target",
        str(destination),
        *pip_arguments,
        "-r",
        str(requirements),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError(
            f"pip could not install {requirements.name} for the runtime:\n{result.stderr}"
        )


def runtime_version(runtime: str) -> str:
    """ "python3.13" -> "3.13"."""
    version = runtime.removeprefix("python")
    if not re.fullmatch(r"3\.\d+", version):
        raise PackagingError(f"not a Python runtime: {runtime}")
    return version


def runtime_python(version: str) -> Path:
    """An interpreter of the runtime's Python version ("3.13"): `python3.13` on PATH, or
    the newest pyenv install of it (PYENV_ROOT, else ~/.pyenv)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [Path(found)] if (found := shutil.which(f"python{version}")) else []
    candidates += sorted(
        pyenv_root.glob(f"versions/{version}.*/bin/python{version}"),
        key=lambda path: [int(p) for p in re.findall(r"\d+", path.parents[1].name)],
        reverse=True,
    )
    for candidate in candidates:
        # A pyenv shim on PATH may stand for a version that is not installed.
        result = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0 and result.stdout.strip() == version:
            return candidate
    raise PackagingError(
        f"no Python {version} here to compile the bytecode the runtime uses: install it "
        f"(pyenv install {version}) or put python{version} on PATH"
    )


# Run by the runtime's Python in the artifact: the parsed copy of every TOML data file, then
# the record of the wording files' check (a broken file stops the build here).
_WRITE_PARSED_COPIES = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from si_coach.routine.toml_files import write_parsed_copy
for path in sorted(Path(sys.argv[1], "si_coach").rglob("*.toml")):
    write_parsed_copy(path)
from si_coach.voice.wording import write_checked_record
write_checked_record()
"""


def write_parsed_copies(python: Path, function_dir: Path) -> None:
    """The parsed copy of each of the code's TOML data files, beside it in __pycache__, and
    the record of the wording files' check."""
    command = [str(python), "-I", "-S", "-B", "-c", _WRITE_PARSED_COPIES, str(function_dir)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError(f"the data files' parsed copies failed:\n{result.stderr}")


def compile_bytecode(python: Path, function_dir: Path) -> None:
    """Every module of ``function_dir`` compiled by ``python``, into its __pycache__."""
    command = [
        str(python),
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(function_dir),
        "-p",
        LAMBDA_TASK_ROOT,
        str(function_dir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError(f"compileall failed:\n{result.stdout}{result.stderr}")


def write_zip(folder: Path, zip_path: Path) -> None:
    """``folder`` zipped with fixed timestamps and order, so equal code gives an equal zip."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), (2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())


def build(build_dir: Path) -> Path:
    """Build the artifact into ``build_dir``; returns the function's folder."""
    template_text = TEMPLATE.read_text(encoding="utf-8")
    settings = function_settings(template_text)
    code_dir = (REPO_ROOT / settings["CodeUri"]).resolve()
    function_dir = build_dir / FUNCTION_LOGICAL_ID
    if function_dir.exists():
        shutil.rmtree(function_dir)
    function_dir.mkdir(parents=True)

    copy_code(code_dir, function_dir)
    # lambda/requirements.txt points at the top-level pins (-r ../requirements.txt).
    install_requirements(
        code_dir / "requirements.txt",
        function_dir,
        pip_target_arguments(settings["Runtime"], settings["Architecture"]),
    )
    for cache in function_dir.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    python = runtime_python(runtime_version(settings["Runtime"]))
    write_parsed_copies(python, function_dir)
    compile_bytecode(python, function_dir)

    built_template = re.sub(
        rf"^(\s+CodeUri:\s*){re.escape(settings['CodeUri'])}\s*$",
        rf"\g<1>{FUNCTION_LOGICAL_ID}",
        template_text,
        flags=re.MULTILINE,
    )
    (build_dir / "template.yaml").write_text(built_template, encoding="utf-8")
    write_zip(function_dir, build_dir.parent / ZIP_NAME)
    return function_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/package.py", description=__doc__)
    parser.add_argument(
        "--release",
        action="store_true",
        help="refuse a skill.json still carrying the placeholder endpoint",
    )
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    arguments = parser.parse_args(argv)
    if arguments.release:
        check = subprocess.run(
            [sys.executable, str(REPO_ROOT / "scripts" / "check_manifest.py"), "--release"],
            check=False,
        )
        if check.returncode != 0:
            return check.returncode
    try:
        function_dir = build(arguments.build_dir.resolve())
    except PackagingError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    size = sum(path.stat().st_size for path in function_dir.rglob("*") if path.is_file())
    print(
        f"package: {os.path.relpath(function_dir)} ({size / 1e6:.1f} MB), "
        f"{os.path.relpath(arguments.build_dir.resolve().parent / ZIP_NAME)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
