"""The stored form of the progress record: compact, readable in its previous schema, and
the reminder's part of it merged without undoing what one device did."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from si_coach.routine.catalogue import Pace, Side, default_catalogue
from si_coach.routine.pacing import Phase, RoutineState
from si_coach.routine.progress import (
    MAX_REMINDER_TOKEN_CHARACTERS,
    RECORD_SCHEMA_VERSION,
    ActiveDay,
    Progress,
    merge,
)

CATALOGUE = default_catalogue()
TOKEN = "d877f6b7-fe34-40fe-9029-a67a3f75140f"

A_USER = Progress(
    routine=RoutineState(
        phase=Phase.IN_SET, variant_id="clamshell", side=Side.LEFT, reps_done=4, updated_at=1.5
    ),
    recent_days=(
        ActiveDay(date(2026, 11, 23), ("bridge", "clamshell")),
        ActiveDay(date(2026, 11, 22), ("hip_abduction",)),
    ),
    streak_days=2,
    active_days=5,
    injured_side=Side.RIGHT,
    pace=Pace.SLOWER,
    levels={"bridge": 2, "clamshell": 1},
    revision=7,
    reminder_token=TOKEN,
    reminder_declined_on=date(2026, 11, 20),
)


def test_every_variant_has_a_short_code_of_its_own() -> None:
    ids = {v.id for v in CATALOGUE.variants}
    assert set(CATALOGUE.variant_codes) == ids
    codes = list(CATALOGUE.variant_codes.values())
    assert len(set(codes)) == len(codes)
    assert not set(codes) & ids, "a code is never also an id, so old records read unambiguously"


def test_the_record_round_trips_in_its_compact_form() -> None:
    stored = A_USER.to_dict(CATALOGUE)
    assert stored["schema"] == RECORD_SCHEMA_VERSION == 2
    assert stored["days"] == [["2026-11-23", ["br", "cl"]], ["2026-11-22", ["ab"]]]
    assert stored["levels"] == {"br": 2, "cl": 1}
    assert stored["reminder"] == TOKEN and stored["declined"] == "2026-11-20"
    assert None not in stored["routine"].values()
    assert Progress.from_dict(stored, CATALOGUE) == A_USER


# A schema-2 record as stored before the codes moved into the catalogue: every code it has
# ever used, in its days and its levels.
STORED_SCHEMA_2 = {
    "schema": 2,
    "revision": 3,
    "routine": {
        "version": 1,
        "phase": "not_started",
        "set": 1,
        "reps_done": 0,
        "chunk_start": 0,
        "updated_at": 0.0,
    },
    "days": [
        ["2026-11-23", ["ab", "ad", "br", "k1", "k2"]],
        ["2026-11-22", ["cl", "qs", "hs", "tr"]],
    ],
    "streak": 2,
    "active_days": 9,
    "pace": "normal",
    "levels": {"ab": 1, "ad": 1, "br": 2, "k1": 3, "k2": 1, "cl": 1, "qs": 2, "hs": 4, "tr": 1},
}
STORED_SCHEMA_2_IDS = (
    ("hip_abduction", "hip_adduction", "bridge", "knee_to_chest_one_leg",
     "knee_to_chest_both_legs"),
    ("clamshell", "quadriceps_stretch", "hamstring_wall_stretch", "lower_trunk_rotation"),
)  # fmt: skip


def test_a_schema_2_record_reads_as_it_always_did_and_is_written_back_the_same() -> None:
    progress = Progress.from_dict(STORED_SCHEMA_2, CATALOGUE)
    assert tuple(day.completed for day in progress.recent_days) == STORED_SCHEMA_2_IDS
    assert progress.levels == {
        "hip_abduction": 1, "hip_adduction": 1, "bridge": 2, "knee_to_chest_one_leg": 3,
        "knee_to_chest_both_legs": 1, "clamshell": 1, "quadriceps_stretch": 2,
        "hamstring_wall_stretch": 4, "lower_trunk_rotation": 1,
    }  # fmt: skip
    assert progress.to_dict(CATALOGUE) == STORED_SCHEMA_2


def test_empty_values_and_zero_levels_are_left_out() -> None:
    stored = Progress(levels={"hip_abduction": 0}).to_dict(CATALOGUE)
    assert stored["levels"] == {}
    assert not {"injured_side", "reminder", "declined"} & set(stored)
    assert {"hold_ends_at", "paused_from", "variant", "side"}.isdisjoint(stored["routine"])
    assert Progress.from_dict(stored, CATALOGUE) == Progress()


def test_a_record_of_the_previous_schema_is_still_read() -> None:
    schema_1 = {
        "schema": 1,
        "revision": 7,
        "routine": {
            "version": 1,
            "phase": "in_set",
            "variant": "clamshell",
            "side": "left",
            "set": 1,
            "reps_done": 4,
            "chunk_start": 0,
            "hold_ends_at": None,
            "paused_from": None,
            "updated_at": 1.5,
        },
        "days": [["2026-11-23", ["bridge", "clamshell"]], ["2026-11-22", ["hip_abduction"]]],
        "streak": 2,
        "active_days": 5,
        "injured_side": "right",
        "pace": "slower",
        "levels": {"hip_abduction": 0, "bridge": 2, "clamshell": 1},
    }
    expected = replace(A_USER, reminder_token=None, reminder_declined_on=None)
    assert Progress.from_dict(schema_1, CATALOGUE) == expected


def test_a_token_too_long_to_keep_is_not_stored() -> None:
    long = "x" * (MAX_REMINDER_TOKEN_CHARACTERS + 1)
    assert Progress().with_reminder(long).reminder_token is None
    assert Progress().with_reminder(TOKEN).reminder_token == TOKEN


def test_setting_a_reminder_ends_a_no_and_stopping_keeps_none() -> None:
    declined = Progress(reminder_declined_on=date(2026, 11, 20))
    assert declined.with_reminder(TOKEN).reminder_declined_on is None
    assert A_USER.with_reminder(None).reminder_token is None


def test_the_reminder_merges_from_the_copy_that_changed_it() -> None:
    base = Progress(revision=3)
    routine_moved = replace(base, routine=RoutineState(phase=Phase.READY, updated_at=9.0))
    reminder_set = base.with_reminder(TOKEN)
    # The other device moved its routine later, but only this one set a reminder.
    assert merge(routine_moved, reminder_set, base).reminder_token == TOKEN
    # And the other way round: a device that did not touch it keeps the stored one.
    assert merge(reminder_set, routine_moved, base).reminder_token == TOKEN
    # A reminder stopped here is not brought back by the stored copy.
    stopped = reminder_set.with_reminder(None)
    assert merge(reminder_set, stopped, reminder_set).reminder_token is None


def test_the_time_zone_is_kept_with_the_day_it_was_checked_and_trusted_for_a_week() -> None:
    checked = date(2026, 11, 23)
    progress = Progress().with_time_zone("America/Argentina/ComodRivadavia", checked)
    again = Progress.from_dict(json.loads(json.dumps(progress.to_dict(CATALOGUE))), CATALOGUE)
    assert (again.time_zone, again.time_zone_checked_on) == (progress.time_zone, checked)
    assert again.known_time_zone(checked + timedelta(days=6)) == progress.time_zone
    assert again.known_time_zone(checked + timedelta(days=7)) is None
    assert again.known_time_zone(checked - timedelta(days=1)) is None  # a clock gone back


@pytest.mark.parametrize(
    "stored",
    [["Europe/London"], ["Europe/London", "yesterday"], [7, "2026-11-23"], "Europe/London",
     ["", "2026-11-23"], ["x" * 41, "2026-11-23"]],
)  # fmt: skip
def test_an_unusable_kept_time_zone_is_dropped(stored: object) -> None:
    record = {**Progress().to_dict(CATALOGUE), "tz": stored}
    progress = Progress.from_dict(record, CATALOGUE)
    assert (progress.time_zone, progress.time_zone_checked_on) == (None, None)


def test_merging_keeps_the_time_zone_a_session_asked_for_and_no_stale_one() -> None:
    # Each device keeps its own zone: a session's copy replaces the stored zone only when
    # that session asked for it, never because its copy was checked later or earlier.
    older = Progress().with_time_zone("Pacific/Auckland", date(2026, 11, 1), "a1")
    newer = Progress().with_time_zone("Europe/London", date(2026, 11, 20), "b2")
    assert merge(older, newer, older).time_zone == "Europe/London"
    assert merge(newer, older, older).time_zone == "Europe/London"
    assert merge(newer, older, newer).time_zone == "Pacific/Auckland"
    assert merge(newer, older, newer).time_zone_device == "a1"
