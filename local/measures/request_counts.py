"""Figure 3: DynamoDB requests per turn over the whole-routine walk, for the skill and naive.

Deterministic: the same conversation always makes the same requests, so
tests/storage/test_dynamodb_usage.py asserts these counts with this same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from local.fake_aws import load_skill, moto_table
from local.measures.conversations import (
    Handler,
    Turn,
    new_user_session,
    replay,
    walk_whole_routine,
)
from local.measures.dynamodb_calls import (
    DynamoDbCallLog,
    counting_dynamodb_calls,
    reads,
    writes,
)
from local.measures.naive_skill import naive_lambda_handler


@dataclass
class TurnRequests:
    turn: Turn
    operations: list[str]
    session_started: bool


@dataclass
class RequestCounts:
    """Requests per turn of one conversation; `writing_turns` is the evidence for a miss."""

    turns: list[TurnRequests] = field(default_factory=list)

    @property
    def turn_count(self) -> int:
        return len(self.turns)

    @property
    def requests(self) -> int:
        return sum(len(t.operations) for t in self.turns)

    @property
    def requests_per_turn(self) -> float:
        return self.requests / self.turn_count

    @property
    def reads_per_session(self) -> list[int]:
        sessions: list[int] = []
        for t in self.turns:
            if t.session_started or not sessions:
                sessions.append(0)
            sessions[-1] += reads(t.operations)
        return sessions

    @property
    def no_change_turns(self) -> list[TurnRequests]:
        return [t for t in self.turns if t.turn.changes_nothing]

    @property
    def writes_on_no_change_turns(self) -> int:
        return sum(writes(t.operations) for t in self.no_change_turns)

    def writing_turns(self) -> list[tuple[int, str, list[str]]]:
        return [
            (number, t.turn.said, t.operations)
            for number, t in enumerate(self.turns, 1)
            if writes(t.operations)
        ]


class CounterMissedTheAdapterError(RuntimeError):
    """No read was counted on a launch: the counter is not seeing the adapter's client."""


def _record(counts: RequestCounts, log: DynamoDbCallLog) -> Callable[[Turn, dict], None]:
    mark = [log.mark()]

    def after_turn(turn: Turn, response: dict) -> None:
        counts.turns.append(
            TurnRequests(turn, log.since(mark[0]), session_started=turn.said == "LaunchRequest")
        )
        mark[0] = log.mark()

    return after_turn


def count_walk(handler_factory: Callable[[], Handler], user_number: int = 1) -> RequestCounts:
    """Counts for one whole-routine walk by a new user, the skill built inside the counter."""
    counts = RequestCounts()
    with counting_dynamodb_calls() as log:
        handler: Handler = handler_factory()
        walk_whole_routine(new_user_session(handler, user_number), _record(counts, log))
    _check_counter_sees_reads(counts)
    return counts


def count_naive(turns: list[Turn], table_name: str, user_number: int = 2) -> RequestCounts:
    counts = RequestCounts()
    with counting_dynamodb_calls() as log:
        handler = naive_lambda_handler(table_name)
        replay(new_user_session(handler, user_number), turns, _record(counts, log))
    _check_counter_sees_reads(counts)
    return counts


def _check_counter_sees_reads(counts: RequestCounts) -> None:
    if not counts.turns or reads(counts.turns[0].operations) == 0:
        raise CounterMissedTheAdapterError(
            "a new user's launch made no counted read; the counter misses the adapter's client"
        )


def measure_request_counts() -> tuple[RequestCounts, RequestCounts]:
    """(skill, naive baseline) over the same conversation, each on a fresh moto table."""
    with moto_table() as table:
        skill = count_walk(lambda: load_skill(table.name))
        naive = count_naive([t.turn for t in skill.turns], table.name)
    return skill, naive
