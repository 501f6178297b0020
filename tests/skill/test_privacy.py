"""The user's data through lambda_handler: what is kept, said; "delete my data" with its
confirmation; and the SkillDisabled event deleting the record, in DynamoDB (moto) and in the
embedded store. Nothing deleted may come back through a later save.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from local.envelopes import AlexaDevice, AlexaSession, skill_disabled_event
from si_coach.storage.embedded import DATABASE_FILE_NAME, EmbeddedProgressStore

USER = "amzn1.ask.account.TESTUSER"
MOMENT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
Handler = Callable[[dict, object], dict]


def lambda_handler(monkeypatch: pytest.MonkeyPatch, **environment: str) -> Handler:
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.delenv("TABLE_NAME", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import lambda_function

    return importlib.reload(lambda_function).lambda_handler


@pytest.fixture
def skill(moto_dynamodb_table, monkeypatch: pytest.MonkeyPatch) -> Handler:
    return lambda_handler(monkeypatch, TABLE_NAME=moto_dynamodb_table.name)


def stored(table, user_id: str = USER) -> dict:
    item = table.get_item(Key={"id": user_id}).get("Item")
    return json.loads(json.dumps(item["attributes"], default=_plain)) if item else {}


def holds_nothing_of_the_user(record: dict) -> bool:
    """A deleted record: nothing stored but the deletion marker (its schema, revision and
    deletion generation, which keep sessions that read the old record from writing it back).
    """
    return set(record) == {"schema", "revision", "gen"} and record["gen"] >= 1


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    raise TypeError(value)


def exercise_a_little(session: AlexaSession) -> None:
    """Finish the bridge (a day exercised) and leave the routine paused on the next one."""
    session.launch()
    session.say("GoToExerciseIntent", exercise=("bridge", "bridge"))
    while "You've finished the bridge." not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("AMAZON.PauseIntent")


# -- what is kept ---------------------------------------------------------------------------


def test_what_do_you_keep_is_answered_honestly(skill) -> None:
    session = AlexaSession(skill, clock=MOMENT)
    session.launch()
    response = session.say("WhatDoYouKeepIntent")
    text = session.text
    assert text.startswith("I keep your place in the routine")
    # The injured side is kept, and said to be: why, that it is about health, how to clear it.
    assert "If you tell me a side is injured, I keep that, so I always leave that side out." in text
    assert "It's about your health, so you can clear it: say, both sides are fine." in text
    assert "never keep anything" not in text, "no claim the injured side contradicts"
    assert "When you tell me something hurts, I keep only your place, as if you'd paused." in text
    assert "four hundred days" in text and "say: delete my data" in text
    assert text.endswith("Say start my routine when you're ready.")
    assert response["response"]["shouldEndSession"] is False


# -- delete my data ---------------------------------------------------------------------------


def test_delete_my_data_asks_first_and_no_keeps_everything(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill, clock=MOMENT)
    exercise_a_little(session)
    before = stored(moto_dynamodb_table)
    session.say("DeleteMyDataIntent")
    assert session.text == (
        "This deletes your progress and your settings. It can't be undone. Shall I delete them?"
    )
    assert stored(moto_dynamodb_table) == before, "nothing is deleted before a yes"
    session.say("AMAZON.NoIntent")
    assert session.text.startswith("Okay. I haven't deleted anything.")
    session.say("AMAZON.StopIntent")
    assert stored(moto_dynamodb_table) == before


def test_delete_my_data_deletes_and_nothing_comes_back(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill, clock=MOMENT)
    exercise_a_little(session)
    assert stored(moto_dynamodb_table)["days"]
    session.say("DeleteMyDataIntent")
    response = session.say("AMAZON.YesIntent")
    assert session.text == (
        "Done. I've deleted your progress and settings. Say start my routine when you're ready."
    )
    assert response["response"]["shouldEndSession"] is False
    assert holds_nothing_of_the_user(stored(moto_dynamodb_table))
    # The session carries on from a fresh record...
    session.say("HistoryIntent")
    assert session.text.startswith("You haven't done any exercises with me yet.")
    # ...and its end saves nothing of the old one.
    session.say("AMAZON.StopIntent")
    assert holds_nothing_of_the_user(stored(moto_dynamodb_table))
    session.launch()
    assert session.text.startswith("Welcome to S.I. joint coach.")


def test_a_user_with_a_reminder_hears_that_alexa_still_rings_it(skill, moto_dynamodb_table):
    moto_dynamodb_table.put_item(
        Item={"id": USER, "attributes": {"schema": 2, "revision": 3, "reminder": "a-token"}}
    )
    session = AlexaSession(skill, clock=MOMENT)
    session.launch()
    session.say("DeleteMyDataIntent")
    session.say("AMAZON.YesIntent")
    assert "Your daily reminder still rings. To stop it, say: stop reminding me." in session.text
    assert holds_nothing_of_the_user(stored(moto_dynamodb_table))


def test_data_deleted_on_one_device_is_not_written_back_by_another(
    skill, moto_dynamodb_table
) -> None:
    kitchen = AlexaSession(skill, AlexaDevice(device_id="amzn1.ask.device.KITCHEN"), MOMENT)
    exercise_a_little(kitchen)
    kitchen.say("AMAZON.ResumeIntent")
    bedroom = AlexaSession(skill, AlexaDevice(device_id="amzn1.ask.device.BEDROOM"), MOMENT)
    bedroom.launch()
    bedroom.say("DeleteMyDataIntent")
    bedroom.say("AMAZON.YesIntent")
    assert holds_nothing_of_the_user(stored(moto_dynamodb_table))
    # The kitchen's session still holds the old progress, and moves on to a new set.
    kitchen.say("AMAZON.PauseIntent")
    kitchen.say("AMAZON.StopIntent")
    assert holds_nothing_of_the_user(stored(moto_dynamodb_table))
    kitchen.launch()
    assert kitchen.text.startswith("Welcome to S.I. joint coach.")


# -- the skill disabled --------------------------------------------------------------------------


@pytest.mark.parametrize("persistence", ["NOT_PERSISTED", "PERSISTED"])
def test_disabling_the_skill_deletes_the_record_in_dynamodb(
    skill, moto_dynamodb_table, persistence
) -> None:
    exercise_a_little(AlexaSession(skill, clock=MOMENT))
    someone_else = AlexaSession(skill, AlexaDevice(user_id="amzn1.ask.account.OTHER"), MOMENT)
    exercise_a_little(someone_else)
    assert stored(moto_dynamodb_table)
    response = skill(skill_disabled_event(AlexaDevice(), MOMENT, persistence), None)
    assert response["version"] == "1.0"
    assert "outputSpeech" not in response["response"]
    assert holds_nothing_of_the_user(stored(moto_dynamodb_table))
    assert stored(moto_dynamodb_table, "amzn1.ask.account.OTHER"), "only that user's record"


def test_disabling_the_skill_deletes_the_record_in_the_embedded_store(
    aws_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = lambda_handler(monkeypatch, SI_COACH_DATA_DIR=str(tmp_path))
    exercise_a_little(AlexaSession(handler, clock=MOMENT))
    store = EmbeddedProgressStore(tmp_path / DATABASE_FILE_NAME)
    envelope = _envelope_of(USER)
    assert store.get_attributes(envelope)["days"]
    response = handler(skill_disabled_event(AlexaDevice(), MOMENT), None)
    assert "outputSpeech" not in response["response"]
    assert holds_nothing_of_the_user(store.get_attributes(envelope))


def test_disabling_the_skill_of_a_user_with_no_record_is_answered(skill) -> None:
    event = skill_disabled_event(AlexaDevice(user_id="amzn1.ask.account.NEVERSEEN"), MOMENT)
    response = skill(event, None)
    assert response["version"] == "1.0"
    assert "outputSpeech" not in response["response"]


def _envelope_of(user_id: str):
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    event = skill_disabled_event(AlexaDevice(user_id=user_id), MOMENT)
    return DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
