"""Reading an Alexa API's answer within bounds: bytes read, bytes inflated, JSON nesting.

The skill's HTTP clients (si_coach.reminders.api, and si_coach.alexa.settings_api in the
layer above) read answers through here, never through urllib3's own decoding: urllib3
inflates a gzip body without a limit (a megabyte of zeros becomes a gigabyte in memory),
and Python's JSON parser raises RecursionError on a deeply nested answer. Alexa's answers
are a few kilobytes and a handful of levels deep, so anything far beyond that is refused
with an UnusableAnswerError, which each client turns into its own typed failure.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

import urllib3

LARGEST_ANSWER_BYTES = 64 * 1024
"""The most an answer may hold, as sent and once inflated."""
DEEPEST_NESTING = 32
"""The most JSON arrays and objects an answer may nest inside each other."""

_READ_STEP = 16 * 1024
# What changes the nesting, or whether brackets are text: quotes, escapes and brackets.
_STRUCTURE = re.compile(rb'["\\\[\]{}]')


class UnusableAnswerError(ValueError):
    """An answer too large, in an encoding the skill does not read, or nested too deep."""


def read_answer(response: urllib3.BaseHTTPResponse, limit: int = LARGEST_ANSWER_BYTES) -> bytes:
    """The body of ``response`` (requested with ``preload_content=False`` and
    ``decode_content=False``), inflated if it came gzip- or deflate-encoded.

    Reads at most ``limit`` bytes plus one; an answer larger than ``limit``, as sent or
    inflated, raises UnusableAnswerError and its connection is closed, not reused. The
    response is always finished with: released to its pool, or closed.
    """
    try:
        raw = bytearray()
        while len(raw) <= limit:
            chunk = response.read(_READ_STEP, decode_content=False)
            if not chunk:
                break
            raw += chunk
        if len(raw) > limit:
            raise UnusableAnswerError(f"answer larger than {limit} bytes")
        body = _inflated(bytes(raw), response.headers.get("Content-Encoding", ""), limit)
    except BaseException:
        response.close()
        raise
    finally:
        response.release_conn()
    return body


def _inflated(raw: bytes, content_encoding: str, limit: int) -> bytes:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        return _inflate(raw, zlib.MAX_WBITS | 16, limit)
    if encoding == "deflate":
        # HTTP's "deflate" is zlib-wrapped (its first byte 0x?8), but some servers send it raw.
        zlib_wrapped = bool(raw) and raw[0] & 0x0F == zlib.DEFLATED
        return _inflate(raw, zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS, limit)
    raise UnusableAnswerError(f"answer in an encoding the skill does not read: {encoding}")


def _inflate(raw: bytes, window_bits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(window_bits)
    try:
        body = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        raise UnusableAnswerError(f"answer could not be inflated: {error}") from error
    if len(body) > limit:
        raise UnusableAnswerError(f"answer larger than {limit} bytes once inflated")
    if not inflater.eof:
        raise UnusableAnswerError("compressed answer is cut short")
    return body


def json_answer(data: bytes | str, deepest: int = DEEPEST_NESTING) -> Any:
    """``data`` parsed as JSON; UnusableAnswerError when it is not JSON or nests too deep."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    check_nesting(raw, deepest)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise UnusableAnswerError(f"answer is not JSON: {error}") from error


def check_nesting(data: bytes, deepest: int = DEEPEST_NESTING) -> None:
    """Raise UnusableAnswerError when ``data`` nests JSON arrays or objects deeper than
    ``deepest``; brackets inside strings do not count. Looked at before parsing, so the
    parser never recurses that deep."""
    depth = 0
    in_string = False
    escaped_at = -1  # the position of the character a backslash escapes
    for match in _STRUCTURE.finditer(data):
        position, mark = match.start(), match[0]
        if position == escaped_at:
            continue
        if in_string:
            if mark == b"\\":
                escaped_at = position + 1
            elif mark == b'"':
                in_string = False
        elif mark == b'"':
            in_string = True
        elif mark in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                raise UnusableAnswerError(f"answer nests deeper than {deepest} levels")
        elif mark in (b"]", b"}"):
            depth -= 1
