"""Figure 1: cold start as the user hears it, against a floor, in fresh interpreters.

Each run is a new `python` subprocess timed from the parent (perf_counter around
subprocess.run): interpreter start, imports, and one request. The skill's run imports
lambda_function and answers one LaunchRequest through lambda_handler; the floor's run
imports only boto3 and ask_sdk_core.skill_builder and makes one DynamoDB GetItem. Both
reach the same table over HTTP on loopback (moto's server in this process), so moving
work from import time into the first request cannot change the main figure. Import-only
runs are timed too. Skill and floor runs are interleaved, alternating which goes first,
so both share the machine's noise.

Each child also prints a line as soon as it has answered; the parent notes when that line
arrives. The whole run includes the interpreter's exit (module teardown and a last garbage
collection), which a Lambda never spends between answers, so the time to the answer is
reported beside it. The children write no bytecode (PYTHONDONTWRITEBYTECODE): the project's
modules are compiled at every cold start, as on Lambda, whose read-only /var/task gets no
.pyc files for the function's own code unless the build ships them.

From the artifact (`measure_artifact_cold_start`): the deployment artifact is built as
`make package` builds it (scripts/package.py, with the bytecode the runtime's Python
compiled), and both children run on an interpreter of the runtime's version (python3.13),
isolated (-I -S -B) with the artifact alone on sys.path, as /var/task on Lambda. The skill
answers one LaunchRequest; the floor imports botocore and ask_sdk_core.skill_builder from
the artifact and makes one DynamoDB GetItem through a botocore client (the client the skill
itself uses). Each is also run once under valgrind's callgrind, whose instruction counts
are the machine-independent figure beside the noisy wall times.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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
if "Welcome back" not in ssml:
    sys.exit("unexpected answer: " + ssml)
print("answered", flush=True)
"""
FLOOR_GET_ITEM = """
import sys
import boto3
import ask_sdk_core.skill_builder
boto3.client("dynamodb").get_item(TableName=sys.argv[1], Key={"id": {"S": sys.argv[2]}})
print("answered", flush=True)
"""
SKILL_IMPORT = "import lambda_function\nprint('answered', flush=True)"
FLOOR_IMPORT = "import boto3\nimport ask_sdk_core.skill_builder\nprint('answered', flush=True)"
# Run once before timing: warms the file cache, and leaves a returning
# user's progress in the table, so the timed launch reads a real record.
SEED_RETURNING_USER = """
import lambda_function
from local.envelopes import AlexaDevice, AlexaSession
session = AlexaSession(lambda_function.lambda_handler, AlexaDevice(user_id=%r))
session.launch()
session.say("StartRoutineIntent")
for _ in range(5):
    session.say("AMAZON.NextIntent")
session.say("AMAZON.StopIntent")
"""


# The artifact's children: argv[1] is the artifact's folder, put first on sys.path as
# Lambda's /var/task is.
ARTIFACT_SKILL_LAUNCH = "import sys\nsys.path.insert(0, sys.argv.pop(1))\n" + SKILL_LAUNCH
ARTIFACT_FLOOR_GET_ITEM = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import botocore.session
import ask_sdk_core.skill_builder
client = botocore.session.get_session().create_client("dynamodb")
client.get_item(TableName=sys.argv[1], Key={"id": {"S": sys.argv[2]}})
print("answered", flush=True)
"""
# An isolated interpreter: no site-packages, no PYTHON* settings, no bytecode written.
ISOLATED = ("-I", "-S", "-B")


@dataclass(frozen=True)
class ChildTimes:
    """One child's wall times from the parent: to its "answered" line, and to its exit."""

    answered: float
    exited: float


@dataclass(frozen=True)
class ColdStart:
    skill_runs: list[ChildTimes]
    floor_runs: list[ChildTimes]
    skill_import_runs: list[ChildTimes]
    floor_import_runs: list[ChildTimes]

    @property
    def skill_seconds(self) -> list[float]:
        return [run.exited for run in self.skill_runs]

    @property
    def floor_seconds(self) -> list[float]:
        return [run.exited for run in self.floor_runs]

    @property
    def skill_import_seconds(self) -> list[float]:
        return [run.exited for run in self.skill_import_runs]

    @property
    def floor_import_seconds(self) -> list[float]:
        return [run.exited for run in self.floor_import_runs]

    @property
    def skill_answered(self) -> float:
        return statistics.median(run.answered for run in self.skill_runs)

    @property
    def floor_answered(self) -> float:
        return statistics.median(run.answered for run in self.floor_runs)

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
    from local.envelopes import AlexaDevice, AlexaSession  # noqa: PLC0415

    captured: list[dict] = []

    def capture(envelope: dict, _context: object) -> dict:
        captured.append(envelope)
        return {"response": {"shouldEndSession": True}}

    AlexaSession(capture, AlexaDevice(user_id=user_id)).launch()
    return captured[0]


def timed_child(
    code: str, *arguments: str, env: dict[str, str], python: tuple[str, ...] = (sys.executable,)
) -> ChildTimes:
    started = time.perf_counter()
    with subprocess.Popen(
        [*python, "-c", code, *arguments],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        first_line = child.stdout.readline()
        answered = time.perf_counter() - started
        _, errors = child.communicate()
        exited = time.perf_counter() - started
    if child.returncode != 0 or first_line.strip() != "answered":
        raise RuntimeError(f"cold-start child failed ({child.returncode}):\n{errors}")
    return ChildTimes(answered, exited)


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
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        timed_child(SEED_RETURNING_USER % COLD_USER_ID + "\nprint('answered')", env=env)
        envelope = json.dumps(launch_envelope(COLD_USER_ID))
        skill_runs = (
            (SKILL_LAUNCH, envelope),
            (SKILL_IMPORT,),
        )
        floor_runs = (
            (FLOOR_GET_ITEM, table.name, COLD_USER_ID),
            (FLOOR_IMPORT,),
        )
        samples: dict[str, list[ChildTimes]] = {"skill": [], "floor": [], "si": [], "fi": []}
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


@dataclass(frozen=True)
class ArtifactColdStart:
    """Cold starts from the built artifact, on the runtime's Python."""

    runtime: str
    interpreter: str
    times: ColdStart
    # Instructions executed (callgrind), skill and floor; None without valgrind.
    skill_instructions: int | None
    floor_instructions: int | None

    @property
    def instruction_ratio(self) -> float | None:
        if not self.skill_instructions or not self.floor_instructions:
            return None
        return self.skill_instructions / self.floor_instructions


def callgrind_instructions(command: list[str], env: dict[str, str]) -> int | None:
    """Instructions `command` executes, counted by valgrind's callgrind; None without it."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        result = subprocess.run(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}", *command],
            cwd=REPOSITORY,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or "answered" not in result.stdout:
            raise RuntimeError(f"callgrind child failed ({result.returncode}):\n{result.stderr}")
        found = re.search(r"^(?:summary|totals):\s*(\d+)", out.read_text(), re.MULTILINE)
    if found is None:
        raise RuntimeError("callgrind wrote no instruction total")
    return int(found.group(1))


def measure_artifact_cold_start(runs: int, *, callgrind: bool = True) -> ArtifactColdStart:
    """Cold starts from the artifact `make package` builds, on the runtime's Python."""
    import boto3  # noqa: PLC0415

    from scripts.package import (  # noqa: PLC0415
        FUNCTION_LOGICAL_ID,
        TEMPLATE,
        build,
        function_settings,
        runtime_python,
        runtime_version,
    )

    runtime = function_settings(TEMPLATE.read_text(encoding="utf-8"))["Runtime"]
    python = runtime_python(runtime_version(runtime))
    with (
        tempfile.TemporaryDirectory() as folder,
        environment(fake_aws_settings()),
        moto_server() as endpoint,
    ):
        build(Path(folder) / "build")
        artifact = str(Path(folder) / "build" / FUNCTION_LOGICAL_ID)
        dynamodb = boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint)
        table = create_template_table(dynamodb, "ProgressTable-bench-artifact")
        settings = {k: v for k, v in fake_aws_settings().items() if v is not None}
        seeding = {
            **{k: v for k, v in os.environ.items() if k not in fake_aws_settings()},
            **settings,
            "TABLE_NAME": table.name,
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "PYTHONPATH": os.pathsep.join(["lambda", "."]),
        }
        timed_child(SEED_RETURNING_USER % COLD_USER_ID + "\nprint('answered')", env=seeding)
        # What Lambda's environment gives the function: no PYTHONPATH, no site-packages.
        env = {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            **settings,
            "TABLE_NAME": table.name,
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        }
        envelope = json.dumps(launch_envelope(COLD_USER_ID))
        interpreter = (str(python), *ISOLATED)
        skill = (ARTIFACT_SKILL_LAUNCH, artifact, envelope)
        floor = (ARTIFACT_FLOOR_GET_ITEM, artifact, table.name, COLD_USER_ID)
        # Once each before timing: warms the file cache for both.
        for code, *arguments in (skill, floor):
            timed_child(code, *arguments, env=env, python=interpreter)
        samples: dict[str, list[ChildTimes]] = {"skill": [], "floor": []}
        for run in range(runs):
            pairs = [("skill", skill), ("floor", floor)]
            if run % 2:
                pairs.reverse()
            for name, (code, *arguments) in pairs:
                samples[name].append(timed_child(code, *arguments, env=env, python=interpreter))
        counts = [
            callgrind_instructions([*interpreter, "-c", code, *arguments], env)
            if callgrind
            else None
            for code, *arguments in (skill, floor)
        ]
    times = ColdStart(samples["skill"], samples["floor"], [], [])
    return ArtifactColdStart(runtime, str(python), times, counts[0], counts[1])
