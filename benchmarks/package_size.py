"""Figure 5: the Lambda deployment artifact's size, with and without what the runtime ships.

The artifact is the one `make package` builds (scripts/package.py: lambda/ plus
requirements.txt installed by pip for the template's runtime and architecture), built
afresh into a temporary directory (pip's cache makes that a few seconds). Sizes are bytes
on disk unzipped, and the zip (deflate) size.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE_SCRIPT = REPOSITORY / "scripts" / "package.py"
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
    return [path for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts]


def _zipped(path: Path) -> int:
    # A zip member is its deflated data plus headers (about 100 bytes with the name twice).
    return len(zlib.compress(path.read_bytes(), 6)) + 100 + 2 * len(path.name)


def _sizes(paths: list[Path]) -> tuple[int, int]:
    return sum(p.stat().st_size for p in paths), sum(_zipped(p) for p in paths)


def _platform(artifact: Path) -> str:
    template = (artifact.parent / "template.yaml").read_text(encoding="utf-8")
    runtime = next(
        line.split(":", 1)[1].strip()
        for line in template.splitlines()
        if line.strip().startswith("Runtime:")
    )
    return f"make package: {runtime}, arm64"


def measure_package_size() -> PackageSize:
    with tempfile.TemporaryDirectory(prefix="si-coach-package-") as scratch:
        build_dir = Path(scratch) / "build"
        subprocess.run(
            [sys.executable, str(PACKAGE_SCRIPT), "--build-dir", str(build_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        artifact = build_dir / "SkillFunction"
        provided = _runtime_provided_files(artifact)
        files = _files(artifact)
        total, total_zipped = _sizes(files)
        without, without_zipped = _sizes([p for p in files if p.resolve() not in provided])
        return PackageSize(
            total_bytes=total,
            total_zipped_bytes=total_zipped,
            without_runtime_bytes=without,
            without_runtime_zipped_bytes=without_zipped,
            platform=_platform(artifact),
        )
