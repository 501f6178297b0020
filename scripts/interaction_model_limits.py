"""Alexa's limits on one locale's interaction model, and this project's budgets, as checks.

Documented by Amazon in "Interaction model limits" (Create the Interaction Model for Your
Skill, developer.amazon.com/docs/alexa/custom-skills/, page
create-the-interaction-model-for-your-skill.html#limits): the model is at most 1.5 MB, has at
most 250 intents and at most 350 intents and slot types together, and a slot value or synonym
is at most 140 characters. Older Alexa documentation caps a skill at 50,000 custom slot values
across its slot types.

SMAPI has been reported to refuse a model definition over 1,000,000 characters. Alexa's NLU
is statistical: trained on the samples, it generalises, so a model need not spell out every
filler. The project's budgets keep each locale far below that: at most 250,000 characters of
minified JSON, and at most 300 samples per intent, chosen for variety of meaning and wording
(scripts/interaction_model_source.py chooses them and refuses a model over either budget).
A sample is at most 140 characters (the length Alexa allows a slot value; nobody says more
than that to a speaker).
The rule that no sample is in two intents lives with the generator and the model rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MODEL_BYTES_MAX = 1_500_000
INTENTS_MAX = 250
INTENTS_AND_SLOT_TYPES_MAX = 350
SLOT_VALUE_CHARACTERS_MAX = 140
SLOT_VALUES_MAX = 50_000
SAMPLES_PER_INTENT_BUDGET = 300
MODEL_CHARACTERS_BUDGET = 250_000
SAMPLE_CHARACTERS_BUDGET = 140


def limit_problems(document_text: str) -> list[str]:
    """Every limit or budget one locale file breaks, read from the file's text as uploaded."""
    problems = []
    size = len(document_text.encode("utf-8"))
    if size > MODEL_BYTES_MAX:
        problems.append(f"the model is {size} bytes, over Alexa's {MODEL_BYTES_MAX}")
    document = json.loads(document_text)
    minified = len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    if minified > MODEL_CHARACTERS_BUDGET:
        problems.append(
            f"the model is {minified} characters minified, "
            f"over the budget of {MODEL_CHARACTERS_BUDGET}"
        )
    model = document["interactionModel"]["languageModel"]
    return problems + language_model_limit_problems(model)


def language_model_limit_problems(model: Mapping[str, Any]) -> list[str]:
    problems = []
    intents, types = model["intents"], model.get("types", [])
    if len(intents) > INTENTS_MAX:
        problems.append(f"{len(intents)} intents, over Alexa's {INTENTS_MAX}")
    if len(intents) + len(types) > INTENTS_AND_SLOT_TYPES_MAX:
        problems.append(
            f"{len(intents) + len(types)} intents and slot types, "
            f"over Alexa's {INTENTS_AND_SLOT_TYPES_MAX}"
        )
    for intent in intents:
        samples = intent.get("samples", [])
        if len(samples) > SAMPLES_PER_INTENT_BUDGET:
            problems.append(
                f"{intent['name']} has {len(samples)} samples, "
                f"over the budget of {SAMPLES_PER_INTENT_BUDGET}"
            )
        problems += [
            f"{intent['name']} sample {sample!r} is over {SAMPLE_CHARACTERS_BUDGET} characters"
            for sample in samples
            if len(sample) > SAMPLE_CHARACTERS_BUDGET
        ]
    values = 0
    for slot_type in types:
        for value in slot_type.get("values", []):
            forms = [value["name"]["value"], *value["name"].get("synonyms", [])]
            values += len(forms)
            problems += [
                f"{slot_type['name']} form {form!r} is over {SLOT_VALUE_CHARACTERS_MAX} characters"
                for form in forms
                if len(form) > SLOT_VALUE_CHARACTERS_MAX
            ]
    if values > SLOT_VALUES_MAX:
        problems.append(f"{values} slot values and synonyms, over Alexa's {SLOT_VALUES_MAX}")
    return problems
