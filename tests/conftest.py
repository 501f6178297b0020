"""Storage fixtures: fake AWS credentials, the ProgressTable under moto, the embedded store.

The fake AWS settings are the benchmarks' own (benchmarks/aws.py), so both run alike.

Every DynamoDB fixture builds its table from template.yaml (tests/support/template_table.py)
and none of them can reach real AWS: credentials are fake and endpoints are moto's.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from benchmarks.aws import CLEARED_VARIABLES, FAKE_AWS_ENVIRONMENT, REGION
from si_coach.storage.embedded import DATABASE_FILE_NAME, EmbeddedProgressStore
from tests.support.template_table import create_progress_table

TEST_REGION = REGION


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fake credentials and a region in os.environ; no profile, config file or endpoint leaks in."""
    for name in CLEARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return dict(FAKE_AWS_ENVIRONMENT)


def _unique_table_name() -> str:
    return f"ProgressTable-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def moto_dynamodb_table(aws_env: dict[str, str]) -> Iterator[Any]:
    """The ProgressTable in moto's in-process mock (no HTTP at all)."""
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name=TEST_REGION)
        yield create_progress_table(dynamodb, _unique_table_name())


@pytest.fixture(scope="session")
def moto_server_endpoint() -> Iterator[str]:
    """moto's server on 127.0.0.1 at a free port, for the whole test session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def dynamodb_server_table(
    aws_env: dict[str, str], moto_server_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A fresh ProgressTable on moto's server, with AWS_ENDPOINT_URL_DYNAMODB pointing at it.

    Only the environment variable sends boto3 there: code under test builds its own clients
    and must reach the server over real HTTP.
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_server_endpoint)
    dynamodb = boto3.resource("dynamodb", region_name=TEST_REGION)
    assert dynamodb.meta.client.meta.endpoint_url == moto_server_endpoint
    return create_progress_table(dynamodb, _unique_table_name())


@pytest.fixture
def embedded_store(tmp_path: Path) -> EmbeddedProgressStore:
    """An embedded store whose directory does not exist yet (it must create it)."""
    return EmbeddedProgressStore(tmp_path / "si-coach-data" / DATABASE_FILE_NAME)


@pytest.fixture
def skill(moto_dynamodb_table: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict, Any], dict]:
    """lambda_function.lambda_handler, built as the Lambda builds it, on the moto table."""
    monkeypatch.setenv("TABLE_NAME", moto_dynamodb_table.name)
    monkeypatch.delenv("SKILL_ID", raising=False)
    import lambda_function

    return importlib.reload(lambda_function).lambda_handler
