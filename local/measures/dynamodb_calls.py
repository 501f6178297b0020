"""Counts DynamoDB requests at the boto3 level, turn by turn, over a conversation.

The counter is a `before-call.dynamodb` handler on botocore's event system: added to
``botocore.handlers.BUILTIN_HANDLERS`` (which every botocore session created afterwards
registers, the way moto installs its own hook) and to boto3's default session if it already
exists. Clients copy their session's handlers when they are created, so the skill must be
built after counting starts: `counting_dynamodb_calls` is entered before `load_skill`.
Whatever resource the adapter builds, on whatever session, its calls are then seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

READ_OPERATIONS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "ExecuteStatement"}
)
WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
_COUNTED_MARK = "si_coach_benchmark_counted"


@dataclass
class DynamoDbCallLog:
    """Operation names in call order; `mark()` and `since()` cut it into turns."""

    operations: list[str] = field(default_factory=list)

    def __call__(self, model: Any, context: dict | None = None, **_: Any) -> None:
        # One call may reach this handler through two emitters (a session created after
        # the hook was added to BUILTIN_HANDLERS, and the default-session registration):
        # the request context is per call, so marking it counts each call once.
        if context is not None:
            if context.get(_COUNTED_MARK):
                return
            context[_COUNTED_MARK] = True
        self.operations.append(model.name)

    def mark(self) -> int:
        return len(self.operations)

    def since(self, mark: int) -> list[str]:
        return self.operations[mark:]


@contextmanager
def counting_dynamodb_calls() -> Iterator[DynamoDbCallLog]:
    import boto3  # noqa: PLC0415
    from botocore import handlers  # noqa: PLC0415

    log = DynamoDbCallLog()
    spec = ("before-call.dynamodb", log)
    handlers.BUILTIN_HANDLERS.append(spec)
    default_session = boto3.DEFAULT_SESSION
    if default_session is not None:
        default_session.events.register("before-call.dynamodb", log)
    try:
        yield log
    finally:
        handlers.BUILTIN_HANDLERS.remove(spec)
        # Sessions made while counting (boto3's default one, say) would keep the hook and
        # pass it to clients built later, which other figures time.
        for session in {id(s): s for s in (default_session, boto3.DEFAULT_SESSION)}.values():
            if session is not None:
                session.events.unregister("before-call.dynamodb", log)


def reads(operations: list[str]) -> int:
    return sum(op in READ_OPERATIONS for op in operations)


def writes(operations: list[str]) -> int:
    return sum(op in WRITE_OPERATIONS for op in operations)
