"""The daily-reminder dialogue through lambda_handler, with progress in DynamoDB (moto) and
Alexa's APIs (the device's time zone, the Reminders API) served over HTTPS by the test.

Every permission outcome and every API failure is driven as Alexa would send it, and
after each the stored record is checked: it names a reminder only when the API confirmed one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import urllib3

from local.envelopes import AlexaDevice, AlexaSession
from si_coach.reminders import REMINDERS_PERMISSION, RemindersClient
from si_coach.routine.catalogue import default_catalogue
from si_coach.routine.progress import Progress
from tests.support.alexa_service import AlexaService, Fault
from tests.support.https_api import serve_https

CATALOGUE = default_catalogue()
USER = "amzn1.ask.account.TESTUSER"
# 06:30 on the 23rd in UTC is 19:30 in Auckland, the device's time zone.
MORNING = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
EIGHT_RULE = "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
QUICK_TIMEOUT = urllib3.Timeout(connect=1.0, read=0.3)
CONFIRM_EIGHT = "Every day at eight in the morning. Shall I set it?"
DONE_EIGHT = (
    "Done. I'll remind you every day at eight in the morning. "
    "To change the time or stop it, just ask me."
)


@pytest.fixture
def alexa() -> Iterator[AlexaService]:
    service = AlexaService()
    yield service
    service.release.set()


@pytest.fixture
def endpoint(alexa: AlexaService, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # A stalled answer times out sooner than in the Lambda, to keep the suite quick.
    monkeypatch.setitem(RemindersClient.__init__.__kwdefaults__, "timeout", QUICK_TIMEOUT)
    with serve_https(alexa.handler(), monkeypatch) as base_url:
        yield base_url


def device(endpoint: str, permission: str | None = "GRANTED") -> AlexaDevice:
    scopes = {REMINDERS_PERMISSION: permission} if permission else {}
    return AlexaDevice(api_endpoint=endpoint, permission_scopes=scopes)


def record(table) -> dict:
    item = table.get_item(Key={"id": USER}).get("Item")
    return json.loads(json.dumps(item["attributes"], default=_plain)) if item else {}


def progress(table) -> Progress:
    return Progress.from_dict(record(table), CATALOGUE)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    raise TypeError(value)


def card_of(response: dict) -> dict | None:
    return response["response"].get("card")


def directives_of(response: dict) -> list[dict]:
    return response["response"].get("directives") or []


@pytest.fixture
def session(skill, endpoint) -> AlexaSession:
    conversation = AlexaSession(skill, device(endpoint), clock=MORNING)
    conversation.launch()
    return conversation


def say_time(session: AlexaSession, intent: str, value: str) -> dict:
    """An intent whose AMAZON.TIME slot Alexa filled with `value` ("08:00", "EV")."""
    body = {
        "name": intent,
        "confirmationStatus": "NONE",
        "slots": {"time": {"name": "time", "value": value, "confirmationStatus": "NONE"}},
    }
    return session.send({"type": "IntentRequest", "intent": body, "dialogState": None})


# -- setting one, the permission granted ----------------------------------------------------


def test_a_reminder_is_confirmed_then_created_in_the_devices_time_zone(
    session, alexa, moto_dynamodb_table
) -> None:
    say_time(session, "SetReminderIntent", "08:00")
    assert session.text == CONFIRM_EIGHT
    reprompt = session.last_response["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert "every day at eight in the morning" in reprompt
    assert alexa.calls("POST") == [], "nothing is created before the yes"
    session.say("AMAZON.YesIntent")
    assert session.text.startswith(DONE_EIGHT)
    (created,) = alexa.calls("POST")
    trigger = created.body["trigger"]
    assert trigger["timeZoneId"] == "Pacific/Auckland"
    assert trigger["recurrence"]["recurrenceRules"] == [EIGHT_RULE]
    # Already 19:30 in Auckland: the first ring is tomorrow morning, local time.
    assert trigger["scheduledTime"] == "2026-11-24T08:00:00.000"
    assert created.body["alertInfo"]["spokenInfo"]["content"] == [
        {"locale": "en-US", "text": "Time for your exercises."}
    ]
    (token,) = alexa.reminders
    assert record(moto_dynamodb_table)["reminder"] == token
    assert session.last_response["response"]["shouldEndSession"] is False


def test_without_a_time_the_time_is_asked_for_and_a_no_sets_nothing(
    session, alexa, moto_dynamodb_table
) -> None:
    session.say("SetReminderIntent")
    assert session.text == "What time each day should I remind you?"
    say_time(session, "SetReminderIntent", "19:30")
    assert session.text == "Every day at seven thirty in the evening. Shall I set it?"
    session.say("AMAZON.NoIntent")
    assert session.text.startswith("Okay, no reminder.")
    assert (alexa.calls("POST"), alexa.calls("PUT")) == ([], [])
    assert "reminder" not in record(moto_dynamodb_table)
    assert progress(moto_dynamodb_table).reminder_declined_on == date(2026, 11, 23)


def test_a_part_of_the_day_becomes_a_suggested_time_to_confirm(session, alexa) -> None:
    say_time(session, "SetReminderIntent", "EV")
    assert session.text == "How about seven in the evening, every day? Shall I set it?"
    session.say("AMAZON.YesIntent")
    (created,) = alexa.calls("POST")
    assert created.body["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=DAILY;BYHOUR=19;BYMINUTE=0;"
    )


def test_a_time_not_understood_is_asked_again(session, alexa) -> None:
    say_time(session, "SetReminderIntent", "?")
    assert session.text.startswith("Sorry, I didn't get the time.")
    say_time(session, "SetReminderIntent", "08:00")
    assert session.text == CONFIRM_EIGHT


def test_yes_to_the_time_question_asks_for_the_time_again(session) -> None:
    session.say("SetReminderIntent")
    session.say("AMAZON.YesIntent")
    assert session.text == "What time each day should I remind you?"


def test_an_existing_reminder_found_by_the_api_is_moved_not_doubled(
    session, alexa, moto_dynamodb_table
) -> None:
    # Set in an earlier session whose record was lost: the API still lists it.
    earlier = alexa.add_reminder(21)
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("Done. Your reminder is now every day at eight in the morning.")
    assert alexa.calls("POST") == []
    assert [c.path for c in alexa.calls("PUT")] == [f"/v1/alerts/reminders/{earlier}"]
    assert record(moto_dynamodb_table)["reminder"] == earlier


# -- the time zone ----------------------------------------------------------------------------


def test_no_reminder_is_set_in_a_time_zone_the_skill_only_guessed(
    skill, alexa, endpoint, moto_dynamodb_table
) -> None:
    alexa.time_zone = None  # the settings API fails: dates fall back to UTC, reminders don't
    session = AlexaSession(skill, device(endpoint), clock=MORNING)
    session.launch()
    say_time(session, "SetReminderIntent", "08:00")
    assert session.text.startswith("I don't know your device's time zone")
    assert "Alexa app" in session.text
    assert alexa.calls("POST") == []
    assert "reminder" not in record(moto_dynamodb_table)


def test_a_device_in_utc_really_gets_utc(skill, alexa, endpoint) -> None:
    alexa.time_zone = "UTC"
    session = AlexaSession(skill, device(endpoint), clock=MORNING)
    session.launch()
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    (created,) = alexa.calls("POST")
    assert created.body["trigger"]["timeZoneId"] == "UTC"


def test_without_access_to_alexas_apis_the_skill_says_it_cant(skill, moto_dynamodb_table):
    session = AlexaSession(skill, clock=MORNING)  # a request without apiEndpoint
    session.launch()
    say_time(session, "SetReminderIntent", "08:00")
    assert session.text.startswith("I can't set reminders from here.")


# -- the permission ------------------------------------------------------------------------------


def ask_without_permission(skill, endpoint) -> AlexaSession:
    session = AlexaSession(skill, device(endpoint, permission=None), clock=MORNING)
    session.launch()
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    return session


def test_without_the_permission_alexa_is_asked_to_ask_for_it(
    skill, endpoint, alexa, moto_dynamodb_table
) -> None:
    session = ask_without_permission(skill, endpoint)
    body = session.last_response["response"]
    assert session.text == "To remind you, I need your permission to set reminders."
    (directive,) = body["directives"]
    assert directive["type"] == "Connections.StartConnection"
    assert directive["uri"] == "connection://AMAZON.AskForPermissionsConsent/2"
    assert directive["input"]["@type"] == "AskForPermissionsConsentRequest"
    assert directive["input"]["permissionScopes"] == [
        {"permissionScope": REMINDERS_PERMISSION, "consentLevel": "ACCOUNT"}
    ]
    assert directive["token"] == "daily-reminder@08:00"
    assert "reprompt" not in body, "Alexa asks next"
    assert "shouldEndSession" not in body
    assert alexa.calls("POST") == []
    assert "reminder" not in record(moto_dynamodb_table)


# Both forms of Alexa's answer: today's SessionResumedRequest, and the older
# Connections.Response to AskFor; each in a session (a new one) and out of one (no session).
ANSWER_FORMS = {
    "resumed": AlexaSession.resume_after_consent,
    "connections-response": AlexaSession.answer_permission_request,
}
WHERE = {"in a session": True, "out of session": False}


def answer_consent(session: AlexaSession, form: str, where: str, *args, **kwargs) -> dict:
    response = ANSWER_FORMS[form](session, *args, in_session=WHERE[where], **kwargs)
    assert "went wrong" not in session.text
    if not WHERE[where]:
        # Nothing to carry on in: the answer is spoken, and ends.
        assert response["response"]["shouldEndSession"] is True
        assert "reprompt" not in response["response"]
        assert "sessionAttributes" not in response
    return response


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("form", ANSWER_FORMS)
def test_accepted_sets_the_agreed_reminder(
    skill, endpoint, alexa, moto_dynamodb_table, *, form, where
) -> None:
    session = ask_without_permission(skill, endpoint)
    token = directives_of(session.last_response)[0]["token"]
    assert session.session_id is None, "the answer may come back as a new session"
    session.device.permission_scopes = {REMINDERS_PERMISSION: "GRANTED"}
    response = answer_consent(session, form, where, "ACCEPTED", token=token)
    assert session.text.startswith(f"Thanks. {DONE_EIGHT}")
    assert card_of(response) is None
    (created,) = alexa.calls("POST")
    assert created.body["trigger"]["recurrence"]["recurrenceRules"] == [EIGHT_RULE]
    assert record(moto_dynamodb_table)["reminder"] == next(iter(alexa.reminders))


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("form", ANSWER_FORMS)
@pytest.mark.parametrize(
    ("status", "code", "card_sent", "said", "card"),
    [
        ("DENIED", "200", False, "Okay. No reminder without your permission.", True),
        ("DENIED", "200", True, "Okay. No reminder without your permission.", False),
        ("NOT_ANSWERED", "200", False, "I didn't hear an answer", True),
        (None, "500", False, "I couldn't ask for permission here", True),
        (None, "400", False, "I couldn't ask for permission here", True),
    ],
    ids=["denied", "denied, Alexa sent the card", "not answered", "failed", "not declared"],
)
def test_every_other_answer_sets_nothing_and_says_how_to_allow_it_later(
    skill, endpoint, alexa, moto_dynamodb_table, *, form, where, status, code, card_sent, said, card
) -> None:
    session = ask_without_permission(skill, endpoint)
    token = directives_of(session.last_response)[0]["token"]
    response = answer_consent(
        session, form, where, status, token=token, code=code, card_sent=card_sent
    )
    assert session.text.startswith(said)
    if card:
        assert card_of(response) == {
            "type": "AskForPermissionsConsent",
            "permissions": [REMINDERS_PERMISSION],
        }
        assert "I've sent a card to your Alexa app." in session.text
    else:
        assert card_of(response) is None
        assert "allow reminders for S.I. joint coach in the Alexa app" in session.text
    assert alexa.calls("POST") == []
    assert "reminder" not in record(moto_dynamodb_table)
    declined = progress(moto_dynamodb_table).reminder_declined_on
    assert (declined is not None) is (status == "DENIED")


@pytest.mark.parametrize("form", ANSWER_FORMS)
def test_an_accepted_answer_without_our_time_asks_for_the_time(
    skill, endpoint, alexa, form
) -> None:
    session = AlexaSession(skill, device(endpoint), clock=MORNING)
    answer_consent(session, form, "in a session", "ACCEPTED", token="something-else")
    assert session.text == "Thanks. What time each day should I remind you?"
    assert alexa.calls("POST") == []


@pytest.mark.parametrize("form", ANSWER_FORMS)
def test_out_of_session_an_accepted_answer_without_our_time_says_how_to_set_one(
    skill, endpoint, alexa, moto_dynamodb_table, form
) -> None:
    # A new user: no record, no session, no turn carried from before.
    session = AlexaSession(skill, device(endpoint), clock=MORNING)
    answer_consent(session, form, "out of session", "ACCEPTED", token="something-else")
    assert session.text == "Thanks. Now you can ask me to remind you every day. See you next time."
    assert alexa.calls("POST") == []


# -- every failure of the API, when creating ------------------------------------------------------

CREATE_FAILURES = [
    (Fault(401), "I'm not allowed to set reminders any more", True),
    (Fault(403), "I'm not allowed to set reminders any more", True),
    (Fault(400), "The reminder service turned that down", False),
    (Fault(429), "The reminder service is busy. Nothing has changed.", False),
    (Fault(500), "The reminder service isn't working right now. Nothing has changed.", False),
    (Fault(503), "The reminder service isn't working right now. Nothing has changed.", False),
    (Fault(stall=True), "The reminder service didn't answer in time.", False),
    (Fault(empty_success=True), "The reminder service gave an answer I couldn't read.", False),
]


@pytest.mark.parametrize(
    ("fault", "said", "card"),
    CREATE_FAILURES,
    ids=["401", "403", "400", "429", "500", "503", "time-out", "no token"],
)
def test_a_failed_create_is_explained_and_nothing_untrue_is_stored(
    session, alexa, moto_dynamodb_table, *, fault, said, card
) -> None:
    alexa.fail_next("POST", fault)
    say_time(session, "SetReminderIntent", "08:00")
    response = session.say("AMAZON.YesIntent")
    assert session.text.startswith(said)
    assert (card_of(response) is not None) is card
    assert "reminder" not in record(moto_dynamodb_table)
    assert session.last_response["response"]["shouldEndSession"] is False


@pytest.mark.parametrize("fault", [Fault(stall=True, still_done=True), Fault(empty_success=True)])
def test_after_an_unconfirmed_create_the_next_one_finds_it_instead_of_making_two(
    session, alexa, moto_dynamodb_table, fault
) -> None:
    alexa.fail_next("POST", fault)
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    assert "reminder" not in record(moto_dynamodb_table)
    (made,) = alexa.reminders  # the API made it, but never said so
    say_time(session, "SetReminderIntent", "09:00")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("Done. Your reminder is now every day at nine in the morning.")
    assert list(alexa.reminders) == [made]
    assert record(moto_dynamodb_table)["reminder"] == made


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault(403), "I'm not allowed to set reminders any more"),
        (Fault(429), "The reminder service is busy."),
        (Fault(stall=True), "The reminder service didn't answer in time."),
    ],
)
def test_a_failed_look_for_an_existing_reminder_creates_nothing(
    session, alexa, moto_dynamodb_table, fault, said
) -> None:
    alexa.fail_next("GET", fault)
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith(said)
    assert alexa.calls("POST") == []
    assert "reminder" not in record(moto_dynamodb_table)


# -- when is my reminder ------------------------------------------------------------------------


def set_one(session: AlexaSession, alexa: AlexaService) -> str:
    """Set the reminder at eight; its token, as the API made it."""
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith(DONE_EIGHT)
    return list(alexa.reminders)[-1]


def test_when_is_my_reminder_reads_the_api(session, alexa, moto_dynamodb_table) -> None:
    token = set_one(session, alexa)
    session.say("WhenIsReminderIntent")
    assert session.text.startswith("I remind you every day at eight in the morning.")
    assert alexa.calls("GET")[-1].path == f"/v1/alerts/reminders/{token}"


def test_a_reminder_deleted_in_the_alexa_app_is_forgotten(
    session, alexa, moto_dynamodb_table
) -> None:
    token = set_one(session, alexa)
    del alexa.reminders[token]
    session.say("WhenIsReminderIntent")
    assert session.text.startswith("That reminder isn't there any more.")
    assert "reminder" not in record(moto_dynamodb_table)


def test_a_reminder_that_has_ended_is_forgotten(session, alexa, moto_dynamodb_table) -> None:
    token = set_one(session, alexa)
    alexa.reminders[token]["status"] = "COMPLETED"
    session.say("WhenIsReminderIntent")
    assert session.text.startswith("Your reminder has ended.")
    assert "reminder" not in record(moto_dynamodb_table)


def test_without_a_stored_token_the_api_list_answers(session, alexa, moto_dynamodb_table) -> None:
    session.say("WhenIsReminderIntent")
    assert session.text.startswith("You don't have a reminder with me.")
    token = alexa.add_reminder(19, 30)
    session.say("WhenIsReminderIntent")
    assert session.text.startswith("I remind you every day at seven thirty in the evening.")
    assert record(moto_dynamodb_table)["reminder"] == token


def test_without_the_permission_there_is_no_reminder_to_read(skill, endpoint, alexa) -> None:
    session = AlexaSession(skill, device(endpoint, permission=None), clock=MORNING)
    session.launch()
    session.say("WhenIsReminderIntent")
    assert session.text.startswith("You don't have a reminder with me.")
    assert alexa.calls("GET") == []


@pytest.mark.parametrize(
    ("fault", "said", "token_kept"),
    [
        (Fault(403), "I'm not allowed to set reminders any more", False),
        (Fault(401), "I'm not allowed to set reminders any more", False),
        (Fault(429), "The reminder service is busy.", True),
        (Fault(500), "The reminder service isn't working right now.", True),
        (Fault(stall=True), "The reminder service didn't answer in time.", True),
    ],
)
def test_a_failed_read_is_explained(
    session, alexa, moto_dynamodb_table, *, fault, said, token_kept
) -> None:
    token = set_one(session, alexa)
    alexa.fail_next("GET", fault)
    session.say("WhenIsReminderIntent")
    assert session.text.startswith(said)
    assert (record(moto_dynamodb_table).get("reminder") == token) is token_kept


# -- change it to seven ---------------------------------------------------------------------------


def test_change_it_to_seven_moves_the_reminder_after_a_yes(
    session, alexa, moto_dynamodb_table
) -> None:
    token = set_one(session, alexa)
    say_time(session, "ChangeReminderIntent", "07:00")
    assert session.text == "Every day at seven in the morning. Shall I set it?"
    assert alexa.calls("PUT") == []
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("Done. Your reminder is now every day at seven in the morning.")
    (moved,) = alexa.calls("PUT")
    assert moved.path == f"/v1/alerts/reminders/{token}"
    assert moved.body["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=DAILY;BYHOUR=7;"
    )
    assert list(alexa.reminders) == [token]
    assert record(moto_dynamodb_table)["reminder"] == token


def test_changing_a_reminder_that_does_not_exist_offers_to_set_one(session, alexa) -> None:
    say_time(session, "ChangeReminderIntent", "07:00")
    assert session.text == (
        "There's no reminder to change. Shall I set one for seven in the morning, every day?"
    )
    session.say("AMAZON.YesIntent")
    assert len(alexa.calls("POST")) == 1


@pytest.mark.parametrize("gone", ["deleted", "completed"])
def test_a_reminder_gone_or_ended_is_replaced_by_a_new_one(
    session, alexa, moto_dynamodb_table, gone
) -> None:
    token = set_one(session, alexa)
    if gone == "deleted":
        del alexa.reminders[token]
    else:
        alexa.reminders[token]["status"] = "COMPLETED"
    say_time(session, "ChangeReminderIntent", "07:00")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("Done. I'll remind you every day at seven in the morning.")
    new = record(moto_dynamodb_table)["reminder"]
    assert new != token and alexa.reminders[new]["status"] == "ON"


@pytest.mark.parametrize(
    ("fault", "said", "token_kept"),
    [
        (Fault(403), "I'm not allowed to set reminders any more", False),
        (Fault(429), "The reminder service is busy. Nothing has changed.", True),
        (Fault(503), "The reminder service isn't working right now. Nothing has changed.", True),
        (Fault(stall=True), "The reminder service didn't answer in time.", True),
    ],
)
def test_a_failed_change_is_explained_and_the_old_time_stays(
    session, alexa, moto_dynamodb_table, *, fault, said, token_kept
) -> None:
    token = set_one(session, alexa)
    alexa.fail_next("PUT", fault)
    say_time(session, "ChangeReminderIntent", "07:00")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith(said)
    assert alexa.calls("POST")[1:] == [], "no second reminder"
    assert (record(moto_dynamodb_table).get("reminder") == token) is token_kept


# -- stop reminding me ----------------------------------------------------------------------------


def test_stop_reminding_me_deletes_it_after_a_yes(session, alexa, moto_dynamodb_table) -> None:
    token = set_one(session, alexa)
    session.say("StopReminderIntent")
    assert session.text == "Stop your daily reminder?"
    session.say("AMAZON.NoIntent")
    assert session.text.startswith("Okay. Your reminder stays.")
    assert token in alexa.reminders
    session.say("StopReminderIntent")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("Okay. No more reminders.")
    assert alexa.reminders == {}
    assert "reminder" not in record(moto_dynamodb_table)


def test_there_is_nothing_to_stop_without_a_reminder(session, alexa) -> None:
    session.say("StopReminderIntent")
    assert session.text.startswith("There's no reminder to stop.")
    assert alexa.calls("DELETE") == []


def test_an_untracked_reminder_is_found_and_stopped(session, alexa, moto_dynamodb_table) -> None:
    alexa.add_reminder(8)
    session.say("StopReminderIntent")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("Okay. No more reminders.")
    assert alexa.reminders == {}


@pytest.mark.parametrize(
    ("fault", "said", "token_kept"),
    [
        (Fault(403), "I'm not allowed to set reminders any more", False),
        (Fault(429), "The reminder service is busy. Nothing has changed.", True),
        (Fault(500), "The reminder service isn't working right now. Nothing has changed.", True),
        (Fault(stall=True), "The reminder service didn't answer in time.", True),
    ],
)
def test_a_failed_stop_is_explained(
    session, alexa, moto_dynamodb_table, *, fault, said, token_kept
) -> None:
    token = set_one(session, alexa)
    session.say("StopReminderIntent")
    alexa.fail_next("DELETE", fault)
    session.say("AMAZON.YesIntent")
    assert session.text.startswith(said)
    assert token in alexa.reminders
    assert (record(moto_dynamodb_table).get("reminder") == token) is token_kept


# -- offered when the routine is done -------------------------------------------------------


def finish_routine(session: AlexaSession) -> dict:
    session.launch()
    session.say("StartRoutineIntent")
    for _ in range(200):
        response = session.say("AMAZON.NextIntent")
        if "And that's the whole routine." in session.text:
            return response
    raise AssertionError("the routine never ended")


def on_day(session: AlexaSession, day: int) -> AlexaSession:
    """The same device, `day` days after the first morning (09:00 in Auckland)."""
    session.wait()
    session.clock = FIRST_MORNING + timedelta(days=day)
    return session


# 09:00 in Auckland: a whole routine each day never reaches the next local day.
FIRST_MORNING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


OFFER = "Would you like me to remind you every day to do your exercises?"


def test_a_reminder_is_offered_once_the_routine_is_done(skill, endpoint, alexa) -> None:
    session = AlexaSession(skill, device(endpoint), clock=FIRST_MORNING)
    response = finish_routine(session)
    assert session.text.endswith(OFFER)
    assert response["response"]["shouldEndSession"] is False
    session.say("AMAZON.YesIntent")
    assert session.text == "What time each day should I remind you?"
    say_time(session, "SetReminderIntent", "08:00")
    session.say("AMAZON.YesIntent")
    assert session.text == f"{DONE_EIGHT} See you next time."
    assert session.last_response["response"]["shouldEndSession"] is True
    finish_routine(on_day(session, 1))
    assert OFFER not in session.text, "a user with a reminder is not offered another"


def test_after_a_no_the_offer_waits_a_week(skill, endpoint, alexa, moto_dynamodb_table) -> None:
    session = AlexaSession(skill, device(endpoint), clock=FIRST_MORNING)
    finish_routine(session)
    session.say("AMAZON.NoIntent")
    assert session.text == "Okay, no reminder. See you next time."
    assert session.last_response["response"]["shouldEndSession"] is True
    assert progress(moto_dynamodb_table).reminder_declined_on == date(2026, 11, 23)
    for day in range(1, 7):
        finish_routine(on_day(session, day))
        assert session.text.endswith("Come back tomorrow, and I'll take you through it again.")
    finish_routine(on_day(session, 7))
    assert session.text.endswith(OFFER)


def test_no_offer_where_reminders_cannot_be_set_or_were_refused(skill, endpoint) -> None:
    speaker = AlexaSession(skill, AlexaDevice(user_id="amzn1.ask.account.NOAPI"), clock=MORNING)
    response = finish_routine(speaker)
    assert OFFER not in speaker.text and response["response"]["shouldEndSession"] is True
    refused = device(endpoint, permission="DENIED")
    refused.user_id = "amzn1.ask.account.REFUSED"
    response = finish_routine(AlexaSession(skill, refused, clock=MORNING))
    assert response["response"]["shouldEndSession"] is True


def test_the_reminder_set_on_one_device_survives_another_devices_progress(
    skill, endpoint, alexa, moto_dynamodb_table
) -> None:
    kitchen = AlexaSession(skill, device(endpoint), clock=MORNING)
    bedroom = AlexaSession(skill, device(endpoint), clock=MORNING)
    kitchen.launch()
    bedroom.launch()
    bedroom.say("StartRoutineIntent")
    token = set_one(kitchen, alexa)
    for _ in range(3):
        bedroom.say("AMAZON.NextIntent")
    bedroom.say("AMAZON.StopIntent")
    stored = progress(moto_dynamodb_table)
    assert stored.reminder_token == token
    assert stored.routine.phase.in_routine, "and the other device's place in the routine too"
