"""Every kind of question the skill can leave open, through lambda_handler (progress in
DynamoDB via moto, Alexa's APIs served over HTTPS by the test): a miss while it is open
gets that question's own hint, a second miss its choices, and the question stays open.

Each kind has one entry in si_coach.dialogue.repair.QUESTIONS, and one way to reach it
here: a kind added without either fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import urllib3

from local.envelopes import AlexaDevice, AlexaSession
from si_coach.dialogue.repair import QUESTIONS
from si_coach.dialogue.state import SESSION_KEYS, QuestionKind
from si_coach.reminders import REMINDERS_PERMISSION, RemindersClient
from si_coach.voice.wording import keys, wording_for
from tests.support.alexa_service import AlexaService
from tests.support.https_api import serve_https
from tests.support.phases import phase, walk_to

WORDS = wording_for("en-US")
# 09:00 in Auckland, the time zone the settings API gives the device.
MORNING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
QUICK_TIMEOUT = urllib3.Timeout(connect=1.0, read=0.3)


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    service = AlexaService()
    monkeypatch.setitem(RemindersClient.__init__.__kwdefaults__, "timeout", QUICK_TIMEOUT)
    try:
        with serve_https(service.handler(), monkeypatch) as base_url:
            yield base_url
    finally:
        service.release.set()


def _with_apis(skill, endpoint: str) -> AlexaSession:
    device = AlexaDevice(api_endpoint=endpoint, permission_scopes={REMINDERS_PERMISSION: "GRANTED"})
    session = AlexaSession(skill, device, clock=MORNING)
    session.launch()
    return session


def _say_time(session: AlexaSession, value: str) -> None:
    slot = {"name": "time", "value": value, "confirmationStatus": "NONE"}
    intent = {"name": "SetReminderIntent", "confirmationStatus": "NONE", "slots": {"time": slot}}
    session.send({"type": "IntentRequest", "intent": intent, "dialogState": None})


# -- one way to each question -----------------------------------------------------------------


def _start_routine(skill, endpoint) -> AlexaSession:
    return walk_to(skill, "not_started")


def _resume(skill, endpoint) -> AlexaSession:
    session = walk_to(skill, "in_set")
    session.say("AMAZON.StopIntent")
    session.launch()
    return session


def _go_again(skill, endpoint) -> AlexaSession:
    return walk_to(skill, "finished")


def _choose_exercise(skill, endpoint) -> AlexaSession:
    session = walk_to(skill, "ready")
    session.say("GoToExerciseIntent", exercise=("cartwheel", None))
    return session


def _injured_side(skill, endpoint) -> AlexaSession:
    session = walk_to(skill, "ready")
    session.say("InjuredSideIntent")
    return session


def _pace(skill, endpoint) -> AlexaSession:
    session = walk_to(skill, "ready")
    session.say("PaceIntent")
    return session


def _offer_help(skill, endpoint) -> AlexaSession:
    session = walk_to(skill, "in_set")
    for _ in range(3):
        session.say("AMAZON.FallbackIntent")
    return session


def _offer_reminder(skill, endpoint) -> AlexaSession:
    session = _with_apis(skill, endpoint)
    session.say("GoToExerciseIntent", exercise=("trunk rotation", "lower_trunk_rotation"))
    for _ in range(80):
        session.say("AMAZON.NextIntent")
        if phase(session) == "finished":
            return session
    raise AssertionError("the routine never ended")


def _reminder_time(skill, endpoint) -> AlexaSession:
    session = _with_apis(skill, endpoint)
    session.say("SetReminderIntent")
    return session


def _confirm_reminder(skill, endpoint) -> AlexaSession:
    session = _with_apis(skill, endpoint)
    _say_time(session, "08:00")
    return session


def _stop_reminder(skill, endpoint) -> AlexaSession:
    session = _confirm_reminder(skill, endpoint)
    session.say("AMAZON.YesIntent")
    session.say("StopReminderIntent")
    return session


def _forget_data(skill, endpoint) -> AlexaSession:
    session = walk_to(skill, "in_set")
    session.say("DeleteMyDataIntent")
    return session


# Each kind: how to get it asked, and the wording key of the hint a miss must get.
ASKED: dict[QuestionKind, tuple[Callable[..., AlexaSession], str]] = {
    QuestionKind.START_ROUTINE: (_start_routine, "repair.hint_yes_start"),
    QuestionKind.RESUME: (_resume, "repair.hint_yes_resume"),
    QuestionKind.GO_AGAIN: (_go_again, "repair.hint_yes_go_again"),
    QuestionKind.CHOOSE_EXERCISE: (_choose_exercise, "repair.hint_name_exercise"),
    QuestionKind.INJURED_SIDE: (_injured_side, "repair.hint_side"),
    QuestionKind.PACE: (_pace, "repair.hint_pace"),
    QuestionKind.OFFER_HELP: (_offer_help, "repair.hint_yes_help"),
    QuestionKind.OFFER_REMINDER: (_offer_reminder, "repair.hint_yes_reminder"),
    QuestionKind.REMINDER_TIME: (_reminder_time, "repair.hint_reminder_time"),
    QuestionKind.CONFIRM_REMINDER: (_confirm_reminder, "repair.hint_yes_set_reminder"),
    QuestionKind.STOP_REMINDER: (_stop_reminder, "repair.hint_yes_stop_reminder"),
    QuestionKind.FORGET_DATA: (_forget_data, "repair.hint_yes_forget"),
}


def test_every_kind_of_question_has_an_entry_and_a_test() -> None:
    assert set(QUESTIONS) == set(QuestionKind)
    assert set(ASKED) == set(QuestionKind)


@pytest.mark.parametrize("kind", list(QuestionKind), ids=lambda kind: kind.value)
def test_each_entry_names_lines_the_wording_has(kind: QuestionKind) -> None:
    entry = QUESTIONS[kind]
    for key in (entry.hint, entry.choices):
        assert keys.LINE_PLACEHOLDERS.get(key) == (), key
        assert WORDS.line(key)


def reprompt(session: AlexaSession) -> str:
    return session.last_response["response"]["reprompt"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize("kind", list(ASKED), ids=lambda kind: kind.value)
def test_a_miss_while_a_question_is_open_gets_its_own_hint(
    skill, endpoint, kind: QuestionKind
) -> None:
    setup, hint_key = ASKED[kind]
    session = setup(skill, endpoint)
    assert session.attributes.get("question") == kind.value, session.text
    hint = WORDS.line(hint_key)

    session.say("AMAZON.FallbackIntent")
    assert session.text == f"{WORDS.line('answers.not_caught')} {hint}"
    assert hint in reprompt(session)
    assert session.attributes.get("question") == kind.value, "the question stays open"

    session.say("AMAZON.FallbackIntent")
    choices = WORDS.line(QUESTIONS[kind].choices)
    assert session.text == f"{WORDS.line('repair.missed_again')} {choices}"
    assert hint in reprompt(session)
    assert session.attributes.get("question") == kind.value
    assert set(session.attributes) <= SESSION_KEYS


def test_a_miss_while_delete_my_data_is_open_says_how_to_answer_it(skill, endpoint) -> None:
    """The case a new user met: the routine's hint, not the question's, and no way out."""
    session = _forget_data(skill, endpoint)
    assert session.text.endswith("Shall I delete them?")
    session.say("AMAZON.FallbackIntent")
    assert session.text == "Sorry, I didn't catch that. Say yes to delete them, or no to keep them."
    session.say("AMAZON.NoIntent")
    assert session.text.startswith(WORDS.line("privacy.forget_kept"))
