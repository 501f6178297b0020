"""Ctrl-C in `make run` and `make serve` ends the tool cleanly: exit 0, no make error.

Each runs under a real pseudo-terminal, so the Ctrl-C goes out as a terminal sends it: a
SIGINT to the whole foreground process group, make included (local/terminal.py). make is
pointed at this interpreter (BIN), with nothing to install first (INSTALLED empty).
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from local.utterances import REPO_ROOT
from tests.tooling.test_web_service import free_loopback_port

pytestmark = [
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
    pytest.mark.skipif(not hasattr(pty, "fork"), reason="needs a POSIX pseudo-terminal"),
]
CTRL_C = b"\x03"


class MakeOnATerminal:
    """`make <target>` in a new session whose controlling terminal is a pty we hold."""

    def __init__(self, target: str, arguments: str, data_dir: Path) -> None:
        environment = {
            key: value for key, value in os.environ.items() if key not in ("SKILL_ID", "TABLE_NAME")
        }
        environment |= {"SI_COACH_DATA_DIR": str(data_dir), "TERM": "dumb"}
        command = [
            "make",
            "--no-print-directory",
            "-C",
            str(REPO_ROOT),
            target,
            f"BIN={Path(sys.executable).parent}",
            "INSTALLED=",
            f"ARGS={arguments}",
        ]
        self.pid, self.terminal = pty.fork()
        if self.pid == 0:  # the child: becomes make
            os.execvpe("make", command, environment)
        self.transcript = b""

    def read_until(self, marker: bytes, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while marker not in self.transcript:
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{marker!r} did not show in time:\n{self.transcript.decode()}")
            if not self._read(0.2):
                break

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.terminal], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.terminal, 65536)
        except OSError:  # the terminal closed: everything on it has ended
            return False
        self.transcript += chunk
        return bool(chunk)

    def ctrl_c(self) -> None:
        os.write(self.terminal, CTRL_C)

    def exit_status(self, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(0.2)
            finished, status = os.waitpid(self.pid, os.WNOHANG)
            if finished:
                while self._read(0.1):
                    if not select.select([self.terminal], [], [], 0)[0]:
                        break
                os.close(self.terminal)
                return os.waitstatus_to_exitcode(status)
        self.stop()
        pytest.fail(f"make did not end after Ctrl-C:\n{self.transcript.decode()}")

    def stop(self) -> None:
        os.killpg(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def test_ctrl_c_at_the_console_prompt_leaves_make_run_cleanly(tmp_path: Path) -> None:
    make = MakeOnATerminal("run", "--fast", tmp_path)
    make.read_until(b"you> ")
    make.ctrl_c()
    status = make.exit_status()
    transcript = make.transcript.decode(errors="replace")
    assert status == 0, transcript
    assert "Interrupt" not in transcript
    assert "Bye." in transcript


def test_ctrl_c_stops_make_serve_cleanly(tmp_path: Path) -> None:
    port = free_loopback_port()
    make = MakeOnATerminal("serve", f"--port {port} --no-verify", tmp_path)
    make.read_until(b"Booting worker")
    make.ctrl_c()
    status = make.exit_status()
    transcript = make.transcript.decode(errors="replace")
    assert status == 0, transcript
    assert "Interrupt" not in transcript
    assert "Shutting down" in transcript
