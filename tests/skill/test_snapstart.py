"""SnapStart hooks: registered only for a snapshot, priming sends nothing, a restore renews.

The hooks run as Lambda's runtime runs them: registered through snapshot_restore_py (the
PyPI package stands in for the runtime's module) and called from its registries, on a
skill whose DynamoDB table is moto's server over HTTP.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import snapshot_restore_py

from local.envelopes import SKILL_ID, AlexaDevice, AlexaSession, speech_text
from si_coach.alexa.snapstart import (
    PRIMING_USER_ID,
    prime,
    register_runtime_hooks,
    renew_after_restore,
)
from si_coach.skill import create_skill_builder, guarded_lambda_handler
from si_coach.storage.dynamodb import progress_table_adapter

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = {"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}


@pytest.fixture
def hook_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty registries for the test: the module keeps them for the whole process."""
    monkeypatch.setattr(snapshot_restore_py, "_before_snapshot_registry", [])
    monkeypatch.setattr(snapshot_restore_py, "_after_restore_registry", [])


@pytest.fixture
def skill(dynamodb_server_table: Any) -> tuple[Any, Any]:
    """The Lambda's handler (skill id checked) on a table over HTTP, and its adapter."""
    adapter = progress_table_adapter(dynamodb_server_table.name)
    handler = guarded_lambda_handler(create_skill_builder(adapter, skill_id=SKILL_ID), SKILL_ID)
    return handler, adapter


def registered(registry: list[tuple[Any, tuple, dict]]) -> list[Any]:
    return [hook for hook, _args, _kwargs in registry]


@pytest.mark.usefixtures("hook_registries")
@pytest.mark.parametrize(
    "environ",
    [{}, {"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}],
    ids=["local", "on-demand"],
)
def test_without_snapstart_no_hook_is_registered(environ: dict[str, str]) -> None:
    assert register_runtime_hooks(lambda event, context: {}, environ) is False

    assert snapshot_restore_py.get_before_snapshot() == []
    assert snapshot_restore_py.get_after_restore() == []


@pytest.mark.usefixtures("hook_registries")
def test_initialising_for_a_snapshot_registers_both_hooks() -> None:
    assert register_runtime_hooks(lambda event, context: {}, SNAPSHOT) is True

    assert registered(snapshot_restore_py.get_before_snapshot()) == [prime]
    assert registered(snapshot_restore_py.get_after_restore()) == [renew_after_restore]


def test_priming_answers_a_launch_with_no_request_leaving(
    skill: tuple[Any, Any], dynamodb_server_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, adapter = skill
    operations: list[str] = []
    adapter.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: operations.append(model.name)
    )
    # The client's HTTP layer: what reaches it leaves the function.
    http_session = adapter.client._endpoint.http_session
    sent: list[str] = []
    send = http_session.send
    monkeypatch.setattr(
        http_session, "send", lambda request: sent.append(request.url) or send(request)
    )
    answers: list[dict] = []

    def answering(event: dict, context: object) -> dict:
        answers.append(handler(event, context))
        return answers[-1]

    prime(answering, {"SKILL_ID": SKILL_ID})

    assert "Welcome" in speech_text(answers[0])
    assert "GetItem" in operations, "the client's whole call path was primed"
    assert sent == []
    assert dynamodb_server_table.scan()["Items"] == []


def test_priming_puts_every_language_in_the_snapshot(skill: tuple[Any, Any]) -> None:
    from si_coach.voice import wording

    handler, _adapter = skill
    # As a cold start from the artifact leaves it: the files' digests compared, none loaded.
    wording.all_wordings.cache_clear()
    prime(handler, {"SKILL_ID": SKILL_ID})
    assert wording.all_wordings.cache_info().currsize == 1


def test_after_priming_the_skill_reaches_its_table(
    skill: tuple[Any, Any], dynamodb_server_table: Any
) -> None:
    handler, _ = skill
    prime(handler, {"SKILL_ID": SKILL_ID})

    session = AlexaSession(handler, AlexaDevice(user_id="amzn1.ask.account.AFTERPRIMING"))
    session.launch()
    session.say("StartRoutineIntent")
    session.say("AMAZON.StopIntent")

    stored = [item["id"] for item in dynamodb_server_table.scan()["Items"]]
    assert stored == ["amzn1.ask.account.AFTERPRIMING"]


def test_environments_restored_from_one_snapshot_draw_different_random_numbers() -> None:
    snapshot = random.getstate()
    draws = []
    for _restore in range(2):
        random.setstate(snapshot)
        renew_after_restore()
        draws.append([random.random() for _ in range(3)])

    random.setstate(snapshot)
    assert draws[0] != draws[1]


def test_a_restore_drops_the_snapshots_connections_and_the_skill_reconnects(
    skill: tuple[Any, Any], dynamodb_server_table: Any
) -> None:
    handler, adapter = skill
    AlexaSession(handler).launch()
    pools = adapter.client._endpoint.http_session._manager.pools
    assert len(pools) == 1, "the launch left a connection pool open"

    renew_after_restore()

    assert len(pools) == 0
    session = AlexaSession(handler, AlexaDevice(user_id="amzn1.ask.account.RESTORED"))
    session.launch()
    session.say("StartRoutineIntent")
    session.say("AMAZON.StopIntent")
    assert dynamodb_server_table.get_item(Key={"id": "amzn1.ask.account.RESTORED"}).get("Item")


# As Lambda runs a SnapStart function: import the handler module, run the before-snapshot
# hooks, (snapshot), run the after-restore hooks, answer requests.
_SNAPSTART_LIFECYCLE = """
import json, sys
import snapshot_restore_py
import lambda_function
for hook, args, kwargs in snapshot_restore_py.get_before_snapshot():
    hook(*args, **kwargs)
for hook, args, kwargs in snapshot_restore_py.get_after_restore():
    hook(*args, **kwargs)
print(json.dumps(lambda_function.lambda_handler(json.loads(sys.argv[1]), None)))
"""


@pytest.mark.slow
def test_lambda_function_registers_the_hooks_and_answers_after_a_restore(
    dynamodb_server_table: Any, aws_env: dict[str, str]
) -> None:
    launches: list[dict] = []
    AlexaSession(lambda event, _: launches.append(event) or {}).launch()
    environment = {
        **os.environ,
        **SNAPSHOT,
        "TABLE_NAME": dynamodb_server_table.name,
        "SKILL_ID": SKILL_ID,
        "PYTHONPATH": str(REPO_ROOT / "lambda"),
    }

    result = subprocess.run(
        [sys.executable, "-c", _SNAPSTART_LIFECYCLE, json.dumps(launches[0])],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Welcome" in speech_text(json.loads(result.stdout))
    stored = {item["id"] for item in dynamodb_server_table.scan()["Items"]}
    assert PRIMING_USER_ID not in stored
