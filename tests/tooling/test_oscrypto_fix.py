"""Tests for the oscrypto version fix: the real import, the version read, the source rewrite."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import ssl
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from oscrypto.errors import LibraryNotFoundError

from local.oscrypto_fix import (
    BUGGY_VERSION_PATTERN,
    FIXED_VERSION_PATTERN,
    LIBCRYPTO_BINDING_MODULES,
    LibcryptoVersionFinder,
    rewrite_version_pattern,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter: oscrypto picks its backend once per process."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": f"{REPO_ROOT / 'lambda'}{os.pathsep}{REPO_ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def openssl_version_from_ssl_module() -> tuple[int | str, ...]:
    """The linked OpenSSL's version as oscrypto writes it: (3, 0, 19) or (1, 1, 1, "w")."""
    major, minor, fix, patch, _status = ssl.OPENSSL_VERSION_INFO
    if major >= 3:
        # OpenSSL 3 numbers are 0xMNN00PP0: the patch release sits in the "patch" byte.
        return (major, minor, patch)
    letter = (chr(ord("a") + patch - 1),) if patch else ()
    return (major, minor, fix, *letter)


def binding_source(module_name: str) -> str:
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_text(encoding="utf-8")


def parse_like_oscrypto(source: str, version_string: str) -> dict[str, object]:
    """Run the version-detection block of an oscrypto binding source on ``version_string``."""
    start = source.index("is_libressl = ")
    end = source.index("version_info = (1, 0, 1)\n") + len("version_info = (1, 0, 1)\n")
    namespace: dict[str, object] = {
        "re": re,
        "LibraryNotFoundError": LibraryNotFoundError,
        "version_string": version_string,
    }
    exec(compile(source[start:end], "<oscrypto version detection>", "exec"), namespace)
    return namespace


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["cffi", "ctypes"])
def test_flask_ask_sdk_imports_and_oscrypto_reads_the_real_openssl_version(backend: str) -> None:
    result = run_python(
        f"""
        import json, oscrypto
        if {backend!r} == "ctypes":
            oscrypto.use_ctypes()
        from local.oscrypto_fix import ensure_oscrypto_loads
        ensure_oscrypto_loads()
        import flask_ask_sdk.skill_adapter
        from oscrypto._openssl import _libcrypto
        print(json.dumps([oscrypto.ffi(), _libcrypto.libcrypto_version_info]))
        """
    )
    assert result.returncode == 0, result.stderr
    ffi, version_info = json.loads(result.stdout)
    assert ffi == backend
    assert tuple(version_info) == openssl_version_from_ssl_module()


@pytest.mark.slow
def test_without_the_fix_this_openssl_breaks_the_import_and_with_it_the_import_works() -> None:
    unfixed = run_python("import flask_ask_sdk.skill_adapter")
    if unfixed.returncode == 0:
        pytest.skip(f"{ssl.OPENSSL_VERSION} is read correctly by oscrypto; no fix is needed")
    assert "Error detecting the version of libcrypto" in unfixed.stderr

    fixed = run_python(
        """
        import sys
        from local.oscrypto_fix import ensure_oscrypto_loads, LibcryptoVersionFinder
        print(ensure_oscrypto_loads(), ensure_oscrypto_loads())
        import flask_ask_sdk.skill_adapter
        print(sum(isinstance(finder, LibcryptoVersionFinder) for finder in sys.meta_path))
        """
    )
    assert fixed.returncode == 0, fixed.stderr
    # Installed on the first call only, and only one finder ever.
    assert fixed.stdout.split() == ["True", "False", "1"]


def test_the_fix_does_nothing_where_oscrypto_already_loads() -> None:
    result = run_python(
        """
        import sys
        from local.oscrypto_fix import ensure_oscrypto_loads, install_version_pattern_fix
        install_version_pattern_fix()
        import oscrypto.asymmetric
        finders_before = list(sys.meta_path)
        print(ensure_oscrypto_loads(), sys.meta_path == finders_before)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("module_name", LIBCRYPTO_BINDING_MODULES)
def test_both_oscrypto_bindings_get_exactly_one_rewrite(module_name: str) -> None:
    source = binding_source(module_name)
    rewritten = rewrite_version_pattern(source)

    assert source.count(repr(BUGGY_VERSION_PATTERN)) == 1
    assert repr(BUGGY_VERSION_PATTERN) not in rewritten
    assert rewritten.count(repr(FIXED_VERSION_PATTERN)) == 1
    # Same number of lines, so tracebacks still point at the installed file's lines.
    assert rewritten.count("\n") == source.count("\n")
    compile(rewritten, module_name, "exec")


def test_rewrite_is_a_no_op_on_source_without_the_buggy_pattern() -> None:
    fixed_release_source = rewrite_version_pattern(binding_source(LIBCRYPTO_BINDING_MODULES[0]))
    unrelated_source = "import re\nversion = re.search(r'(\\d+)', text)\n"

    assert rewrite_version_pattern(fixed_release_source) == fixed_release_source
    assert rewrite_version_pattern(unrelated_source) == unrelated_source


@pytest.mark.parametrize(
    ("version_string", "version", "version_info"),
    [
        ("OpenSSL 1.1.1w  11 Sep 2023", "1.1.1w", (1, 1, 1, "w")),
        ("OpenSSL 3.0.9 30 May 2023", "3.0.9", (3, 0, 9)),
        ("OpenSSL 3.0.19 27 Jan 2026", "3.0.19", (3, 0, 19)),
        ("OpenSSL 3.5.10 1 Jul 2026", "3.5.10", (3, 5, 10)),
        ("OpenSSL 10.12.13 1 Jan 2040", "10.12.13", (10, 12, 13)),
    ],
)
def test_rewritten_oscrypto_parses_old_and_new_openssl_versions(
    version_string: str, version: str, version_info: tuple[int | str, ...]
) -> None:
    for module_name in LIBCRYPTO_BINDING_MODULES:
        detected = parse_like_oscrypto(
            rewrite_version_pattern(binding_source(module_name)), version_string
        )
        assert detected["version"] == version
        assert detected["version_info"] == version_info
        assert detected["is_libressl"] is False


def test_unfixed_oscrypto_cannot_parse_a_two_digit_part() -> None:
    source = binding_source(LIBCRYPTO_BINDING_MODULES[0])

    with pytest.raises(LibraryNotFoundError, match="version of libcrypto"):
        parse_like_oscrypto(source, "OpenSSL 3.0.19 27 Jan 2026")


def test_libressl_is_read_as_before() -> None:
    source = binding_source(LIBCRYPTO_BINDING_MODULES[0])
    rewritten = rewrite_version_pattern(source)
    libressl_line = "version_match = re.search('(?<=LibreSSL )(\\\\d\\\\.\\\\d(\\\\.\\\\d)?)\\\\b'"

    assert libressl_line in source
    assert libressl_line in rewritten
    for version_string in ("LibreSSL 3.3.6", "LibreSSL 2.8"):
        before = parse_like_oscrypto(source, version_string)
        after = parse_like_oscrypto(rewritten, version_string)
        assert after["is_libressl"] is True
        assert after["version_info"] == (1, 0, 1)
        assert after["libressl_version"] == before["libressl_version"]
    assert after["libressl_version"] == "2.8"


def test_finder_rewrites_a_module_with_the_pattern_and_leaves_others_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "vendored_crypto"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "old_binding.py").write_text(
        f"import re\nversion = re.search({BUGGY_VERSION_PATTERN!r}, 'OpenSSL 3.0.19').group(1)\n"
    )
    (package / "new_binding.py").write_text("pattern_used = 'fixed upstream'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("vendored_crypto", "vendored_crypto.old_binding", "vendored_crypto.new_binding"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    finder = LibcryptoVersionFinder(["vendored_crypto.old_binding", "vendored_crypto.new_binding"])
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])

    old_binding = importlib.import_module("vendored_crypto.old_binding")
    new_binding = importlib.import_module("vendored_crypto.new_binding")

    assert old_binding.version == "3.0.19"
    assert finder.find_spec("vendored_crypto.new_binding", [str(package)]) is None
    assert new_binding.pattern_used == "fixed upstream"
    assert finder.find_spec("vendored_crypto.other", [str(package)]) is None
    # The rewritten code is never cached as bytecode next to the original source.
    pycache = package / "__pycache__"
    assert not any(path.name.startswith("old_binding") for path in pycache.glob("*"))
