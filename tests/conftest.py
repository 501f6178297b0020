"""Storage fixtures: fake AWS credentials, the ProgressTable under moto, the embedded store.

The fake AWS settings are the project's one set (local/fake_aws.py), which the benchmark
uses too, so both run alike.

Every DynamoDB fixture builds its table from template.yaml (local/template_table.py)
and none of them can reach real AWS: credentials are fake and endpoints are moto's.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.fake_aws import (
    CLEARED_VARIABLES,
    FAKE_AWS_ENVIRONMENT,
    REGION,
    moto_server,
    unique_table_name,
)
from local.template_table import create_progress_table
from si_coach.storage.embedded import DATABASE_FILE_NAME, EmbeddedProgressStore

TEST_REGION = REGION


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fake credentials and a region in os.environ; no profile, config file or endpoint leaks in."""
    for name in CLEARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return dict(FAKE_AWS_ENVIRONMENT)


@pytest.fixture
def moto_dynamodb_table(aws_env: dict[str, str]) -> Iterator[Any]:
    """The ProgressTable in moto's in-process mock (no HTTP at all)."""
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name=TEST_REGION)
        yield create_progress_table(dynamodb, unique_table_name())


@pytest.fixture(scope="session")
def moto_server_endpoint() -> Iterator[str]:
    """moto's server on 127.0.0.1 at a free port, for the whole test session."""
    with moto_server() as endpoint:
        yield endpoint


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
    return create_progress_table(dynamodb, unique_table_name())


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
