"""Everyday phrasings, typed as people say them: heard by the statistical resolver (a classifier
trained on the model's samples, as Alexa's NLU is), sent through lambda_handler with progress
in DynamoDB (moto), and answered for what they mean, not with "didn't catch that"."""

from __future__ import annotations

import pytest

from local.envelopes import AlexaSession
from local.utterances import InteractionModel
from si_coach.voice.wording import wording_for
from tests.skill.test_skill_conversations import stored_record
from tests.support.phases import phase, walk_to

HEARD = InteractionModel.from_file()
WORDS = wording_for("en-US")
SKILL_ID = "amzn1.ask.skill.test"


def say(session: AlexaSession, line: str) -> str:
    """The line as a device would hear it, answered by the skill; the answer's text."""
    resolution = HEARD.resolve(line)
    assert resolution.intent_name != "AMAZON.FallbackIntent", line
    session.send({**resolution.request_body(SKILL_ID), "dialogState": None})
    return session.text


def test_thanks_gets_a_short_reply_and_keeps_the_place(skill) -> None:
    session = walk_to(skill, "in_set")
    before = session.attributes["progress"]["routine"]
    for line in ("thanks", "thank you"):
        text = say(session, line)
        assert text.startswith(WORDS.line("questions.thanks") + " ")
        assert len(text.split(". ")) <= 3, text
        assert session.attributes["progress"]["routine"] == before


def test_im_tired_offers_a_pause_or_to_stop(skill) -> None:
    session = walk_to(skill, "in_set")
    text = say(session, "i'm tired")
    assert text == WORDS.line("questions.tired")
    assert session.session_id is not None, "the session stays open for the answer"
    assert phase(session) == "in_set"
    say(session, "pause")
    assert phase(session) == "paused"


def test_too_easy_says_how_the_routine_progresses(skill) -> None:
    session = walk_to(skill, "ready")
    text = say(session, "it's too easy")
    assert text.startswith(WORDS.line("questions.too_easy"))
    assert phase(session) == "ready"


def test_i_can_only_do_my_left_side_leaves_out_the_right(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    text = say(session, "i can only do my left side")
    assert "I'll leave out your right side" in text
    assert stored_record(moto_dynamodb_table)["injured_side"] == "right"


def test_the_pain_is_on_my_left_side_is_the_injured_side_not_pain(
    skill, moto_dynamodb_table
) -> None:
    session = AlexaSession(skill)
    session.launch()
    text = say(session, "the pain is on my left side")
    assert "I'll leave out your left side" in text
    assert not any(advice in text for advice in WORDS.safety_advice)
    assert stored_record(moto_dynamodb_table)["injured_side"] == "left"


def test_can_i_use_a_towel_answers_for_the_exercise_under_way(skill) -> None:
    session = walk_to(skill, "ready")  # the hip abduction: a belt, a band or a strip of cloth
    assert say(session, "can i use a towel").startswith("Yes, that will do for the hip abduction.")
    say(session, "let's do the bridge")
    text = say(session, "can i use a towel")
    assert text.startswith("You don't need anything for the bridge.")


def test_can_i_use_a_towel_before_the_routine_names_the_exercise_it_serves(skill) -> None:
    session = walk_to(skill, "not_started")
    assert say(session, "can i use a towel").startswith("That will do for the hip abduction.")


@pytest.mark.parametrize("line", ["how much longer", "how long is left"])
def test_how_much_longer_is_time_left_not_the_list(skill, line: str) -> None:
    session = walk_to(skill, "in_set")
    text = say(session, line)
    assert text.startswith("The whole routine takes about ")
    assert "From where you are, about " in text
    assert "hip adduction" not in text


def test_how_many_sets_and_is_this_the_last_set_say_the_sets(skill) -> None:
    session = walk_to(skill, "ready")
    assert WORDS.line("questions.one_set") in say(session, "how many sets")
    say(session, "the one with the pillow between my knees")
    assert session.text.startswith("Let's do the hip adduction")
    assert "This is set one of two." in say(session, "is this the last set")


def test_whats_the_first_exercise_names_it(skill) -> None:
    session = walk_to(skill, "not_started")
    text = say(session, "what's the first exercise")
    assert "hip abduction" in text.split(".")[0] + text.split(".")[1]


@pytest.mark.parametrize("line", ["which one is this", "what exercise am i on"])
def test_which_one_is_this_names_the_exercise_under_way(skill, line: str) -> None:
    session = walk_to(skill, "ready")
    assert "hip abduction" in say(session, line)


def test_lets_run_that_one_back_does_the_set_again(skill) -> None:
    session = walk_to(skill, "in_set")
    say(session, "let's run that one back")
    assert HEARD.resolve("let's run that one back").intent_name == "RepeatSetIntent"
    assert phase(session) in ("in_set", "ready", "holding")


@pytest.mark.parametrize(
    ("line", "intent"),
    [
        ("switch sides", "WhichSideIntent"),
        ("is this good for my back", "OverviewIntent"),
        ("do you store my health data", "WhatDoYouKeepIntent"),
        ("all done", "AMAZON.NextIntent"),
        ("what number am i on", "RepsLeftIntent"),
    ],
)
def test_the_rest_of_what_was_heard_reaches_its_meaning(skill, line: str, intent: str) -> None:
    assert HEARD.resolve(line).intent_name == intent
    session = walk_to(skill, "in_set")
    text = say(session, line)
    assert "didn't catch that" not in text


def test_remind_me_tomorrow_at_nine_sets_the_daily_reminder_at_nine() -> None:
    resolution = HEARD.resolve("remind me tomorrow at 9")
    assert resolution.intent_name == "SetReminderIntent"
    time = resolution.slot("time")
    assert time is not None and time.value is not None and time.value.value_id == "09:00"
