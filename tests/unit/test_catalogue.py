"""The catalogue and its wording carry the article's facts exactly, in lines of their own,
and bad catalogue data is rejected."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from si_coach.routine.catalogue import (
    CATALOGUE_FILE,
    CatalogueError,
    Range,
    Sides,
    default_catalogue,
    parse_catalogue,
)
from si_coach.routine.toml_files import parsed_copy_path, read_toml, write_parsed_copy
from si_coach.voice.wording import all_wordings, wording_for

ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "si-joint-exercises.txt"

# The dosing table of the source article: (hold min, hold max), (reps min, reps max), sets, sides.
ARTICLE_DOSING = {
    "hip_abduction": ((5, 5), (10, 10), 1, Sides.NONE),
    "hip_adduction": ((5, 5), (15, 15), 2, Sides.NONE),
    "bridge": ((6, 6), (8, 10), 1, Sides.NONE),
    "knee_to_chest_one_leg": ((15, 30), (3, 3), 1, Sides.EACH),
    "knee_to_chest_both_legs": ((5, 5), (10, 15), 1, Sides.NONE),
    "clamshell": ((2, 6), (8, 12), 1, Sides.EACH),
    "quadriceps_stretch": ((15, 30), (2, 2), 1, Sides.EACH),
    "hamstring_wall_stretch": ((60, 360), (2, 4), 1, Sides.EACH),
    "lower_trunk_rotation": ((3, 5), (10, 20), 1, Sides.ALTERNATING),
}


def raw_catalogue() -> dict:
    with CATALOGUE_FILE.open("rb") as file:
        return tomllib.load(file)


def spoken_lines() -> list[str]:
    """Every line of content and every line of the routine and answers, in every locale."""
    lines = []
    for wording in all_wordings().values():
        lines += [*wording.overview, wording.safety_reminder, *wording.safety_advice]
        for exercise in wording.exercises.values():
            lines += [exercise.equipment, exercise.works]
        for variant in wording.variants.values():
            lines += [*variant.position, *variant.steps, *variant.notes]
            lines += [variant.side_setup, variant.action_cue, variant.release_cue]
        for texts in wording.lines.values():
            lines += list(texts)
    return [line for line in lines if line]


@pytest.mark.parametrize("variant_id", sorted(ARTICLE_DOSING))
def test_dosing_matches_the_article(variant_id: str) -> None:
    hold, reps, sets, sides = ARTICLE_DOSING[variant_id]
    variant = default_catalogue().variant(variant_id)
    assert (variant.hold_seconds.min, variant.hold_seconds.max) == hold
    assert (variant.reps.min, variant.reps.max) == reps
    assert variant.sets == sets
    assert variant.sides is sides


def test_the_routine_has_the_eight_exercises_in_order() -> None:
    catalogue = default_catalogue()
    assert [e.id for e in catalogue.exercises] == [
        "hip_abduction",
        "hip_adduction",
        "bridge",
        "knee_to_chest",
        "clamshell",
        "quadriceps_stretch",
        "hamstring_wall_stretch",
        "lower_trunk_rotation",
    ]
    assert set(ARTICLE_DOSING) == {v.id for v in catalogue.variants}


def test_bridge_rest_never_exceeds_ten_seconds() -> None:
    rest = default_catalogue().variant("bridge").rest_seconds
    assert max(rest.faster, rest.normal, rest.slower) == 10


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_equipment_and_safety_facts_are_kept(locale: str) -> None:
    words = wording_for(locale)
    assert "belt" in words.exercise("hip_abduction").equipment
    assert "pillow" in words.exercise("hip_adduction").equipment
    assert "wall" in words.exercise("quadriceps_stretch").equipment
    assert "doorway" in words.exercise("hamstring_wall_stretch").equipment
    advice = " ".join(words.safety_advice).lower()
    therapist = "physiotherapist" if locale == "en-GB" else "physical therapist"
    for fact in ("slowly", "pain or discomfort", "stop", "healthcare provider", therapist):
        assert fact in advice
    overview = " ".join(words.overview).lower()
    for fact in ("fifteen to thirty percent", "sacrum", "pregnancy", "arthritis", "tingling"):
        assert fact in overview


def test_progression_starts_low_and_stops_at_the_top() -> None:
    hamstring = default_catalogue().variant("hamstring_wall_stretch")
    assert hamstring.dose(0).hold_seconds == 60
    assert hamstring.dose(1).hold_seconds == 90
    assert hamstring.dose(10).hold_seconds == 360
    assert hamstring.dose(50).hold_seconds == 360
    assert hamstring.dose(0).reps == 2
    assert hamstring.dose(2).reps == 4
    assert hamstring.top_level == 10
    assert Range(8, 10).at_level(-3) == 8


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


@pytest.mark.skipif(not ARTICLE.exists(), reason="the source article sits in ../shared")
def test_no_sentence_of_the_article_is_carried_over() -> None:
    article = " ".join(_words(ARTICLE.read_text(encoding="utf-8")))
    window = 7
    copied = []
    for line in spoken_lines():
        words = _words(line)
        for start in range(len(words) - window + 1):
            phrase = " ".join(words[start : start + window])
            if phrase in article:
                copied.append((line, phrase))
    assert copied == []


def test_spoken_lines_are_short_cues() -> None:
    too_long = [
        line
        for line in spoken_lines()
        for s in re.split(r"(?<=[.?!])\s", line)
        if len(_words(s)) > 18
    ]
    assert too_long == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw.update(schema_version=2), "schema_version"),
        (lambda raw: raw["exercises"][0]["variants"][0].pop("reps"), "reps"),
        (lambda raw: raw["exercises"][0]["variants"][0].update(sides="both"), "sides"),
        (
            lambda raw: raw["exercises"][0]["variants"][0].update(
                hold_seconds={"min": 6, "max": 5}
            ),
            "min",
        ),
        (lambda raw: raw["exercises"][1].update(id="hip_abduction"), "unique"),
        (
            lambda raw: raw["exercises"][2]["variants"][0].update(
                rest_seconds={"faster": 3, "normal": 5, "slower": 12}
            ),
            "rest",
        ),
        (lambda raw: raw.update(exercises=[]), "no exercises"),
        (lambda raw: raw["exercises"][0]["variants"][0].pop("code"), "'code'"),
        (
            lambda raw: raw["exercises"][1]["variants"][0].update(code="ab"),
            r"variant codes must be unique and not ids: \['ab'\]",
        ),
        (
            lambda raw: raw["exercises"][1]["variants"][0].update(code="bridge"),
            r"variant codes must be unique and not ids: \['bridge'\]",
        ),
    ],
)
def test_bad_data_is_refused_with_a_clear_error(mutate, message: str) -> None:
    raw = raw_catalogue()
    mutate(raw)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


# -- the parsed copies the package ships (si_coach.routine.toml_files) ---------------------


def test_a_data_files_parsed_copy_is_read_while_the_file_is_unchanged(tmp_path) -> None:
    data_file = tmp_path / "catalogue.toml"
    data_file.write_text('name = "bridge"\nreps = [1, 2.5]\n', encoding="utf-8")
    assert write_parsed_copy(data_file)
    assert parsed_copy_path(data_file).parent.name == "__pycache__"
    assert read_toml(data_file) == {"name": "bridge", "reps": [1, 2.5]}
    # The copy is what is read: one that says otherwise, with the file's hash, wins.
    copy = json.loads(parsed_copy_path(data_file).read_text(encoding="utf-8"))
    copy["data"] = {"name": "from the copy"}
    parsed_copy_path(data_file).write_text(json.dumps(copy), encoding="utf-8")
    assert read_toml(data_file) == {"name": "from the copy"}


def test_a_stale_or_broken_parsed_copy_is_ignored(tmp_path) -> None:
    data_file = tmp_path / "wording.toml"
    data_file.write_text('line = "old"\n', encoding="utf-8")
    write_parsed_copy(data_file)
    data_file.write_text('line = "new"\n', encoding="utf-8")
    assert read_toml(data_file) == {"line": "new"}
    parsed_copy_path(data_file).write_text("{not json", encoding="utf-8")
    assert read_toml(data_file) == {"line": "new"}


def test_toml_dates_have_no_parsed_copy(tmp_path) -> None:
    data_file = tmp_path / "dated.toml"
    data_file.write_text("day = 2026-11-23\n", encoding="utf-8")
    assert not write_parsed_copy(data_file)
    assert not parsed_copy_path(data_file).exists()
    assert str(read_toml(data_file)["day"]) == "2026-11-23"
