"""The pose drawings: a stick figure for each exercise variant, authored as joint coordinates.

`documents/poses.json` is generated from this module and is what the skill loads; after
editing a pose, run `PYTHONPATH=lambda python -m si_coach.screen.poses` to write it again (a
test keeps the two identical). `--svg DIR` also writes each drawing as SVG, to rasterise
and look at (`rsvg-convert -w 480 DIR/bridge.svg > bridge.png`).

Only AVG 1.0 is used, so the drawings work from APL 1.1 on: every limb is its own sub-path
(no line joins, whose default mitre makes spikes at bent knees) and a dot at each joint
rounds the ends, since round line caps arrived only with AVG 1.1.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import quoteattr

Point = tuple[float, float]

POSES_FILE = Path(__file__).with_name("documents") / "poses.json"

WIDTH = 240
HEIGHT = 150
FLOOR_Y = 132
BODY_STROKE = 8
HEAD_RADIUS = 11
BODY_COLOR = "#F2F4F5"
PROP_COLOR = "#4FC3F7"
FLOOR_COLOR = "#78909C"
ARROW_COLOR = "#FFB74D"


def _n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _segments(points: tuple[Point, ...]) -> str:
    """A polyline as separate straight sub-paths, so no corner is ever joined."""
    return " ".join(f"M{_n(a[0])},{_n(a[1])} L{_n(b[0])},{_n(b[1])}" for a, b in pairwise(points))


def _circle(center: Point, radius: float) -> str:
    x, y, r = center[0], center[1], radius
    return (
        f"M{_n(x - r)},{_n(y)} a{_n(r)},{_n(r)} 0 1,0 {_n(2 * r)},0 "
        f"a{_n(r)},{_n(r)} 0 1,0 {_n(-2 * r)},0 Z"
    )


def _ellipse(center: Point, rx: float, ry: float) -> str:
    x, y = center
    return (
        f"M{_n(x - rx)},{_n(y)} a{_n(rx)},{_n(ry)} 0 1,0 {_n(2 * rx)},0 "
        f"a{_n(rx)},{_n(ry)} 0 1,0 {_n(-2 * rx)},0 Z"
    )


def _arrow(tail: Point, head: Point, barb: float = 7) -> str:
    """A short straight arrow: the shaft, then both barbs as their own sub-paths."""
    angle = math.atan2(head[1] - tail[1], head[0] - tail[0])
    barbs = []
    for turn in (math.radians(150), math.radians(-150)):
        end = (head[0] + barb * math.cos(angle + turn), head[1] + barb * math.sin(angle + turn))
        barbs.append(_segments((head, end)))
    return " ".join((_segments((tail, head)), *barbs))


@dataclass(frozen=True)
class Figure:
    """A person: the head, and limbs as chains of joints (each chain drawn as segments)."""

    head: Point
    limbs: tuple[tuple[Point, ...], ...]

    def items(self) -> list[dict]:
        joints = {point for limb in self.limbs for point in limb}
        dots = " ".join(_circle(point, BODY_STROKE / 2) for point in sorted(joints))
        return [
            _stroke(" ".join(_segments(limb) for limb in self.limbs), BODY_COLOR, BODY_STROKE),
            _fill(dots, BODY_COLOR),
            _fill(_circle(self.head, HEAD_RADIUS), BODY_COLOR),
        ]


@dataclass(frozen=True)
class Pose:
    """One drawing: the floor, props behind the figure, the figure, marks in front of it."""

    id: str
    description: str
    figure: Figure
    floor: bool = True
    props_behind: tuple[dict, ...] = ()
    props_front: tuple[dict, ...] = ()
    arrows: tuple[tuple[Point, Point], ...] = ()

    def avg(self) -> dict:
        items: list[dict] = []
        if self.floor:
            items.append(
                _stroke(_segments(((6, FLOOR_Y + 6), (WIDTH - 6, FLOOR_Y + 6))), FLOOR_COLOR, 3)
            )
        items.extend(self.props_behind)
        items.extend(self.figure.items())
        items.extend(self.props_front)
        if self.arrows:
            items.append(_stroke(" ".join(_arrow(t, h) for t, h in self.arrows), ARROW_COLOR, 4))
        return {
            "type": "AVG",
            "version": "1.0",
            "description": self.description,
            "width": WIDTH,
            "height": HEIGHT,
            "items": items,
        }


def _stroke(path: str, color: str, width: float) -> dict:
    return {"type": "path", "pathData": path, "stroke": color, "strokeWidth": width}


def _fill(path: str, color: str) -> dict:
    return {"type": "path", "pathData": path, "fill": color}


def _outline(path: str, color: str = PROP_COLOR, width: float = 5) -> dict:
    return _stroke(path, color, width)


# Lying on the back, side view, head to the left. Shared points keep the poses consistent.
_HEAD_ON_FLOOR = (26, FLOOR_Y - 12)
_SHOULDER = (46, FLOOR_Y - 6)
_HIP = (110, FLOOR_Y - 6)
_HAND_BY_HIP = (96, FLOOR_Y - 2)


def _supine_knees_bent(hip: Point = _HIP) -> tuple[tuple[Point, ...], ...]:
    knee = (hip[0] + 34, FLOOR_Y - 44)
    ankle = (hip[0] + 58, FLOOR_Y - 6)
    toe = (hip[0] + 72, FLOOR_Y - 2)
    return ((hip, knee, ankle, toe),)


def _poses() -> tuple[Pose, ...]:
    knees_bent_lying = Figure(
        _HEAD_ON_FLOOR,
        ((_SHOULDER, _HIP), (_SHOULDER, _HAND_BY_HIP), *_supine_knees_bent()),
    )

    # Seen from above: lying on the back, knees bent and pushed apart against a belt.
    top_hip = (112, 75)
    top_knee_up, top_knee_down = (156, 34), (156, 116)
    top_feet = ((176, 69), (176, 81))
    abduction = Figure(
        (28, 75),
        (
            ((46, 75), top_hip),
            ((52, 66), (84, 52), (104, 60)),
            ((52, 84), (84, 98), (104, 90)),
            ((top_hip[0], top_hip[1] - 6), top_knee_up, top_feet[0]),
            ((top_hip[0], top_hip[1] + 6), top_knee_down, top_feet[1]),
        ),
    )
    belt = _ellipse((156, 75), 14, 50)

    # Sitting on the floor, hands on the knees, a pillow squeezed between the knees.
    sit_hip = (88, FLOOR_Y - 6)
    sit_knee = (130, FLOOR_Y - 46)
    adduction = Figure(
        (72, 42),
        (
            ((74, 58), sit_hip),
            ((76, 66), (100, 84), (sit_knee[0] - 8, sit_knee[1] + 4)),
            (sit_hip, sit_knee, (152, FLOOR_Y - 6), (166, FLOOR_Y - 2)),
        ),
    )
    pillow = _ellipse((sit_knee[0] - 2, sit_knee[1] + 6), 13, 19)

    # The bridge: shoulders down, hips lifted level with the knees, feet flat.
    bridge_hip = (112, FLOOR_Y - 38)
    bridge_knee = (148, FLOOR_Y - 52)
    bridge = Figure(
        _HEAD_ON_FLOOR,
        (
            (_SHOULDER, bridge_hip),
            (_SHOULDER, (90, FLOOR_Y - 2)),
            (bridge_hip, bridge_knee, (166, FLOOR_Y - 6), (180, FLOOR_Y - 2)),
        ),
    )

    # One knee hugged to the chest, the other leg straight along the floor.
    hug_knee = (76, FLOOR_Y - 58)
    one_leg = Figure(
        _HEAD_ON_FLOOR,
        (
            (_SHOULDER, _HIP),
            (_HIP, (170, FLOOR_Y - 6), (178, FLOOR_Y - 18)),
            (_HIP, hug_knee, (106, FLOOR_Y - 70), (110, FLOOR_Y - 82)),
            (_SHOULDER, (54, FLOOR_Y - 32), (80, FLOOR_Y - 44)),
        ),
    )

    # Both knees hugged to the chest.
    both_knee = (76, FLOOR_Y - 58)
    both_legs = Figure(
        _HEAD_ON_FLOOR,
        (
            (_SHOULDER, _HIP),
            (_HIP, both_knee, (106, FLOOR_Y - 70), (110, FLOOR_Y - 82)),
            ((_HIP[0], _HIP[1] - 6), (both_knee[0] + 6, both_knee[1] - 2)),
            (_SHOULDER, (54, FLOOR_Y - 32), (80, FLOOR_Y - 44)),
        ),
    )

    # Lying on one side, head on a pillow, knees bent: the legs open like a clamshell,
    # hinged at the feet, the top knee raised.
    clamshell = Figure(
        (30, 100),
        (
            ((46, 110), (104, 112)),
            ((52, 106), (78, 100), (100, 104)),
            ((104, 114), (142, 126), (182, 124)),
            ((104, 110), (140, 78), (182, 120)),
        ),
    )
    head_pillow = _ellipse((30, 118), 22, 8)

    # Standing at a wall, one hand on it, the other holding the ankle behind.
    wall_x = 52
    quad_hip = (116, 78)
    quad_knee = (114, 104)
    quadriceps = Figure(
        (112, 16),
        (
            ((114, 30), quad_hip),
            (quad_hip, (116, 104), (118, FLOOR_Y - 2), (104, FLOOR_Y - 2)),
            (quad_hip, quad_knee, (138, 82)),
            ((112, 40), (86, 46), (wall_x + 5, 44)),
            ((116, 40), (136, 62), (138, 80)),
        ),
    )
    wall = _segments(((wall_x, 6), (wall_x, FLOOR_Y + 6)))

    # Lying in a doorway: one leg straight up the wall, the other out through the door.
    door_x = 128
    hamstring = Figure(
        _HEAD_ON_FLOOR,
        (
            (_SHOULDER, (116, FLOOR_Y - 6)),
            (_SHOULDER, (90, FLOOR_Y - 2)),
            ((116, FLOOR_Y - 6), (120, 60), (122, 16), (132, 12)),
            ((116, FLOOR_Y - 6), (204, FLOOR_Y - 6), (212, FLOOR_Y - 18)),
        ),
    )
    door_frame = (
        _segments(((door_x, 4), (door_x, 20))) + " " + _segments(((door_x, 20), (door_x, 110)))
    )

    # Seen from above: shoulders flat, arms out, both bent knees rolled to one side.
    rot_hip = (118, 75)
    rotation = Figure(
        (30, 75),
        (
            ((48, 75), rot_hip),
            ((52, 75), (56, 36), (60, 14)),
            ((52, 75), (56, 114), (60, 136)),
            ((rot_hip[0], rot_hip[1] - 5), (150, 114), (168, 84)),
            ((rot_hip[0], rot_hip[1] + 5), (142, 128), (166, 96)),
        ),
    )

    return (
        Pose(
            "lying_knees_bent",
            "lying on the back, knees bent, feet flat on the floor.",
            knees_bent_lying,
        ),
        Pose(
            "hip_abduction",
            "seen from above: lying on the back, knees bent and pushed apart against a belt.",
            abduction,
            floor=False,
            props_front=(_outline(belt),),
            arrows=(((160, 30), (164, 14)), ((160, 120), (164, 136))),
        ),
        Pose(
            "hip_adduction",
            "sitting on the floor, knees bent, squeezing a pillow between the knees.",
            adduction,
            props_behind=(_fill(pillow, PROP_COLOR),),
        ),
        Pose("bridge", "lying on the back with the hips lifted in a straight line.", bridge),
        Pose(
            "knee_to_chest_one_leg",
            "lying on the back, one knee held to the chest, the other leg straight.",
            one_leg,
        ),
        Pose(
            "knee_to_chest_both_legs",
            "lying on the back, both knees held to the chest.",
            both_legs,
        ),
        Pose(
            "clamshell",
            "lying on one side, head on a pillow, knees bent, the top knee raised.",
            clamshell,
            props_behind=(_fill(head_pillow, PROP_COLOR),),
            arrows=(((146, 66), (152, 46)),),
        ),
        Pose(
            "quadriceps_stretch",
            "standing with one hand on a wall, the other hand holding the ankle behind.",
            quadriceps,
            props_behind=(_outline(wall, width=6),),
        ),
        Pose(
            "hamstring_wall_stretch",
            "lying in a doorway, one leg straight up the wall, the other along the floor.",
            hamstring,
            props_behind=(_outline(door_frame, width=6),),
        ),
        Pose(
            "lower_trunk_rotation",
            "seen from above: lying on the back, arms out, both bent knees rolled to one side.",
            rotation,
            floor=False,
            arrows=(((176, 60), (184, 82)),),
        ),
    )


def pose_graphics() -> dict[str, dict]:
    """Every pose as an AVG object, keyed by pose id (a variant id, or a shared position)."""
    return {pose.id: pose.avg() for pose in _poses()}


def poses_json() -> str:
    return json.dumps(pose_graphics(), indent=1, ensure_ascii=False) + "\n"


def avg_to_svg(graphic: dict, background: str = "#1B2630") -> str:
    """An AVG object as SVG, to rasterise and look at (only what these drawings use)."""
    width, height = graphic["width"], graphic["height"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="{background}"/>',
    ]
    for item in graphic["items"]:
        attributes = [f"d={quoteattr(item['pathData'])}"]
        attributes.append(f'fill="{item.get("fill", "none")}"')
        if "stroke" in item:
            attributes.append(f'stroke="{item["stroke"]}" stroke-width="{item["strokeWidth"]}"')
        parts.append(f"<path {' '.join(attributes)}/>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, help="also write each pose as SVG into this folder")
    args = parser.parse_args(argv)
    POSES_FILE.write_text(poses_json(), encoding="utf-8")
    print(f"wrote {POSES_FILE}")
    if args.svg:
        args.svg.mkdir(parents=True, exist_ok=True)
        for pose_id, graphic in pose_graphics().items():
            (args.svg / f"{pose_id}.svg").write_text(avg_to_svg(graphic), encoding="utf-8")
        print(f"wrote {len(pose_graphics())} SVG files into {args.svg}")


if __name__ == "__main__":
    main()
