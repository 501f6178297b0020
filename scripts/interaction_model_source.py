"""The interaction model's sources, and their expansion into the skill package's locale files.

`interaction_model/source/<language>.toml` is the one place a language's model is written
(en.toml, es.toml, de.toml); each source lists the locales it serves, and the skill package
gets one file for each. Each intent lists carrier phrases in a small grammar, expanded here
into the sample utterances Alexa reads:

    (a|b|c)     one of the alternatives
    [a|b]       optional: one of the alternatives, or nothing
    <piece>     a named phrase from the source's [pieces] table (fillers, politeness, ...)
    {slot}      a slot of the intent, kept as written in the sample

so `<lead> how (do|should) i do [the|a] {exercise} <tail>` stands for every filler, verb,
article and ending at once. Slot types list values with the ids the handlers read, and
synonyms. A locale may add samples and synonyms of its own (`[locales."en-GB"]`).

A source names its language's `alphabet`, the lowercase letters its samples may use
("ä", "ö", "ü", "ß" in German; "á", "é", "í", "ó", "ú", "ü", "ñ" in Spanish); English uses
a to z. Expanding refuses a model Alexa would reject or misroute: a word that is not in
speech recognition's form (the alphabet's letters, apostrophes, initials written "s."; no
punctuation such as "¿" or "¡"), a slot an intent does not declare, one sample in two
intents, and an EXERCISE id that is not the catalogue's. The sources must agree on which
language serves which locale: a locale belongs to one source, of its own language.

    .venv/bin/python -m scripts.interaction_model_source           # write every locale
    .venv/bin/python -m scripts.interaction_model_source --check   # exit 1 if they drifted
"""

from __future__ import annotations

import heapq
import json
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from scripts.interaction_model_limits import MODEL_CHARACTERS_BUDGET, SAMPLES_PER_INTENT_BUDGET

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = REPO_ROOT / "interaction_model" / "source"
SOURCE_FILE = SOURCE_DIR / "en.toml"
MODELS_DIR = REPO_ROOT / "interaction_model" / "interactionModels" / "custom"
CATALOGUE_FILE = REPO_ROOT / "lambda" / "si_coach" / "routine" / "catalogue.toml"

# The slot type whose ids must be the catalogue's exercise and variant ids.
EXERCISE_SLOT_TYPE = "EXERCISE"
# A carrier phrase that expands past this is a typo in the grammar, not a wish.
MAX_SAMPLES_PER_CARRIER = 5000

# The letters of a source that names no alphabet: English's.
DEFAULT_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def spoken_word(alphabet: str = DEFAULT_ALPHABET) -> re.Pattern[str]:
    """A word in speech recognition's form, in an alphabet: letters, one apostrophe part
    ("let's"), or an initial ("s.")."""
    letters = "[" + "".join(sorted(set(alphabet))) + "]"
    return re.compile(rf"{letters}+(?:'{letters}+)?|{letters}\.")


SPOKEN_WORD = spoken_word()
_TOKEN = re.compile(r"\(|\)|\[|\]|\||<[a-z_]+>|\{[A-Za-z_]+\}|[^\s()\[\]|<>{}]+")


class ModelSourceError(ValueError):
    """The source cannot be expanded into a model Alexa would accept and route as meant."""


# -- the carrier grammar ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    options: tuple[tuple[Any, ...], ...]
    optional: bool


@dataclass(frozen=True)
class _PieceRef:
    name: str


class CarrierGrammar:
    """Expands carrier phrases, with the named pieces they may refer to."""

    def __init__(self, pieces: Mapping[str, str]) -> None:
        self._pieces = dict(pieces)
        self._expanding: set[str] = set()
        self._piece_cache: dict[str, tuple[tuple[str, ...], ...]] = {}

    def expand(self, carrier: str) -> list[str]:
        """Every sample one carrier phrase stands for, in order, without repeats."""
        sequence = self._parse(carrier)
        expansions = self._expand_sequence(sequence, carrier)
        samples = []
        for words in expansions:
            if not words:
                raise ModelSourceError(f"carrier {carrier!r} can expand to nothing at all")
            samples.append(" ".join(words))
        return list(dict.fromkeys(samples))

    def _parse(self, text: str) -> tuple[Any, ...]:
        tokens = _TOKEN.findall(text)
        sequence, end = self._parse_sequence(tokens, 0, text)
        if end != len(tokens):
            raise ModelSourceError(f"unbalanced {tokens[end]!r} in carrier {text!r}")
        return sequence

    def _parse_sequence(self, tokens: list[str], start: int, text: str) -> tuple[tuple, int]:
        items: list[Any] = []
        index = start
        while index < len(tokens):
            token = tokens[index]
            if token in ")]|":
                break
            if token in "([":
                closing = ")" if token == "(" else "]"
                options = []
                index += 1
                while True:
                    option, index = self._parse_sequence(tokens, index, text)
                    options.append(option)
                    if index >= len(tokens):
                        raise ModelSourceError(f"{token!r} is never closed in {text!r}")
                    if tokens[index] == "|":
                        index += 1
                        continue
                    if tokens[index] != closing:
                        raise ModelSourceError(f"{token!r} closed by {tokens[index]!r} in {text!r}")
                    index += 1
                    break
                items.append(_Choice(tuple(options), optional=token == "["))
                continue
            if token.startswith("<"):
                items.append(_PieceRef(token[1:-1]))
            else:
                items.append(token)
            index += 1
        return tuple(items), index

    def _expand_sequence(self, sequence: tuple[Any, ...], where: str) -> list[tuple[str, ...]]:
        results: list[tuple[str, ...]] = [()]
        for item in sequence:
            parts = self._expand_item(item, where)
            results = [done + part for done in results for part in parts]
            if len(results) > MAX_SAMPLES_PER_CARRIER:
                raise ModelSourceError(
                    f"carrier {where!r} expands to more than {MAX_SAMPLES_PER_CARRIER} samples"
                )
        return results

    def _expand_item(self, item: Any, where: str) -> Sequence[tuple[str, ...]]:
        if isinstance(item, str):
            return [(item,)]
        if isinstance(item, _PieceRef):
            return self._expand_piece(item.name, where)
        options = [
            words for option in item.options for words in self._expand_sequence(option, where)
        ]
        if item.optional:
            options.insert(0, ())
        return list(dict.fromkeys(options))

    def _expand_piece(self, name: str, where: str) -> tuple[tuple[str, ...], ...]:
        if name not in self._pieces:
            raise ModelSourceError(f"carrier {where!r} uses <{name}>, which no piece defines")
        if name in self._expanding:
            raise ModelSourceError(f"piece <{name}> refers to itself")
        if name not in self._piece_cache:
            self._expanding.add(name)
            try:
                sequence = self._parse(self._pieces[name])
                self._piece_cache[name] = tuple(self._expand_sequence(sequence, f"<{name}>"))
            finally:
                self._expanding.discard(name)
        return self._piece_cache[name]


# -- the source and the model it expands into ------------------------------------------------


def load_source(path: Path = SOURCE_FILE) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_sources(directory: Path = SOURCE_DIR) -> dict[str, dict[str, Any]]:
    """Every language's source, {language: source}, with the locales each one serves
    checked: a locale of the source's own language, and in no other source."""
    sources = {path.stem: load_source(path) for path in sorted(directory.glob("*.toml"))}
    owner: dict[str, str] = {}
    for language, source in sources.items():
        if source.get("language", language) != language:
            raise ModelSourceError(f"{language}.toml says language {source['language']!r}")
        for locale in source.get("locales", []):
            if locale.split("-")[0] != language:
                raise ModelSourceError(f"{language}.toml lists {locale}, not a {language} locale")
            if locale in owner:
                raise ModelSourceError(f"{locale} is in {owner[locale]}.toml and {language}.toml")
            owner[locale] = language
    return sources


def source_alphabet(source: Mapping[str, Any]) -> str:
    """The lowercase letters a source's samples may use."""
    alphabet = source.get("alphabet", DEFAULT_ALPHABET)
    if not (
        isinstance(alphabet, str)
        and alphabet
        and all(letter.isalpha() and letter.islower() for letter in alphabet)
    ):
        raise ModelSourceError(f"the alphabet {alphabet!r} must be lowercase letters only")
    return alphabet


def catalogue_exercise_ids(path: Path = CATALOGUE_FILE) -> frozenset[str]:
    """Every exercise and variant id in the catalogue: what the EXERCISE slot may resolve to."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    ids = set()
    for exercise in raw.get("exercises", []):
        ids.add(exercise["id"])
        ids.update(variant["id"] for variant in exercise.get("variants", []))
    return frozenset(ids)


def normalised(sample: str) -> str:
    return " ".join(sample.lower().split())


def build_language_model(source: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """The `languageModel` object for one locale, checked as the module docstring says."""
    if locale not in source["locales"]:
        raise ModelSourceError(f"the source does not list locale {locale!r}")
    additions = source.get("locale", {}).get(locale, {})
    grammar = CarrierGrammar(source.get("pieces", {}))
    spoken = spoken_word(source_alphabet(source))
    per_intent = source.get("samples_per_intent", SAMPLES_PER_INTENT_BUDGET)
    if per_intent > SAMPLES_PER_INTENT_BUDGET:
        raise ModelSourceError(
            f"samples_per_intent {per_intent} is over the budget of {SAMPLES_PER_INTENT_BUDGET}"
        )
    intents = []
    owner_of_sample: dict[str, str] = {}
    collisions = []
    for name, intent in source["intents"].items():
        slots = intent.get("slots", {})
        shared = [grammar.expand(carrier) for carrier in intent.get("samples", [])]
        added = [grammar.expand(c) for c in additions.get("intents", {}).get(name, [])]
        # The locale's own phrasings come on top of the shared choice, so a locale only adds.
        samples = list(
            dict.fromkeys([*choose_samples(shared, per_intent), *(s for e in added for s in e)])
        )
        if len(samples) > SAMPLES_PER_INTENT_BUDGET:
            raise ModelSourceError(
                f"{name} has {len(samples)} samples in {locale}, "
                f"over the budget of {SAMPLES_PER_INTENT_BUDGET}"
            )
        _check_samples(name, samples, slots, spoken)
        for sample in samples:
            owner = owner_of_sample.setdefault(normalised(sample), name)
            if owner != name:
                collisions.append(f"{sample!r} in {owner} and {name}")
        entry: dict[str, Any] = {"name": name}
        if slots:
            entry["slots"] = [{"name": slot, "type": type_} for slot, type_ in slots.items()]
        entry["samples"] = samples
        intents.append(entry)
    if collisions:
        raise ModelSourceError("samples in two intents: " + "; ".join(collisions))
    types = [
        _slot_type(type_name, values, additions.get("synonyms", {}).get(type_name, {}), spoken)
        for type_name, values in source["types"].items()
    ]
    _check_exercise_ids(types)
    return {"invocationName": source["invocation"], "intents": intents, "types": types}


def build_document(source: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """One locale's file, refused when its minified JSON is over the model's character budget."""
    document = {"interactionModel": {"languageModel": build_language_model(source, locale)}}
    size = minified_characters(document)
    if size > MODEL_CHARACTERS_BUDGET:
        raise ModelSourceError(
            f"the {locale} model is {size} characters minified, "
            f"over the budget of {MODEL_CHARACTERS_BUDGET}"
        )
    return document


# -- choosing samples within the budget ------------------------------------------------------


def sample_features(sample: str) -> frozenset[str]:
    """What a sample adds to a model's wording: its words, its word pairs, and how it starts
    and ends (its first and last two words with the edge)."""
    words = ["<s>", *sample.split(), "</s>"]
    pairs = {f"{a} {b}" for a, b in pairwise(words)}
    edges = {" ".join(words[:3]), " ".join(words[-3:])}
    return frozenset(words[1:-1]) | pairs | edges


def choose_samples(expansions: Sequence[Sequence[str]], count: int) -> list[str]:
    """At most ``count`` samples from each carrier's expansions, chosen for variety.

    Every carrier is a way of saying the request, so each keeps its plainest sample (its
    first expansion: the options left out). Then, round by round, each carrier offers the
    sample that brings the most words, word pairs and ways to start or end that the choice
    does not have yet, and the best offers are taken. A sample that brings nothing new (one
    more filler before a phrase whose every word and pair is already chosen) is left out,
    so a model can end below ``count``. Samples keep the order the source gives them: a
    regenerated file diffs only where it moved.
    """
    return list(_choose(tuple(tuple(samples) for samples in expansions), count))


@cache
def _choose(expansions: tuple[tuple[str, ...], ...], count: int) -> tuple[str, ...]:
    position: dict[str, int] = {}
    for samples in expansions:
        for sample in samples:
            position.setdefault(sample, len(position))
    if len(position) <= count:
        return tuple(position)
    features = {sample: sample_features(sample) for sample in position}
    having: dict[str, list[str]] = {}
    for sample, its_features in features.items():
        for feature in its_features:
            having.setdefault(feature, []).append(sample)
    gain = {sample: len(its_features) for sample, its_features in features.items()}
    chosen: set[str] = set()
    covered: set[str] = set()

    def take(sample: str) -> None:
        chosen.add(sample)
        for feature in features[sample] - covered:
            covered.add(feature)
            for other in having[feature]:
                gain[other] -= 1

    for samples in expansions:
        if samples and len(chosen) < count and samples[0] not in chosen:
            take(samples[0])
    # One heap of offers per carrier. A gain only falls as the choice grows, so an offer
    # whose stored gain is still its gain is that carrier's best.
    heaps = [
        [(-gain[s], position[s], s) for s in samples if s not in chosen] for samples in expansions
    ]
    for heap in heaps:
        heapq.heapify(heap)

    def offer(heap: list[tuple[int, int, str]]) -> tuple[int, int, str] | None:
        while heap:
            stored, where, sample = heap[0]
            if sample in chosen:
                heapq.heappop(heap)
            elif -stored != gain[sample]:
                heapq.heapreplace(heap, (-gain[sample], where, sample))
            else:
                return heap[0] if gain[sample] else None
        return None

    while len(chosen) < count:
        offers = sorted(found for heap in heaps if (found := offer(heap)) is not None)
        if not offers:
            break
        for _, _, sample in offers:
            if len(chosen) < count and gain[sample] > 0:
                take(sample)
    return tuple(sample for sample in position if sample in chosen)


def minified_characters(document: Mapping[str, Any]) -> int:
    """The model's size as SMAPI's limit counts it: JSON without whitespace, in characters."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def render(document: Mapping[str, Any]) -> str:
    """The locale file's text: stable, so a regenerated file diffs only where the model moved.

    One sample a line, indented by one space a level: two spaces would spend a tenth of
    Alexa's 1.5 MB on indentation.
    """
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def model_file(locale: str) -> Path:
    return MODELS_DIR / f"{locale}.json"


def expected_files(source: Mapping[str, Any] | None = None) -> dict[Path, str]:
    """Each locale file and the text its source expands to: every source's, or one's."""
    sources = [source] if source is not None else list(load_sources().values())
    return {
        model_file(locale): render(build_document(one, locale))
        for one in sources
        for locale in one["locales"]
    }


def _check_samples(
    intent: str,
    samples: Iterable[str],
    slots: Mapping[str, str],
    spoken: re.Pattern[str] = SPOKEN_WORD,
) -> None:
    for sample in samples:
        for word in sample.split():
            if word.startswith("{"):
                if word[1:-1] not in slots:
                    raise ModelSourceError(f"{intent} sample {sample!r}: no slot {word}")
            elif not spoken.fullmatch(word):
                raise ModelSourceError(
                    f"{intent} sample {sample!r}: {word!r} is not in speech recognition's form"
                )


def _slot_type(
    name: str,
    values: Sequence[Mapping[str, Any]],
    added: Mapping[str, Sequence[str]],
    spoken: re.Pattern[str] = SPOKEN_WORD,
) -> dict[str, Any]:
    unknown = set(added) - {value["id"] for value in values}
    if unknown:
        raise ModelSourceError(f"locale synonyms for unknown {name} ids {sorted(unknown)}")
    rendered = []
    for value in values:
        synonyms = list(dict.fromkeys([*value.get("synonyms", []), *added.get(value["id"], [])]))
        for form in (value["name"], *synonyms):
            if not all(spoken.fullmatch(word) for word in form.split()):
                raise ModelSourceError(f"{name} {value['id']}: {form!r} is not speech")
        rendered.append({"id": value["id"], "name": {"value": value["name"], "synonyms": synonyms}})
    return {"name": name, "values": rendered}


def _check_exercise_ids(types: Sequence[Mapping[str, Any]]) -> None:
    exercise_type = next((t for t in types if t["name"] == EXERCISE_SLOT_TYPE), None)
    if exercise_type is None:
        raise ModelSourceError(f"the source has no {EXERCISE_SLOT_TYPE} slot type")
    model_ids = {value["id"] for value in exercise_type["values"]}
    catalogue_ids = _catalogue_ids()
    if model_ids != catalogue_ids:
        missing, unknown = sorted(catalogue_ids - model_ids), sorted(model_ids - catalogue_ids)
        raise ModelSourceError(
            f"{EXERCISE_SLOT_TYPE} ids differ from the catalogue's: "
            f"missing {missing}, unknown {unknown}"
        )


@cache
def _catalogue_ids() -> frozenset[str]:
    return catalogue_exercise_ids()


def main(argv: Sequence[str]) -> int:
    if argv not in ([], ["--check"]):
        print("usage: python -m scripts.interaction_model_source [--check]", file=sys.stderr)
        return 2
    try:
        files = expected_files()
    except ModelSourceError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    drifted = [path for path, text in files.items() if _read(path) != text]
    for path, text in files.items():
        model = json.loads(text)["interactionModel"]["languageModel"]
        count = sum(len(intent["samples"]) for intent in model["intents"])
        state = "differs" if path in drifted else "up to date"
        if argv != ["--check"] and path in drifted:
            path.write_text(text, encoding="utf-8")
            state = "written"
        print(f"{path.relative_to(REPO_ROOT)}: {count} samples, {len(text)} bytes, {state}")
    return 1 if argv == ["--check"] and drifted else 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
