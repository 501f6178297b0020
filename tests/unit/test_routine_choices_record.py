"""The routine choices in the stored record: a short routine under way, exercises left out,
and when each variant was last finished; compact, each part read on its own, and merged so
that one device's choice is not undone by another's routine."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from si_coach.routine.catalogue import default_catalogue
from si_coach.routine.pacing import Phase, RoutineState
from si_coach.routine.progress import Progress, RoutineChoices, merge

CATALOGUE = default_catalogue()
CHOICES = RoutineChoices(
    routine=("bridge", "clamshell"),
    left_out=frozenset({"hamstring_wall_stretch"}),
    last_done={"bridge": date(2026, 12, 6), "hip_abduction": date(2026, 11, 30)},
)


def stored(progress: Progress) -> dict:
    """The record as the store keeps it: through JSON, like both adapters."""
    return json.loads(json.dumps(progress.to_dict(CATALOGUE)))


def test_choices_round_trip_compactly() -> None:
    progress = Progress(choices=CHOICES)
    raw = stored(progress)
    assert raw["plan"] == {"r": ["br", "cl"], "o": ["hs"], "l": {"br": 2531, "ab": 2525}}
    assert Progress.from_dict(raw, CATALOGUE).choices == CHOICES
    # No choices, nothing stored.
    assert "plan" not in stored(Progress())


def test_the_choices_shape_coaching() -> None:
    coaching = Progress(choices=CHOICES).coaching()
    assert coaching.routine == ("bridge", "clamshell")
    assert coaching.left_out == {"hamstring_wall_stretch"}


@pytest.mark.parametrize(
    ("damage", "kept"),
    [
        ({"r": "br", "o": ["hs"]}, {"left_out"}),
        ({"r": ["br"], "o": 7}, {"routine"}),
        ({"r": ["br"], "o": ["hs"], "l": ["br", 3]}, {"routine", "left_out"}),
        ({"r": ["br", "zz"], "o": ["hs"], "l": {"br": "x", "ab": 3, "cl": -1}}, {"all"}),
    ],
)
def test_a_damaged_part_is_dropped_and_the_rest_kept(damage: dict, kept: set[str]) -> None:
    raw = stored(Progress(levels={"bridge": 2}))
    raw["plan"] = damage
    progress = Progress.from_dict(raw, CATALOGUE)
    assert progress.levels == {"bridge": 2}
    if "routine" in kept or "all" in kept:
        assert progress.choices.routine == ("bridge",)
    if "left_out" in kept or "all" in kept:
        assert progress.choices.left_out == {"hamstring_wall_stretch"}
    if "all" in kept:
        # Only the readable date survives: an unknown code, a word, a negative day are dropped.
        assert progress.choices.last_done == {"hip_abduction": date(2020, 1, 4)}


def test_unreadable_choices_start_afresh_without_losing_the_record() -> None:
    raw = stored(Progress(levels={"bridge": 2}, streak_days=3))
    raw["plan"] = [1, 2]
    progress = Progress.from_dict(raw, CATALOGUE)
    assert progress.choices == RoutineChoices()
    assert (progress.levels, progress.streak_days) == ({"bridge": 2}, 3)


def test_finishing_a_variant_dates_it() -> None:
    progress = Progress().complete(("clamshell",), date(2026, 12, 7), CATALOGUE)
    assert progress.choices.last_done == {"clamshell": date(2026, 12, 7)}


def test_merge_keeps_each_variants_latest_finish_and_the_left_out_this_session_chose() -> None:
    base = Progress(revision=3)
    # Another device finished the clamshell today and left out the hamstring stretch.
    theirs = replace(
        base,
        revision=4,
        choices=RoutineChoices(
            left_out=frozenset({"hamstring_wall_stretch"}),
            last_done={"clamshell": date(2026, 12, 7), "bridge": date(2026, 12, 1)},
        ),
    )
    # This session, which read the record before, finished the bridge today.
    ours = replace(
        base,
        routine=RoutineState(phase=Phase.READY, variant_id="clamshell", updated_at=9.0),
        choices=RoutineChoices(
            routine=("bridge", "clamshell"), last_done={"bridge": date(2026, 12, 7)}
        ),
    )
    merged = merge(theirs, ours, base)
    assert merged.choices.last_done == {
        "clamshell": date(2026, 12, 7),
        "bridge": date(2026, 12, 7),
    }
    # Ours did not touch what is left out: the other device's choice stands.
    assert merged.choices.left_out == {"hamstring_wall_stretch"}
    # The short routine goes with the routine's position, which ours moved last.
    assert merged.choices.routine == ("bridge", "clamshell")
    # And when ours puts an exercise back, that wins over the stored copy.
    back = replace(ours, choices=replace(ours.choices, left_out=frozenset({"bridge"})))
    assert merge(theirs, back, base).choices.left_out == {"bridge"}
