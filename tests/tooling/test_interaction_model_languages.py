"""The Spanish and German interaction models: generated from their own sources
(interaction_model/source/es.toml and de.toml) in each language's alphabet, within the model
budgets, with invocation names that keep Amazon's rules, slot values as Spanish and German
speakers say them, and the same intents, slots and slot ids as English."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scripts.interaction_model_rules import (
    LANGUAGE_LOCALES,
    SKILL_MANIFEST_FILE,
    SOURCE_LOCALE,
    built_in_intent_problems,
    disclaimer_problems,
    duplicate_sample_problems,
    example_phrase_problems,
    invocation_name_problems,
    language_model,
    load_json,
    locale_file,
    manifest_locale_problems,
    matching_intents,
    resolve_slot_value,
    sample_count_problems,
    sample_problems,
    slot_declaration_problems,
    slot_filled_collision_problems,
    slot_type_value_problems,
)
from scripts.interaction_model_source import (
    SOURCE_DIR,
    ModelSourceError,
    build_language_model,
    load_source,
    load_sources,
    minified_characters,
    model_file,
)

NEW_LOCALES = (*LANGUAGE_LOCALES["es"], *LANGUAGE_LOCALES["de"])
INVOCATION_NAMES = {"es": "entrenador sacroilíaco", "de": "i. s. g. trainer"}
# The model budgets: samples in one intent, and characters in one locale's model, minified.
MAX_SAMPLES_PER_INTENT = 300
MAX_MODEL_CHARACTERS = 250_000
# How speakers name things, and what Alexa must resolve it to.
SLOT_VALUES = {
    "es": [
        ("EXERCISE", "el puente", "bridge"),
        ("EXERCISE", "la almeja", "clamshell"),
        ("EXERCISE", "las dos rodillas al pecho", "knee_to_chest_both_legs"),
        ("EXERCISE", "isquios", "hamstring_wall_stretch"),
        ("SIDE", "la izquierda", "left"),
        ("PACE", "más despacio", "slower"),
        ("EQUIPMENT", "cojín", "pillow"),
    ],
    "de": [
        ("EXERCISE", "die brücke", "bridge"),
        ("EXERCISE", "die muschel", "clamshell"),
        ("EXERCISE", "beide knie zur brust", "knee_to_chest_both_legs"),
        ("EXERCISE", "scheibenwischer", "lower_trunk_rotation"),
        ("SIDE", "links", "left"),
        ("PACE", "langsamer", "slower"),
        ("EQUIPMENT", "gürtel", "belt"),
    ],
}
# A few everyday phrasings, and the one intent each must reach.
ROUTES = {
    "es": [
        ("empieza mi rutina", "StartRoutineIntent"),
        ("siguiente", "AMAZON.NextIntent"),
        ("cómo se hace el puente", "HowToIntent"),
        ("me duele la espalda", "PainIntent"),
        ("continuar", "AMAZON.ResumeIntent"),
        ("borra mis datos", "DeleteMyDataIntent"),
        ("recuérdame cada día", "SetReminderIntent"),
        ("cuéntame más", "TellMeMoreIntent"),
        ("gracias", "ThanksIntent"),
    ],
    "de": [
        ("starte mein programm", "StartRoutineIntent"),
        ("weiter", "AMAZON.NextIntent"),
        ("wie geht die brücke", "HowToIntent"),
        ("mein rücken tut weh", "PainIntent"),
        ("fortsetzen", "AMAZON.ResumeIntent"),
        ("lösche meine daten", "DeleteMyDataIntent"),
        ("erinnere mich jeden tag", "SetReminderIntent"),
        ("erzähl mir mehr", "TellMeMoreIntent"),
        ("danke", "ThanksIntent"),
    ],
}


def language(locale: str) -> str:
    return locale.split("-", maxsplit=1)[0]


@pytest.fixture(params=NEW_LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def model(locale: str) -> dict[str, Any]:
    return dict(language_model(locale_file(locale)))


def test_each_language_has_its_source_and_serves_its_locales() -> None:
    sources = load_sources()
    assert {"en", "es", "de"} <= set(sources)
    for name in ("es", "de"):
        assert tuple(sources[name]["locales"]) == LANGUAGE_LOCALES[name]
        assert all(model_file(locale).is_file() for locale in LANGUAGE_LOCALES[name])


def test_the_model_keeps_every_rule(model: dict[str, Any]) -> None:
    assert sample_problems(model) == []
    assert slot_declaration_problems(model) == []
    assert slot_type_value_problems(model) == []
    assert duplicate_sample_problems(model) == []
    assert slot_filled_collision_problems(model) == []
    assert sample_count_problems(model) == []
    assert built_in_intent_problems(model) == []


def test_the_model_is_within_the_budgets(locale: str, model: dict[str, Any]) -> None:
    for intent in model["intents"]:
        assert len(intent["samples"]) <= MAX_SAMPLES_PER_INTENT, intent["name"]
    # Counted as the budget is defined (scripts/interaction_model_limits.py): minified JSON.
    assert minified_characters(load_json(locale_file(locale))) <= MAX_MODEL_CHARACTERS


def test_the_same_intents_slots_and_ids_as_english(model: dict[str, Any]) -> None:
    english = language_model(locale_file(SOURCE_LOCALE))

    def shape(m) -> dict:
        return {i["name"]: i.get("slots", []) for i in m["intents"]}

    def ids(m) -> dict:
        return {t["name"]: {v["id"] for v in t["values"]} for t in m["types"]}

    assert shape(model) == shape(english)
    assert ids(model) == ids(english)


def test_the_invocation_name_keeps_amazons_rules(locale: str, model: dict[str, Any]) -> None:
    assert model["invocationName"] == INVOCATION_NAMES[language(locale)]
    assert invocation_name_problems(model["invocationName"], language(locale)) == []


@pytest.mark.parametrize(
    ("name", "language_code"),
    [
        ("entrenador", "es"),  # one word
        ("el entrenador", "es"),  # an article and one word
        ("abre entrenador sacroilíaco", "es"),  # a launch phrase
        ("Entrenador Sacroilíaco", "es"),  # capitals
        ("entrenador sacroilíaco¡", "es"),  # punctuation
        ("trainer", "de"),
        ("der trainer", "de"),
        ("öffne i. s. g. trainer", "de"),
        ("i.s.g. trainer", "de"),  # initials must be written "i. s. g."
        ("alexa trainer", "de"),  # a wake word
        ("isg trainer", "es"),  # fine in German, fine in Spanish too: a control
    ],
)
def test_the_invocation_rule_refuses_a_bad_name(name: str, language_code: str) -> None:
    problems = invocation_name_problems(name, language_code)
    assert (problems == []) is (name == "isg trainer"), problems


def test_slot_values_as_speakers_say_them(locale: str, model: dict[str, Any]) -> None:
    for slot_type, spoken, value_id in SLOT_VALUES[language(locale)]:
        assert resolve_slot_value(model, slot_type, spoken) == value_id, spoken


def test_everyday_phrasings_reach_their_intent(locale: str, model: dict[str, Any]) -> None:
    for utterance, intent in ROUTES[language(locale)]:
        assert matching_intents(model, utterance) == {intent}, utterance


def test_the_manifest_publishes_each_locale_with_its_disclaimer_and_examples() -> None:
    manifest = load_json(SKILL_MANIFEST_FILE)
    assert manifest_locale_problems(manifest, NEW_LOCALES) == []
    assert disclaimer_problems(manifest) == []
    for locale in NEW_LOCALES:
        model = language_model(locale_file(locale))
        assert example_phrase_problems(manifest, model, [locale]) == []


def test_a_manifest_in_english_for_a_spanish_locale_is_refused() -> None:
    manifest = load_json(SKILL_MANIFEST_FILE)
    bad = copy.deepcopy(manifest)
    locales = bad["manifest"]["publishingInformation"]["locales"]
    locales["es-MX"] = copy.deepcopy(locales["en-US"])
    assert manifest_locale_problems(bad, NEW_LOCALES) != []
    assert disclaimer_problems(bad) != []
    model = language_model(locale_file("es-MX"))
    assert example_phrase_problems(bad, model, ["es-MX"]) != []


# -- the generator: alphabets and locales ---------------------------------------------------


def test_spanish_and_german_letters_are_speech_but_punctuation_is_not() -> None:
    spanish = load_source(SOURCE_DIR / "es.toml")
    model = build_language_model(spanish, "es-ES")
    words = {w for i in model["intents"] for s in i["samples"] for w in s.split()}
    assert {"qué", "cómo", "mañana"} <= words
    for mark in ("¿", "¡"):
        broken = copy.deepcopy(spanish)
        broken["intents"]["OverviewIntent"]["samples"].append(f"{mark}qué es el sacro")
        with pytest.raises(ModelSourceError, match="not in speech recognition's form"):
            build_language_model(broken, "es-ES")
    german = load_source(SOURCE_DIR / "de.toml")
    assert "wanddehnung" in str(build_language_model(german, "de-DE")["types"])
    english_letters = copy.deepcopy(german)
    del english_letters["alphabet"]
    with pytest.raises(ModelSourceError, match="not in speech recognition's form"):
        build_language_model(english_letters, "de-DE")


def test_a_bad_alphabet_is_refused() -> None:
    spanish = load_source(SOURCE_DIR / "es.toml")
    spanish["alphabet"] = "ABC"
    with pytest.raises(ModelSourceError, match="lowercase letters only"):
        build_language_model(spanish, "es-ES")


def test_a_locale_must_belong_to_one_source_of_its_language(tmp_path: Path) -> None:
    for name in ("en", "es", "de"):
        (tmp_path / f"{name}.toml").write_text(
            (SOURCE_DIR / f"{name}.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    assert set(load_sources(tmp_path)) == {"en", "es", "de"}
    german = tmp_path / "de.toml"
    text = german.read_text(encoding="utf-8")
    german.write_text(text.replace('locales = ["de-DE"]', 'locales = ["de-DE", "es-ES"]'))
    with pytest.raises(ModelSourceError, match=r"de\.toml lists es-ES, not a de locale"):
        load_sources(tmp_path)
    german.write_text(text.replace('language = "de"', 'language = "es"'))
    with pytest.raises(ModelSourceError, match=r"de\.toml says language 'es'"):
        load_sources(tmp_path)
