"""The storage contract: every progress-record adapter behaves the same through the SDK port.

One suite, run against each backend the skill can be given: DynamoDB under moto in-process,
DynamoDB over real HTTP to moto's server, and the embedded SQLite store. Requests are real
ask_sdk_model RequestEnvelopes; a user is identified by user id, whatever the device.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import Application, Context, Device, RequestEnvelope, User
from ask_sdk_model.interfaces.system import SystemState

from si_coach.storage import adapter_from_environment
from si_coach.storage.dynamodb import ProgressTableAdapter
from si_coach.storage.embedded import DATABASE_FILE_NAME, EmbeddedProgressStore
from si_coach.storage.lifecycle import (
    EXPIRY_ATTRIBUTE,
    EXPIRY_STEP_SECONDS,
    RETENTION_DAYS,
    expiry_after_save,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DAY = 24 * 60 * 60
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
ALICE = "amzn1.ask.account.ALICE"
BOB = "amzn1.ask.account.BOB"
KITCHEN_ECHO = "amzn1.ask.device.KITCHEN"
BEDROOM_ECHO = "amzn1.ask.device.BEDROOM"


def request_envelope(user_id: str, device_id: str = KITCHEN_ECHO) -> RequestEnvelope:
    """A request envelope carrying what adapters key on: the user (and a device)."""
    return RequestEnvelope(
        version="1.0",
        context=Context(
            system=SystemState(
                application=Application(application_id=SKILL_ID),
                user=User(user_id=user_id),
                device=Device(device_id=device_id),
            )
        ),
    )


@dataclass(frozen=True)
class ProgressBackend:
    """One storage backend: ``new_adapter`` returns a fresh adapter on the same storage."""

    name: str
    new_adapter: Callable[[], AbstractPersistenceAdapter]

    def adapter_at(self, clock: ManualClock) -> AbstractPersistenceAdapter:
        """A fresh adapter whose current time is ``clock``'s."""
        adapter = self.new_adapter()
        adapter.clock = clock
        return adapter


class ManualClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float = 1_795_000_000.5) -> None:  # late November 2026
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        self.now += days * DAY + seconds


@pytest.fixture(params=["dynamodb-moto", "dynamodb-http", "embedded-sqlite"])
def progress_backend(request: pytest.FixtureRequest) -> ProgressBackend:
    if request.param == "dynamodb-moto":
        table = request.getfixturevalue("moto_dynamodb_table")
        environ = {"TABLE_NAME": table.name, "AWS_DEFAULT_REGION": "us-east-1"}
        return ProgressBackend(request.param, lambda: adapter_from_environment(environ))
    if request.param == "dynamodb-http":
        table = request.getfixturevalue("dynamodb_server_table")
        # The endpoint is deliberately absent from this mapping: boto3 must find
        # AWS_ENDPOINT_URL_DYNAMODB in the process environment by itself.
        environ = {"TABLE_NAME": table.name}

        def new_http_adapter() -> AbstractPersistenceAdapter:
            adapter = adapter_from_environment(environ)
            assert adapter.client.meta.endpoint_url.startswith("http://127.0.0.1:")
            return adapter

        return ProgressBackend(request.param, new_http_adapter)
    store = request.getfixturevalue("embedded_store")
    return ProgressBackend(request.param, lambda: EmbeddedProgressStore(store.database_path))


@pytest.fixture
def progress_store(progress_backend: ProgressBackend) -> AbstractPersistenceAdapter:
    return progress_backend.new_adapter()


def assert_plain_json_types(value: Any, where: str = "record") -> None:
    """Fail unless ``value`` is made only of the types json.loads produces."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r} is {type(key).__name__}"
            assert_plain_json_types(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_plain_json_types(item, f"{where}[{index}]")
    else:
        assert type(value) in (str, int, float, bool, type(None)), (
            f"{where} is {type(value).__name__}: {value!r}"
        )


def routine_progress(exercise_index: int = 2) -> dict[str, Any]:
    return {
        "routine": "si-joint-basic",
        "position": {"exercise_index": exercise_index, "set": 1, "rep": 4},
        "completed_exercises": ["pelvic-tilt", "bridge"],
        "preferences": {"hold_seconds": 10, "speech_rate": 0.9, "voice_cues": True},
        "last_session_date": "2026-11-23",
    }


# --- the contract ---------------------------------------------------------------------------


def test_unknown_user_has_an_empty_record(progress_store: AbstractPersistenceAdapter) -> None:
    assert progress_store.get_attributes(request_envelope(ALICE)) == {}


def test_saved_record_loads_back(progress_store: AbstractPersistenceAdapter) -> None:
    progress_store.save_attributes(request_envelope(ALICE), routine_progress())

    loaded = progress_store.get_attributes(request_envelope(ALICE))

    assert loaded == routine_progress()
    assert_plain_json_types(loaded)


def test_same_user_on_another_device_finds_the_record(
    progress_backend: ProgressBackend,
) -> None:
    kitchen, bedroom = progress_backend.new_adapter(), progress_backend.new_adapter()
    kitchen.save_attributes(request_envelope(ALICE, KITCHEN_ECHO), routine_progress(3))

    assert bedroom.get_attributes(request_envelope(ALICE, BEDROOM_ECHO)) == routine_progress(3)


def test_users_do_not_see_each_other(progress_store: AbstractPersistenceAdapter) -> None:
    progress_store.save_attributes(request_envelope(ALICE), routine_progress(1))
    progress_store.save_attributes(request_envelope(BOB), routine_progress(5))

    assert progress_store.get_attributes(request_envelope(ALICE)) == routine_progress(1)
    assert progress_store.get_attributes(request_envelope(BOB)) == routine_progress(5)


def test_save_replaces_the_whole_record(progress_store: AbstractPersistenceAdapter) -> None:
    progress_store.save_attributes(request_envelope(ALICE), routine_progress())
    progress_store.save_attributes(request_envelope(ALICE), {"routine": "si-joint-gentle"})

    assert progress_store.get_attributes(request_envelope(ALICE)) == {"routine": "si-joint-gentle"}


def test_delete_forgets_the_user_only(progress_store: AbstractPersistenceAdapter) -> None:
    progress_store.save_attributes(request_envelope(ALICE), routine_progress())
    progress_store.save_attributes(request_envelope(BOB), routine_progress(4))

    progress_store.delete_attributes(request_envelope(ALICE, BEDROOM_ECHO))

    assert progress_store.get_attributes(request_envelope(ALICE)) == {}
    assert progress_store.get_attributes(request_envelope(BOB)) == routine_progress(4)


def test_deleting_an_unknown_user_is_not_an_error(
    progress_store: AbstractPersistenceAdapter,
) -> None:
    progress_store.delete_attributes(request_envelope(BOB))

    assert progress_store.get_attributes(request_envelope(BOB)) == {}


def test_numbers_come_back_as_int_and_float(progress_store: AbstractPersistenceAdapter) -> None:
    numbers = {
        "zero": 0,
        "reps": 12,
        "negative": -3,
        "beyond_double_precision": 2**53 + 1,
        "hold_seconds": 7.5,
        "tenth": 0.1,
        "tiny": 1e-7,
        "huge": 1.5e100,  # DynamoDB numbers stop below 1e126
        "negative_float": -0.25,
        "flags": [True, False],
        "nested": {"list": [1, 2.5, {"deeper": 3}]},
    }
    progress_store.save_attributes(request_envelope(ALICE), numbers)

    loaded = progress_store.get_attributes(request_envelope(ALICE))

    assert loaded == numbers
    assert_plain_json_types(loaded)
    for name in ("zero", "reps", "negative", "beyond_double_precision"):
        assert type(loaded[name]) is int, name
    for name in ("hold_seconds", "tenth", "tiny", "huge", "negative_float"):
        assert type(loaded[name]) is float, name
    assert [type(flag) for flag in loaded["flags"]] == [bool, bool]
    assert [type(item) for item in loaded["nested"]["list"][:2]] == [int, float]


def test_integral_float_keeps_its_value(progress_store: AbstractPersistenceAdapter) -> None:
    # DynamoDB cannot tell 2.0 from 2; the contract promises the value, not int-vs-float.
    progress_store.save_attributes(request_envelope(ALICE), {"speech_rate": 2.0})

    loaded = progress_store.get_attributes(request_envelope(ALICE))

    assert loaded == {"speech_rate": 2}
    assert type(loaded["speech_rate"]) in (int, float)


def test_nested_lists_and_dicts_round_trip(progress_store: AbstractPersistenceAdapter) -> None:
    record = {
        "history": [
            {"date": "2026-11-20", "exercises": [["bridge", 10], ["clam", 8]]},
            {"date": "2026-11-21", "exercises": []},
        ],
        "empty_map": {},
        "empty_list": [],
        "empty_text": "",
        "nothing": None,
        "matrix": [[1, 2], [3, [4, [5, {"six": 6}]]]],
    }
    progress_store.save_attributes(request_envelope(ALICE), record)

    assert progress_store.get_attributes(request_envelope(ALICE)) == record


def test_unicode_round_trips(progress_store: AbstractPersistenceAdapter) -> None:
    record = {
        "name": "Zoë Ñúñez-Łukasiewicz",
        "greeting": "Grüß dich, ça va? 今日は 🧘‍♀️💪🏽",
        "exercise_notes": {"puente de glúteos": "¡bien hecho!", "emoji 🦵": "✓"},
    }
    progress_store.save_attributes(request_envelope(ALICE), record)

    assert progress_store.get_attributes(request_envelope(ALICE)) == record


def test_large_record_round_trips(progress_store: AbstractPersistenceAdapter) -> None:
    record = {
        "history": [
            {
                "date": f"2026-{month:02d}-{day:02d}",
                "session": session,
                "exercise": "side-lying clamshell",
                "reps_done": [10, 10, 8],
                "hold_seconds": 7.5,
                "note": "steady 🙂 " * 3,
            }
            for month in range(1, 13)
            for day in range(1, 29)
            for session in ("morning", "evening")
        ]
    }
    size = len(json.dumps(record, ensure_ascii=False).encode())
    assert 100_000 < size < 400_000  # DynamoDB's item limit is 400 KB
    progress_store.save_attributes(request_envelope(ALICE), record)

    assert progress_store.get_attributes(request_envelope(ALICE)) == record


def test_interleaved_writers_last_write_wins(progress_backend: ProgressBackend) -> None:
    kitchen, bedroom = progress_backend.new_adapter(), progress_backend.new_adapter()

    kitchen.save_attributes(request_envelope(ALICE, KITCHEN_ECHO), routine_progress(1))
    bedroom.save_attributes(request_envelope(ALICE, BEDROOM_ECHO), routine_progress(2))
    kitchen.save_attributes(request_envelope(ALICE, KITCHEN_ECHO), routine_progress(3))

    assert bedroom.get_attributes(request_envelope(ALICE, BEDROOM_ECHO)) == routine_progress(3)
    assert kitchen.get_attributes(request_envelope(ALICE, KITCHEN_ECHO)) == routine_progress(3)


def test_concurrent_writers_never_leave_a_torn_record(progress_backend: ProgressBackend) -> None:
    writer_count, saves_per_writer = 4, 10
    adapters = [progress_backend.new_adapter() for _ in range(writer_count)]

    def progress_record(writer: int, save: int) -> dict[str, Any]:
        # Every field carries the writer and save number, so a mix of two saves shows.
        stamp = f"{writer}-{save}"
        return {"stamp": stamp, "padding": [stamp] * 500, "check": {"stamp": stamp}}

    written = {
        json.dumps(progress_record(writer, save), sort_keys=True)
        for writer in range(writer_count)
        for save in range(saves_per_writer)
    }
    failures: list[BaseException] = []
    start = threading.Barrier(writer_count)

    def write_all(writer: int) -> None:
        try:
            start.wait()
            for save in range(saves_per_writer):
                adapters[writer].save_attributes(
                    request_envelope(ALICE, f"device-{writer}"), progress_record(writer, save)
                )
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=write_all, args=(writer,)) for writer in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    final = adapters[0].get_attributes(request_envelope(ALICE))
    assert json.dumps(final, sort_keys=True) in written
    assert final["stamp"].endswith(f"-{saves_per_writer - 1}")  # some writer's last save


@pytest.mark.parametrize(
    "not_json",
    [
        {"when": datetime(2026, 11, 23, tzinfo=UTC)},
        {"hold_seconds": math.nan},
        {"hold_seconds": math.inf},
    ],
    ids=["datetime", "nan", "infinity"],
)
def test_values_json_cannot_hold_are_refused(
    progress_store: AbstractPersistenceAdapter, not_json: dict[str, Any]
) -> None:
    progress_store.save_attributes(request_envelope(ALICE), routine_progress())

    with pytest.raises(PersistenceException):
        progress_store.save_attributes(request_envelope(ALICE), not_json)

    assert progress_store.get_attributes(request_envelope(ALICE)) == routine_progress()


def test_request_without_a_user_is_refused(progress_store: AbstractPersistenceAdapter) -> None:
    with pytest.raises(PersistenceException):
        progress_store.get_attributes(RequestEnvelope(version="1.0"))


def test_delete_then_save_starts_a_new_record(progress_store: AbstractPersistenceAdapter) -> None:
    alice = request_envelope(ALICE)
    progress_store.save_attributes(alice, {"revision": 1, "days": ["monday"]})
    progress_store.save_attributes(alice, {"revision": 2, "days": ["monday", "tuesday"]})
    progress_store.delete_attributes(alice)

    # A forgotten user starts again at revision 1: the deleted revision 2 is no obstacle.
    progress_store.save_attributes(alice, {"revision": 1, "days": []})

    assert progress_store.get_attributes(alice) == {"revision": 1, "days": []}


def test_deleting_twice_is_not_an_error(progress_store: AbstractPersistenceAdapter) -> None:
    progress_store.save_attributes(request_envelope(ALICE), routine_progress())

    progress_store.delete_attributes(request_envelope(ALICE))
    progress_store.delete_attributes(request_envelope(ALICE))

    assert progress_store.get_attributes(request_envelope(ALICE)) == {}


def test_delete_without_a_user_is_refused(progress_store: AbstractPersistenceAdapter) -> None:
    with pytest.raises(PersistenceException):
        progress_store.delete_attributes(RequestEnvelope(version="1.0"))


# -- time to live: a record not saved for RETENTION_DAYS is gone --------------------------------


def test_a_record_is_kept_for_the_retention_period(progress_backend: ProgressBackend) -> None:
    clock = ManualClock()
    adapter = progress_backend.adapter_at(clock)
    adapter.save_attributes(request_envelope(ALICE), routine_progress())

    clock.advance(days=RETENTION_DAYS - 1)
    assert adapter.get_attributes(request_envelope(ALICE)) == routine_progress()

    clock.advance(days=1, seconds=EXPIRY_STEP_SECONDS)
    assert adapter.get_attributes(request_envelope(ALICE)) == {}
    assert progress_backend.adapter_at(clock).get_attributes(request_envelope(ALICE)) == {}


def test_every_save_moves_the_expiry_on(progress_backend: ProgressBackend) -> None:
    clock = ManualClock()
    adapter = progress_backend.adapter_at(clock)
    for _ in range(3):
        adapter.save_attributes(request_envelope(ALICE), routine_progress())
        clock.advance(days=RETENTION_DAYS - 10)

    assert adapter.get_attributes(request_envelope(ALICE)) == routine_progress()
    clock.advance(days=11)
    assert adapter.get_attributes(request_envelope(ALICE)) == {}


def test_reading_does_not_move_the_expiry(progress_backend: ProgressBackend) -> None:
    clock = ManualClock()
    adapter = progress_backend.adapter_at(clock)
    adapter.save_attributes(request_envelope(ALICE), routine_progress())
    for _ in range(4):
        clock.advance(days=RETENTION_DAYS // 4 - 1)
        assert adapter.get_attributes(request_envelope(ALICE)) == routine_progress()

    clock.advance(days=5)
    assert adapter.get_attributes(request_envelope(ALICE)) == {}


def test_an_expired_record_counts_as_absent_for_conditional_writes(
    progress_backend: ProgressBackend,
) -> None:
    from si_coach.storage import StaleProgressError

    clock = ManualClock()
    adapter = progress_backend.adapter_at(clock)
    alice = request_envelope(ALICE)
    adapter.save_attributes(alice, {"revision": 1, "days": ["long ago"]})
    adapter.save_attributes(alice, {"revision": 2, "days": ["long ago"]})
    clock.advance(days=RETENTION_DAYS + 1)

    with pytest.raises(StaleProgressError):
        adapter.save_attributes(alice, {"revision": 3, "days": ["on the expired copy"]})
    adapter.save_attributes(alice, {"revision": 1, "days": ["a fresh start"]})

    assert adapter.get_attributes(alice) == {"revision": 1, "days": ["a fresh start"]}


def test_one_users_expiry_leaves_others_alone(progress_backend: ProgressBackend) -> None:
    clock = ManualClock()
    adapter = progress_backend.adapter_at(clock)
    adapter.save_attributes(request_envelope(ALICE), routine_progress(1))
    clock.advance(days=200)
    adapter.save_attributes(request_envelope(BOB), routine_progress(5))
    clock.advance(days=RETENTION_DAYS - 100)

    assert adapter.get_attributes(request_envelope(ALICE)) == {}
    assert adapter.get_attributes(request_envelope(BOB)) == routine_progress(5)


def test_the_expiry_is_whole_seconds_rounded_up_to_its_step() -> None:
    saved_at = 1_795_000_000.5
    expiry = expiry_after_save(saved_at)

    assert isinstance(expiry, int)
    assert expiry % EXPIRY_STEP_SECONDS == 0
    assert saved_at + RETENTION_DAYS * DAY <= expiry < saved_at + RETENTION_DAYS * DAY + 3 * 3600


# --- backend specifics -----------------------------------------------------------------------


@pytest.mark.parametrize("table_fixture", ["moto_dynamodb_table", "dynamodb_server_table"])
def test_dynamodb_item_is_keyed_by_user_id_as_the_template_says(
    request: pytest.FixtureRequest, table_fixture: str
) -> None:
    table = request.getfixturevalue(table_fixture)
    adapter = adapter_from_environment({"TABLE_NAME": table.name})
    adapter.clock = ManualClock()
    adapter.save_attributes(request_envelope(ALICE), {"hold_seconds": 7.5})

    item = table.get_item(Key={"id": ALICE}, ConsistentRead=True)["Item"]

    assert item == {
        "id": ALICE,
        "attributes": {"hold_seconds": Decimal("7.5")},
        EXPIRY_ATTRIBUTE: Decimal(expiry_after_save(ManualClock().now)),
    }


def test_dynamodb_expiry_is_the_attribute_the_table_lives_by(moto_dynamodb_table: Any) -> None:
    # DynamoDB deletes an item once the time in its TTL attribute has passed: the adapter
    # must stamp the attribute the table's time-to-live names, as a number.
    ttl = moto_dynamodb_table.meta.client.describe_time_to_live(TableName=moto_dynamodb_table.name)[
        "TimeToLiveDescription"
    ]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": EXPIRY_ATTRIBUTE}

    adapter = adapter_from_environment({"TABLE_NAME": moto_dynamodb_table.name})
    before = time.time()
    adapter.save_attributes(request_envelope(ALICE), routine_progress())
    expiry = moto_dynamodb_table.get_item(Key={"id": ALICE})["Item"][EXPIRY_ATTRIBUTE]

    assert isinstance(expiry, Decimal)
    assert before + RETENTION_DAYS * DAY <= expiry <= time.time() + RETENTION_DAYS * DAY + 3 * 3600


def test_dynamodb_item_written_before_expiries_never_expires(moto_dynamodb_table: Any) -> None:
    moto_dynamodb_table.put_item(Item={"id": ALICE, "attributes": {"revision": 2}})
    clock = ManualClock(now=4_000_000_000)  # the year 2096
    adapter = adapter_from_environment({"TABLE_NAME": moto_dynamodb_table.name})
    adapter.clock = clock

    assert adapter.get_attributes(request_envelope(ALICE)) == {"revision": 2}
    adapter.save_attributes(request_envelope(ALICE), {"revision": 3})
    assert adapter.get_attributes(request_envelope(ALICE)) == {"revision": 3}


def test_embedded_store_purges_expired_records(embedded_store: EmbeddedProgressStore) -> None:
    clock = ManualClock()
    embedded_store.clock = clock
    embedded_store.save_attributes(request_envelope(ALICE), routine_progress(1))
    embedded_store.save_attributes(request_envelope(BOB), routine_progress(2))
    clock.advance(days=RETENTION_DAYS + 1)

    def stored_users() -> list[str]:
        with closing(sqlite3.connect(embedded_store.database_path)) as connection:
            return [row[0] for row in connection.execute("SELECT user_id FROM progress_record")]

    assert embedded_store.get_attributes(request_envelope(ALICE)) == {}
    assert stored_users() == [BOB], "reading an expired record deletes it"
    embedded_store.save_attributes(request_envelope("amzn1.ask.account.CAROL"), {"new": True})
    assert stored_users() == ["amzn1.ask.account.CAROL"], "a save purges every expired record"


def test_embedded_store_file_made_before_expiries_is_upgraded(tmp_path: Path) -> None:
    database_path = tmp_path / DATABASE_FILE_NAME
    with closing(sqlite3.connect(database_path)) as connection:
        connection.execute(
            "CREATE TABLE progress_record (user_id TEXT PRIMARY KEY NOT NULL, "
            "record_json TEXT NOT NULL)"
        )
        connection.execute("INSERT INTO progress_record VALUES (?, ?)", (BOB, '{"revision": 3}'))
        connection.commit()
    clock = ManualClock()
    store = EmbeddedProgressStore(database_path, clock=clock)

    assert store.get_attributes(request_envelope(BOB)) == {"revision": 3}
    store.save_attributes(request_envelope(ALICE), {"revision": 1})
    clock.advance(days=RETENTION_DAYS + 1)
    assert store.get_attributes(request_envelope(ALICE)) == {}
    assert store.get_attributes(request_envelope(BOB)) == {"revision": 3}, "no stamp, no expiry"


def test_dynamodb_adapter_never_creates_the_table(aws_env: dict[str, str]) -> None:
    from moto import mock_aws

    with mock_aws():
        adapter = adapter_from_environment({"TABLE_NAME": "NoSuchTable"})

        with pytest.raises(PersistenceException):
            adapter.get_attributes(request_envelope(ALICE))
        assert adapter.client.list_tables()["TableNames"] == []


def test_embedded_store_creates_its_directory_on_first_use(tmp_path: Path) -> None:
    database_path = tmp_path / "a" / "b" / DATABASE_FILE_NAME
    store = EmbeddedProgressStore(database_path)
    assert not database_path.parent.exists()  # nothing happens before first use

    assert store.get_attributes(request_envelope(ALICE)) == {}
    assert database_path.is_file()


_EMBEDDED_WRITER = """
import sys
from ask_sdk_model import Context, Device, RequestEnvelope, User
from ask_sdk_model.interfaces.system import SystemState
from si_coach.storage.embedded import EmbeddedProgressStore

database_path, user_id, writer = sys.argv[1:]
envelope = RequestEnvelope(
    context=Context(system=SystemState(user=User(user_id=user_id), device=Device(writer)))
)
store = EmbeddedProgressStore(database_path)
for save in range(40):
    stamp = f"{writer}-{save}"
    store.save_attributes(envelope, {"stamp": stamp, "pad": [stamp] * 500})
"""


def test_embedded_store_survives_writers_in_separate_processes(tmp_path: Path) -> None:
    database_path = tmp_path / DATABASE_FILE_NAME
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "lambda")}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _EMBEDDED_WRITER, str(database_path), ALICE, f"process{number}"],
            cwd=REPO_ROOT,
            env=environment,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(3)
    ]
    errors = [writer.communicate(timeout=60)[1] for writer in writers]

    assert [writer.returncode for writer in writers] == [0, 0, 0], errors
    final = EmbeddedProgressStore(database_path).get_attributes(request_envelope(ALICE))
    assert final["stamp"] in {f"process{number}-39" for number in range(3)}
    assert final["pad"] == [final["stamp"]] * 500


# --- choosing the adapter ----------------------------------------------------------------------


def test_table_name_selects_dynamodb(aws_env: dict[str, str]) -> None:
    adapter = adapter_from_environment(
        {"TABLE_NAME": "ProgressTable-abc", "AWS_REGION": "eu-west-1"}
    )

    assert isinstance(adapter, ProgressTableAdapter)
    assert adapter.table_name == "ProgressTable-abc"
    assert set(adapter._key(request_envelope(ALICE))) == {"id"}  # the key it reads and writes
    assert adapter.client.meta.region_name == "eu-west-1"


def test_dynamodb_region_falls_back_to_us_east_1(aws_env: dict[str, str]) -> None:
    adapter = adapter_from_environment({"TABLE_NAME": "ProgressTable-abc"})

    assert adapter.client.meta.region_name == "us-east-1"


def test_endpoint_in_the_given_environment_is_obeyed(aws_env: dict[str, str]) -> None:
    adapter = adapter_from_environment(
        {"TABLE_NAME": "ProgressTable-abc", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:9"}
    )

    assert adapter.client.meta.endpoint_url == "http://127.0.0.1:9"


def test_without_table_name_the_embedded_store_is_used(tmp_path: Path) -> None:
    adapter = adapter_from_environment({"SI_COACH_DATA_DIR": str(tmp_path / "progress")})

    assert isinstance(adapter, EmbeddedProgressStore)
    assert adapter.database_path == tmp_path / "progress" / DATABASE_FILE_NAME


def test_empty_table_name_means_no_table(tmp_path: Path) -> None:
    adapter = adapter_from_environment({"TABLE_NAME": "", "SI_COACH_DATA_DIR": str(tmp_path)})

    assert isinstance(adapter, EmbeddedProgressStore)


def test_embedded_store_default_location_is_in_the_user_data_dir(tmp_path: Path) -> None:
    under_home = adapter_from_environment({"HOME": str(tmp_path)})
    under_xdg = adapter_from_environment({"HOME": str(tmp_path), "XDG_DATA_HOME": "/xdg"})

    assert under_home.database_path == (
        tmp_path / ".local" / "share" / "si-coach" / DATABASE_FILE_NAME
    )
    assert under_xdg.database_path == Path("/xdg/si-coach") / DATABASE_FILE_NAME
    assert list(tmp_path.iterdir()) == []  # choosing the store writes nothing


def test_dynamodb_module_imports_with_no_region_configured(tmp_path: Path) -> None:
    # boto3.resource('dynamodb') raises NoRegionError here; the adapter must not.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name != "TABLE_NAME"
    }
    environment |= {
        "PYTHONPATH": str(REPO_ROOT / "lambda"),
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from si_coach.storage import adapter_from_environment;"
            "adapter = adapter_from_environment({'TABLE_NAME': 'ProgressTable-abc'});"
            "print(adapter.client.meta.region_name)",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "us-east-1"


# -- conditional writes: the revision contract ---------------------------------------------


def test_a_revised_record_only_replaces_the_revision_before_it(progress_backend) -> None:
    from si_coach.storage import StaleProgressError

    adapter = progress_backend.new_adapter()
    alice = request_envelope(ALICE)
    adapter.save_attributes(alice, {"revision": 1, "days": ["monday"]})
    with pytest.raises(StaleProgressError):
        adapter.save_attributes(alice, {"revision": 1, "days": ["a stale copy"]})
    with pytest.raises(StaleProgressError):
        adapter.save_attributes(alice, {"revision": 5, "days": ["from the future"]})
    assert adapter.get_attributes(alice) == {"revision": 1, "days": ["monday"]}
    adapter.save_attributes(alice, {"revision": 2, "days": ["monday", "tuesday"]})
    assert adapter.get_attributes(alice)["days"] == ["monday", "tuesday"]


def test_a_record_without_a_revision_is_written_unconditionally(progress_backend) -> None:
    adapter = progress_backend.new_adapter()
    alice = request_envelope(ALICE)
    adapter.save_attributes(alice, {"legacy": True})
    adapter.save_attributes(alice, {"revision": 1, "legacy": False})
    adapter.save_attributes(alice, {"plain": "overwrite"})
    assert adapter.get_attributes(alice) == {"plain": "overwrite"}


def test_of_two_devices_saving_from_the_same_revision_exactly_one_wins(progress_backend) -> None:
    from si_coach.storage import StaleProgressError

    kitchen, bedroom = progress_backend.new_adapter(), progress_backend.new_adapter()
    kitchen.save_attributes(request_envelope(ALICE, KITCHEN_ECHO), {"revision": 1})
    outcomes = []
    for adapter, device in ((kitchen, KITCHEN_ECHO), (bedroom, BEDROOM_ECHO)):
        try:
            adapter.save_attributes(request_envelope(ALICE, device), {"revision": 2, "by": device})
            outcomes.append("saved")
        except StaleProgressError:
            outcomes.append("stale")
    assert outcomes == ["saved", "stale"]
    assert kitchen.get_attributes(request_envelope(ALICE))["by"] == KITCHEN_ECHO


# -- the client's model loader ------------------------------------------------------------------


def test_the_model_loader_looks_only_in_the_asked_services_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.loaders import Loader

    from si_coach.storage.dynamodb import NamedServiceLoader

    listed: list[str] = []
    real_listdir = os.listdir

    def counting_listdir(path: str) -> list[str]:
        listed.append(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", counting_listdir)
    NamedServiceLoader().load_service_model("dynamodb", "service-2")
    ours = len(listed)
    listed.clear()
    Loader().load_service_model("dynamodb", "service-2")

    assert ours <= 3
    assert len(listed) > 300, "botocore's own loader lists every service"


def test_the_model_loader_still_loads_other_services_and_refuses_unknown_ones() -> None:
    from botocore.exceptions import UnknownServiceError

    from si_coach.storage.dynamodb import NamedServiceLoader

    loader = NamedServiceLoader()

    assert loader.load_service_model("sts", "service-2")["metadata"]["serviceId"] == "STS"
    with pytest.raises(UnknownServiceError):
        loader.load_service_model("no-such-service", "service-2")
    assert "dynamodb" in loader.list_available_services("service-2")
