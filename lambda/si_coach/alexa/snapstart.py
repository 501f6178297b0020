"""SnapStart runtime hooks: work done once before the snapshot, and renewed after each restore.

With SnapStart on (template.yaml, parameter SnapStart), Lambda initialises each published
version once, snapshots the memory of that environment, and starts later environments from
the snapshot. ``register_runtime_hooks`` (called by lambda_function.py) registers, through
the runtime's ``snapshot_restore_py``, and only when Lambda says it is initialising for a
snapshot (``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``):

- before the snapshot, ``prime``: everything the first request would otherwise do for the
  first time (imports made on first use, the SDK's model classes, the DynamoDB client's
  endpoint rules, request signing and credentials, the skill's handlers and speech) by
  answering one LaunchRequest of a priming user. DynamoDB is answered in-process for it:
  no request leaves the function and nothing is stored.
- after each restore, ``renew_after_restore``: what environments restored from the same
  snapshot must not share: open connections (dropped, so each environment opens its own)
  and the random generator's state (re-seeded from the operating system).

The catalogue is loaded and the wording files checked when lambda_function builds the skill,
at import; a cold start loads a language's wording on its first request, so ``prime`` loads
every locale's, and the priming launch builds the English voice. Anything else built once
belongs in ``prime`` too.
"""

from __future__ import annotations

# Modules only the hooks use are imported inside them: without SnapStart they never run,
# and every import here is paid by every cold start.
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

LambdaHandler = Callable[[dict, Any], dict]

SNAPSHOT_INITIALISATION = "snap-start"
"""AWS_LAMBDA_INITIALIZATION_TYPE of an environment initialised to be snapshotted."""

PRIMING_USER_ID = "amzn1.ask.account.SNAPSTART-PRIMING"


def register_runtime_hooks(
    lambda_handler: LambdaHandler, environ: Mapping[str, str] = os.environ
) -> bool:
    """Register ``prime`` and ``renew_after_restore`` when initialising for a snapshot.

    Returns whether they were registered. Elsewhere (locally, or a Lambda without
    SnapStart) nothing is imported and nothing happens.
    """
    if environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != SNAPSHOT_INITIALISATION:
        return False
    try:
        # Provided by Lambda's Python runtimes from 3.12 on.
        from snapshot_restore_py import (  # noqa: PLC0415
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        log.warning("SnapStart hooks not registered: snapshot_restore_py is missing")
        return False
    register_before_snapshot(prime, lambda_handler, environ)
    register_after_restore(renew_after_restore)
    return True


def prime(lambda_handler: LambdaHandler, environ: Mapping[str, str] = os.environ) -> None:
    """Do once, before the snapshot, what the first request would do for the first time."""
    from si_coach.voice.wording import all_wordings  # noqa: PLC0415

    all_wordings()
    with dynamodb_answered_in_process():
        response = lambda_handler(priming_launch_request(environ), None)
    if "response" not in response:
        log.warning("SnapStart priming request was not answered: %s", response)


def renew_after_restore() -> None:
    """Drop connections made before the snapshot and re-seed the random generator."""
    import random  # noqa: PLC0415

    random.seed()
    for client in _dynamodb_clients():
        client.close()  # the client reconnects on its next call


def priming_launch_request(environ: Mapping[str, str] = os.environ) -> dict:
    """A LaunchRequest of the priming user, addressed to this function's skill.

    It carries no API access token, so the skill calls none of Alexa's APIs for it.
    """
    import uuid  # noqa: PLC0415

    application = {"applicationId": environ.get("SKILL_ID") or "amzn1.ask.skill.snapstart"}
    user = {"userId": PRIMING_USER_ID}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "user": user,
            "attributes": {},
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": "amzn1.ask.device.SNAPSTART-PRIMING",
                    "supportedInterfaces": {},
                },
            }
        },
        "request": {
            "type": "LaunchRequest",
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
        },
    }


# DynamoDB's answers to the priming request: no record, and every write accepted.
_IN_PROCESS_ANSWERS = {"GetItem": {}, "PutItem": {}, "DeleteItem": {}, "UpdateItem": {}}


@contextmanager
def dynamodb_answered_in_process() -> Iterator[None]:
    """While inside, every DynamoDB client's requests are answered here, never sent.

    The answer replaces the HTTP exchange only: everything before it (parameter checks,
    serialisation, endpoint rules, signing) and the parsing after it run as for a real call.
    """
    from botocore.awsrequest import AWSResponse  # noqa: PLC0415

    def answer(request: Any, event_name: str, **_: Any) -> AWSResponse:
        operation = event_name.rsplit(".", 1)[-1]
        body = json.dumps(_IN_PROCESS_ANSWERS.get(operation, {})).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "priming"}
        return AWSResponse(request.url, 200, headers, _RawBody(body))

    clients = _dynamodb_clients()
    for client in clients:
        client.meta.events.register_first("before-send.dynamodb", answer)
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister("before-send.dynamodb", answer)


def _dynamodb_clients() -> list[Any]:
    # Never imported from here: without TABLE_NAME (the embedded store) there is no client,
    # and botocore need not be loaded to learn that.
    dynamodb = sys.modules.get("si_coach.storage.dynamodb")
    return [] if dynamodb is None else dynamodb.dynamodb_clients()


class _RawBody:
    """The raw-stream side of an HTTP answer, as botocore reads it."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content
