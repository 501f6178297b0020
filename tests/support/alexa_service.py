"""Alexa's APIs as a skill's conversation uses them, played by the tests over HTTPS.

`AlexaService` keeps one user's reminders the way the Reminders API does (create, read,
list, update, delete, each reminder with its alert token) and answers the settings API's
time-zone call for the device. A test can make the next call of a method fail with any
status, stall past the client's time-out, or answer a success without its token; every
request is recorded. Served with tests/support/https_api.py.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

REMINDERS = "/v1/alerts/reminders"
TIME_ZONE = re.compile(r"/v2/devices/[^/]+/settings/System\.timeZone")


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
class AlexaService:
    time_zone: str | None = "Pacific/Auckland"
    reminders: dict[str, dict] = field(default_factory=dict)
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
        self.reminders[token] = _reminder(token, {"trigger": _trigger(rule)}, status)
        return token

    def handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                service.received.append(Received(self.command, self.path, body))
                status, answer = service.answer(self.command, self.path, body)
                if status is None:
                    service.release.wait(10)
                    return
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def do_DELETE(self) -> None:
                self._answer()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def answer(self, method: str, path: str, body: Any) -> tuple[int | None, Any]:
        """(status, JSON answer); a None status stalls."""
        if TIME_ZONE.fullmatch(path):
            if self.time_zone is None:
                return 500, {"message": "no time zone"}
            return 200, self.time_zone
        if not path.startswith(REMINDERS):
            return 404, {"message": "unknown path"}
        token = path[len(REMINDERS) + 1 :] or None
        queued = self.faults.get(method) or []
        fault = queued.pop(0) if queued else None
        if fault is not None and not fault.still_done and not fault.empty_success:
            return (None, None) if fault.stall else (fault.status, {"code": "FAULT"})
        status, answer = self._do(method, token, body)
        if fault is None:
            return status, answer
        if fault.stall:
            return None, None
        if fault.empty_success:
            return 200, {}
        return fault.status, {"code": "FAULT"}

    def _do(self, method: str, token: str | None, body: Any) -> tuple[int, Any]:
        if method == "POST" and token is None:
            new = str(uuid.uuid4())
            self.reminders[new] = _reminder(new, body, "ON")
            return 201, {"alertToken": new, "status": "ON", "version": "1"}
        if method == "GET" and token is None:
            alerts = list(self.reminders.values())
            return 200, {"alerts": alerts, "totalCount": str(len(alerts))}
        if token not in self.reminders:
            return 404, {"code": "NOT_FOUND", "message": "no such reminder"}
        if method == "GET":
            return 200, self.reminders[token]
        if method == "PUT":
            status = self.reminders[token]["status"]
            self.reminders[token] = _reminder(token, body, status)
            return 200, {"alertToken": token, "status": status, "version": "2"}
        if method == "DELETE":
            del self.reminders[token]
            return 200, None
        return 405, {"message": "method not allowed"}


def _trigger(rule: str) -> dict:
    return {
        "type": "SCHEDULED_ABSOLUTE",
        "timeZoneId": "Pacific/Auckland",
        "recurrence": {"recurrenceRules": [rule]},
    }


def _reminder(token: str, body: dict, status: str) -> dict:
    return {
        "alertToken": token,
        "status": status,
        "trigger": body["trigger"],
        "alertInfo": body.get("alertInfo", {}),
        "version": "1",
    }
