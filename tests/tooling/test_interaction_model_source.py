"""The interaction model's source: its expansion into the five locales, Alexa's limits, the
one list of exercise synonyms, and the kinds of variation in how people ask."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

import scripts.interaction_model_source as generator
from local.utterances import InteractionModel
from scripts.development_set import resolved_slot_ids
from scripts.interaction_model_limits import (
    INTENTS_AND_SLOT_TYPES_MAX,
    INTENTS_MAX,
    MODEL_BYTES_MAX,
    MODEL_CHARACTERS_BUDGET,
    SAMPLE_CHARACTERS_BUDGET,
    SAMPLES_PER_INTENT_BUDGET,
    SLOT_VALUE_CHARACTERS_MAX,
    SLOT_VALUES_MAX,
    language_model_limit_problems,
    limit_problems,
)
from scripts.interaction_model_source import (
    CATALOGUE_FILE,
    MAX_SAMPLES_PER_CARRIER,
    CarrierGrammar,
    ModelSourceError,
    build_document,
    build_language_model,
    choose_samples,
    load_source,
    minified_characters,
    model_file,
    render,
)
from si_coach.routine.catalogue import default_catalogue

SOURCE = load_source()
LOCALES = tuple(SOURCE["locales"])
STRICT_EN_US = InteractionModel.from_file(model_file("en-US"), strict=True)
HEARD_EN_US = InteractionModel.from_file(model_file("en-US"))


class TestCommittedModels:
    @pytest.mark.parametrize("locale", LOCALES)
    def test_locale_file_is_the_source_expanded(self, locale: str) -> None:
        expected = render(build_document(SOURCE, locale))
        committed = model_file(locale).read_text(encoding="utf-8")
        assert committed == expected, (
            f"{model_file(locale).name} is not what interaction_model/source/en.toml expands to; "
            "run .venv/bin/python -m scripts.interaction_model_source"
        )

    @pytest.mark.parametrize("locale", LOCALES)
    def test_locale_stays_within_alexa_limits_and_the_budgets(self, locale: str) -> None:
        assert limit_problems(model_file(locale).read_text(encoding="utf-8")) == []

    @pytest.mark.parametrize("locale", LOCALES)
    def test_locale_is_within_the_character_and_sample_budgets(
        self, locale: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        document = json.loads(model_file(locale).read_text(encoding="utf-8"))
        intents = document["interactionModel"]["languageModel"]["intents"]
        size, most = minified_characters(document), max(len(i["samples"]) for i in intents)
        with capsys.disabled():
            print(f"\n  {locale}: {size} characters minified, at most {most} samples an intent")
        assert size <= MODEL_CHARACTERS_BUDGET == 250_000
        assert most <= SAMPLES_PER_INTENT_BUDGET == 300

    def test_the_five_english_locales(self) -> None:
        assert set(LOCALES) == {"en-US", "en-GB", "en-CA", "en-AU", "en-IN"}

    @pytest.mark.parametrize("locale", LOCALES)
    def test_no_dialog_model_so_a_lone_slot_is_a_valid_sample(self, locale: str) -> None:
        document = json.loads(model_file(locale).read_text(encoding="utf-8"))
        assert set(document["interactionModel"]) == {"languageModel"}

    def test_a_locale_adds_its_own_samples_to_the_shared_ones(self) -> None:
        def samples(locale: str, intent: str) -> set[str]:
            model = build_language_model(SOURCE, locale)
            return set(next(i for i in model["intents"] if i["name"] == intent)["samples"])

        assert "brilliant" in samples("en-GB", "AMAZON.YesIntent")
        assert "brilliant" not in samples("en-US", "AMAZON.YesIntent")
        assert samples("en-US", "AMAZON.YesIntent") < samples("en-GB", "AMAZON.YesIntent")


class TestOneSourceOfExerciseSynonyms:
    def test_exercise_ids_are_the_catalogues_exercise_and_variant_ids(self) -> None:
        catalogue = default_catalogue()
        catalogue_ids = {exercise.id for exercise in catalogue.exercises} | {
            variant.id for exercise in catalogue.exercises for variant in exercise.variants
        }
        model = build_language_model(SOURCE, "en-US")
        exercise_type = next(t for t in model["types"] if t["name"] == "EXERCISE")
        assert {value["id"] for value in exercise_type["values"]} == catalogue_ids

    def test_the_catalogue_keeps_no_synonyms_of_its_own(self) -> None:
        raw = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
        for exercise in raw["exercises"]:
            assert "aliases" not in exercise, exercise["id"]
            for variant in exercise.get("variants", []):
                assert "aliases" not in variant, variant["id"]

    def test_an_exercise_id_the_catalogue_lacks_stops_the_build(self) -> None:
        source = copy.deepcopy(SOURCE)
        source["types"]["EXERCISE"].append({"id": "cartwheel", "name": "cartwheel"})
        with pytest.raises(ModelSourceError, match="cartwheel"):
            build_language_model(source, "en-US")


def resolve(utterance: str, model: InteractionModel = HEARD_EN_US) -> tuple[str | None, dict]:
    resolution = model.resolve(utterance)
    return resolution.intent_name, resolved_slot_ids(resolution)


# How people vary one request, each kind the issue names, understood as Alexa's statistical
# NLU hears it: the samples need not spell out every filler, article and plural.
VARIATIONS = [
    ("filler", "um next", "AMAZON.NextIntent", {}),
    ("filler", "okay start my routine", "StartRoutineIntent", {}),
    ("filler", "so what's next", "WhatsNextIntent", {}),
    ("filler", "well how long do i hold it", "HoldTimeIntent", {}),
    ("politeness", "please start my routine", "StartRoutineIntent", {}),
    ("politeness", "can you tell me which side i'm on", "WhichSideIntent", {}),
    ("politeness", "could we skip this one", "SkipExerciseIntent", {}),
    ("politeness", "i'd like to do the bridge", "GoToExerciseIntent", {"exercise": "bridge"}),
    ("article", "how do i do the bridge", "HowToIntent", {"exercise": "bridge"}),
    ("article", "how do you do a bridge", "HowToIntent", {"exercise": "bridge"}),
    ("article", "let's do my clamshell", "GoToExerciseIntent", {"exercise": "clamshell"}),
    ("article", "how do i do bridge", "HowToIntent", {"exercise": "bridge"}),
    ("plural", "let's do the bridges", "GoToExerciseIntent", {"exercise": "bridge"}),
    ("plural", "how do i do clamshells", "HowToIntent", {"exercise": "clamshell"}),
    (
        "plural",
        "i don't have any resistance bands",
        "MissingEquipmentIntent",
        {"equipment": "band"},
    ),
    ("question", "what's the bridge", "HowToIntent", {"exercise": "bridge"}),
    ("command", "explain the bridge", "HowToIntent", {"exercise": "bridge"}),
    ("question", "can we start over", "AMAZON.StartOverIntent", {}),
    ("name alone", "knee hugs", "GoToExerciseIntent", {"exercise": "knee_to_chest"}),
    ("name alone", "the clams", "GoToExerciseIntent", {"exercise": "clamshell"}),
    (
        "name alone",
        "hamstring stretch",
        "GoToExerciseIntent",
        {"exercise": "hamstring_wall_stretch"},
    ),
    ("initials", "what is s. i. joint pain", "OverviewIntent", {}),
    # Words that look alike and must stay apart.
    ("distinct", "okay", "AMAZON.YesIntent", {}),
    ("distinct", "okay next", "AMAZON.NextIntent", {}),
    ("distinct", "next", "AMAZON.NextIntent", {}),
    ("distinct", "what's next", "WhatsNextIntent", {}),
    ("distinct", "next exercise", "SkipExerciseIntent", {}),
    ("distinct", "pardon", "AMAZON.RepeatIntent", {}),
    ("distinct", "repeat that", "AMAZON.RepeatIntent", {}),
    ("distinct", "do that set again", "RepeatSetIntent", {}),
    ("distinct", "stop", "AMAZON.StopIntent", {}),
    ("distinct", "stop it hurts", "PainIntent", {}),
    ("distinct", "my left side hurts", "PainIntent", {}),
    ("distinct", "my left side is injured", "InjuredSideIntent", {"side": "left"}),
    ("distinct", "what exercises are there", "ListExercisesIntent", {}),
    ("distinct", "what exercises are left", "ExercisesLeftIntent", {}),
    ("distinct", "how long do i hold", "HoldTimeIntent", {}),
    ("distinct", "how long does the routine take", "RoutineLengthIntent", {}),
]


@pytest.mark.parametrize(("kind", "utterance", "intent", "slot_ids"), VARIATIONS)
def test_a_kind_of_variation_is_understood(
    kind: str, utterance: str, intent: str, slot_ids: dict[str, str]
) -> None:
    assert resolve(utterance) == (intent, slot_ids), kind


def test_a_line_that_matches_nothing_shows_the_nearest_samples() -> None:
    assert resolve("how do i do the gloot bridge", STRICT_EN_US) == ("HowToIntent", {})
    assert resolve("how long must hold i it", STRICT_EN_US) == ("AMAZON.FallbackIntent", {})
    nearest = STRICT_EN_US.nearest_samples("how long must hold i it", count=3)
    assert len(nearest) == 3
    assert all(near.intent_name == "HoldTimeIntent" for near in nearest), nearest
    assert nearest[0].similarity >= nearest[-1].similarity > 0.5


def test_the_console_shows_the_nearest_samples_when_nothing_matches(tmp_path: Path) -> None:
    from tests.tooling.test_console import run_console

    result = run_console(
        "open s. i. joint coach\nhow long must hold i it\nstop\n",
        "--fast",
        "--strict",
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    missed = lines.index("  -> AMAZON.FallbackIntent")
    assert lines[missed + 1].startswith("     nearest: 'how long must i hold")
    assert lines[missed + 1].endswith("' HoldTimeIntent")
    assert sum(line.startswith("     nearest: ") for line in lines) == 3


# -- the carrier grammar ------------------------------------------------------------------


def test_alternatives_options_and_pieces_expand_in_order() -> None:
    grammar = CarrierGrammar({"lead": "[um|okay]", "polite": "(please|can you)"})
    assert grammar.expand("(how|how do i) do [the|a] {exercise}") == [
        "how do {exercise}",
        "how do the {exercise}",
        "how do a {exercise}",
        "how do i do {exercise}",
        "how do i do the {exercise}",
        "how do i do a {exercise}",
    ]
    assert grammar.expand("<lead> next") == ["next", "um next", "okay next"]
    assert grammar.expand("[<polite>] (skip [this] one)") == [
        "skip one",
        "skip this one",
        "please skip one",
        "please skip this one",
        "can you skip one",
        "can you skip this one",
    ]


@pytest.mark.parametrize(
    ("pieces", "carrier", "problem"),
    [
        ({}, "(start|begin my routine", "never closed"),
        ({}, "start) my routine", "unbalanced"),
        ({}, "(start] my routine", "closed by"),
        ({}, "<lead> next", "no piece defines"),
        ({"loop": "<loop> again"}, "<loop>", "refers to itself"),
        ({}, "[please]", "nothing at all"),
        ({}, " ".join(["(a|b|c|d)"] * 7), f"more than {MAX_SAMPLES_PER_CARRIER}"),
    ],
)
def test_a_broken_carrier_is_refused(pieces: dict[str, str], carrier: str, problem: str) -> None:
    with pytest.raises(ModelSourceError, match=problem):
        CarrierGrammar(pieces).expand(carrier)


def _source_with(intent: str, carrier: str, slots: dict[str, str] | None = None) -> dict:
    source = copy.deepcopy(SOURCE)
    source["intents"][intent] = {"samples": [carrier], **({"slots": slots} if slots else {})}
    return source


@pytest.mark.parametrize(
    ("carrier", "problem"),
    [
        ("How do I hold it", "speech recognition's form"),
        ("do 10 reps", "speech recognition's form"),
        ("hold it, please", "speech recognition's form"),
        ("hold the {exercise}", "no slot"),
        ("(next|what's next)", "in two intents"),
    ],
)
def test_a_sample_alexa_would_refuse_or_misroute_stops_the_build(
    carrier: str, problem: str
) -> None:
    with pytest.raises(ModelSourceError, match=problem):
        build_language_model(_source_with("NewQuestionIntent", carrier), "en-US")


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(ModelSourceError, match="fr-FR"):
        build_language_model(SOURCE, "fr-FR")


# -- the limits -------------------------------------------------------------------------------


def _model(intents: list[dict[str, Any]], types: list[dict[str, Any]] | None = None) -> dict:
    return {"invocationName": "s. i. joint coach", "intents": intents, "types": types or []}


def _type(values: int, form: str = "value") -> dict[str, Any]:
    return {
        "name": "THING",
        "values": [{"id": f"v{n}", "name": {"value": f"{form} {n}"}} for n in range(values)],
    }


def test_a_small_model_is_within_every_limit() -> None:
    assert language_model_limit_problems(_model([{"name": "A", "samples": ["go"]}])) == []


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        (_model([{"name": f"I{n}", "samples": []} for n in range(INTENTS_MAX + 1)]), "intents"),
        (
            _model(
                [{"name": f"I{n}", "samples": []} for n in range(INTENTS_MAX)],
                [_type(1)] * (INTENTS_AND_SLOT_TYPES_MAX - INTENTS_MAX + 1),
            ),
            "intents and slot types",
        ),
        (
            _model([{"name": "A", "samples": [f"go {n}" for n in range(1501)]}]),
            f"budget of {SAMPLES_PER_INTENT_BUDGET}",
        ),
        (
            _model([{"name": "A", "samples": ["go " * (SAMPLE_CHARACTERS_BUDGET // 3 + 1)]}]),
            f"over {SAMPLE_CHARACTERS_BUDGET} characters",
        ),
        (
            _model([], [_type(1, "x" * SLOT_VALUE_CHARACTERS_MAX)]),
            f"over {SLOT_VALUE_CHARACTERS_MAX} characters",
        ),
        (_model([], [_type(SLOT_VALUES_MAX + 1)]), "slot values and synonyms"),
    ],
)
def test_each_limit_is_enforced(model: dict[str, Any], problem: str) -> None:
    problems = language_model_limit_problems(model)
    assert len(problems) == 1
    assert problem in problems[0]


def test_the_model_size_limit_counts_the_file_as_uploaded() -> None:
    document = {"interactionModel": {"languageModel": _model([{"name": "A", "samples": []}])}}
    text = json.dumps(document)
    padded = text[:-1] + " " * (MODEL_BYTES_MAX - len(text) + 1) + text[-1]
    assert limit_problems(text) == []
    assert limit_problems(padded) == [
        f"the model is {MODEL_BYTES_MAX + 1} bytes, over Alexa's 1500000"
    ]


# -- the budgets, enforced by the generator ----------------------------------------------------


def test_a_model_over_the_character_budget_stops_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    size = minified_characters(build_document(SOURCE, "en-US"))
    monkeypatch.setattr(generator, "MODEL_CHARACTERS_BUDGET", size - 1)
    with pytest.raises(ModelSourceError, match=f"{size} characters minified"):
        build_document(SOURCE, "en-US")
    monkeypatch.setattr(generator, "MODEL_CHARACTERS_BUDGET", size)
    build_document(SOURCE, "en-US")


def test_a_source_asking_for_more_samples_than_the_budget_is_refused() -> None:
    source = copy.deepcopy(SOURCE)
    source["samples_per_intent"] = SAMPLES_PER_INTENT_BUDGET + 1
    with pytest.raises(ModelSourceError, match=f"budget of {SAMPLES_PER_INTENT_BUDGET}"):
        build_language_model(source, "en-US")


def test_locale_additions_over_the_sample_budget_are_refused() -> None:
    source = copy.deepcopy(SOURCE)
    words = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "klmnpr"][:150]
    source["locale"]["en-GB"]["intents"]["ThanksIntent"] = [f"({'|'.join(words)}) (thanks|cheers)"]
    build_language_model(source, "en-US")
    with pytest.raises(ModelSourceError, match=r"ThanksIntent has \d+ samples in en-GB, over"):
        build_language_model(source, "en-GB")


def test_every_carrier_keeps_its_plainest_sample_and_no_more_than_asked() -> None:
    grammar = CarrierGrammar({"lead": "[um|okay|so|well|right]"})
    carriers = [
        grammar.expand("<lead> (start|begin) [my|the] (routine|exercises) [please|now]"),
        grammar.expand("<lead> let's (go|get going|get started)"),
    ]
    chosen = choose_samples(carriers, 12)
    assert len(chosen) <= 12
    assert "start routine" in chosen and "let's go" in chosen
    assert set(chosen) <= {sample for samples in carriers for sample in samples}


def test_the_sample_bringing_most_new_wording_is_chosen_first() -> None:
    samples = ["skip", "skip that one", "um skip", "skip it"]
    assert choose_samples([samples], 2) == ["skip", "skip that one"]
    assert choose_samples([samples], 3) == ["skip", "skip that one", "um skip"]


def test_a_sample_that_adds_no_new_wording_is_left_out_even_with_room() -> None:
    # Every word, word pair, start and end of "a b c" is in "a b" and "b c"; of "x y z" in
    # "x y" and "y z". Room for six, but only five bring anything.
    carriers = [["a b"], ["b c"], ["x y"], ["y z"], ["q", "a b c", "x y z"]]
    assert choose_samples(carriers, 6) == ["a b", "b c", "x y", "y z", "q"]
