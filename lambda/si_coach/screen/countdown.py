"""The on-device countdown: what the screen shows and when, from a response's timeline of
spans, in one of two forms by the device's APL version.

From APL 1.4 (which brought tick handlers): the changes travel as data, a list of
[milliseconds, component, text], and a tick handler on the root component applies each once
the document's `elapsedTime` reaches it (`tick_handlers`). A few hundred bytes of handler
and about fifteen bytes a change, where a command costs about ninety: this keeps the
largest response well under Alexa's size limit.

Before APL 1.4 (1.1 to 1.3), the changes are commands: one `Sequential` of changes, each a
`SetValue` (what the screen shows) that waits its `delay` (the common command property,
which `Idle` also waits by) before it runs; the root component's `onMount` runs them as
soon as the document is displayed, which is when the response's speech starts. Every wait
is computed from the span times, rounded to the millisecond, and measured from the start of
the response, so rounding never adds up. A response carries about a hundred of them, so
each is kept as small as it can be: the document defines one user-defined command (APL 1.1)
per component the countdown changes (`command_definitions`), so a change is
`{"type": "N", "v": "4"}`, its value and, when it is not that command's usual wait (a
second for the count, none for the others), `"d"`, the wait. That is about twenty-five
bytes a change, where a whole `SetValue` is about ninety.
The device's command clock does not drift either: APL's time manager advances each timer to
its scheduled time, not the frame on which it fired (apl-core, `CoreTimeManager`).

Why onMount: an `ExecuteCommands` directive in the same response waits until the speech has
ended (the device queues it behind the speech on the audio channel), and a document-level
onMount runs only after every component's onMount has finished.

After the last span the screen shows the closing instruction and no timer, and the counters
line goes back to the screen's own (where the user stands now). The document itself starts in
that same state, so a device that skips the commands never shows a timer; the first span's
counters replace it at once.
`command_timeline` runs the commands back as (time, component, text) changes, expanding each
user-defined command from the definitions the document carries, and `data_timeline` reads
the data form, for the tests and the text preview.

Both forms keep the same guarantees: every change is planned by `planned_changes`, and is
measured from the moment the document is displayed (`elapsedTime` is zero then, and onMount
runs then), which is when the speech starts. The tick handler looks every
`TICK_MILLISECONDS` and applies up to `CHANGES_PER_TICK` due changes, more than are ever
due at one moment, so each shows at most one tick (0.1 s) after its time. The document
starts with no timer either way, so a device that runs neither never shows one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from si_coach.screen.model import ScreenSpan

# The ids of the Text components that the commands change (exercise.json): the counters line,
# the number counting down, and what it counts (or the closing instruction). One letter each,
# because every command names one and a response carries about a hundred commands.
COUNTERS_ID = "c"
COUNT_ID = "n"
PHASE_ID = "p"

# After a span ends, a zero (or a paused long hold's time) stays this long before the screen
# clears it, unless the next span starts sooner.
CLEAR_AFTER_SECONDS = 1.0
# After the last span, the closing instruction replaces the final count this much later.
CLOSING_AFTER_SECONDS = 0.6


def clock_text(seconds: int) -> str:
    """Whole seconds as a countdown shows them: "45", "1:00", "5:30"."""
    if seconds < 60:
        return str(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def displayable(text: str) -> str:
    """Words safe to put in a command for a Text component.

    Text reads markup, so "<", ">" and "&" are escaped; and APL would evaluate a "${" in a
    command as a data-binding expression, so it is broken up.
    """
    return escape(text, quote=False).replace("${", "$ {")


@dataclass(frozen=True)
class ScreenChange:
    """One change the countdown makes: at `at` seconds, component `component` shows `text`."""

    at: float
    component: str
    text: str


# Timelines are planned to the millisecond: a span a few milliseconds over a whole second
# (floating-point sums) counts down from that whole second, not from the next one.
COUNT_SLACK_SECONDS = 0.01


def first_count(span: ScreenSpan) -> int:
    """The whole seconds shown when a span starts."""
    return math.ceil(span.seconds_at_start - COUNT_SLACK_SECONDS)


def planned_changes(
    spans: Sequence[ScreenSpan],
    closing_instruction: str,
    closing_counters: str = "",
    speech_ends_at: float = 0.0,
) -> list[ScreenChange]:
    """What the countdown should show and when, before it is turned into commands.

    `closing_counters` (the screen's own counters line) comes back with the closing
    instruction when the spans left another one showing. Neither shows before
    `speech_ends_at`: "Rep 7 of 10, say next" must not appear while rep 6 is still said.
    """
    if not spans:
        return []
    changes: list[ScreenChange] = []
    counters = ""
    if spans[0].start > 0:
        changes += [ScreenChange(0.0, PHASE_ID, ""), ScreenChange(0.0, COUNT_ID, "")]
        if spans[0].counters_label:
            # The document starts as the response ends; the speech starts at the first rep.
            counters = spans[0].counters_label
            changes.append(ScreenChange(0.0, COUNTERS_ID, counters))
    for index, span in enumerate(spans):
        first = first_count(span)
        if span.counters_label and span.counters_label != counters:
            counters = span.counters_label
            changes.append(ScreenChange(span.start, COUNTERS_ID, counters))
        changes.append(ScreenChange(span.start, PHASE_ID, span.label))
        changes.append(ScreenChange(span.start, COUNT_ID, clock_text(first)))
        # Each whole second left, at the moment it is reached; the last is at span.end.
        for left in range(first - 1, span.left_at_end - 1, -1):
            changes.append(
                ScreenChange(span.end + span.left_at_end - left, COUNT_ID, clock_text(left))
            )
        following = spans[index + 1] if index + 1 < len(spans) else None
        if following is None:
            closing_at = max(span.end + CLOSING_AFTER_SECONDS, speech_ends_at)
            changes.append(ScreenChange(closing_at, COUNT_ID, ""))
            changes.append(ScreenChange(closing_at, PHASE_ID, closing_instruction))
            if closing_counters and counters and closing_counters != counters:
                changes.append(ScreenChange(closing_at, COUNTERS_ID, closing_counters))
        elif following.start - span.end > CLEAR_AFTER_SECONDS:
            changes.append(ScreenChange(span.end + CLEAR_AFTER_SECONDS, COUNT_ID, ""))
            changes.append(ScreenChange(span.end + CLEAR_AFTER_SECONDS, PHASE_ID, ""))
    return changes


# The user-defined commands that make the changes, one per component, and the wait each
# takes when a change gives none: the count goes down a second at a time; the label and
# the counters change together with the count.
CHANGE_COMMANDS = {COUNT_ID: "N", PHASE_ID: "P", COUNTERS_ID: "C"}
USUAL_WAIT_MS = {COUNT_ID: 1000, PHASE_ID: 0, COUNTERS_ID: 0}
VALUE_PARAMETER = "v"
WAIT_PARAMETER = "d"


def command_definitions() -> dict[str, dict]:
    """The document's `commands`: each change command sets its component's text after its
    wait."""
    return {
        name: {
            "parameters": [
                {"name": VALUE_PARAMETER, "type": "string", "default": ""},
                {"name": WAIT_PARAMETER, "type": "number", "default": USUAL_WAIT_MS[component]},
            ],
            # A list, not one command: apl-suggester's schema finds a single command
            # matching two of its forms and flags it.
            "commands": [
                {
                    "type": "SetValue",
                    "componentId": component,
                    "property": "text",
                    "value": f"${{{VALUE_PARAMETER}}}",
                    "delay": f"${{{WAIT_PARAMETER}}}",
                }
            ],
        }
        for component, name in CHANGE_COMMANDS.items()
    }


def countdown_commands(
    spans: Sequence[ScreenSpan],
    closing_instruction: str,
    closing_counters: str = "",
    speech_ends_at: float = 0.0,
) -> list[dict]:
    """The onMount commands for a response's spans: [] when there is nothing to count down.
    They call the commands of `command_definitions`, which the document must carry."""
    changes = planned_changes(spans, closing_instruction, closing_counters, speech_ends_at)
    if not changes:
        return []
    commands: list[dict] = []
    elapsed_ms = 0
    for change in changes:
        command: dict = {"type": CHANGE_COMMANDS[change.component]}
        text = displayable(change.text)
        if text:
            command[VALUE_PARAMETER] = text
        at_ms = round(change.at * 1000)
        wait_ms = max(at_ms - elapsed_ms, 0)
        elapsed_ms += wait_ms
        if wait_ms != USUAL_WAIT_MS[change.component]:
            command[WAIT_PARAMETER] = wait_ms
        commands.append(command)
    # screenLock keeps the screen from timing out while a long response plays.
    return [{"type": "Sequential", "screenLock": True, "commands": commands}]


# The data form (APL 1.4 on): the root component's bound values, the changes (CHANGES_BIND,
# bound to the datasource's list) and the index of the next one to apply (NEXT_BIND).
TICK_APL_VERSION = (1, 4)
ROOT_ID = "root"
CHANGES_BIND = "c"
NEXT_BIND = "k"
TICK_MILLISECONDS = 100
# More than the changes ever due at one moment (a span's counters, label and first count).
CHANGES_PER_TICK = 4


def countdown_data(
    spans: Sequence[ScreenSpan],
    closing_instruction: str,
    closing_counters: str = "",
    speech_ends_at: float = 0.0,
) -> list[list]:
    """The changes as data, [milliseconds, component, text] each: [] when there are none."""
    changes = planned_changes(spans, closing_instruction, closing_counters, speech_ends_at)
    return [
        [round(change.at * 1000), change.component, displayable(change.text)] for change in changes
    ]


def _apply_next_change() -> dict:
    """One step of the tick handler: the next change, if it is due, then the index on."""
    due = (
        f"${{{NEXT_BIND} < {CHANGES_BIND}.length && elapsedTime >= {CHANGES_BIND}[{NEXT_BIND}][0]}}"
    )
    change = f"{CHANGES_BIND}[{NEXT_BIND}]"
    return {
        "type": "Sequential",
        "when": due,
        "commands": [
            {
                "type": "SetValue",
                "componentId": f"${{{change}[1]}}",
                "property": "text",
                "value": f"${{{change}[2]}}",
            },
            {
                "type": "SetValue",
                "componentId": ROOT_ID,
                "property": NEXT_BIND,
                "value": f"${{{NEXT_BIND} + 1}}",
            },
        ],
    }


def tick_binds(changes_expression: str) -> list[dict]:
    """The root component's bound values for the tick handler; `changes_expression` points at
    the datasource's list of changes."""
    return [
        {"name": CHANGES_BIND, "value": changes_expression},
        {"name": NEXT_BIND, "value": 0},
    ]


def tick_handlers() -> list[dict]:
    """The root component's handleTick: every tick, the changes that are due, in order."""
    return [
        {
            "minimumDelay": TICK_MILLISECONDS,
            "when": f"${{{NEXT_BIND} < {CHANGES_BIND}.length}}",
            "commands": [_apply_next_change() for _ in range(CHANGES_PER_TICK)],
        }
    ]


def data_timeline(changes: Iterable[Sequence]) -> list[ScreenChange]:
    """The data form read back: each change at its planned time."""
    return [
        ScreenChange(int(at) / 1000, str(component), str(text)) for at, component, text in changes
    ]


def _expanded(command: dict, definition: dict) -> list[dict]:
    """A user-defined command's own commands, its parameters bound as APL binds them: the
    value the call gives, else the parameter's default. Only whole-value references
    ("${v}") are modelled; anything else in the call raises."""
    names = {}
    for declared in definition.get("parameters", []):
        parameter = {"name": declared} if isinstance(declared, str) else declared
        names[parameter["name"]] = command.get(parameter["name"], parameter.get("default", ""))
    unknown = set(command) - set(names) - {"type"}
    if unknown:
        raise ValueError(f"not modelled in a user-defined command's call: {sorted(unknown)}")
    body = definition.get("commands", definition.get("command"))
    body = body if isinstance(body, list) else [body]

    def bound(value: object) -> object:
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            return names[value[2:-1]]
        if isinstance(value, str) and "${" in value:
            raise ValueError(f"an embedded expression is not modelled: {value!r}")
        return value

    return [{key: bound(value) for key, value in inner.items()} for inner in body]


def command_timeline(
    commands: Iterable[dict], definitions: dict[str, dict] | None = None
) -> list[ScreenChange]:
    """Run commands back: every SetValue of a text, at the sum of the delays before it.
    `definitions` are the document's user-defined commands (by default, the countdown's)."""
    definitions = command_definitions() if definitions is None else definitions
    changes: list[ScreenChange] = []

    def run(batch: Iterable[dict], elapsed_ms: int) -> int:
        for command in batch:
            kind = command["type"]
            if kind in definitions:
                elapsed_ms = run(_expanded(command, definitions[kind]), elapsed_ms)
                continue
            elapsed_ms += int(command.get("delay", 0))
            if kind == "Sequential":
                elapsed_ms = run(command["commands"], elapsed_ms)
            elif kind == "SetValue" and command.get("property") == "text":
                changes.append(
                    ScreenChange(elapsed_ms / 1000, command["componentId"], str(command["value"]))
                )
            elif kind != "Idle":
                raise ValueError(f"not a countdown command: {kind}")
        return elapsed_ms

    run(commands, 0)
    return changes
