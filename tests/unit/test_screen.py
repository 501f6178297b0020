"""Tests of the screens: documents, the on-device countdown, touch, versions, sizes, the preview.

The countdown is checked the way the device runs it: the commands are played back by
summing their delays, and every span of every variant's timeline must show at its start,
count whole seconds down, reach zero (or what a long hold has left) at its end, all within
half a second, and leave the closing instruction and no timer after the last span.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from si_coach.routine.catalogue import default_catalogue
from si_coach.screen import (
    ButtonAction,
    DetailScreen,
    ExerciseScreen,
    ListItem,
    ListScreen,
    ScreenButton,
    ScreenSpan,
    apl_max_version,
    intent_for_request,
    intent_for_user_event,
    preview_frames,
    render_directives,
    supports_screen,
)
from si_coach.screen import documents as screen_documents
from si_coach.screen.countdown import (
    COUNT_ID,
    COUNT_SLACK_SECONDS,
    COUNTERS_ID,
    PHASE_ID,
    ScreenChange,
    clock_text,
    command_timeline,
    countdown_commands,
    countdown_data,
    data_timeline,
    first_count,
)
from si_coach.screen.documents import countdown_timeline
from si_coach.screen.poses import POSES_FILE, poses_json
from tests.support.apl_ticks import run_ticks
from tests.support.screen_examples import (
    BUTTONS,
    CLOSING,
    detail_screens,
    exercise_screens,
    list_screens,
)

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.5
# The strictest limit Alexa has documented and enforced on a whole response
# (docs/screens.md), the most a response may be (a quarter under it), and the screen's share
# of each: a paced response's speech and session take about 3 KiB more
# (tests/skill/test_screen_skill.py checks whole responses).
RESPONSE_LIMIT_BYTES = 24 * 1024
RESPONSE_BUDGET_BYTES = 18 * 1024
DIRECTIVES_BUDGET_BYTES = 15 * 1024
PRIMITIVE_COMPONENTS = {
    "Container",
    "Frame",
    "Text",
    "TouchWrapper",
    "VectorGraphic",
    "Sequence",
    "ScrollView",
}


def all_screens() -> list[tuple[str, object]]:
    return [*exercise_screens(), *exercise_screens(level=0), *list_screens(), *detail_screens()]


def render(screen: object, version: str = "1.1") -> dict:
    directives = render_directives(screen, version)
    assert len(directives) == 1
    return directives[0]


def on_mount(directive: dict) -> list[dict]:
    return directive["document"]["mainTemplate"]["items"][0].get("onMount", [])


# --- documents ---------------------------------------------------------------------------


def test_every_document_file_is_json_and_every_layout_is_apl_1_1() -> None:
    files = sorted(screen_documents.DOCUMENTS_DIR.glob("*.json"))
    assert {f.stem for f in files} == {*screen_documents.DOCUMENT_NAMES, "common", "poses"}
    for file in files:
        json.loads(file.read_text(encoding="utf-8"))
    for name in screen_documents.DOCUMENT_NAMES:
        document = screen_documents.load_document(name)
        assert document["type"] == "APL"
        assert document["version"] == screen_documents.DOCUMENT_VERSION == "1.1"
        assert document["mainTemplate"]["parameters"] == ["payload"]


def test_each_caller_gets_its_own_copy_of_a_document() -> None:
    # A response's changes never leak into the next one.
    first = screen_documents.load_document("exercise")
    first["mainTemplate"]["items"][0]["onMount"] = ["changed"]
    assert "onMount" not in screen_documents.load_document("exercise")["mainTemplate"]["items"][0]


def strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings_in(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def expressions(document: dict) -> list[str]:
    return [e for s in strings_in(document) for e in re.findall(r"\$\{([^}]*)\}", s)]


@pytest.mark.parametrize(
    ("name", "screen"),
    [
        (n, s)
        for n, s in all_screens()
        if n.startswith(("hip_abduction", "list-exercises", "detail-bridge"))
    ],
)
def test_every_binding_refers_to_something_the_builder_supplies(name: str, screen: object) -> None:
    directive = render(screen)
    document, data = directive["document"], directive["datasources"]["screen"]
    used = set()
    for expression in expressions(document):
        for field in re.findall(r"payload\.screen\.(\w+)", expression):
            used.add(field)
            assert field in data, f"{name}: ${{{expression}}} names payload.screen.{field}"
        for field in re.findall(r"\bdata\.(\w+)", expression):
            assert all(field in item for item in data["items"]), f"{name}: data.{field}"
        assert "payload." not in expression.replace("payload.screen.", ""), expression
    # The builder supplies nothing the document never reads, but what the preview needs.
    assert set(data) - used <= {"progressDone", "progressTotal"}


def test_every_resource_layout_and_graphic_a_document_names_exists() -> None:
    for name in screen_documents.DOCUMENT_NAMES:
        document = screen_documents.load_document(name)
        defined = {
            key
            for block in document["resources"]
            for kind, values in block.items()
            if kind not in ("when", "description")
            for key in values
        }
        for text in strings_in(document):
            for resource in re.findall(r"@(\w+)", text):
                assert resource in defined, f"{name}.json: @{resource} is not a resource"
        for component in components(document["mainTemplate"], document["layouts"]):
            assert component["type"] in PRIMITIVE_COMPONENTS, component["type"]


def components(item: object, layouts: dict) -> list[dict]:
    """Every primitive component under `item`, layouts expanded."""
    found = []
    if isinstance(item, dict):
        if item.get("type") in layouts:
            for inner in layouts[item["type"]]["items"]:
                found += components(inner, layouts)
        elif "type" in item and not item["type"].startswith(("APL", "AVG")):
            found.append(item)
        for key in ("item", "items"):
            if key in item and item.get("type") not in ("SendEvent", "SetValue"):
                found += components(item[key], layouts)
    elif isinstance(item, list):
        for inner in item:
            found += components(inner, layouts)
    return found


def test_each_exercise_layout_has_every_component_the_countdown_changes() -> None:
    document = screen_documents.load_document("exercise")
    branches = document["mainTemplate"]["items"][0]["item"]["items"]
    assert len(branches) == 3  # landscape, portrait, round: their whens never overlap
    for branch in branches:
        ids = [c.get("id") for c in components(branch, document["layouts"])]
        for target in (COUNTERS_ID, COUNT_ID, PHASE_ID):
            assert ids.count(target) == 1, (branch["when"], target)


def test_pose_drawings_file_is_generated_from_the_pose_definitions() -> None:
    assert POSES_FILE.read_text(encoding="utf-8") == poses_json(), (
        "run: PYTHONPATH=lambda python -m si_coach.screen.poses"
    )


def test_every_variant_has_a_pose_drawn_with_avg_1_0_paths_only() -> None:
    graphics = screen_documents.pose_graphics()
    assert {v.id for v in default_catalogue().variants} <= set(graphics)
    for pose_id, graphic in graphics.items():
        assert graphic["type"] == "AVG"
        assert graphic["version"] == "1.0", pose_id
        for item in graphic["items"]:
            assert item["type"] == "path"
            assert set(item) <= {"type", "pathData", "stroke", "strokeWidth", "fill"}, pose_id
            assert re.fullmatch(r"[MLaZ0-9.,\s-]+", item["pathData"]), pose_id


def test_a_response_carries_only_the_pose_drawings_it_shows() -> None:
    for name, screen in all_screens():
        graphics = render(screen)["document"]["graphics"]
        if isinstance(screen, ListScreen):
            expected = {i.pose_id for i in screen.items if i.pose_id}
        else:
            expected = {screen.pose_id}
        assert set(graphics) == expected, name


def test_words_are_escaped_for_text_markup_and_never_evaluated() -> None:
    screen = ExerciseScreen(
        "Knees <apart> & up",
        "",
        "Set 1",
        ("Steps & more",),
        "",
        "bridge",
        (0, 1),
        (ScreenSpan("hold", 1, 3, 1, "Hold ${payload}", "<b>1</b>"),),
        "Say ${next}",
    )
    directive = render(screen)
    data = directive["datasources"]["screen"]
    assert data["title"] == "Knees &lt;apart&gt; &amp; up"
    assert data["steps"] == "\u2022 Steps &amp; more"
    values = [c.text for c in command_timeline(on_mount(directive))]
    assert "Hold $ {payload}" in values and "&lt;b&gt;1&lt;/b&gt;" in values
    assert not any("${" in v for v in values)
    assert preview_frames([directive])[-1].lines[0] == "Knees <apart> & up"


# --- the countdown -----------------------------------------------------------------------


def shown_at(changes: list[ScreenChange], component: str, moment: float) -> str | None:
    """What `component` shows just after `moment` (None: the document's own text)."""
    value = None
    for change in changes:
        if change.component == component and change.at <= moment + 1e-3:
            value = change.text
    return value


def assert_countdown_follows(screen: ExerciseScreen, changes: list[ScreenChange]) -> None:
    assert [c.at for c in changes] == sorted(c.at for c in changes)
    cursor = 0  # where in `changes` the previous span's changes ended
    for span in screen.spans:
        first = first_count(span)
        shown = next(
            (
                i
                for i in range(cursor, len(changes))
                if changes[i].component == PHASE_ID and changes[i].text == span.label
            ),
            None,
        )
        assert shown is not None, f"{span} never shown"
        assert abs(changes[shown].at - span.start) <= TOLERANCE, span
        assert shown_at(changes, COUNT_ID, span.start) == clock_text(first), span
        if span.counters_label:
            assert shown_at(changes, COUNTERS_ID, span.start) == span.counters_label
        # The span's own ticks run from its label up to the first change at its end (the next
        # span may start that same moment). Commands wait whole milliseconds, hence the 1e-3.
        ticks = []
        for cursor in range(shown, len(changes)):  # the loop leaves the cursor behind
            change = changes[cursor]
            if change.component != COUNT_ID:
                continue
            ticks.append(change)
            if change.at >= span.end - 1e-3:
                break
        assert [c.text for c in ticks] == [
            clock_text(n) for n in range(first, span.left_at_end - 1, -1)
        ], span
        assert abs(ticks[-1].at - span.end) <= TOLERANCE, span
        for tick, following in pairwise(ticks):
            assert following.at - tick.at <= 1.0 + COUNT_SLACK_SECONDS + 1e-3
        cursor += 1
    last = screen.spans[-1]
    after = [c for c in changes if c.at > last.end + 1e-3]
    assert after and max(c.at for c in after) <= last.end + 1.0
    end_state = {c.component: c.text for c in changes}
    assert end_state[PHASE_ID] == screen.closing_instruction
    assert end_state[COUNT_ID] == ""
    # After the last span, no number ever appears again.
    assert all(c.text == "" for c in after if c.component == COUNT_ID)


@pytest.mark.parametrize(("name", "screen"), exercise_screens() + exercise_screens(level=0))
def test_countdown_follows_every_span_of_every_variant(name: str, screen: ExerciseScreen) -> None:
    directive = render(screen)
    commands = on_mount(directive)
    assert commands[0]["type"] == "Sequential" and commands[0]["screenLock"] is True
    assert_countdown_follows(screen, command_timeline(commands))


@pytest.mark.parametrize(("name", "screen"), exercise_screens() + exercise_screens(level=0))
def test_from_apl_1_4_the_countdown_is_data_run_by_a_tick_handler(
    name: str, screen: ExerciseScreen
) -> None:
    directive = render(screen, "1.4")
    root = directive["document"]["mainTemplate"]["items"][0]
    assert on_mount(directive) == []
    assert root["id"] == "root" and root["handleTick"]
    assert directive["document"]["version"] == "1.4"
    changes = countdown_timeline(directive)
    assert changes == countdown_timeline(render(screen, "1.3"))
    assert_countdown_follows(screen, changes)
    shown = run_ticks(directive, round(changes[-1].at * 1000) + 500)
    assert [(c, t) for _, c, t in shown] == [(c.component, c.text) for c in changes]


def test_before_apl_1_4_each_change_calls_a_command_the_document_defines() -> None:
    _, screen = exercise_screens()[0]
    directive = render(screen, "1.1")
    document = directive["document"]
    (sequence,) = on_mount(directive)
    calls = sequence["commands"]
    assert {call["type"] for call in calls} == set(document["commands"])
    # What the device runs: each call expanded from the document's own definitions.
    changes = countdown_timeline(directive)
    assert len(changes) == len(calls)
    assert_countdown_follows(screen, changes)
    # A change a second after the one before says no wait: the count's usual one.
    ticks = [call for call in calls if call["type"] == "N" and "d" not in call]
    assert len(ticks) > len(calls) / 3
    # Without the definitions the calls mean nothing, and the playback says so.
    del document["commands"]
    with pytest.raises(ValueError):
        countdown_timeline(directive)


def test_the_playback_refuses_what_it_does_not_model() -> None:
    with pytest.raises(ValueError):
        command_timeline([{"type": "N", "v": "3", "delay": 500}])
    with pytest.raises(ValueError):
        command_timeline([{"type": "AnimateItem", "delay": 500}])


def test_a_hold_longer_than_a_response_counts_down_what_is_left_and_stops() -> None:
    _, screen = next(s for s in exercise_screens() if s[0].startswith("hamstring"))
    (span,) = screen.spans
    assert span.left_at_end > 0
    changes = command_timeline(on_mount(render(screen)))
    assert shown_at(changes, COUNT_ID, span.start) == clock_text(360)
    assert shown_at(changes, COUNT_ID, span.end) == clock_text(span.left_at_end)
    assert clock_text(360) == "6:00" and clock_text(59) == "59" and clock_text(65) == "1:05"


def test_without_spans_the_screen_shows_the_closing_instruction_and_no_timer() -> None:
    screen = ExerciseScreen("Bridge", "", "Set 1 of 1", (), "", "bridge", (2, 9), (), CLOSING)
    directive = render(screen)
    assert on_mount(directive) == []
    data = directive["datasources"]["screen"]
    assert (data["phase"], data["count"]) == (CLOSING, "")


def test_the_document_itself_starts_as_the_response_ends() -> None:
    """A device that skipped the commands would show the closing words, never a number."""
    _, screen = exercise_screens()[0]
    data = render(screen)["datasources"]["screen"]
    assert (data["phase"], data["count"]) == (screen.closing_instruction, "")


span_lists = st.lists(
    st.tuples(
        st.floats(0, 5, allow_nan=False),
        st.floats(0.3, 40, allow_nan=False),
        st.sampled_from(["hold", "rest", "rep"]),
        st.integers(0, 300),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(span_lists, st.booleans())
def test_any_timeline_counts_down_in_step(raw: list[tuple], counters: bool) -> None:
    spans, now = [], 0.0
    for index, (gap, length, kind, left) in enumerate(raw):
        start = round(now + gap, 3)
        end = round(start + length, 3)
        left_at_end = left if index == len(raw) - 1 else 0
        label = f"{kind} {index}"
        spans.append(
            ScreenSpan(kind, start, end, index, label, f"c{index}" * counters, left_at_end)
        )
        now = end
    screen = ExerciseScreen("T", "", "", (), "", "", (0, 1), tuple(spans), "closing")
    assert_countdown_follows(screen, command_timeline(countdown_commands(spans, "closing")))
    assert_countdown_follows(screen, data_timeline(countdown_data(spans, "closing")))


def test_spans_must_be_in_order_and_sane() -> None:
    with pytest.raises(ValueError):
        ScreenSpan("hold", 3, 3, 1, "Hold")
    with pytest.raises(ValueError):
        ScreenSpan("nap", 1, 3, 1, "Hold")
    with pytest.raises(ValueError):
        ExerciseScreen(
            "T",
            "",
            "",
            (),
            "",
            "",
            (0, 1),
            (ScreenSpan("hold", 1, 5, 1, "Hold"), ScreenSpan("rest", 4, 6, 1, "Rest")),
            "c",
        )
    with pytest.raises(ValueError):
        ExerciseScreen("T", "", "", (), "", "", (3, 2), (), "c")


# --- touch ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "intent"),
    [
        ("next", "AMAZON.NextIntent"),
        ("pause", "AMAZON.PauseIntent"),
        ("resume", "AMAZON.ResumeIntent"),
        ("repeat", "AMAZON.RepeatIntent"),
    ],
)
def test_each_button_maps_to_the_spoken_intent(action: str, intent: str) -> None:
    assert intent_for_user_event([action]) == intent
    assert intent_for_user_event((action, "extra")) == intent


@pytest.mark.parametrize("arguments", [None, [], ["jump"], [3], [None], [["next"]]])
def test_anything_else_maps_to_no_intent(arguments: object) -> None:
    assert intent_for_user_event(arguments) is None


def user_event_envelope(token: str, arguments: list) -> dict:
    return {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": "amzn1.ask.skill.x"},
                "user": {"userId": "u"},
                "device": {"deviceId": "d"},
            }
        },
        "request": {
            "type": "Alexa.Presentation.APL.UserEvent",
            "requestId": "amzn1.echo-api.request.1",
            "timestamp": "2026-11-24T08:00:00Z",
            "locale": "en-US",
            "token": token,
            "arguments": arguments,
            "source": {"type": "TouchWrapper", "handler": "Press", "id": ""},
        },
    }


def test_a_user_event_envelope_is_read_as_the_intent_through_the_sdk_model() -> None:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    serializer = DefaultSerializer()
    for button in BUTTONS:
        raw = user_event_envelope("si-coach-exercise", [str(button.action)])
        envelope = serializer.deserialize(json.dumps(raw), RequestEnvelope)
        assert intent_for_request(envelope.request) == intent_for_user_event([button.action])
        assert intent_for_request(raw["request"]) is not None
    other = serializer.deserialize(
        json.dumps(user_event_envelope("other-skill", ["next"])), RequestEnvelope
    )
    assert intent_for_request(other.request) is None


def test_every_button_sends_its_action_and_stops_the_countdown_first() -> None:
    document = screen_documents.load_document("exercise")
    button = document["layouts"]["ActionButton"]["items"][0]
    press = button["onPress"]
    assert [c["type"] for c in press] == ["SetValue", "SetValue", "SendEvent"]
    assert {c["componentId"] for c in press[:2]} == {COUNT_ID, PHASE_ID}
    assert press[2]["arguments"] == ["${action}"]
    row = document["layouts"]["ButtonRow"]["items"][0]
    slots = row["items"]
    assert len(slots) == 4 and row["when"] == "${viewport.mode != 'tv'}"
    for index, slot in enumerate(slots):
        assert slot["action"] == f"${{payload.screen.buttons[{index}].action}}"
    for action in ButtonAction:
        data = render(
            ExerciseScreen(
                "T",
                "",
                "",
                (),
                "",
                "",
                (0, 1),
                (),
                "c",
                (ScreenButton(action.name.title(), action),),
            )
        )
        sent = data["datasources"]["screen"]["buttons"][0]["action"]
        assert intent_for_user_event([sent]) is not None


# --- versions and devices ----------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "", "1.0", "0.9", "banana", "1.x"])
def test_devices_without_apl_1_1_get_no_directive(version: str | None) -> None:
    _, screen = exercise_screens()[0]
    assert render_directives(screen, version) == []
    assert not supports_screen(version)


@pytest.mark.parametrize("version", ["1.1", "1.4", "1.9", "2023.3", "2024.3", " 2025.1 "])
def test_devices_with_apl_1_1_or_later_get_one_render_document(version: str) -> None:
    for _, screen in all_screens()[:3]:
        (directive,) = render_directives(screen, version)
        assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
        assert directive["token"].startswith("si-coach-")
        # A countdown on a tick handler needs APL 1.4; everything else is APL 1.1.
        ticking = "handleTick" in directive["document"]["mainTemplate"]["items"][0]
        assert ticking is (version != "1.1")
        assert directive["document"]["version"] == ("1.4" if ticking else "1.1")


def envelope_from(device: dict) -> dict:
    raw = user_event_envelope("si-coach-exercise", ["next"])
    raw["context"]["System"]["device"] = device
    return raw


@pytest.mark.parametrize(
    ("device", "version"),
    [
        ({"deviceId": "d", "supportedInterfaces": {}}, None),
        ({"deviceId": "d"}, None),
        ({"deviceId": "d", "supportedInterfaces": {"Alexa.Presentation.APL": {}}}, None),
        (
            {
                "deviceId": "d",
                "supportedInterfaces": {
                    "Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.6"}},
                    "AudioPlayer": {},
                },
            },
            "1.6",
        ),
    ],
)
def test_the_apl_version_is_read_from_the_request(device: dict, version: str | None) -> None:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    raw = envelope_from(device)
    envelope = DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)
    assert apl_max_version(envelope) == version
    assert apl_max_version(raw) == version


def test_directives_survive_the_sdk_response_serializer() -> None:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import Response, ResponseEnvelope

    _, screen = exercise_screens()[0]
    directives = render_directives(screen, "1.9")
    envelope = ResponseEnvelope(version="1.0", response=Response(directives=directives))
    serialized = DefaultSerializer().serialize(envelope)
    assert serialized["response"]["directives"] == directives


def test_the_manifest_declares_apl_with_round_landscape_and_tv_viewports() -> None:
    manifest = json.loads((ROOT / "interaction_model" / "skill.json").read_text(encoding="utf-8"))
    (apl,) = [
        i
        for i in manifest["manifest"]["apis"]["custom"]["interfaces"]
        if i["type"] == "ALEXA_PRESENTATION_APL"
    ]
    viewports = apl["supportedViewports"]
    assert {(v["mode"], v["shape"]) for v in viewports} == {
        ("HUB", "ROUND"),
        ("HUB", "RECTANGLE"),
        ("TV", "RECTANGLE"),
    }
    for width, height in [(480, 480), (960, 480), (1024, 600), (1280, 800), (1920, 1080)]:
        assert any(
            v["minWidth"] <= width <= v["maxWidth"] and v["minHeight"] <= height <= v["maxHeight"]
            for v in viewports
        ), (width, height)


# --- size ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2024.3", "1.4", "1.3", "1.1"])
def test_every_screen_of_every_variant_fits_in_a_response(version: str) -> None:
    sizes = {}
    for name, screen in all_screens():
        directives = render_directives(screen, version)
        # As the SDK serializes it (json.dumps with its default separators).
        sizes[name] = len(json.dumps(directives).encode("utf-8"))
    largest = max(sizes, key=sizes.get)
    assert sizes[largest] <= DIRECTIVES_BUDGET_BYTES, (largest, sizes[largest])
    assert DIRECTIVES_BUDGET_BYTES + 3 * 1024 <= RESPONSE_BUDGET_BYTES < RESPONSE_LIMIT_BYTES


# --- the text preview ----------------------------------------------------------------------


def test_preview_shows_the_title_counters_and_the_countdown_ticking() -> None:
    spans = (
        ScreenSpan("hold", 2.0, 5.0, 1, "Hold", "Set 1 of 1 \u00b7 Rep 1 of 10"),
        ScreenSpan("rest", 6.0, 8.0, 1, "Rest"),
        ScreenSpan("hold", 10.5, 13.5, 2, "Hold", "Set 1 of 1 \u00b7 Rep 2 of 10"),
    )
    screen = ExerciseScreen(
        "Hip abduction",
        "Left side",
        "Set 1 of 1 \u00b7 Rep 1 of 10",
        ("Push.", "Hold."),
        "A belt",
        "hip_abduction",
        (3, 9),
        spans,
        CLOSING,
        BUTTONS,
        "Exercise 4 of 9",
    )
    frames = preview_frames(render_directives(screen, "1.2"))
    status = [(f.at, f.lines[3]) for f in frames]
    assert status[:6] == [
        (0.0, ">>"),
        (2.0, ">> Hold  3"),
        (3.0, ">> Hold  2"),
        (4.0, ">> Hold  1"),
        (5.0, ">> Hold  0"),
        (6.0, ">> Rest  2"),
    ]
    assert (9.0, ">>") in status  # cleared a second after the rest, before the next hold
    assert status[-1] == (14.1, f">> {CLOSING}")
    first = frames[0].lines
    assert first[0] == "Hip abduction \u00b7 Left side"
    assert (
        first[1] == "\u25a0\u25a0\u25a0\u25a1\u25a1\u25a1\u25a1\u25a1\u25a1\u25a1 Exercise 4 of 9"
    )
    assert "\u2022 Push." in first and "[Repeat] [Pause] [Next]" in first
    assert frames[-3].lines[2] == "Set 1 of 1 \u00b7 Rep 2 of 10"


def test_preview_of_list_and_detail_screens() -> None:
    listing = ListScreen(
        "The exercises", (ListItem("Bridge", "8 lifts", "bridge"), "Clamshell"), "Say a name."
    )
    assert preview_frames(render_directives(listing, "1.1"))[0].lines == (
        "The exercises",
        "- Bridge (8 lifts)",
        "- Clamshell",
        "Say a name.",
    )
    detail = DetailScreen("Bridge", ("Lie on your back.", "Lift your hips."), "bridge", "Say next.")
    assert preview_frames(render_directives(detail, "1.1"))[0].lines == (
        "Bridge",
        "Lie on your back.",
        "Lift your hips.",
        "Say next.",
    )
    assert preview_frames(render_directives(detail, None)) == []
