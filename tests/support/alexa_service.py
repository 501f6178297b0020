"""Alexa's APIs as a skill's conversation uses them, played by the tests over HTTPS.

`AlexaService` is the console's stand-in (local/alexa_stand_in.py): one user's reminders
kept the way the Reminders API keeps them (create, read, list, update, delete, each with
its alert token) and the settings API's time-zone call for the device. A test can make the
next call of a method fail with any status, stall past the client's time-out, or answer a
success without its token; every request is recorded. Served with tests/support/https_api.py.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from local.alexa_stand_in import REMINDERS, TIME_ZONE, AlexaApis, reminder


@dataclass(frozen=True)
class Fault:
    """How the next call of a method fails: an HTTP status, a stall, or a success that
    does not name what it did. With `still_done`, the API did the work all the same (a
    create that timed out on the way back)."""

    status: int | None = None
    stall: bool = False
    empty_success: bool = False
    still_done: bool = False


@dataclass
class Received:
    method: str
    path: str
    body: Any


@dataclass
class AlexaService(AlexaApis):
    """The console's stand-in (local/alexa_stand_in.py), recording calls and taking faults."""

    received: list[Received] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def fail_next(self, method: str, fault: Fault) -> None:
        self.faults.setdefault(method, []).append(fault)

    def calls(self, method: str) -> list[Received]:
        return [r for r in self.received if r.method == method and r.path.startswith(REMINDERS)]

    def add_reminder(self, hour: int, minute: int = 0, status: str = "ON") -> str:
        """A reminder that exists already (set in an earlier session, or elsewhere)."""
        token = str(uuid.uuid4())
        rule = f"FREQ=DAILY;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0;INTERVAL=1"
        self.reminders[token] = reminder(token, {"trigger": _trigger(rule)}, status)
        return token

    def stall(self) -> None:
        self.release.wait(10)

    def answer(self, method: str, path: str, body: Any) -> tuple[int | None, Any]:
        """(status, JSON answer); a None status stalls."""
        self.received.append(Received(method, path, body))
        if TIME_ZONE.fullmatch(path) or not path.startswith(REMINDERS):
            return super().answer(method, path, body)
        token = path[len(REMINDERS) + 1 :] or None
        queued = self.faults.get(method) or []
        fault = queued.pop(0) if queued else None
        if fault is not None and not fault.still_done and not fault.empty_success:
            return (None, None) if fault.stall else (fault.status, {"code": "FAULT"})
        status, answer = self.do(method, token, body)
        if fault is None:
            return status, answer
        if fault.stall:
            return None, None
        if fault.empty_success:
            return 200, {}
        return fault.status, {"code": "FAULT"}


def _trigger(rule: str) -> dict:
    return {
        "type": "SCHEDULED_ABSOLUTE",
        "timeZoneId": "Pacific/Auckland",
        "recurrence": {"recurrenceRules": [rule]},
    }
