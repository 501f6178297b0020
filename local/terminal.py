"""The terminal's Ctrl-C for the local tools alone, not for `make` that started them.

A terminal sends Ctrl-C (SIGINT) to its whole foreground process group. Under `make run` or
`make serve` that group holds make too, and make, whatever its recipe does with the signal,
reports "make: *** [Makefile:..] Interrupt" and exits 130. In the console Ctrl-C is a
barge-in ("Alexa, wait"), and for the web service it is the ordinary way to stop, so neither
is an error. The tool therefore moves into a process group of its own and makes it the
terminal's foreground for as long as it runs: Ctrl-C reaches the tool (and, for gunicorn,
its workers) alone, the tool ends as it chooses, and make sees a clean exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import TextIO


@contextlib.contextmanager
def ctrl_c_for_this_process(stream: TextIO | None = None) -> Iterator[bool]:
    """While inside, Ctrl-C on the controlling terminal reaches only this process group.

    Yields whether the terminal was taken over; nothing changes when `stream` (stdin by
    default) is not a terminal, or this process is not in the terminal's foreground.
    """
    descriptor = _terminal_descriptor(stream or sys.stdin)
    if descriptor is None:
        yield False
        return
    try:
        original_group = os.tcgetpgrp(descriptor)
        if original_group != os.getpgrp():
            yield False  # started in the background: the terminal is not ours to take
            return
        if os.getpgrp() != os.getpid():
            os.setpgid(0, 0)
        _set_foreground(descriptor, os.getpgrp())
    except OSError:
        yield False
        return
    try:
        yield True
    finally:
        # Hand the terminal back to the group that had it (make's), if it is still there.
        with contextlib.suppress(OSError):
            _set_foreground(descriptor, original_group)


def _terminal_descriptor(stream: TextIO) -> int | None:
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return descriptor if os.isatty(descriptor) else None


def _set_foreground(descriptor: int, group: int) -> None:
    # A process outside the foreground group is stopped by SIGTTOU when it sets the
    # foreground, unless it ignores the signal meanwhile.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(descriptor, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)
