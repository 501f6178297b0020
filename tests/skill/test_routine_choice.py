"""The time the user has, through lambda_handler: "I only have ten minutes" plans a routine
that is paced within ten minutes and names what it holds; over two weeks of short days every
exercise comes round; "just the stretches", "the full routine"; and "leave out the hamstring
stretch" holds until "put it back", said at each routine's start."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from local.envelopes import AlexaSession, resolved_slot
from si_coach.routine.catalogue import default_catalogue
from si_coach.voice.speaker import voice_for

CATALOGUE = default_catalogue()
VOICE = voice_for("en-US")
WORDS = VOICE.wording
HAMSTRING = ("hamstring stretch", "hamstring_wall_stretch")
THE_HAMSTRING = VOICE.the_exercise_names(("hamstring_wall_stretch",))


def say_minutes(session: AlexaSession, minutes: str | None) -> dict:
    """ShortRoutineIntent with an AMAZON.NUMBER slot, as Alexa sends it."""
    slots = {}
    if minutes is not None:
        slots["minutes"] = {"name": "minutes", "value": minutes, "confirmationStatus": "NONE"}
    return session.send(
        {
            "type": "IntentRequest",
            "intent": {"name": "ShortRoutineIntent", "confirmationStatus": "NONE", "slots": slots},
            "dialogState": None,
        }
    )


def announced_variants(text: str) -> list[str]:
    """The variants whose set-up a response reads out, in order."""
    found = []
    for variant in CATALOGUE.variants:
        name = VOICE.variant_name(variant.id)
        leads = ("lead_first", "lead_next", "lead_skipping", "lead_you_are_on")
        for lead in (f"routine.{name}" for name in leads):
            for block in (name, *(f"{name}, {side}" for side in ("left side", "right side"))):
                if WORDS.line(lead, block=block) in text:
                    found.append((text.index(WORDS.line(lead, block=block)), variant.id))
    return list(dict.fromkeys(v for _, v in sorted(set(found))))


def walk_to_the_end(session: AlexaSession, limit: int = 400) -> list[str]:
    """Say next until the routine is over; the variants announced on the way, in order."""
    seen = announced_variants(session.text)
    for _ in range(limit):
        if not session.session_id:
            return seen
        session.say("AMAZON.NextIntent")
        seen += [v for v in announced_variants(session.text) if not seen or seen[-1] != v]
    raise AssertionError("the routine did not end")


def stored(table) -> dict:
    item = table.get_item(Key={"id": session_user()})["Item"]["attributes"]
    return json.loads(json.dumps(item, default=lambda d: int(d) if isinstance(d, Decimal) else d))


def session_user() -> str:
    return AlexaSession(handler=None).device.user_id  # type: ignore[arg-type]


def test_ten_minutes_is_paced_within_ten_minutes_and_names_what_it_holds(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    start = session.clock
    say_minutes(session, "10")
    first = session.text
    assert (
        WORDS.line("routine.plan_timed", minutes="ten minutes", exercises="", length="")[:12]
        in first
    ), first
    walked = walk_to_the_end(session)
    elapsed = session.clock - start
    assert elapsed <= timedelta(minutes=10), elapsed
    assert elapsed >= timedelta(minutes=5), "a ten-minute routine uses most of the ten minutes"
    # What was announced is what was done, and the plan named each one.
    assert walked
    for variant_id in walked:
        assert VOICE.variant_name(variant_id) in first
    assert WORDS.lines_of("routine.chosen_routine_done")[0] in session.text
    assert WORDS.lines_of("routine.routine_done")[0] not in session.text


def test_a_short_day_counts_honestly(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    say_minutes(session, "5")
    walk_to_the_end(session)
    record = stored(moto_dynamodb_table)
    assert record["active_days"] == 1
    assert record["streak"] == 1
    assert record["days"][0][1], "the exercises finished today are kept"
    # The short routine is over: tomorrow's "start my routine" is the whole routine again.
    assert "r" not in record.get("plan", {})
    session.wait(days=1)
    session.launch()
    session.say("StartRoutineIntent")
    assert announced_variants(session.text)[0] == CATALOGUE.variants[0].id


def test_over_two_weeks_of_ten_minute_days_every_exercise_comes_round(skill) -> None:
    session = AlexaSession(skill)
    done: set[str] = set()
    for _ in range(14):
        session.launch()
        say_minutes(session, "10")
        done |= {CATALOGUE.variant(v).exercise_id for v in walk_to_the_end(session)}
        session.wait(days=1)
    assert done == {e.id for e in CATALOGUE.exercises}


def test_just_the_stretches_are_the_stretches(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StretchesOnlyIntent")
    walked = walk_to_the_end(session)
    assert {CATALOGUE.variant(v).exercise_id for v in walked} == {
        e.id for e in CATALOGUE.exercises if e.stretch
    }


def test_leaving_out_holds_until_put_back_and_is_said_at_the_start(
    skill, moto_dynamodb_table
) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("LeaveOutIntent", exercise=HAMSTRING)
    assert WORDS.line("answers.left_out", exercise=THE_HAMSTRING) in session.text
    # Kept at once, not only when the session ends (a device may never send its end).
    assert stored(moto_dynamodb_table)["plan"]["o"] == ["hs"]
    session.say("AMAZON.StopIntent")
    # Another day, another device: still left out, and said so.
    later = AlexaSession(skill, clock=session.clock + timedelta(days=1))
    later.launch()
    later.say("StartRoutineIntent")
    assert WORDS.line("routine.left_out_today", exercises=THE_HAMSTRING) in later.text
    walked = walk_to_the_end(later)
    assert "hamstring_wall_stretch" not in walked
    assert len(walked) == len(CATALOGUE.variants) - 1
    # Put back: the next routine has it again, and says nothing is left out.
    later.wait(days=1)
    later.launch()
    later.say("PutBackIntent", exercise=HAMSTRING)
    assert WORDS.line("answers.put_back", exercise=THE_HAMSTRING) in later.text
    later.say("StartRoutineIntent")
    assert "Without" not in later.text
    assert "hamstring_wall_stretch" in walk_to_the_end(later)


def test_leaving_out_the_exercise_under_way_moves_on(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=HAMSTRING)
    session.say("LeaveOutIntent", exercise=HAMSTRING)
    assert WORDS.line("answers.left_out", exercise=THE_HAMSTRING) in session.text
    assert announced_variants(session.text) == ["lower_trunk_rotation"]


@pytest.mark.parametrize("intent", ["LeaveOutIntent", "PutBackIntent"])
def test_an_unknown_exercise_is_asked_about(skill, intent: str) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.send(
        {
            "type": "IntentRequest",
            "intent": {
                "name": intent,
                "confirmationStatus": "NONE",
                "slots": {"exercise": resolved_slot("exercise", "yoga", None)},
            },
        }
    )
    which = "answers.leave_out_which" if intent == "LeaveOutIntent" else "answers.put_back_which"
    assert WORDS.line(which) in session.text
    assert session.session_id is not None


def test_the_full_routine_mid_short_routine_keeps_the_place(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    say_minutes(session, "10")
    first = announced_variants(session.text)[0]
    session.say("FullRoutineIntent")
    assert WORDS.line("routine.plan_full", length="x").split(".")[0] in session.text
    walked = walk_to_the_end(session)
    assert walked[0] == first
    order = [v.id for v in CATALOGUE.variants]
    assert walked == order[order.index(first) :]


@pytest.mark.parametrize(("minutes", "said"), [(None, "ten minutes"), ("0", None), ("9000", None)])
def test_odd_minutes_get_a_sensible_routine(skill, minutes: str | None, said: str | None) -> None:
    session = AlexaSession(skill)
    session.launch()
    say_minutes(session, minutes)
    assert announced_variants(session.text), session.text
    if said:
        assert said in session.text
    if minutes == "0":
        assert WORDS.line("routine.plan_does_not_fit", length="x").split("about")[0] in (
            session.text
        )


# What a fresh interpreter loads: a session that chooses nothing never loads the choices'
# handlers and the planner (the registry names them); the first choice does.
FIRST_USE = """
import sys
from local.envelopes import AlexaDevice, AlexaSession
from si_coach.skill import create_skill_builder

session = AlexaSession(create_skill_builder(None).lambda_handler(), AlexaDevice())
session.launch()
print("si_coach.handlers.routine_choice" in sys.modules, "si_coach.routine.plan" in sys.modules)
session.say("StretchesOnlyIntent")
print("si_coach.handlers.routine_choice" in sys.modules, "si_coach.routine.plan" in sys.modules)
"""


def test_the_choices_handlers_are_loaded_on_the_first_choice_only() -> None:
    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", FIRST_USE],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": f"{root / 'lambda'}:{root}", "HOME": str(root)},
    )
    assert child.stdout.splitlines() == ["False False", "True True"]
