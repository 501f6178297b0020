"""DynamoDB adapter for progress records: the SDK's persistence port over a plain client.

The table (partition key ``id``, a string) is defined in template.yaml; this module never
creates it. Each Alexa account has one item: the key, the account's progress record under
``attributes``, each recognised person's record under ``p_`` and their tag (see
``si_coach.storage.lifecycle.record_key``), and ``expires_at``, the item's time-to-live,
refreshed by every save. One item per account keeps "every record of the account" one read
and one write, and needed no change to the table's key (records saved before people were
told apart are the account's ``attributes``, as they were).

The adapter talks to a botocore DynamoDB client (what ``boto3.client("dynamodb")`` returns)
and converts values itself, so the skill only ever sees plain JSON types (``int``,
``float``, ``str``, ``bool``, ``None``, ``list``, ``dict``), never ``Decimal``. Neither
boto3's resource layer nor ask-sdk-dynamodb-persistence-adapter is imported: the resource
model costs a cold start about a tenth of a second, and the SDK adapter builds a resource
when it is imported (and fails there when no region is configured).

DynamoDB's own limits remain: a record of at most 400 KB; numbers of at most 38 significant
digits and magnitude below 1e126; and no int/float distinction, so a whole-valued float such
as 2.0 comes back as the int 2 (equal in value). Values JSON cannot hold (NaN, datetime, ...)
are refused with the SDK's PersistenceException, as the embedded store refuses them.
"""

from __future__ import annotations

import base64
import logging
import math
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from decimal import (
    Clamped,
    Context,
    Decimal,
    DecimalException,
    Inexact,
    Overflow,
    Rounded,
    Underflow,
)
from typing import TYPE_CHECKING, Any

import botocore.session
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachableError
from botocore.loaders import Loader

from si_coach.storage.budget import (
    STORAGE_SECONDS_OUTSIDE_A_REQUEST,
    StorageBudget,
    StorageTimeBudgetSpentError,
    budget_for,
)
from si_coach.storage.lifecycle import (
    EXPIRY_ATTRIBUTE,
    RecordKey,
    expiry_after_save,
    has_expired,
    record_key,
)
from si_coach.storage.revisions import REVISION_KEY, StaleProgressError, expected_revision

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope
    from botocore.client import BaseClient

log = logging.getLogger(__name__)

PARTITION_KEY_NAME = "id"
"""The ProgressTable's partition key."""

PROGRESS_RECORD_ATTRIBUTE = "attributes"
"""The item attribute holding the account's progress record (the name the SDK's own adapter
uses)."""

PERSON_RECORD_PREFIX = "p_"
"""A recognised person's record is the item attribute of this prefix and their tag: every
record of an account is one item, read or deleted at once."""


def record_attribute(key: RecordKey) -> str:
    """The item attribute holding the record of `key`."""
    return PROGRESS_RECORD_ATTRIBUTE if key.person is None else PERSON_RECORD_PREFIX + key.person


DEFAULT_REGION = "us-east-1"

CONNECT_TIMEOUT_SECONDS = 0.4
"""The longest a new connection (TCP and TLS) may take; reserved from the budget per attempt."""
SHORTEST_READ_SECONDS = 0.1
"""An attempt is made only while at least this long is left for its answer."""
ATTEMPTS = 3
"""Attempts at one call, while the request's storage budget lasts (see ``_call``)."""
FIRST_RETRY_PAUSE_SECONDS = 0.05

# Alexa waits about 8 s for an answer and the function times out at 7. The adapter retries
# by itself, within the request's storage budget (si_coach.storage.budget), so botocore's
# own retries are off: their pauses could not be bounded by the budget. The read timeout
# here is the longest any attempt may wait; each attempt is given what its budget leaves.
CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=STORAGE_SECONDS_OUTSIDE_A_REQUEST,
    retries={"total_max_attempts": 1, "mode": "standard"},
)

# DynamoDB's answers worth another attempt: the table or the service is busy for a moment.
_TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
# The read timeout of the attempt being made, for the before-send hook.
_attempt_read_timeout: ContextVar[float | None] = ContextVar(
    "si_coach_dynamodb_read_timeout", default=None
)

# DynamoDB's number rules, as boto3 checks them before sending: 38 significant digits,
# exponents within range, and no silent rounding.
_DYNAMODB_NUMBERS = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)
_LARGEST_EXACT_NUMBER = Decimal(10) ** 38
"""DynamoDB stores numbers to 38 significant digits."""


def region_from_environment(environ: Mapping[str, str]) -> str:
    """The AWS region: AWS_REGION (set by Lambda), then AWS_DEFAULT_REGION, then us-east-1."""
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


class NamedServiceLoader(Loader):
    """botocore's model loader, minus its scan of every service it knows.

    Before loading a service's model, botocore's loader lists every service with a model of
    that type, to refuse unknown names: a listing of over 400 directories, about 20 ms of a
    cold start for a client that needs one model. This loader looks only in the directories
    of the service asked for, which refuses unknown names just the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._asked_for = threading.local()

    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        self._asked_for.service_name = service_name
        try:
            return super().load_service_model(service_name, type_name, api_version)
        finally:
            self._asked_for.service_name = None

    def list_available_services(self, type_name: str) -> list[str]:
        service_name = getattr(self._asked_for, "service_name", None)
        if service_name is None:
            return super().list_available_services(type_name)
        for service_dir in self._potential_locations(service_name, must_exist=True, is_dir=True):
            for api_version in os.listdir(service_dir):
                if self.file_loader.exists(os.path.join(service_dir, api_version, type_name)):
                    return [service_name]
        return []


_shared_loader: NamedServiceLoader | None = None
_clients: weakref.WeakSet[BaseClient] = weakref.WeakSet()


def dynamodb_clients() -> list[BaseClient]:
    """Every DynamoDB client this module has built that is still in use.

    For the SnapStart hooks (si_coach.alexa.snapstart): they prime these clients before the
    snapshot and drop their connections after each restore.
    """
    return list(_clients)


def dynamodb_client_from_environment(environ: Mapping[str, str]) -> BaseClient:
    """A DynamoDB client in the environment's region, on a botocore session of its own.

    botocore honours AWS_ENDPOINT_URL_DYNAMODB from the process environment; it is also read
    from ``environ`` here so that a mapping given by the caller is obeyed too. The region is
    always given, so no configured region is needed.
    """
    global _shared_loader  # noqa: PLW0603
    session = botocore.session.Session()
    # Sessions share one loader: it caches the parsed models, which every new session would
    # otherwise read and parse again (about 40 ms). A session of its own per client keeps
    # event hooks (tests', moto's) from leaking between clients.
    if _shared_loader is None:
        data_path = session.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore
        extra_paths = [
            os.path.expanduser(os.path.expandvars(path))
            for path in (data_path.split(os.pathsep) if data_path else ())
        ]
        _shared_loader = NamedServiceLoader(extra_search_paths=extra_paths)
    session.register_component("data_loader", _shared_loader)
    client = session.create_client(
        "dynamodb",
        region_name=region_from_environment(environ),
        endpoint_url=environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
        config=CLIENT_CONFIG,
    )
    _clients.add(client)
    return client


# --- plain JSON <-> DynamoDB attribute values ----------------------------------------------


def attribute_value(value: Any) -> dict[str, Any]:
    """``value``, a plain JSON value, as a DynamoDB attribute value (``{"N": "7.5"}``, ...).

    Floats are sent as the shortest decimal that reads back as the same float: 0.1 is
    stored as 0.1, not as the 55-digit binary expansion DynamoDB would refuse.
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": _number_text(str(value))}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a number DynamoDB can hold")
        return {"N": _number_text(repr(value))}
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"map key {key!r} is not a string")
        return {"M": {key: attribute_value(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [attribute_value(item) for item in value]}
    raise TypeError(f"{type(value).__name__} is not a plain JSON type")


def _number_text(text: str) -> str:
    try:
        return str(_DYNAMODB_NUMBERS.create_decimal(text))
    except DecimalException as error:
        raise ValueError(f"{text} is outside DynamoDB's numbers") from error


def plain_value(attribute: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value as plain JSON; numbers as ``int`` or ``float``.

    DynamoDB keeps no int/float distinction, so whole numbers within its 38-digit precision
    become ``int`` and everything else ``float``: 1.5e100 must not come back as a 101-digit int.
    Sets and binaries, which the skill never writes, come back as lists and base64 text.
    """
    ((kind, value),) = attribute.items()
    if kind in {"S", "BOOL"}:
        return value
    if kind == "N":
        return _plain_number(value)
    if kind == "M":
        return {key: plain_value(item) for key, item in value.items()}
    if kind == "L":
        return [plain_value(item) for item in value]
    if kind == "NULL":
        return None
    if kind == "SS":
        return list(value)
    if kind == "NS":
        return [_plain_number(number) for number in value]
    if kind == "B":
        return base64.b64encode(value).decode("ascii")
    if kind == "BS":
        return [base64.b64encode(item).decode("ascii") for item in value]
    raise PersistenceException(f"Unknown DynamoDB attribute type {kind}")


def _plain_number(text: str) -> int | float:
    number = Decimal(text)
    if number == number.to_integral_value() and abs(number) < _LARGEST_EXACT_NUMBER:
        return int(number)
    return float(number)


# --- the adapter ---------------------------------------------------------------------------


class ProgressTableAdapter(AbstractPersistenceAdapter):
    """Progress records in the ProgressTable, one item per Alexa account.

    A record carrying a revision is written with an ``UpdateItem`` of its own attribute,
    conditioned on its stored revision (see ``si_coach.storage.revisions``); a failed
    condition is a StaleProgressError. A stored record past its expiry counts as absent, for
    reads and for that condition.
    ``clock`` gives the current time in epoch seconds (tests move it).

    Every call waits at most what is left of its request's storage budget
    (``si_coach.storage.budget``), connection, retries and pauses included; past it, the
    call fails with a PersistenceException like any other store fault.
    """

    def __init__(
        self,
        table_name: str,
        client: BaseClient,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table_name = table_name
        self.client = client
        self.clock = clock
        client.meta.events.register(
            "before-send.dynamodb", _limit_attempt_wait, unique_id=_limit_attempt_wait.__name__
        )

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = record_key(request_envelope)
        item = self._item(request_envelope, key.user_id)
        record = item.get(record_attribute(key))
        if record is None:
            return {}
        return plain_value(record)

    def account_record_keys(self, request_envelope: RequestEnvelope) -> list[RecordKey]:
        """Every record of the request's account: its own and each recognised person's."""
        user_id = record_key(request_envelope).user_id
        keys = []
        for name in self._item(request_envelope, user_id):
            if name == PROGRESS_RECORD_ATTRIBUTE:
                keys.append(RecordKey(user_id))
            elif name.startswith(PERSON_RECORD_PREFIX):
                keys.append(RecordKey(user_id, name[len(PERSON_RECORD_PREFIX) :]))
        return keys

    def _item(self, request_envelope: RequestEnvelope, user_id: str) -> dict[str, Any]:
        """The account's item ({} when absent or expired); an expired item is deleted, so no
        record in it comes back with a later save to another of its records."""
        key = {PARTITION_KEY_NAME: {"S": user_id}}
        # A consistent read, so that a record re-read after a write conflict is the latest.
        try:
            reply = _call(
                budget_for(request_envelope),
                self.client.get_item,
                TableName=self.table_name,
                Key=key,
                ConsistentRead=True,
            )
        except (BotoCoreError, ClientError, StorageTimeBudgetSpentError) as error:
            raise PersistenceException(f"Could not read the progress record: {error}") from error
        item = reply.get("Item") or {}
        now = self.clock()
        if EXPIRY_ATTRIBUTE in item and has_expired(plain_value(item[EXPIRY_ATTRIBUTE]), now):
            try:
                _call(
                    budget_for(request_envelope),
                    self.client.delete_item,
                    TableName=self.table_name,
                    Key=key,
                    ConditionExpression="#expiry <= :now",
                    ExpressionAttributeNames={"#expiry": EXPIRY_ATTRIBUTE},
                    ExpressionAttributeValues={":now": {"N": str(math.floor(now))}},
                )
            except (BotoCoreError, ClientError, StorageTimeBudgetSpentError):
                log.info("an expired progress item could not be removed now; it reads as absent")
            return {}
        return item

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        now = self.clock()
        key = record_key(request_envelope)
        try:
            record = attribute_value(attributes)
        except (TypeError, ValueError, RecursionError) as error:
            raise PersistenceException(f"Progress record is not plain JSON: {error}") from error
        names = {"#record": record_attribute(key), "#expiry": EXPIRY_ATTRIBUTE}
        values = {":record": record, ":expires": {"N": str(expiry_after_save(now))}}
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {PARTITION_KEY_NAME: {"S": key.user_id}},
            "UpdateExpression": "SET #record = :record, #expiry = :expires",
        }
        expected = expected_revision(attributes)
        if expected is not None:
            condition = _revision_condition(expected, now)
            names |= condition.pop("ExpressionAttributeNames")
            values |= condition.pop("ExpressionAttributeValues")
            request |= condition
        request |= {"ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
        try:
            _call(budget_for(request_envelope), self.client.update_item, **request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                stale = f"stored progress is not at revision {expected}"
                raise StaleProgressError(stale) from error
            raise PersistenceException(f"Could not save the progress record: {error}") from error
        except (BotoCoreError, StorageTimeBudgetSpentError) as error:
            raise PersistenceException(f"Could not save the progress record: {error}") from error

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = record_key(request_envelope)
        try:
            _call(
                budget_for(request_envelope),
                self.client.update_item,
                TableName=self.table_name,
                Key={PARTITION_KEY_NAME: {"S": key.user_id}},
                UpdateExpression="REMOVE #record",
                ExpressionAttributeNames={"#record": record_attribute(key)},
            )
        except (BotoCoreError, ClientError, StorageTimeBudgetSpentError) as error:
            raise PersistenceException(f"Could not delete the progress record: {error}") from error


def _call(budget: StorageBudget, operation: Callable[..., Any], **arguments: Any) -> Any:
    """``operation(**arguments)``, retried on transient faults while ``budget`` lasts.

    Each attempt reserves CONNECT_TIMEOUT_SECONDS for a new connection and may wait for its
    answer only as long as the rest of the budget; a pause before a retry is made only when
    an attempt can still follow it. Raises the last fault, or StorageTimeBudgetSpentError when
    no attempt could be made at all.
    """
    for attempt in range(ATTEMPTS):
        read_timeout = budget.remaining() - CONNECT_TIMEOUT_SECONDS
        if read_timeout < SHORTEST_READ_SECONDS:
            raise StorageTimeBudgetSpentError("the request's storage time is used up")
        token = _attempt_read_timeout.set(read_timeout)
        try:
            return operation(**arguments)
        except (ClientError, HTTPClientError, EndpointUnreachableError) as fault:
            pause = FIRST_RETRY_PAUSE_SECONDS * 2**attempt * (0.5 + random.random() / 2)
            left_after_pause = budget.remaining() - pause - CONNECT_TIMEOUT_SECONDS
            if (
                not _transient(fault)
                or attempt + 1 == ATTEMPTS
                or left_after_pause < SHORTEST_READ_SECONDS
            ):
                raise
            time.sleep(pause)
        finally:
            _attempt_read_timeout.reset(token)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _transient(fault: Exception) -> bool:
    if isinstance(fault, ClientError):
        error = fault.response.get("Error", {})
        status = fault.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code") in _TRANSIENT_ERROR_CODES or status >= 500
    # Connection refused or dropped, and time-outs: the next attempt may get through.
    return True


def _limit_attempt_wait(request: Any, **_: Any) -> None:
    """botocore's before-send hook: the attempt being sent waits only what its budget leaves.

    botocore reads ``read_timeout`` from the request's context as a per-request override of
    the client's read timeout.
    """
    read_timeout = _attempt_read_timeout.get()
    context = getattr(request, "context", None)
    if read_timeout is not None and isinstance(context, dict):
        context["read_timeout"] = read_timeout


def _revision_condition(expected: int, now: float) -> dict[str, Any]:
    """PutItem arguments that let the write through only over revision ``expected``.

    An expired record counts as absent (revision 0), as it does for reads.
    """
    now_value = {"N": str(math.floor(now))}
    # DynamoDB refuses expression names and values a condition doesn't use.
    names = {"#rev": REVISION_KEY}
    if expected == 0:
        condition = (
            "attribute_not_exists(#record) OR attribute_not_exists(#record.#rev) OR #expiry <= :now"
        )
        values = {":now": now_value}
    else:
        condition = "#record.#rev = :expected AND (attribute_not_exists(#expiry) OR #expiry > :now)"
        values = {":expected": {"N": str(expected)}, ":now": now_value}
    return {
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def progress_table_adapter(
    table_name: str, environ: Mapping[str, str] | None = None
) -> ProgressTableAdapter:
    """The adapter on ``table_name``; its client is built from ``environ`` (or os.environ)."""
    environ = os.environ if environ is None else environ
    return ProgressTableAdapter(table_name, dynamodb_client_from_environment(environ))
