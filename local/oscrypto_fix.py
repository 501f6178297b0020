"""Lets oscrypto 1.3.0 load against OpenSSL releases with a two-digit version part.

oscrypto reads the libcrypto version with the pattern ``\\b(\\d\\.\\d\\.\\d[a-z]*)\\b``,
which cannot match "OpenSSL 3.0.19", so importing it fails with "Error detecting the
version of libcrypto". certvalidator imports oscrypto, and the web service's request
verifier imports certvalidator, so the web service cannot start. No fixed oscrypto
release exists.

:func:`ensure_oscrypto_loads` first imports oscrypto as it is. Only if that fails for
this reason does it install an import hook that compiles oscrypto's two libcrypto
binding modules (cffi and ctypes flavours) from their source with the pattern widened
to multi-digit parts, then imports again. The installed files and their bytecode cache
are never written; a source without the buggy pattern is imported untouched.

Example::

    from local.oscrypto_fix import ensure_oscrypto_loads

    ensure_oscrypto_loads()
    from flask_ask_sdk.skill_adapter import SkillAdapter
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType

from oscrypto.errors import LibraryNotFoundError

BUGGY_VERSION_PATTERN = r"\b(\d\.\d\.\d[a-z]*)\b"
FIXED_VERSION_PATTERN = r"\b(\d+\.\d+\.\d+[a-z]*)\b"

# oscrypto writes the pattern as an ordinary (not raw) string literal, which is
# exactly the pattern's repr: backslashes doubled, single quotes.
_BUGGY_LITERAL = repr(BUGGY_VERSION_PATTERN)
_FIXED_LITERAL = repr(FIXED_VERSION_PATTERN)

LIBCRYPTO_BINDING_MODULES = (
    "oscrypto._openssl._libcrypto_cffi",
    "oscrypto._openssl._libcrypto_ctypes",
)

_VERSION_DETECTION_FAILURE = "Error detecting the version of libcrypto"


def rewrite_version_pattern(source: str) -> str:
    """Return ``source`` with oscrypto's version pattern widened; unchanged if absent."""
    return source.replace(_BUGGY_LITERAL, _FIXED_LITERAL)


class _WidenedVersionPatternLoader(importlib.machinery.SourceFileLoader):
    """Loads a module from its source file with the version pattern rewritten."""

    def get_source(self, fullname: str) -> str:
        return rewrite_version_pattern(super().get_source(fullname))

    def get_code(self, fullname: str) -> CodeType:
        # Compiling here bypasses the bytecode cache in both directions: a cached
        # .pyc of the original would skip the rewrite, and writing one of the
        # rewritten code would change oscrypto for every later import.
        return compile(self.get_source(fullname), self.path, "exec", dont_inherit=True)


class LibcryptoVersionFinder(importlib.abc.MetaPathFinder):
    """Meta path finder that routes oscrypto's libcrypto bindings to the rewriting loader."""

    def __init__(self, module_names: Sequence[str] = LIBCRYPTO_BINDING_MODULES) -> None:
        self.module_names = frozenset(module_names)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.module_names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        loader = _WidenedVersionPatternLoader(fullname, spec.loader.path)
        if _BUGGY_LITERAL not in importlib.util.decode_source(loader.get_data(loader.path)):
            return None
        spec.loader = loader
        return spec


def install_version_pattern_fix() -> LibcryptoVersionFinder:
    """Put the rewriting finder first on ``sys.meta_path`` (once) and return it."""
    for finder in sys.meta_path:
        if isinstance(finder, LibcryptoVersionFinder):
            return finder
    finder = LibcryptoVersionFinder()
    sys.meta_path.insert(0, finder)
    return finder


def ensure_oscrypto_loads() -> bool:
    """Import oscrypto's crypto layer, fixing its version detection only if that fails.

    Returns True when the fix had to be installed, False when oscrypto loaded as it is.
    Any other import failure is raised unchanged.
    """
    try:
        importlib.import_module("oscrypto.asymmetric")
    except LibraryNotFoundError as error:
        if _VERSION_DETECTION_FAILURE not in str(error):
            raise
    else:
        return False
    install_version_pattern_fix()
    importlib.import_module("oscrypto.asymmetric")
    return True
