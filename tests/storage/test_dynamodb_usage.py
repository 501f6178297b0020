"""What the skill costs DynamoDB: few requests per turn, and a stored item that fits one
write unit for ever.

These are properties of the code, not of the machine, so they are asserted here, with the
same code `make bench` reports them with (local/measures/).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from local.measures import TARGET_READS_PER_SESSION, TARGET_RECORD_BYTES, TARGET_REQUESTS_PER_TURN
from local.measures.record_size import (
    YEAR_USER_ID,
    item_size,
    largest_possible_item,
    largest_possible_record,
    simulate_year_on_moto,
)
from local.measures.request_counts import measure_request_counts

# Long enough to reach the largest item the full year reaches (day 350 of 365 there, but
# already within a byte or two by day 120), short enough for `make test`.
SIMULATED_DAYS = 120


@pytest.mark.slow
def test_the_whole_routine_makes_few_dynamodb_requests() -> None:
    skill, naive = measure_request_counts()
    evidence = f"turns that wrote (number, said, requests): {skill.writing_turns()}"
    assert skill.turn_count > 30, "the scripted walk should cover the whole routine"
    assert naive.requests_per_turn == 2.0, "the baseline reads and writes on every turn"
    assert skill.requests_per_turn <= TARGET_REQUESTS_PER_TURN, evidence
    assert skill.reads_per_session == [1], "one read per session, and the counter sees it"
    assert max(skill.reads_per_session) <= TARGET_READS_PER_SESSION
    assert skill.no_change_turns, "the walk asks questions that change nothing"
    assert skill.writes_on_no_change_turns == 0, [
        (t.turn.said, t.operations) for t in skill.no_change_turns
    ]


def test_item_size_follows_dynamodb_rules_on_a_known_item() -> None:
    item = {
        "id": "abc",  # 2 + 3
        "attributes": {  # 10 + 3 (map) + its elements, each 1 + key + value:
            "n": Decimal("12345"),  # 1 + 1 + (ceil(5 / 2) + 1) = 6
            "s": "héllo",  # 1 + 1 + 6 UTF-8 bytes = 8
            "b": True,  # 1 + 1 + 1 = 3
            "z": None,  # 1 + 1 + 1 = 3
            "l": [1, "x"],  # 1 + 1 + (3 + (1 + 2) + (1 + 1)) = 10
        },
    }
    assert item_size(item) == 5 + 10 + 3 + 6 + 8 + 3 + 3 + 10
    # Leading and trailing zeros are not significant digits.
    assert item_size({"n": Decimal("1200.00")}) == 1 + 2
    assert item_size({"n": 0.0012}) == 1 + 2


@pytest.mark.slow
def test_the_stored_item_stays_within_one_write_unit_day_after_day() -> None:
    year = simulate_year_on_moto(SIMULATED_DAYS)
    assert len(YEAR_USER_ID) == 255, "the key is counted at Alexa's longest user id"
    assert year.days_active > SIMULATED_DAYS // 2
    assert year.largest <= TARGET_RECORD_BYTES, year.sizes


def test_the_largest_record_the_schema_can_hold_fits_one_write_unit() -> None:
    record = largest_possible_record()
    assert record.reminder_token is not None and record.reminder_declined_on is not None
    assert len(record.recent_days) == 2
    assert all(len(day.completed) == 9 for day in record.recent_days)
    assert largest_possible_item() <= TARGET_RECORD_BYTES
