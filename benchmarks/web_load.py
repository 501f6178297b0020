"""Figure 6: the web service (`python -m local.web_service`, gunicorn) under concurrent load.

The server runs as a subprocess on 127.0.0.1 at a free port, with verification off, the
given number of gunicorn workers and the embedded store in a temporary directory; the load
comes from a second subprocess (benchmarks.load_client), so client and server do not share
an interpreter. Each server is loaded by each number of clients in turn, and is always
stopped, whatever happens. Slow clients (benchmarks.load_client's ``--slow-clients``) may
run beside the measured ones: each sends one byte every four seconds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.aws import CLEARED_VARIABLES
from benchmarks.warm_turn import percentile

REPOSITORY = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
SERVER_START_SECONDS = 30.0
WARM_UP_SECONDS = 2.0


@dataclass(frozen=True)
class WebLoad:
    clients: int
    requests: int
    errors: list[str]
    elapsed: float
    latencies: list[float]

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)

    @property
    def median(self) -> float:
        return percentile(self.latencies, 50)


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _wait_until_listening(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"web service exited early:\n{log.read_text()}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"web service did not listen within {SERVER_START_SECONDS} s")


def measure_web_load(
    seconds: float,
    most_requests: int,
    clients: tuple[int, ...] = (8,),
    workers: int = 1,
    slow_clients: int = 0,
) -> list[WebLoad]:
    """One WebLoad per number of clients, all against one server with ``workers`` workers,
    each with ``slow_clients`` slow clients beside them."""
    port = free_loopback_port()
    with tempfile.TemporaryDirectory(prefix="si-coach-bench-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
        env |= {"SI_COACH_DATA_DIR": data_dir, "PYTHONPATH": os.pathsep.join(["lambda", "."])}
        log = Path(data_dir) / "server.log"
        with log.open("w") as server_output:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "local.web_service",
                    "--no-verify",
                    "--host",
                    LOOPBACK,
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                cwd=REPOSITORY,
                env=env,
                stdout=server_output,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_listening(port, server, log)
                # Every worker loads the skill when it starts: a short unmeasured run lets
                # them all finish doing so before the figures are taken.
                _run_load_client(port, 2 * workers, WARM_UP_SECONDS, 1000, env)
                loads = [
                    _run_load_client(
                        port, count, seconds, most_requests, env, slow_clients=slow_clients
                    )
                    for count in clients
                ]
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    return loads


def _run_load_client(
    port: int,
    clients: int,
    seconds: float,
    most_requests: int,
    env: dict[str, str],
    *,
    slow_clients: int = 0,
) -> WebLoad:
    load = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load_client",
            "--port",
            str(port),
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            "--most-requests",
            str(most_requests),
            "--slow-clients",
            str(slow_clients),
        ],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    if load.returncode != 0:
        raise RuntimeError(f"load client failed:\n{load.stderr}")
    result = json.loads(load.stdout)
    return WebLoad(
        clients=result["clients"],
        requests=len(result["latencies"]),
        errors=result["errors"],
        elapsed=result["elapsed"],
        latencies=result["latencies"],
    )
