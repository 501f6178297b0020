"""The exercise catalogue: catalogue.toml loaded and validated into typed, immutable objects.

It holds the routine's structure and dosing only; what is said about each exercise is in
the wording data (si_coach.voice.wording), keyed by the same ids.

Progression rule (one rule for every range): a ranged quantity starts at its low end. Each
local day on which the user completes a variant raises that variant's level by one, and
each range moves up by its `step` per level (1 unless the data says otherwise) until it
reaches its high end. The level is kept in the user's progress record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path

from si_coach.routine.toml_files import read_toml

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
SUPPORTED_SCHEMA_VERSION = 1


class CatalogueError(ValueError):
    """The catalogue file breaks a rule the engine relies on."""


class Sides(StrEnum):
    NONE = "none"
    EACH = "each"  # all reps on one side, then all on the other
    ALTERNATING = "alternating"  # every rep holds one way, then the other


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


class Pace(StrEnum):
    FASTER = "faster"
    NORMAL = "normal"
    SLOWER = "slower"


@dataclass(frozen=True)
class Range:
    """A dose quantity as the article gives it: a single value when min equals max."""

    min: int
    max: int
    step: int = 1

    def at_level(self, level: int) -> int:
        return min(self.max, self.min + max(0, level) * self.step)

    @property
    def levels_to_top(self) -> int:
        return -(-(self.max - self.min) // self.step)


@dataclass(frozen=True)
class RestSeconds:
    faster: int
    normal: int
    slower: int

    def for_pace(self, pace: Pace) -> int:
        return {Pace.FASTER: self.faster, Pace.NORMAL: self.normal, Pace.SLOWER: self.slower}[pace]


@dataclass(frozen=True)
class Dose:
    """One day's amount of a variant, after progression."""

    hold_seconds: int
    reps: int
    sets: int


@dataclass(frozen=True)
class Variant:
    """One way of doing an exercise, with its own dosing (most exercises have one)."""

    id: str
    # How the progress record names it (routine/progress.py): short, and never reused.
    code: str
    exercise_id: str
    sides: Sides
    sets: int
    hold_seconds: Range
    reps: Range
    rest_seconds: RestSeconds

    def dose(self, level: int) -> Dose:
        return Dose(self.hold_seconds.at_level(level), self.reps.at_level(level), self.sets)

    @property
    def top_level(self) -> int:
        return max(self.hold_seconds.levels_to_top, self.reps.levels_to_top)


@dataclass(frozen=True)
class Exercise:
    id: str
    variants: tuple[Variant, ...]
    # The article names it a stretch: "just the stretches" chooses these.
    stretch: bool = False


@dataclass(frozen=True)
class Need:
    """Something an exercise needs: any one of `any_of` will do. A `comfort` item (a pillow
    for the head) makes the exercise easier but is not needed to do it."""

    exercise_id: str
    any_of: tuple[str, ...]
    comfort: bool = False


@dataclass(frozen=True)
class Catalogue:
    exercises: tuple[Exercise, ...]
    needs: tuple[Need, ...] = ()

    @property
    def equipment(self) -> tuple[str, ...]:
        """Every item any exercise needs, in catalogue order."""
        return tuple(dict.fromkeys(item for need in self.needs for item in need.any_of))

    @cached_property
    def variants(self) -> tuple[Variant, ...]:
        """Every variant in routine order."""
        return tuple(v for e in self.exercises for v in e.variants)

    @cached_property
    def variant_ids(self) -> frozenset[str]:
        return frozenset(v.id for v in self.variants)

    @cached_property
    def variant_codes(self) -> Mapping[str, str]:
        """Each variant's stored code, by its id."""
        return {v.id: v.code for v in self.variants}

    @cached_property
    def variants_by_code(self) -> Mapping[str, str]:
        """Each variant's id, by its stored code."""
        return {v.code: v.id for v in self.variants}

    def variant(self, variant_id: str) -> Variant:
        for candidate in self.variants:
            if candidate.id == variant_id:
                return candidate
        raise KeyError(variant_id)

    def exercise(self, exercise_id: str) -> Exercise:
        for candidate in self.exercises:
            if candidate.id == exercise_id:
                return candidate
        raise KeyError(exercise_id)

    def exercise_of(self, variant: Variant) -> Exercise:
        return self.exercise(variant.exercise_id)

    def find_variant(self, exercise_or_variant_id: str) -> Variant | None:
        """The variant named by a variant id, or the first variant of a named exercise."""
        for exercise in self.exercises:
            if exercise.id == exercise_or_variant_id:
                return exercise.variants[0]
            for variant in exercise.variants:
                if variant.id == exercise_or_variant_id:
                    return variant
        return None


def _text(table: dict, key: str, where: str, *, required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _lines(table: dict, key: str, where: str, *, required: bool = True) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise CatalogueError(f"{where}: '{key}' must be a list of non-empty strings")
    if required and not value:
        raise CatalogueError(f"{where}: '{key}' must not be empty")
    return tuple(x.strip() for x in value)


def _range(table: dict, key: str, where: str) -> Range:
    value = table.get(key)
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: '{key}' must be a table with min and max")
    try:
        result = Range(int(value["min"]), int(value["max"]), int(value.get("step", 1)))
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogueError(f"{where}: '{key}' needs whole-number min and max") from error
    if not 0 < result.min <= result.max or result.step < 1:
        raise CatalogueError(f"{where}: '{key}' must have 0 < min <= max and step >= 1")
    return result


def _rest(table: dict, where: str) -> RestSeconds:
    try:
        rest = RestSeconds(**{pace.value: int(table[pace.value]) for pace in Pace})
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogueError(f"{where}: rest_seconds needs faster, normal and slower") from error
    if not 0 < rest.faster <= rest.normal <= rest.slower <= 10:
        raise CatalogueError(f"{where}: rest must satisfy 0 < faster <= normal <= slower <= 10")
    return rest


def _variant(raw: dict, exercise_id: str, default_rest: RestSeconds) -> Variant:
    where = f"variant {raw.get('id', '?')}"
    try:
        sides = Sides(raw.get("sides"))
    except ValueError as error:
        raise CatalogueError(f"{where}: sides must be none, each or alternating") from error
    sets = raw.get("sets")
    if not isinstance(sets, int) or sets < 1:
        raise CatalogueError(f"{where}: sets must be a whole number of at least 1")
    variant = Variant(
        id=_text(raw, "id", where),
        code=_text(raw, "code", where),
        exercise_id=exercise_id,
        sides=sides,
        sets=sets,
        hold_seconds=_range(raw, "hold_seconds", where),
        reps=_range(raw, "reps", where),
        rest_seconds=_rest(raw["rest_seconds"], where) if "rest_seconds" in raw else default_rest,
    )
    return variant


def parse_catalogue(raw: dict) -> Catalogue:
    if raw.get("schema_version") != SUPPORTED_SCHEMA_VERSION:
        raise CatalogueError(f"schema_version must be {SUPPORTED_SCHEMA_VERSION}")
    default_rest = _rest(raw.get("rest_seconds", {}), "catalogue")
    exercises = []
    for entry in raw.get("exercises", []):
        where = f"exercise {entry.get('id', '?')}"
        exercise_id = _text(entry, "id", where)
        variants = tuple(_variant(v, exercise_id, default_rest) for v in entry.get("variants", []))
        if not variants:
            raise CatalogueError(f"{where}: needs at least one variant")
        exercises.append(
            Exercise(
                id=exercise_id,
                variants=variants,
                stretch=_flag(entry, "stretch", where),
            )
        )
    if not exercises:
        raise CatalogueError("the catalogue has no exercises")
    exercise_ids = [e.id for e in exercises]
    variant_ids = [v.id for e in exercises for v in e.variants]
    # A single-variant exercise may share its id with its variant; nothing else may clash.
    clashing = {i for i in exercise_ids if exercise_ids.count(i) > 1}
    clashing |= {i for i in variant_ids if variant_ids.count(i) > 1}
    clashing |= {
        v.id for e in exercises for v in e.variants if v.id in exercise_ids and v.id != e.id
    }
    if clashing:
        raise CatalogueError(f"ids must be unique: {sorted(clashing)}")
    codes = [v.code for e in exercises for v in e.variants]
    # A code is never also an id, so records that named variants by id still read.
    clashing = {c for c in codes if codes.count(c) > 1} | (set(codes) & set(variant_ids))
    if clashing:
        raise CatalogueError(f"variant codes must be unique and not ids: {sorted(clashing)}")
    needs = tuple(_need(entry, exercise_ids) for entry in raw.get("needs", []))
    return Catalogue(exercises=tuple(exercises), needs=needs)


def _flag(table: dict, key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: {key} must be true or false")
    return value


def _need(raw: dict, exercise_ids: list[str]) -> Need:
    where = f"need of {raw.get('exercise', '?')}"
    exercise_id = _text(raw, "exercise", where)
    if exercise_id not in exercise_ids:
        raise CatalogueError(f"{where}: no such exercise")
    items = _lines(raw, "any_of", where)
    if len(set(items)) != len(items):
        raise CatalogueError(f"{where}: an item is listed twice")
    comfort = raw.get("comfort", False)
    if not isinstance(comfort, bool):
        raise CatalogueError(f"{where}: comfort must be true or false")
    return Need(exercise_id, items, comfort)


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    return parse_catalogue(read_toml(path))


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()
