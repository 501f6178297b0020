"""Interruptions: only the reps the user really heard are counted.

Every test drives lambda_handler with JSON envelopes whose timestamps say when the user
spoke (whole seconds, as Alexa sends them), on DynamoDB under moto. What the user heard is
worked out here from the response's SSML alone, by the timing model's rules (words at
WORDS_PER_SECOND, a lone count word at COUNT_WORD_SECONDS, breaks at their length): a rep
is over when its release cue has been said.
"""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.envelopes import AlexaDevice, AlexaSession, speech_seconds
from si_coach.routine.catalogue import Side, Sides, default_catalogue
from si_coach.routine.pacing import BARGE_IN_ALLOWANCE_SECONDS, HOLD_HEARD_FOR_NEXT
from si_coach.routine.progress import Progress
from si_coach.voice.speech import COUNT_WORD_SECONDS, WORDS_PER_SECOND
from si_coach.voice.wording import wording_for

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")
COUNT_WORDS = {WORDS.grammar.number(n) for n in range(1, 11)}
USER = "amzn1.ask.account.TESTUSER"

# One exercise of each kind: counted holds, sets, timed holds on each side, each side with
# short holds, and the alternating rotation (one rep is both ways).
KINDS = {
    "counted holds": "hip_abduction",
    "sets": "hip_adduction",
    "timed holds, each side": "quadriceps_stretch",
    "each side": "clamshell",
    "alternating": "lower_trunk_rotation",
}


def stored_progress(table) -> Progress:
    """The user's stored record, decoded as the skill reads it."""
    item = table.get_item(Key={"id": USER}).get("Item")
    record = json.loads(json.dumps(item["attributes"], default=_plain)) if item else {}
    return Progress.from_dict(record, CATALOGUE)


def stored_routine(table) -> dict:
    """The stored routine position in its plain form: phase, variant, side, set, reps_done."""
    return stored_progress(table).routine.to_dict()


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    raise TypeError(value)


# -- what the user heard, from the SSML ----------------------------------------------------


def cue_pieces(text: str) -> list[str]:
    """A run of text between breaks, as its cues: sentences, and bare count words."""
    pieces = []
    for sentence in re.findall(r"[^.?!]+[.?!]|[^.?!]+$", text):
        words = sentence.split()
        while words and words[0] in COUNT_WORDS:
            pieces.append(words.pop(0))
        if words:
            pieces.append(" ".join(words))
    return pieces


def piece_seconds(piece: str) -> float:
    if piece in COUNT_WORDS:
        return COUNT_WORD_SECONDS
    return len(re.findall(r"[\w'-]+", piece)) / WORDS_PER_SECOND


def release_ends(ssml: str, releases: set[str]) -> list[float]:
    """When each release cue of a response has been said, in seconds from its start."""
    ends, clock = [], 0.0
    for token in re.split(
        r"(<break time=\"\d+ms\"/>)", ssml.removeprefix("<speak>").removesuffix("</speak>")
    ):
        pause = re.fullmatch(r'<break time="(\d+)ms"/>', token)
        if pause:
            clock += int(pause.group(1)) / 1000
            continue
        for piece in cue_pieces(token):
            clock += piece_seconds(piece)
            if piece in releases:
                ends.append(round(clock, 3))
    return ends


def last_holds(ssml: str, releases: set[str]) -> list[tuple[float, float]]:
    """Each rep's last hold, from the end of its "Hold." to the start of its release cue."""
    holds, clock, held_from = [], 0.0, 0.0
    for token in re.split(
        r"(<break time=\"\d+ms\"/>)", ssml.removeprefix("<speak>").removesuffix("</speak>")
    ):
        pause = re.fullmatch(r'<break time="(\d+)ms"/>', token)
        if pause:
            clock += int(pause.group(1)) / 1000
            continue
        for piece in cue_pieces(token):
            if piece in releases:
                holds.append((round(held_from, 3), round(clock, 3)))
            clock += piece_seconds(piece)
            if piece.endswith("Hold."):
                held_from = clock
    return holds


def releases_of(variant_id: str) -> set[str]:
    cue = WORDS.variant(variant_id).release_cue
    return {WORDS.sided(cue, side) for side in (Side.LEFT, Side.RIGHT)} | {cue}


def whole_seconds(session: AlexaSession) -> float:
    return math.floor(session.clock.timestamp())


def expected_heard(ends: list[float], gap: float) -> int:
    return sum(1 for end in ends if end <= gap - BARGE_IN_ALLOWANCE_SECONDS)


def speech(response: dict) -> str:
    return response["response"]["outputSpeech"]["ssml"]


def done_so_far(text: str) -> int | None:
    """ "You've done six of ten." -> 6; None when the block is announced from its start."""
    match = re.search(r"You've done ([a-z-]+) of", text)
    if match is None:
        return None
    return next(n for n in range(1, 60) if WORDS.grammar.number(n) == match.group(1))


def into_a_chunk(session: AlexaSession, variant_id: str, chunk: int = 1) -> tuple[dict, int]:
    """Go to an exercise and start pacing it; returns the `chunk`-th paced response and the
    reps done before it in its block. Chunk 2 may be on the next side or set, or, when the
    exercise is short, on the next exercise: tests read the variant from what they get."""
    spoken = WORDS.variant(variant_id).name
    session.launch()
    session.say("GoToExerciseIntent", exercise=(spoken, variant_id))
    before = 0
    response = session.say("AMAZON.NextIntent")
    for _ in range(chunk - 1):
        text = " ".join(re.sub(r"<[^>]+>", " ", speech(response)).split())
        match = re.search(r"That's ([a-z-]+) of", text)
        before = (
            next(n for n in range(60) if WORDS.grammar.number(n) == match.group(1)) if match else 0
        )
        if "Up next:" in text:
            session.say("AMAZON.NextIntent")  # the next block's set-up is read first
        response = session.say("AMAZON.NextIntent")
    return response, before


# -- every kind of exercise, many points of a chunk ----------------------------------------


@pytest.mark.parametrize("seconds", [1, 4, 9, 13, 20, 31, 47, 62])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pause_mid_chunk_counts_only_the_reps_heard_and_resume_carries_on(
    skill, moto_dynamodb_table, kind: str, seconds: int
) -> None:
    variant_id = KINDS[kind]
    session = AlexaSession(skill)
    paced, before = into_a_chunk(session, variant_id)
    sent = whole_seconds(AlexaSession(skill, clock=session.last_sent))
    ends = release_ends(speech(paced), releases_of(variant_id))
    session.barge_in(seconds)
    heard = expected_heard(ends, whole_seconds(session) - sent)
    whole_response_played = whole_seconds(session) - sent >= speech_seconds(speech(paced))
    session.say("AMAZON.PauseIntent")
    assert session.text.startswith("Paused.")
    routine = stored_routine(moto_dynamodb_table)
    assert routine["phase"] == "paused"
    if whole_response_played:
        # Everything was heard: the place is where the response left it, maybe a new side.
        assert heard == len(ends)
        assert routine["reps_done"] == before + heard or routine["reps_done"] == 0
        return
    assert routine["variant"] == variant_id
    assert routine["reps_done"] == before + heard
    session.say("AMAZON.ResumeIntent")
    if before + heard:
        assert done_so_far(session.text) == before + heard
    else:
        assert session.text.startswith(f"You're on the {WORDS.variant(variant_id).name}")


def test_a_pause_in_the_second_set_keeps_the_set(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("pillow squeeze", "hip_adduction"))
    while "Then say next for set two." not in session.text:
        session.say("AMAZON.NextIntent")
    paced = session.say("AMAZON.NextIntent")
    ends = release_ends(speech(paced), releases_of("hip_adduction"))
    session.barge_in(ends[2] + BARGE_IN_ALLOWANCE_SECONDS + 1.5)  # a whole second to spare
    session.say("AMAZON.PauseIntent")
    routine = stored_routine(moto_dynamodb_table)
    assert (routine["set"], routine["reps_done"]) == (2, 3)


def test_it_hurts_mid_chunk_counts_only_finished_reps_and_gives_the_safety_advice(
    skill, moto_dynamodb_table
) -> None:
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "bridge")
    ends = release_ends(speech(paced), releases_of("bridge"))
    session.barge_in(ends[1] + BARGE_IN_ALLOWANCE_SECONDS + 2.5)  # resting before the third lift
    response = session.say("PainIntent")
    assert session.text.startswith("Stop now. Slowly ease out of the position, and rest.")
    for line in WORDS.safety_advice:
        assert line in session.text
    assert response["response"]["shouldEndSession"] is True
    routine = stored_routine(moto_dynamodb_table)
    assert (routine["phase"], routine["reps_done"]) == ("paused", 2)


def test_next_late_in_a_hold_means_im_ahead_the_rep_in_progress_counts(skill) -> None:
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "hip_abduction")
    holds = last_holds(speech(paced), releases_of("hip_abduction"))
    # Two reps over and the third's five-second hold all but over: "next" counts the third,
    # then paces the fourth.
    session.barge_in(holds[2][1] + 0.5)
    session.say("AMAZON.NextIntent")
    assert session.text.startswith("Number four. Push your knees apart.")


@pytest.mark.parametrize("into_the_hold", [1.0, 2.0])
def test_next_early_in_a_hold_does_not_count_the_rep_cut_off(
    skill, moto_dynamodb_table, into_the_hold: float
) -> None:
    """ "Okay I'm ready" one or two seconds into a five-second hold: that rep was not done."""
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "hip_abduction")
    holds = last_holds(speech(paced), releases_of("hip_abduction"))
    session.barge_in(holds[2][0] + into_the_hold)
    session.say("AMAZON.NextIntent")
    assert session.text.startswith("Number three. Push your knees apart.")
    session.barge_in(0)
    session.say("AMAZON.PauseIntent")
    assert stored_routine(moto_dynamodb_table)["reps_done"] == 2


def test_four_early_cut_offs_do_not_move_the_count(skill, moto_dynamodb_table) -> None:
    """Four "next"s, each a second into a rep's hold: only the reps before them count."""
    session = AlexaSession(skill)
    into_a_chunk(session, "hip_adduction")
    for _ in range(4):
        holds = last_holds(speech(session.last_response), releases_of("hip_adduction"))
        session.barge_in(holds[1][0] + 1.0)  # one second into the second rep's hold
        session.say("AMAZON.NextIntent")
    session.barge_in(0)
    session.say("AMAZON.PauseIntent")
    assert stored_routine(moto_dynamodb_table)["reps_done"] == 4


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("heard", ["early", "most"])
def test_next_credits_a_rep_only_once_most_of_its_hold_was_heard(
    skill, moto_dynamodb_table, kind: str, heard: str
) -> None:
    variant_id = KINDS[kind]
    session = AlexaSession(skill)
    paced, before = into_a_chunk(session, variant_id)
    start, end = last_holds(speech(paced), releases_of(variant_id))[0]
    released = release_ends(speech(paced), releases_of(variant_id))[0]
    credited = heard == "most"
    # Early: a second into the first rep's (last) hold. Most: half of it surely heard, by
    # the same reckoning as every interruption (the barge-in allowance), and a second more,
    # still before the rep's release has surely been heard (which counts it anyway).
    seconds = (
        start + HOLD_HEARD_FOR_NEXT * (end - start) + BARGE_IN_ALLOWANCE_SECONDS + 1.0
        if credited
        else start + 1.0
    )
    # Timestamps are whole seconds: a second's margin either way.
    assert seconds + 1.0 < released + BARGE_IN_ALLOWANCE_SECONDS, "before its end counts it"
    session.barge_in(seconds)
    session.say("AMAZON.NextIntent")
    session.barge_in(0)
    session.say("AMAZON.PauseIntent")
    assert stored_routine(moto_dynamodb_table)["reps_done"] == before + credited


def test_next_in_a_rest_between_reps_goes_on_with_the_following_rep(skill) -> None:
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "bridge")
    ends = release_ends(speech(paced), releases_of("bridge"))
    # The bridge rests five seconds after each lift: "next" in the rest after the second.
    session.barge_in(ends[1] + BARGE_IN_ALLOWANCE_SECONDS + 2.0)
    session.say("AMAZON.NextIntent")
    assert session.text.startswith("Number three.")


@pytest.mark.parametrize("ending", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "USER_INITIATED"])
def test_stop_cancel_or_leaving_mid_chunk_saves_only_the_reps_heard(
    skill, moto_dynamodb_table, ending: str
) -> None:
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "hip_abduction")
    ends = release_ends(speech(paced), releases_of("hip_abduction"))
    session.barge_in(ends[2] + BARGE_IN_ALLOWANCE_SECONDS + 1.5)
    if ending == "USER_INITIATED":
        session.end("USER_INITIATED")
    else:
        session.say(ending)
        assert session.text == "Okay. I've saved your place. See you next time."
    assert stored_routine(moto_dynamodb_table)["reps_done"] == 3


def test_a_session_that_ends_in_silence_heard_the_whole_response(
    skill, moto_dynamodb_table
) -> None:
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "hip_abduction")
    paced_reps = len(release_ends(speech(paced), releases_of("hip_abduction")))
    # No words came: the reprompt played, and the session timed out a few seconds later.
    session.barge_in(9)
    session.end("EXCEEDED_MAX_REPROMPTS")
    assert stored_routine(moto_dynamodb_table)["reps_done"] == paced_reps


def test_a_question_mid_chunk_is_answered_at_the_rep_in_progress(skill) -> None:
    session = AlexaSession(skill)
    paced, _ = into_a_chunk(session, "hip_abduction")
    ends = release_ends(speech(paced), releases_of("hip_abduction"))
    session.barge_in(ends[0] + BARGE_IN_ALLOWANCE_SECONDS + 2.0)
    session.say("HowToIntent", exercise=("bridge", "bridge"))
    assert session.text.endswith("Say next to carry on with the hip abduction.")
    session.say("AMAZON.NextIntent")
    assert session.text.startswith("Number two. Push your knees apart.")


def test_an_unheard_last_rep_does_not_finish_the_exercise(skill, moto_dynamodb_table) -> None:
    session = AlexaSession(skill)
    paced, before = into_a_chunk(session, "bridge", chunk=2)  # the last lifts, then onwards
    assert "You've finished the bridge." in session.text
    ends = release_ends(speech(paced), releases_of("bridge"))
    session.barge_in(ends[-1] - 1)  # during the last lift
    session.say("AMAZON.PauseIntent")
    progress = stored_progress(moto_dynamodb_table)
    assert progress.routine.variant_id == "bridge"
    assert progress.routine.reps_done == before + len(ends) - 1 == 7
    assert progress.recent_days == () and progress.levels.get("bridge", 0) == 0


def test_a_long_hold_carried_across_responses_still_counts_down_what_is_left(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    # Six minutes: the top of the hamstring stretch's range.
    session.attributes["progress"]["levels"] = {"hamstring_wall_stretch": 10}
    session.say("GoToExerciseIntent", exercise=("hamstring stretch", "hamstring_wall_stretch"))
    session.say("AMAZON.NextIntent")
    assert "Keep holding." in session.text
    session.barge_in(120)  # well past the end of that response, inside the hold
    session.say("AMAZON.NextIntent")
    assert re.search(r"(three|four) minutes? .*left|Keep holding", session.text)
    assert not session.text.startswith("Here we go.")


def test_resume_on_another_device_after_an_interruption(skill, moto_dynamodb_table) -> None:
    kitchen = AlexaSession(skill, AlexaDevice(device_id="amzn1.ask.device.KITCHEN"))
    paced, _ = into_a_chunk(kitchen, "clamshell")
    ends = release_ends(speech(paced), releases_of("clamshell"))
    kitchen.barge_in(ends[3] + BARGE_IN_ALLOWANCE_SECONDS + 1.5)
    kitchen.say("AMAZON.PauseIntent")
    bedroom = AlexaSession(
        skill,
        AlexaDevice(device_id="amzn1.ask.device.BEDROOM"),
        clock=kitchen.clock + timedelta(hours=3),
    )
    bedroom.launch()
    assert "Pick up with the clamshell?" in bedroom.text
    bedroom.say("AMAZON.YesIntent")
    assert done_so_far(bedroom.text) == 4
    assert "left side" in bedroom.text
    bedroom.say("AMAZON.NextIntent")
    assert bedroom.text.startswith("Number five.")


# -- the property ----------------------------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    chunk=st.sampled_from([1, 2]),
    fraction=st.floats(0, 1.1),
    interruption=st.sampled_from(["AMAZON.PauseIntent", "PainIntent", "AMAZON.StopIntent"]),
)
def test_any_interruption_counts_exactly_the_reps_whose_end_had_passed(
    skill, moto_dynamodb_table, *, kind: str, chunk: int, fraction: float, interruption: str
) -> None:
    variant_id = KINDS[kind]
    moto_dynamodb_table.delete_item(Key={"id": USER})
    session = AlexaSession(skill)
    paced, before = into_a_chunk(session, variant_id, chunk)
    ends = release_ends(speech(paced), releases_of(variant_id))
    length = speech_seconds(speech(paced))
    sent = math.floor(session.last_sent.timestamp())
    session.barge_in(fraction * length)
    gap = whole_seconds(session) - sent
    session.say(interruption)
    routine = stored_routine(moto_dynamodb_table)
    planned, heard = len(ends), expected_heard(ends, gap)
    place = (routine["variant"], routine["side"], routine["set"])
    if heard == planned:
        # Every rep was heard: the place is where the response left it, maybe a new block.
        assert routine["reps_done"] == before + planned or routine["reps_done"] == 0
        return
    assert place[0] == variant_id
    counted = routine["reps_done"] - before
    assert 0 <= counted <= planned, "never more than planned, never fewer than before"
    assert counted == heard
    assert CATALOGUE.variant(variant_id).sides is not Sides.NONE or routine["side"] is None
