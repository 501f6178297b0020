"""A shared Echo, through lambda_handler: each recognised person keeps their own progress, the
account's record serves whoever is not recognised, Alexa greets a person by name (a name the
skill never keeps), "delete my data" deletes the speaker's own record and says whose, and
SkillDisabled deletes every record of the account. On DynamoDB (moto) and the embedded store.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from local.envelopes import AlexaDevice, AlexaSession, skill_disabled_event
from si_coach.storage.lifecycle import person_tag
from si_coach.voice.speaker import voice_for
from si_coach.voice.speech import name_ssml

USER = "amzn1.ask.account.HOUSEHOLD"
ALICE = "amzn1.ask.person.ALICE0000000000000000000000000000"
BOB = "amzn1.ask.person.BOB000000000000000000000000000000"
MOMENT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WORDS = voice_for("en-US").wording
Handler = Callable[[dict, object], dict]


def lambda_handler(monkeypatch: pytest.MonkeyPatch, **environment: str) -> Handler:
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.delenv("TABLE_NAME", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import lambda_function

    return importlib.reload(lambda_function).lambda_handler


@pytest.fixture(params=["dynamodb", "embedded"])
def household(request, monkeypatch: pytest.MonkeyPatch, tmp_path) -> tuple[Handler, Callable]:
    """The skill, and a reader of every record the store holds for the account."""
    if request.param == "dynamodb":
        table = request.getfixturevalue("moto_dynamodb_table")
        handler = lambda_handler(monkeypatch, TABLE_NAME=table.name)

        def records() -> dict[str | None, dict]:
            item = table.get_item(Key={"id": USER}, ConsistentRead=True).get("Item", {})
            found = {}
            for name, value in item.items():
                if name == "attributes":
                    found[None] = _plain(value)
                elif name.startswith("p_"):
                    found[name[2:]] = _plain(value)
            return found

        return handler, records
    import sqlite3

    handler = lambda_handler(monkeypatch, SI_COACH_DATA_DIR=str(tmp_path))

    def records() -> dict[str | None, dict]:
        with sqlite3.connect(tmp_path / "progress.sqlite3") as connection:
            rows = connection.execute("SELECT user_id, record_json FROM progress_record").fetchall()
        found = {}
        for key, record in rows:
            if key == USER:
                found[None] = json.loads(record)
            elif key.startswith(USER + "#"):
                found[key[len(USER) + 1 :]] = json.loads(record)
        return found

    return handler, records


def _plain(value: object) -> dict:
    return json.loads(json.dumps(value, default=lambda d: int(d) if d == int(d) else float(d)))


def speaker(handler: Handler, person_id: str | None, clock: datetime = MOMENT) -> AlexaSession:
    device = AlexaDevice(user_id=USER, device_id="amzn1.ask.device.KITCHEN", person_id=person_id)
    return AlexaSession(handler, device=device, clock=clock)


def ssml(session: AlexaSession) -> str:
    return session.last_response["response"]["outputSpeech"]["ssml"]


def test_two_recognised_people_and_an_unrecognised_one_keep_three_records(household) -> None:
    handler, records = household
    alice = speaker(handler, ALICE)
    alice.launch()
    assert name_ssml(ALICE) in ssml(alice), "Alexa greets a recognised person by name"
    alice.say("InjuredSideIntent", side=("left", "left"))
    alice.say("AMAZON.StopIntent")

    bob = speaker(handler, BOB, alice.clock + timedelta(minutes=5))
    bob.launch()
    assert name_ssml(BOB) in ssml(bob)
    assert WORDS.line("answers.welcome_back") not in bob.text, "Bob is new, not Alice"
    bob.say("PaceIntent", pace=("slower", "slower"))
    bob.say("AMAZON.StopIntent")

    guest = speaker(handler, None, bob.clock + timedelta(minutes=5))
    guest.launch()
    assert "alexa:name" not in ssml(guest)
    guest.say("PaceIntent", pace=("faster", "faster"))
    guest.say("AMAZON.StopIntent")

    stored = records()
    assert set(stored) == {None, person_tag(ALICE), person_tag(BOB)}
    assert stored[person_tag(ALICE)]["injured_side"] == "left"
    assert stored[person_tag(ALICE)]["pace"] == "normal"
    assert stored[person_tag(BOB)]["pace"] == "slower"
    assert "injured_side" not in stored[person_tag(BOB)]
    assert stored[None]["pace"] == "faster"
    # No person id, and no name, is kept: only a tag of the id, as the record's key.
    everything = json.dumps(stored)
    assert ALICE not in everything and BOB not in everything


def test_a_request_without_a_person_mid_session_stays_with_that_persons_record(
    household,
) -> None:
    handler, records = household
    alice = speaker(handler, ALICE)
    alice.launch()
    # Alexa leaves the person out of a later request in the same session.
    alice.device.person_id = None
    alice.say("InjuredSideIntent", side=("right", "right"))
    # And another recognised voice mid-session does not take the routine over either.
    alice.device.person_id = BOB
    alice.say("PaceIntent", pace=("slower", "slower"))
    alice.say("AMAZON.StopIntent")
    stored = records()
    assert set(stored) == {person_tag(ALICE)}
    assert stored[person_tag(ALICE)]["injured_side"] == "right"
    assert stored[person_tag(ALICE)]["pace"] == "slower"


def test_delete_my_data_deletes_the_speakers_own_record_and_says_whose(household) -> None:
    handler, records = household
    for person, pace in ((ALICE, "slower"), (BOB, "faster"), (None, "slower")):
        session = speaker(handler, person)
        session.launch()
        session.say("PaceIntent", pace=(pace, pace))
        session.say("AMAZON.StopIntent")
    alice = speaker(handler, ALICE, MOMENT + timedelta(hours=1))
    alice.launch()
    alice.say("DeleteMyDataIntent")
    alice.say("AMAZON.YesIntent")
    assert name_ssml(ALICE) in ssml(alice), "the answer says whose data went"
    assert "Everyone else's stays." in alice.text
    alice.say("AMAZON.StopIntent")
    stored = records()
    assert stored[person_tag(BOB)]["pace"] == "faster"
    assert stored[None]["pace"] == "slower"
    assert "pace" not in stored[person_tag(ALICE)] or stored[person_tag(ALICE)]["pace"] == "normal"
    # Alice starts afresh; Bob does not.
    again = speaker(handler, ALICE, MOMENT + timedelta(days=1))
    again.launch()
    assert WORDS.line("answers.welcome_back") not in again.text
    bob = speaker(handler, BOB, MOMENT + timedelta(days=1))
    bob.launch()
    bob.say("PaceIntent", pace=("normal", "normal"))
    assert records()[person_tag(BOB)]["pace"] == "normal"


def test_skill_disabled_deletes_every_record_of_the_account(household) -> None:
    handler, records = household
    for person in (ALICE, BOB, None):
        session = speaker(handler, person)
        session.launch()
        session.say("InjuredSideIntent", side=("left", "left"))
        session.say("AMAZON.StopIntent")
    assert len(records()) == 3
    handler(skill_disabled_event(AlexaDevice(user_id=USER), MOMENT + timedelta(hours=2)), None)
    stored = records()
    for record in stored.values():
        assert "injured_side" not in record, record
    # Every one of them starts afresh, and nothing deleted comes back.
    for person in (ALICE, BOB, None):
        session = speaker(handler, person, MOMENT + timedelta(days=1))
        session.launch()
        assert WORDS.line("answers.welcome_back") not in session.text
        session.say("AMAZON.StopIntent")
    assert all("injured_side" not in record for record in records().values())
