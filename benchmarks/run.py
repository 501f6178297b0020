"""`python -m benchmarks.run [--quick]`: measures every figure and prints one table.

Each row gives a figure, its value, its target, and the baseline it is measured against in
this same run, then whether the target is met. Below the table: the machine. The exit
status is 0 even when a target is missed (the table says so); it is non-zero only when a
figure could not be measured, and then the error is printed after the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Counts:
    """How much of each figure to run: the default for real figures, `--quick` for a smoke test."""

    cold_start_runs: int
    warm_walks: int
    year_days: int
    web_seconds: float
    web_most_requests: int
    hung_store_turns: int
    # Count instructions under valgrind's callgrind (a minute or two).
    callgrind: bool = True


FULL = Counts(
    cold_start_runs=9,
    warm_walks=10,
    year_days=365,
    web_seconds=10.0,
    web_most_requests=20000,
    hung_store_turns=6,
)
QUICK = Counts(
    cold_start_runs=1,
    warm_walks=1,
    year_days=8,
    web_seconds=1.0,
    web_most_requests=100,
    hung_store_turns=1,
    callgrind=False,
)

# Figure names, as the table prints them (tests/tooling/test_benchmarks.py looks for each).
COLD_START = "1. Cold start: fresh interpreter to first launch answered"
COLD_ANSWERED = "1b. Cold start to the answer (interpreter exit left out)"
COLD_IMPORT = "1c. Import alone (python -c 'import lambda_function')"
ARTIFACT_ANSWERED = "1d. Cold start from the artifact, runtime's Python, to the answer"
ARTIFACT_WHOLE = "1e. Cold start from the artifact, runtime's Python, whole run"
ARTIFACT_INSTRUCTIONS = "1f. Cold start from the artifact, instructions (callgrind)"
WARM_MEDIAN = "2. Warm turn, median lambda_handler time"
WARM_P99 = "2b. Warm turn, p99 lambda_handler time"
REQUESTS_PER_TURN = "3. DynamoDB requests per turn (average)"
READS_PER_SESSION = "3b. DynamoDB reads per session (most)"
NO_CHANGE_WRITES = "3c. DynamoDB writes on turns that change nothing"
RECORD_FINAL = "4. Stored item size after a year of daily use"
RECORD_LARGEST = "4b. Stored item size, largest over the year"
RECORD_BOUND = "4c. Stored item size, the largest the record can ever hold"
PACKAGE_TOTAL = "5. Deployment package, total"
PACKAGE_OWN = "5b. Deployment package, without runtime-provided"
WEB_LOADS = {
    (1, 8): "6. Web service, 1 worker, 8 clients",
    (1, 32): "6b. Web service, 1 worker, 32 clients",
    (4, 8): "6c. Web service, 4 workers, 8 clients",
    (4, 32): "6d. Web service, 4 workers, 32 clients",
}
WEB_LOAD_BESIDE_SLOW = "6e. Web service, 1 worker, 8 clients beside 4 slow ones"
HUNG_STORE_WORST = "7. Slowest turn, DynamoDB accepting connections and never answering"
FIGURE_NAMES = (
    COLD_START,
    COLD_ANSWERED,
    COLD_IMPORT,
    ARTIFACT_ANSWERED,
    ARTIFACT_WHOLE,
    ARTIFACT_INSTRUCTIONS,
    WARM_MEDIAN,
    WARM_P99,
    REQUESTS_PER_TURN,
    READS_PER_SESSION,
    NO_CHANGE_WRITES,
    RECORD_FINAL,
    RECORD_LARGEST,
    RECORD_BOUND,
    PACKAGE_TOTAL,
    PACKAGE_OWN,
    *WEB_LOADS.values(),
    WEB_LOAD_BESIDE_SLOW,
    HUNG_STORE_WORST,
)

TARGET_COLD_RATIO = 1.05
TARGET_WARM_RATIO = 1.0
TARGET_REQUESTS_PER_TURN = 0.5
TARGET_READS_PER_SESSION = 1
TARGET_RECORD_BYTES = 1024
TARGET_HUNG_STORE_TURN_SECONDS = 3.0
TARGET_WEB_P99_BESIDE_SLOW_SECONDS = 1.0


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    target: str = "report"
    baseline: str = "-"
    met: bool | None = None

    def cells(self) -> tuple[str, str, str, str, str]:
        met = "-" if self.met is None else ("yes" if self.met else "NO")
        return (self.figure, self.value, self.target, self.baseline, met)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def cold_start_rows(counts: Counts) -> list[Row]:
    from benchmarks.cold_start import measure_cold_start  # noqa: PLC0415

    cold = measure_cold_start(counts.cold_start_runs)
    ratio = cold.skill / cold.floor
    answered_ratio = cold.skill_answered / cold.floor_answered
    runs = len(cold.skill_seconds)
    return [
        Row(
            COLD_START,
            f"{cold.skill:.3f} s = {ratio:.2f}x floor (median of {runs})",
            f"<= {TARGET_COLD_RATIO}x floor",
            f"floor {cold.floor:.3f} s (boto3 + skill_builder + 1 GetItem)",
            ratio <= TARGET_COLD_RATIO,
        ),
        Row(
            COLD_ANSWERED,
            f"{cold.skill_answered:.3f} s = {answered_ratio:.2f}x floor",
            f"<= {TARGET_COLD_RATIO}x floor",
            f"floor {cold.floor_answered:.3f} s",
            answered_ratio <= TARGET_COLD_RATIO,
        ),
        Row(
            COLD_IMPORT,
            f"{cold.skill_import:.3f} s = "
            f"{cold.skill_import / cold.floor_import:.2f}x floor import",
            "report",
            f"floor import {cold.floor_import:.3f} s",
        ),
    ]


def artifact_cold_start_rows(counts: Counts) -> list[Row]:
    from benchmarks.cold_start import measure_artifact_cold_start  # noqa: PLC0415

    cold = measure_artifact_cold_start(counts.cold_start_runs, callgrind=counts.callgrind)
    times = cold.times
    answered_ratio = times.skill_answered / times.floor_answered
    whole_ratio = times.skill / times.floor
    floor = f"floor {{:.3f}} s (botocore + skill_builder + 1 GetItem, artifact, {cold.runtime})"
    instructions = cold.instruction_ratio
    return [
        Row(
            ARTIFACT_ANSWERED,
            f"{times.skill_answered:.3f} s = {answered_ratio:.2f}x floor "
            f"(median of {len(times.skill_runs)})",
            f"<= {TARGET_COLD_RATIO}x floor",
            floor.format(times.floor_answered),
            answered_ratio <= TARGET_COLD_RATIO,
        ),
        Row(
            ARTIFACT_WHOLE,
            f"{times.skill:.3f} s = {whole_ratio:.2f}x floor",
            "report",
            floor.format(times.floor),
        ),
        Row(
            ARTIFACT_INSTRUCTIONS,
            "not counted (--quick, or no valgrind)"
            if instructions is None
            else f"{cold.skill_instructions / 1e6:.0f} M = {instructions:.3f}x floor",
            f"<= {TARGET_COLD_RATIO}x floor",
            "-"
            if instructions is None
            else f"floor {cold.floor_instructions / 1e6:.0f} M instructions",
            None if instructions is None else instructions <= TARGET_COLD_RATIO,
        ),
    ]


def warm_turn_rows(counts: Counts) -> list[Row]:
    from benchmarks.warm_turn import measure_warm_turns  # noqa: PLC0415

    warm = measure_warm_turns(counts.warm_walks)
    median_ratio = warm.skill_median / warm.naive_median
    p99_ratio = warm.skill_p99 / warm.naive_p99
    turns = len(warm.skill_seconds)
    return [
        Row(
            WARM_MEDIAN,
            f"{_ms(warm.skill_median)} = {median_ratio:.2f}x naive ({turns} turns)",
            f"<= {TARGET_WARM_RATIO}x naive",
            f"naive {_ms(warm.naive_median)}",
            median_ratio <= TARGET_WARM_RATIO,
        ),
        Row(
            WARM_P99,
            f"{_ms(warm.skill_p99)} = {p99_ratio:.2f}x naive",
            "report",
            f"naive {_ms(warm.naive_p99)}",
        ),
    ]


def request_count_rows(_counts: Counts) -> list[Row]:
    from benchmarks.request_counts import measure_request_counts  # noqa: PLC0415

    skill, naive = measure_request_counts()
    most_reads = max(skill.reads_per_session)
    no_change = len(skill.no_change_turns)
    return [
        Row(
            REQUESTS_PER_TURN,
            f"{skill.requests_per_turn:.2f} ({skill.requests} over {skill.turn_count} turns)",
            f"<= {TARGET_REQUESTS_PER_TURN}",
            f"naive {naive.requests_per_turn:.2f}",
            skill.requests_per_turn <= TARGET_REQUESTS_PER_TURN,
        ),
        Row(
            READS_PER_SESSION,
            str(most_reads),
            f"<= {TARGET_READS_PER_SESSION}",
            f"naive {max(naive.reads_per_session)}",
            most_reads <= TARGET_READS_PER_SESSION,
        ),
        Row(
            NO_CHANGE_WRITES,
            f"{skill.writes_on_no_change_turns} (over {no_change} turns)",
            "0",
            f"naive {naive.writes_on_no_change_turns}",
            skill.writes_on_no_change_turns == 0,
        ),
    ]


def record_size_rows(counts: Counts) -> list[Row]:
    from benchmarks.record_size import (  # noqa: PLC0415
        largest_possible_item,
        simulate_year_on_moto,
    )

    year = simulate_year_on_moto(counts.year_days)
    bound = largest_possible_item()
    days = f"{len(year.sizes)} days, {year.days_active} active"
    return [
        Row(
            RECORD_FINAL,
            f"{year.final} B ({days})",
            f"<= {TARGET_RECORD_BYTES} B",
            f"after day 1: {year.first} B",
            year.final <= TARGET_RECORD_BYTES,
        ),
        Row(
            RECORD_LARGEST,
            f"{year.largest} B",
            f"<= {TARGET_RECORD_BYTES} B",
            f"after day 1: {year.first} B",
            year.largest <= TARGET_RECORD_BYTES,
        ),
        Row(
            RECORD_BOUND,
            f"{bound} B (every field at its largest, a reminder kept)",
            f"<= {TARGET_RECORD_BYTES} B",
            f"after day 1: {year.first} B",
            bound <= TARGET_RECORD_BYTES,
        ),
    ]


def package_size_rows(_counts: Counts) -> list[Row]:
    from benchmarks.package_size import measure_package_size  # noqa: PLC0415

    package = measure_package_size()
    return [
        Row(
            PACKAGE_TOTAL,
            f"{_mb(package.total_bytes)} unzipped, {_mb(package.total_zipped_bytes)} zipped",
            "report",
            package.platform,
        ),
        Row(
            PACKAGE_OWN,
            f"{_mb(package.without_runtime_bytes)} unzipped, "
            f"{_mb(package.without_runtime_zipped_bytes)} zipped",
            "report",
            "less boto3, botocore, s3transfer, jmespath, urllib3, dateutil, six",
        ),
    ]


def web_load_rows(counts: Counts) -> list[Row]:
    from benchmarks.web_load import measure_web_load  # noqa: PLC0415

    rows = []
    for workers in sorted({workers for workers, _ in WEB_LOADS}):
        clients = tuple(sorted(count for w, count in WEB_LOADS if w == workers))
        loads = measure_web_load(counts.web_seconds, counts.web_most_requests, clients, workers)
        for load in loads:
            errors = f", {len(load.errors)} errors" if load.errors else ""
            rows.append(
                Row(
                    WEB_LOADS[(workers, load.clients)],
                    f"{load.requests_per_second:.0f} req/s, p99 {_ms(load.p99)} "
                    f"(median {_ms(load.median)}; {load.requests} in {load.elapsed:.1f} s"
                    f"{errors})",
                    "report",
                    "gunicorn, --no-verify, embedded store",
                    False if load.errors else None,
                )
            )
    return rows


def web_load_beside_slow_rows(counts: Counts) -> list[Row]:
    from benchmarks.web_load import measure_web_load  # noqa: PLC0415

    (load,) = measure_web_load(
        counts.web_seconds, counts.web_most_requests, (8,), workers=1, slow_clients=4
    )
    errors = f", {len(load.errors)} errors" if load.errors else ""
    return [
        Row(
            WEB_LOAD_BESIDE_SLOW,
            f"{load.requests_per_second:.0f} req/s, p99 {_ms(load.p99)} "
            f"(median {_ms(load.median)}; {load.requests} in {load.elapsed:.1f} s{errors})",
            f"p99 < {TARGET_WEB_P99_BESIDE_SLOW_SECONDS:.0f} s",
            "slow: 1 byte every 4 s",
            load.p99 < TARGET_WEB_P99_BESIDE_SLOW_SECONDS and not load.errors,
        )
    ]


def hung_store_rows(counts: Counts) -> list[Row]:
    from benchmarks.hung_store import measure_hung_store_turns  # noqa: PLC0415

    turns = measure_hung_store_turns(counts.hung_store_turns)
    name, worst = turns.worst
    return [
        Row(
            HUNG_STORE_WORST,
            f"{worst:.2f} s ({name}; {len(turns.seconds)} turns)",
            f"< {TARGET_HUNG_STORE_TURN_SECONDS:.0f} s",
            "Lambda timeout 7 s",
            worst < TARGET_HUNG_STORE_TURN_SECONDS,
        )
    ]


MEASUREMENTS: tuple[tuple[tuple[str, ...], Callable[[Counts], list[Row]]], ...] = (
    ((COLD_START, COLD_ANSWERED, COLD_IMPORT), cold_start_rows),
    ((ARTIFACT_ANSWERED, ARTIFACT_WHOLE, ARTIFACT_INSTRUCTIONS), artifact_cold_start_rows),
    ((WARM_MEDIAN, WARM_P99), warm_turn_rows),
    ((REQUESTS_PER_TURN, READS_PER_SESSION, NO_CHANGE_WRITES), request_count_rows),
    ((RECORD_FINAL, RECORD_LARGEST, RECORD_BOUND), record_size_rows),
    ((PACKAGE_TOTAL, PACKAGE_OWN), package_size_rows),
    (tuple(WEB_LOADS.values()), web_load_rows),
    ((WEB_LOAD_BESIDE_SLOW,), web_load_beside_slow_rows),
    ((HUNG_STORE_WORST,), hung_store_rows),
)


def format_table(rows: Sequence[Row]) -> str:
    header = ("figure", "value", "target", "baseline (same run)", "met?")
    table = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|-" + "-|-".join("-" * w for w in widths) + "-|"
    return "\n".join([line(header), rule, *(line(cells) for cells in table[1:])])


def machine_description() -> str:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for text_line in cpuinfo.read_text(errors="replace").splitlines():
            if text_line.startswith("model name"):
                cpu = text_line.split(":", 1)[1].strip()
                break
    return (
        f"machine: nproc {os.cpu_count()}, CPU {cpu}, "
        f"Python {platform.python_version()} ({sys.executable}), {platform.platform()}, "
        # Shared machines: a high load average explains noisy timings.
        f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke test only")
    arguments = parser.parse_args(argv)
    counts = QUICK if arguments.quick else FULL
    rows: list[Row] = []
    failures: list[str] = []
    started = time.perf_counter()
    for names, measure in MEASUREMENTS:
        print(f"measuring: {names[0]} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(measure(counts))
        except Exception:
            failures.append(traceback.format_exc())
            rows.extend(Row(name, "FAILED (see below)", met=False) for name in names)
    print(format_table(rows))
    print()
    print(machine_description())
    mode = "quick (smoke test, figures not meaningful)" if arguments.quick else "full"
    print(f"run: {mode}, {time.perf_counter() - started:.0f} s")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
