"""The Spanish and German development sets (tests/nlu/es, tests/nlu/de), resolved against each
locale's generated model as Alexa's NLU would: by a classifier trained on the model's samples
(local.utterances, local.nlu), with the strict share (samples as written) printed beside.

Each language has three parts, as English has: `held.tsv`, written first from the user's side
before any model sample was looked at, never used to choose samples; `tuning.tsv`, which may
guide them; and `out_of_domain.tsv`, speech the skill must leave to AMAZON.FallbackIntent. Per
locale, the tuning part must be understood at least REQUIRED_SHARE of the time, and so must the
held part (measured once before it was held to it: see MIN_PART), and REQUIRED_FALLBACK_SHARE
of the out-of-domain part must reach the fallback. Misses of the held part are not listed: it
measures how the model generalises, and must not steer which samples it gets. The held and
out-of-domain parts were written blind (intents and slot ids only) and committed before the
models were measured on them; the parts written before them were opened to tune the models and
are now part of the tuning part (docs/languages.md).
"""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from local.utterances import InteractionModel, SpokenNumber, SpokenTime
from scripts.development_set import (
    OUT_OF_DOMAIN,
    PARTS,
    REQUIRED_FALLBACK_SHARE,
    REQUIRED_SHARE,
    LabelledUtterance,
    is_understood,
    load_part,
    resolved_slot_ids,
    share_understood,
    statistical_model,
    strict_model,
)
from scripts.interaction_model_source import model_file

LOCALES = {"es-ES": "es", "es-MX": "es", "es-US": "es", "de-DE": "de"}
LANGUAGES = sorted(set(LOCALES.values()))
# The held parts now kept were each measured once after it was committed (docs/languages.md):
# the fifth Spanish one at 96.7% in es-ES and es-MX and 96.2% in es-US (of 182), the sixth
# German one at 96.0% (168 of 175). Each is held to REQUIRED_SHARE, as the tuning part is.
MIN_PART = 150
# The blind out-of-domain lines that were not already in the tuning part.
MIN_OUT_OF_DOMAIN = 25
SPEAKERS = {"older", "pain", "second-language", "newcomer", "plain"}
# Lowercase words of the language's own letters, initials written "i. s. g.": no digits, no
# punctuation (no "¿" or "¡").
_WORD = r"(?:[a-zäöüßáéíóúñ]+|[a-z]\.)"
RECOGNISED_SPEECH = re.compile(rf"{_WORD}(?: {_WORD})*")


@cache
def part(language: str, name: str) -> tuple[LabelledUtterance, ...]:
    return tuple(load_part(name, language))


# Trained once per locale (and cached under .cache/nlu by the model's hash), shared by the tests.
@cache
def statistical(locale: str) -> InteractionModel:
    model = statistical_model(model_file(locale))
    model.prepare()
    return model


@cache
def strict(locale: str) -> InteractionModel:
    return strict_model(model_file(locale))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PARTS)
def test_each_part_is_large_in_many_voices_and_in_speech_form(language: str, name: str) -> None:
    items = part(language, name)
    assert len(items) >= MIN_PART
    assert len({item.utterance for item in items}) == len(items)
    assert {item.speaker for item in items} == SPEAKERS
    for item in items:
        assert RECOGNISED_SPEECH.fullmatch(item.utterance), item.where


@pytest.mark.parametrize("language", LANGUAGES)
def test_out_of_domain_part_is_fallback_speech_and_no_phrasing_is_in_two_parts(
    language: str,
) -> None:
    out_of_domain = part(language, OUT_OF_DOMAIN)
    assert len(out_of_domain) >= MIN_OUT_OF_DOMAIN
    assert {item.intent for item in out_of_domain} == {"AMAZON.FallbackIntent"}
    assert {item.speaker for item in out_of_domain} <= SPEAKERS
    for item in out_of_domain:
        assert RECOGNISED_SPEECH.fullmatch(item.utterance), item.where
    said = {name: {item.utterance for item in part(language, name)} for name in PARTS}
    said[OUT_OF_DOMAIN] = {item.utterance for item in out_of_domain}
    assert len({utterance for utterances in said.values() for utterance in utterances}) == sum(
        len(utterances) for utterances in said.values()
    )


@pytest.mark.parametrize(("locale", "language"), LOCALES.items())
def test_labels_are_intents_and_slot_ids_of_the_model(locale: str, language: str) -> None:
    model = json.loads(model_file(locale).read_text(encoding="utf-8"))
    language_model = model["interactionModel"]["languageModel"]
    slot_types = {
        intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for intent in language_model["intents"]
    }
    ids = {t["name"]: {v["id"] for v in t["values"]} for t in language_model["types"]}
    intents_used = set()
    # Every intent is heard in some part: a blind phrasing that was already in the tuning
    # part stayed only there, which left a few intents without a held one.
    for item in (item for name in PARTS for item in part(language, name)):
        assert item.intent in slot_types, item.where
        intents_used.add(item.intent)
        for slot_name, value_id in item.slot_ids.items():
            assert slot_name in slot_types[item.intent], item.where
            slot_type = slot_types[item.intent][slot_name]
            if not slot_type.startswith("AMAZON."):
                assert value_id in ids[slot_type], item.where
    unheard = (
        set(slot_types) - intents_used - {"AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent"}
    )
    assert not unheard, f"no phrasing for {sorted(unheard)}"


@pytest.mark.parametrize("name", PARTS)
@pytest.mark.parametrize(("locale", "language"), LOCALES.items())
def test_share_understood_statistically(
    locale: str, language: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    items = part(language, name)
    model = statistical(locale)
    missed = [item for item in items if not is_understood(model, item)]
    share = 1 - len(missed) / len(items)
    strictly = share_understood(strict(locale), items)
    with capsys.disabled():
        print(
            f"\n  {name}: {share:.1%} of {len(items)} utterances understood statistically, "
            f"{strictly:.1%} strictly ({locale})"
        )
    listed = (
        [f"{item.utterance!r} -> {model.resolve(item.utterance).describe()}" for item in missed]
        if name == "tuning"
        else [f"{len(missed)} held utterances (not listed: widen general coverage instead)"]
    )
    assert share >= REQUIRED_SHARE, listed


@pytest.mark.parametrize(("locale", "language"), LOCALES.items())
def test_out_of_domain_speech_reaches_the_fallback(
    locale: str, language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    items = part(language, OUT_OF_DOMAIN)
    model = statistical(locale)
    missed = [item for item in items if not is_understood(model, item)]
    share = 1 - len(missed) / len(items)
    with capsys.disabled():
        print(f"\n  out of domain: {share:.1%} of {len(items)} sent to the fallback ({locale})")
    assert share >= REQUIRED_FALLBACK_SHARE, [
        f"{item.utterance!r} -> {model.resolve(item.utterance).describe()}" for item in missed
    ]


# A phrasing each language's model understands, and its labels.
RIGHT = {
    "es-ES": ("cómo se hace el puente", "HowToIntent", "bridge"),
    "de-DE": ("wie geht die brücke", "HowToIntent", "bridge"),
}


@pytest.mark.parametrize("locale", sorted(RIGHT))
def test_a_wrong_label_counts_as_not_understood(locale: str) -> None:
    utterance, intent, exercise = RIGHT[locale]
    model = statistical(locale)
    right = LabelledUtterance(utterance, intent, {"exercise": exercise}, "", "")
    assert is_understood(model, right)
    for wrong_intent, wrong_slots in (
        ("GoToExerciseIntent", {"exercise": exercise}),
        (intent, {"exercise": "clamshell"}),
        (intent, {}),
    ):
        wrong = LabelledUtterance(utterance, wrong_intent, wrong_slots, "", "")
        assert not is_understood(model, wrong)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("ocho", "08:00"),
        ("siete de la tarde", "19:00"),
        ("ocho y media", "08:30"),
        ("ocho menos cuarto", "07:45"),
        ("por la noche", "NI"),
        ("acht uhr", "08:00"),
        ("sieben uhr abends", "19:00"),
        ("halb acht", "07:30"),
        ("viertel nach acht", "08:15"),
        ("neunzehn uhr", "19:00"),
        ("am abend", "EV"),
        # The part of the day said first, and the south's and Austria's quarters
        ("abends um acht", "20:00"),
        ("morgens um sechs", "06:00"),
        ("abends um halb acht", "19:30"),
        ("abends um zwanzig uhr", "20:00"),
        ("por la tarde a las siete", "19:00"),
        ("dreiviertel acht", "07:45"),
        ("viertel acht", "07:15"),
        ("dreiviertel acht abends", "19:45"),
        # Every day's part of the day before the hour
        ("jeden abend um acht", "20:00"),
        ("jeden nachmittag um drei", "15:00"),
        ("todas las tardes a las cinco", "17:00"),
        # Minutes past or to the hour
        ("zehn nach sieben", "07:10"),
        ("zwanzig vor acht", "07:40"),
        ("viertel vor acht", "07:45"),
        # Latin America's minutes to the hour
        ("un cuarto para las ocho", "07:45"),
        ("diez para las nueve de la noche", "20:50"),
        ("veinte para la una", "12:40"),
        ("cuarto para las", None),
        # Switzerland's "ab", noon and the afternoon said as a noun, a plural part of the day
        ("viertel ab sieben am abend", "19:15"),
        ("zwölf am mittag", "12:00"),
        ("fünf uhr nachmittag", "17:00"),
        ("por las tardes a las seis", "18:00"),
        ("por las mañanas a eso de las diez", "10:00"),
    ],
)
def test_spanish_and_german_times_carry_alexas_value(words: str, value: str | None) -> None:
    heard = SpokenTime().resolve(tuple(words.split()))
    assert (heard.value_id if heard else None) == value


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("diez", "10"),
        ("veinticinco", "25"),
        ("treinta y cinco", "35"),
        ("zehn", "10"),
        ("fünfundzwanzig", "25"),
        ("zwanzig", "20"),
    ],
)
def test_spanish_and_german_numbers_carry_their_digits(words: str, value: str) -> None:
    heard = SpokenNumber().resolve(tuple(words.split()))
    assert heard is not None and heard.value_id == value
    assert SpokenNumber().resolve(("una",)) is None  # an article, not a number


@pytest.mark.parametrize(
    ("locale", "line", "time"),
    [
        ("es-ES", "recuérdamelo a la una", "01:00"),
        ("es-ES", "una rutina corta", None),
        ("es-ES", "hazme una versión rápida", None),
        ("de-DE", "erinnere mich um acht", "08:00"),
        ("de-DE", "erinnere mich abends um acht", "20:00"),
        ("de-DE", "erinnere mich morgens um sechs an die übungen", "06:00"),
        ("de-DE", "wie mache ich ein knie zur brust", None),
        # "früh" is the morning, but "zu früh" is too early
        ("de-DE", "erinnere mich früh um sieben", "07:00"),
        ("de-DE", "das ist mir viel zu früh", None),
    ],
)
def test_a_bare_hour_word_is_a_time_only_where_a_time_is_said(
    locale: str, line: str, time: str | None
) -> None:
    model = statistical(locale)
    spans = model.tag(model.words(line))[1]
    times = [span.value.value_id for span in spans if span.slot_type == SpokenTime.name]
    assert times == ([time] if time else [])


@pytest.mark.parametrize(
    ("locale", "line", "intent"),
    [
        ("es-MX", "simón", "AMAZON.YesIntent"),
        ("es-ES", "olvídalo", "AMAZON.CancelIntent"),
        ("es-US", "cállate", "AMAZON.StopIntent"),
        ("de-DE", "nö", "AMAZON.NoIntent"),
        ("de-DE", "vergiss es", "AMAZON.CancelIntent"),
    ],
)
def test_built_in_intents_answer_the_languages_own_short_phrases(
    locale: str, line: str, intent: str
) -> None:
    assert statistical(locale).resolve(line).intent_name == intent


# Fillers said before a request (or a please after it), and requests: each line must be heard
# as the request alone.
FILLED = [
    *(
        ("es-ES", f"{filler} {line}", line)
        for filler in ("oye", "a ver", "bueno", "mira", "y")
        for line in ("siguiente", "cómo se hace el puente", "quiero hacer la rutina completa")
    ),
    *(
        ("de-DE", f"{filler} {line}", line)
        for filler in ("ähm", "na ja", "sag mal", "also", "und")
        for line in ("weiter", "wie geht die brücke", "ich will das ganze programm machen")
    ),
    *(
        (locale, f"{filler} {line}", line)
        for locale, filler, line in (
            ("es-ES", "si me hace el favor", "dime los ejercicios"),
            ("es-MX", "disculpe", "cómo se hace el puente"),
            ("es-US", "hola", "quiero hacer la rutina completa"),
            ("de-DE", "entschuldigung", "wie geht die brücke"),
            ("de-DE", "ich wollte fragen", "was kommt danach"),
            ("de-DE", "servus", "ich will das ganze programm machen"),
            # A Spanish question asked inside a request keeps its words
            ("es-ES", "me podrías decir", "cuánto dura la rutina"),
            ("es-MX", "quería saber si", "puedo usar una toalla"),
            ("es-US", "sabes", "qué ejercicio sigue"),
        )
    ),
    ("es-MX", "dime los ejercicios por favor", "dime los ejercicios"),
    ("es-US", "por favor dime los ejercicios", "dime los ejercicios"),
    ("de-DE", "was kommt danach bitte", "was kommt danach"),
]


@pytest.mark.parametrize(("locale", "said", "line"), FILLED)
def test_a_filler_before_a_request_does_not_change_it(locale: str, said: str, line: str) -> None:
    model = statistical(locale)
    alone, with_filler = model.resolve(line), model.resolve(said)
    assert with_filler.intent_name == alone.intent_name != "AMAZON.FallbackIntent"
    assert resolved_slot_ids(with_filler) == resolved_slot_ids(alone)


# A request followed by its reason, by what is going on around the speaker or by a second
# request: heard as the (first) request. Each whole line is one the classifier alone sends to
# the fallback (checked). The same reason after an out-of-domain request leaves it out.
WITH_A_REASON = [
    ("es-ES", "para un momento", "que se me cayó el teléfono debajo del sofá"),
    ("es-MX", "repite eso", "que mi nieto estaba gritando en el pasillo"),
    ("es-US", "vamos a empezar", "antes de que el perro del vecino se ponga a ladrar otra vez"),
    ("de-DE", "wiederhol das", "weil der staubsauger so laut war"),
    ("de-DE", "lass uns anfangen", "bevor die kinder aus der schule kommen"),
    # A second request after the first
    ("es-ES", "dime mi progreso", "y después me pones la música de siempre"),
    ("de-DE", "sag mir meinen fortschritt", "und danach schauen wir weiter was noch kommt"),
]


@pytest.mark.parametrize(("locale", "request_", "reason"), WITH_A_REASON)
def test_a_request_with_its_reason_is_heard_as_the_request(
    locale: str, request_: str, reason: str
) -> None:
    model = statistical(locale)
    line = f"{request_} {reason}"
    assert model._statistical_intent(model.words(line)).intent_name == "AMAZON.FallbackIntent"
    alone, with_reason = model.resolve(request_), model.resolve(line)
    assert with_reason.intent_name == alone.intent_name != "AMAZON.FallbackIntent"
    assert resolved_slot_ids(with_reason) == resolved_slot_ids(alone)


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("es-ES", "pon música de los ochenta que me aburro un montón"),
        ("de-DE", "spiel radio bayern drei weil mir langweilig ist"),
    ],
)
def test_a_reason_does_not_bring_an_out_of_domain_request_in(locale: str, line: str) -> None:
    assert statistical(locale).resolve(line).intent_name == "AMAZON.FallbackIntent"


# A name taken back and another said ("no perdón", "nee ich meine"), or one set aside ("nicht
# die ...", "statt dem ...", "en vez de ..."): the slot takes the one the speaker turned to.
CORRECTED = [
    ("es-ES", "vamos a la almeja no perdón al puente", {"exercise": "bridge"}),
    (
        "es-MX",
        "cómo se hace la aducción no la abducción quiero decir",
        {"exercise": "hip_abduction"},
    ),
    ("es-US", "puedo usar un cojín en vez de la pelota", {"equipment": "pillow"}),
    ("de-DE", "geh zur muschel nee ich meine zur brücke", {"exercise": "bridge"}),
    ("de-DE", "nicht die muschel sondern die brücke", {"exercise": "bridge"}),
    ("de-DE", "geht statt dem gürtel auch ein kissen", {"equipment": "pillow"}),
    ("en-US", "how do i do the clamshell no sorry the bridge", {"exercise": "bridge"}),
    ("en-US", "can i use a pillow instead of the ball", {"equipment": "pillow"}),
]


@pytest.mark.parametrize(("locale", "line", "slots"), CORRECTED)
def test_a_name_taken_back_or_set_aside_gives_way_to_the_other(
    locale: str, line: str, slots: dict[str, str]
) -> None:
    assert resolved_slot_ids(statistical(locale).resolve(line)) == slots


# The reason said first, the request after "así que", "por eso", "deshalb", "darum": heard as
# the request. Each whole line is one the classifier alone sends to the fallback (checked).
REASON_FIRST = [
    (
        "es-US",
        "anoche dormí fatal y me levanté con el cuello torcido por eso",
        "solo estiramientos",
    ),
    (
        "es-ES",
        "el médico me dijo ayer en la consulta que no forzara así que",
        "solo los estiramientos",
    ),
    (
        "de-DE",
        "wir waren gestern den ganzen tag wandern in den bergen deshalb",
        "nur die dehnübungen",
    ),
    ("de-DE", "mein rücken war gestern beim gärtnern ganz steif darum", "nur die dehnungen"),
]


@pytest.mark.parametrize(("locale", "reason", "request_"), REASON_FIRST)
def test_a_request_after_its_reason_is_heard_as_the_request(
    locale: str, reason: str, request_: str
) -> None:
    model = statistical(locale)
    line = f"{reason} {request_}"
    assert model._statistical_intent(model.words(line)).intent_name == "AMAZON.FallbackIntent"
    alone, with_reason = model.resolve(request_), model.resolve(line)
    assert with_reason.intent_name == alone.intent_name != "AMAZON.FallbackIntent"


# A span two slot types know ("la pelota" is the ball squeeze and holds the ball) is read both
# ways, and the likelier reading kept: asking to use the ball is about the equipment, leaving
# the ball out is about the exercise.
@pytest.mark.parametrize(
    ("locale", "line", "intent", "slots"),
    [
        ("es-MX", "puedo usar la pelota de mi nieta", "CanIUseIntent", {"equipment": "ball"}),
        ("es-ES", "quita la pelota de la rutina", "LeaveOutIntent", {"exercise": "hip_adduction"}),
        ("es-US", "cómo se hace la pelota", "HowToIntent", {"exercise": "hip_adduction"}),
    ],
)
def test_a_span_two_slot_types_know_is_read_both_ways(
    locale: str, line: str, intent: str, slots: dict[str, str]
) -> None:
    heard = statistical(locale).resolve(line)
    assert heard.intent_name == intent
    assert resolved_slot_ids(heard) == slots


# A German question wrapped in a request puts its verb last; it is heard as asked directly.
@pytest.mark.parametrize(
    ("wrapped", "direct"),
    [
        ("können sie mir sagen wie die brücke funktioniert", "wie funktioniert die brücke"),
        (
            "kannst du mir sagen wie lange ich die brücke halten muss",
            "wie lange muss ich die brücke halten",
        ),
        ("weißt du ob ich ein handtuch nehmen kann", "kann ich ein handtuch nehmen"),
        ("ich wüsste gern was als nächstes kommt", "was kommt als nächstes"),
        ("sag mir welche seite jetzt dran ist", "welche seite ist jetzt dran"),
    ],
)
def test_a_wrapped_german_question_is_heard_as_asked_directly(wrapped: str, direct: str) -> None:
    model = statistical("de-DE")
    alone, asked = model.resolve(direct), model.resolve(wrapped)
    assert asked.intent_name == alone.intent_name != "AMAZON.FallbackIntent"
    assert resolved_slot_ids(asked) == resolved_slot_ids(alone)
    # Out of the domain it stays out.
    assert model.resolve("weißt du wie das wetter morgen wird").intent_name == (
        "AMAZON.FallbackIntent"
    )


# A request said again after the skill misheard it: heard as what follows the words that mark
# it so (or what precedes them at the end), without the part it turns down.
@pytest.mark.parametrize(
    ("locale", "said_again", "request_"),
    [
        ("de-DE", "nee ich mein pause nicht aufhören", "pause"),
        (
            "de-DE",
            "nein ich hab gesagt wie viele wiederholungen nicht übungen",
            "wie viele wiederholungen",
        ),
        ("de-DE", "ich meinte nicht die brücke sondern die muschel", "die muschel"),
        (
            "es-ES",
            "no te pregunto cuánto dura te pregunto qué ejercicios hay",
            "qué ejercicios hay",
        ),
        ("es-MX", "quiero hacer el puente te he dicho", "quiero hacer el puente"),
        (
            "es-US",
            "no te he dicho el siguiente ejercicio no la siguiente repetición",
            "el siguiente ejercicio",
        ),
    ],
)
def test_a_request_said_again_is_heard_as_said_the_second_time(
    locale: str, said_again: str, request_: str
) -> None:
    model = statistical(locale)
    alone, again = model.resolve(request_), model.resolve(said_again)
    assert again.intent_name == alone.intent_name != "AMAZON.FallbackIntent"
    assert resolved_slot_ids(again) == resolved_slot_ids(alone)


def test_a_clock_time_is_the_time_meant_beside_a_part_of_the_day() -> None:
    line = "ahora trabajo por las mañanas así que mueve el aviso a las siete y media de la tarde"
    heard = statistical("es-ES").resolve(line)
    assert heard.intent_name == "ChangeReminderIntent"
    assert resolved_slot_ids(heard) == {"time": "19:30"}
