"""Tests of the Alexa skill package: the interaction model of every locale, skill.json and
ask-resources.json, plus proof that each rule rejects a model that breaks it."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from local.utterances import InteractionModel
from scripts.interaction_model_rules import (
    ALL_LOCALES,
    ASK_RESOURCES_FILE,
    LOCALES,
    SKILL_MANIFEST_FILE,
    SOURCE_LOCALE,
    ask_resources_problems,
    built_in_intent_problems,
    disclaimer_problems,
    duplicate_sample_problems,
    example_phrase_problems,
    intent_names,
    invocation_name_problems,
    language_model,
    load_json,
    locale_file,
    manifest_locale_problems,
    privacy_and_permission_problems,
    resolve_slot_value,
    sample_count_problems,
    sample_problems,
    slot_declaration_problems,
    slot_filled_collision_problems,
    slot_type_names,
    slot_type_value_problems,
    slot_value_ids,
)

INVOCATION_NAME = "s. i. joint coach"
HEARD = InteractionModel.from_file(locale_file(SOURCE_LOCALE))

# The handlers in lambda/ are written against these names; renaming one here breaks them.
CUSTOM_INTENT_SLOTS = {
    "StartRoutineIntent": {},
    "SkipExerciseIntent": {},
    "GoToExerciseIntent": {"exercise": "EXERCISE"},
    "HowToIntent": {"exercise": "EXERCISE"},
    "TellMeMoreIntent": {},
    "OverviewIntent": {},
    "ListExercisesIntent": {},
    "PainIntent": {},
    "HistoryIntent": {},
    "InjuredSideIntent": {"side": "SIDE"},
    "PaceIntent": {"pace": "PACE"},
    "HoldTimeIntent": {"exercise": "EXERCISE"},
    "RepsLeftIntent": {},
    "WhatsNextIntent": {},
    "WhichSideIntent": {},
    "EquipmentIntent": {"exercise": "EXERCISE"},
    "MissingEquipmentIntent": {"equipment": "EQUIPMENT"},
    "RoutineLengthIntent": {},
    "ExercisesLeftIntent": {},
    "RepeatSetIntent": {},
    "SetReminderIntent": {"time": "AMAZON.TIME"},
    "WhenIsReminderIntent": {},
    "ChangeReminderIntent": {"time": "AMAZON.TIME"},
    "StopReminderIntent": {},
    "DeleteMyDataIntent": {},
    "WhatDoYouKeepIntent": {},
    "ThanksIntent": {},
    "TiredIntent": {},
    "TooEasyIntent": {},
    "GoodSideIntent": {"side": "SIDE"},
    "CanIUseIntent": {"equipment": "EQUIPMENT"},
    "ShortRoutineIntent": {"minutes": "AMAZON.NUMBER"},
    "StretchesOnlyIntent": {},
    "FullRoutineIntent": {},
    "LeaveOutIntent": {"exercise": "EXERCISE"},
    "PutBackIntent": {"exercise": "EXERCISE"},
}
BUILT_IN_INTENTS = {
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
}
SLOT_VALUE_IDS = {
    "EXERCISE": {
        "hip_abduction",
        "hip_adduction",
        "bridge",
        "knee_to_chest",
        "knee_to_chest_one_leg",
        "knee_to_chest_both_legs",
        "clamshell",
        "quadriceps_stretch",
        "hamstring_wall_stretch",
        "lower_trunk_rotation",
    },
    "SIDE": {"left", "right", "none"},
    "PACE": {"slower", "faster", "normal"},
    "EQUIPMENT": {"belt", "band", "cloth", "pillow", "ball", "wall", "doorway"},
}

# What a user on the mat says, and where it must land, as Alexa's statistical NLU hears it
# (local.utterances: a classifier trained on the samples). A wrong route here is a wrong
# action mid-exercise, and for pain a missed safety stop.
ROUTES = [
    ("next", "AMAZON.NextIntent"),
    ("I'm in position", "AMAZON.NextIntent"),
    ("okay next", "AMAZON.NextIntent"),
    ("next exercise", "SkipExerciseIntent"),
    ("skip this one", "SkipExerciseIntent"),
    ("go back", "AMAZON.PreviousIntent"),
    ("say that again", "AMAZON.RepeatIntent"),
    ("start the routine from the beginning", "AMAZON.StartOverIntent"),
    ("give me a minute", "AMAZON.PauseIntent"),
    ("let's continue yesterday's routine", "AMAZON.ResumeIntent"),
    ("what can I say", "AMAZON.HelpIntent"),
    ("I'm done for today", "AMAZON.StopIntent"),
    ("start my routine", "StartRoutineIntent"),
    ("let's do the glute bridge", "GoToExerciseIntent"),
    ("take me to the hamstring wall stretch", "GoToExerciseIntent"),
    ("how do I do a clam", "HowToIntent"),
    ("remind me how to do it", "HowToIntent"),
    ("what is s. i. joint pain", "OverviewIntent"),
    ("what's in the routine", "ListExercisesIntent"),
    ("it hurts", "PainIntent"),
    ("ouch", "PainIntent"),
    ("that hurts my hip", "PainIntent"),
    ("my left side hurts", "PainIntent"),
    ("what's my streak", "HistoryIntent"),
    ("my right side is injured", "InjuredSideIntent"),
    ("both my sides are fine now", "InjuredSideIntent"),
    ("give me more rest", "PaceIntent"),
    ("less rest between reps", "PaceIntent"),
    ("slow down please", "PaceIntent"),
    ("slow down", "PaceIntent"),
    ("go slower", "PaceIntent"),
    ("speed up", "PaceIntent"),
    ("how do you do a bridge", "HowToIntent"),
    ("i am done for today", "AMAZON.StopIntent"),
    ("how long do i hold", "HoldTimeIntent"),
    ("how long do i hold the bridge", "HoldTimeIntent"),
    ("how long do i hold it", "HoldTimeIntent"),
    ("how many more", "RepsLeftIntent"),
    ("how many reps are left", "RepsLeftIntent"),
    ("how many sets left", "RepsLeftIntent"),
    ("what's next", "WhatsNextIntent"),
    ("what comes after this", "WhatsNextIntent"),
    ("which side", "WhichSideIntent"),
    ("which side am i on", "WhichSideIntent"),
    ("what do i need", "EquipmentIntent"),
    ("what do i need for the bridge", "EquipmentIntent"),
    ("i don't have a belt", "MissingEquipmentIntent"),
    ("how long does the routine take", "RoutineLengthIntent"),
    ("how long will this take today", "RoutineLengthIntent"),
    ("which exercises are left", "ExercisesLeftIntent"),
    ("what's left today", "ExercisesLeftIntent"),
    ("what exercises are left", "ExercisesLeftIntent"),
    ("do that set again", "RepeatSetIntent"),
    ("let's do those again", "RepeatSetIntent"),
    ("what did you say", "AMAZON.RepeatIntent"),
    ("pardon", "AMAZON.RepeatIntent"),
    ("repeat that", "AMAZON.RepeatIntent"),
    ("yeah", "AMAZON.YesIntent"),
    ("sure", "AMAZON.YesIntent"),
    ("okay", "AMAZON.YesIntent"),
    ("yes please", "AMAZON.YesIntent"),
    ("nope", "AMAZON.NoIntent"),
    ("not now", "AMAZON.NoIntent"),
    ("no thanks", "AMAZON.NoIntent"),
    ("knee hugs", "GoToExerciseIntent"),
    ("the clams", "GoToExerciseIntent"),
    ("remind me every day", "SetReminderIntent"),
    ("set a reminder for my exercises", "SetReminderIntent"),
    ("when is my reminder", "WhenIsReminderIntent"),
    ("stop reminding me", "StopReminderIntent"),
    ("delete my data", "DeleteMyDataIntent"),
    ("forget my progress", "DeleteMyDataIntent"),
    ("what do you keep about me", "WhatDoYouKeepIntent"),
    ("i'm short on time today", "ShortRoutineIntent"),
    ("a short routine today", "ShortRoutineIntent"),
    ("just the stretches", "StretchesOnlyIntent"),
    ("the full routine", "FullRoutineIntent"),
    ("leave out the hamstring stretch", "LeaveOutIntent"),
    ("put the hamstring stretch back", "PutBackIntent"),
]
RESOLUTIONS = [
    ("EXERCISE", "pillow squeeze", "hip_adduction"),
    ("EXERCISE", "knee push out", "hip_abduction"),
    ("EXERCISE", "glute bridge", "bridge"),
    ("EXERCISE", "knee hugs", "knee_to_chest"),
    ("EXERCISE", "one knee to chest", "knee_to_chest_one_leg"),
    ("EXERCISE", "both knees to chest", "knee_to_chest_both_legs"),
    ("EXERCISE", "clams", "clamshell"),
    ("EXERCISE", "quad stretch", "quadriceps_stretch"),
    ("EXERCISE", "leg up the wall", "hamstring_wall_stretch"),
    ("EXERCISE", "windshield wipers", "lower_trunk_rotation"),
    ("SIDE", "neither", "none"),
    ("SIDE", "both sides are fine", "none"),
    ("PACE", "more rest", "slower"),
    ("PACE", "speed up", "faster"),
    ("PACE", "usual", "normal"),
    ("EQUIPMENT", "strap", "belt"),
    ("EQUIPMENT", "resistance band", "band"),
    ("EQUIPMENT", "wide strip of cloth", "cloth"),
    ("EQUIPMENT", "cushion", "pillow"),
    ("EQUIPMENT", "medium sized exercise ball", "ball"),
    ("EQUIPMENT", "wall", "wall"),
    ("EQUIPMENT", "door", "doorway"),
]


@pytest.fixture(scope="module")
def source_model() -> dict[str, Any]:
    return language_model(locale_file(SOURCE_LOCALE))


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_json(SKILL_MANIFEST_FILE)


@pytest.fixture(params=LOCALES)
def model(request: pytest.FixtureRequest) -> dict[str, Any]:
    return language_model(locale_file(request.param))


class TestEveryLocale:
    @pytest.mark.parametrize("locale", LOCALES)
    def test_file_is_valid_json_with_a_language_model(self, locale: str) -> None:
        document = json.loads(locale_file(locale).read_text(encoding="utf-8"))
        assert set(document["interactionModel"]["languageModel"]) >= {
            "invocationName",
            "intents",
            "types",
        }

    def test_invocation_name_follows_alexa_rules(self, model: dict[str, Any]) -> None:
        assert model["invocationName"] == INVOCATION_NAME
        assert invocation_name_problems(model["invocationName"]) == []

    def test_samples_are_sayable_and_reference_their_own_slots(self, model: dict) -> None:
        assert sample_problems(model) == []

    def test_slots_have_declared_types(self, model: dict[str, Any]) -> None:
        assert slot_declaration_problems(model) == []

    def test_slot_values_have_ids_and_unambiguous_synonyms(self, model: dict[str, Any]) -> None:
        assert slot_type_value_problems(model) == []

    @pytest.mark.slow
    def test_no_sample_belongs_to_two_intents(self, model: dict[str, Any]) -> None:
        assert duplicate_sample_problems(model) == []

    @pytest.mark.slow
    def test_no_slot_filled_sample_says_another_intents_sample(self, model: dict) -> None:
        assert slot_filled_collision_problems(model) == []

    def test_custom_intents_have_enough_samples(self, model: dict[str, Any]) -> None:
        assert sample_count_problems(model) == []

    def test_required_built_ins_are_present(self, model: dict[str, Any]) -> None:
        assert built_in_intent_problems(model) == []


class TestLocalesAgree:
    """Each locale is generated from interaction_model/source/en.toml (see
    tests/tooling/test_interaction_model_source.py); a locale may add samples and synonyms of
    its own, but every locale declares the same intents and slot types."""

    def test_all_locales_declare_the_same_intents_and_slot_types(self) -> None:
        source_file = locale_file(SOURCE_LOCALE)
        for locale in LOCALES:
            assert intent_names(locale_file(locale)) == intent_names(source_file), locale
            assert slot_type_names(locale_file(locale)) == slot_type_names(source_file), locale


class TestContractWithHandlers:
    def test_intents_are_exactly_those_the_handlers_expect(self) -> None:
        assert intent_names(locale_file(SOURCE_LOCALE)) == set(CUSTOM_INTENT_SLOTS) | (
            BUILT_IN_INTENTS
        )

    def test_custom_intents_declare_the_expected_slots(self, source_model: dict) -> None:
        for intent in source_model["intents"]:
            if intent["name"] in CUSTOM_INTENT_SLOTS:
                declared = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
                assert declared == CUSTOM_INTENT_SLOTS[intent["name"]], intent["name"]

    @pytest.mark.parametrize("slot_type", sorted(SLOT_VALUE_IDS))
    def test_slot_value_ids(self, slot_type: str) -> None:
        assert slot_value_ids(locale_file(SOURCE_LOCALE), slot_type) == SLOT_VALUE_IDS[slot_type]

    @pytest.mark.slow
    @pytest.mark.parametrize(("utterance", "intent"), ROUTES)
    def test_utterance_routes_to_intent(self, utterance: str, intent: str):
        assert HEARD.resolve(utterance).intent_name == intent

    @pytest.mark.parametrize(("slot_type", "spoken", "value_id"), RESOLUTIONS)
    def test_synonym_resolves_to_id(
        self, source_model: dict, slot_type: str, spoken: str, value_id: str
    ) -> None:
        assert resolve_slot_value(source_model, slot_type, spoken) == value_id

    def test_how_to_works_without_naming_an_exercise(self, source_model: dict) -> None:
        how_to = next(i for i in source_model["intents"] if i["name"] == "HowToIntent")
        assert any("{" not in sample for sample in how_to["samples"])
        assert "dialog" not in source_model, "a dialog model could make the slot required"

    def test_next_step_is_not_next_exercise(self, source_model: dict) -> None:
        next_intent = next(i for i in source_model["intents"] if i["name"] == "AMAZON.NextIntent")
        assert "next exercise" not in next_intent["samples"]


class TestSkillManifest:
    def test_lists_every_locale_with_the_skill_name(self, manifest: dict[str, Any]) -> None:
        assert manifest_locale_problems(manifest) == []
        assert set(manifest["manifest"]["publishingInformation"]["locales"]) == set(ALL_LOCALES)

    def test_every_description_carries_the_medical_disclaimer(self, manifest: dict) -> None:
        assert disclaimer_problems(manifest) == []

    def test_privacy_compliance_and_permissions(self, manifest: dict[str, Any]) -> None:
        assert privacy_and_permission_problems(manifest) == []

    def test_example_phrases_reach_the_model(self, manifest: dict, source_model: dict) -> None:
        assert example_phrase_problems(manifest, source_model) == []

    def test_endpoint_is_a_lambda_arn_for_the_deployer_to_replace(self, manifest: dict) -> None:
        uri = manifest["manifest"]["apis"]["custom"]["endpoint"]["uri"]
        assert re.fullmatch(r"arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+", uri)

    def test_ask_resources_deploys_only_the_skill_package(self) -> None:
        assert ask_resources_problems(load_json(ASK_RESOURCES_FILE)) == []


# A tiny model that passes every rule; each test below breaks it in one way.
def valid_model() -> dict[str, Any]:
    return {
        "invocationName": "s. i. joint coach",
        "intents": [
            {
                "name": "GoToExerciseIntent",
                "slots": [{"name": "exercise", "type": "EXERCISE"}],
                "samples": [f"go to the {{exercise}} {word}" for word in FILLER_WORDS],
            },
            {"name": "PainIntent", "samples": [f"it hurts {word}" for word in FILLER_WORDS]},
            *({"name": name, "samples": []} for name in sorted(BUILT_IN_INTENTS)),
        ],
        "types": [
            {
                "name": "EXERCISE",
                "values": [{"id": "bridge", "name": {"value": "bridge", "synonyms": ["hip lift"]}}],
            }
        ],
    }


# Twenty distinct endings give each custom intent of the small model its twenty samples.
FILLER_WORDS = [
    *("now", "please", "again", "today", "here", "then", "first", "quickly", "gently", "slowly"),
    *("okay", "right", "also", "soon", "later", "too", "anyway", "still", "instead", "already"),
]


def intent_in(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(intent for intent in model["intents"] if intent["name"] == name)


def with_sample(model: dict[str, Any], intent_name: str, sample: str) -> dict[str, Any]:
    broken = copy.deepcopy(model)
    intent_in(broken, intent_name)["samples"].append(sample)
    return broken


class TestRulesRejectBrokenModels:
    def test_the_valid_model_passes_every_rule(self) -> None:
        model = valid_model()
        assert invocation_name_problems(model["invocationName"]) == []
        assert sample_problems(model) == []
        assert slot_declaration_problems(model) == []
        assert slot_type_value_problems(model) == []
        assert duplicate_sample_problems(model) == []
        assert slot_filled_collision_problems(model) == []
        assert sample_count_problems(model) == []
        assert built_in_intent_problems(model) == []

    @pytest.mark.parametrize(
        "invocation_name",
        [
            "coach",
            "S. I. joint coach",
            "si-joint coach",
            "s.i. joint coach",
            "alexa joint coach",
            "joint coach skill",
            "back app",
            "the coach",
            "joint coach 2",
            " s. i. joint coach",
        ],
    )
    def test_invocation_name_rule(self, invocation_name: str) -> None:
        assert invocation_name_problems(invocation_name) != []

    @pytest.mark.parametrize(
        "sample",
        [
            "do 10 reps of the {exercise}",
            "go to the {exercise}, please",
            "what's the {side} one",
            "do the {exercise} {exercise}",
            "{exercise} {exercise}",
            "do the {exercise}{exercise}",
            "go to  the {exercise}",
            "it's the s.i. joint",
            "what?",
        ],
    )
    def test_sample_rule(self, sample: str) -> None:
        bad = with_sample(valid_model(), "GoToExerciseIntent", sample)
        assert sample_problems(bad) != []

    @pytest.mark.parametrize(
        "sample", ["let's do the {exercise} now", "it's the s. i. joint", "{exercise}"]
    )
    def test_sample_rule_accepts_apostrophes_and_initials(self, sample: str) -> None:
        assert sample_problems(with_sample(valid_model(), "GoToExerciseIntent", sample)) == []

    def test_sample_listed_twice_in_one_intent(self) -> None:
        bad = with_sample(valid_model(), "PainIntent", "It hurts NOW")
        assert sample_problems(bad) != []

    def test_slot_of_undeclared_type(self) -> None:
        bad = valid_model()
        intent_in(bad, "GoToExerciseIntent")["slots"][0]["type"] = "EXERCISES"
        assert slot_declaration_problems(bad) != []

    def test_built_in_slot_type_is_accepted(self) -> None:
        model = valid_model()
        intent_in(model, "PainIntent")["slots"] = [{"name": "when", "type": "AMAZON.DATE"}]
        assert slot_declaration_problems(model) == []

    def test_unused_slot_type(self) -> None:
        bad = valid_model()
        bad["types"].append({"name": "SIDE", "values": [{"id": "left", "name": {"value": "left"}}]})
        assert slot_declaration_problems(bad) != []

    def test_slot_value_without_id(self) -> None:
        bad = valid_model()
        del bad["types"][0]["values"][0]["id"]
        assert slot_type_value_problems(bad) != []

    def test_synonym_claimed_by_two_values(self) -> None:
        bad = valid_model()
        bad["types"][0]["values"].append(
            {"id": "hip_raise", "name": {"value": "hip raise", "synonyms": ["Hip lift"]}}
        )
        assert slot_type_value_problems(bad) != []

    def test_sample_in_two_intents_after_normalising(self) -> None:
        bad = with_sample(valid_model(), "GoToExerciseIntent", "It  Hurts now")
        assert duplicate_sample_problems(bad) != []

    def test_slot_filled_sample_equal_to_another_intents_sample(self) -> None:
        bad = with_sample(valid_model(), "PainIntent", "go to the hip lift now")
        assert duplicate_sample_problems(bad) == []
        assert slot_filled_collision_problems(bad) != []

    def test_custom_intent_with_too_few_samples(self) -> None:
        bad = valid_model()
        intent_in(bad, "PainIntent")["samples"].pop()
        assert sample_count_problems(bad) != []

    @pytest.mark.parametrize("missing", ["AMAZON.StopIntent", "AMAZON.FallbackIntent"])
    def test_missing_required_built_in(self, missing: str) -> None:
        bad = valid_model()
        bad["intents"].remove(intent_in(bad, missing))
        assert built_in_intent_problems(bad) != []

    def test_misspelt_built_in(self) -> None:
        bad = valid_model()
        bad["intents"].append({"name": "AMAZON.NextIntnet", "samples": []})
        assert built_in_intent_problems(bad) != []

    def test_manifest_without_disclaimer_or_locale(self, manifest: dict[str, Any]) -> None:
        bad = copy.deepcopy(manifest)
        locales = bad["manifest"]["publishingInformation"]["locales"]
        locales["en-GB"]["description"] = "Exercises for your back."
        del locales["en-IN"]
        assert disclaimer_problems(bad) != []
        assert manifest_locale_problems(bad) != []

    def test_manifest_asking_for_address_or_allowing_purchases(self, manifest: dict) -> None:
        bad = copy.deepcopy(manifest)
        bad["manifest"]["permissions"] = [
            {"name": "alexa::devices:all:address:country_and_postal_code:read"}
        ]
        bad["manifest"]["privacyAndCompliance"]["allowsPurchases"] = True
        assert len(privacy_and_permission_problems(bad)) == 2

    @pytest.mark.slow
    def test_example_phrase_that_no_sample_matches(self, manifest: dict, source_model: dict):
        bad = copy.deepcopy(manifest)
        phrases = bad["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrases"]
        phrases[1] = f"Alexa, ask {INVOCATION_NAME} to juggle"
        phrases[0] = "Alexa, launch si joint coach"
        assert len(example_phrase_problems(bad, source_model)) == 2

    def test_ask_resources_with_code_deployment(self) -> None:
        bad = load_json(ASK_RESOURCES_FILE)
        bad["profiles"]["default"]["skillInfrastructure"] = {"type": "@ask-cli/lambda-deployer"}
        assert ask_resources_problems(bad) != []
