"""Rules the Alexa skill package must satisfy before `ask deploy`, as reusable checks.

Each `*_problems` function takes parsed JSON and returns a list of readable problems (empty when
the rule holds), so tests can assert on the list and show every offence at once, and other tests
can reuse the loaders (`intent_names`, `slot_value_ids`) to stay in step with the interaction model.

The locale files are generated from interaction_model/source/<language>.toml by
scripts/interaction_model_source.py; these rules check what it writes. What differs by
language (the skill's name, the disclaimer's words, how a user opens or asks a skill, the
words an invocation name may not hold) is in LANGUAGE_RULES.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SKILL_PACKAGE_DIR = REPO_ROOT / "interaction_model"
SKILL_MANIFEST_FILE = SKILL_PACKAGE_DIR / "skill.json"
INTERACTION_MODELS_DIR = SKILL_PACKAGE_DIR / "interactionModels" / "custom"
ASK_RESOURCES_FILE = REPO_ROOT / "ask-resources.json"

SOURCE_LOCALE = "en-US"
# The English locales, one model source.
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
# Every locale the skill is published in, by language.
LANGUAGE_LOCALES = {
    "en": LOCALES,
    "es": ("es-ES", "es-MX", "es-US"),
    "de": ("de-DE",),
}
ALL_LOCALES = tuple(locale for locales in LANGUAGE_LOCALES.values() for locale in locales)

MINIMUM_CUSTOM_INTENT_SAMPLES = 20
REQUIRED_BUILT_IN_INTENTS = frozenset(
    {
        "AMAZON.CancelIntent",
        "AMAZON.HelpIntent",
        "AMAZON.StopIntent",
        "AMAZON.NavigateHomeIntent",
        "AMAZON.FallbackIntent",
    }
)
# A typo in a built-in name builds as an unknown intent that never fires, so names are checked.
KNOWN_BUILT_IN_INTENTS = REQUIRED_BUILT_IN_INTENTS | {
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
}

# Words Alexa refuses in an invocation name: wake words, "skill"/"app", and launch phrases that
# would make "Alexa, ask <name>" ambiguous.
FORBIDDEN_INVOCATION_WORDS = frozenset(
    {"alexa", "amazon", "echo", "computer", "skill", "app", "launch", "ask", "tell", "load"}
    | {"begin", "enable"}
)
# A two-word invocation name may not be an article or preposition plus one word ("the coach").
TWO_WORD_INVOCATION_FILLERS = frozenset({"the", "a", "an", "for", "to", "of"})

MEDICAL_DISCLAIMER = "not a substitute for professional medical advice"
PAIN_ADVICE = "healthcare provider or physical therapist"
SUMMARY_MAX_CHARACTERS = 160
EXAMPLE_PHRASES_MAX = 3
UNWANTED_PERMISSIONS = frozenset({"alexa::devices:all:address:country_and_postal_code:read"})
EXPECTED_PRIVACY_AND_COMPLIANCE = {
    "allowsPurchases": False,
    "usesPersonalInfo": False,
    "isChildDirected": False,
    "isExportCompliant": True,
    "containsAds": False,
}

SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
# A word with an optional apostrophe part ("let's", "yesterday's"), or one letter of an
# initialism written the way Alexa requires ("s." in "s. i. joint"). Letters are any
# language's ("ä", "ñ"); punctuation ("¿", "¡", ",") and digits are not.
_LETTER = r"[^\W\d_]"
SPOKEN_WORD = re.compile(rf"{_LETTER}+(?:'{_LETTER}+)?|{_LETTER}\.")
INVOCATION_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[a-z]\.")
EXAMPLE_PHRASE_CONNECTING_WORDS = ("to", "for", "about", "whether", "if", "and")


@dataclass(frozen=True)
class LanguageRules:
    """What the store and Alexa's launch phrases require of one language's locales."""

    skill_name: str
    # Lowercase phrases every summary and description says: the disclaimer, stop, who to call.
    disclaimer: tuple[str, ...]
    # "Alexa, open <invocation>": the first example phrase.
    open_phrase: str
    # "Alexa, ask <invocation> <request>": the other example phrases.
    launch_phrases: tuple[str, ...]
    connecting_words: tuple[str, ...]
    # Lowercase letters an invocation name may use.
    letters: str
    # Launch phrases and connecting words an invocation name may not hold.
    forbidden_invocation_words: frozenset[str]
    # Words a two-word invocation name may not hold (articles, prepositions).
    two_word_fillers: frozenset[str]


LANGUAGE_RULES = {
    "en": LanguageRules(
        skill_name="SI Joint Coach",
        disclaimer=(MEDICAL_DISCLAIMER, "stop", PAIN_ADVICE),
        open_phrase="Alexa, open",
        launch_phrases=("Alexa, ask", "Alexa, tell"),
        connecting_words=EXAMPLE_PHRASE_CONNECTING_WORDS,
        letters="a-z",
        forbidden_invocation_words=FORBIDDEN_INVOCATION_WORDS,
        two_word_fillers=TWO_WORD_INVOCATION_FILLERS,
    ),
    "es": LanguageRules(
        skill_name="Entrenador Sacroilíaco",
        disclaimer=(
            "no sustituye el consejo médico profesional",
            "para",
            "médico o fisioterapeuta",
        ),
        open_phrase="Alexa, abre",
        launch_phrases=("Alexa, pide a", "Alexa, pregunta a", "Alexa, dile a"),
        connecting_words=("que", "si", "y"),
        letters="a-záéíóúüñ",
        forbidden_invocation_words=frozenset(
            {"alexa", "amazon", "echo", "computer", "skill", "app", "abre", "abrir", "pide"}
            | {"pregunta", "dile", "inicia", "empieza", "activa", "juega", "habilita"}
        ),
        two_word_fillers=frozenset({"el", "la", "los", "las", "un", "una", "de", "del", "a"})
        | {"al", "para", "por", "con"},
    ),
    "de": LanguageRules(
        skill_name="ISG Trainer",
        disclaimer=(
            "ersetzt keine professionelle medizinische beratung",
            "hör auf",
            "arzt oder deine physiotherapie",
        ),
        open_phrase="Alexa, öffne",
        launch_phrases=("Alexa, frage", "Alexa, frag", "Alexa, sage", "Alexa, sag"),
        connecting_words=("nach", "ob", "dass", "und"),
        letters="a-zäöüß",
        forbidden_invocation_words=frozenset(
            {"alexa", "amazon", "echo", "computer", "skill", "app", "öffne", "öffnen"}
            | {"frage", "frag", "sage", "sag", "starte", "beginne", "aktiviere", "spiele"}
        ),
        two_word_fillers=frozenset({"der", "die", "das", "ein", "eine", "für", "von", "zu"})
        | {"mit", "im", "am"},
    ),
}


def language_of(locale: str) -> str:
    return locale.split("-", maxsplit=1)[0]


def locale_file(locale: str) -> Path:
    """The interaction model file of one locale inside the skill package."""
    return INTERACTION_MODELS_DIR / f"{locale}.json"


def load_json(path: Path | str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def language_model(locale_file_or_model: Path | str | Mapping[str, Any]) -> Mapping[str, Any]:
    """The `languageModel` object, from a locale file's path or its already parsed content."""
    if isinstance(locale_file_or_model, Mapping):
        document = locale_file_or_model
    else:
        document = load_json(locale_file_or_model)
    return document["interactionModel"]["languageModel"]


def intent_names(locale_file: Path | str) -> frozenset[str]:
    """Every intent declared in one locale file, built-ins included."""
    return frozenset(intent["name"] for intent in language_model(locale_file)["intents"])


def custom_intent_names(locale_file: Path | str) -> frozenset[str]:
    return frozenset(name for name in intent_names(locale_file) if not is_built_in(name))


def slot_type_names(locale_file: Path | str) -> frozenset[str]:
    return frozenset(slot_type["name"] for slot_type in language_model(locale_file)["types"])


def slot_value_ids(locale_file: Path | str, slot_type_name: str) -> frozenset[str]:
    """Entity-resolution ids of one custom slot type: what handlers receive as `value.id`."""
    for slot_type in language_model(locale_file)["types"]:
        if slot_type["name"] == slot_type_name:
            return frozenset(value["id"] for value in slot_type["values"])
    raise KeyError(f"no slot type {slot_type_name!r} in {locale_file}")


def resolve_slot_value(model: Mapping[str, Any], slot_type_name: str, spoken: str) -> str | None:
    """The id Alexa's entity resolution gives for an exact value or synonym, else None."""
    wanted = normalise_utterance(spoken)
    for slot_type in model.get("types", []):
        if slot_type["name"] != slot_type_name:
            continue
        for value in slot_type["values"]:
            if wanted in {normalise_utterance(form) for form in _spoken_forms(value)}:
                return value.get("id")
    return None


def is_built_in(name: str) -> bool:
    return name.startswith("AMAZON.")


def normalise_utterance(text: str) -> str:
    """How Alexa compares utterances: case and runs of spaces do not matter."""
    return " ".join(text.lower().split())


def _samples_by_intent(model: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for intent in model["intents"]:
        for sample in intent.get("samples", []):
            yield intent["name"], sample


def _declared_slots(intent: Mapping[str, Any]) -> dict[str, str]:
    return {slot["name"]: slot["type"] for slot in intent.get("slots", [])}


def _spoken_forms(slot_value: Mapping[str, Any]) -> list[str]:
    name = slot_value.get("name", {})
    return [name.get("value", ""), *name.get("synonyms", [])]


def _is_sayable(text: str) -> bool:
    words = text.split()
    return bool(words) and all(SPOKEN_WORD.fullmatch(word) for word in words)


def invocation_name_problems(invocation_name: str, language: str = "en") -> list[str]:
    """Alexa's invocation name requirements that can be checked without a human ear: in the
    language's own lowercase letters ("ä", "ñ"), at least two words, no wake word or launch
    phrase, and no two-word name made of an article or preposition and one word."""
    rules = LANGUAGE_RULES[language]
    letters = rules.letters
    word_pattern = re.compile(rf"[{letters}]+(?:'[{letters}]+)?|[{letters}]\.")
    problems = []
    if invocation_name != invocation_name.strip() or "  " in invocation_name:
        problems.append(f"invocation name {invocation_name!r} has stray spaces")
    if re.fullmatch(rf"[{letters} .']+", invocation_name) is None:
        problems.append(
            f"invocation name {invocation_name!r} may hold only lowercase letters, spaces, "
            "periods and apostrophes"
        )
    words = invocation_name.split()
    if len(words) < 2:
        problems.append(f"invocation name {invocation_name!r} needs at least two words")
    for word in words:
        if word_pattern.fullmatch(word) is None:
            problems.append(
                f"invocation name word {word!r} is not a word or an initial written like 's.'"
            )
        if word.strip(".") in rules.forbidden_invocation_words:
            problems.append(f"invocation name {invocation_name!r} contains {word!r}")
    if len(words) == 2 and rules.two_word_fillers & set(words):
        problems.append(
            f"two-word invocation name {invocation_name!r} uses an article or preposition"
        )
    return problems


def sample_problems(model: Mapping[str, Any]) -> list[str]:
    """Sample text Alexa accepts, with every {reference} naming a slot of its own intent."""
    problems = []
    for intent in model["intents"]:
        intent_name = intent["name"]
        slots = _declared_slots(intent)
        seen: set[str] = set()
        for sample in intent.get("samples", []):
            where = f"{intent_name} sample {sample!r}"
            normalised = normalise_utterance(sample)
            if normalised in seen:
                problems.append(f"{where} is listed twice")
            seen.add(normalised)
            if sample != sample.strip() or "  " in sample:
                problems.append(f"{where} has stray spaces")
            references = SLOT_REFERENCE.findall(sample)
            for reference in references:
                if reference not in slots:
                    problems.append(f"{where} uses {{{reference}}}, not a slot of {intent_name}")
            for reference in {name for name in references if references.count(name) > 1}:
                problems.append(f"{where} uses {{{reference}}} more than once")
            if re.search(r"\}\s*\{", sample):
                problems.append(f"{where} puts two slots side by side")
            words = SLOT_REFERENCE.sub(" ", sample).split()
            for word in words:
                if SPOKEN_WORD.fullmatch(word) is None:
                    problems.append(
                        f"{where} contains {word!r}: only letters, spaces, apostrophes, "
                        "initials like 's.' and {slot} references are allowed"
                    )
            # A sample that is one slot alone ("{exercise}") is valid: Alexa refuses it only in
            # a model with a dialog model, which this skill does not have.
    return problems


def slot_declaration_problems(model: Mapping[str, Any]) -> list[str]:
    """Every slot has a declared custom type or an AMAZON.* type; every custom type is used."""
    problems = []
    declared_types = {slot_type["name"] for slot_type in model.get("types", [])}
    used_types = set()
    for intent in model["intents"]:
        for slot_name, slot_type in _declared_slots(intent).items():
            used_types.add(slot_type)
            if slot_type not in declared_types and not slot_type.startswith("AMAZON."):
                problems.append(
                    f"{intent['name']} slot {slot_name!r} has undeclared type {slot_type!r}"
                )
    for unused in sorted(declared_types - used_types):
        problems.append(f"slot type {unused!r} is declared but no intent uses it")
    return problems


def slot_type_value_problems(model: Mapping[str, Any]) -> list[str]:
    """Every custom value has an id, and no spoken form is claimed by two values of one type."""
    problems = []
    for slot_type in model.get("types", []):
        type_name = slot_type["name"]
        if type_name.startswith("AMAZON."):
            problems.append(f"custom slot type {type_name!r} may not use the AMAZON. prefix")
        ids = [value.get("id", "") for value in slot_type["values"]]
        for value, value_id in zip(slot_type["values"], ids, strict=True):
            if not value_id:
                problems.append(f"{type_name} value {value.get('name')} has no id")
        repeated_ids = {value_id for value_id in ids if value_id and ids.count(value_id) > 1}
        for duplicate in sorted(repeated_ids):
            problems.append(f"{type_name} id {duplicate!r} is used by two values")
        owner_of_spoken_form: dict[str, str] = {}
        for value, value_id in zip(slot_type["values"], ids, strict=True):
            for spoken in _spoken_forms(value):
                if not _is_sayable(spoken):
                    problems.append(f"{type_name} value {value_id!r} has unsayable form {spoken!r}")
                normalised = normalise_utterance(spoken)
                owner = owner_of_spoken_form.setdefault(normalised, value_id)
                if owner != value_id:
                    problems.append(
                        f"{type_name} form {spoken!r} belongs to both {owner!r} and {value_id!r}"
                    )
    return problems


def sample_count_problems(
    model: Mapping[str, Any], minimum: int = MINIMUM_CUSTOM_INTENT_SAMPLES
) -> list[str]:
    return [
        f"{intent['name']} has {len(intent.get('samples', []))} samples, needs at least {minimum}"
        for intent in model["intents"]
        if not is_built_in(intent["name"]) and len(intent.get("samples", [])) < minimum
    ]


def built_in_intent_problems(model: Mapping[str, Any]) -> list[str]:
    names = {intent["name"] for intent in model["intents"]}
    problems = [f"required {name} is missing" for name in sorted(REQUIRED_BUILT_IN_INTENTS - names)]
    problems += [
        f"{name} is not a standard built-in intent this skill knows"
        for name in sorted(names)
        if is_built_in(name) and name not in KNOWN_BUILT_IN_INTENTS
    ]
    return problems


# The generated model fills its slot samples into some 400,000 phrases: checks of the same
# model object in a row (one route after another) reuse the last expansion of each kind, so a
# model must not be changed in place between two checks (the tests change deep copies).
_LAST_OWNERS: dict[bool, tuple[Mapping[str, Any], dict[str, set[str]]]] = {}


def _utterance_owners(model: Mapping[str, Any], expand_slots: bool) -> dict[str, set[str]]:
    """Which intents claim each normalised utterance, optionally with slots filled in."""
    last = _LAST_OWNERS.get(expand_slots)
    if last is not None and last[0] is model:
        return last[1]
    owners = _expand_owners(model, expand_slots)
    _LAST_OWNERS[expand_slots] = (model, owners)
    return owners


def _expand_owners(model: Mapping[str, Any], expand_slots: bool) -> dict[str, set[str]]:
    values_by_type = {
        slot_type["name"]: [
            spoken for value in slot_type["values"] for spoken in _spoken_forms(value) if spoken
        ]
        for slot_type in model.get("types", [])
    }
    owners: dict[str, set[str]] = defaultdict(set)
    for intent in model["intents"]:
        slots = _declared_slots(intent)
        for sample in intent.get("samples", []):
            references = SLOT_REFERENCE.findall(sample)
            owners[normalise_utterance(sample)].add(intent["name"])
            fillable = all(values_by_type.get(slots.get(name, "")) for name in references)
            if not (expand_slots and references and fillable):
                continue
            choices = [values_by_type[slots[name]] for name in references]
            for filling in itertools.product(*choices):
                phrase = sample
                for reference, spoken in zip(references, filling, strict=True):
                    phrase = phrase.replace(f"{{{reference}}}", spoken, 1)
                owners[normalise_utterance(phrase)].add(intent["name"])
    return owners


def duplicate_sample_problems(model: Mapping[str, Any]) -> list[str]:
    """No sample, as written, belongs to two intents: Alexa rejects such a model."""
    return [
        f"sample {utterance!r} appears in {sorted(intents)}"
        for utterance, intents in sorted(_utterance_owners(model, expand_slots=False).items())
        if len(intents) > 1
    ]


def slot_filled_collision_problems(model: Mapping[str, Any]) -> list[str]:
    """No sample with its slots filled by a known value says the same as another intent's sample.

    Alexa accepts such a model, but the user's words would then be routed by chance.
    """
    owners = _utterance_owners(model, expand_slots=True)
    shared = sorted(utterance for utterance, intents in owners.items() if len(intents) > 1)
    return [f"{utterance!r} matches samples of {sorted(owners[utterance])}" for utterance in shared]


def matching_intents(model: Mapping[str, Any], utterance: str) -> set[str]:
    """Intents with a sample that reads exactly like the utterance once slots are filled."""
    return _utterance_owners(model, expand_slots=True).get(normalise_utterance(utterance), set())


def _manifest_locales(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    return manifest["manifest"]["publishingInformation"]["locales"]


def manifest_locale_problems(
    manifest: Mapping[str, Any], locales: tuple[str, ...] = LOCALES
) -> list[str]:
    published = _manifest_locales(manifest)
    problems = [
        f"skill.json has no publishing information for {locale}"
        for locale in locales
        if locale not in published
    ]
    for locale, details in published.items():
        rules = LANGUAGE_RULES.get(language_of(locale))
        if rules is None:
            problems.append(f"{locale} is not a language the skill speaks")
        elif details.get("name") != rules.skill_name:
            problems.append(f"{locale} skill name is {details.get('name')!r}")
    return problems


def disclaimer_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Health-skill certification: every description says what the skill is not, and what to do."""
    problems = []
    for locale, details in _manifest_locales(manifest).items():
        rules = LANGUAGE_RULES.get(language_of(locale), LANGUAGE_RULES["en"])
        for field in ("summary", "description"):
            text = " ".join(details.get(field, "").lower().split())
            for required in rules.disclaimer:
                if required not in text:
                    problems.append(f"{locale} {field} does not say {required!r}")
        if len(details.get("summary", "")) > SUMMARY_MAX_CHARACTERS:
            problems.append(f"{locale} summary is over {SUMMARY_MAX_CHARACTERS} characters")
    return problems


def privacy_and_permission_problems(manifest: Mapping[str, Any]) -> list[str]:
    body = manifest["manifest"]
    problems = []
    privacy = body.get("privacyAndCompliance", {})
    for field, expected in EXPECTED_PRIVACY_AND_COMPLIANCE.items():
        if privacy.get(field) is not expected:
            problems.append(
                f"privacyAndCompliance.{field} is {privacy.get(field)!r}, not {expected}"
            )
    for permission in body.get("permissions", []):
        if permission.get("name") in UNWANTED_PERMISSIONS:
            problems.append(f"permission {permission['name']!r} is not needed")
    if body["publishingInformation"].get("category") != "HEALTH_AND_FITNESS":
        problems.append("category is not HEALTH_AND_FITNESS")
    if not body.get("apis", {}).get("custom", {}).get("endpoint", {}).get("uri", ""):
        problems.append("apis.custom.endpoint.uri is empty")
    return problems


def _request_part(phrase: str, launch_prefix: str) -> str | None:
    if not phrase.startswith(launch_prefix):
        return None
    request = phrase[len(launch_prefix) :].strip()
    # A closing period belongs to the sentence unless it ends an initial such as "s. i."
    if request[-1:] in "?!" or (request.endswith(".") and not re.search(r"\b\w\.$", request)):
        request = request[:-1]
    return request


def example_phrase_problems(
    manifest: Mapping[str, Any], model: Mapping[str, Any], locales: Iterable[str] = LOCALES
) -> list[str]:
    """Certification replays example phrases: each of `locales` (those `model` serves) must
    reach a sample of the model, said with its language's launch phrases."""
    invocation = model["invocationName"]
    problems = []
    wanted = set(locales)
    for locale, details in _manifest_locales(manifest).items():
        if locale not in wanted:
            continue
        rules = LANGUAGE_RULES[language_of(locale)]
        phrases = details.get("examplePhrases", [])
        opening = f"{rules.open_phrase} {invocation}"
        if not phrases or phrases[0] != opening:
            problems.append(f"{locale} first example phrase must be '{opening}'")
        if len(phrases) > EXAMPLE_PHRASES_MAX:
            problems.append(f"{locale} has more than {EXAMPLE_PHRASES_MAX} example phrases")
        for phrase in phrases[1:]:
            request = next(
                (
                    part
                    for launch in rules.launch_phrases
                    if (part := _request_part(phrase, f"{launch} {invocation} "))
                ),
                None,
            )
            if request is None:
                problems.append(f"{locale} example {phrase!r} does not name the skill")
                continue
            candidates = [request] + [
                request[len(word) + 1 :]
                for word in rules.connecting_words
                if request.startswith(f"{word} ")
            ]
            if not any(matching_intents(model, candidate) for candidate in candidates):
                problems.append(f"{locale} example {phrase!r} matches no sample utterance")
    return problems


def ask_resources_problems(resources: Mapping[str, Any]) -> list[str]:
    problems = []
    profile = resources.get("profiles", {}).get("default")
    if profile is None:
        return ["ask-resources.json has no 'default' profile"]
    if profile.get("skillMetadata", {}).get("src") != "./interaction_model":
        problems.append("skillMetadata.src must be './interaction_model'")
    if "skillInfrastructure" in profile or "code" in profile:
        problems.append("code is deployed with AWS SAM, not by the ASK CLI")
    skill_package = REPO_ROOT / profile.get("skillMetadata", {}).get("src", "")
    if not (skill_package / "skill.json").is_file():
        problems.append("skillMetadata.src holds no skill.json")
    return problems
