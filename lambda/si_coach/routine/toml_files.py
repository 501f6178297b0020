"""The project's data files (the catalogue, the wording) read as TOML, or from the parsed
copy the deployment package ships beside each.

Parsing TOML is pure Python and, with tomllib's import, the largest single cost of a cold
start after the imports themselves. So `make package` (scripts/package.py) writes each
file's parsed data as JSON into the `__pycache__` folder beside it, with the SHA-256 of the
TOML it came from; `read_toml` uses that copy only when the file still has that hash, and
parses the TOML otherwise (a local checkout has no copies). JSON is read by C code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CACHE_FOLDER = "__pycache__"


def parsed_copy_path(path: Path) -> Path:
    """Where the parsed copy of the TOML file `path` lives: __pycache__/NAME.toml.json."""
    return path.parent / CACHE_FOLDER / f"{path.name}.json"


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML file's data; raises tomllib.TOMLDecodeError when it is not valid TOML."""
    source = path.read_bytes()
    copy = parsed_copy_path(path)
    if copy.is_file():
        try:
            cached = json.loads(copy.read_bytes())
        except ValueError:
            cached = None
        if isinstance(cached, dict) and cached.get("sha256") == _digest(source):
            return cached["data"]
    import tomllib  # noqa: PLC0415  (only without a parsed copy: its import costs start-up)

    return tomllib.loads(source.decode("utf-8"))


def write_parsed_copy(path: Path) -> bool:
    """Write the parsed copy of the TOML file `path`; False when its data has no JSON form
    (TOML dates and times), and then none is written."""
    import tomllib  # noqa: PLC0415

    source = path.read_bytes()
    data = tomllib.loads(source.decode("utf-8"))
    try:
        text = json.dumps({"sha256": _digest(source), "data": data}, ensure_ascii=False)
    except TypeError:
        return False
    copy = parsed_copy_path(path)
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    return True


def _digest(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()
