"""Per-locale wording: every sentence the skill says, as data, checked when the skill starts.

One file per language (`en.toml` serves every English locale); a file named for a locale
(`en-GB.toml`) overrides single lines of its language. A request's locale picks the
wording; an unsupported locale falls back to English. Loading refuses, with an error that
names the file and key: a missing or unknown key, a placeholder the key does not declare
(see keys.py), a key present in one language but not in another, and exercise content that
does not match the catalogue's ids.

Start-up checks every file (`check_wordings`), but a request loads only its own language,
on the first request for it. The deployment artifact's build checks every file too and
records each one's digest (`write_checked_record`), so a cold start from the artifact only
compares digests: checking and building two languages it does not speak was about 4% of
its instructions (callgrind, benchmarks/README.md).
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from si_coach.routine.catalogue import (
    CATALOGUE_FILE,
    Catalogue,
    Side,
    Sides,
    default_catalogue,
)
from si_coach.routine.toml_files import CACHE_FOLDER, read_toml
from si_coach.voice.wording import keys
from si_coach.voice.wording.english import EnglishGrammar
from si_coach.voice.wording.grammar import Gender, Grammar

WORDING_DIR = Path(__file__).parent
DEFAULT_LANGUAGE = "en"
# Written into the artifact by its build (`write_checked_record`), beside the parsed copies.
CHECKED_RECORD = "wording-checked.json"


class GrammarOnFirstUse:
    """Stands in for a language's grammar class, imported by `load` when a file of that
    language is first loaded: a cold start builds only the languages it speaks."""

    def __init__(self, load: Callable[[], type[Grammar]]) -> None:
        self.load = load

    def from_tables(
        self, forms: Mapping[str, tuple[str, ...]], table: Mapping[str, str]
    ) -> Grammar:
        return self.load().from_tables(forms, table)


def _spanish() -> type[Grammar]:
    from si_coach.voice.wording.spanish import SpanishGrammar  # noqa: PLC0415

    return SpanishGrammar


def _german() -> type[Grammar]:
    from si_coach.voice.wording.german import GermanGrammar  # noqa: PLC0415

    return GermanGrammar


# The grammar of each language (grammar.Grammar), picked by a wording file's `language`.
GRAMMARS: dict[str, type[Grammar] | GrammarOnFirstUse] = {
    "en": EnglishGrammar,
    "es": GrammarOnFirstUse(_spanish),
    "de": GrammarOnFirstUse(_german),
}
# Languages whose counted words have a gender: their [forms] rows carry it as a third item,
# one of these, and the grammar agrees its numbers with it ("una serie", "ein Tag").
GENDERED = {"es": ("m", "f"), "de": ("m", "f", "n")}
# Tables of a wording file that are not lines: every other table is a section of lines, whose
# keys are declared in keys.py as "section.key".
CONTENT_TABLES = frozenset(
    {"language", "forms", "grammar", "content", "exercises", "variants", "sides", "clock"}
)


class WordingError(ValueError):
    """A wording file breaks the contract in keys.py."""


@dataclass(frozen=True)
class ExerciseWords:
    name: str
    equipment: str
    works: str


@dataclass(frozen=True)
class VariantWords:
    name: str
    position: tuple[str, ...]
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    side_setup: str
    action_cue: str
    release_cue: str
    # The name's grammatical gender, for languages whose articles have one.
    gender: Gender | None = None


@dataclass(frozen=True)
class Wording:
    """Everything one locale says: lines by key, exercise content, and its grammar."""

    locale: str
    lines: Mapping[str, tuple[str, ...]]
    exercises: Mapping[str, ExerciseWords]
    variants: Mapping[str, VariantWords]
    sides: Mapping[str, str]
    overview: tuple[str, ...]
    safety_reminder: str
    safety_advice: tuple[str, ...]
    weekdays: tuple[str, ...]
    grammar: Grammar
    # How a time of day is said: the checked [clock] table (see keys.CLOCK_PATTERNS).
    clock: Mapping[str, Any] = field(default_factory=dict)

    def lines_of(self, key: str, **values: object) -> tuple[str, ...]:
        """The sentences of a line, placeholders filled."""
        return tuple(text.format(**values) for text in self.lines[key])

    def line(self, key: str, **values: object) -> str:
        return " ".join(self.lines_of(key, **values))

    def side(self, side: Side) -> str:
        return self.sides[side.value]

    def sided(self, text: str, side: Side | None) -> str:
        """A side-specific cue with its sides named."""
        if side is None:
            return text
        return text.format(side=self.side(side), other_side=self.side(side.other))

    def exercise(self, exercise_id: str) -> ExerciseWords:
        return self.exercises[exercise_id]

    def variant(self, variant_id: str) -> VariantWords:
        return self.variants[variant_id]


def _placeholders(text: str, where: str) -> set[str]:
    if "{" not in text and "}" not in text:
        # Most lines: nothing a formatter could read, nor break on. Start-up checks them all.
        return set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise WordingError(f"{where}: broken braces in {text!r}") from error
    names = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise WordingError(f"{where}: placeholder {{{name}}} must be a plain name")
        names.add(name)
    return names


def _texts(value: object, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    # Written out, without generators: it runs for every line a language's wording loads.
    items = value if isinstance(value, list) else [value]
    texts = []
    for item in items:
        if not isinstance(item, str):
            raise WordingError(f"{where}: must be a line or a list of lines")
        texts.append(" ".join(item.split()))
    if not allow_empty and (not texts or "" in texts):
        raise WordingError(f"{where}: must not be empty")
    return tuple(filter(None, texts))


def _check(texts: Iterable[str], allowed: Iterable[str], where: str) -> None:
    allowed = set(allowed)
    for text in texts:
        unknown = _placeholders(text, where) - allowed
        if unknown:
            declared = ", ".join(sorted(allowed)) or "none"
            raise WordingError(
                f"{where}: unknown placeholder {{{sorted(unknown)[0]}}} (declared: {declared})"
            )


def _flat_lines(
    raw: Mapping[str, Any], source: str, *, partial: bool
) -> dict[str, tuple[str, ...]]:
    """The line sections of a file as {"section.key": its lines}, every key checked."""
    found = {}
    for section, table in raw.items():
        if section in CONTENT_TABLES:
            continue
        if not isinstance(table, dict):
            raise WordingError(f"{source}: [{section}] must be a table of lines")
        for key, value in table.items():
            found[f"{section}.{key}"] = value
    unknown = sorted(set(found) - set(keys.LINE_PLACEHOLDERS))
    if unknown:
        raise WordingError(f"{source}: unknown key {unknown[0]} (not declared in keys.py)")
    missing = sorted(set(keys.LINE_PLACEHOLDERS) - set(found))
    if missing and not partial:
        raise WordingError(f"{source}: missing key {missing[0]}")
    lines = {}
    for key, value in found.items():
        where = f"{source}: {key}"
        texts = _texts(value, where)
        if key in keys.FIXED_LENGTH_LISTS and (
            not isinstance(value, list) or len(texts) != keys.FIXED_LENGTH_LISTS[key]
        ):
            raise WordingError(f"{where}: needs {keys.FIXED_LENGTH_LISTS[key]} items")
        _check(texts, keys.LINE_PLACEHOLDERS[key], where)
        lines[key] = texts
    return lines


def _table(raw: Mapping[str, Any], name: str, source: str) -> dict:
    table = raw.get(name)
    if not isinstance(table, dict):
        raise WordingError(f"{source}: [{name}] must be a table")
    return table


def _content(
    raw: Mapping[str, Any], source: str, catalogue: Catalogue
) -> tuple[dict[str, ExerciseWords], dict[str, VariantWords]]:
    exercises_raw = _table(raw, "exercises", source)
    variants_raw = _table(raw, "variants", source)
    for kind, table, ids in (
        ("exercise", exercises_raw, [e.id for e in catalogue.exercises]),
        ("variant", variants_raw, [v.id for v in catalogue.variants]),
    ):
        missing = sorted(set(ids) - set(table))
        extra = sorted(set(table) - set(ids))
        if missing:
            raise WordingError(f"{source}: missing {kind} {missing[0]} of the catalogue")
        if extra:
            raise WordingError(f"{source}: {kind} {extra[0]} is not in the catalogue")
    exercises = {}
    for exercise_id, entry in exercises_raw.items():
        fields = _fields(entry, keys.EXERCISE_FIELDS, f"{source}: exercises.{exercise_id}")
        exercises[exercise_id] = ExerciseWords(**{k: " ".join(v) for k, v in fields.items()})
    variants = {}
    for variant_id, raw_entry in variants_raw.items():
        where = f"{source}: variants.{variant_id}"
        entry = dict(raw_entry) if isinstance(raw_entry, dict) else raw_entry
        gender = _gender(entry.pop("gender", None) if isinstance(entry, dict) else None, where)
        fields = _fields(entry, keys.VARIANT_FIELDS, where)
        single = {"name", "side_setup", "action_cue", "release_cue"}
        variants[variant_id] = VariantWords(
            **{k: " ".join(v) if k in single else v for k, v in fields.items()}, gender=gender
        )
        sides = catalogue.variant(variant_id).sides
        if sides is Sides.EACH and not fields["side_setup"]:
            raise WordingError(f"{source}: variants.{variant_id}: one-sided needs side_setup")
        cues = (*fields["action_cue"], *fields["release_cue"], *fields["side_setup"])
        if sides is Sides.NONE and any(_placeholders(cue, variant_id) for cue in cues):
            raise WordingError(
                f"{source}: variants.{variant_id}: a variant without sides cannot name a side"
            )
    return exercises, variants


def _gender(value: object, where: str) -> Gender | None:
    """A variant's optional `gender`: one of Gender's values."""
    if value is None:
        return None
    try:
        return Gender(value)
    except ValueError:
        genders = ", ".join(g.value for g in Gender)
        raise WordingError(f"{where}.gender must be one of {genders}") from None


def _fields(
    entry: object, declared: Mapping[str, tuple[str, ...]], where: str
) -> dict[str, tuple[str, ...]]:
    if not isinstance(entry, dict):
        raise WordingError(f"{where}: must be a table")
    unknown = sorted(set(entry) - set(declared))
    missing = sorted(set(declared) - set(entry))
    if unknown or missing:
        problem = f"unknown field {unknown[0]}" if unknown else f"missing field {missing[0]}"
        raise WordingError(f"{where}: {problem}")
    fields = {}
    for name, allowed in declared.items():
        texts = _texts(entry[name], f"{where}.{name}", allow_empty=name in keys.OPTIONAL_FIELDS)
        _check(texts, allowed, f"{where}.{name}")
        fields[name] = texts
    return fields


def _clock(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    table = _table(raw, "clock", source)
    expected = {*keys.CLOCK_PATTERNS, "twelve_hour", "periods"}
    if set(table) != expected:
        raise WordingError(f"{source}: [clock] needs exactly {', '.join(sorted(expected))}")
    for name, allowed in keys.CLOCK_PATTERNS.items():
        where = f"{source}: clock.{name}"
        _check(_texts(table[name], where), allowed, where)
    if not isinstance(table["twelve_hour"], bool):
        raise WordingError(f"{source}: clock.twelve_hour must be true or false")
    periods = table["periods"]
    hours = [row[0] if isinstance(row, list) and len(row) == 2 else None for row in periods]
    if (
        not hours
        or hours[0] != 0
        or not all(isinstance(h, int) and 0 <= h <= 23 for h in hours)
        or hours != sorted(set(hours))
        or not all(isinstance(row[1], str) for row in periods)
    ):
        raise WordingError(
            f"{source}: clock.periods must be [hour, words] rows from hour 0, in order"
        )
    return dict(table)


def parse_wording(
    raw: Mapping[str, Any], catalogue: Catalogue, *, locale: str, source: str
) -> Wording:
    """Check one language's file and build its Wording."""
    language = raw.get("language")
    if language not in GRAMMARS:
        raise WordingError(f"{source}: language must be one of {sorted(GRAMMARS)}")
    lines = _flat_lines(raw, source, partial=False)
    exercises, variants = _content(raw, source, catalogue)
    content = _table(raw, "content", source)
    for name in keys.CONTENT_FIELDS:
        _check(_texts(content.get(name), f"{source}: content.{name}"), (), f"{source}: {name}")
    forms = _table(raw, "forms", source)
    genders = GENDERED.get(language)
    for name in keys.FORMS:
        row = forms.get(name)
        size = 3 if genders else 2
        if not (
            isinstance(row, list) and len(row) == size and all(isinstance(p, str) for p in row)
        ) or (genders and row[2] not in genders):
            needs = f" and a gender ({', '.join(genders)})" if genders else ""
            raise WordingError(f"{source}: forms.{name} needs a singular and a plural{needs}")
    grammar_raw = _table(raw, "grammar", source)
    if not all(isinstance(grammar_raw.get(name), str) for name in keys.GRAMMAR_FIELDS):
        raise WordingError(f"{source}: [grammar] needs {', '.join(keys.GRAMMAR_FIELDS)}")
    sides = _table(raw, "sides", source)
    if set(sides) != set(keys.SIDES):
        raise WordingError(f"{source}: [sides] needs exactly {', '.join(keys.SIDES)}")
    grammar = GRAMMARS[language].from_tables(
        {name: tuple(forms[name]) for name in keys.FORMS},
        {name: grammar_raw[name] for name in keys.GRAMMAR_FIELDS},
    )
    return Wording(
        locale=locale,
        lines=lines,
        exercises=exercises,
        variants=variants,
        sides={name: str(sides[name]) for name in keys.SIDES},
        overview=_texts(content["overview"], "overview"),
        safety_reminder=" ".join(_texts(content["safety_reminder"], "safety_reminder")),
        safety_advice=_texts(content["safety_advice"], "safety_advice"),
        weekdays=lines["days.weekdays"],
        grammar=grammar,
        clock=_clock(raw, source),
    )


def overridden(base: Wording, override: Mapping[str, Any], *, locale: str, source: str) -> Wording:
    """A locale's wording: its language's, with the lines and content the locale overrides.

    Only what the override file holds is checked again; the rest was checked with its
    language.
    """
    unknown = sorted(set(override) & (CONTENT_TABLES - {"content"}))
    if unknown:
        raise WordingError(f"{source}: [{unknown[0]}] cannot be overridden")
    lines = {**base.lines, **_flat_lines(override, source, partial=True)}
    content = _table(override, "content", source) if "content" in override else {}
    unknown = sorted(set(content) - set(keys.CONTENT_FIELDS))
    if unknown:
        raise WordingError(f"{source}: unknown key content.{unknown[0]}")
    texts = {name: _texts(value, f"{source}: content.{name}") for name, value in content.items()}
    for name, lines_of in texts.items():
        _check(lines_of, (), f"{source}: content.{name}")
    return replace(
        base,
        locale=locale,
        lines=lines,
        overview=texts.get("overview", base.overview),
        safety_reminder=" ".join(texts["safety_reminder"])
        if "safety_reminder" in texts
        else base.safety_reminder,
        safety_advice=texts.get("safety_advice", base.safety_advice),
        weekdays=lines["days.weekdays"],
    )


def _read(path: Path) -> dict:
    try:
        return read_toml(path)
    except ValueError as error:  # tomllib.TOMLDecodeError, whose import costs start-up
        raise WordingError(f"{path.name}: not valid TOML: {error}") from error


def load_wordings(
    directory: Path = WORDING_DIR,
    catalogue: Catalogue | None = None,
    *,
    languages: Iterable[str] | None = None,
) -> dict:
    """Every language and locale override in `directory`, checked: {locale or language: Wording}.

    With `languages`, only those languages and their locales' overrides (none for a language
    without a file).
    """
    catalogue = catalogue or default_catalogue()
    files = {path.stem: path for path in sorted(directory.glob("*.toml"))}
    wanted = {name.split("-")[0] for name in files} if languages is None else set(languages)
    files = {name: path for name, path in files.items() if name.split("-")[0] in wanted}
    languages_raw = {name: _read(path) for name, path in files.items() if "-" not in name}
    if DEFAULT_LANGUAGE not in languages_raw and (languages is None or DEFAULT_LANGUAGE in wanted):
        raise WordingError(f"no {DEFAULT_LANGUAGE}.toml in {directory}")
    wordings = {
        name: parse_wording(raw, catalogue, locale=name, source=files[name].name)
        for name, raw in languages_raw.items()
    }
    for name, path in files.items():
        if "-" not in name:
            continue
        language = name.split("-")[0]
        if language not in languages_raw:
            raise WordingError(f"{path.name}: no {language}.toml to override")
        wordings[name] = overridden(wordings[language], _read(path), locale=name, source=path.name)
    return wordings


@cache
def all_wordings() -> dict[str, Wording]:
    return load_wordings()


@cache
def _language_wordings(language: str) -> dict[str, Wording]:
    return load_wordings(languages=(language,))


def _wordings_with(language: str) -> dict[str, Wording]:
    """Wordings that hold `language`'s, if it has any: all of them once they are loaded
    (start-up loads them when it checks the files itself), else the language's own."""
    if all_wordings.cache_info().currsize:
        return all_wordings()
    return _language_wordings(language)


def wording_for(locale: str | None) -> Wording:
    """The wording for a request's locale: the locale's own, its language's, or English."""
    locale = locale or DEFAULT_LANGUAGE
    language = locale.split("-")[0]
    wordings = _wordings_with(language)
    return (
        wordings.get(locale)
        or wordings.get(language)
        or _wordings_with(DEFAULT_LANGUAGE)[DEFAULT_LANGUAGE]
    )


def check_wordings() -> None:
    """Start-up's check of every wording file: a broken one stops the skill here, not
    mid-conversation. When every file (and the catalogue their content must match) is the
    one the artifact's build checked, as its record says, nothing is checked again."""
    if not _as_the_build_checked(WORDING_DIR):
        all_wordings()


def write_checked_record(directory: Path = WORDING_DIR) -> Path:
    """For the artifact's build (scripts/package.py): check every wording file in
    `directory`, then record the digest of each, and of the catalogue, in its cache folder.
    Raises WordingError, and records nothing, when a file is broken."""
    load_wordings(directory)
    record = directory / CACHE_FOLDER / CHECKED_RECORD
    record.parent.mkdir(exist_ok=True)
    record.write_text(json.dumps(_digests(directory), sort_keys=True), encoding="utf-8")
    return record


def _as_the_build_checked(directory: Path) -> bool:
    try:
        recorded = json.loads((directory / CACHE_FOLDER / CHECKED_RECORD).read_bytes())
    except (OSError, ValueError):
        return False
    return recorded == _digests(directory)


def _digests(directory: Path) -> dict[str, str]:
    """The SHA-256 of every file the checks read: the wording files and the catalogue."""
    paths = [*sorted(directory.glob("*.toml")), CATALOGUE_FILE]
    return {f"{path.parent.name}/{path.name}": _sha256(path) for path in paths}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
