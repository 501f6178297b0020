"""DynamoDB adapter for progress records: the SDK's DynamoDbAdapter on the ProgressTable.

The table (partition key ``id``, a string) is defined in template.yaml; this module never
creates it. Each Alexa user has one progress record, keyed by user id so that the same user
finds the same record on any device. DynamoDB hands numbers back as ``Decimal`` and refuses
``float`` on writes; the adapter converts both ways so the skill only ever sees plain JSON
types (``int``, ``float``, ``str``, ``bool``, ``None``, ``list``, ``dict``).

DynamoDB's own limits remain: a record of at most 400 KB; numbers of at most 38 significant
digits and magnitude below 1e126; and no int/float distinction, so a whole-valued float such
as 2.0 comes back as the int 2 (equal in value). Values JSON cannot hold (NaN, datetime, ...)
are refused with the SDK's PersistenceException, as the embedded store refuses them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_dynamodb.partition_keygen import user_id_partition_keygen
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from si_coach.storage.revisions import REVISION_KEY, StaleProgressError, expected_revision

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope
    from boto3.resources.base import ServiceResource

PARTITION_KEY_NAME = "id"
"""The ProgressTable's partition key; also the SDK adapter's default."""

PROGRESS_RECORD_ATTRIBUTE = "attributes"
"""The item attribute holding the progress record; the SDK adapter's default name."""

DEFAULT_REGION = "us-east-1"

# Alexa waits about 8 s for an answer and the function times out at 7: a throttled or
# unreachable table gets one quick retry, then the skill answers without it.
CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"max_attempts": 2, "mode": "standard"},
)

_LARGEST_EXACT_NUMBER = Decimal(10) ** 38
"""DynamoDB stores numbers to 38 significant digits."""


def region_from_environment(environ: Mapping[str, str]) -> str:
    """The AWS region: AWS_REGION (set by Lambda), then AWS_DEFAULT_REGION, then us-east-1."""
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def dynamodb_resource_from_environment(
    environ: Mapping[str, str],
) -> ServiceResource:
    """A DynamoDB resource in the environment's region.

    boto3 itself honours AWS_ENDPOINT_URL_DYNAMODB from the process environment; it is also
    read from ``environ`` here so that a mapping given by the caller is obeyed too.
    """
    # Built on boto3's default session, which importing the SDK adapter has already loaded
    # the DynamoDB model into: a fresh session would load it again, adding about 0.2 s to
    # every cold start. region_name and endpoint_url apply to this resource only.
    return _default_session_with_region(environ).resource(
        "dynamodb",
        region_name=region_from_environment(environ),
        endpoint_url=environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
        config=CLIENT_CONFIG,
    )


def _default_session_with_region(environ: Mapping[str, str]) -> boto3.session.Session:
    # ask_sdk_dynamodb.adapter evaluates boto3.resource("dynamodb") as a default argument when
    # it is imported, which raises NoRegionError on a machine with no region configured.
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    if boto3.DEFAULT_SESSION.region_name is None:
        boto3.setup_default_session(region_name=region_from_environment(environ))
    return boto3.DEFAULT_SESSION


_default_session_with_region(os.environ)

from ask_sdk_dynamodb.adapter import DynamoDbAdapter  # noqa: E402


def plain_json_from_dynamodb(value: Any) -> Any:
    """``value`` with every ``Decimal`` replaced by an ``int`` or a ``float``.

    DynamoDB keeps no int/float distinction, so whole numbers within its 38-digit precision
    become ``int`` and everything else ``float``: 1.5e100 must not come back as a 101-digit int.
    """
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < _LARGEST_EXACT_NUMBER:
            return int(value)
        return float(value)
    if isinstance(value, dict):
        return {key: plain_json_from_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_json_from_dynamodb(item) for item in value]
    return value


def dynamodb_numbers_from_json(value: Any) -> Any:
    """``value`` with every ``float`` replaced by the ``Decimal`` of its shortest repr.

    ``Decimal(str(x))`` rather than ``Decimal(x)``: 0.1 must be stored as 0.1, not as the
    55-digit binary expansion, which DynamoDB would reject (38 digits at most).
    """
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: dynamodb_numbers_from_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [dynamodb_numbers_from_json(item) for item in value]
    return value


class ProgressTableAdapter(DynamoDbAdapter):
    """Progress records in the ProgressTable, one item per Alexa user id.

    The SDK adapter supplies the configuration (table, key, attribute name, user-id keygen,
    resource); reads and writes go through the resource's client. A record carrying a
    revision is written with a ``put_item`` conditioned on the stored revision (see
    ``si_coach.storage.revisions``); a failed condition is a StaleProgressError.
    """

    def __init__(self, table_name: str, dynamodb_resource: ServiceResource) -> None:
        super().__init__(
            table_name=table_name,
            partition_key_name=PARTITION_KEY_NAME,
            attribute_name=PROGRESS_RECORD_ATTRIBUTE,
            create_table=False,
            partition_keygen=user_id_partition_keygen,
            dynamodb_resource=dynamodb_resource,
        )

    def get_attributes(self, request_envelope: RequestEnvelope) -> Any:
        # Through the resource's client (boto3 gives it the high-level DynamoDB types): building
        # the Table resource model on first use would cost a cold start about 50 ms.
        # A consistent read, so that a record re-read after a write conflict is the latest.
        try:
            reply = self.dynamodb.meta.client.get_item(
                TableName=self.table_name,
                Key={PARTITION_KEY_NAME: self.partition_keygen(request_envelope)},
                ConsistentRead=True,
            )
        except (BotoCoreError, ClientError) as error:
            raise PersistenceException(f"Could not read the progress record: {error}") from error
        record = reply.get("Item", {}).get(PROGRESS_RECORD_ATTRIBUTE)
        if record is None:
            return {}
        return plain_json_from_dynamodb(record)

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": {
                PARTITION_KEY_NAME: self.partition_keygen(request_envelope),
                PROGRESS_RECORD_ATTRIBUTE: dynamodb_numbers_from_json(attributes),
            },
        }
        expected = expected_revision(attributes)
        if expected is not None:
            # DynamoDB refuses expression names a condition doesn't use.
            names = {"#record": PROGRESS_RECORD_ATTRIBUTE, "#rev": REVISION_KEY}
            if expected == 0:
                names["#key"] = PARTITION_KEY_NAME
                condition = "attribute_not_exists(#key) OR attribute_not_exists(#record.#rev)"
            else:
                condition = "#record.#rev = :expected"
                request["ExpressionAttributeValues"] = {":expected": expected}
            request |= {"ConditionExpression": condition, "ExpressionAttributeNames": names}
        try:
            self.dynamodb.meta.client.put_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                stale = f"stored progress is not at revision {expected}"
                raise StaleProgressError(stale) from error
            raise PersistenceException(f"Could not save the progress record: {error}") from error
        except (BotoCoreError, TypeError, ValueError, ArithmeticError) as error:
            # TypeError and the like: boto3 refuses to serialise a value DynamoDB can't hold.
            raise PersistenceException(f"Could not save the progress record: {error}") from error

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        try:
            self.dynamodb.meta.client.delete_item(
                TableName=self.table_name,
                Key={PARTITION_KEY_NAME: self.partition_keygen(request_envelope)},
            )
        except (BotoCoreError, ClientError) as error:
            raise PersistenceException(f"Could not delete the progress record: {error}") from error


def progress_table_adapter(
    table_name: str, environ: Mapping[str, str] | None = None
) -> ProgressTableAdapter:
    """The adapter on ``table_name``; its resource is built from ``environ`` (or os.environ)."""
    environ = os.environ if environ is None else environ
    return ProgressTableAdapter(table_name, dynamodb_resource_from_environment(environ))
