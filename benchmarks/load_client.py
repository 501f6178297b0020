"""The web-service figure's load generator: a separate process posting Alexa requests.

`python -m benchmarks.load_client --port N` runs CLIENTS threads, each a user of its own
with one keep-alive HTTP connection to 127.0.0.1, each looping through realistic sessions
(launch, start, a few "next"s, a question, stop) until the time or the request cap runs
out. It prints one JSON object: requests, errors, elapsed seconds and every latency.
With ``--slow-clients N``, N more threads each send a request's head and then one byte of
its body every SLOW_BYTE_SECONDS, reconnecting whenever the server cuts them off; their
requests are not measured, only how the honest clients fare beside them.
The server may close a connection after each answer (HTTP/1.0); http.client then
reconnects on the next request, and that cost is part of the latency measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import threading
import time
from collections.abc import Sequence

from local.envelopes import AlexaDevice, AlexaSession

LOOPBACK = "127.0.0.1"
SESSION_SCRIPT = (
    "StartRoutineIntent",
    "AMAZON.NextIntent",
    "AMAZON.NextIntent",
    "AMAZON.NextIntent",
    "ListExercisesIntent",
    "AMAZON.NextIntent",
    "AMAZON.HelpIntent",
    "AMAZON.NextIntent",
    "AMAZON.StopIntent",
)


class RequestBudget:
    """Shared between clients: stops everyone at the deadline or the request cap."""

    def __init__(self, seconds: float, most_requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.remaining = most_requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.remaining <= 0 or time.monotonic() >= self.deadline:
                return False
            self.remaining -= 1
            return True


SLOW_BYTE_SECONDS = 4.0
SLOW_BODY_BYTES = 2000


class SlowClient(threading.Thread):
    """Sends its request one byte every SLOW_BYTE_SECONDS until the run ends."""

    def __init__(self, port: int, budget: RequestBudget) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.budget = budget

    def run(self) -> None:
        head = (
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {SLOW_BODY_BYTES}\r\n\r\n"
        ).encode()
        while time.monotonic() < self.budget.deadline:
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=30) as connection:
                    connection.sendall(head)
                    while time.monotonic() < self.budget.deadline:
                        connection.sendall(b" ")
                        connection.settimeout(SLOW_BYTE_SECONDS)
                        try:
                            if not connection.recv(65536):
                                break  # closed by the server
                            break  # answered (a refusal): start again
                        except TimeoutError:
                            continue
            except OSError:
                pass


class OutOfBudgetError(Exception):
    """The client's run is over."""


class Client(threading.Thread):
    def __init__(self, number: int, port: int, budget: RequestBudget) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        self.budget = budget
        self.device = AlexaDevice(
            user_id=f"amzn1.ask.account.LOAD{number:04d}",
            device_id=f"amzn1.ask.device.LOAD{number:04d}",
        )
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def post(self, envelope: dict, _context: object) -> dict:
        if not self.budget.take():
            raise OutOfBudgetError
        body = json.dumps(envelope).encode()
        started = time.perf_counter()
        try:
            self.connection.request(
                "POST", "/", body=body, headers={"Content-Type": "application/json"}
            )
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.errors.append(f"{type(error).__name__}: {error}")
            return {"response": {"shouldEndSession": True}}
        self.latencies.append(time.perf_counter() - started)
        if response.status != 200:
            self.errors.append(f"HTTP {response.status}: {payload[:200]!r}")
            return {"response": {"shouldEndSession": True}}
        return json.loads(payload)

    def run(self) -> None:
        try:
            while True:
                session = AlexaSession(self.post, self.device)
                session.launch()
                for intent in SESSION_SCRIPT:
                    if session.session_id is None:
                        break
                    session.say(intent)
        except OutOfBudgetError:
            pass
        finally:
            self.connection.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_client")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--most-requests", type=int, default=20000)
    parser.add_argument("--slow-clients", type=int, default=0)
    arguments = parser.parse_args(argv)
    budget = RequestBudget(arguments.seconds, arguments.most_requests)
    clients = [Client(n, arguments.port, budget) for n in range(arguments.clients)]
    slow = [SlowClient(arguments.port, budget) for _ in range(arguments.slow_clients)]
    for slow_client in slow:
        slow_client.start()
    # The slow clients take their threads first; the honest ones come in beside them.
    time.sleep(0.5 if slow else 0.0)
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    result = {
        "clients": arguments.clients,
        "elapsed": elapsed,
        "latencies": [latency for client in clients for latency in client.latencies],
        "errors": [error for client in clients for error in client.errors],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
