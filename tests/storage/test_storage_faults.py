"""Faults in DynamoDB, injected at the boto3 level: the skill keeps answering and loses nothing.

Faults are answers botocore really gets (a 400 or 503 with DynamoDB's error body, or a read
time-out), injected on the adapter's own client in place of the HTTP call to moto's server,
so the adapter's retries and error handling run as they would against AWS.
(In-process moto would not do: it still performs a call whose answer a test replaces.)
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from local.envelopes import AlexaDevice, AlexaSession, speech_text
from si_coach.routine.catalogue import Pace, Side, default_catalogue
from si_coach.routine.progress import RECORD_SCHEMA_VERSION, ActiveDay, Progress
from si_coach.skill import create_skill_builder, guarded_lambda_handler
from si_coach.storage.dynamodb import ProgressTableAdapter, progress_table_adapter
from si_coach.voice.wording import wording_for

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")
USER = "amzn1.ask.account.TESTUSER"
ERROR_ANSWERS = {
    "throttling": (400, "ProvisionedThroughputExceededException"),
    "service unavailable": (503, "ServiceUnavailable"),
    "access denied": (400, "AccessDeniedException"),
}
FAULTS = [*ERROR_ANSWERS, "time-out"]


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: object):
        yield self.content


class StoreFaults:
    """Makes chosen DynamoDB operations fail on one client until told otherwise."""

    def __init__(self, adapter: ProgressTableAdapter) -> None:
        self.failing: dict[str, str] = {}
        # How many more calls of an operation fail, when only some should (absent: all).
        self.times: dict[str, int] = {}
        self.calls: Counter[str] = Counter()
        events = adapter.client.meta.events
        # An answer from a before-send handler stands in for the HTTP exchange.
        events.register_first("before-send.dynamodb", self._before_send)

    def _before_send(self, request, event_name: str, **_: object) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        self.calls[operation] += 1
        fault = self.failing.get(operation)
        if fault is None:
            return None
        if operation in self.times:
            self.times[operation] -= 1
            if self.times[operation] <= 0:
                del self.failing[operation], self.times[operation]
        if fault == "time-out":
            raise ReadTimeoutError(endpoint_url=request.url)
        status, code = ERROR_ANSWERS[fault]
        body = json.dumps(
            {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"}
        ).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
        return AWSResponse(request.url, status, headers, _Body(body))


@pytest.fixture
def table(dynamodb_server_table):
    return dynamodb_server_table


@pytest.fixture
def faulty_skill(table) -> tuple[Callable, StoreFaults]:
    """lambda_handler on a table over HTTP, built as the Lambda builds it, with a fault switch."""
    adapter = progress_table_adapter(table.name)
    handler = guarded_lambda_handler(create_skill_builder(adapter), None)
    return handler, StoreFaults(adapter)


def stored(table, user_id: str = USER) -> dict:
    item = table.get_item(Key={"id": user_id}).get("Item")
    return json.loads(json.dumps(item["attributes"], default=float)) if item else {}


def stored_progress(table, user_id: str = USER) -> Progress:
    """The stored record as the skill reads it (the stored form names variants by code)."""
    return Progress.from_dict(stored(table, user_id), CATALOGUE)


def finish_exercise(session: AlexaSession, variant_id: str) -> None:
    name = WORDS.variant(variant_id).name
    session.say("GoToExerciseIntent", exercise=(name, variant_id))
    for _ in range(20):
        session.say("AMAZON.NextIntent")
        if f"You've finished the {name}." in session.text:
            return
    raise AssertionError(f"{variant_id} never finished")


@pytest.mark.parametrize("fault", FAULTS)
def test_an_unreadable_store_still_coaches_and_merges_once_it_answers(
    faulty_skill, table, fault, caplog
) -> None:
    handler, faults = faulty_skill
    yesterday = AlexaSession(handler)
    yesterday.launch()
    finish_exercise(yesterday, "bridge")
    yesterday.say("AMAZON.StopIntent")
    before = stored(table)
    assert stored_progress(table).recent_days[0].completed == ("bridge",)

    today = AlexaSession(handler, clock=yesterday.clock + timedelta(days=1))
    writes_before = faults.calls["UpdateItem"]
    faults.failing["GetItem"] = fault
    today.launch()
    assert today.text.startswith("I can't reach your saved progress just now.")
    finish_exercise(today, "hip_abduction")
    assert faults.calls["UpdateItem"] == writes_before, "no write while the record is unknown"
    assert stored(table) == before

    faults.failing.clear()
    today.say("AMAZON.NextIntent")
    assert speech_text(today.last_response)
    after = stored(table)
    merged = stored_progress(table)
    days = {entry.day.isoformat(): entry.completed for entry in merged.recent_days}
    assert days["2026-11-23"] == ("bridge",)
    assert days["2026-11-24"] == ("hip_abduction",)
    assert merged.levels["bridge"] == 1
    assert after["revision"] == before["revision"] + 1
    assert "could not read saved progress" in caplog.text


@pytest.mark.parametrize("fault", ["throttling", "service unavailable", "time-out"])
def test_a_fault_that_passes_at_once_is_retried_within_the_turn(faulty_skill, table, fault):
    handler, faults = faulty_skill
    session = AlexaSession(handler)
    faults.failing["GetItem"], faults.times["GetItem"] = fault, 1
    faults.failing["UpdateItem"], faults.times["UpdateItem"] = fault, 1
    session.launch()
    assert not session.text.startswith("I can't reach your saved progress just now.")
    finish_exercise(session, "bridge")
    assert faults.calls["GetItem"] == 2, "one read failed, and was tried again"
    assert stored_progress(table).recent_days[0].completed == ("bridge",)


def test_a_refusal_is_not_retried(faulty_skill) -> None:
    handler, faults = faulty_skill
    faults.failing["GetItem"] = "access denied"
    AlexaSession(handler).launch()
    assert faults.calls["GetItem"] == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_write_mid_session_is_saved_on_a_later_turn(faulty_skill, table, fault) -> None:
    handler, faults = faulty_skill
    session = AlexaSession(handler)
    session.launch()
    faults.failing["UpdateItem"] = fault
    finish_exercise(session, "bridge")
    assert "couldn't save" not in session.text, "mid-session, the next turn will save"
    assert stored(table) == {}
    faults.failing.clear()
    session.say("AMAZON.NextIntent")
    assert stored_progress(table).recent_days[0].completed == ("bridge",)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_write_at_the_end_of_a_session_is_said_out_loud(
    faulty_skill, table, fault
) -> None:
    handler, faults = faulty_skill
    session = AlexaSession(handler)
    session.launch()
    session.say("StartRoutineIntent")
    faults.failing["UpdateItem"] = fault
    response = session.say("PainIntent")
    assert session.text.startswith("Stop now.")
    assert session.text.endswith("I couldn't save your progress just now, sorry.")
    assert response["response"]["shouldEndSession"] is True


@pytest.mark.parametrize(
    ("record", "kept"),
    [
        ({"schema": 0, "routine": {"variant": "bridge"}}, {}),
        ({"streak": 3}, {}),
        ("not a record at all", {}),
        (
            {
                "schema": 1,
                "routine": {"version": 1, "phase": "dancing"},
                "days": [["2026-11-22", ["bridge", "cartwheel"]]],
                "levels": {"bridge": 2, "cartwheel": 9, "clamshell": "lots"},
                "streak": "many",
                "pace": "sprint",
                "injured_side": "left",
            },
            {
                # yesterday's finished bridge survives the damage; starting is not a day done
                "recent_days": (ActiveDay(date(2026, 11, 22), ("bridge",)),),
                "levels": {"bridge": 2},
                "injured_side": Side.LEFT,
                "pace": Pace.NORMAL,
                "streak_days": 0,
            },
        ),
    ],
    ids=["older schema", "no schema", "not a map", "damaged fields"],
)
def test_an_old_or_damaged_record_is_reset_with_a_log_line_never_a_crash(
    faulty_skill, table, record, kept, caplog
) -> None:
    handler, _ = faulty_skill
    table.put_item(Item={"id": USER, "attributes": record})
    session = AlexaSession(handler)
    with caplog.at_level(logging.WARNING):
        session.launch()
        session.say("StartRoutineIntent")
        session.say("AMAZON.StopIntent")
    assert "Sorry" not in session.text
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert stored(table)["schema"] == RECORD_SCHEMA_VERSION
    saved = stored_progress(table)
    for key, value in kept.items():
        assert getattr(saved, key) == value


def test_two_devices_interleaved_lose_no_finished_exercise(faulty_skill, table):
    handler, faults = faulty_skill
    kitchen = AlexaSession(handler, AlexaDevice(device_id="amzn1.ask.device.KITCHEN"))
    bedroom = AlexaSession(handler, AlexaDevice(device_id="amzn1.ask.device.BEDROOM"))
    kitchen.launch()
    bedroom.launch()
    kitchen.say("StartRoutineIntent")
    bedroom.say("GoToExerciseIntent", exercise=("clamshell", "clamshell"))
    heard: set[str] = set()
    turns = 0
    while turns < 120:
        for session in (kitchen, bedroom):
            if session.session_id is None:
                session.launch()
                session.say("AMAZON.YesIntent")
            session.say("AMAZON.NextIntent")
            turns += 1
            heard |= {
                v.id
                for v in CATALOGUE.variants
                if f"You've finished the {WORDS.variant(v.id).name}." in session.text
            }
    kitchen.say("AMAZON.StopIntent")
    bedroom.say("AMAZON.StopIntent")
    assert turns >= 100
    record = stored(table)
    finished_today = set(stored_progress(table).recent_days[0].completed)
    assert heard <= finished_today
    assert len(heard) >= 6, "both devices finished several exercises"
    assert faults.calls["UpdateItem"] > record["revision"], "some writes conflicted and were merged"


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_delete_is_said_and_the_record_stays_whole(faulty_skill, table, fault) -> None:
    handler, faults = faulty_skill
    session = AlexaSession(handler)
    session.launch()
    finish_exercise(session, "bridge")
    session.say("AMAZON.StopIntent")
    before = stored(table)
    session.launch()
    session.say("DeleteMyDataIntent")
    # A deletion replaces the record by its deletion marker: a write.
    faults.failing["UpdateItem"] = fault
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("I couldn't delete your data just now. Nothing has changed.")
    faults.failing.clear()
    session.say("HistoryIntent")
    assert "you did the bridge" in session.text, "the session still has the progress"
    session.say("AMAZON.StopIntent")
    assert stored(table) == before
