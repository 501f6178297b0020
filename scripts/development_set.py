"""The development set: natural phrasings, each labelled with the intent and slot ids it means.

`tests/nlu/held.tsv` was written first, from the user's side only, and is never used to choose
samples: it measures whether the model generalises. `tests/nlu/tuning.tsv` may guide which
phrasings the model covers. Each line is an utterance in speech recognition's form, its
expected intent, its slot ids (`exercise=bridge`, `;` between, `-` for none) and who might
say it.

`tests/nlu/out_of_domain.tsv` holds 40 things people say to a speaker that this skill does
not do: each must reach AMAZON.FallbackIntent. It is written with the held part and, like
it, never chooses samples.

An utterance is understood when the resolver gives its intent and exactly its slot ids. Two
resolvers are measured: the statistical one (local.utterances, as the console hears: a
classifier trained on the model's samples, as Alexa's NLU is), which must understand 95% of
the held part and send 90% of the out-of-domain part to the fallback; and the strict one
(``strict=True``: samples as written, slot values and synonyms, nothing else), reported to
show how much the classifier adds. The same set is exported as ASK NLU Evaluation annotation
sets for the deployed model (see docs/interaction-model.md).

    .venv/bin/python -m scripts.development_set                      # shares understood
    .venv/bin/python -m scripts.development_set --misses             # tuning misses only
    .venv/bin/python -m scripts.development_set --write-annotations  # the annotation sets
    .venv/bin/python -m scripts.development_set --locale es-MX [--misses]  # another language

Spanish and German keep the same three parts in tests/nlu/es and tests/nlu/de, measured
against each of their locales' models (tests/tooling/test_nlu_languages.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.utterances import (
    EN_US_MODEL_FILE,
    InteractionModel,
    Resolution,
    model_file_of,
    spoken_words,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SET_DIR = REPO_ROOT / "tests" / "nlu"
PARTS = ("held", "tuning")
OUT_OF_DOMAIN = "out_of_domain"
COLUMNS = ("utterance", "intent", "slots", "speaker")
# Shares the statistical resolver must reach: of the held (and tuning) part understood, and
# of the out-of-domain part sent to the fallback.
REQUIRED_SHARE = 0.95
REQUIRED_FALLBACK_SHARE = 0.90


class DevelopmentSetError(ValueError):
    """A line of the development set that cannot be read or exported as written."""


@dataclass(frozen=True)
class LabelledUtterance:
    utterance: str
    intent: str
    slot_ids: Mapping[str, str]
    speaker: str
    where: str


def part_file(part: str, language: str | None = None) -> Path:
    """A part of the development set: English's in tests/nlu, another language's in
    tests/nlu/<language>."""
    directory = DEVELOPMENT_SET_DIR / language if language else DEVELOPMENT_SET_DIR
    return directory / f"{part}.tsv"


def annotations_file(part: str) -> Path:
    return DEVELOPMENT_SET_DIR / f"{part}.annotations.json"


def load_part(part: str, language: str | None = None) -> list[LabelledUtterance]:
    path = part_file(part, language)
    rows = [
        (number, line)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line and not line.startswith("#")
    ]
    if not rows or tuple(rows[0][1].split("\t")) != COLUMNS:
        raise DevelopmentSetError(f"{path.name} must start with the header {COLUMNS}")
    return [_labelled(line, f"{path.name}:{number}") for number, line in rows[1:]]


def _labelled(line: str, where: str) -> LabelledUtterance:
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise DevelopmentSetError(f"{where}: expected {len(COLUMNS)} tab-separated fields")
    utterance, intent, slots, speaker = fields
    if utterance != " ".join(utterance.split()) or utterance != utterance.lower():
        raise DevelopmentSetError(f"{where}: {utterance!r} is not in speech recognition's form")
    slot_ids = {}
    if slots != "-":
        for pair in slots.split(";"):
            name, _, value_id = pair.partition("=")
            if not name or not value_id:
                raise DevelopmentSetError(f"{where}: slot {pair!r} is not name=id")
            slot_ids[name] = value_id
    return LabelledUtterance(utterance, intent, slot_ids, speaker, where)


def resolved_slot_ids(resolution: Resolution) -> dict[str, str]:
    return {fill.name: fill.value.value_id for fill in resolution.slots if fill.value}


def is_understood(model: InteractionModel, item: LabelledUtterance) -> bool:
    resolution = model.resolve(item.utterance)
    return resolution.intent_name == item.intent and resolved_slot_ids(resolution) == dict(
        item.slot_ids
    )


def share_understood(model: InteractionModel, items: Sequence[LabelledUtterance]) -> float:
    return sum(is_understood(model, item) for item in items) / len(items)


def strict_model(path: Path = EN_US_MODEL_FILE) -> InteractionModel:
    return InteractionModel.from_file(path, strict=True)


def statistical_model(path: Path = EN_US_MODEL_FILE) -> InteractionModel:
    return InteractionModel.from_file(path)


# -- the ASK NLU Evaluation annotation set ----------------------------------------------------


def annotation_set(
    items: Iterable[LabelledUtterance], language_model: Mapping[str, Any]
) -> dict[str, Any]:
    """The body of SMAPI's "update annotations" request (Content-Type application/json).

    Each annotation gives the utterance and the intent with the slot values expected, the
    value being the words that fill the slot (entity resolution then maps them to the id the
    development set labels).
    """
    return {"data": [_annotation(item, language_model) for item in items]}


def _annotation(item: LabelledUtterance, language_model: Mapping[str, Any]) -> dict[str, Any]:
    intent: dict[str, Any] = {"name": item.intent}
    if item.slot_ids:
        intent["slots"] = {
            name: {"value": _spoken_value(item, name, value_id, language_model)}
            for name, value_id in item.slot_ids.items()
        }
    return {"inputs": {"utterance": item.utterance}, "expected": [{"intent": intent}]}


def _spoken_value(
    item: LabelledUtterance, slot_name: str, value_id: str, language_model: Mapping[str, Any]
) -> str:
    """The longest value or synonym of ``value_id`` that the utterance says."""
    intent = next((i for i in language_model["intents"] if i["name"] == item.intent), None)
    slot_type = next(
        (s["type"] for s in (intent or {}).get("slots", []) if s["name"] == slot_name), None
    )
    values = next((t["values"] for t in language_model["types"] if t["name"] == slot_type), [])
    forms = [
        form
        for value in values
        if value["id"] == value_id
        for form in (value["name"]["value"], *value["name"].get("synonyms", []))
    ]
    said = f" {' '.join(spoken_words(item.utterance))} "
    spoken = [form for form in forms if f" {' '.join(spoken_words(form))} " in said]
    if not spoken:
        raise DevelopmentSetError(
            f"{item.where}: {item.intent} has no slot {slot_name!r} whose words for "
            f"{value_id!r} appear in {item.utterance!r}"
        )
    return max(spoken, key=len)


def rendered_annotations(part: str, language_model: Mapping[str, Any]) -> str:
    document = annotation_set(load_part(part), language_model)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def language_of(locale: str) -> str | None:
    """The directory of a locale's development set: None (tests/nlu) for English."""
    language = locale.split("-", maxsplit=1)[0]
    return None if language == "en" else language


def main(argv: Sequence[str]) -> int:
    usage = (
        "usage: python -m scripts.development_set [--locale LOCALE] [--misses|--write-annotations]"
    )
    arguments = list(argv)
    locale = "en-US"
    if arguments[:1] == ["--locale"] and len(arguments) >= 2:
        locale, arguments = arguments[1], arguments[2:]
        if not model_file_of(locale).exists():
            print(f"no model for {locale}\n{usage}", file=sys.stderr)
            return 2
    if arguments not in ([], ["--misses"], ["--write-annotations"]) or (
        arguments == ["--write-annotations"] and locale != "en-US"
    ):
        print(usage, file=sys.stderr)
        return 2
    if arguments == ["--write-annotations"]:
        language_model = json.loads(EN_US_MODEL_FILE.read_text(encoding="utf-8"))
        for part in PARTS:
            text = rendered_annotations(part, language_model["interactionModel"]["languageModel"])
            annotations_file(part).write_text(text, encoding="utf-8")
            print(f"wrote {annotations_file(part).relative_to(REPO_ROOT)}")
        return 0
    language = language_of(locale)
    path = model_file_of(locale)
    strict, statistical = strict_model(path), statistical_model(path)
    for part in (*PARTS, OUT_OF_DOMAIN):
        items = load_part(part, language)
        print(
            f"{part}: {share_understood(statistical, items):.1%} of {len(items)} understood "
            f"statistically, {share_understood(strict, items):.1%} strictly ({locale})"
        )
    if arguments == ["--misses"]:
        # Only the tuning part: the held part must not steer which samples the model gets.
        for item in load_part("tuning", language):
            if not is_understood(statistical, item):
                print(f"  {item.utterance!r}: {statistical.resolve(item.utterance).describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
