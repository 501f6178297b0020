"""Trust: nothing a user saved is lost, reset or brought back, whatever the store, the
devices and the clock do.

Every test drives lambda_handler with JSON envelopes (local/envelopes.py) on a ProgressTable
served over HTTP by moto, with faults injected on the skill's own DynamoDB client (see
test_storage_faults.py), and reads back what the table really holds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from local.envelopes import AlexaDevice, AlexaSession, skill_disabled_event, speech_text
from si_coach.reminders import REMINDERS_PERMISSION, RemindersClient
from si_coach.routine.catalogue import Pace, Side
from si_coach.routine.pacing import Phase, RoutineState
from si_coach.routine.progress import ActiveDay, Progress
from si_coach.skill import create_skill_builder, guarded_lambda_handler
from si_coach.storage.dynamodb import progress_table_adapter
from si_coach.voice.wording import wording_for
from tests.skill.test_reminder_dialogue import QUICK_TIMEOUT
from tests.storage.test_storage_faults import CATALOGUE, USER, StoreFaults, finish_exercise
from tests.support.alexa_service import AlexaService
from tests.support.https_api import serve_https

WORDS = wording_for("en-US")
SOMETHING_WRONG = "something went wrong"
KITCHEN = AlexaDevice(device_id="amzn1.ask.device.KITCHEN")
BEDROOM = AlexaDevice(device_id="amzn1.ask.device.BEDROOM")
MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def table(dynamodb_server_table):
    return dynamodb_server_table


@pytest.fixture
def faulty_skill(table):
    """lambda_handler on a table over HTTP, built as the Lambda builds it, with a fault switch."""
    adapter = progress_table_adapter(table.name)
    return guarded_lambda_handler(create_skill_builder(adapter), None), StoreFaults(adapter)


def put_record(table, progress: Progress | dict, user_id: str = USER) -> None:
    record = progress.to_dict(CATALOGUE) if isinstance(progress, Progress) else progress
    table.put_item(Item={"id": user_id, "attributes": _numbers(record)})


def _numbers(value: object) -> object:
    """A record as boto3's resource layer takes it: numbers as Decimal."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers(item) for item in value]
    return value


def stored(table, user_id: str = USER) -> dict:
    """The stored record in plain JSON types (whole numbers as int)."""
    item = table.get_item(Key={"id": user_id}).get("Item")
    return json.loads(json.dumps(item["attributes"], default=_plain)) if item else {}


def stored_progress(table, user_id: str = USER) -> Progress:
    return Progress.from_dict(stored(table, user_id), CATALOGUE)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(value)


def at_the_clamshell(revision: int = 4) -> Progress:
    """A user with settings and a place in the routine: injured left, slower, at the clamshell."""
    return Progress(
        routine=RoutineState(
            phase=Phase.READY,
            variant_id="clamshell",
            side=Side.RIGHT,
            updated_at=MORNING.timestamp() - 86_400,
        ),
        recent_days=(ActiveDay(date(2026, 11, 22), ("hip_abduction", "bridge")),),
        streak_days=1,
        active_days=3,
        injured_side=Side.LEFT,
        pace=Pace.SLOWER,
        levels={"hip_abduction": 2, "bridge": 2},
        revision=revision,
    )


# -- 1. one failed read never resets the settings ------------------------------------------


def test_a_session_that_never_read_the_store_keeps_the_stored_settings_and_place(
    faulty_skill, table
) -> None:
    handler, faults = faulty_skill
    put_record(table, at_the_clamshell())
    session = AlexaSession(handler, KITCHEN, clock=MORNING)
    faults.failing["GetItem"] = "throttling"
    session.launch()
    assert session.text.startswith(WORDS.line("answers.store_unreachable"))
    session.say("AMAZON.YesIntent")
    faults.failing.clear()
    session.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert saved.injured_side is Side.LEFT
    assert saved.pace is Pace.SLOWER
    assert saved.routine.variant_id == "clamshell"
    assert saved.levels == {"hip_abduction": 2, "bridge": 2}


def test_a_setting_said_in_a_session_that_never_read_the_store_is_kept_even_the_default(
    faulty_skill, table
) -> None:
    handler, faults = faulty_skill
    put_record(table, at_the_clamshell())
    session = AlexaSession(handler, KITCHEN, clock=MORNING)
    faults.failing["GetItem"] = "time-out"
    session.launch()
    session.say("PaceIntent", pace=("normal", "normal"))
    session.say("InjuredSideIntent", side=("neither", "none"))
    faults.failing.clear()
    session.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert saved.pace is Pace.NORMAL, "the user said normal: that is a change"
    assert saved.injured_side is None
    assert saved.routine.variant_id == "clamshell"


# -- 2. a deletion wins over every session that read before it ------------------------------


def _finished_bridge_yesterday(handler) -> None:
    yesterday = AlexaSession(handler, KITCHEN, clock=MORNING - timedelta(days=1))
    yesterday.launch()
    finish_exercise(yesterday, "bridge")
    yesterday.say("AMAZON.StopIntent")


def _assert_nothing_from_before(table) -> None:
    saved = stored_progress(table)
    assert saved.recent_days == ()
    assert saved.active_days == 0
    assert saved.streak_days == 0
    assert saved.levels == {}


def test_a_deletion_on_one_device_is_not_undone_by_a_session_open_on_another(
    faulty_skill, table
) -> None:
    handler, _ = faulty_skill
    _finished_bridge_yesterday(handler)
    bedroom = AlexaSession(handler, BEDROOM, clock=MORNING)
    bedroom.launch()
    bedroom.say("HistoryIntent")
    kitchen = AlexaSession(handler, KITCHEN, clock=MORNING + timedelta(seconds=30))
    kitchen.launch()
    kitchen.say("DeleteMyDataIntent")
    kitchen.say("AMAZON.YesIntent")
    kitchen.say("PaceIntent", pace=("slower", "slower"))
    kitchen.say("AMAZON.StopIntent")
    assert stored_progress(table).pace is Pace.SLOWER
    bedroom.clock = kitchen.clock
    bedroom.say("InjuredSideIntent", side=("right", "right"))
    bedroom.say("AMAZON.StopIntent")
    assert SOMETHING_WRONG not in bedroom.text.lower()
    _assert_nothing_from_before(table)
    assert stored_progress(table).pace is Pace.SLOWER


def test_a_deletion_wins_even_when_the_store_was_written_back_to_the_same_revision(
    faulty_skill, table
) -> None:
    handler, _ = faulty_skill
    _finished_bridge_yesterday(handler)
    bedroom = AlexaSession(handler, BEDROOM, clock=MORNING)
    bedroom.launch()
    read_revision = stored(table)["revision"]
    kitchen = AlexaSession(handler, KITCHEN, clock=MORNING + timedelta(seconds=30))
    kitchen.launch()
    kitchen.say("DeleteMyDataIntent")
    kitchen.say("AMAZON.YesIntent")
    for pace in ["slower", "faster", "slower", "faster", "slower", "faster"]:
        kitchen.say("PaceIntent", pace=(pace, pace))
        if stored(table).get("revision", 0) >= read_revision:
            break
    kitchen.say("AMAZON.StopIntent")
    bedroom.clock = kitchen.clock
    bedroom.say("InjuredSideIntent", side=("right", "right"))
    bedroom.say("AMAZON.StopIntent")
    _assert_nothing_from_before(table)


def test_skill_disabled_and_re_enabled_is_not_undone_by_an_open_session(
    faulty_skill, table
) -> None:
    handler, _ = faulty_skill
    _finished_bridge_yesterday(handler)
    bedroom = AlexaSession(handler, BEDROOM, clock=MORNING)
    bedroom.launch()
    handler(skill_disabled_event(KITCHEN, MORNING + timedelta(seconds=20)), None)
    kitchen = AlexaSession(handler, KITCHEN, clock=MORNING + timedelta(seconds=40))
    kitchen.launch()
    kitchen.say("PaceIntent", pace=("faster", "faster"))
    kitchen.say("AMAZON.StopIntent")
    bedroom.clock = kitchen.clock
    bedroom.say("InjuredSideIntent", side=("left", "left"))
    bedroom.say("AMAZON.StopIntent")
    _assert_nothing_from_before(table)
    assert stored_progress(table).pace is Pace.FASTER


# -- 3. a barge-in after a merged save undoes only what was not heard -----------------------


def test_a_barge_in_after_a_merged_save_keeps_the_other_devices_work(faulty_skill, table) -> None:
    handler, _ = faulty_skill
    kitchen = AlexaSession(handler, KITCHEN, clock=MORNING)
    kitchen.launch()
    bridge = WORDS.variant("bridge").name
    kitchen.say("GoToExerciseIntent", exercise=(bridge, "bridge"))
    kitchen.say("AMAZON.NextIntent")
    assert f"You've finished the {bridge}." not in kitchen.text

    # Meanwhile the bedroom finishes the clamshell: the kitchen's next save merges it.
    bedroom = AlexaSession(handler, BEDROOM, clock=kitchen.clock)
    bedroom.launch()
    finish_exercise(bedroom, "clamshell")
    bedroom.say("AMAZON.StopIntent")
    assert stored_progress(table).recent_days[0].completed == ("clamshell",)

    kitchen.clock = bedroom.clock
    for _ in range(10):
        kitchen.say("AMAZON.NextIntent")
        if f"You've finished the {bridge}." in kitchen.text:
            break
    merged = stored_progress(table)
    assert set(merged.recent_days[0].completed) == {"clamshell", "bridge"}
    # "Alexa, wait", three seconds into the chunk that finished the bridge: not heard.
    kitchen.barge_in(3)
    kitchen.say("AMAZON.PauseIntent")
    kitchen.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert saved.recent_days[0].completed == ("clamshell",), "the other device's work stays"
    assert saved.levels.get("clamshell") == 1
    assert "bridge" not in saved.levels, "the unheard finish is taken back"
    assert saved.active_days == 1
    assert saved.revision > merged.revision


# -- 7. every count the record can hold is sayable ------------------------------------------


@pytest.mark.parametrize(
    ("active_days", "streak", "said"),
    [
        (1000, 1000, "one thousand days"),
        (36_525, 1001, "thirty-six thousand five hundred and twenty-five days"),
        (10**37, 10**37, ""),
    ],
)
def test_any_count_of_days_is_said_in_words(faulty_skill, table, active_days, streak, said) -> None:
    handler, _ = faulty_skill
    record = Progress(
        recent_days=(ActiveDay(date(2026, 11, 23), ("bridge",)),),
        streak_days=1,
        active_days=1,
        revision=2,
    ).to_dict(CATALOGUE) | {"streak": streak, "active_days": active_days}
    put_record(table, record)
    session = AlexaSession(handler, KITCHEN, clock=MORNING)
    session.launch()
    session.say("HistoryIntent")
    assert SOMETHING_WRONG not in session.text.lower()
    assert said in session.text
    assert not any(ch.isdigit() for ch in session.text)


# -- 6. each stored field is decoded on its own ---------------------------------------------


def _good_record() -> dict:
    return at_the_clamshell().to_dict(CATALOGUE)


@pytest.mark.parametrize(
    ("damage", "kept"),
    [
        ({"levels": ["ab", 2]}, ("injured_side", "pace", "recent_days", "routine")),
        ({"schema": [2]}, ("injured_side", "pace", "recent_days", "levels", "routine")),
        ({"revision": "7"}, ("injured_side", "pace", "recent_days", "levels", "routine")),
        ({"revision": -3}, ("injured_side", "pace", "recent_days", "levels", "routine")),
        ({"revision": 7.5}, ("injured_side", "pace", "recent_days", "levels", "routine")),
        ({"days": [["2026-11-22", ["ab", "br"]], ["yesterday", "bridge"]]}, ("recent_days",)),
        ({"days": [["2026-11-22", ["ab", "br"]], 17]}, ("recent_days", "levels")),
        ({"tz": {"zone": 3}}, ("injured_side", "pace", "recent_days", "levels", "routine")),
        ({"routine": ["ready"]}, ("injured_side", "pace", "recent_days", "levels")),
        ({"streak": float("inf")}, ("injured_side", "pace", "recent_days", "levels")),
    ],
    ids=[
        "levels a list",
        "schema a list",
        "revision text",
        "revision negative",
        "revision fraction",
        "one bad day",
        "one day not a pair",
        "zone a map",
        "routine a list",
        "streak infinite",
    ],
)
def test_a_damaged_field_is_reset_alone_and_the_next_save_repairs_the_record(
    faulty_skill, table, damage, kept, caplog
) -> None:
    handler, _ = faulty_skill
    good = Progress.from_dict(_good_record(), CATALOGUE)
    record = _good_record() | damage
    if "streak" in damage:
        record["streak"] = Decimal("1E+60")  # what DynamoDB can hold closest to infinity
    if "revision" in damage and isinstance(damage["revision"], float):
        record["revision"] = Decimal("7.5")
    put_record(table, record)
    session = AlexaSession(handler, KITCHEN, clock=MORNING)
    with caplog.at_level(logging.WARNING):
        session.launch()
        session.say("HistoryIntent")
        session.say("PaceIntent", pace=("faster", "faster"))
        session.say("AMAZON.StopIntent")
    assert SOMETHING_WRONG not in session.text.lower()
    assert "Sorry" not in session.text
    assert any(r.levelno == logging.WARNING for r in caplog.records), "the reset is logged"
    repaired = stored(table)
    assert isinstance(repaired["revision"], int) and repaired["revision"] >= 1
    assert repaired["schema"] == 2
    saved = stored_progress(table)
    for name in kept:
        if name == "recent_days":
            assert saved.recent_days[-1] == good.recent_days[0], "the good day is kept"
        elif name == "routine":
            assert saved.routine.variant_id == "clamshell"
        elif name == "pace":
            assert saved.pace is Pace.FASTER
        else:
            assert getattr(saved, name) == getattr(good, name), name
    # the next session saves again: the record is not stuck
    later = AlexaSession(handler, KITCHEN, clock=MORNING + timedelta(hours=1))
    later.launch()
    later.say("PaceIntent", pace=("slower", "slower"))
    later.say("AMAZON.StopIntent")
    assert stored_progress(table).pace is Pace.SLOWER


@pytest.mark.parametrize("row", ["not json {", "[1, 2, 3]", '"a string"', "null"])
def test_an_embedded_row_that_is_not_a_record_is_replaced_on_the_next_save(
    tmp_path, row, caplog
) -> None:
    from si_coach.storage.embedded import EmbeddedProgressStore

    store = EmbeddedProgressStore(tmp_path / "progress.sqlite3")
    handler = guarded_lambda_handler(create_skill_builder(store), None)
    first = AlexaSession(handler, KITCHEN, clock=MORNING)
    first.launch()
    first.say("PaceIntent", pace=("faster", "faster"))
    first.say("AMAZON.StopIntent")
    import sqlite3

    with sqlite3.connect(tmp_path / "progress.sqlite3") as connection:
        connection.execute("UPDATE progress_record SET record_json = ?", (row,))
    session = AlexaSession(handler, KITCHEN, clock=MORNING + timedelta(hours=1))
    with caplog.at_level(logging.WARNING):
        session.launch()
        session.say("PaceIntent", pace=("slower", "slower"))
        session.say("AMAZON.StopIntent")
    assert "couldn't save" not in session.text
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert store.get_attributes(_envelope_for(KITCHEN))["pace"] == "slower"


def _envelope_for(device: AlexaDevice):
    from ask_sdk_core.serialize import DefaultSerializer

    raw = device.envelope(
        {"type": "LaunchRequest"}, session_id="s", new=True, attributes={}, timestamp=MORNING
    )
    return DefaultSerializer().deserialize(
        __import__("json").dumps(raw), "ask_sdk_model.RequestEnvelope"
    )


# -- 8. every request the skill can parse gets a sensible answer ----------------------------


GARBLED_ATTRIBUTES = [
    {"time_zone": 5},
    {"time_zone": ["Europe/London"]},
    {"progress": {"schema": 2, "levels": ["ab", 2], "revision": 3}},
    {"progress": {"schema": 2, "streak": 1e308, "active_days": 1e308, "revision": 1}},
    {"progress": [1, 2], "saved_progress": [3]},
    {"saved_progress": {"revision": "x"}, "progress": {"schema": 2, "revision": 1}},
    {"question": ["forget_data"], "paced": [], "before_paced": "x"},
    {"paced": {"answered_at": "soon"}, "before_paced": {"routine": 5, "record": []}},
    {"store_unread": "yes", "changed": 7},
    {"changed": ["pace", ["x"]], "unread_start": {}},
]


@pytest.mark.parametrize("attributes", GARBLED_ATTRIBUTES)
@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.NextIntent", "HistoryIntent"])
def test_garbled_session_attributes_never_break_a_turn(
    faulty_skill, table, attributes, intent
) -> None:
    handler, _ = faulty_skill
    envelope = KITCHEN.envelope(
        {"type": "IntentRequest", "intent": {"name": intent, "confirmationStatus": "NONE"}},
        session_id="amzn1.echo-api.session.GARBLED",
        new=False,
        attributes=attributes,
        timestamp=MORNING,
    )
    response = handler(envelope, None)
    text = speech_text(response)
    assert text
    assert SOMETHING_WRONG not in text.lower()
    assert WORDS.line("answers.unreadable_request") not in text
    if intent == "AMAZON.StopIntent":
        assert response["response"]["shouldEndSession"] is True


def _bare(request: dict, **changes) -> dict:
    envelope = KITCHEN.envelope(
        request,
        session_id="amzn1.echo-api.session.BARE",
        new=True,
        attributes={},
        timestamp=MORNING,
    )
    for key, value in changes.items():
        if value is None:
            envelope.pop(key, None)
        else:
            envelope[key] = value
    return envelope


@pytest.mark.parametrize(
    "envelope",
    [
        _bare({"type": "LaunchRequest"}, session=None),
        _bare(
            {"type": "IntentRequest", "intent": {"name": "HistoryIntent"}},
            session=None,
        ),
        _bare({"type": "IntentRequest", "intent": {"name": "AMAZON.StopIntent"}}, session=None),
        _bare({"type": "IntentRequest", "intent": None}),
        _bare({"type": "IntentRequest"}),
    ],
    ids=["launch, no session", "intent, no session", "stop, no session", "intent null", "none"],
)
def test_a_request_without_a_session_or_an_intent_gets_an_answer(
    faulty_skill, table, envelope
) -> None:
    handler, _ = faulty_skill
    response = handler(envelope, None)
    text = speech_text(response)
    assert text
    assert SOMETHING_WRONG not in text.lower()
    assert WORDS.line("answers.unreadable_request") not in text


@pytest.mark.parametrize("year", [1, 9999])
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_a_timestamp_at_the_ends_of_the_calendar_gets_an_answer(
    faulty_skill, table, year, zone
) -> None:
    handler, _ = faulty_skill
    put_record(
        table,
        Progress(
            recent_days=(ActiveDay(date(2026, 11, 22), ("bridge",)),),
            active_days=1,
            streak_days=1,
            levels={"bridge": 1},
            time_zone=zone,
            time_zone_checked_on=date(2026, 11, 22),
            revision=1,
        ).to_dict(CATALOGUE),
    )
    # Half an hour from the calendar's edge: the local time of a zone lies beyond it.
    if year == 1:
        stamp = datetime(1, 1, 1, 0, 30, tzinfo=UTC)
    else:
        stamp = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    session = AlexaSession(handler, KITCHEN, clock=stamp)
    for say in (session.launch, lambda: session.say("AMAZON.NextIntent")):
        response = say()
        text = speech_text(response)
        assert text
        assert SOMETHING_WRONG not in text.lower()
        assert WORDS.line("answers.unreadable_request") not in text
    session.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert ActiveDay(date(2026, 11, 22), ("bridge",)) in saved.recent_days
    assert all(day.day.year == 2026 for day in saved.recent_days), "history is not rewritten"


# -- 4. the time zone belongs to the device -------------------------------------------------

# 05:30 UTC on the 24th: already the 24th in New York (00:30), still the 23rd in Los Angeles.
NEW_YORK_JUST_PAST_MIDNIGHT = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)


@pytest.fixture
def two_homes(monkeypatch) -> Iterator[tuple[AlexaService, AlexaService, str, str]]:
    """The Alexa APIs as a device in Los Angeles and one in New York see them."""
    monkeypatch.setitem(RemindersClient.__init__.__kwdefaults__, "timeout", QUICK_TIMEOUT)
    west = AlexaService(time_zone="America/Los_Angeles")
    east = AlexaService(time_zone="America/New_York")
    with (
        serve_https(west.handler(), monkeypatch) as west_url,
        serve_https(east.handler(), monkeypatch) as east_url,
    ):
        yield west, east, west_url, east_url
    west.release.set()
    east.release.set()


def _home_device(name: str, endpoint: str) -> AlexaDevice:
    return AlexaDevice(
        device_id=f"amzn1.ask.device.{name}",
        api_endpoint=endpoint,
        permission_scopes={REMINDERS_PERMISSION: "GRANTED"},
    )


def test_each_device_dates_and_reminds_in_its_own_time_zone(
    skill, moto_dynamodb_table, two_homes
) -> None:
    _, east, west_url, east_url = two_homes
    los_angeles = AlexaSession(
        skill, _home_device("LA", west_url), clock=NEW_YORK_JUST_PAST_MIDNIGHT - timedelta(hours=2)
    )
    los_angeles.launch()
    los_angeles.say("PaceIntent", pace=("slower", "slower"))
    los_angeles.say("AMAZON.StopIntent")
    assert stored(moto_dynamodb_table)["tz"][0] == "America/Los_Angeles"

    new_york = AlexaSession(skill, _home_device("NY", east_url), clock=NEW_YORK_JUST_PAST_MIDNIGHT)
    new_york.launch()
    finish_exercise(new_york, "bridge")
    new_york.send(
        {
            "type": "IntentRequest",
            "intent": {
                "name": "SetReminderIntent",
                "confirmationStatus": "NONE",
                "slots": {"time": {"name": "time", "value": "08:00", "confirmationStatus": "NONE"}},
            },
            "dialogState": None,
        }
    )
    new_york.say("AMAZON.YesIntent")
    new_york.say("AMAZON.StopIntent")
    (created,) = east.calls("POST")
    assert created.body["trigger"]["timeZoneId"] == "America/New_York"
    saved = stored_progress(moto_dynamodb_table)
    assert saved.recent_days[0] == ActiveDay(date(2026, 11, 24), ("bridge",))
    assert saved.pace is Pace.SLOWER

    # Los Angeles, still on the 23rd, finishes the clamshell: it joins the newest day.
    los_angeles.clock = new_york.clock
    los_angeles.launch()
    finish_exercise(los_angeles, "clamshell")
    los_angeles.say("AMAZON.StopIntent")
    saved = stored_progress(moto_dynamodb_table)
    assert set(saved.recent_days[0].completed) == {"bridge", "clamshell"}
    assert saved.levels["bridge"] == 1 and saved.levels["clamshell"] == 1


def test_two_devices_that_disagree_about_the_date_lose_no_finish(faulty_skill, table) -> None:
    handler, _ = faulty_skill
    put_record(
        table,
        Progress(
            recent_days=(ActiveDay(date(2026, 11, 22), ("hip_abduction",)),),
            streak_days=1,
            active_days=1,
            revision=3,
        ),
    )
    kitchen = AlexaSession(handler, KITCHEN, clock=NEW_YORK_JUST_PAST_MIDNIGHT)
    bedroom = AlexaSession(handler, BEDROOM, clock=NEW_YORK_JUST_PAST_MIDNIGHT)
    kitchen.launch()
    bedroom.launch()
    # The kitchen's session dates in New York, the bedroom's in Los Angeles.
    kitchen.attributes["time_zone"] = "America/New_York"
    bedroom.attributes["time_zone"] = "America/Los_Angeles"
    finish_exercise(kitchen, "bridge")
    finish_exercise(bedroom, "clamshell")
    kitchen.say("AMAZON.StopIntent")
    bedroom.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    finished = {v for day in saved.recent_days for v in day.completed}
    assert {"bridge", "clamshell"} <= finished
    assert saved.levels["bridge"] == 1 and saved.levels["clamshell"] == 1
    # The later save dates its finish no earlier than the newest day it merged.
    assert saved.active_days in (2, 3)


def test_a_device_clock_years_ahead_does_not_rewrite_history(faulty_skill, table) -> None:
    handler, _ = faulty_skill
    put_record(
        table,
        Progress(
            recent_days=(
                ActiveDay(date(2026, 11, 22), ("bridge",)),
                ActiveDay(date(2026, 11, 21), ("bridge",)),
            ),
            streak_days=2,
            active_days=2,
            levels={"bridge": 2},
            revision=3,
        ),
    )
    wrong_clock = AlexaSession(handler, KITCHEN, clock=datetime(2031, 6, 1, 9, tzinfo=UTC))
    wrong_clock.launch()
    finish_exercise(wrong_clock, "clamshell")
    wrong_clock.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert all(day.day.year < 2028 for day in saved.recent_days), saved.recent_days
    assert ActiveDay(date(2026, 11, 22), ("bridge",)) in saved.recent_days
    right_clock = AlexaSession(handler, BEDROOM, clock=MORNING)
    right_clock.launch()
    finish_exercise(right_clock, "hip_abduction")
    right_clock.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert saved.levels["bridge"] == 2
    assert "hip_abduction" in {v for day in saved.recent_days for v in day.completed}


# -- 9. a hold left running when the session expired is not counted ------------------------


def test_a_hold_left_running_when_the_session_expired_is_offered_again_not_counted(
    faulty_skill, table
) -> None:
    handler, _ = faulty_skill
    # At this level each hold lasts longer than one response: it runs on between them.
    put_record(table, Progress(levels={"hamstring_wall_stretch": 3}, active_days=1, revision=1))
    session = AlexaSession(handler, KITCHEN, clock=MORNING)
    session.launch()
    stretch = WORDS.variant("hamstring_wall_stretch").name
    session.say("GoToExerciseIntent", exercise=(stretch, "hamstring_wall_stretch"))
    for _ in range(6):
        session.say("AMAZON.NextIntent")
        if session.attributes["progress"]["routine"]["phase"] == "holding":
            break
    # Silence while the hold runs on: Alexa ends the session, and the skill saves it.
    session.end("EXCEEDED_MAX_REPROMPTS")
    held = stored_progress(table)
    assert held.routine.phase is Phase.HOLDING, "a long hold runs on between responses"
    reps_before = held.routine.reps_done
    session.wait(days=1)  # the session expired mid-hold; the user comes back the next day
    session.launch()
    assert WORDS.line("answers.hold_lapsed") in session.text
    session.say("AMAZON.YesIntent")
    assert "Time's up" not in session.text
    session.say("AMAZON.StopIntent")
    saved = stored_progress(table)
    assert saved.routine.reps_done == reps_before, "the lapsed hold is not counted"
    assert "hamstring_wall_stretch" not in {v for d in saved.recent_days for v in d.completed}
