"""The project's one set of AWS fakes, shared by the tests and the benchmark.

FAKE_AWS_ENVIRONMENT and CLEARED_VARIABLES are the fake AWS environment: the tests' aws_env
fixture (tests/conftest.py) applies them with pytest's monkeypatch, the benchmark with
`environment`. The ProgressTable is always built from template.yaml (local/template_table.py),
so progress is stored in the same kind of table the Lambda uses. Nothing here can reach
real AWS: credentials are fake, and endpoints are moto's (in-process or loopback).
"""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

REGION = "us-east-1"
FAKE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    # No profile or config file of the machine's user may leak in.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Settings that would send the skill elsewhere than the table under test.
CLEARED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "TABLE_NAME",
    "SKILL_ID",
    "SI_COACH_DATA_DIR",
)

Handler = Callable[[dict, Any], dict]


@contextmanager
def environment(settings: Mapping[str, str | None]) -> Iterator[None]:
    """os.environ with `settings` applied (None removes a variable), restored afterwards."""
    saved = {name: os.environ.get(name) for name in settings}
    try:
        for name, value in settings.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fake_aws_settings() -> dict[str, str | None]:
    return {**dict.fromkeys(CLEARED_VARIABLES), **FAKE_AWS_ENVIRONMENT}


def unique_table_name() -> str:
    return f"ProgressTable-{uuid.uuid4().hex[:12]}"


def create_template_table(dynamodb_resource: Any, table_name: str) -> Any:
    # Imported here: it needs PyYAML, which the Lambda does not ship.
    from local.template_table import create_progress_table  # noqa: PLC0415

    return create_progress_table(dynamodb_resource, table_name)


@contextmanager
def moto_table() -> Iterator[Any]:
    """The template's ProgressTable in moto's in-process mock, with fake AWS settings."""
    import boto3  # noqa: PLC0415
    from moto import mock_aws  # noqa: PLC0415

    with environment(fake_aws_settings()), mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name=REGION)
        yield create_template_table(dynamodb, unique_table_name())


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server on 127.0.0.1 at a free port; yields its endpoint URL."""
    import logging  # noqa: PLC0415

    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    # The server logs every request it serves on stderr, between the benchmark's lines.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def load_skill(table_name: str) -> Handler:
    """lambda_function.lambda_handler, rebuilt as the Lambda builds it, on `table_name`.

    The caller keeps TABLE_NAME set while the skill runs; SKILL_ID is left unset so the
    envelopes' application id is accepted.
    """
    os.environ["TABLE_NAME"] = table_name
    os.environ.pop("SKILL_ID", None)
    import lambda_function  # noqa: PLC0415

    return importlib.reload(lambda_function).lambda_handler
