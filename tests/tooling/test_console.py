"""The local console: typed lines resolved as Alexa would, sessions threaded, pauses paced."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import stat
import subprocess
import sys
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local.console import (
    Console,
    DeviceSession,
    Pause,
    SimulatedClock,
    SpeechPlayer,
    Voice,
    Words,
    planned_seconds,
    response_text,
    speech_parts,
)
from local.utterances import (
    EN_US_MODEL_FILE,
    REPO_ROOT,
    InteractionModel,
    SlotReference,
    spoken_words,
)
from tests.support.fake_time import FakeTime

MODEL = InteractionModel.from_file(EN_US_MODEL_FILE)
NO_MATCH = "no match"

# (typed line, request type or intent, slot name, resolved id or NO_MATCH)
PHRASINGS = [
    ("open s. i. joint coach", "LaunchRequest", None, None),
    ("open si joint coach", "LaunchRequest", None, None),
    ("Open S.I. Joint Coach!", "LaunchRequest", None, None),
    ("alexa, launch s i joint coach", "LaunchRequest", None, None),
    ("start s. i. joint coach", "LaunchRequest", None, None),
    ("open", "LaunchRequest", None, None),
    ("start my routine", "StartRoutineIntent", None, None),
    ("Let's get started.", "StartRoutineIntent", None, None),
    ("start", "StartRoutineIntent", None, None),
    ("how do I do the glute bridge", "HowToIntent", "exercise", "bridge"),
    ("how do I do the bridge", "HowToIntent", "exercise", "bridge"),
    ("explain the windshield wipers", "HowToIntent", "exercise", "lower_trunk_rotation"),
    ("how do I do this one", "HowToIntent", None, None),
    (
        "ask si joint coach how do I do the quad stretch",
        "HowToIntent",
        "exercise",
        "quadriceps_stretch",
    ),
    ("let's do the clams", "GoToExerciseIntent", "exercise", "clamshell"),
    ("lets do the clams", "GoToExerciseIntent", "exercise", "clamshell"),
    ("skip to the pillow squeeze", "GoToExerciseIntent", "exercise", "hip_adduction"),
    ("take me to the knee-to-chest", "GoToExerciseIntent", "exercise", "knee_to_chest"),
    (
        "jump to the double knee to chest",
        "GoToExerciseIntent",
        "exercise",
        "knee_to_chest_both_legs",
    ),
    ("do the cartwheel", "GoToExerciseIntent", "exercise", NO_MATCH),
    ("next exercise", "SkipExerciseIntent", None, None),
    ("skip this one", "SkipExerciseIntent", None, None),
    ("next", "AMAZON.NextIntent", None, None),
    ("I'm ready", "AMAZON.NextIntent", None, None),
    ("it hurts", "PainIntent", None, None),
    ("Ouch!", "PainIntent", None, None),
    ("my left side hurts", "PainIntent", None, None),
    ("my left side is injured", "InjuredSideIntent", "side", "left"),
    ("my injured side is the right", "InjuredSideIntent", "side", "right"),
    ("both sides are fine now", "InjuredSideIntent", "side", "none"),
    ("go slower", "PaceIntent", "pace", "slower"),
    ("can we go a bit faster", "PaceIntent", "pace", "faster"),
    ("back to normal", "PaceIntent", "pace", "normal"),
    ("what is s. i. joint pain", "OverviewIntent", None, None),
    ("what is si joint pain", "OverviewIntent", None, None),
    ("what exercises are there", "ListExercisesIntent", None, None),
    ("how am I doing", "HistoryIntent", None, None),
    ("pause", "AMAZON.PauseIntent", None, None),
    ("pick up where I left off", "AMAZON.ResumeIntent", None, None),
    ("start over", "AMAZON.StartOverIntent", None, None),
    ("say that again", "AMAZON.RepeatIntent", None, None),
    ("go back", "AMAZON.PreviousIntent", None, None),
    ("stop", "AMAZON.StopIntent", None, None),
    ("I'm done for today", "AMAZON.StopIntent", None, None),
    ("cancel", "AMAZON.CancelIntent", None, None),
    ("yes", "AMAZON.YesIntent", None, None),
    ("yeah", "AMAZON.YesIntent", None, None),
    ("no", "AMAZON.NoIntent", None, None),
    ("help", "AMAZON.HelpIntent", None, None),
    ("go home", "AMAZON.NavigateHomeIntent", None, None),
    ("remind me every day at eight", "SetReminderIntent", "time", "08:00"),
    ("set a reminder for my exercises", "SetReminderIntent", None, None),
    ("at seven thirty in the evening please", "SetReminderIntent", "time", "19:30"),
    ("in the evening please", "SetReminderIntent", "time", "EV"),
    ("change it to 6 pm", "ChangeReminderIntent", "time", "18:00"),
    ("when is my reminder", "WhenIsReminderIntent", None, None),
    ("stop reminding me", "StopReminderIntent", None, None),
    ("delete my data", "DeleteMyDataIntent", None, None),
    ("what do you keep about me", "WhatDoYouKeepIntent", None, None),
    ("blorp fizzle wump", "AMAZON.FallbackIntent", None, None),
    ("tell me a joke please", "AMAZON.FallbackIntent", None, None),
    ("?!?...", "AMAZON.FallbackIntent", None, None),
    ("ünïcödé ☃ 雪", "AMAZON.FallbackIntent", None, None),
    ("next " * 2000, "AMAZON.FallbackIntent", None, None),
]


@pytest.mark.parametrize(("line", "expected", "slot_name", "value_id"), PHRASINGS)
def test_a_typed_line_resolves_as_alexa_would(
    line: str, expected: str, slot_name: str | None, value_id: str | None
) -> None:
    resolution = MODEL.resolve(line)
    if expected == "LaunchRequest":
        assert resolution.is_launch, resolution.describe()
        return
    assert resolution.intent_name == expected, resolution.describe()
    if slot_name is None:
        assert all(fill.value is None for fill in resolution.slots) or not resolution.slots
        return
    fill = resolution.slot(slot_name)
    assert fill is not None, resolution.describe()
    if value_id == NO_MATCH:
        assert fill.value is None
        assert fill.status_code == "ER_SUCCESS_NO_MATCH"
    else:
        assert fill.value is not None, resolution.describe()
        assert fill.value.value_id == value_id
        assert fill.status_code == "ER_SUCCESS_MATCH"


def test_every_sample_with_every_slot_value_resolves_to_its_intent_and_id() -> None:
    """Alexa's own promise for the model: each sample, filled with each value, is understood."""
    misheard = []
    for intent in MODEL.intents:
        for pattern in intent.patterns:
            for slot_name, slot_type in intent.slot_types.items():
                if SlotReference(slot_name) not in pattern:
                    continue
                for value_words, value in MODEL.slot_types[slot_type].values_by_words.items():
                    words = []
                    for part in pattern:
                        words.extend(value_words if part == SlotReference(slot_name) else [part])
                    line = " ".join(str(word) for word in words)
                    resolution = MODEL.resolve(line)
                    fill = resolution.slot(slot_name)
                    heard = (
                        resolution.intent_name,
                        fill.value.value_id if fill and fill.value else None,
                    )
                    if heard != (intent.name, value.value_id):
                        misheard.append(f"{line!r}: {resolution.describe()}")
    assert misheard == []


def test_a_sample_whose_slot_resolves_beats_one_with_more_fixed_words() -> None:
    def slot_type(name: str, value: str, *synonyms: str) -> dict:
        return {
            "name": name,
            "values": [{"id": value, "name": {"value": value, "synonyms": list(synonyms)}}],
        }

    model = InteractionModel(
        {
            "interactionModel": {
                "languageModel": {
                    "invocationName": "test coach",
                    "intents": [
                        {
                            "name": "GoToExerciseIntent",
                            "slots": [{"name": "exercise", "type": "EXERCISE"}],
                            "samples": ["please go {exercise}"],
                        },
                        {
                            "name": "PaceIntent",
                            "slots": [{"name": "pace", "type": "PACE"}],
                            "samples": ["please {pace}"],
                        },
                    ],
                    "types": [
                        slot_type("EXERCISE", "bridge"),
                        slot_type("PACE", "slower", "go slower"),
                    ],
                }
            }
        }
    )
    assert model.resolve("please go slower").describe() == 'PaceIntent (pace: "go slower" = slower)'
    assert (
        model.resolve("please go bridge").describe()
        == 'GoToExerciseIntent (exercise: "bridge" = bridge)'
    )
    # Nothing resolves: the sample with more fixed words is the better guess.
    assert model.resolve("please go sideways").intent_name == "GoToExerciseIntent"
    # An unknown value longer than any the slot type knows is not a slot value but chatter.
    assert model.resolve("please go and tell me a story").intent_name == "AMAZON.FallbackIntent"


def test_initialisms_and_punctuation_are_normalised() -> None:
    expected = ("what", "is", "s", "i", "joint", "pain")
    for typed in ("What is S.I. joint pain?", "what is si joint pain", "what  is s i joint pain"):
        assert spoken_words(typed, MODEL.initialisms) == expected


def test_slot_request_carries_entity_resolution_like_alexa() -> None:
    body = MODEL.resolve("how do I do the glute bridge").request_body("amzn1.ask.skill.x")
    assert body["type"] == "IntentRequest"
    slot = body["intent"]["slots"]["exercise"]
    assert slot["value"] == "glute bridge"
    authority = slot["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["authority"] == "amzn1.er-authority.echo-sdk.amzn1.ask.skill.x.EXERCISE"
    assert authority["status"]["code"] == "ER_SUCCESS_MATCH"
    assert authority["values"][0]["value"] == {"name": "bridge", "id": "bridge"}

    unknown = MODEL.resolve("do the cartwheel").request_body("amzn1.ask.skill.x")
    authority = unknown["intent"]["slots"]["exercise"]["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    assert "values" not in authority

    # A slot the words didn't fill is still sent, without a value.
    unfilled = MODEL.resolve("how do I do this one").request_body("amzn1.ask.skill.x")
    assert unfilled["intent"]["slots"] == {
        "exercise": {"name": "exercise", "confirmationStatus": "NONE"}
    }


def test_speech_parts_keep_words_and_pauses_in_order() -> None:
    ssml = '<speak>Hold. one <break time="600ms"/> two &amp; <break time="3s"/> relax.</speak>'
    parts = speech_parts(ssml)
    assert parts == [Words("Hold. one"), Pause(0.6), Words("two &"), Pause(3.0), Words("relax.")]
    assert planned_seconds(parts) == pytest.approx(0.6 + 3.0 + 4 / 2.5)
    assert response_text(spoken(ssml)) == "Hold. one two & relax."


# -- sessions --------------------------------------------------------------------------------


def spoken(ssml: str, *, end: bool = False, attributes: dict | None = None) -> dict:
    body: dict = {"outputSpeech": {"type": "SSML", "ssml": ssml}, "shouldEndSession": end}
    return {"version": "1.0", "sessionAttributes": attributes or {}, "response": body}


class ScriptedSkill:
    """Stands in for lambda_handler: records envelopes, answers from a script."""

    def __init__(self, *answers: dict | Exception) -> None:
        self.answers = list(answers)
        self.envelopes: list[dict] = []

    def __call__(self, envelope: dict, context: object) -> dict:
        self.envelopes.append(envelope)
        answer = self.answers.pop(0) if self.answers else spoken("<speak>Okay.</speak>")
        if isinstance(answer, Exception):
            raise answer
        return answer


def console_for(
    skill: Callable[[dict, object], dict], *, fast: bool = True, fake_time: FakeTime | None = None
) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    fake_time = fake_time or FakeTime()
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    console = Console(
        device=DeviceSession(skill, SimulatedClock(start), "amzn1.ask.account.CONSOLE"),
        model=MODEL,
        player=SpeechPlayer(out, fast=fast, sleep=fake_time.sleep, monotonic=fake_time.monotonic),
        out=out,
    )
    return console, out


def test_session_attributes_are_threaded_and_a_new_session_follows_an_ended_one() -> None:
    skill = ScriptedSkill(
        spoken('<speak>Welcome. <break time="2000ms"/> Ready?</speak>', attributes={"turn": 1}),
        spoken("<speak>Next one.</speak>", attributes={"turn": 2}),
        spoken("<speak>Goodbye.</speak>", end=True),
        spoken("<speak>Sorry?</speak>", attributes={"turn": 9}),
    )
    console, out = console_for(skill)
    console.run(iter(["open s. i. joint coach", "next", "", "stop", "blah blah", None]))
    launch, following, stop, one_shot, ended = skill.envelopes
    assert launch["request"]["type"] == "LaunchRequest"
    assert launch["session"]["new"] is True
    assert launch["session"]["attributes"] == {}
    assert launch["version"] == "1.0"
    assert launch["request"]["locale"] == "en-US"
    assert launch["request"]["timestamp"] == "2026-11-23T08:00:00Z"
    assert launch["context"]["System"]["device"]["deviceId"]
    system = launch["context"]["System"]
    assert (
        system["application"]["applicationId"] == launch["session"]["application"]["applicationId"]
    )
    assert following["session"]["new"] is False
    assert following["session"]["sessionId"] == launch["session"]["sessionId"]
    assert following["session"]["attributes"] == {"turn": 1}
    assert following["request"]["intent"]["name"] == "AMAZON.NextIntent"
    # The simulated clock moved on by the first answer's planned length: 2 s + 2 words.
    assert following["request"]["timestamp"] == "2026-11-23T08:00:02Z"
    assert stop["session"]["attributes"] == {"turn": 2}
    # After "Goodbye." ended the session, any line starts a new one, as a one-shot request.
    assert one_shot["session"]["new"] is True
    assert one_shot["session"]["sessionId"] != launch["session"]["sessionId"]
    assert one_shot["request"]["intent"]["name"] == "AMAZON.FallbackIntent"
    # Leaving with the session open tells the skill.
    assert ended["request"] == {**ended["request"], "type": "SessionEndedRequest"}
    assert ended["request"]["reason"] == "USER_INITIATED"
    assert ended["session"]["attributes"] == {"turn": 9}
    transcript = out.getvalue()
    assert transcript.index("Welcome.") < transcript.index("(2 s pause)")
    assert transcript.index("(2 s pause)") < transcript.index("Ready?")
    assert "session ended" in transcript


def test_without_fast_pauses_and_words_really_wait() -> None:
    fake_time = FakeTime()
    skill = ScriptedSkill(spoken('<speak>Hold. <break time="2000ms"/> And relax.</speak>'))
    console, out = console_for(skill, fast=False, fake_time=fake_time)
    console.run(iter(["open", None]))
    # Three words at 2.5 a second, and the two-second pause.
    assert sum(fake_time.naps) == pytest.approx(3 * 0.4 + 2.0)
    assert max(fake_time.naps) <= 1.0 + 1e-9
    assert "Hold.\n       (2 s pause)\ncoach: And relax." in out.getvalue()


def test_fast_skips_every_wait() -> None:
    fake_time = FakeTime()
    skill = ScriptedSkill(spoken('<speak>Hold. <break time="9000ms"/> And relax.</speak>'))
    console, out = console_for(skill, fast=True, fake_time=fake_time)
    console.run(iter(["open", None]))
    assert fake_time.naps == []
    assert "And relax." in out.getvalue()


def test_a_countdown_shows_the_seconds_left_on_a_terminal() -> None:
    fake_time = FakeTime()
    out = io.StringIO()
    player = SpeechPlayer(
        out, interactive=True, sleep=fake_time.sleep, monotonic=fake_time.monotonic
    )
    player.play([Pause(3.0)])
    shown = out.getvalue()
    assert [f"{n} s left" in shown for n in (3, 2, 1)] == [True, True, True]
    assert sum(fake_time.naps) == pytest.approx(3.0)


def test_an_exception_in_the_skill_is_reported_and_the_console_carries_on() -> None:
    skill = ScriptedSkill(
        RuntimeError("progress store on fire\nlong traceback text"),
        spoken("<speak>Welcome back.</speak>"),
    )
    console, out = console_for(skill)
    console.run(iter(["open", "open", None]))
    transcript = out.getvalue()
    assert "! RuntimeError: progress store on fire" in transcript
    assert "long traceback text" not in transcript
    assert "coach: Welcome back." in transcript
    # The failed request left no session behind: the retry opened a new one.
    assert [e["session"]["new"] for e in skill.envelopes[:2]] == [True, True]


# -- the real skill ---------------------------------------------------------------------------


@pytest.fixture
def local_skill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[dict, object], dict]:
    """lambda_function.lambda_handler on the embedded store in tmp_path, as the console uses it."""
    for name in ("TABLE_NAME", "SKILL_ID", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SI_COACH_DATA_DIR", str(tmp_path / "data"))
    import lambda_function

    return importlib.reload(lambda_function).lambda_handler


def test_resolved_slot_ids_reach_the_skill_handlers(local_skill) -> None:
    console, out = console_for(local_skill)
    console.run(iter(["how do I do the glute bridge", "let's do the clams", "do the cartwheel"]))
    transcript = out.getvalue()
    assert "coach: Here's the bridge." in transcript
    assert "coach: Let's do the clamshell" in transcript
    assert "coach: I don't know that one." in transcript


def test_an_error_inside_a_skill_handler_gets_the_skills_apology(
    local_skill, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("catalogue went missing")

    monkeypatch.setattr("si_coach.handlers.routine.list_exercises", broken)
    console, out = console_for(local_skill)
    console.run(iter(["what exercises are there", "it hurts", None]))
    transcript = out.getvalue()
    assert "coach: Sorry, something went wrong" in transcript
    assert "-> PainIntent\ncoach: " in transcript


# -- the console as a newcomer runs it ----------------------------------------------------------


def run_console(
    lines: str, *args: str, data_dir: Path, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TABLE_NAME", "SKILL_ID", "AWS_ENDPOINT_URL_DYNAMODB")
    }
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "lambda"), str(REPO_ROOT)])
    environ["SI_COACH_DATA_DIR"] = str(data_dir)
    if path is not None:
        environ["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "local.console", *args],
        input=lines,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environ,
        timeout=60,
        check=False,
    )


def test_piped_sessions_remember_progress_between_runs(tmp_path: Path) -> None:
    data_dir = tmp_path / "si-coach"
    first = run_console(
        "open s. i. joint coach\nstart my routine\nnext\n\n???\nnext\nstop\n",
        "--fast",
        data_dir=data_dir,
    )
    assert first.returncode == 0, first.stderr
    transcript = first.stdout
    assert str(data_dir / "progress.sqlite3") in transcript
    assert "you> open s. i. joint coach\n  -> LaunchRequest" in transcript
    assert "Welcome to S.I. joint coach." in transcript
    assert "you> start my routine\n  -> StartRoutineIntent" in transcript
    assert "First: hip abduction." in transcript
    assert "Push your knees apart." in transcript
    assert "Sorry, I didn't catch that." in transcript
    assert "I've saved your place." in transcript
    assert (data_dir / "progress.sqlite3").is_file()

    second = run_console("open si joint coach\nyes\n", "--fast", data_dir=data_dir)
    assert second.returncode == 0, second.stderr
    assert "Welcome back." in second.stdout
    assert "Pick up with the hip" in second.stdout
    # Input ended with the session open: it was closed politely.
    assert "(session ended: you left)" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr


def test_the_console_can_play_a_recognised_person(tmp_path: Path) -> None:
    """--person NAME: Alexa recognises the speaker, who keeps their own progress and is
    greeted by the name Alexa would say (the skill itself sends only the person id)."""
    sam = run_console(
        "open s. i. joint coach\nstart my routine\nstop\n",
        "--fast",
        "--person",
        "Sam",
        data_dir=tmp_path,
    )
    assert sam.returncode == 0, sam.stderr
    assert "person Sam" in sam.stdout
    assert "Hello, Sam." in sam.stdout
    assert "Welcome to S.I. joint coach." in sam.stdout
    # Someone else, unrecognised, on the same account: not Sam's progress, and no name.
    other = run_console("open s. i. joint coach\nstop\n", "--fast", data_dir=tmp_path)
    assert "Welcome to S.I. joint coach." in other.stdout
    assert "Hello," not in other.stdout
    again = run_console(
        "open s. i. joint coach\nstop\n", "--fast", "--person", "Sam", data_dir=tmp_path
    )
    assert "Hello, Sam." in again.stdout
    assert "Welcome back." in again.stdout


def test_odd_input_never_stops_the_console(tmp_path: Path) -> None:
    lines = "\n".join(["open", "", "!!!", "ünïcödé ☃", "x" * 20000, "help", ""])
    result = run_console(lines, "--fast", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    # Three misses in a row: three different answers, the third offering help.
    assert result.stdout.count("Sorry, I didn't catch that.") == 1
    assert result.stdout.count("Sorry, I still didn't get that.") == 1
    assert result.stdout.count("Would you like some help?") == 1
    assert result.stdout.rstrip().endswith("Bye.")


def test_bye_is_said_to_the_skill_and_only_exit_or_quit_leave(tmp_path: Path) -> None:
    result = run_console("open\nbye\nhow am I doing\nexit\nhelp\n", "--fast", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    said_bye = result.stdout.split("you> bye\n", 1)[1]
    assert said_bye.startswith("  -> AMAZON.StopIntent")
    assert "you> how am I doing\n  -> HistoryIntent  (new session)" in result.stdout
    # exit left the console: the line after it was never heard.
    assert "you> help" not in result.stdout


def test_the_readme_reminder_dialogue_works_against_the_local_alexa_apis(tmp_path: Path) -> None:
    lines = [
        "open s. i. joint coach",
        "remind me every day at eight",
        "yes",
        "yes",  # Alexa's own permission question
        "when is my reminder",
        "stop reminding me",
        "yes",
        "when is my reminder",
    ]
    result = run_console("\n".join(lines) + "\n", "--fast", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    assert "a local stand-in of Alexa's Reminders and settings APIs answers at https://" in (
        transcript
    )
    assert "I can't set reminders from here." not in transcript
    assert "To remind you, I need your permission to set reminders." in transcript
    assert "AskFor (alexa::alerts:reminders:skill:readwrite: ACCEPTED)" in transcript
    assert "Thanks. Done. I'll remind you every day at eight in the morning." in transcript
    assert "I remind you every day at eight in the morning." in transcript
    assert "Okay. No more reminders." in transcript
    assert transcript.rstrip().endswith("Bye.")
    assert "Traceback" not in result.stderr


def test_voice_without_espeak_ng_says_so_and_carries_on(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = run_console("open\n", "--fast", "--voice", data_dir=tmp_path, path=str(empty_bin))
    assert result.returncode == 0, result.stderr
    assert "espeak-ng is not installed" in result.stdout
    assert "Welcome to S.I. joint coach." in result.stdout


def test_voice_hands_ssml_cues_to_espeak_ng(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    calls = tmp_path / "espeak-calls.txt"
    fake = fake_bin / "espeak-ng"
    fake.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> "{calls}"\necho >> "{calls}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = run_console("open\n", "--fast", "--voice", data_dir=tmp_path, path=str(fake_bin))
    assert result.returncode == 0, result.stderr
    assert "not installed" not in result.stdout
    probe, first_call = (line.split("|") for line in calls.read_text().splitlines()[:2])
    # The first call only tries the sound device, with a silence too short to notice.
    assert probe[3] == '<speak><break time="10ms"/></speak>'
    assert first_call[:3] == ["-m", "-s", "150"]
    assert first_call[3].startswith("<speak>Welcome to S.I. joint coach.")


NO_SOUND_DEVICE_STDERR = (
    "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'\n"
    "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\n"
    "error: No such file or directory\n"
)


def espeak_ng_without_a_sound_device(directory: Path) -> Path:
    """espeak-ng as it behaves with no sound device: it complains on stderr and exits 0."""
    directory.mkdir(exist_ok=True)
    calls = directory / "calls.txt"
    program = directory / "espeak-ng"
    program.write_text(
        f'#!/bin/sh\necho call >> "{calls}"\nprintf "%s" "{NO_SOUND_DEVICE_STDERR}" >&2\nexit 0\n'
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return calls


def test_voice_without_a_sound_device_says_so_once_and_keeps_real_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = espeak_ng_without_a_sound_device(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out, fake_time = io.StringIO(), FakeTime()
    voice = Voice.find(out)
    player = SpeechPlayer(out, voice=voice, sleep=fake_time.sleep, monotonic=fake_time.monotonic)
    player.play(speech_parts('<speak>Hold. <break time="2000ms"/> And relax.</speak>'))
    player.play(speech_parts("<speak>Push your knees apart.</speak>"))
    shown = out.getvalue()
    assert shown.count("cannot play sound here (Unknown PCM") == 1
    assert "text only from now on, paced in real time" in shown
    # Found out by the one try at the start: no answer was handed to the silent espeak-ng.
    assert calls.read_text().splitlines() == ["call"]
    # The words took their planned time, as without --voice: 3 + 4 words and the pause.
    assert sum(fake_time.naps) == pytest.approx(7 * 0.4 + 2.0)


def test_voice_that_loses_its_sound_device_midway_keeps_the_pacing(tmp_path: Path) -> None:
    espeak_ng_without_a_sound_device(tmp_path / "bin")
    out, fake_time = io.StringIO(), FakeTime()
    voice = Voice(out, str(tmp_path / "bin" / "espeak-ng"))
    player = SpeechPlayer(out, voice=voice, sleep=fake_time.sleep, monotonic=fake_time.monotonic)
    player.play(speech_parts("<speak>Push your knees apart. And relax.</speak>"))
    assert out.getvalue().count("cannot play sound here") == 1
    assert sum(fake_time.naps) == pytest.approx(6 * 0.4)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_ng_renders_a_break_as_silence(tmp_path: Path) -> None:
    def seconds(ssml: str) -> float:
        wav = tmp_path / "speech.wav"
        subprocess.run(["espeak-ng", "-m", "-w", str(wav), ssml], check=True, timeout=30)
        with wave.open(str(wav)) as audio:
            return audio.getnframes() / audio.getframerate()

    plain = seconds("<speak>Hold. And relax.</speak>")
    paused = seconds('<speak>Hold. <break time="3000ms"/> And relax.</speak>')
    assert paused - plain == pytest.approx(3.0, abs=0.5)


def test_simulated_clock_moves_by_planned_speech() -> None:
    clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=UTC))
    clock.spoke(planned_seconds(speech_parts('<speak>Relax <break time="10s"/></speak>')))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=10.4)


# -- barging in --------------------------------------------------------------------------------


def test_wait_with_fast_barges_in_at_a_simulated_time(local_skill) -> None:
    console, out = console_for(local_skill)
    console.run(iter(["open s. i. joint coach", "start my routine", "next", "/wait 14", "pause"]))
    console.run(iter(["resume"]))
    transcript = out.getvalue()
    assert "(your next words come 14 s into the last answer)" in transcript
    # Fourteen seconds in, only the first rep (about nine seconds) had been heard.
    assert "You've done one of ten." in transcript


def test_wait_says_how_to_use_it_when_it_cannot_apply(local_skill) -> None:
    console, out = console_for(local_skill)
    console.run(iter(["/wait 14", "/wait soon"]))
    transcript = out.getvalue()
    assert "say something first" in transcript
    assert "/wait takes seconds, for example: /wait 14" in transcript


class BargingTime(FakeTime):
    """Real-time waiting that a Ctrl-C cuts off once `interrupt_after` seconds have passed."""

    def __init__(self) -> None:
        super().__init__()
        self.interrupt_at: float | None = None

    def sleep(self, seconds: float) -> None:
        if self.interrupt_at is not None and self.now + seconds >= self.interrupt_at:
            self.now, self.interrupt_at = self.interrupt_at, None
            raise KeyboardInterrupt
        super().sleep(seconds)


@dataclass
class FollowingClock:
    """The wall clock, as far as the console's waiting has moved it."""

    time: FakeTime
    start: datetime

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.time.now - 1000.0)

    def spoke(self, seconds: float) -> None:
        pass


def test_ctrl_c_in_real_time_barges_in_at_the_real_elapsed_time(local_skill) -> None:
    time = BargingTime()
    out = io.StringIO()
    console = Console(
        device=DeviceSession(
            local_skill, FollowingClock(time, datetime(2026, 11, 23, 8, 0, tzinfo=UTC)), "u"
        ),
        model=MODEL,
        player=SpeechPlayer(out, fast=False, sleep=time.sleep, monotonic=time.monotonic),
        out=out,
    )
    console.run(iter(["open s. i. joint coach", "start my routine"]))
    time.interrupt_at = time.now + 24.0  # Ctrl-C 24 s into the reps: two are done
    console.run(iter(["next", "pause", "resume"]))
    transcript = out.getvalue()
    assert "(interrupted)" in transcript
    assert "You've done two of ten." in transcript
