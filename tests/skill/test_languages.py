"""Spanish and German through lambda_handler, with progress in DynamoDB (moto) and Alexa's
Reminders API served over HTTPS by the test: in es-ES, es-MX, es-US and de-DE the same
conversations as in English (a whole routine, every question, pain, resume, the reminder,
delete my data) are answered in the locale's words, and no English word is ever spoken.

Expected lines are built from the locale's wording data, so a line that is missing, falls
back to English, or is filled with the wrong grammar fails here.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from local.envelopes import SCREEN_INTERFACES, AlexaDevice, AlexaSession, speech_text
from si_coach.reminders import REMINDERS_PERMISSION, TimeOfDay, say_time
from si_coach.routine.catalogue import default_catalogue
from si_coach.voice import speaker
from si_coach.voice.speech import ENGLISH_TIMING, TIMINGS
from si_coach.voice.wording import WORDING_DIR, Wording, wording_for
from tests.support.alexa_service import AlexaService
from tests.support.https_api import serve_https

CATALOGUE = default_catalogue()
USER = "amzn1.ask.account.TESTUSER"
LOCALES = ("es-ES", "es-MX", "es-US", "de-DE")
MORNING = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
# How a speaker of each language names the bridge, the clamshell and a belt.
SPOKEN = {
    "es": {"bridge": "el puente", "clamshell": "la almeja", "belt": "cinturón"},
    "de": {"bridge": "die Brücke", "clamshell": "die Muschel", "belt": "Gürtel"},
}
# Every question asked mid-exercise, as (intent, slot names to fill with SPOKEN words).
QUESTIONS = (
    ("HoldTimeIntent", {}),
    ("HoldTimeIntent", {"exercise": "bridge"}),
    ("RepsLeftIntent", {}),
    ("WhatsNextIntent", {}),
    ("WhichSideIntent", {}),
    ("EquipmentIntent", {}),
    ("EquipmentIntent", {"exercise": "clamshell"}),
    ("MissingEquipmentIntent", {"equipment": "belt"}),
    ("RoutineLengthIntent", {}),
    ("ExercisesLeftIntent", {}),
    ("ListExercisesIntent", {}),
    ("HowToIntent", {"exercise": "bridge"}),
    ("HistoryIntent", {}),
    ("OverviewIntent", {}),
    ("WhatDoYouKeepIntent", {}),
    ("AMAZON.HelpIntent", {}),
    ("AMAZON.FallbackIntent", {}),
)
_PLACEHOLDER = re.compile(r"\{\w+\}")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


# -- English words in a response ----------------------------------------------------------------


def words_of(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def _file_words(name: str) -> set[str]:
    """Every word a wording file can say: its values, not its keys or comments."""
    with (WORDING_DIR / name).open("rb") as file:
        return words_of(" ".join(_strings(tomllib.load(file))))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield _PLACEHOLDER.sub(" ", value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def english_words(language: str) -> frozenset[str]:
    """Words the English wording says that `language` never uses: any of them in a
    response of that language is English leaking through."""
    english = {word for word in _file_words("en.toml") if len(word) > 1}
    own = set().union(*(_file_words(path.name) for path in WORDING_DIR.glob(f"{language}*.toml")))
    return frozenset(english - own)


def english_in(text: str, language: str) -> set[str]:
    return words_of(text) & english_words(language)


def test_the_english_word_check_finds_english_in_a_german_or_spanish_response() -> None:
    english = wording_for("en-US").line("routine.say_next_in_position")
    for locale in LOCALES:
        language = locale.split("-")[0]
        own = wording_for(locale).line("routine.say_next_in_position")
        assert english_in(own, language) == set()
        assert english_in(f"{own} {english}", language) >= {"say", "next", "when"}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(params=LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def words(locale: str) -> Wording:
    assert wording_for(locale).locale.split("-")[0] == locale.split("-", maxsplit=1)[0]
    return wording_for(locale)


@pytest.fixture
def alexa() -> Iterator[AlexaService]:
    service = AlexaService()
    yield service
    service.release.set()


@pytest.fixture
def endpoint(alexa: AlexaService, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve_https(alexa.handler(), monkeypatch) as base_url:
        yield base_url


class Heard:
    """A session in one locale that checks every response for English as it goes."""

    def __init__(self, skill, locale: str, **device: object) -> None:
        self.locale = locale
        self.language = locale.split("-", maxsplit=1)[0]
        self.session = AlexaSession(skill, AlexaDevice(locale=locale, **device), clock=MORNING)

    @property
    def text(self) -> str:
        return self.session.text

    def _checked(self, response: dict) -> dict:
        body = response["response"]
        said = speech_text(response)
        reprompt = body.get("reprompt", {}).get("outputSpeech", {}).get("ssml", "")
        leaked = english_in(f"{said} {reprompt}", self.language)
        assert not leaked, f"English {sorted(leaked)} in a {self.locale} response: {said}"
        return response

    def launch(self) -> dict:
        return self._checked(self.session.launch())

    def say(self, intent: str, **slots: str) -> dict:
        spoken = SPOKEN[self.language]
        filled = {name: (spoken[value_id], value_id) for name, value_id in slots.items()}
        return self._checked(self.session.say(intent, **filled))

    def say_time(self, intent: str, value: str) -> dict:
        body = {
            "name": intent,
            "confirmationStatus": "NONE",
            "slots": {"time": {"name": "time", "value": value, "confirmationStatus": "NONE"}},
        }
        request = {"type": "IntentRequest", "intent": body, "dialogState": None}
        return self._checked(self.session.send(request))

    def wait(self, **duration: float) -> None:
        self.session.wait(**duration)


def stored(table) -> dict:
    item = table.get_item(Key={"id": USER}).get("Item")
    return json.loads(json.dumps(item["attributes"], default=_plain)) if item else {}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    raise TypeError(value)


# -- the conversations ------------------------------------------------------------------------


def test_the_whole_routine_in_each_language(skill, locale, words, moto_dynamodb_table) -> None:
    user = Heard(skill, locale)
    response = user.launch()
    assert words.safety_reminder in user.text
    assert user.text.startswith(words.lines_of("answers.welcome_new", count="")[0][:12])
    assert response["response"]["shouldEndSession"] is False
    user.say("AMAZON.YesIntent")
    first = CATALOGUE.variants[0]
    assert user.text.startswith(
        words.line("routine.lead_first", block=words.variant(first.id).name)
    )
    finished = []
    for _ in range(200):
        response = user.say("AMAZON.NextIntent")
        finished += [
            v.id
            for v in CATALOGUE.variants
            if words.line("routine.variant_done", exercise=words.variant(v.id).name) in user.text
        ]
        if response["response"].get("shouldEndSession"):
            break
    assert finished == [v.id for v in CATALOGUE.variants]
    assert user.text.endswith(" ".join(words.lines_of("routine.routine_done")))
    assert stored(moto_dynamodb_table)["routine"]["phase"] == "finished"
    user.wait(days=1)
    user.launch()
    when = words.line("days.yesterday")
    assert words.line("answers.did_whole_routine", when=when) in user.text


def test_every_question_is_answered_in_the_language(skill, locale, words) -> None:
    user = Heard(skill, locale)
    user.launch()
    user.say("StartRoutineIntent")
    user.say("AMAZON.NextIntent")
    asked_before = user.session.attributes["progress"]["routine"]
    for intent, slots in QUESTIONS:
        response = user.say(intent, **slots)
        assert user.text, intent
        assert words.line("answers.error") not in user.text, intent
        assert response["response"]["shouldEndSession"] is False, intent
    assert user.session.attributes["progress"]["routine"] | {"updated_at": 0} == asked_before | {
        "updated_at": 0
    }
    user.say("HoldTimeIntent", exercise="bridge")
    bridge = CATALOGUE.variant("bridge")
    duration = words.grammar.duration(bridge.hold_seconds.min)
    name = words.variant("bridge").name
    assert words.line("questions.hold_for", exercise=name, duration=duration) in user.text


def test_it_hurts_stops_with_the_safety_advice(skill, locale, words, moto_dynamodb_table) -> None:
    user = Heard(skill, locale)
    user.launch()
    user.say("GoToExerciseIntent", exercise="bridge")
    user.say("AMAZON.NextIntent")
    response = user.say("PainIntent")
    assert user.text.startswith(words.line("routine.stop_now"))
    assert all(advice in user.text for advice in words.safety_advice)
    assert response["response"]["shouldEndSession"] is True
    assert stored(moto_dynamodb_table)["routine"]["phase"] == "paused"


def test_stop_and_resume_the_next_day(skill, locale, words, moto_dynamodb_table) -> None:
    user = Heard(skill, locale)
    user.launch()
    user.say("GoToExerciseIntent", exercise="clamshell")
    user.say("AMAZON.NextIntent")
    user.say("AMAZON.StopIntent")
    assert user.text == words.line("answers.goodbye_saved")
    user.wait(days=1)
    user.launch()
    name = words.variant("clamshell").name
    assert words.line("answers.pick_up", exercise=name) in user.text
    user.say("AMAZON.YesIntent")
    assert name in user.text
    assert stored(moto_dynamodb_table)["routine"]["variant"] == "clamshell"


def test_the_daily_reminder_in_the_language(skill, locale, words, alexa, endpoint) -> None:
    user = Heard(
        skill,
        locale,
        api_endpoint=endpoint,
        permission_scopes={REMINDERS_PERMISSION: "GRANTED"},
    )
    user.launch()
    user.say_time("SetReminderIntent", "08:00")
    grammar = words.grammar
    eight = say_time(TimeOfDay(8), words.clock, grammar.number, hour=grammar.hour)
    assert eight == {"es": "las ocho de la mañana", "de": "acht Uhr morgens"}[user.language]
    assert user.text == words.line("reminders.confirm", time=eight)
    user.say("AMAZON.YesIntent")
    assert user.text.startswith(words.line("reminders.done", time=eight))
    (created,) = alexa.calls("POST")
    assert created.body["alertInfo"]["spokenInfo"]["content"] == [
        {"locale": locale, "text": words.line("reminders.reminder_text")}
    ]
    user.say_time("SetReminderIntent", "13:00")
    one = say_time(TimeOfDay(13), words.clock, grammar.number, hour=grammar.hour)
    assert one == {"es": "la una de la tarde", "de": "ein Uhr mittags"}[user.language]
    assert one in user.text


def test_delete_my_data_in_the_language(skill, locale, words, moto_dynamodb_table) -> None:
    user = Heard(skill, locale)
    user.launch()
    user.say("GoToExerciseIntent", exercise="bridge")
    user.say("AMAZON.NextIntent")
    user.say("AMAZON.PauseIntent")
    assert stored(moto_dynamodb_table)
    user.say("DeleteMyDataIntent")
    assert user.text == " ".join(words.lines_of("privacy.forget_confirm"))
    user.say("AMAZON.YesIntent")
    assert user.text.startswith(words.line("privacy.forgotten"))
    record = stored(moto_dynamodb_table)
    # Only the deletion marker stays (schema, revision, deletion generation).
    assert set(record) == {"schema", "revision", "gen"}
    user.say("HistoryIntent")
    assert user.text.startswith(words.line("answers.nothing_yet"))


# -- timing: longer words, fewer counted reps in one response -------------------------------


def first_chunk_holds(skill, locale: str, variant_id: str) -> int:
    """How many holds the first paced response of a variant fits, in one locale."""
    device = AlexaDevice(locale=locale, user_id=f"amzn1.ask.account.{locale}.{variant_id}")
    session = AlexaSession(skill, device)
    session.launch()
    session.say("GoToExerciseIntent", exercise=(variant_id, variant_id))
    session.say("AMAZON.NextIntent")
    return session.text.count(wording_for(locale).line("routine.hold"))


COUNTED = tuple(v.id for v in CATALOGUE.variants)


@pytest.mark.parametrize("locale", ["es-ES", "de-DE"])
def test_the_languages_slower_words_fit_fewer_counted_reps(
    skill, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same words at the language's measured pace fill a response sooner than they would
    at English's: the engine plans with the voice's timing, so fewer reps fit."""
    own_pace = [first_chunk_holds(skill, locale, variant_id) for variant_id in COUNTED]
    monkeypatch.setitem(TIMINGS, locale.split("-", maxsplit=1)[0], ENGLISH_TIMING)
    speaker._voice.cache_clear()
    try:
        english_pace = [first_chunk_holds(skill, locale, v) for v in COUNTED]
    finally:
        speaker._voice.cache_clear()
    assert all(n > 0 for n in own_pace)
    assert all(a <= b for a, b in zip(own_pace, english_pace, strict=True)), (
        own_pace,
        english_pace,
    )
    assert sum(own_pace) < sum(english_pace), (own_pace, english_pace)


# -- screens ----------------------------------------------------------------------------------

# Datasource fields that name things for the document, not words shown to the user.
_NOT_SHOWN = frozenset({"poseId", "action", "token", "type", "id"})


def _shown_texts(value: object, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if key not in _NOT_SHOWN:
            yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _shown_texts(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _shown_texts(item, key)


def test_the_screen_shows_the_language_through_the_whole_routine(skill, locale, words) -> None:
    session = AlexaSession(
        skill, AlexaDevice(locale=locale, supported_interfaces=SCREEN_INTERFACES), clock=MORNING
    )
    shown: list[str] = []
    responses = [session.launch(), session.say("AMAZON.YesIntent")]
    for _ in range(200):
        responses.append(session.say("AMAZON.NextIntent"))
        if responses[-1]["response"].get("shouldEndSession"):
            break
    responses.append(session.say("ListExercisesIntent"))
    for response in responses:
        for directive in response["response"].get("directives") or []:
            shown.extend(_shown_texts(directive.get("datasources", {})))
    assert words.line("screen.button_next") in shown
    bridge = words.variant("bridge").name
    assert bridge[:1].upper() + bridge[1:] in shown
    leaked = english_in(" ".join(shown), locale.split("-")[0])
    assert not leaked, f"English {sorted(leaked)} on a {locale} screen"
