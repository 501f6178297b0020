"""The screens as the skill sends them: whole conversations through lambda_handler, an Echo
Show (APL 1.6) beside a speaker, progress in DynamoDB (moto).

- A speaker gets exactly what it got before screens existed: the same conversation with and
  without APL gives the same responses, directives aside.
- Every paced response's countdown follows the SSML: the holds and named rests are found in
  the SSML itself (timed by the speech model, word by word and pause by pause), and the
  countdown's commands, played back by summing their delays, show each one within 0.5 s.
- Every button, in every phase, gives exactly the response the spoken intent gives.
- An interruption's answer replaces the screen: no timer of the interrupted chunk runs on.
- Every response stays under 18 KB, a quarter below Alexa's response-size limit (24 KiB; see
  docs/screens.md), in English, Spanish and German, with the countdown in either form: as
  data run by a tick handler (APL 1.4 and later) or as commands (APL 1.1 to 1.3).
- The tick handler, run frame by frame from the document's own expressions, shows every
  change within one tick of the time the data gives it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from local.envelopes import SCREEN_INTERFACES, AlexaDevice, AlexaSession, speech_seconds
from si_coach.routine.catalogue import Pace, Side, default_catalogue
from si_coach.routine.pacing import Phase, RoutineState
from si_coach.routine.progress import ActiveDay, Progress
from si_coach.screen import ButtonAction, preview_frames
from si_coach.screen.countdown import (
    COUNT_ID,
    COUNTERS_ID,
    PHASE_ID,
    TICK_MILLISECONDS,
    ScreenChange,
    displayable,
)
from si_coach.screen.documents import countdown_timeline
from si_coach.screen.events import INTENT_FOR_ACTION
from si_coach.voice.speaker import count_words
from si_coach.voice.speech import COUNT_WORD_SECONDS, WORDS_PER_SECOND
from si_coach.voice.wording import wording_for
from tests.skill.test_interruptions import cue_pieces, piece_seconds
from tests.support.apl_ticks import FRAME_MILLISECONDS, run_ticks

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")
TOLERANCE = 0.5
# The strictest response-size limit Alexa has documented and enforced (docs/screens.md), and
# the most a response may be: a quarter below it, for languages with longer words.
RESPONSE_LIMIT_BYTES = 24 * 1024
RESPONSE_BUDGET_BYTES = 18 * 1024
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
ROOT = Path(__file__).resolve().parents[2]
TOP_LEVELS = {v.id: v.top_level for v in CATALOGUE.variants}


# The countdown's two forms: as data run by a tick handler (APL 1.4 on), as commands before.
APL_VERSIONS = {"tick handler (APL 1.6)": "1.6", "commands (APL 1.3)": "1.3"}


def screen_device(name: str, apl: str | None = None, locale: str = "en-US") -> AlexaDevice:
    interfaces = (
        SCREEN_INTERFACES
        if apl is None
        else {"Alexa.Presentation.APL": {"runtime": {"maxVersion": apl}}}
    )
    return AlexaDevice(
        user_id=f"amzn1.ask.account.{name}", supported_interfaces=interfaces, locale=locale
    )


def seed(table, user_id: str, progress: Progress) -> None:
    """A stored record, as the skill would have saved it (revision 1)."""
    record = json.loads(json.dumps(progress.to_dict(default_catalogue())), parse_float=Decimal)
    table.put_item(Item={"id": user_id, "attributes": record})


def long_history(**settings: object) -> Progress:
    """A year of use: the record as large as it gets, so the session is too."""
    today = date(2026, 11, 23)
    every = tuple(v.id for v in CATALOGUE.variants)
    days = (
        ActiveDay(today - timedelta(days=1), every),
        ActiveDay(today - timedelta(days=2), every),
    )
    return Progress(recent_days=days, streak_days=365, active_days=365, revision=1, **settings)


def the_render(response: dict) -> dict:
    directives = response["response"].get("directives") or []
    renders = [d for d in directives if d["type"] == RENDER_DOCUMENT]
    assert len(renders) == 1, directives
    return renders[0]


def on_mount(render: dict) -> list[dict]:
    return render["document"]["mainTemplate"]["items"][0].get("onMount", [])


def screen_data(response: dict) -> dict:
    return the_render(response)["datasources"]["screen"]


def routine_phase(session: AlexaSession) -> str:
    return session.attributes["progress"]["routine"]["phase"]


# -- the SSML, read back as time ---------------------------------------------------------------

_WORD = re.compile(r"[\w'-]+")
_TOKEN = re.compile(r'<break time="(\d+)ms"/>|<[^>]+>|([^<]+)')
COUNT_WORDS = count_words()


@dataclass(frozen=True)
class Piece:
    """A sentence (or a count word) of the speech, or a pause (text None), and when it plays."""

    text: str | None
    start: float
    end: float


def ssml_pieces(ssml: str) -> list[Piece]:
    """The speech sentence by sentence, each timed by the speech model: words at 2.5 a second,
    a number said while counting 0.3 s, a pause its length."""
    pieces, now = [], 0.0
    for milliseconds, text in _TOKEN.findall(ssml):
        if milliseconds:
            pieces.append(Piece(None, now, now + int(milliseconds) / 1000))
            now = pieces[-1].end
            continue
        for sentence in re.split(r"(?<=[.?!])\s+", html.unescape(text).strip()):
            if not sentence:
                continue
            if sentence in COUNT_WORDS:
                seconds = COUNT_WORD_SECONDS
            else:
                seconds = len(_WORD.findall(sentence)) / WORDS_PER_SECOND
            pieces.append(Piece(sentence, now, now + seconds))
            now += seconds
    return pieces


def _line_pattern(key: str) -> re.Pattern[str]:
    (line,) = WORDS.lines[key]
    return re.compile("^" + re.escape(line).replace(re.escape("{duration}"), ".+") + "$")


TIME_LEFT = _line_pattern("routine.time_left")
HOLD_LINE = WORDS.line("routine.hold")
REST_LINE = WORDS.line("routine.rest")
KEEP_HOLDING = WORDS.line("routine.keep_holding_cue")


def ssml_stretches(ssml: str) -> list[tuple[str, float, float]]:
    """Each hold and named rest of the speech: (kind, start, end) in seconds.

    A hold runs from the end of "Hold." (or from the start, for a hold carried over from the
    last response) to the next words that are not the hold's own: the count, or a time-left
    cue followed by silence. A named rest runs from "Rest." to the next words.
    """
    pieces = ssml_pieces(ssml)

    def inside_hold(index: int) -> bool:
        piece = pieces[index]
        if piece.text is None or piece.text in COUNT_WORDS:
            return True
        cue = TIME_LEFT.match(piece.text) or piece.text == KEEP_HOLDING
        return bool(cue) and index + 1 < len(pieces) and pieces[index + 1].text is None

    def next_words(index: int, inside: Callable[[int], bool]) -> float:
        while index < len(pieces) and inside(index):
            index += 1
        return pieces[index].start if index < len(pieces) else pieces[-1].end

    stretches = []
    if pieces and pieces[0].text is None:
        # A long hold carried over from the last response: the speech opens in silence.
        stretches.append(("hold", 0.0, next_words(0, inside_hold)))
    for index, piece in enumerate(pieces):
        if piece.text == HOLD_LINE:
            end = next_words(index + 1, inside_hold)
            if end > piece.end:
                stretches.append(("hold", piece.end, end))
        elif piece.text == REST_LINE:
            end = next_words(index + 1, lambda i: pieces[i].text is None)
            stretches.append(("rest", piece.start, end))
    return stretches


def countdown_stretches(changes: list[ScreenChange]) -> list[tuple[str, float, float, str]]:
    """What the countdown counts: (kind, when its label shows, when its last number shows,
    that number)."""
    labels = {WORDS.line("screen.hold"): "hold", WORDS.line("screen.rest"): "rest"}
    stretches: list[list] = []
    open_stretch = False
    for change in changes:
        if change.component == PHASE_ID:
            open_stretch = change.text in labels
            if open_stretch:
                stretches.append([labels[change.text], change.at, None, None])
        elif change.component == COUNT_ID and change.text and open_stretch:
            stretches[-1][2:] = [change.at, change.text]
    return [tuple(s) for s in stretches]


def assert_countdown_follows_the_speech(response: dict) -> int:
    """The countdown shows every hold and named rest of the SSML within 0.5 s, ends no later
    than the speech, and leaves no number behind; returns how many stretches it counted."""
    ssml = response["response"]["outputSpeech"]["ssml"]
    spoken = ssml_stretches(ssml)
    speech_end = ssml_pieces(ssml)[-1].end
    changes = countdown_timeline(the_render(response))
    if not spoken:
        assert changes == [], "a countdown without a hold or rest in the speech"
        return 0
    shown = countdown_stretches(changes)
    assert [s[0] for s in shown] == [s[0] for s in spoken], (shown, spoken)
    reprompt = response["response"].get("reprompt", {}).get("outputSpeech", {})
    carried = WORDS.line("routine.keep_holding_reprompt") in reprompt.get("ssml", "")
    for index, ((kind, start, end), (_, shown_at, last_at, last)) in enumerate(
        zip(spoken, shown, strict=True)
    ):
        assert abs(shown_at - start) <= TOLERANCE, (kind, start, shown_at)
        assert abs(last_at - end) <= TOLERANCE, (kind, end, last_at)
        assert last_at <= speech_end + 1e-3
        if not (carried and index == len(spoken) - 1):
            assert last == "0", (kind, start, last)
    end_state = {c.component: c.text for c in changes}
    assert end_state[COUNT_ID] == ""
    assert end_state[PHASE_ID] == screen_data(response)["phase"]
    return len(shown)


# -- a speaker gets exactly what it got before --------------------------------------------------


def conversation(session: AlexaSession) -> Iterator[dict]:
    """A long conversation touching every answer: the routine, questions, settings, touch."""
    yield session.launch()
    yield session.say("StartRoutineIntent")
    for _ in range(3):
        yield session.say("AMAZON.NextIntent")
    yield session.say("HowToIntent", exercise=("bridge", "bridge"))
    yield session.say("ListExercisesIntent")
    yield session.say("HistoryIntent")
    yield session.say("OverviewIntent")
    yield session.say("AMAZON.HelpIntent")
    yield session.say("AMAZON.PauseIntent")
    yield session.say("AMAZON.ResumeIntent")
    yield session.say("AMAZON.RepeatIntent")
    yield session.say("AMAZON.PreviousIntent")
    yield session.say("PaceIntent", pace=("slower", "slower"))
    yield session.say("InjuredSideIntent", side=("left", "left"))
    yield session.say("GoToExerciseIntent", exercise=("hamstring", "hamstring_wall_stretch"))
    yield session.say("AMAZON.NextIntent")
    yield session.say("AMAZON.NextIntent")
    yield session.say("HowToIntent", exercise=("cartwheel", None))
    yield session.say("AMAZON.FallbackIntent")
    yield session.say("PainIntent")
    yield session.launch()
    yield session.say("AMAZON.YesIntent")
    yield session.say("AMAZON.StartOverIntent")
    for _ in range(200):
        response = session.say("AMAZON.NextIntent")
        yield response
        if response["response"].get("shouldEndSession"):
            break
    yield session.launch()
    yield session.say("AMAZON.StopIntent")


@pytest.mark.slow
def test_a_speaker_gets_exactly_the_responses_it_got_before_screens(skill) -> None:
    speaker = AlexaSession(skill, AlexaDevice(user_id="amzn1.ask.account.SPEAKER"))
    show = AlexaSession(skill, screen_device("SHOW"))
    heard = list(conversation(speaker))
    seen = list(conversation(show))
    assert len(heard) == len(seen) > 50
    for spoken, shown in zip(heard, seen, strict=True):
        assert "directives" not in spoken["response"]
        the_render(shown)
        without_screen = {**shown, "response": dict(shown["response"])}
        del without_screen["response"]["directives"]
        assert without_screen == spoken


@pytest.mark.slow
def test_an_echo_show_too_old_for_apl_1_1_gets_what_a_speaker_gets(skill) -> None:
    old = AlexaDevice(
        user_id="amzn1.ask.account.OLD",
        supported_interfaces={"Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.0"}}},
    )
    session = AlexaSession(skill, old)
    for response in (session.launch(), session.say("StartRoutineIntent")):
        assert "directives" not in response["response"]


# -- the countdown follows the speech -----------------------------------------------------------

ROUTINES = {
    "first day": Progress(revision=1),
    "a year on, top of every range, faster": long_history(levels=TOP_LEVELS, pace=Pace.FASTER),
    "a year on, top of every range, slower": long_history(levels=TOP_LEVELS, pace=Pace.SLOWER),
    "left side injured, slower": long_history(injured_side=Side.LEFT, pace=Pace.SLOWER),
}


def whole_routine(
    skill, table, name: str, apl: str | None = None, locale: str = "en-US"
) -> Iterator[dict]:
    device = screen_device(re.sub(r"\W", "", name) + (apl or "") + locale, apl, locale)
    seed(table, device.user_id, ROUTINES[name])
    session = AlexaSession(skill, device)
    yield session.launch()
    yield session.say("StartRoutineIntent")
    for _ in range(300):
        response = session.say("AMAZON.NextIntent")
        yield response
        if response["response"].get("shouldEndSession"):
            return
    raise AssertionError("the routine never ended")


@pytest.mark.slow
@pytest.mark.parametrize("apl", APL_VERSIONS.values(), ids=list(APL_VERSIONS))
@pytest.mark.parametrize("name", list(ROUTINES))
def test_every_countdown_of_a_whole_routine_follows_the_speech(
    skill, moto_dynamodb_table, name: str, apl: str
) -> None:
    responses = list(whole_routine(skill, moto_dynamodb_table, name, apl))
    counted = [assert_countdown_follows_the_speech(response) for response in responses]
    assert sum(counted) > 50
    assert sum(1 for n in counted if n) > 10
    ticking = [r for r in responses if "handleTick" in str(the_render(r)["document"])]
    assert bool(ticking) is (apl == "1.6")
    assert all(on_mount(the_render(r)) == [] for r in ticking)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ROUTINES))
def test_the_tick_handler_shows_each_change_within_a_tick_of_its_time(
    skill, moto_dynamodb_table, name: str
) -> None:
    ran = 0
    for response in whole_routine(skill, moto_dynamodb_table, name, "1.6"):
        render = the_render(response)
        planned = countdown_timeline(render)
        if not planned:
            continue
        until = round(planned[-1].at * 1000) + 2 * TICK_MILLISECONDS
        shown = run_ticks(render, until)
        # Every change, in order, on the component the data names, with its text.
        assert [(c, t) for _, c, t in shown] == [(c.component, c.text) for c in planned]
        for (at_ms, _, _), change in zip(shown, planned, strict=True):
            late = at_ms / 1000 - change.at
            # Never early; at most a tick and a frame late.
            assert 0 <= late <= (TICK_MILLISECONDS + FRAME_MILLISECONDS) / 1000, (change, late)
        ran += 1
    assert ran > 10


def response_sizes(skill, table, name: str, apl: str | None, locale: str) -> dict[int, int]:
    device = screen_device(re.sub(r"\W", "", name) + "SIZE" + (apl or "") + locale, apl, locale)
    seed(table, device.user_id, ROUTINES[name])
    session = AlexaSession(skill, device)
    responses = list(conversation(session))
    responses += list(whole_routine(skill, table, name, apl, locale))
    # As the Lambda runtime sends it (json with its default separators) and more: every
    # character outside ASCII counted as its six-character escape.
    return {index: len(json.dumps(r).encode("utf-8")) for index, r in enumerate(responses)}


# German words and numbers are the longest said; Spain's Spanish stands for its variants,
# which change single lines.
SIZE_LOCALES = [
    "en-US",
    pytest.param("es-ES", marks=pytest.mark.slow),
    pytest.param("de-DE", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("locale", SIZE_LOCALES)
@pytest.mark.parametrize("apl", APL_VERSIONS.values(), ids=list(APL_VERSIONS))
@pytest.mark.parametrize("name", list(ROUTINES))
def test_every_response_stays_a_quarter_under_the_size_limit(  # noqa: PLR0917 (fixtures)
    skill, moto_dynamodb_table, name: str, apl: str, locale: str, capsys
) -> None:
    sizes = response_sizes(skill, moto_dynamodb_table, name, apl, locale)
    largest = max(sizes, key=sizes.get)
    with capsys.disabled():
        print(f"\n  largest response: {sizes[largest]} B ({locale}, APL {apl}, {name})")
    assert sizes[largest] <= RESPONSE_BUDGET_BYTES, (largest, sizes[largest])
    assert RESPONSE_BUDGET_BYTES <= 0.75 * RESPONSE_LIMIT_BYTES


def test_a_hold_carried_past_the_response_counts_down_what_is_left(
    skill, moto_dynamodb_table
) -> None:
    device = screen_device("HAMSTRING")
    seed(moto_dynamodb_table, device.user_id, Progress(levels=LONG_HOLD, revision=1))
    session = AlexaSession(skill, device)
    session.launch()
    session.say("GoToExerciseIntent", exercise=("hamstring", "hamstring_wall_stretch"))
    response = session.say("AMAZON.NextIntent")
    assert routine_phase(session) == "holding"
    assert assert_countdown_follows_the_speech(response) == 1
    changes = countdown_timeline(the_render(response))
    last_count = [c.text for c in changes if c.component == COUNT_ID and c.text][-1]
    assert last_count not in ("", "0")
    assert screen_data(response)["phase"] == WORDS.line("screen.keep_holding")


# -- touch ----------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """A session left in some phase: enough to send the same next request twice."""

    phase: str
    device: AlexaDevice
    session_id: str
    attributes: dict
    clock: object
    last: dict
    table: object
    stored: dict | None

    def probe(self, skill) -> AlexaSession:
        """A session in this snapshot's state, the stored record as it was too."""
        if self.stored is None:
            self.table.delete_item(Key={"id": self.device.user_id})
        else:
            self.table.put_item(Item=self.stored)
        return AlexaSession(
            skill,
            self.device,
            clock=self.clock,
            session_id=self.session_id,
            attributes=json.loads(json.dumps(self.attributes)),
        )


# Four steps up the hamstring stretch's range: a hold of three minutes, longer than a response.
LONG_HOLD = {"hamstring_wall_stretch": 4}


def snapshots(skill, table) -> Iterator[Snapshot]:
    """A session in every phase of the routine, and one that barged into a paced chunk."""
    moves: dict[str, list[tuple[str, dict]]] = {
        "not_started": [],
        "ready": [("StartRoutineIntent", {})],
        "in_set": [("StartRoutineIntent", {}), ("AMAZON.NextIntent", {})],
        "holding": [
            ("GoToExerciseIntent", {"exercise": ("hamstring", "hamstring_wall_stretch")}),
            ("AMAZON.NextIntent", {}),
        ],
        # A block named but not yet set up: a place kept from before the set-up came with
        # the rep before it (seeded below), opened again.
        "up_next": [],
        "paused": [("StartRoutineIntent", {}), ("AMAZON.PauseIntent", {})],
        "finished": [
            ("GoToExerciseIntent", {"exercise": ("trunk rotation", "lower_trunk_rotation")}),
            *[("AMAZON.NextIntent", {})] * 4,
            ("launch", {}),
        ],
    }
    for phase, steps in moves.items():
        device = screen_device(phase.replace("_", ""))
        if phase == "holding":
            seed(table, device.user_id, Progress(levels=LONG_HOLD, revision=1))
        if phase == "up_next":
            named = RoutineState(Phase.UP_NEXT, "lower_trunk_rotation", updated_at=1.0)
            seed(table, device.user_id, Progress(routine=named, revision=1))
        session = AlexaSession(skill, device)
        last = session.launch()
        for intent, slots in steps:
            last = session.launch() if intent == "launch" else session.say(intent, **slots)
        assert routine_phase(session) == phase, (phase, session.text)
        yield Snapshot(
            phase,
            device,
            session.session_id,
            session.attributes,
            session.clock,
            last,
            table,
            table.get_item(Key={"id": device.user_id}).get("Item"),
        )
    # "Next" pressed twenty seconds into a paced chunk: an interruption, settled the same way.
    device = screen_device("bargein")
    session = AlexaSession(skill, device)
    session.launch()
    session.say("StartRoutineIntent")
    answered_at = session.clock
    last = session.say("AMAZON.NextIntent")
    yield Snapshot(
        "in_set, interrupted",
        device,
        session.session_id,
        session.attributes,
        answered_at + timedelta(seconds=20),
        last,
        table,
        table.get_item(Key={"id": device.user_id}).get("Item"),
    )


@pytest.mark.slow
def test_every_button_in_every_phase_answers_as_its_spoken_intent(
    skill, moto_dynamodb_table
) -> None:
    phases = []
    for snapshot in snapshots(skill, moto_dynamodb_table):
        phases.append(snapshot.phase)
        for action in ButtonAction:
            pressed = snapshot.probe(skill).press(str(action))
            spoken = snapshot.probe(skill).say(INTENT_FOR_ACTION[action])
            assert pressed == spoken, (snapshot.phase, action)
            assert WORDS.line("answers.not_caught") not in json.dumps(pressed)
            the_render(pressed)
    assert len(phases) == 8


@pytest.mark.slow
def test_buttons_offer_pause_or_resume_as_the_phase_allows(skill, moto_dynamodb_table) -> None:
    expected = {
        "not_started": [],
        "finished": [],
        "paused": ["resume"],
    }
    for snapshot in snapshots(skill, moto_dynamodb_table):
        shown = [b["action"] for b in screen_data(snapshot.last).get("buttons", [])]
        if snapshot.phase in expected:
            assert shown == expected[snapshot.phase], snapshot.phase
        else:
            assert shown == ["repeat", "pause", "next"], snapshot.phase


def test_a_button_from_another_skills_screen_is_not_taken_for_a_word(skill) -> None:
    session = AlexaSession(skill, screen_device("STRANGER"))
    session.launch()
    session.say("StartRoutineIntent")
    response = session.press("next", token="someone-else")
    assert "outputSpeech" not in response["response"]
    assert routine_phase(session) == "ready"


# -- interruptions --------------------------------------------------------------------------------


def barged_in(skill, name: str, seconds: float) -> AlexaSession:
    """A session whose user spoke `seconds` into a paced chunk (the chunk's countdown running)."""
    session = AlexaSession(skill, screen_device(name))
    session.launch()
    session.say("StartRoutineIntent")
    answered_at = session.clock
    chunk = session.say("AMAZON.NextIntent")
    assert countdown_timeline(the_render(chunk))[-1].at > seconds + 10
    session.clock = answered_at + timedelta(seconds=seconds)
    return session


@pytest.mark.slow
@pytest.mark.parametrize(
    ("intent", "slots"),
    [
        ("AMAZON.PauseIntent", {}),
        ("HowToIntent", {"exercise": ("bridge", "bridge")}),
        ("AMAZON.HelpIntent", {}),
        ("ListExercisesIntent", {}),
        ("PaceIntent", {"pace": ("faster", "faster")}),
    ],
)
def test_an_interruption_replaces_the_screen_and_no_timer_runs_on(skill, intent, slots) -> None:
    session = barged_in(skill, intent.replace(".", ""), 20)
    response = session.say(intent, **slots)
    render = the_render(response)
    assert on_mount(render) == []
    assert countdown_timeline(render) == []
    assert "handleTick" not in render["document"]["mainTemplate"]["items"][0]
    frames = preview_frames([render])
    assert len(frames) == 1
    data = render["datasources"]["screen"]
    assert data.get("count", "") == ""


def test_next_after_an_interruption_counts_down_only_the_new_chunk(skill) -> None:
    session = barged_in(skill, "NEXTAGAIN", 20)
    response = session.say("AMAZON.NextIntent")
    assert assert_countdown_follows_the_speech(response) > 0
    changes = countdown_timeline(the_render(response))
    # The rep cut short is counted again from its start; the screen says which rep that is.
    heard = session.attributes["paced"]["first"]
    first_counters = next(c.text for c in changes if c.component == "c")
    assert first_counters == WORDS.line("screen.rep_of", number=heard + 1, total=10)


# -- answers outside the routine ------------------------------------------------------------------


@pytest.mark.slow
def test_lists_and_details_answer_the_questions_that_have_them(skill) -> None:
    session = AlexaSession(skill, screen_device("QUESTIONS"))
    session.launch()
    home = preview_frames([the_render(session.last_response)])[0].lines
    assert home[0] == WORDS.line("screen.skill_title")
    assert session.text.startswith(home[1])

    session.say("ListExercisesIntent")
    listing = screen_data(session.last_response)
    # One row for each exercise the voice names ("eight gentle exercises"), not each variant.
    assert [i["poseId"] for i in listing["items"]] == [
        e.variants[0].id for e in CATALOGUE.exercises
    ]
    names = [WORDS.exercise(e.id).name for e in CATALOGUE.exercises]
    rows = preview_frames([the_render(session.last_response)])[0].lines[1 : 1 + len(names)]
    assert [row.removeprefix("- ").lower() for row in rows] == names
    assert WORDS.grammar.join(names) in session.text
    assert the_render(session.last_response)["token"].endswith("list")

    session.say("HowToIntent", exercise=("bridge", "bridge"))
    detail = preview_frames([the_render(session.last_response)])[0].lines
    assert detail[0] == "Bridge"
    assert "Hold for six seconds." in detail
    assert screen_data(session.last_response)["poseId"] == "bridge"

    session.say("OverviewIntent")
    overview = preview_frames([the_render(session.last_response)])[0].lines
    assert overview[0] == WORDS.line("screen.overview_title")
    assert WORDS.overview[0] in overview

    session.say("HistoryIntent")
    history = preview_frames([the_render(session.last_response)])[0].lines
    assert history[:2] == (
        WORDS.line("screen.history_title"),
        f"- {WORDS.line('screen.nothing_yet')}",
    )

    session.say("PainIntent")
    pain = preview_frames([the_render(session.last_response)])[0].lines
    assert pain[0] == WORDS.line("screen.stop_title")
    assert WORDS.safety_advice[0] in pain


def test_history_lists_the_days_and_the_streak(skill, moto_dynamodb_table) -> None:
    device = screen_device("HISTORY")
    seed(moto_dynamodb_table, device.user_id, long_history())
    session = AlexaSession(skill, device)
    session.launch()
    session.say("HistoryIntent")
    lines = preview_frames([the_render(session.last_response)])[0].lines
    assert lines[1].startswith(f"- {WORDS.line('days.yesterday')} (Hip abduction, ")
    assert f"- {WORDS.line('screen.streak', count=365)}" in lines
    assert f"- {WORDS.line('screen.active_days', count=365)}" in lines


def test_the_exercise_screen_reads_set_rep_side_and_progress(skill) -> None:
    session = AlexaSession(skill, screen_device("CLAMSHELL"))
    session.launch()
    session.say("GoToExerciseIntent", exercise=("clamshell", "clamshell"))
    data = screen_data(session.last_response)
    assert (data["title"], data["sideLabel"]) == ("Clamshell", "Left side")
    assert data["counters"] == WORDS.line("screen.rep_of", number=1, total=8)
    assert data["progressLabel"] == WORDS.line("screen.exercise_of", number=5, total=8)
    assert data["phase"] == WORDS.line("screen.say_next_in_position")
    session.say("GoToExerciseIntent", exercise=("pillow squeeze", "hip_adduction"))
    session.say("AMAZON.NextIntent")
    data = screen_data(session.last_response)
    set_one = WORDS.line("screen.set_of", number=1, total=2)
    assert data["counters"].startswith(set_one + " · ")
    assert data["phase"] == WORDS.line("screen.say_next")


# -- the validator, on what the skill really sends -------------------------------------------------


@pytest.mark.slow
def test_every_document_the_skill_sends_passes_the_validator(skill, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the APL validator cannot run")
    if not (ROOT / "node_modules" / "apl-suggester" / "package.json").is_file():
        pytest.skip("apl-suggester is not installed: run `npm ci` (make test does)")
    session = AlexaSession(skill, screen_device("VALIDATOR"))
    documents = {}
    for index, response in enumerate(conversation(session)):
        render = the_render(response)
        documents.setdefault(render["token"], {})[index] = render["document"]
    # One of each layout, and the paced screen with the most commands.
    chosen = {
        token: max(found.values(), key=lambda d: len(json.dumps(d)))
        for token, found in documents.items()
    }
    assert set(chosen) == {"si-coach-exercise", "si-coach-list", "si-coach-detail"}
    path = tmp_path / "documents.json"
    path.write_text(json.dumps(chosen), encoding="utf-8")
    run = subprocess.run(
        [node, str(ROOT / "tests" / "support" / "screen_apl_validator.cjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert set(results) == set(chosen)
    assert not any(results.values()), json.dumps(results)[:4000]


# -- the closing line, the progress bar ---------------------------------------------------------


def strip_speak(ssml: str) -> str:
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


def test_the_next_rep_and_say_next_show_only_once_the_voice_has_finished(skill) -> None:
    """ "Rep 7 of 10 >> Say next" waits for the end of rep 6 and of the words after it."""
    session = AlexaSession(skill, screen_device("CLOSING"))
    session.launch()
    session.say("StartRoutineIntent")
    response = session.say("AMAZON.NextIntent")  # six reps, then "That's six of ten. ..."
    assert session.text.endswith("That's six of ten. Say next for the last four.")
    ssml = response["response"]["outputSpeech"]["ssml"]
    # The speech's length as the voice times it: a count word is timed apart from the
    # "Hold." before it (tests/skill/test_interruptions.py reads SSML the same way).
    speech_ends = sum(
        int(pause or 0) / 1000 + sum(piece_seconds(p) for p in cue_pieces(text))
        for text, pause in re.findall(r'([^<]*)(?:<break time="(\d+)ms"/>)?', strip_speak(ssml))
    )
    assert speech_ends > speech_seconds(ssml) - 1.0
    changes = countdown_timeline(the_render(response))
    closing = WORDS.line("screen.say_next")
    shown = [c for c in changes if c.component == PHASE_ID and c.text == displayable(closing)]
    assert shown, changes[-3:]
    assert shown[-1].at >= speech_ends - 0.001
    rep_seven = [c for c in changes if c.component == COUNTERS_ID and "7" in c.text]
    assert rep_seven and all(c.at >= speech_ends - 0.001 for c in rep_seven)


def test_a_skipped_exercise_fills_no_box_of_the_progress_bar(skill) -> None:
    session = AlexaSession(skill, screen_device("SKIPPING"))
    session.launch()
    session.say("StartRoutineIntent")
    assert screen_data(session.last_response)["progressDone"] == 0
    session.say("SkipExerciseIntent")
    session.say("SkipExerciseIntent")
    data = screen_data(session.last_response)
    assert data["progressDone"] == 0, "two skipped, none finished"
    assert data["progressLabel"] == "Exercise 3 of 8"
    session.say("AMAZON.NextIntent")
    while "You've finished the bridge." not in session.text:
        session.say("AMAZON.NextIntent")
    assert screen_data(session.last_response)["progressDone"] == 1
