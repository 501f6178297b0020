"""Repair, through lambda_handler with progress in DynamoDB (moto), in every phase: "what did
you say" repeats without pacing, "do that set again" paces once more without counting twice,
misses get short answers that grow more helpful, and yes and no answer every question."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise

import pytest

from local.envelopes import AlexaSession
from si_coach.voice.wording import wording_for
from tests.support.phases import (
    PHASES,
    phase,
    probe,
    routine,
    session_progress,
    walk_to,
)

WORDS = wording_for("en-US")
NUMBER = WORDS.grammar.number

# What "what did you say" says in each phase, when the last response paced reps: where the
# user is and what to say next. None: the last response paced nothing, and is said again.
RESTATED = {
    "not_started": None,
    "ready": None,
    "paused": None,
    "finished": None,
    "in_set": "That's six of ten. Say next for the last four.",
    "up_next": "Up next: lower trunk rotation. Say next when you're ready.",
    "holding": None,  # checked by its own pattern: the time left changes
}
# The first miss in each phase: one line, then the single most likely thing to say.
FIRST_MISS = {
    "not_started": "Say yes to start the routine.",  # the welcome asked
    "finished": "Say yes to go again, or no to stop.",  # "shall we go again?"
    "ready": "Say next when you're ready.",
    "up_next": "Say next when you're ready.",
    "in_set": "Say next to carry on.",
    "holding": "Keep holding, and say next.",
    "paused": "Say resume when you're ready.",
}
OFFER_HELP = "I'm having trouble understanding you. Would you like some help?"


def ssml(session: AlexaSession) -> str:
    return session.last_response["response"]["outputSpeech"]["ssml"]


def miss(session: AlexaSession) -> str:
    session.say("AMAZON.FallbackIntent")
    return session.text


# -- "what did you say" ----------------------------------------------------------------------


@pytest.mark.parametrize("target", PHASES)
def test_pardon_repeats_without_pacing_and_keeps_the_place(skill, target: str) -> None:
    session = walk_to(skill, target)
    last = session.text
    before = routine(session)
    question = session.attributes.get("question")
    session.say("AMAZON.RepeatIntent")
    said = session.text
    assert "<break" not in ssml(session), "no rep is paced again"
    assert routine(session) == before
    assert session.attributes.get("question") == question, "the question stays open"
    assert session.last_response["response"]["shouldEndSession"] is False
    if target == "holding":
        assert said.startswith("Still ") and said.endswith(" to go. Keep holding. Say next.")
    else:
        assert said == (RESTATED[target] or last)
    session.say("AMAZON.RepeatIntent")
    if target != "holding":
        assert session.text == said, "said again, the same"
    assert routine(session) == before


def test_pardon_mid_set_says_where_the_user_got_to_and_paces_nothing(skill) -> None:
    session = walk_to(skill, "ready")
    answered_at = session.clock
    session.say("AMAZON.NextIntent")  # six reps of the hip abduction
    # The user barges in half-way through: "Alexa, what did you say?"
    session.clock = answered_at + timedelta(seconds=35)
    session.say("AMAZON.RepeatIntent")
    heard = routine(session)["reps_done"]
    assert 0 < heard < 6
    assert session.text == (
        f"That's {NUMBER(heard)} of ten. Say next for the last {NUMBER(10 - heard)}."
    )
    assert "<break" not in ssml(session)
    session.say("AMAZON.RepeatIntent")
    assert routine(session)["reps_done"] == heard
    session.say("AMAZON.NextIntent")
    assert session.text.startswith(f"Number {NUMBER(heard + 1)}.")


def test_pardon_after_a_question_says_the_answer_again(skill) -> None:
    session = walk_to(skill, "in_set")
    session.say("HoldTimeIntent")
    answer = session.text
    session.say("AMAZON.RepeatIntent")
    assert session.text == answer


def test_pardon_keeps_a_yes_or_no_question_open(skill) -> None:
    session = walk_to(skill, "not_started")
    session.say("AMAZON.RepeatIntent")
    assert session.text.startswith("Welcome to S.I. joint coach.")
    session.say("AMAZON.YesIntent")
    assert session.text.startswith("First: hip abduction.")


# -- "do that set again" ---------------------------------------------------------------------


def test_do_that_set_again_paces_the_reps_again_and_the_count_ends_where_it_was(skill) -> None:
    session = walk_to(skill, "in_set")
    assert routine(session)["reps_done"] == 6
    session.say("RepeatSetIntent")
    assert session.text.startswith("Again, from the top. Here we go.")
    assert session.text.endswith("That's six of ten. Say next for the last four.")
    assert "<break" in ssml(session), "the reps are paced"
    assert routine(session)["reps_done"] == 6


def test_a_set_done_again_counts_the_exercise_once(skill) -> None:
    session = walk_to(skill, "ready")
    session.say("GoToExerciseIntent", exercise=("bridge", "bridge"))
    session.say("AMAZON.NextIntent")
    session.say("RepeatSetIntent")
    while "You've finished the bridge." not in session.text:
        session.say("AMAZON.NextIntent")
    progress = session_progress(session)
    assert progress.recent_days[0].completed == ("bridge",)
    assert progress.levels["bridge"] == 1


# -- misses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", PHASES)
def test_three_misses_get_three_answers_each_more_helpful(skill, target: str) -> None:
    session = walk_to(skill, target)
    before = routine(session)
    answers = [miss(session) for _ in range(3)]
    assert answers[0] == f"Sorry, I didn't catch that. {FIRST_MISS[target]}"
    assert len(answers[0].split()) <= 15, "the first is short"
    assert answers[1].startswith("Sorry, I still didn't get that.")
    assert len(answers[1].split()) > len(answers[0].split()), "the second says more"
    assert answers[2] == OFFER_HELP
    assert len(set(answers)) == 3
    assert routine(session) == before
    assert session.last_response["response"]["shouldEndSession"] is False
    session.say("AMAZON.YesIntent")
    assert session.text.startswith(("You can say", "You're on the", "You're paused"))
    assert routine(session) == before


def test_no_miss_is_answered_the_same_way_twice_running(skill) -> None:
    session = walk_to(skill, "in_set")
    answers = [miss(session) for _ in range(7)]
    assert all(a != b for a, b in pairwise(answers))


def test_anything_understood_starts_the_count_again(skill) -> None:
    session = walk_to(skill, "in_set")
    first = miss(session)
    miss(session)
    session.say("WhatsNextIntent")
    assert miss(session) == first
    session.say("OrderPizzaIntent")  # an intent the skill does not know is a miss too
    assert session.text.startswith("Sorry, I still didn't get that.")


def test_declining_help_carries_on_where_the_user_was(skill) -> None:
    session = walk_to(skill, "in_set")
    for _ in range(3):
        miss(session)
    session.say("AMAZON.NoIntent")
    assert session.text == "Okay. Say next to carry on with the hip abduction."
    session.say("AMAZON.NextIntent")
    assert session.text.startswith("Number seven.")


# -- yes and no to every question ------------------------------------------------------------


def _welcome(skill) -> AlexaSession:
    return walk_to(skill, "not_started")


def _overview_offer(skill) -> AlexaSession:
    session = walk_to(skill, "not_started")
    session.say("OverviewIntent")
    assert session.text.endswith("Would you like to start the routine?")
    return session


def _pick_up(skill) -> AlexaSession:
    session = walk_to(skill, "in_set")
    session.say("AMAZON.StopIntent")
    session.launch()
    assert session.text.endswith("Pick up with the hip abduction?")
    return session


def _go_again(skill) -> AlexaSession:
    session = walk_to(skill, "finished")
    assert session.text.endswith("Shall we go through the routine again?")
    return session


def _which_one(skill) -> AlexaSession:
    session = walk_to(skill, "ready")
    session.say("GoToExerciseIntent", exercise=("cartwheel", None))
    assert "Which one would you like?" in session.text
    return session


def _which_exercise(skill) -> AlexaSession:
    session = walk_to(skill, "not_started")
    session.say("HowToIntent")
    assert session.text.startswith("Which exercise?")
    return session


def _which_side(skill) -> AlexaSession:
    session = walk_to(skill, "ready")
    session.say("InjuredSideIntent")
    assert session.text.startswith("Which side is injured?")
    return session


def _which_pace(skill) -> AlexaSession:
    session = walk_to(skill, "ready")
    session.say("PaceIntent")
    assert session.text == "Would you like to go slower, or faster?"
    return session


def _offer_help(skill) -> AlexaSession:
    session = walk_to(skill, "in_set")
    for _ in range(3):
        miss(session)
    assert session.text == OFFER_HELP
    return session


QUESTIONS_ASKED: list[tuple[str, Callable[..., AlexaSession], str, str]] = [
    ("welcome", _welcome, "First: hip abduction.", "Okay. You can say: start my routine."),
    ("overview", _overview_offer, "First: hip abduction.", "Okay. You can say: start my routine."),
    (
        "pick up",
        _pick_up,
        "You're on the hip abduction.",
        "Okay. I've saved your place. See you next time.",
    ),
    ("go again", _go_again, "First: hip abduction.", "Okay. See you next time."),
    (
        "which one",
        _which_one,
        "Which one? Name an exercise, like the bridge.",
        "Okay. Say next to carry on with the hip abduction.",
    ),
    (
        "which exercise",
        _which_exercise,
        "Which one? Name an exercise, like the bridge.",
        "Okay. Say start my routine when you're ready.",
    ),
    (
        "which side",
        _which_side,
        "Which side is injured?",
        "Okay. I'll leave that as it is. Say next to carry on with the hip abduction.",
    ),
    (
        "which pace",
        _which_pace,
        "Would you like to go slower, or faster?",
        "Okay. I'll leave that as it is. Say next to carry on with the hip abduction.",
    ),
    (
        "offer help",
        _offer_help,
        "You're on the hip abduction. Say next to carry on.",
        "Okay. Say next to carry on with the hip abduction.",
    ),
]


@pytest.mark.parametrize(
    ("setup", "after_yes", "after_no"),
    [pytest.param(setup, yes, no, id=name) for name, setup, yes, no in QUESTIONS_ASKED],
)
@pytest.mark.parametrize("answer", ["AMAZON.YesIntent", "AMAZON.NoIntent"])
def test_yes_and_no_answer_every_question(skill, setup, after_yes, after_no, answer) -> None:
    session = setup(skill)
    settings = (session_progress(session).injured_side, session_progress(session).pace)
    session.say(answer)
    expected = after_yes if answer == "AMAZON.YesIntent" else after_no
    assert session.text.startswith(expected), session.text
    assert "something went wrong" not in session.text
    assert (session_progress(session).injured_side, session_progress(session).pace) == settings


# After an instruction (no question open), what a bare yes and a bare no do in each phase.
AFTER_YES = {
    "not_started": "First: hip abduction.",
    "ready": "Here we go.",
    "in_set": "Number seven.",
    "up_next": "Next: lower trunk rotation.",
    "holding": "",  # the hold goes on to its end: see below
    "paused": "Okay. You're paused. Say resume when you're ready.",
    "finished": "First: hip abduction.",
}
AFTER_NO = {
    "not_started": "Okay. Say start my routine when you're ready.",
    "ready": "No rush. Say next to carry on with the hip abduction.",
    "in_set": "No rush. Say next to carry on with the hip abduction.",
    "up_next": "No rush. Say next to carry on with the lower trunk rotation.",
    "holding": "No rush. ",
    "paused": "Okay. You're paused. Say resume when you're ready.",
    "finished": "Okay. See you next time.",
}


@pytest.mark.parametrize("target", PHASES)
def test_yes_and_no_after_an_instruction_in_every_phase(skill, target: str) -> None:
    session = walk_to(skill, target)
    session.say("WhatsNextIntent")  # anything else said closes the launch's question
    assert session.attributes.get("question") is None
    before = routine(session)
    said_yes = probe(session)
    said_yes.say("AMAZON.YesIntent")
    assert said_yes.text.startswith(AFTER_YES[target]), said_yes.text
    said_no = probe(session)
    said_no.say("AMAZON.NoIntent")
    assert said_no.text.startswith(AFTER_NO[target]), said_no.text
    if target != "finished":
        assert routine(said_no) == before, "no leaves the user where they were"
    if target == "paused":
        assert phase(said_yes) == "paused", "only resume ends a pause"
    if target == "holding":
        assert "Slowly bring the leg down. That's one of three." in said_yes.text
        assert "Here we go" not in said_yes.text, "the hold carries on, not a new rep"


def test_a_miss_or_pardon_keeps_the_question_open_and_anything_else_closes_it(skill) -> None:
    session = walk_to(skill, "not_started")
    miss(session)
    session.say("AMAZON.RepeatIntent")
    assert session.attributes["question"] == "start_routine"
    session.say("RoutineLengthIntent")
    assert session.attributes.get("question") is None
