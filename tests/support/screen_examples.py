"""Screens for every variant of the catalogue, as the skill would describe them, for the tests.

The words are test data (the skill's own come from its wording data). The timelines pace
each variant like the voice does: a cue, the hold, the release, the rest, rep after rep,
until a response's planned time is full; a hold longer than a response carries on past it.
"""

from __future__ import annotations

from si_coach.routine.catalogue import Sides, Variant, default_catalogue
from si_coach.routine.limits import MAX_PLANNED_SECONDS
from si_coach.screen import (
    DetailScreen,
    ExerciseScreen,
    ListItem,
    ListScreen,
    ScreenButton,
    ScreenSpan,
)
from si_coach.voice.wording import wording_for

WORDS = wording_for("en-US")

CUE_SECONDS = 2.4
RELEASE_SECONDS = 1.2
# Reps are planned to this many seconds, as the pacing engine does, then the closing question.
REPS_PLANNED_SECONDS = 78.0
CLOSING = "Say \u201cnext\u201d to carry on."
BUTTONS = (
    ScreenButton("Repeat", "repeat"),
    ScreenButton("Pause", "pause"),
    ScreenButton("Next", "next"),
)


def counters(set_number: int, sets: int, rep: int, reps: int) -> str:
    return f"Set {set_number} of {sets} \u00b7 Rep {rep} of {reps}"


def paced_spans(hold: int, reps: int, rest: int, sets: int = 1) -> tuple[ScreenSpan, ...]:
    """The spans of one response pacing as many reps as fit, from the first rep."""
    spans: list[ScreenSpan] = []
    now = 1.6  # "Here we go."
    for rep in range(1, reps + 1):
        start = now + CUE_SECONDS
        end = start + hold
        if end > REPS_PLANNED_SECONDS:
            if not spans:  # a hold longer than one response: count part of it down
                end = REPS_PLANNED_SECONDS
                spans.append(
                    ScreenSpan(
                        "hold",
                        start,
                        end,
                        rep,
                        "Hold",
                        counters(1, sets, rep, reps),
                        left_at_end=hold - round(end - start),
                    )
                )
            break
        spans.append(ScreenSpan("hold", start, end, rep, "Hold", counters(1, sets, rep, reps)))
        now = end + RELEASE_SECONDS
        if rep < reps and now + rest <= REPS_PLANNED_SECONDS:
            spans.append(ScreenSpan("rest", now, now + rest, rep, "Rest"))
            now += rest
    assert spans[-1].end <= MAX_PLANNED_SECONDS
    return tuple(spans)


def side_labels(variant: Variant) -> tuple[str, ...]:
    return ("",) if variant.sides is Sides.NONE else ("Left side", "Right side")


def exercise_screens(level: int = 99) -> list[tuple[str, ExerciseScreen]]:
    """Every variant on every side, at `level` (99: the top of every range), mid-routine."""
    catalogue = default_catalogue()
    variants = catalogue.variants
    screens = []
    for index, variant in enumerate(variants):
        exercise = catalogue.exercise_of(variant)
        dose = variant.dose(level)
        rest = max(variant.rest_seconds.faster, variant.rest_seconds.slower)
        for side in side_labels(variant):
            screen = ExerciseScreen(
                title=WORDS.variant(variant.id).name.capitalize(),
                side_label=side,
                counters_label=counters(1, dose.sets, 1, dose.reps),
                steps=WORDS.variant(variant.id).steps,
                equipment=WORDS.exercise(exercise.id).equipment.capitalize(),
                pose_id=variant.id,
                routine_progress=(index, len(variants)),
                spans=paced_spans(dose.hold_seconds, dose.reps, rest, dose.sets),
                closing_instruction=CLOSING,
                buttons=BUTTONS,
                progress_label=f"Exercise {index + 1} of {len(variants)}",
            )
            screens.append((f"{variant.id}{'-' + side if side else ''}", screen))
    return screens


def list_screens() -> list[tuple[str, ListScreen]]:
    catalogue = default_catalogue()
    exercises = ListScreen(
        "The exercises",
        tuple(
            ListItem(WORDS.variant(v.id).name.capitalize(), "", v.id) for v in catalogue.variants
        ),
        footer="Say the name of one to hear how it's done.",
    )
    overview = ListScreen("S.I. joint pain", tuple(ListItem(line) for line in WORDS.overview))
    history = ListScreen(
        "Your progress",
        (ListItem("Yesterday", "Hip abduction, bridge, clamshell"), ListItem("Streak", "3 days")),
    )
    return [("list-exercises", exercises), ("list-overview", overview), ("list-history", history)]


def detail_screens() -> list[tuple[str, DetailScreen]]:
    catalogue = default_catalogue()
    return [
        (
            f"detail-{variant.id}",
            DetailScreen(
                WORDS.variant(variant.id).name.capitalize(),
                (
                    *WORDS.variant(variant.id).position,
                    *WORDS.variant(variant.id).steps,
                    *WORDS.variant(variant.id).notes,
                ),
                variant.id,
                footer=CLOSING,
            ),
        )
        for variant in catalogue.variants
    ]
