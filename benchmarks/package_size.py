"""Figure 5: the Lambda deployment package's size, with and without what the runtime ships.

The package is lambda/ (bytecode caches left out) plus requirements.txt installed for the
function's platform (template.yaml: python3.11, arm64) with `pip install --target`. The
install is cached under .bench-cache/, keyed by requirements.txt and the pip arguments, so
reruns do not download. If pip cannot fetch arm64 wheels, the local platform is used and
the figure says so. Sizes are bytes on disk unzipped, and the zip (deflate) size.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
CACHE = REPOSITORY / ".bench-cache"
REQUIREMENTS = REPOSITORY / "requirements.txt"
LAMBDA_CODE = REPOSITORY / "lambda"
LAMBDA_PLATFORM_ARGUMENTS = (
    "--platform",
    "manylinux2014_aarch64",
    "--only-binary=:all:",
    "--python-version",
    "3.11",
)
# The AWS Lambda Python runtime provides these (boto3 and its dependencies).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)


@dataclass(frozen=True)
class PackageSize:
    total_bytes: int
    total_zipped_bytes: int
    without_runtime_bytes: int
    without_runtime_zipped_bytes: int
    platform: str


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _install(arguments: tuple[str, ...]) -> Path:
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + repr(arguments).encode()).hexdigest()[:16]
    target = CACHE / f"package-{key}"
    if (target / ".complete").exists():
        return target
    CACHE.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="package-", dir=CACHE))
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--target",
                str(staging),
                *arguments,
                "-r",
                str(REQUIREMENTS),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPOSITORY,
        )
        (staging / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _runtime_provided_files(site: Path) -> set[Path]:
    """Files of the runtime-provided distributions, from their dist-info RECORD."""
    files: set[Path] = set()
    for dist_info in site.glob("*.dist-info"):
        metadata = (dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
        name = next(
            (
                line.split(":", 1)[1].strip()
                for line in metadata.splitlines()
                if line.startswith("Name:")
            ),
            "",
        )
        if _normalised(name) not in RUNTIME_PROVIDED:
            continue
        with (dist_info / "RECORD").open(encoding="utf-8") as record:
            files.update((site / row[0]).resolve() for row in csv.reader(record) if row)
        files.update(path.resolve() for path in dist_info.rglob("*") if path.is_file())
    return files


def _files(root: Path) -> list[Path]:
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.name != ".complete"
    ]


def _zipped(path: Path) -> int:
    # A zip member is its deflated data plus headers (about 100 bytes with the name twice).
    return len(zlib.compress(path.read_bytes(), 6)) + 100 + 2 * len(path.name)


def _sizes(paths: list[Path]) -> tuple[int, int]:
    return sum(p.stat().st_size for p in paths), sum(_zipped(p) for p in paths)


def _dependency_sizes(site: Path) -> dict[str, int]:
    cached = site / ".sizes.json"
    if cached.exists():
        return json.loads(cached.read_text())
    provided = _runtime_provided_files(site)
    files = _files(site)
    kept = [p for p in files if p.resolve() not in provided]
    total, total_zipped = _sizes(files)
    without, without_zipped = _sizes(kept)
    sizes = {
        "total": total,
        "total_zipped": total_zipped,
        "without": without,
        "without_zipped": without_zipped,
    }
    cached.write_text(json.dumps(sizes))
    return sizes


def measure_package_size() -> PackageSize:
    platform = "manylinux2014_aarch64, Python 3.11"
    try:
        site = _install(LAMBDA_PLATFORM_ARGUMENTS)
    except subprocess.CalledProcessError:
        platform = f"local platform ({sys.platform}, arm64 wheels unavailable)"
        site = _install(())
    dependencies = _dependency_sizes(site)
    code, code_zipped = _sizes(_files(LAMBDA_CODE))
    return PackageSize(
        total_bytes=code + dependencies["total"],
        total_zipped_bytes=code_zipped + dependencies["total_zipped"],
        without_runtime_bytes=code + dependencies["without"],
        without_runtime_zipped_bytes=code_zipped + dependencies["without_zipped"],
        platform=platform,
    )
