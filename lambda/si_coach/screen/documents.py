"""APL documents for the screens: loaded once from `documents/`, filled in for each response.

Each layout (`exercise.json`, `list.json`, `detail.json`) is merged with `common.json` (the
colours and sizes for each viewport, shared layouts) when first loaded. A response's
directive gets a copy with the pose drawings it shows (from `poses.json`) and, on the paced
exercise screen, the countdown (countdown.py): for a device with APL 1.4 or later, its
changes as data (`countdown` in the datasource) applied by the root component's tick
handler; for an older one, commands in the root component's `onMount`, calling the
user-defined commands the document then carries.

APL version: the documents use only APL 1.1 features (VectorGraphic with AVG 1.0,
SetValue, component onMount, user-defined commands) and declare version 1.1, which every
later runtime renders; the exercise document with a tick handler declares 1.4. A device
whose `runtime.maxVersion` is older than 1.1, or that reports no APL support, gets no
directive at all: the same response as a speaker without a screen.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from si_coach.screen.countdown import (
    TICK_APL_VERSION,
    ScreenChange,
    command_definitions,
    command_timeline,
    countdown_commands,
    countdown_data,
    data_timeline,
    tick_binds,
    tick_handlers,
)
from si_coach.screen.model import DetailScreen, ExerciseScreen, ListScreen, Screen

DOCUMENTS_DIR = Path(__file__).with_name("documents")
DOCUMENT_NAMES = ("exercise", "list", "detail")
DOCUMENT_VERSION = "1.1"
MINIMUM_APL_VERSION = (1, 1)
# The exercise document's version when its countdown runs on a tick handler.
TICK_DOCUMENT_VERSION = "1.4"
# The datasource's list of countdown changes (the data form).
COUNTDOWN_DATA = "countdown"
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
# The token names the presentation; UserEvents from it carry the same token.
TOKEN_PREFIX = "si-coach-"
DATASOURCE = "screen"


def _without_descriptions(value: Any) -> Any:
    """The files describe their parts for people; the device needs none of it."""
    if isinstance(value, dict):
        return {k: _without_descriptions(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [_without_descriptions(v) for v in value]
    return value


def _read(name: str) -> dict:
    return json.loads((DOCUMENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def pose_graphics() -> dict[str, dict]:
    return _without_descriptions(_read("poses"))


@cache
def _document(name: str) -> dict:
    common, document = _read("common"), _read(name)
    document["resources"] = common["resources"] + document.get("resources", [])
    for section in ("styles", "layouts"):
        shared, own = common.get(section, {}), document.get(section, {})
        clash = shared.keys() & own.keys()
        if clash:
            raise ValueError(f"{name}.json redefines shared {section}: {sorted(clash)}")
        document[section] = {**shared, **own}
    return _without_descriptions(document)


def load_document(name: str) -> dict:
    """A layout merged with the shared parts, as loaded once (a copy the caller may change)."""
    return copy.deepcopy(_document(name))


def parse_apl_version(version: str | None) -> tuple[int, ...] | None:
    """ "1.9" -> (1, 9); "2024.3" -> (2024, 3); None or nonsense -> None."""
    if not version or not re.fullmatch(r"\d+(\.\d+)*", version.strip()):
        return None
    return tuple(int(part) for part in version.strip().split("."))


def supports_screen(apl_max_version: str | None) -> bool:
    parsed = parse_apl_version(apl_max_version)
    return parsed is not None and parsed >= MINIMUM_APL_VERSION


def render_directives(screen: Screen, apl_max_version: str | None) -> list[dict]:
    """The directives that show `screen`, or [] when the device cannot show APL 1.1.

    `apl_max_version` is `runtime.maxVersion` from the request's
    `supportedInterfaces["Alexa.Presentation.APL"]` (None when absent).
    """
    if not supports_screen(apl_max_version):
        return []
    if isinstance(screen, ExerciseScreen):
        name, data, poses = "exercise", exercise_data(screen), [screen.pose_id]
    elif isinstance(screen, ListScreen):
        name, data, poses = "list", list_data(screen), [i.pose_id for i in screen.items]
    elif isinstance(screen, DetailScreen):
        name, data, poses = "detail", detail_data(screen), [screen.pose_id]
    else:
        raise TypeError(f"not a screen: {screen!r}")
    document = load_document(name)
    graphics = pose_graphics()
    document["graphics"] = {pose: graphics[pose] for pose in poses if pose in graphics}
    if isinstance(screen, ExerciseScreen):
        root = document["mainTemplate"]["items"][0]
        countdown = (
            screen.spans,
            screen.closing_instruction,
            screen.counters_label,
            screen.closing_at,
        )
        if parse_apl_version(apl_max_version) >= TICK_APL_VERSION:
            changes = countdown_data(*countdown)
            if changes:
                document["version"] = TICK_DOCUMENT_VERSION
                data[COUNTDOWN_DATA] = changes
                root["bind"] = tick_binds(f"${{payload.{DATASOURCE}.{COUNTDOWN_DATA}}}")
                root["handleTick"] = tick_handlers()
        else:
            commands = countdown_commands(*countdown)
            if commands:
                document["commands"] = command_definitions()
                root["onMount"] = commands
    return [
        {
            "type": RENDER_DOCUMENT,
            "token": TOKEN_PREFIX + name,
            "document": document,
            "datasources": {DATASOURCE: data},
        }
    ]


def countdown_timeline(render: dict) -> list[ScreenChange]:
    """What a RenderDocument directive's countdown shows and when, in either form ([] for a
    screen without one)."""
    changes = render.get("datasources", {}).get(DATASOURCE, {}).get(COUNTDOWN_DATA)
    if changes:
        return data_timeline(changes)
    document = render["document"]
    return command_timeline(
        document["mainTemplate"]["items"][0].get("onMount", []), document.get("commands", {})
    )


def _text(text: str) -> str:
    """Words for a Text component, which reads markup: "<", ">" and "&" are escaped."""
    return escape(text, quote=False)


def _markup_lines(lines: tuple[str, ...], bullet: str = "") -> str:
    """Lines for one Text component: APL Text reads <br> as a line break."""
    return "<br>".join(bullet + _text(line) for line in lines)


def _known_pose(pose_id: str) -> bool:
    return bool(pose_id) and pose_id in pose_graphics()


def exercise_data(screen: ExerciseScreen) -> dict[str, Any]:
    done, total = screen.routine_progress
    return {
        "title": _text(screen.title),
        "sideLabel": _text(screen.side_label),
        "counters": _text(screen.counters_label),
        # The document starts as the response ends: no timer, the closing instruction.
        "count": "",
        "phase": _text(screen.closing_instruction),
        "steps": _markup_lines(screen.steps, bullet="\u2022 "),
        "equipment": _text(screen.equipment),
        "poseId": screen.pose_id,
        "hasPose": _known_pose(screen.pose_id),
        "progressDone": done,
        "progressTotal": total,
        "progressPercent": round(100 * done / total, 1),
        "progressLabel": _text(screen.progress_label),
        "buttonCount": len(screen.buttons),
        "buttons": [{"label": _text(b.label), "action": str(b.action)} for b in screen.buttons],
    }


def list_data(screen: ListScreen) -> dict[str, Any]:
    return {
        "title": _text(screen.title),
        "items": [
            {
                "text": _text(item.text),
                "detail": _text(item.detail),
                "poseId": item.pose_id,
                "hasPose": _known_pose(item.pose_id),
            }
            for item in screen.items
        ],
        "footer": _text(screen.footer),
    }


def detail_data(screen: DetailScreen) -> dict[str, Any]:
    return {
        "title": _text(screen.title),
        "body": _markup_lines(screen.lines),
        "poseId": screen.pose_id,
        "hasPose": _known_pose(screen.pose_id),
        "footer": _text(screen.footer),
    }
