"""The coach says what really happened, and what will really be done, through lambda_handler.

Each test is a conversation of JSON envelopes on DynamoDB under moto; days pass by moving
the session's clock, as they would between real sessions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from local.envelopes import AlexaDevice, AlexaSession, speech_seconds
from si_coach.routine.catalogue import default_catalogue
from si_coach.voice.wording import wording_for

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")


def finish_first_exercise(session: AlexaSession) -> None:
    session.say("StartRoutineIntent")
    while "You've finished" not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("AMAZON.StopIntent")


def next_day(session: AlexaSession, days: int = 1) -> None:
    session.clock += timedelta(days=days)


# -- an injured side: the announcement says what will be done -------------------------------


def test_with_one_side_injured_the_dose_is_said_for_the_other_side_only(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("InjuredSideIntent", side=("right", "right"))
    session.say("GoToExerciseIntent", exercise=("knee to chest", "knee_to_chest"))
    assert "left side" in session.text
    assert "Do it three times, on your left side only." in session.text
    assert "on each side" not in session.text
    session.say("AMAZON.NextIntent")
    session.say("AMAZON.NextIntent")
    # The left side was all there was: the exercise is finished, as announced.
    assert "You've finished the single knee to chest." in session.text
    assert "right knee" not in session.text


def test_with_both_sides_well_the_dose_is_said_for_each_side(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("knee to chest", "knee_to_chest"))
    assert "Do it three times on each side." in session.text


def test_said_again_the_announcement_keeps_the_one_side(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("InjuredSideIntent", side=("left", "left"))
    session.say("GoToExerciseIntent", exercise=("clams", "clamshell"))
    session.say("AMAZON.RepeatIntent")
    assert "on your right side only." in session.text


# -- skipping everything is not finishing ------------------------------------------------------


def test_skipping_every_exercise_is_said_as_skipping_at_the_end_and_on_reopening(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    for _ in CATALOGUE.variants:
        session.say("SkipExerciseIntent")
    ending = session.text
    assert ending.startswith("That was the last exercise.")
    assert "You didn't finish an exercise today." in ending
    assert "routine done" not in ending and "finished the routine" not in ending
    session.launch()
    assert "you skipped to the end, without finishing an exercise." in session.text
    assert session.text.endswith("Shall we start the routine from the top?")
    assert "go through the routine again" not in session.text
    session.say("HistoryIntent")
    assert session.text.startswith("You haven't done any exercises with me yet.")


def test_reaching_the_end_by_skipping_is_not_called_finishing(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("lower trunk rotation", "lower_trunk_rotation"))
    session.say("SkipExerciseIntent")
    session.launch()
    session.say("AMAZON.NextIntent")
    assert not session.text.startswith("You've finished")
    assert session.text.startswith("You're at the end of the routine.")


def test_a_routine_really_finished_is_offered_again(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    while "whole routine" not in session.text:
        session.say("AMAZON.NextIntent")
    session.launch()
    assert "Earlier today you did the whole routine." in session.text
    assert session.text.endswith("Shall we go through the routine again?")


# -- start again, then reopen -------------------------------------------------------------------


def test_after_start_over_the_greeting_names_the_place_as_a_redo(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    finish_first_exercise(session)  # the hip abduction is finished, the place moves on
    session.launch()
    assert session.text.endswith(
        "Earlier today you finished the hip abduction. Pick up with the hip adduction?"
    )
    session.say("AMAZON.StartOverIntent")
    session.say("AMAZON.StopIntent")
    session.launch()
    assert "you finished the hip abduction. Pick up with the hip abduction" not in session.text
    assert session.text.endswith(
        "Earlier today you did one exercise. Pick up with the hip abduction again?"
    )


# -- what did I do yesterday -----------------------------------------------------------------------


def test_yesterday_is_answered_whether_something_or_nothing_was_done(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    finish_first_exercise(session)
    next_day(session)
    session.launch()
    session.say("HistoryIntent")
    assert session.text.startswith("Yesterday you did the hip abduction.")
    assert "Earlier today" not in session.text
    session.say("AMAZON.StopIntent")

    next_day(session)  # nothing was done yesterday
    session.launch()
    session.say("HistoryIntent")
    assert session.text.startswith("Yesterday you didn't do any exercises.")
    weekday = WORDS.weekdays[(session.clock - timedelta(days=2)).weekday()]
    assert f"On {weekday} you did the hip abduction." in session.text


def test_today_comes_first_then_yesterday_even_when_it_was_empty(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    finish_first_exercise(session)
    next_day(session, 2)
    session.launch()
    session.say("AMAZON.YesIntent")  # pick up with the hip adduction
    while "You've finished" not in session.text:
        session.say("AMAZON.NextIntent")
    session.say("HistoryIntent")
    text = session.text
    assert text.startswith("Earlier today you did the hip adduction.")
    assert text.index("Earlier today") < text.index("Yesterday you didn't do any exercises.")


# -- a no to "pick up with ...?" -------------------------------------------------------------------


def test_maybe_later_to_pick_up_stops_with_a_goodbye_and_keeps_the_place(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    finish_first_exercise(session)
    session.launch()
    assert session.text.endswith("Pick up with the hip adduction?")
    response = session.say("AMAZON.NoIntent")
    assert session.text == "Okay. I've saved your place. See you next time."
    assert response["response"]["shouldEndSession"] is True
    session.launch()
    assert session.text.endswith("Pick up with the hip adduction?")


# -- the next exercise is named and set up in one turn ----------------------------------------


@pytest.mark.parametrize("levels", ["first day", "top of ranges"])
def test_each_exercise_is_announced_and_set_up_in_the_turn_that_finishes_the_last(
    skill, levels: str
) -> None:
    session = AlexaSession(skill)
    session.launch()
    if levels == "top of ranges":
        session.attributes["progress"]["levels"] = {v.id: v.top_level for v in CATALOGUE.variants}
    session.say("StartRoutineIntent")
    set_up = WORDS.line("routine.say_next_in_position")
    announced = 1
    for _ in range(200):
        if session.session_id is None:
            break
        text = session.text
        assert "Up next" not in text, text
        finished = text.count("You've finished the ")
        if finished and "whole routine" not in text:
            assert text.endswith(set_up), text
            announced += 1
        session.say("AMAZON.NextIntent")
    assert "whole routine" in session.text
    assert announced == len(CATALOGUE.variants)


# -- a how-to mid-exercise is short; "tell me more" gives the rest -----------------------------


def test_a_how_to_mid_exercise_gives_the_steps_and_dose_then_offers_the_rest(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    session.say("AMAZON.NextIntent")  # some reps of the hip abduction
    response = session.say("HowToIntent", exercise=("bridge", "bridge"))
    text = session.text
    assert text.startswith("Here's the bridge. Lie on your back.")
    assert "Hold for six seconds." in text and "Do it eight times." in text
    assert "reps grow" not in text and "It works" not in text
    assert text.endswith(
        "For more about it, say: tell me more. Say next to carry on with the hip abduction."
    )
    brief = speech_seconds(response["response"]["outputSpeech"]["ssml"])
    whole = AlexaSession(skill, AlexaDevice(user_id="amzn1.ask.account.IDLE"))
    whole.launch()
    told = whole.say("HowToIntent", exercise=("bridge", "bridge"))
    assert brief < speech_seconds(told["response"]["outputSpeech"]["ssml"])
    session.say("TellMeMoreIntent")
    assert session.text == (
        "More about the bridge. As the days go by, reps grow from eight to ten."
        " It works your lower stomach, lower back, and hips."
        " Say next to carry on with the hip abduction."
    )
    session.say("AMAZON.NextIntent")
    assert "Push your knees apart." in session.text, "the routine carries on where it was"


def test_a_how_to_before_the_routine_is_whole(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("HowToIntent", exercise=("bridge", "bridge"))
    assert "reps grow from eight to ten" in session.text
    assert "tell me more" not in session.text


def test_tell_me_more_mid_exercise_without_a_how_to_is_about_the_current_one(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    session.say("TellMeMoreIntent")
    assert session.text.startswith("More about the hip abduction.")
    assert "It works your outer thigh muscles" in session.text
