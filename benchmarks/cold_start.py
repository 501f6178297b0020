"""Figure 1: cold start as the user hears it, against a floor, in fresh interpreters.

Each run is a new `python` subprocess timed from the parent (perf_counter around
subprocess.run): interpreter start, imports, and one request. The skill's run imports
lambda_function and answers one LaunchRequest through lambda_handler; the floor's run
imports only boto3 and ask_sdk_core.skill_builder and makes one DynamoDB GetItem. Both
reach the same table over HTTP on loopback (moto's server in this process), so moving
work from import time into the first request cannot change the main figure. Import-only
runs are timed too. Skill and floor runs are interleaved, alternating which goes first,
so both share the machine's noise.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.aws import (
    REGION,
    create_template_table,
    environment,
    fake_aws_settings,
    moto_server,
)

REPOSITORY = Path(__file__).resolve().parents[1]
COLD_USER_ID = "amzn1.ask.account.BENCHCOLDSTART"

SKILL_LAUNCH = """
import json, sys
import lambda_function
response = lambda_function.lambda_handler(json.loads(sys.argv[1]), None)
ssml = response["response"]["outputSpeech"]["ssml"]
sys.exit(0 if "Welcome back" in ssml else "unexpected answer: " + ssml)
"""
FLOOR_GET_ITEM = """
import sys
import boto3
import ask_sdk_core.skill_builder
boto3.client("dynamodb").get_item(TableName=sys.argv[1], Key={"id": {"S": sys.argv[2]}})
"""
SKILL_IMPORT = "import lambda_function"
FLOOR_IMPORT = "import boto3\nimport ask_sdk_core.skill_builder"
# Run once before timing: compiles bytecode, warms the file cache, and leaves a returning
# user's progress in the table, so the timed launch reads a real record.
SEED_RETURNING_USER = """
import lambda_function
from tests.request_envelopes import AlexaDevice, AlexaSession
session = AlexaSession(lambda_function.lambda_handler, AlexaDevice(user_id=%r))
session.launch()
session.say("StartRoutineIntent")
for _ in range(5):
    session.say("AMAZON.NextIntent")
session.say("AMAZON.StopIntent")
"""


@dataclass(frozen=True)
class ColdStart:
    skill_seconds: list[float]
    floor_seconds: list[float]
    skill_import_seconds: list[float]
    floor_import_seconds: list[float]

    @property
    def skill(self) -> float:
        return statistics.median(self.skill_seconds)

    @property
    def floor(self) -> float:
        return statistics.median(self.floor_seconds)

    @property
    def skill_import(self) -> float:
        return statistics.median(self.skill_import_seconds)

    @property
    def floor_import(self) -> float:
        return statistics.median(self.floor_import_seconds)


def launch_envelope(user_id: str) -> dict:
    from tests.request_envelopes import AlexaDevice, AlexaSession  # noqa: PLC0415

    captured: list[dict] = []

    def capture(envelope: dict, _context: object) -> dict:
        captured.append(envelope)
        return {"response": {"shouldEndSession": True}}

    AlexaSession(capture, AlexaDevice(user_id=user_id)).launch()
    return captured[0]


def timed_child(code: str, *arguments: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"cold-start child failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def measure_cold_start(runs: int) -> ColdStart:
    import boto3  # noqa: PLC0415

    with environment(fake_aws_settings()), moto_server() as endpoint:
        dynamodb = boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint)
        table = create_template_table(dynamodb, "ProgressTable-bench-cold")
        env = {
            **{k: v for k, v in os.environ.items() if k not in fake_aws_settings()},
            **{k: v for k, v in fake_aws_settings().items() if v is not None},
            "TABLE_NAME": table.name,
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "PYTHONPATH": os.pathsep.join(["lambda", "."]),
        }
        timed_child(SEED_RETURNING_USER % COLD_USER_ID, env=env)
        envelope = json.dumps(launch_envelope(COLD_USER_ID))
        skill_runs = (
            (SKILL_LAUNCH, envelope),
            (SKILL_IMPORT,),
        )
        floor_runs = (
            (FLOOR_GET_ITEM, table.name, COLD_USER_ID),
            (FLOOR_IMPORT,),
        )
        samples: dict[str, list[float]] = {"skill": [], "floor": [], "si": [], "fi": []}
        for run in range(runs):
            # Alternate which goes first, so neither always follows the other.
            pairs = [("skill", skill_runs[0]), ("floor", floor_runs[0])]
            imports = [("si", skill_runs[1]), ("fi", floor_runs[1])]
            if run % 2:
                pairs.reverse()
                imports.reverse()
            for name, (code, *arguments) in (*pairs, *imports):
                samples[name].append(timed_child(code, *arguments, env=env))
    return ColdStart(samples["skill"], samples["floor"], samples["si"], samples["fi"])
