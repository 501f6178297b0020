"""What a screen would show, as lines of text over time, read back from the directives.

For the console (`make run ARGS="--screen"`) and the tests: `preview_frames` takes the
directives a response carries and returns a frame at 0 s with the whole screen, then a
frame each time the countdown changes something, with every line as it then reads.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from si_coach.screen.countdown import COUNT_ID, COUNTERS_ID, PHASE_ID
from si_coach.screen.documents import DATASOURCE, RENDER_DOCUMENT, countdown_timeline

PROGRESS_WIDTH = 10


@dataclass(frozen=True)
class PreviewFrame:
    at: float
    lines: tuple[str, ...]


def _plain(markup: str) -> list[str]:
    return [html.unescape(part) for part in re.split(r"<br>", markup) if part]


def _buttons(data: dict) -> str:
    return " ".join(f"[{html.unescape(b['label'])}]" for b in data.get("buttons", []))


def _exercise_lines(data: dict, live: dict[str, str]) -> tuple[str, ...]:
    heading = html.unescape(data["title"])
    if data["sideLabel"]:
        heading += f" \u00b7 {html.unescape(data['sideLabel'])}"
    filled = round(PROGRESS_WIDTH * data["progressDone"] / data["progressTotal"])
    bar = "\u25a0" * filled + "\u25a1" * (PROGRESS_WIDTH - filled)
    status = "  ".join(part for part in (live[PHASE_ID], live[COUNT_ID]) if part)
    lines = [heading, f"{bar} {html.unescape(data['progressLabel'])}".rstrip()]
    lines += [live[COUNTERS_ID], f">> {status}" if status else ">>"]
    lines += _plain(data["steps"])
    if data["equipment"]:
        lines.append(html.unescape(data["equipment"]))
    if data.get("buttons"):
        lines.append(_buttons(data))
    return tuple(line for line in lines if line)


def _list_lines(data: dict) -> tuple[str, ...]:
    lines = [html.unescape(data["title"])]
    for item in data["items"]:
        text = html.unescape(item["text"])
        if item["detail"]:
            text += f" ({html.unescape(item['detail'])})"
        lines.append(f"- {text}")
    if data["footer"]:
        lines.append(html.unescape(data["footer"]))
    return tuple(lines)


def _detail_lines(data: dict) -> tuple[str, ...]:
    lines = [html.unescape(data["title"]), *_plain(data["body"])]
    if data["footer"]:
        lines.append(html.unescape(data["footer"]))
    return tuple(lines)


def preview_frames(directives: list[dict]) -> list[PreviewFrame]:
    """The screen's text over time; [] when the directives show nothing."""
    render = next((d for d in directives if d.get("type") == RENDER_DOCUMENT), None)
    if render is None:
        return []
    data = render["datasources"][DATASOURCE]
    token = render["token"]
    if token.endswith("list"):
        return [PreviewFrame(0.0, _list_lines(data))]
    if token.endswith("detail"):
        return [PreviewFrame(0.0, _detail_lines(data))]
    live = {
        COUNTERS_ID: html.unescape(data["counters"]),
        PHASE_ID: html.unescape(data["phase"]),
        COUNT_ID: data["count"],
    }
    frames = [PreviewFrame(0.0, _exercise_lines(data, live))]
    for change in countdown_timeline(render):
        live[change.component] = html.unescape(change.text)
        frame = PreviewFrame(change.at, _exercise_lines(data, live))
        # Changes made at the same moment show as one frame.
        if frame.at == frames[-1].at:
            frames[-1] = frame
        else:
            frames.append(frame)
    return frames
