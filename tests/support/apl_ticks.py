"""A RenderDocument's tick handlers run the way an APL runtime runs them, frame by frame,
so a test can see what the screen shows and when, from the document's own expressions.

Only what the countdown's handlers use is modelled: the root component's `bind` values
(evaluated once, at inflation), `handleTick` handlers with `minimumDelay` and `when`,
`Sequential` and `SetValue` commands (each command's properties evaluated when it runs, so
a SetValue sees the values the one before it set), and data-binding expressions made of
names, array indexing, `.length`, numbers, `+`, comparisons and `&&`. Anything else raises,
so a handler that strays from what is modelled fails its test instead of passing unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# About 60 frames a second, as a device draws.
FRAME_MILLISECONDS = 16
_WHOLE = re.compile(r"^\$\{(.*)\}$", re.DOTALL)
_ALLOWED = re.compile(r"^(?:[\w.\[\]\s<>=+!&]|'[^']*')*$")


def evaluate(value: Any, names: dict[str, Any]) -> Any:
    """A property's value: an expression "${...}" evaluated with `names`; others as given."""
    if not isinstance(value, str):
        return value
    match = _WHOLE.match(value)
    if match is None:
        if "${" in value:
            raise ValueError(f"an embedded expression is not modelled: {value!r}")
        return value
    expression = match.group(1)
    if not _ALLOWED.match(expression):
        raise ValueError(f"not a modelled expression: {expression!r}")
    python = expression.replace("&&", " and ")
    python = re.sub(r"([\w.]+(?:\[[^\]]*\])*)\.length\b", r"len(\1)", python)
    scope = {name: _readable(value) for name, value in names.items()}
    # Only the characters of _ALLOWED reach here, with no builtins but len.
    return _plain(eval(python, {"__builtins__": {"len": len}}, scope))


class _Map:
    """An object of the data, read with dots as APL reads it (payload.screen.countdown)."""

    def __init__(self, values: dict) -> None:
        self.values = values

    def __getattr__(self, name: str) -> Any:
        return _readable(self.values[name])


def _readable(value: Any) -> Any:
    return _Map(value) if isinstance(value, dict) else value


def _plain(value: Any) -> Any:
    return value.values if isinstance(value, _Map) else value


@dataclass
class TickRun:
    """A document's root component, its bound values and the texts SetValue changed."""

    payload: dict
    root: dict
    binds: dict[str, Any] = field(default_factory=dict)
    # (milliseconds, component id, text) for every SetValue of a component's text.
    changes: list[tuple[int, str, str]] = field(default_factory=list)

    def names(self, elapsed: int) -> dict[str, Any]:
        return {"elapsedTime": elapsed, "payload": self.payload, **self.binds}

    def run(self, commands: list[dict], elapsed: int) -> None:
        for command in commands:
            names = self.names(elapsed)
            if "when" in command and not evaluate(command["when"], names):
                continue
            kind = command["type"]
            if kind == "Sequential":
                self.run(command["commands"], elapsed)
            elif kind == "SetValue":
                target = evaluate(command["componentId"], names)
                value = evaluate(command["value"], names)
                prop = command["property"]
                if target == self.root.get("id") and prop in self.binds:
                    self.binds[prop] = value
                elif prop == "text":
                    self.changes.append((elapsed, str(target), str(value)))
                else:
                    raise ValueError(f"not a modelled SetValue: {command!r}")
            else:
                raise ValueError(f"not a modelled command: {kind}")


def run_ticks(render: dict, until_ms: int) -> list[tuple[int, str, str]]:
    """Run a RenderDocument directive's root tick handlers from its display to `until_ms`:
    the text changes they make, each at the frame it is made on."""
    payload = render.get("datasources", {})
    root = render["document"]["mainTemplate"]["items"][0]
    ticks = TickRun(payload, root)
    for bind in root.get("bind", []):
        ticks.binds[bind["name"]] = evaluate(bind["value"], ticks.names(0))
    handlers = root.get("handleTick", [])
    last_run = {index: 0 for index in range(len(handlers))}
    for elapsed in range(0, until_ms + FRAME_MILLISECONDS, FRAME_MILLISECONDS):
        for index, handler in enumerate(handlers):
            if elapsed - last_run[index] < handler.get("minimumDelay", 1000):
                continue
            last_run[index] = elapsed
            if "when" in handler and not evaluate(handler["when"], ticks.names(elapsed)):
                continue
            ticks.run(handler["commands"], elapsed)
    return ticks.changes
