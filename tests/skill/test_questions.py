"""Questions asked mid-exercise, through lambda_handler with progress in DynamoDB (moto):
each is answered from the state and the catalogue in every phase, and none moves the user's
place or breaks a hold carried across responses."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from local.envelopes import AlexaSession, speech_seconds, speech_text
from si_coach.handlers.questions import ITEM_KEYS
from si_coach.routine.catalogue import (
    CATALOGUE_FILE,
    CatalogueError,
    default_catalogue,
    parse_catalogue,
)
from si_coach.routine.pacing import Coaching, Event, EventKind, PacingEngine, RoutineState
from si_coach.routine.plan import ANSWER_GAP_SECONDS
from si_coach.routine.questions import Where, routine_length
from si_coach.voice.speaker import voice_for
from si_coach.voice.wording import all_wordings, wording_for
from tests.support.phases import PHASES, phase, probe, routine, walk_to

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")
EN_US = (
    Path(__file__).resolve().parents[2] / "interaction_model/interactionModels/custom/en-US.json"
)

# Each question as the user asks it: intent and slots, as (spoken, resolved id).
QUESTIONS = {
    "how long do I hold": ("HoldTimeIntent", {}),
    "how long do I hold the bridge": ("HoldTimeIntent", {"exercise": ("bridge", "bridge")}),
    "how many more": ("RepsLeftIntent", {}),
    "what's next": ("WhatsNextIntent", {}),
    "which side am I on": ("WhichSideIntent", {}),
    "what do I need": ("EquipmentIntent", {}),
    "what do I need for the clams": ("EquipmentIntent", {"exercise": ("clams", "clamshell")}),
    "I don't have a belt": ("MissingEquipmentIntent", {"equipment": ("belt", "belt")}),
    "how long does the routine take": ("RoutineLengthIntent", {}),
    "which exercises are left": ("ExercisesLeftIntent", {}),
}
# How each phase's answers close: how to carry on from there.
CARRY_ON = {
    "not_started": "Say start my routine when you're ready.",
    "finished": "Say start my routine when you're ready.",
    "paused": "You're paused. Say resume when you're ready.",
    "ready": "Say next to carry on with the hip abduction.",
    "in_set": "Say next to carry on with the hip abduction.",
    "up_next": "Say next to carry on with the lower trunk rotation.",
}
NUMBERS = {WORDS.grammar.number(n): n for n in range(200)}
NUMBERS_BY_VALUE = {n: word for word, n in NUMBERS.items()}
HOLD_CLOSING = re.compile(r"(Still [a-z -]+ to go\. Keep holding\.|Time's up\.) Say next\.$")


def ask(session: AlexaSession, question: str) -> str:
    intent, slots = QUESTIONS[question]
    session.say(intent, **slots)
    return session.text


def assert_closes_with_how_to_carry_on(target: str, text: str) -> None:
    if target == "holding":
        assert HOLD_CLOSING.search(text), text
    else:
        assert text.endswith(CARRY_ON[target]), text


# -- every question, every phase ---------------------------------------------------------------


@pytest.mark.parametrize("target", PHASES)
def test_every_question_keeps_the_place_in_every_phase(skill, target: str) -> None:
    session = walk_to(skill, target)
    before = routine(session)
    for question in QUESTIONS:
        asked = probe(session)
        text = ask(asked, question)
        body = asked.last_response["response"]
        assert body["shouldEndSession"] is False, question
        assert "<break" not in body["outputSpeech"]["ssml"], "a question paces nothing"
        assert routine(asked) == before, (question, target)
        assert_closes_with_how_to_carry_on(target, text)
        assert body["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")


@pytest.mark.parametrize("target", [p for p in PHASES if p != "holding"])
def test_after_any_question_next_carries_on_exactly_as_before(skill, target: str) -> None:
    session = walk_to(skill, target)
    straight_on = probe(session)
    straight_on.say("AMAZON.NextIntent")
    for question in QUESTIONS:
        asked = probe(session)
        ask(asked, question)
        asked.say("AMAZON.NextIntent")
        assert asked.text == straight_on.text, question
        assert routine(asked) | {"updated_at": 0} == routine(straight_on) | {"updated_at": 0}


def test_questions_mid_hold_do_not_break_the_hold(skill) -> None:
    session = walk_to(skill, "holding")
    hold_ends_at = routine(session)["hold_ends_at"]
    for question in QUESTIONS:
        ask(session, question)
        assert phase(session) == "holding"
        assert routine(session)["hold_ends_at"] == hold_ends_at
    session.say("AMAZON.NextIntent")
    # The rep was not started again: its hold ended while the questions were answered.
    assert session.text.startswith("Time's up. Slowly bring the leg down.")
    assert routine(session)["reps_done"] == 1


# -- how long do I hold ----------------------------------------------------------------------


def test_how_long_do_i_hold_this_one_and_a_named_one(skill) -> None:
    session = walk_to(skill, "ready")
    assert ask(session, "how long do I hold").startswith("Hold the hip abduction for five seconds.")
    assert ask(session, "how long do I hold the bridge").startswith(
        "Hold the bridge for six seconds."
    )
    session.say("HoldTimeIntent", exercise=("trunk rotation", "lower_trunk_rotation"))
    assert session.text.startswith("Hold the lower trunk rotation for three seconds each way.")
    session.say("HoldTimeIntent", exercise=("knee hugs", "knee_to_chest"))
    assert session.text.startswith(
        "Hold the single knee to chest for fifteen seconds. "
        "Hold the double knee to chest for five seconds."
    )
    session.say("HoldTimeIntent", exercise=("cartwheel", None))
    assert session.text.startswith("I don't know that exercise. The exercises are: hip abduction,")


def test_the_hold_is_todays_at_the_users_level_and_mid_hold_says_what_is_left(skill) -> None:
    session = walk_to(skill, "holding")  # the hamstring stretch, on its second day
    text = ask(session, "how long do I hold")
    assert text.startswith("Hold the hamstring wall stretch for one minute thirty seconds. Still ")
    assert text.endswith("to go. Keep holding. Say next.")


def test_how_long_do_i_hold_with_no_exercise_under_way_asks_for_one(skill) -> None:
    session = walk_to(skill, "not_started")
    assert ask(session, "how long do I hold").startswith("Each exercise has its own hold.")


# -- how many are left -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "answer"),
    [
        ("not_started", "We haven't started yet."),
        ("ready", "All ten to go."),
        ("in_set", "You've done six of ten, so four to go."),
        ("paused", "You've done six of ten, so four to go."),
        ("up_next", "All ten to go."),
        ("holding", "You're holding number one of three. Then two more. Then the same on your "),
        ("finished", "You've finished today's routine."),
    ],
)
def test_how_many_are_left_in_every_phase(skill, target: str, answer: str) -> None:
    assert ask(walk_to(skill, target), "how many more").startswith(answer)


def test_how_many_are_left_counts_sets_and_sides(skill) -> None:
    session = walk_to(skill, "ready")
    session.say("GoToExerciseIntent", exercise=("pillow squeeze", "hip_adduction"))
    session.say("AMAZON.NextIntent")
    assert ask(session, "how many more").startswith(
        "You've done six of fifteen, so nine to go. This is set one of two. "
        "In all, twenty-four to go on the hip adduction."
    )
    session.say("GoToExerciseIntent", exercise=("clams", "clamshell"))
    assert ask(session, "how many more").startswith(
        "All eight to go. Then the same on your right side. In all, sixteen to go on the clamshell."
    )


# -- what's next -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "answer"),
    [
        ("not_started", "First up: the hip abduction."),
        ("ready", "Now: the hip abduction. After that: the hip adduction."),
        ("in_set", "After this: the hip adduction."),
        ("paused", "After this: the hip adduction."),
        ("up_next", "Now: the lower trunk rotation. It's the last one of the routine."),
        ("holding", "After this: your right side."),
        ("finished", "You've finished today's routine. There's nothing more today."),
    ],
)
def test_whats_next_in_every_phase(skill, target: str, answer: str) -> None:
    assert ask(walk_to(skill, target), "what's next").startswith(answer)


def test_whats_next_names_the_next_set(skill) -> None:
    session = walk_to(skill, "ready")
    session.say("GoToExerciseIntent", exercise=("pillow squeeze", "hip_adduction"))
    session.say("AMAZON.NextIntent")
    assert ask(session, "what's next").startswith("After this: set two.")


# -- which side ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "answer"),
    [
        ("not_started", "We haven't started yet."),
        ("ready", "This one works both sides together."),
        ("in_set", "This one works both sides together."),
        ("paused", "This one works both sides together."),
        ("up_next", "This one works both sides, one way and then the other."),
        (
            "holding",
            "You're on your left side. Stretch your right leg out through the doorway. "
            "Your left leg goes up the wall.",
        ),
        ("finished", "You've finished today's routine."),
    ],
)
def test_which_side_in_every_phase(skill, target: str, answer: str) -> None:
    assert ask(walk_to(skill, target), "which side am I on").startswith(answer)


def test_which_side_follows_an_injured_side(skill) -> None:
    session = walk_to(skill, "ready")
    session.say("InjuredSideIntent", side=("left", "left"))
    session.say("GoToExerciseIntent", exercise=("clams", "clamshell"))
    assert ask(session, "which side am I on").startswith(
        "You're on your right side. Lie on your left side, so your right knee is on top."
    )
    assert "Then the same" not in ask(session, "how many more")


# -- what do I need, and what stands in ------------------------------------------------------


def test_what_do_i_need_before_the_routine_is_everything_it_needs(skill) -> None:
    text = ask(walk_to(skill, "not_started"), "what do I need")
    assert text.startswith(
        "For the hip abduction: a belt, a resistance band, or a wide strip of cloth. "
        "For the hip adduction: a pillow, or a medium-sized exercise ball. "
        "For the clamshell: a pillow for your head. For the quadriceps stretch: a wall. "
        "For the hamstring wall stretch: an open doorway. The other exercises need nothing."
    )


def test_what_do_i_need_for_this_or_a_named_exercise(skill) -> None:
    session = walk_to(skill, "in_set")
    assert ask(session, "what do I need").startswith(
        "For the hip abduction, you'll need a belt, a resistance band, or a wide strip of cloth."
    )
    assert ask(session, "what do I need for the clams").startswith(
        "For the clamshell, you'll need a pillow for your head."
    )
    session.say("EquipmentIntent", exercise=("bridge", "bridge"))
    assert session.text.startswith("You don't need anything for the bridge.")


@pytest.mark.parametrize(
    ("item", "answer"),
    [
        ("belt", "For the hip abduction, a resistance band or a wide strip of cloth will do "),
        ("cloth", "For the hip abduction, a belt or a resistance band will do just as well."),
        (
            "pillow",
            "For the hip adduction, a medium-sized exercise ball will do just as well. "
            "For the clamshell, it's just for comfort. You can do it without one.",
        ),
        ("ball", "For the hip adduction, a pillow will do just as well."),
        ("wall", "The quadriceps stretch needs a wall. If you can't find one, leave it out when"),
        ("doorway", "The hamstring wall stretch needs an open doorway. If you can't find one,"),
    ],
)
def test_i_dont_have_an_item_says_what_stands_in(skill, item: str, answer: str) -> None:
    session = walk_to(skill, "not_started")
    session.say("MissingEquipmentIntent", equipment=(item, item))
    assert session.text.startswith(answer)


def test_i_dont_have_an_item_answers_for_the_exercise_under_way(skill) -> None:
    session = walk_to(skill, "holding")
    session.say("MissingEquipmentIntent", equipment=("door", "doorway"))
    assert session.text.startswith(
        "The hamstring wall stretch needs an open doorway. "
        "If you can't find one, you can leave it out: say skip this one."
    )
    session.say("GoToExerciseIntent", exercise=("clams", "clamshell"))
    session.say("MissingEquipmentIntent", equipment=("pillow", "pillow"))
    assert session.text.startswith(
        "For the clamshell, it's just for comfort. You can do it without one. Say next"
    )
    session.say("MissingEquipmentIntent", equipment=("yoga mat", None))
    assert session.text.startswith("None of the exercises needs that.")


def test_every_item_has_words_and_the_model_names_the_catalogues_items() -> None:
    assert set(ITEM_KEYS) == set(CATALOGUE.equipment)
    for wording in all_wordings().values():
        for key in ITEM_KEYS.values():
            assert wording.line(key)
    model = json.loads(EN_US.read_text())["interactionModel"]["languageModel"]
    equipment = next(t for t in model["types"] if t["name"] == "EQUIPMENT")
    assert {value["id"] for value in equipment["values"]} == set(CATALOGUE.equipment)
    # What the wording says an exercise needs, the catalogue's needs say too.
    needing = {need.exercise_id for need in CATALOGUE.needs}
    assert needing == {e.id for e in CATALOGUE.exercises if WORDS.exercise(e.id).equipment}


# -- how long does the routine take ----------------------------------------------------------


def _minutes_said(text: str) -> list[str]:
    return re.findall(r"about ([a-z-]+) minutes", text)


def test_the_routine_length_is_the_time_the_routine_really_takes(skill) -> None:
    session = walk_to(skill, "not_started")
    estimate = _minutes_said(ask(session, "how long does the routine take"))
    assert len(estimate) == 1
    # Walk the whole routine, the user answering each response after the same gap.
    session.reply_delay = ANSWER_GAP_SECONDS
    started = session.clock
    session.say("StartRoutineIntent")
    while session.session_id is not None:
        session.say("AMAZON.NextIntent")
    taken = (session.clock - started) / timedelta(minutes=1)
    # Said in whole minutes; the request envelopes time the speech from its SSML.
    assert abs(NUMBERS[estimate[0]] - taken) < 1, (estimate, taken)


def test_the_routine_length_follows_pace_and_says_what_is_left(skill) -> None:
    session = walk_to(skill, "in_set")
    usual = _minutes_said(ask(session, "how long does the routine take"))
    assert len(usual) == 2, "the whole routine, and from where the user is"
    session.say("PaceIntent", pace=("slower", "slower"))
    slower = _minutes_said(ask(session, "how long does the routine take"))
    assert NUMBERS[slower[0]] > NUMBERS[usual[0]]
    assert NUMBERS[usual[1]] < NUMBERS[usual[0]]


# -- which exercises are left ----------------------------------------------------------------


def test_which_exercises_are_left_leaves_out_those_done_today(skill) -> None:
    session = walk_to(skill, "ready")
    while "You've finished the hip abduction." not in session.text:
        session.say("AMAZON.NextIntent")
    text = ask(session, "which exercises are left")
    assert text.startswith("Still to do today: the hip adduction, the bridge,")
    assert "hip abduction" not in speech_text(session.last_response).split(".")[0]


# -- the catalogue's needs -------------------------------------------------------------------


def _raw_catalogue() -> dict:
    with CATALOGUE_FILE.open("rb") as file:
        return tomllib.load(file)


@pytest.mark.parametrize(
    ("need", "message"),
    [
        ({"exercise": "cartwheel", "any_of": ["belt"]}, "no such exercise"),
        ({"exercise": "bridge", "any_of": []}, "must not be empty"),
        ({"exercise": "bridge", "any_of": ["mat", "mat"]}, "listed twice"),
        ({"exercise": "bridge", "any_of": ["mat"], "comfort": "yes"}, "true or false"),
    ],
)
def test_a_bad_need_is_refused_with_a_clear_error(need: dict, message: str) -> None:
    raw = _raw_catalogue()
    raw["needs"].append(need)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_the_article_s_stand_ins_are_in_the_catalogue() -> None:
    needs = {need.exercise_id: need for need in CATALOGUE.needs}
    assert needs["hip_abduction"].any_of == ("belt", "band", "cloth")
    assert needs["hip_adduction"].any_of == ("pillow", "ball")
    assert needs["clamshell"].comfort
    assert needs["quadriceps_stretch"].any_of == ("wall",)
    assert needs["hamstring_wall_stretch"].any_of == ("doorway",)


# -- the routine's length, as facts -----------------------------------------------------------


def test_a_paused_routine_has_as_much_left_as_when_it_was_paused() -> None:
    engine = PacingEngine(CATALOGUE, voice_for("en-US"))
    coaching = Coaching()
    now = 1_800_000_000.0
    start = engine.handle(RoutineState(), Event(EventKind.START), now, coaching).state
    in_set = engine.handle(start, Event(EventKind.NEXT), now, coaching).state
    paused = engine.handle(in_set, Event(EventKind.PAUSE), now, coaching).state
    running = routine_length(Where(engine, in_set, coaching, now))
    resting = routine_length(Where(engine, paused, coaching, now))
    assert resting == running
    assert running.left_seconds is not None
    assert 0 < running.left_seconds < running.whole_seconds
    assert routine_length(Where(engine, RoutineState(), coaching, now)).left_seconds is None


# -- asked while a paced response is still playing ------------------------------------------


def _barge_in(session: AlexaSession, seconds: float) -> None:
    """Set the clock back to `seconds` into the last response: the user spoke over it."""
    ssml = session.last_response["response"]["outputSpeech"]["ssml"]
    answered_at = session.clock - timedelta(seconds=speech_seconds(ssml) + session.reply_delay)
    session.clock = answered_at + timedelta(seconds=seconds)


def test_a_question_mid_set_counts_only_the_reps_heard_and_paces_nothing(skill) -> None:
    session = walk_to(skill, "in_set")
    session.say("AMAZON.NextIntent")  # reps seven to ten, and the next exercise
    _barge_in(session, 20)
    text = ask(session, "how many more")
    done = routine(session)["reps_done"]
    assert 6 < done < 10
    assert text.startswith(f"You've done {NUMBERS_BY_VALUE[done]} of ten, so ")
    assert routine(session)["phase"] == "in_set"
    session.say("AMAZON.NextIntent")
    assert session.text.startswith(f"Number {NUMBERS_BY_VALUE[done + 1]}.")


def test_a_question_inside_a_carried_hold_keeps_the_hold(skill) -> None:
    session = walk_to(skill, "holding")
    hold_ends_at = routine(session)["hold_ends_at"]
    _barge_in(session, 40)  # well into the silence of the hold
    text = ask(session, "how long do I hold")
    assert routine(session)["phase"] == "holding"
    assert routine(session)["hold_ends_at"] == hold_ends_at
    assert HOLD_CLOSING.search(text)


# What a fresh interpreter loads: a session that asks no question mid-exercise never loads
# their handlers (the registry names them); the first such question does.
FIRST_USE = """
import sys
from local.envelopes import AlexaDevice, AlexaSession
from si_coach.skill import create_skill_builder

session = AlexaSession(create_skill_builder(None).lambda_handler(), AlexaDevice())
session.launch()
session.say("StartRoutineIntent")
print("si_coach.handlers.questions" in sys.modules)
session.say("HoldTimeIntent")
print("si_coach.handlers.questions" in sys.modules)
print(session.text)
"""


def test_the_question_handlers_are_loaded_on_the_first_question_only() -> None:
    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", FIRST_USE],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": f"{root / 'lambda'}:{root}", "HOME": str(root)},
    )
    before, after, answer = child.stdout.splitlines()
    assert (before, after) == ("False", "True")
    assert answer.startswith("Hold the hip abduction for five seconds."), answer
