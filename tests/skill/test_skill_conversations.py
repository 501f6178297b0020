"""Whole conversations through lambda_handler, with progress in DynamoDB (moto)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from local.envelopes import SKILL_ID, AlexaDevice, AlexaSession, speech_text
from si_coach.routine.catalogue import default_catalogue
from si_coach.routine.progress import ActiveDay, Progress
from si_coach.voice.wording import wording_for
from tests.support.https_api import serve_https

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")
EN_US = (
    Path(__file__).resolve().parents[2] / "interaction_model/interactionModels/custom/en-US.json"
)


def stored_record(table, user_id: str = "amzn1.ask.account.TESTUSER") -> dict:
    item = table.get_item(Key={"id": user_id}).get("Item")
    return json.loads(json.dumps(item["attributes"], default=_plain)) if item else {}


def stored_progress(table, user_id: str = "amzn1.ask.account.TESTUSER") -> Progress:
    """The stored record as the skill reads it (the stored form names variants by code)."""
    return Progress.from_dict(stored_record(table, user_id), CATALOGUE)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    raise TypeError(value)


def finish_first_exercise(session: AlexaSession) -> None:
    """Start the routine and finish its first exercise (only a finished one counts a day)."""
    session.say("StartRoutineIntent")
    while "You've finished" not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("AMAZON.StopIntent")


def routine_of(record: dict) -> dict:
    return record["routine"]


def test_a_first_time_user_hears_a_welcome_the_safety_rule_and_an_offer(skill) -> None:
    session = AlexaSession(skill)
    response = session.launch()
    text = session.text
    assert text.startswith("Welcome to S.I. joint coach.")
    assert WORDS.safety_reminder in text
    assert "start the routine" in text
    assert response["response"]["shouldEndSession"] is False
    assert response["response"]["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("First: hip abduction.")


def test_the_whole_routine_from_launch_to_the_last_rep(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    finished = []
    for _ in range(200):
        response = session.say("AMAZON.NextIntent")
        text = speech_text(response)
        names = [WORDS.variant(v.id).name for v in CATALOGUE.variants]
        finished += [name for name in names if f"You've finished the {name}." in text]
        if response["response"].get("shouldEndSession"):
            break
    assert "And that's the whole routine." in session.text
    assert finished == [WORDS.variant(v.id).name for v in CATALOGUE.variants]
    record = stored_record(moto_dynamodb_table)
    assert routine_of(record)["phase"] == "finished"
    progress = stored_progress(moto_dynamodb_table)
    ids = tuple(v.id for v in CATALOGUE.variants)
    assert progress.recent_days[0] == ActiveDay(date(2026, 11, 23), ids)
    assert all(progress.levels[v.id] == 1 for v in CATALOGUE.variants if v.top_level)
    session.wait(days=1)
    session.launch()
    assert "Yesterday you did the whole routine. Shall we go through the routine again?" in (
        session.text
    )


def test_after_skipping_to_the_end_the_greeting_counts_what_was_done(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("trunk rotation", "lower_trunk_rotation"))
    while "You've finished the lower trunk rotation." not in session.text:
        session.say("AMAZON.NextIntent")
    session.wait(days=1)
    session.launch()
    assert "Yesterday you did one exercise." in session.text
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("First: hip abduction.")


def test_stop_halfway_and_resume_the_next_day_on_another_device(skill, moto_dynamodb_table):
    kitchen = AlexaSession(skill, AlexaDevice(device_id="amzn1.ask.device.KITCHEN"))
    kitchen.launch()
    kitchen.say("GoToExerciseIntent", exercise=("clamshell", "clamshell"))
    kitchen.say("AMAZON.NextIntent")  # left side, first reps
    kitchen.say("AMAZON.NextIntent")  # left side done: the right side is announced
    assert "Now your right side." in kitchen.text
    kitchen.say("AMAZON.StopIntent")
    assert kitchen.text == "Okay. I've saved your place. See you next time."
    saved = routine_of(stored_record(moto_dynamodb_table))
    assert (saved["variant"], saved["side"], saved["set"]) == ("clamshell", "right", 1)

    bedroom = AlexaSession(
        skill,
        AlexaDevice(device_id="amzn1.ask.device.BEDROOM"),
        clock=kitchen.clock + timedelta(days=1),
    )
    bedroom.launch()
    assert "Welcome back." in bedroom.text
    assert "Pick up with the clamshell?" in bedroom.text
    bedroom.say("AMAZON.YesIntent")
    assert "You're on the clamshell, right side." in bedroom.text
    assert "Lie on your left side, so your right knee is on top." in bedroom.text
    bedroom.say("AMAZON.NextIntent")
    assert "Raise your top knee." in bedroom.text


def test_yesterday_is_named_when_coming_back(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("bridge", "bridge"))
    while "You've finished the bridge." not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("AMAZON.StopIntent")
    session.wait(days=1)
    session.launch()
    assert "Yesterday you finished the bridge." in session.text
    assert "Pick up with the single knee to chest?" in session.text
    session.say("HistoryIntent")
    assert "Yesterday you did the bridge." in session.text


def test_how_to_mid_exercise_then_carry_on_where_you_were(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    session.say("AMAZON.NextIntent")
    assert "That's six of ten." in session.text
    session.say("HowToIntent", exercise=("glute bridge", "bridge"))
    assert session.text.startswith("Here's the bridge.")
    assert session.text.endswith("Say next to carry on with the hip abduction.")
    session.say("AMAZON.NextIntent")
    assert session.text.startswith("Number seven.")


def test_pain_stops_at_once_saves_and_ends_gently(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("bridge", "bridge"))
    session.say("AMAZON.NextIntent")
    response = session.say("PainIntent")
    assert session.text.startswith("Stop now.")
    assert "call your healthcare provider" in session.text
    assert response["response"]["shouldEndSession"] is True
    record = stored_record(moto_dynamodb_table)
    assert routine_of(record)["phase"] == "paused"
    assert routine_of(record)["variant"] == "bridge"
    assert "pain" not in json.dumps(record), "no pain report is ever stored"
    session.launch()
    assert session.text.startswith(f"Welcome back. {WORDS.safety_reminder}")
    assert "Pick up with the bridge?" in session.text


def test_an_injured_side_is_skipped_and_remembered(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("InjuredSideIntent", side=("left", "left"))
    assert "I'll leave out your left side" in session.text
    session.say("GoToExerciseIntent", exercise=("clam", "clamshell"))
    assert "Lie on your left side, so your right knee is on top." in session.text
    assert stored_record(moto_dynamodb_table)["injured_side"] == "left"
    session.say("AMAZON.NextIntent")
    session.say("AMAZON.NextIntent")
    assert "You've finished the clamshell." in session.text
    session.say("InjuredSideIntent", side=("both sides are fine", "none"))
    assert session.text.startswith("Okay. Both sides it is.")


def test_pace_changes_the_rest_between_reps(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("PaceIntent", pace=("slower", "slower"))
    assert "more rest" in session.text
    session.say("GoToExerciseIntent", exercise=("bridge", "bridge"))
    session.say("AMAZON.NextIntent")
    ssml = session.last_response["response"]["outputSpeech"]["ssml"]
    assert 'Rest. <break time="9600ms"/>' in ssml


@pytest.mark.parametrize("ending", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "session end"])
def test_stop_cancel_and_session_end_save_the_place(skill, moto_dynamodb_table, ending) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    session.say("AMAZON.NextIntent")
    assert routine_of(stored_record(moto_dynamodb_table))["reps_done"] == 0
    if ending == "session end":
        session.end("EXCEEDED_MAX_REPROMPTS")
    else:
        session.say(ending)
        assert session.last_response["response"]["shouldEndSession"] is True
    routine = routine_of(stored_record(moto_dynamodb_table))
    assert (routine["variant"], routine["reps_done"]) == ("hip_abduction", 6)


def test_an_unchanged_session_writes_nothing(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("ListExercisesIntent")
    session.say("AMAZON.StopIntent")
    assert stored_record(moto_dynamodb_table) == {}


def _model_intents() -> dict[str, list[str]]:
    model = json.loads(EN_US.read_text())["interactionModel"]["languageModel"]
    return {i["name"]: [s["name"] for s in i.get("slots", [])] for i in model["intents"]}


def _walk_to_every_phase(skill) -> Iterator[AlexaSession]:
    """Sessions left in each phase of the engine, for probing with every intent."""
    moves = {
        "not started": [],
        "ready": [("StartRoutineIntent", {})],
        "in set": [("StartRoutineIntent", {}), ("AMAZON.NextIntent", {})],
        "holding": [
            ("GoToExerciseIntent", {"exercise": ("hamstring", "hamstring_wall_stretch")}),
            ("AMAZON.NextIntent", {}),
        ],
        "paused": [("StartRoutineIntent", {}), ("AMAZON.PauseIntent", {})],
        "after pain": [("StartRoutineIntent", {}), ("PainIntent", {}), ("launch", {})],
        "finished": [
            ("GoToExerciseIntent", {"exercise": ("trunk rotation", "lower_trunk_rotation")}),
            *[("AMAZON.NextIntent", {})] * 4,
            ("launch", {}),
        ],
    }
    for name, steps in moves.items():
        session = AlexaSession(skill, AlexaDevice(user_id=f"amzn1.ask.account.{name}"))
        session.launch()
        for intent, slots in steps:
            if intent == "launch":
                session.launch()
            else:
                session.say(intent, **slots)
        yield session


def test_every_intent_in_every_phase_answers_with_well_formed_speech(skill) -> None:
    import xml.etree.ElementTree as ET

    intents = _model_intents()
    for session in _walk_to_every_phase(skill):
        for intent, slot_names in intents.items():
            probe = AlexaSession(skill, session.device, clock=session.clock)
            probe.session_id, probe.attributes = session.session_id, dict(session.attributes)
            if probe.session_id is None:
                probe.launch()
            slots = {name: ("bridge", None) for name in slot_names}
            response = probe.say(intent, **slots)
            body = response["response"]
            ET.fromstring(body["outputSpeech"]["ssml"])
            assert speech_text(response), (intent, session.device.user_id)
            assert "something went wrong" not in speech_text(response), intent
            if not body.get("shouldEndSession"):
                ET.fromstring(body["reprompt"]["outputSpeech"]["ssml"])


def test_every_model_intent_has_a_handler_and_every_handled_intent_exists() -> None:
    from si_coach.handlers.registry import HANDLED_INTENTS

    assert set(_model_intents()) == set(HANDLED_INTENTS)


@pytest.mark.parametrize(
    ("request_body", "expect_speech"),
    [
        ({"type": "IntentRequest", "intent": {"name": "OrderPizzaIntent"}}, True),
        ({"type": "IntentRequest", "intent": {"name": "GoToExerciseIntent"}}, True),
        (
            {
                "type": "IntentRequest",
                "intent": {
                    "name": "GoToExerciseIntent",
                    "slots": {"exercise": {"name": "exercise", "value": "cartwheel"}},
                },
            },
            True,
        ),
        ({"type": "IntentRequest", "intent": {"name": "InjuredSideIntent", "slots": {}}}, True),
        ({"type": "IntentRequest", "intent": {"name": "PaceIntent"}}, True),
        ({"type": "IntentRequest", "intent": {"name": "HowToIntent"}}, True),
        ({"type": "CanFulfillIntentRequest", "intent": {"name": "HowToIntent"}}, False),
        ({"type": "Connections.Response", "name": "Buy", "status": {"code": "200"}}, False),
        ({"type": "System.ExceptionEncountered", "error": {"type": "INVALID_RESPONSE"}}, False),
    ],
)
def test_malformed_or_unexpected_requests_never_raise(skill, request_body, expect_speech) -> None:
    session = AlexaSession(skill)
    session.launch()
    response = session.send(dict(request_body))
    assert "response" in response
    if expect_speech:
        assert speech_text(response)
        assert "something went wrong" not in speech_text(response)


@pytest.mark.parametrize("intent", ["GoToExerciseIntent", "HowToIntent"])
def test_an_unknown_exercise_gets_the_list(skill, intent) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    session.say(intent, exercise=("cartwheels", None))
    assert session.text.startswith("I don't know that one. The exercises are: hip abduction,")
    assert session.text.endswith(
        "Which one would you like? Say next to carry on with the hip abduction."
    )


def test_how_do_i_do_this_one_explains_the_current_exercise(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("clams", "clamshell"))
    session.send(
        {
            "type": "IntentRequest",
            "intent": {"name": "HowToIntent", "slots": {"exercise": {"name": "exercise"}}},
        }
    )
    assert session.text.startswith("Here's the clamshell.")


def test_requests_for_another_skill_are_refused(moto_dynamodb_table, monkeypatch) -> None:
    monkeypatch.setenv("TABLE_NAME", moto_dynamodb_table.name)
    monkeypatch.setenv("SKILL_ID", SKILL_ID)
    import lambda_function

    handler = importlib.reload(lambda_function).lambda_handler
    assert "Welcome" in speech_text(AlexaSession(handler).launch())
    stranger = AlexaSession(handler, AlexaDevice(application_id="amzn1.ask.skill.someone-else"))
    with pytest.raises(PermissionError, match="another skill"):
        stranger.launch()
    assert stored_record(moto_dynamodb_table) == {}


class _TimeZoneApi(BaseHTTPRequestHandler):
    zone = "Pacific/Auckland"
    # Every time-zone request answered, across the test (reset by the fixture).
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if self.path.endswith("/settings/System.timeZone"):
            _TimeZoneApi.asked.append(self.path)
            body = json.dumps(self.zone).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def settings_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The Alexa settings API's time-zone call, over HTTPS on 127.0.0.1 (tests/support)."""
    _TimeZoneApi.asked = []
    monkeypatch.setattr(_TimeZoneApi, "zone", "Pacific/Auckland")
    with serve_https(_TimeZoneApi, monkeypatch) as base_url:
        yield base_url


def test_today_is_the_users_local_date_from_the_settings_api(
    skill, moto_dynamodb_table, settings_api
) -> None:
    from datetime import UTC, datetime

    # 20:00 UTC on the 23rd is already the 24th in Auckland.
    session = AlexaSession(
        skill,
        AlexaDevice(api_endpoint=settings_api),
        clock=datetime(2026, 11, 23, 20, 0, tzinfo=UTC),
    )
    session.launch()
    finish_first_exercise(session)
    assert stored_record(moto_dynamodb_table)["days"][0][0] == "2026-11-24"

    elsewhere = AlexaSession(
        skill,
        AlexaDevice(user_id="amzn1.ask.account.UTC"),
        clock=datetime(2026, 11, 23, 20, 0, tzinfo=UTC),
    )
    elsewhere.launch()
    finish_first_exercise(elsewhere)
    assert stored_record(moto_dynamodb_table, "amzn1.ask.account.UTC")["days"][0][0] == "2026-11-23"


# -- honest wording ------------------------------------------------------------------------


def test_exercises_are_named_with_their_article_and_sets_read_as_english(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("the clams", "clamshell"))
    assert session.text.startswith("Let's do the clamshell, left side.")
    session.say("GoToExerciseIntent", exercise=("pillow squeeze", "hip_adduction"))
    assert "Do two sets of fifteen." in session.text
    assert "Do it two sets" not in session.text


def test_a_history_of_exercises_can_be_followed_by_ear(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("knee hugs", "knee_to_chest"))
    while "You've finished the double knee to chest." not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("HistoryIntent")
    assert session.text.startswith(
        "Earlier today you did the single knee to chest and the double knee to chest."
    )
    assert "knee to chest," not in session.text


def test_skipping_every_exercise_is_not_praised_and_is_not_a_day_exercised(
    skill, moto_dynamodb_table
) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    for _ in range(len(CATALOGUE.variants)):
        response = session.say("SkipExerciseIntent")
    assert response["response"]["shouldEndSession"] is True
    assert "Well done" not in session.text
    assert "You didn't finish an exercise today." in session.text
    record = stored_record(moto_dynamodb_table)
    assert record["days"] == [] and record["active_days"] == 0
    session.wait(days=1)
    session.launch()
    session.say("HistoryIntent")
    assert session.text.startswith("You haven't done any exercises with me yet.")


def test_skipping_to_the_end_says_what_was_really_done(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("bridge", "bridge"))
    while "You've finished the bridge." not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("GoToExerciseIntent", exercise=("trunk rotation", "lower_trunk_rotation"))
    session.say("SkipExerciseIntent")
    assert "Today you finished the bridge." in session.text
    assert "Well done" not in session.text


def test_the_time_zone_is_kept_in_the_record_and_asked_again_after_a_week(
    skill, moto_dynamodb_table, settings_api
) -> None:
    from datetime import UTC, datetime

    device = AlexaDevice(api_endpoint=settings_api)
    start = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    first = AlexaSession(skill, device, clock=start)
    first.launch()
    finish_first_exercise(first)
    assert len(_TimeZoneApi.asked) == 1
    assert stored_progress(moto_dynamodb_table).time_zone == "Pacific/Auckland"

    # The next few days' sessions start without the round trip, and still date by Auckland.
    for day in range(1, 7):
        later = AlexaSession(skill, device, clock=start + timedelta(days=day))
        later.launch()
        finish_first_exercise(later)
    assert len(_TimeZoneApi.asked) == 1
    assert stored_progress(moto_dynamodb_table).recent_days[0].day.isoformat() == "2026-11-30"

    # A week on, the zone is asked again: the device moved to London meanwhile.
    moved_to = "Europe/London"
    _TimeZoneApi.zone = moved_to
    week_on = AlexaSession(skill, device, clock=start + timedelta(days=7))
    week_on.launch()
    finish_first_exercise(week_on)
    assert len(_TimeZoneApi.asked) == 2
    progress = stored_progress(moto_dynamodb_table)
    assert progress.time_zone == moved_to
    assert progress.recent_days[0].day.isoformat() == "2026-11-30"  # 20:00 in London


def test_a_kept_time_zone_stands_in_when_the_settings_api_fails(
    skill, moto_dynamodb_table, settings_api
) -> None:
    from datetime import UTC, datetime

    start = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    first = AlexaSession(skill, AlexaDevice(api_endpoint=settings_api), clock=start)
    first.launch()
    finish_first_exercise(first)
    # Ten days on, from a device the settings API can't be reached for: the kept zone dates.
    later = AlexaSession(skill, AlexaDevice(), clock=start + timedelta(days=10))
    later.launch()
    finish_first_exercise(later)
    assert stored_progress(moto_dynamodb_table).recent_days[0].day.isoformat() == "2026-12-04"
