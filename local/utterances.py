"""Turns a typed line into the request Alexa would send, using the skill's interaction model.

The en-US model (interaction_model/interactionModels/custom/en-US.json) is the only source
of phrasings: sample utterances with ``{slot}`` patterns, and the values and synonyms of the
custom slot types, which give entity resolution the ids the skill's handlers read.

How a line is resolved, first rule that applies:

1. A launch phrase ("open s. i. joint coach", "start si joint coach", "open"): LaunchRequest.
   "ask s. i. joint coach to <request>" resolves <request> as below.
2. A sample with no slots, word for word: its intent.
3. A phrase a built-in intent answers on every device ("yes", "cancel"; in the model's own
   language too: "vale", "déjalo", "passt", "hör auf"), for the AMAZON.* intents the model
   declares; the model's own samples come first. ``strict=True`` leaves
   this rule out, so only what the model itself says is understood (the development-set
   test reports that share beside the statistical one).
4. A sample with slots, each slot taking one or more words. Samples whose slot values
   resolve win over ones that don't; then the sample with more fixed words. A slot takes
   words that are none of its values only in a sample with two or more words of its own:
   "{exercise}" (an exercise named alone) or "the {exercise}" match values and synonyms
   only, never any words at all. An AMAZON.TIME slot takes only words that say a time
   ("eight", "seven thirty in the evening", "noon", "in the evening"), and carries the
   value Alexa would send ("08:00", "19:30", "EV"; Spanish and German times too, "halb
   acht" is "07:30"); an AMAZON.NUMBER slot takes only words that say a whole number, in
   English, Spanish or German, and carries its digits ("ten", "diez", "zehn" are "10").
   Unless ``strict``, only a sample whose every slot resolves is taken here; the rest go on
   to rule 5.
   Unless ``strict``, a line that starts with a filler its language's speakers put before a
   request ("oye", "a ver", "bueno"; "ähm", "na ja", "sag mal"), or ends with a please ("por
   favor", "bitte"), and is no sample as said is resolved without it, from rule 2 on, unless
   that leaves it out of the skill's domain. So is a German question wrapped in a request
   ("können sie mir sagen wie die brücke geht"), asked directly ("wie geht die brücke"), and
   a request said again after the skill misheard it ("nee ich mein pause nicht aufhören"),
   as said the second time ("pause").
5. Unless ``strict``, as Alexa's statistical NLU would: a classifier trained on the model's
   samples (local.nlu) picks the intent, and the slot is the span a slot type knows. Speech
   outside the skill's domain (mostly words that neither a sample nor a slot value uses, a
   guess below the confidence floor, or the out-of-domain class, trained on
   out_of_domain.txt or the language's own out_of_domain.<language>.txt) is
   AMAZON.FallbackIntent. An unsure line that names a custom slot's value ("ándale ponme el
   puente") is read among the intents taking that slot, when together they outweigh the
   fallback twice over. Words no value names are taken as a slot ("do the cartwheel") only
   when the classifier is all but certain and the line names no value of that type. Slots are
   then filled from the spans the heard intent's own slot types know ("el cojín" is an
   exercise's prop and a pillow: "no encuentro el cojín" wants the pillow). A span two slot
   types know is read both ways before the intent is picked, and the likelier reading kept
   ("puedo usar la pelota de mi nieto" asks about the ball, not the ball squeeze).
6. Anything else: AMAZON.FallbackIntent, as a device sends for out-of-domain speech.
   ``nearest_samples`` then shows the samples the line came closest to, so a developer
   can see why it missed.

Comparison ignores case, punctuation and apostrophes ("lets" is "let's") and runs of spaces,
and initialisms may be typed "s. i.", "s.i.", "s i" or "si".
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from local.nlu import (
    CONFIDENCE_FLOOR,
    IntentClassifier,
    IntentGuess,
    cached_classifier,
    slot_token,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_ROOT / "interaction_model" / "interactionModels" / "custom"
EN_US_MODEL_FILE = MODELS_DIR / "en-US.json"


def model_file_of(locale: str) -> Path:
    """The generated interaction model of one locale ("de-DE" -> .../custom/de-DE.json)."""
    return MODELS_DIR / f"{locale}.json"


FALLBACK_INTENT = "AMAZON.FallbackIntent"

# Phrases built-in intents answer whether or not the model lists samples for them (model
# samples only add to these on a device). Kept small: the common words people actually say.
BUILT_IN_PHRASES: Mapping[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": ("yes", "yes please", "yeah", "yep", "sure", "okay", "ok", "correct"),
    "AMAZON.NoIntent": ("no", "no thanks", "nope", "nah", "no thank you"),
    "AMAZON.StopIntent": ("stop", "off", "shut up", "be quiet", "stop it"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it", "cancel that"),
    "AMAZON.HelpIntent": ("help", "help me", "what can i say"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "go to the home screen"),
    "AMAZON.NextIntent": ("next", "skip"),
    "AMAZON.PreviousIntent": ("previous", "go back", "back"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again"),
    "AMAZON.StartOverIntent": ("start over", "restart"),
    "AMAZON.PauseIntent": ("pause",),
    "AMAZON.ResumeIntent": ("resume", "continue"),
}

# The same for Spanish and German: a device's built-in intents know their own language's short
# answers, regional ones too ("vale", "sale", "órale", "simón"; "jo", "passt", "nö"), so a
# model need not list them.
BUILT_IN_PHRASES_OF_LANGUAGE: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "es": {
        "AMAZON.YesIntent": (
            *("sí", "sí por favor", "claro", "claro que sí", "vale", "va", "sale", "simón"),
            *("órale", "de acuerdo", "okey", "ok", "por supuesto", "correcto", "ajá", "eso es"),
            *("obvio", "obvio que sí", "ándale", "ándale pues"),
        ),
        "AMAZON.NoIntent": (
            *("no", "no gracias", "nel", "nop", "para nada", "no quiero", "nada"),
            *("no hace falta", "no es necesario", "qué va hombre", "qué va para nada", "qué va"),
            *("ni de broma", "ni hablar", "de ninguna manera"),
        ),
        "AMAZON.StopIntent": (
            *("para", "detente", "alto", "apágate", "cállate", "basta", "ya basta", "termina"),
            *("salir", "sal", "terminar"),
            # The River Plate's voseo: "pará"; "se acabó"
            *("pará", "se acabó", "pare", "pare ya"),
        ),
        "AMAZON.CancelIntent": (
            *("cancela", "cancelar", "olvídalo", "déjalo", "déjalo así", "no importa"),
            *("olvida eso", "olvidalo", "dejalo", "olvídelo", "déjelo"),
        ),
        "AMAZON.HelpIntent": ("ayuda", "ayúdame", "qué puedo decir", "necesito ayuda"),
        "AMAZON.NavigateHomeIntent": (
            *("inicio", "ve al inicio", "vuelve al inicio", "menú principal", "pantalla principal"),
            *("pantalla de inicio", "ir al inicio", "volver al inicio", "ve al menú", "al menú"),
        ),
        "AMAZON.NextIntent": (
            *("siguiente", "el siguiente", "el que sigue", "próximo", "salta", "avanza", "avanzá"),
        ),
        "AMAZON.PreviousIntent": ("anterior", "atrás", "el anterior", "vuelve atrás", "regrésate"),
        "AMAZON.RepeatIntent": (
            *("repite", "repítelo", "otra vez", "mande", "cómo dices", "qué dijiste", "perdón"),
            *("cómo dijo", "qué dijo", "perdone"),
        ),
        "AMAZON.StartOverIntent": ("empieza de nuevo", "desde el principio", "vuelve a empezar"),
        "AMAZON.PauseIntent": (
            "pausa",
            "espera",
            "esperá",
            "espérame",
            "un momento",
            "un momentito",
        ),
        "AMAZON.ResumeIntent": ("continúa", "reanuda", "continuar", "reanudar", "sigamos con esto"),
    },
    "de": {
        "AMAZON.YesIntent": (
            *("ja", "ja bitte", "jawohl", "jo", "jup", "klar", "na klar", "sicher", "gerne"),
            *("okay", "ok", "passt", "genau", "richtig", "einverstanden", "in ordnung"),
            *("safe", "logo", "logisch", "aber sicher", "sicher doch", "gerne doch", "jawoll"),
            *("jep", "yes", "ja eh", "eh klar", "passt scho", "selbstverständlich", "ja gern"),
            *("klingt gut", "hört sich gut an", "das wäre mir recht"),
            # Turkish "tamam" (okay), as German speakers of Turkish descent say it; "basst"
            *("tamam", "tamam abi", "basst", "basst scho", "geht klar"),
        ),
        "AMAZON.NoIntent": (
            *("nein", "nein danke", "nö", "ne", "nee", "lieber nicht"),
            # Bavarian and Austrian "na", Swiss "nei", Swabian "noi"; "lass mal" declines
            *("na", "naa", "na danke", "nei", "noi", "nei danke", "noi danke", "nein merci"),
            *("nee danke", "nö danke", "lass mal", "nee lass mal", "nein lass mal", "ha nein"),
        ),
        "AMAZON.StopIntent": (
            *("stopp", "stop", "halt", "hör auf", "aufhören", "sei still", "ruhe", "beenden"),
            *("schluss", "aus", "feierabend"),
        ),
        "AMAZON.CancelIntent": (
            *("abbrechen", "vergiss es", "lass es", "lass gut sein", "schon gut", "egal"),
            *("lass stecken", "lassen sie das", "lassen sie es", "vergessen sie es"),
            *("ach doch nicht", "dann doch nicht", "na doch nicht"),
        ),
        "AMAZON.HelpIntent": ("hilfe", "hilf mir", "was kann ich sagen"),
        "AMAZON.NavigateHomeIntent": (
            *("startseite", "zum startbildschirm", "startbildschirm", "hauptmenü", "menü"),
            *("zum menü", "zurück zum menü", "zurück zum hauptmenü", "geh zum hauptmenü"),
            *("zur startseite", "zurück zur startseite", "geh zur startseite", "home"),
            *("geh zum startbildschirm", "bring mich zum hauptmenü", "bring mich zum menü"),
        ),
        # "überspringen" is the skill's own SkipExerciseIntent (the exercise), not Next's.
        # English "done" and "ready", as young German speakers say them
        "AMAZON.NextIntent": (
            "weiter",
            "nächste",
            "die nächste",
            "weida",
            "witer",
            "done",
            "ready",
        ),
        # Swabian and Swiss "zrück", "zruck"
        "AMAZON.PreviousIntent": (
            *("zurück", "vorherige", "die vorherige", "geh zurück", "zrück", "zruck"),
            *("gang zrück", "geh zruck"),
        ),
        "AMAZON.RepeatIntent": (
            *("wiederholen", "wiederhole das", "noch mal", "nochmal", "wie bitte"),
            *("was war das", "was hast du gesagt"),
            *("hä", "häh", "hä was", "wie meinen", "nochmals", "wie war das nochmal", "nomal"),
        ),
        "AMAZON.StartOverIntent": ("von vorne", "neu starten", "noch mal von vorne"),
        "AMAZON.PauseIntent": ("pause", "warte", "moment", "einen moment", "pausieren"),
        "AMAZON.ResumeIntent": ("fortsetzen", "weitermachen", "fortfahren"),
    },
}

# Words said before a request that do not change it ("oye", "a ver", "bueno", "por favor",
# "y"; "ähm", "na ja", "sag mal", "bitte", "und"), as a device's speech recognition and NLU
# pass over them. A line that starts with one and is no sample as said is resolved without
# it: "bueno listo" as "listo". English's model has its own fillers in its samples ("um",
# "so", "well", "please"), so it has no list here.
FILLERS_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "es": (
        *("oye", "oiga", "a ver", "mira", "mire", "mirá", "bueno", "pues", "eh", "ey", "che"),
        *("ok", "okey", "por favor", "porfa", "ahora", "y", "entonces"),
        # Greetings and polite openings before the request
        *("hola", "buenos días", "buenas", "disculpa", "disculpe", "perdona", "perdone"),
        *("si me hace el favor", "si me haces el favor", "si no es mucha molestia", "es que"),
        # A question asked inside a request keeps its words in Spanish: "me podrías decir
        # cuánto dura la rutina" asks "cuánto dura la rutina".
        *("me puedes decir", "me podrías decir", "me puede decir", "me podría decir"),
        *("sabes", "sabe usted", "quería saber", "quisiera saber", "me gustaría saber"),
        *("quería saber si", "quisiera saber si", "me gustaría saber si", "quería preguntar si"),
        *("pero", "quiero saber"),
        # Someone spoken to by name or endearment: "hija", "mi niño", "cariño"
        *("hija", "hijo", "mija", "mijo", "mi niño", "mi niña", "cariño"),
    ),
    "de": (
        *("ähm", "äh", "öhm", "hm", "na ja", "naja", "also", "sag mal", "hey", "so"),
        *("okay", "ok", "bitte", "jetzt", "und", "dann"),
        # Ruhr and northern "hömma", "sach ma"; "digga" and "alter" as young people say them
        *("hömma", "hör mal", "sach ma", "sag ma", "schau mal", "guck mal", "digga", "alter"),
        # Austria's "heast" (listen), and "zack zack" to hurry things along
        *("heast", "zack zack"),
        # Saxon "nu", the Ruhr's "kumma" (look), and a sigh before a request
        *("nu", "kumma", "boah", "puh", "uff", "oh mann"),
        # A "but" that carries on ("aber wie geht das"), and young speakers' English
        *("aber", "sorry", "cool", "okay cool"),
        # Greetings and polite openings before the request
        *("hallo", "servus", "grüß gott", "moin", "entschuldigung", "entschuldigen sie"),
        *("ich wollte fragen", "ich wollte mal fragen", "ich wollte eigentlich fragen"),
    ),
}
# The same after a request: a please ("dime los ejercicios por favor", "weiter bitte"), or
# Mexico's "nomás", a "pues", the River Plate's "che" and Chile's "al tiro" (right away):
# "siguiente nomás", "dale pues".
TRAILING_FILLERS_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "es": (
        *("por favor", "porfa", "porfis", "nomás", "pues", "che", "al tiro"),
        *("hija", "hijo", "mija", "mijo", "mi niño", "mi niña", "cariño"),
    ),
    "de": ("bitte", "bitte schön", "bitteschön", "digga", "alter"),
}

# Requests that wrap a German question ("können sie mir sagen wie die brücke geht", "weißt du
# ob ich ein handtuch nehmen kann"): the wrapped question puts its verb last, and is heard as
# asked directly ("wie geht die brücke", "kann ich ein handtuch nehmen").
QUESTION_FRAMES_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "de": (
        *("kannst du mir sagen", "können sie mir sagen", "könnten sie mir sagen"),
        *("könntest du mir sagen", "kannst du mir erklären", "können sie mir erklären"),
        *("sag mir", "sagen sie mir", "erklär mir", "erklären sie mir", "verrat mir"),
        *("weißt du", "wissen sie", "ich möchte wissen", "ich will wissen", "ich wollte wissen"),
        *("ich wüsste gern", "ich wüsste gerne", "ich würde gern wissen", "ich würde gerne wissen"),
        *("ich frage mich", "mich würde interessieren", "darf ich fragen", "ich wollte fragen"),
        *("ich wollte mal fragen", "ich wollte eigentlich fragen", "sag mal", "sagen sie mal"),
    ),
}
# Words that start a wrapped German question, and those that take the next word with them
# ("wie lange", "welche übung").
_GERMAN_QUESTION_WORDS = frozenset(
    ("wie", "was", "wann", "wo", "wohin", "warum", "wieso", "welche", "welcher", "welches")
) | {"welchen", "wer", "ob", "wieviel", "wieviele"}
_TWO_WORD_QUESTIONS = frozenset(("welche", "welcher", "welches", "welchen")) | {"wie"}

# Words that say a request is being said again, after the skill misheard it ("nee ich mein
# pause nicht aufhören", "no te pregunto cuánto dura te pregunto qué ejercicios hay", "que no
# pares he dicho siguiente"): the request is what follows the last of them (or precedes it, if
# it ends the line), without the part it turns down ("nicht aufhören", "no la repetición").
REPHRASINGS_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "es": (
        *("no te he dicho", "te he dicho", "he dicho", "te digo que", "no te pregunto"),
        "te pregunto",
    ),
    "de": (
        *("nein ich hab gesagt", "nein ich habe gesagt", "ich hab gesagt", "ich habe gesagt"),
        *("nee ich mein", "nee ich meine", "nein ich mein", "nein ich meine", "ne ich mein"),
        *("ich meinte", "hab ich gesagt"),
    ),
}
# Words that turn down what follows them, and words that turn to what is wanted instead.
_TURNED_DOWN = frozenset(("no", "nicht", "kein", "keine", "keinen"))
_INSTEAD = frozenset(("sino", "sondern"))

# Words that join a request to its reason, to what is going on around it or to a second request
# ("sáltate esa que me truena la espalda", "mach mal pause weil es klingelt", "omite este y
# luego me dices cuánto queda"). A Spanish or German line the
# classifier would send to the fallback is read as the request before the first of them that
# leaves one, as a device's NLU hears the request and passes over the rest; a line whose
# request is out of the domain ("pon música que me aburro") stays there.
REASONS_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "es": (
        *("que", "porque", "pues", "ya que", "antes que", "antes de que", "mientras"),
        *("cuando", "pa que", "para que", "así que", "y luego", "y después", "y entonces"),
    ),
    "de": (
        *("weil", "denn", "da", "bevor", "während", "sonst", "wenn", "damit", "dass"),
        *("und dann", "und danach"),
    ),
}
# Words that take back a name just said ("vamos a la aducción no perdón la abducción", "die
# muschel nee ich meine die brücke"): of two values of one slot type with one of these between
# them, the slot takes the later.
CORRECTIONS_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "en": ("no", "sorry", "i mean", "i meant", "actually", "rather"),
    "es": ("no", "perdón", "digo", "quiero decir", "mejor dicho", "mejor"),
    "de": ("nein", "nee", "ne", "sorry", "ich meine", "äh", "quatsch", "lieber", "doch"),
}
# Words after which the request comes, its reason said first ("hoy me duele todo así que solo
# los estiramientos", "ich hatte schon schmerzen deshalb nur die dehnübungen", "mein kreuz ist
# schlecht aber lass uns anfangen"): a line the
# classifier would send to the fallback is read as what follows the first of them that leaves
# the skill's speech.
RESULTS_OF_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "es": ("así que", "por eso", "entonces", "pues entonces", "pero", "aun así"),
    "de": ("deshalb", "darum", "daher", "deswegen", "also", "aber", "trotzdem"),
}
# A request is at least this many words: "ya que ..." is no request with a reason.
REQUEST_BEFORE_A_REASON_WORDS = 2

# Ways to open a skill by name; "open" or "launch" alone stand for "open <this skill>" here,
# since the console talks to one skill only.
# Spanish ("abre", "pide a ... que") and German ("öffne", "frage ... nach") ways are here too:
# a line names the skill by its own language's invocation name, so they never overlap.
LAUNCH_VERBS = ("open", "launch", "start", "begin", "load", "run", "play", "use")
LAUNCH_VERBS += ("abre", "abrir", "inicia", "öffne", "starte")
OPEN_ALONE = ("open", "launch", "abre", "öffne")
ONE_SHOT_VERBS: tuple[tuple[str, ...], ...] = (("ask",), ("tell",))
ONE_SHOT_VERBS += (("pide", "a"), ("pregunta", "a"), ("dile", "a"))
ONE_SHOT_VERBS += (("frage",), ("frag",), ("sage",), ("sag",))
ONE_SHOT_CONNECTORS = ("to", "for", "about", "whether", "if", "and", "que", "si", "nach", "ob")
WAKE_WORD = "alexa"

# A slot may take words that are none of its values only inside a sample with this many
# words of its own ("let's do the {exercise}"): "{exercise}" or "{exercise} please" would
# otherwise take any sentence at all.
MIN_FIXED_WORDS_FOR_UNKNOWN_VALUE = 2

# The most words a slot takes when no value or synonym names them ("do the cartwheel").
OPEN_SLOT_WORDS = 3
# How sure the classifier must be of a line read with such words as a slot: out-of-domain
# lines ("how do i get to the hospital") reach 0.94 this way; named things it lacks, 0.95 up.
OPEN_SLOT_CONFIDENCE = 0.95
ARTICLES = frozenset({"the", "a", "an", "my", "some", "any", "this", "that"})

# Nobody says a sentence this long to a speaker; longer lines go straight to the fallback
# instead of being matched word by word.
MAX_UTTERANCE_WORDS = 40

OUT_OF_DOMAIN_FILE = Path(__file__).resolve().parent / "out_of_domain.txt"


def out_of_domain_file(language: str | None = None) -> Path:
    """The out-of-domain lines of a language: out_of_domain.txt for English, out_of_domain.es.txt
    for Spanish, and so on. A language without its own file falls back to English's."""
    if language and language != "en":
        path = OUT_OF_DOMAIN_FILE.with_name(f"out_of_domain.{language}.txt")
        if path.exists():
            return path
    return OUT_OF_DOMAIN_FILE


def language_of_model_file(path: Path) -> str:
    """The language of a generated model, from its file name ("es-MX.json" -> "es")."""
    return path.stem.split("-", maxsplit=1)[0]


def out_of_domain_lines(path: Path = OUT_OF_DOMAIN_FILE) -> list[str]:
    """Speech no skill of this kind answers: what AMAZON.FallbackIntent is trained on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


_SLOT_REFERENCE = re.compile(r"\{([^{}]+)\}")
_INITIALISM = re.compile(r"(?:\b[a-z]\.\s*){2,}")


def spoken_words(text: str, initialisms: Sequence[str] = ()) -> tuple[str, ...]:
    """Words as the comparison sees them: lower case, no punctuation, initials split.

    ``initialisms`` are initialisms written joined ("si"): a word equal to one is split
    into its letters, matching "s. i." in the model.
    """
    text = text.lower().replace("\u2019", "'").replace("'", "")
    words: list[str] = []
    for word in re.sub(r"[\W_]+", " ", text).split():
        if word in initialisms:
            words.extend(list(word))
        else:
            words.append(word)
    return tuple(words)


@dataclass(frozen=True)
class SlotReference:
    name: str


Pattern = tuple[str | SlotReference, ...]


@dataclass(frozen=True)
class SlotTypeValue:
    """One value of a custom slot type: its id (what the skill reads) and canonical name."""

    value_id: str
    name: str


@dataclass(frozen=True)
class SlotType:
    name: str
    values_by_words: Mapping[tuple[str, ...], SlotTypeValue]
    # Longest value or synonym, in words: the most a slot of this type is allowed to take
    # when what it took matches nothing (Alexa doesn't fill a slot with a whole sentence).
    longest_form: int

    def resolve(self, words: tuple[str, ...]) -> SlotTypeValue | None:
        return self.values_by_words.get(words)


class SpokenTime:
    """The built-in AMAZON.TIME slot type, for the words people say for a time of day.

    Resolves to the value Alexa sends: "HH:MM" (a bare hour is taken as morning, as Alexa
    does), or a part-of-day code (MO, AF, EV, NI). `values_by_words` lists examples. Spanish
    ("ocho y media de la tarde") and German ("acht uhr dreißig abends") hours are read too:
    their words are none of English's.
    """

    name = "AMAZON.TIME"
    longest_form = 6
    _HOURS: Mapping[str, int] = (
        {
            word: number
            for number, word in enumerate(
                (
                    *("zero", "one", "two", "three", "four", "five", "six"),
                    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
                )
            )
        }
        | {
            word: number
            for words in (
                ("cero", "una", "dos", "tres", "cuatro", "cinco", "seis"),
                ("siete", "ocho", "nueve", "diez", "once", "doce"),
                ("null", "ein", "zwei", "drei", "vier", "fünf", "sechs"),
                ("sieben", "acht", "neun", "zehn", "elf", "zwölf"),
            )
            for number, word in enumerate(words, 0 if words[0] in ("cero", "null") else 7)
        }
        | {"eins": 1}
        # The south's and Austria's hours with an -e: "um sechse", "halb siebene".
        | {
            word: number
            for number, word in enumerate(
                (
                    *("zweie", "dreie", "viere", "fünfe", "sechse", "siebene", "achte"),
                    *("neune", "zehne", "elfe", "zwölfe"),
                ),
                2,
            )
        }
    )
    _MINUTES: Mapping[tuple[str, ...], int] = {
        ("oclock",): 0,
        ("oh", "five"): 5,
        ("ten",): 10,
        ("fifteen",): 15,
        ("twenty",): 20,
        ("thirty",): 30,
        ("forty", "five"): 45,
        ("y", "cuarto"): 15,
        ("y", "media"): 30,
        ("y", "treinta"): 30,
        ("y", "diez"): 10,
        ("y", "veinte"): 20,
        ("en", "punto"): 0,
        ("uhr",): 0,
        ("uhr", "zehn"): 10,
        ("uhr", "fünfzehn"): 15,
        ("uhr", "zwanzig"): 20,
        ("uhr", "dreißig"): 30,
        ("uhr", "fünfundvierzig"): 45,
    }
    # Hours said against the next one: "ocho menos cuarto" (7:45); German "halb acht" (7:30),
    # "viertel vor acht" (7:45), "viertel nach acht" (8:15) are read in _value.
    _BEFORE_THE_HOUR: Mapping[tuple[str, ...], int] = {
        ("menos", "cuarto"): 45,
        ("menos", "diez"): 50,
        ("menos", "veinte"): 40,
    }
    # Minutes said to the hour in Latin America: "un cuarto para las ocho", "diez para la una".
    _TO_THE_HOUR: Mapping[str, int] = {
        **{"cinco": 5, "diez": 10, "quince": 15, "cuarto": 15, "veinte": 20},
        "veinticinco": 25,
    }
    # German minutes said past or to the hour: "zehn nach sieben", "viertel vor acht".
    _PAST_OR_TO: Mapping[str, int] = {"fünf": 5, "zehn": 10, "viertel": 15, "zwanzig": 20}
    # German says the afternoon's hours on the 24-hour clock: "um neunzehn uhr".
    _DAY_HOURS: Mapping[str, int] = {
        word: number
        for number, word in enumerate(
            (
                *("dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn"),
                *("neunzehn", "zwanzig", "einundzwanzig", "zweiundzwanzig", "dreiundzwanzig"),
            ),
            13,
        )
    }
    _PERIODS: Mapping[tuple[str, ...], str] = {
        ("in", "the", "morning"): "MO",
        ("morning",): "MO",
        ("in", "the", "afternoon"): "AF",
        ("afternoon",): "AF",
        ("in", "the", "evening"): "EV",
        ("evening",): "EV",
        ("at", "night"): "NI",
        ("tonight",): "NI",
        ("de", "la", "mañana"): "MO",
        ("de", "la", "tarde"): "AF",
        ("de", "la", "noche"): "NI",
        ("por", "la", "mañana"): "MO",
        ("por", "la", "tarde"): "AF",
        ("por", "la", "noche"): "NI",
        ("en", "la", "mañana"): "MO",
        ("en", "la", "tarde"): "AF",
        ("en", "la", "noche"): "NI",
        ("morgens",): "MO",
        ("vormittags",): "MO",
        ("am", "morgen"): "MO",
        ("am", "vormittag"): "MO",
        ("in", "der", "früh"): "MO",
        ("früh",): "MO",
        ("nachmittags",): "AF",
        ("am", "nachmittag"): "AF",
        ("nachmittag",): "AF",  # "um fünf uhr nachmittag", as "abend" below
        ("mittags",): "AF",
        ("am", "mittag"): "AF",
        ("por", "las", "mañanas"): "MO",
        ("por", "las", "tardes"): "AF",
        ("por", "las", "noches"): "NI",
        ("abends",): "EV",
        ("am", "abend"): "EV",
        ("abend",): "EV",  # "um sieben uhr abend", as a learner says "abends"
        ("nachts",): "NI",
        ("in", "der", "nacht"): "NI",
        # Every day's part of the day, said before the hour: "jeden abend um acht" (20:00),
        # "todas las tardes a las cinco" (17:00).
        ("jeden", "morgen"): "MO",
        ("jeden", "vormittag"): "MO",
        ("jeden", "nachmittag"): "AF",
        ("jeden", "abend"): "EV",
        ("todas", "las", "mañanas"): "MO",
        ("todas", "las", "tardes"): "AF",
        ("todas", "las", "noches"): "NI",
    }
    # Words between a part of the day said first and its hour ("abends um acht"), and how
    # that part of the day is said after the hour, to read the two the same.
    _AFTER_A_PERIOD: tuple[tuple[str, ...], ...] = (
        *(("so", "um"), ("so", "gegen"), ("um",), ("gegen",)),
        *(("a", "las"), ("a", "la"), ("a", "eso", "de", "las"), ("sobre", "las")),
    )
    _SAID_AFTER: Mapping[str, tuple[str, ...]] = {
        "MO": ("morgens",),
        "AF": ("nachmittags",),
        "EV": ("abends",),
        "NI": ("nachts",),
    }
    _PERIOD_WORDS = frozenset(word for words in _PERIODS for word in words[-1:]) | {"am", "pm"}
    _NOON = frozenset({("noon",), ("midday",), ("mediodía",), ("mittag",), ("mittags",)})
    _MIDNIGHT = frozenset({("midnight",), ("medianoche",), ("mitternacht",)})
    _AFTER_NOON = frozenset({"AF", "EV", "NI"})

    def __init__(self) -> None:
        examples = ("eight", "seven thirty in the evening", "noon", "in the evening", "6 pm")
        self.values_by_words: Mapping[tuple[str, ...], SlotTypeValue] = {
            tuple(example.split()): value
            for example in examples
            if (value := self.resolve(tuple(example.split()))) is not None
        }

    # Words after which a bare hour word is a time: "at eight", "a las ocho", "um acht". Elsewhere
    # "una", "ein" or "one" is an article or a count ("una rutina corta", "ein knie").
    _TIME_CONTEXT = frozenset(
        {
            *("at", "for", "to", "it", "by", "around", "until", "till", "before", "after"),
            *("la", "las", "para", "hacia", "sobre", "antes", "después"),
            *("um", "gegen", "ab", "bis", "auf", "für", "vor", "nach"),
        }
    )

    def resolve(self, words: tuple[str, ...]) -> SlotTypeValue | None:
        value = self._value(words)
        return None if value is None else SlotTypeValue(value, value)

    # Words before "früh" that make it "too early", no part of the day: "die erinnerung kommt
    # zu früh", "viel zu früh", "so früh".
    _DEGREE_BEFORE_EARLY = frozenset({"zu", "so", "recht", "ziemlich", "etwas"})

    def needs_context(self, words: tuple[str, ...]) -> bool:
        """Whether these words are a bare hour ("ocho", "ein", "8"): a time only after a word
        that leads to one, or said alone; or German "früh", no time after "zu" or "so"."""
        return len(words) == 1 and (
            words[0].isdigit() or words[0] in self._HOURS or words[0] == "früh"
        )

    def in_context(
        self, before: tuple[str, ...], after: tuple[str, ...], words: tuple[str, ...] = ()
    ) -> bool:
        """Whether a bare hour between ``before`` and ``after`` (the line's other words) is a
        time: said alone, or after a word that leads to one. "früh" is a time unless a word
        of degree comes before it ("zu früh")."""
        if words == ("früh",):
            return not before or before[-1] not in self._DEGREE_BEFORE_EARLY
        return (not before and not after) or (bool(before) and before[-1] in self._TIME_CONTEXT)

    def _value(self, words: tuple[str, ...]) -> str | None:
        if words in self._NOON:
            return "12:00"
        if words in self._MIDNIGHT:
            return "00:00"
        if words in self._PERIODS:
            return self._PERIODS[words]
        # The part of the day said first: "abends um acht" (20:00), "morgens um sechs",
        # "por la tarde a las siete" (19:00).
        for start, code in self._PERIODS.items():
            if words[: len(start)] == start:
                rest = words[len(start) :]
                lead = next(
                    (lead for lead in self._AFTER_A_PERIOD if rest[: len(lead)] == lead), ()
                )
                rest = rest[len(lead) :]
                if rest and rest[-1] not in self._PERIOD_WORDS:
                    said = rest if rest[0] in self._DAY_HOURS else (*rest, *self._SAID_AFTER[code])
                    value = self._value(said)  # "abends um zwanzig uhr" as "zwanzig uhr"
                    if value is not None and ":" in value:
                        return value
        period = None
        for ending, code in [*self._PERIODS.items(), (("pm",), "AF"), (("p", "m"), "AF")]:
            if len(words) > len(ending) and words[-len(ending) :] == ending:
                words, period = words[: -len(ending)], code
                break
        else:
            for ending in (("am",), ("a", "m")):
                if len(words) > len(ending) and words[-len(ending) :] == ending:
                    words, period = words[: -len(ending)], "MO"
        if not words:
            return None
        if words[0] in self._DAY_HOURS and words[1:2] == ("uhr",):
            minute = self._MINUTES.get(words[1:])
            if minute is None or period is not None:
                return None
            return f"{self._DAY_HOURS[words[0]]:02d}:{minute:02d}"
        hour, minute = self._hour_and_minute(words)
        if hour is None or minute is None or not 1 <= hour <= 12:
            return None
        if period in self._AFTER_NOON and hour != 12:
            hour += 12
        elif period == "MO" and hour == 12:
            hour = 0
        return f"{hour:02d}:{minute:02d}"

    def _hour_and_minute(self, words: tuple[str, ...]) -> tuple[int | None, int | None]:
        """The hour (1 to 12) and minute of a time said without its part of the day."""

        def hour_of(word: str) -> int | None:
            return int(word) if word.isdigit() else self._HOURS.get(word)

        if len(words) == 2 and words[0] == "halb":  # "halb acht": half an hour before eight
            hour = hour_of(words[1])
            return (None if hour is None else (hour - 2) % 12 + 1), 30
        # "viertel acht" (7:15) and "dreiviertel acht" (7:45), as the south and east of
        # Germany and Austria say them: quarters of the hour leading to eight.
        quarters = {("viertel",): 15, ("dreiviertel",): 45, ("drei", "viertel"): 45}
        if len(words) in (2, 3) and words[:-1] in quarters:
            hour = hour_of(words[-1])
            return (None if hour is None else (hour - 2) % 12 + 1), quarters[words[:-1]]
        # "zehn nach sieben" (7:10), "viertel vor acht" (7:45), "zwanzig vor acht" (7:40);
        # Switzerland's "viertel ab sieben" (7:15).
        if len(words) == 3 and words[0] in self._PAST_OR_TO and words[1] in ("vor", "nach", "ab"):
            hour, minutes = hour_of(words[2]), self._PAST_OR_TO[words[0]]
            if hour is None:
                return None, None
            return ((hour - 2) % 12 + 1, 60 - minutes) if words[1] == "vor" else (hour, minutes)
        # Latin America's "un cuarto para las ocho" (7:45), "diez para las ocho" (7:50).
        said = words[1:] if words[:1] == ("un",) else words
        if len(said) == 4 and said[0] in self._TO_THE_HOUR and said[1:3] in _TO_LAS:
            hour = hour_of(said[3])
            if hour is None:
                return None, None
            return (hour - 2) % 12 + 1, 60 - self._TO_THE_HOUR[said[0]]
        hour = hour_of(words[0])
        if hour is not None and words[1:] in self._BEFORE_THE_HOUR:
            return (hour - 2) % 12 + 1, self._BEFORE_THE_HOUR[words[1:]]
        minute = 0 if len(words) == 1 else self._MINUTES.get(words[1:])
        return hour, minute


_TO_LAS = {("para", "las"), ("para", "la")}


class SpokenNumber:
    """The built-in AMAZON.NUMBER slot type: words for a whole number ("ten", "twenty five",
    "a hundred", "15"), resolving to the digits Alexa sends ("10")."""

    name = "AMAZON.NUMBER"
    longest_form = 4
    _UNITS: Mapping[str, int] = {
        word: number
        for number, word in enumerate(
            (
                *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight"),
                *("nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"),
                *("sixteen", "seventeen", "eighteen", "nineteen"),
            )
        )
    }
    _TENS: Mapping[str, int] = {
        "twenty": 20,
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
    }

    def __init__(self) -> None:
        examples = ("ten", "five", "twenty five", "a hundred", "15")
        self.values_by_words: Mapping[tuple[str, ...], SlotTypeValue] = {
            tuple(example.split()): value
            for example in examples
            if (value := self.resolve(tuple(example.split()))) is not None
        }

    # Spanish and German number words ("veinticinco", "treinta y cinco", "fünfundzwanzig"),
    # read beside English's. Articles ("un", "una", "ein", "eine") are left out: Alexa does
    # not fill a number slot with "a".
    _SPANISH_UNITS: Mapping[str, int] = {
        word: number
        for number, word in enumerate(
            (
                *("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho"),
                *("nueve", "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis"),
                *("diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós"),
                *("veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete"),
                *("veintiocho", "veintinueve"),
            )
        )
    }
    _SPANISH_TENS: Mapping[str, int] = {
        "treinta": 30,
        "cuarenta": 40,
        "cincuenta": 50,
        "sesenta": 60,
        "setenta": 70,
        "ochenta": 80,
        "noventa": 90,
    }
    _GERMAN_UNITS: Mapping[str, int] = {
        word: number
        for number, word in enumerate(
            (
                *("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht"),
                *("neun", "zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn"),
                *("sechzehn", "siebzehn", "achtzehn", "neunzehn"),
            )
        )
    }
    _GERMAN_TENS: Mapping[str, int] = {
        "zwanzig": 20,
        "dreißig": 30,
        "vierzig": 40,
        "fünfzig": 50,
        "sechzig": 60,
        "siebzig": 70,
        "achtzig": 80,
        "neunzig": 90,
    }
    _HUNDREDS = frozenset({("cien",), ("hundert",), ("einhundert",)})

    def resolve(self, words: tuple[str, ...]) -> SlotTypeValue | None:
        number = self._value(words)
        if number is None:
            number = self._spanish_or_german(words)
        return None if number is None else SlotTypeValue(str(number), str(number))

    def _spanish_or_german(self, words: tuple[str, ...]) -> int | None:
        if words in self._HUNDREDS:
            return 100
        if len(words) == 1:
            (word,) = words
            for table in (self._SPANISH_UNITS, self._SPANISH_TENS):
                if word in table:
                    return table[word]
            for table in (self._GERMAN_UNITS, self._GERMAN_TENS):
                if word in table:
                    return table[word]
            unit, joined, tens = word.partition("und")  # "fünfundzwanzig"
            unit = "eins" if unit == "ein" else unit
            if joined and tens in self._GERMAN_TENS and 0 < self._GERMAN_UNITS.get(unit, 0) < 10:
                return self._GERMAN_TENS[tens] + self._GERMAN_UNITS[unit]
            return None
        if len(words) == 3 and words[0] in self._SPANISH_TENS and words[1] == "y":
            unit = self._SPANISH_UNITS.get(words[2], 0)
            return self._SPANISH_TENS[words[0]] + unit if 0 < unit < 10 else None
        return None

    def _value(self, words: tuple[str, ...]) -> int | None:
        if len(words) == 1 and words[0].isdigit():
            return int(words[0])
        if words in {("a", "hundred"), ("one", "hundred"), ("hundred",)}:
            return 100
        if len(words) == 1:
            return self._UNITS.get(words[0], self._TENS.get(words[0]))
        if len(words) == 2 and words[0] in self._TENS and words[1] in self._UNITS:
            unit = self._UNITS[words[1]]
            return self._TENS[words[0]] + unit if 0 < unit < 10 else None
        return None


@dataclass(frozen=True)
class SlotFill:
    """A slot as heard: the words it took and what entity resolution made of them."""

    name: str
    slot_type: str
    spoken: str
    value: SlotTypeValue | None

    @property
    def status_code(self) -> str:
        return "ER_SUCCESS_MATCH" if self.value else "ER_SUCCESS_NO_MATCH"

    def as_json(self, skill_id: str) -> dict[str, Any]:
        if self.slot_type.startswith("AMAZON."):
            # A built-in type sends its normalised value ("08:00") and no entity resolution.
            value = self.value.value_id if self.value else self.spoken
            slot_value = {"type": "Simple", "value": value}
            return {
                "name": self.name,
                "value": value,
                "confirmationStatus": "NONE",
                "source": "USER",
                "slotValue": slot_value,
            }
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{skill_id}.{self.slot_type}",
            "status": {"code": self.status_code},
        }
        if self.value:
            authority["values"] = [{"value": {"name": self.value.name, "id": self.value.value_id}}]
        resolutions = {"resolutionsPerAuthority": [authority]}
        return {
            "name": self.name,
            "value": self.spoken,
            "confirmationStatus": "NONE",
            "source": "USER",
            "resolutions": resolutions,
            "slotValue": {"type": "Simple", "value": self.spoken, "resolutions": resolutions},
        }


@dataclass(frozen=True)
class Resolution:
    """What a line resolved to: a LaunchRequest, or an IntentRequest with its slots."""

    request_type: Literal["LaunchRequest", "IntentRequest"]
    intent_name: str | None = None
    slots: tuple[SlotFill, ...] = ()
    # Every slot the intent declares: Alexa sends the unfilled ones too, without a value.
    declared_slots: tuple[str, ...] = ()

    @property
    def is_launch(self) -> bool:
        return self.request_type == "LaunchRequest"

    def slot(self, name: str) -> SlotFill | None:
        return next((fill for fill in self.slots if fill.name == name), None)

    def request_body(self, skill_id: str) -> dict[str, Any]:
        """The envelope's ``request`` object, without requestId, timestamp and locale."""
        if self.is_launch:
            return {"type": "LaunchRequest"}
        filled = {fill.name: fill.as_json(skill_id) for fill in self.slots}
        slots = {
            name: filled.get(name, {"name": name, "confirmationStatus": "NONE"})
            for name in self.declared_slots
        }
        intent: dict[str, Any] = {"name": self.intent_name, "confirmationStatus": "NONE"}
        if slots:
            intent["slots"] = slots
        return {"type": "IntentRequest", "intent": intent}

    def describe(self) -> str:
        """One line for the console: `HowToIntent (exercise: "glute bridge" = bridge)`."""
        if self.is_launch:
            return "LaunchRequest"
        details = [
            f'{fill.name}: "{fill.spoken}" = {fill.value.value_id}'
            if fill.value
            else f'{fill.name}: "{fill.spoken}", no match'
            for fill in self.slots
        ]
        return f"{self.intent_name} ({'; '.join(details)})" if details else str(self.intent_name)


@dataclass(frozen=True)
class TaggedSpan:
    """Words of a line that a slot type knows, and the value they resolve to."""

    slot_type: str
    words: tuple[str, ...]
    value: SlotTypeValue


@dataclass(frozen=True)
class IntentSamples:
    name: str
    slot_types: Mapping[str, str]
    exact: frozenset[tuple[str, ...]]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class NearSample:
    """A sample a line that matched nothing came close to, and how close (0 to 1)."""

    intent_name: str
    sample: str
    similarity: float


class InteractionModel:
    """One locale's interaction model, ready to resolve typed lines."""

    def __init__(
        self, document: Mapping[str, Any], *, strict: bool = False, language: str | None = None
    ) -> None:
        language_model = document["interactionModel"]["languageModel"]
        # The model's language ("es"): which out-of-domain lines its fallback is trained on.
        self.out_of_domain_file = out_of_domain_file(language)
        self.invocation_name: str = language_model["invocationName"]
        texts = [self.invocation_name] + [
            sample for intent in language_model["intents"] for sample in intent.get("samples", [])
        ]
        self.initialisms: tuple[str, ...] = tuple(
            sorted(
                {
                    re.sub(r"[^a-z]", "", found)
                    for text in texts
                    for found in _INITIALISM.findall(text.lower())
                }
            )
        )
        self.invocation_words = self.words(self.invocation_name)
        self.slot_types: dict[str, SlotType | SpokenTime | SpokenNumber] = {
            slot_type["name"]: self._slot_type(slot_type)
            for slot_type in language_model.get("types", [])
        }
        self.slot_types[SpokenTime.name] = SpokenTime()
        self.slot_types[SpokenNumber.name] = SpokenNumber()
        self.intents = tuple(self._intent(intent) for intent in language_model["intents"])
        # Each sample as written, as compared and as a set of words, for the nearest to a miss.
        self._samples = tuple(
            (intent["name"], sample, compared, frozenset(compared.split()))
            for intent in language_model["intents"]
            for sample in intent.get("samples", [])
            for compared in [sample if "{" in sample else " ".join(self.words(sample))]
        )
        self._intent_of_exact_sample: dict[tuple[str, ...], IntentSamples] = {}
        for intent in self.intents:
            for sample_words in intent.exact:
                self._intent_of_exact_sample.setdefault(sample_words, intent)
        # Samples with slots, as a tree of their words, so a line is walked once through
        # every sample that could read like it instead of being tried against each in turn.
        self._pattern_tree = _PatternNode()
        order = 0
        for intent in self.intents:
            for pattern in intent.patterns:
                self._pattern_tree.add(pattern, (order, intent, pattern))
                order += 1
        self._longest_slot_value = max(
            (slot_type.longest_form for slot_type in self.slot_types.values()), default=1
        )
        self.strict = strict
        self._language_model = language_model
        self._classifier: IntentClassifier | None = None
        used_types = {
            slot["type"] for intent in language_model["intents"] for slot in intent.get("slots", [])
        }
        self._taggable_types = tuple(
            (name, slot_type) for name, slot_type in self.slot_types.items() if name in used_types
        )
        # Alexa fills a custom slot with words its values don't name; a time slot, never.
        self._open_slot_types = tuple(
            name for name, slot_type in self._taggable_types if isinstance(slot_type, SlotType)
        )
        self._open_slot_tokens = frozenset(slot_token(name) for name in self._open_slot_types)
        declared = {intent.name for intent in self.intents}
        self.fillers, self.trailing_fillers = (
            tuple(
                sorted(
                    (self.words(filler) for filler in table.get(language or "en", ())),
                    key=len,
                    reverse=True,
                )
            )
            for table in (FILLERS_OF_LANGUAGE, TRAILING_FILLERS_OF_LANGUAGE)
        )
        self.corrections = tuple(
            self.words(marker) for marker in CORRECTIONS_OF_LANGUAGE.get(language or "en", ())
        )
        self.results = frozenset(
            self.words(result) for result in RESULTS_OF_LANGUAGE.get(language or "en", ())
        )
        self.reasons = frozenset(
            self.words(reason) for reason in REASONS_OF_LANGUAGE.get(language or "en", ())
        )
        self.rephrasings = tuple(
            sorted(
                (self.words(r) for r in REPHRASINGS_OF_LANGUAGE.get(language or "en", ())),
                key=len,
                reverse=True,
            )
        )
        self.question_frames = tuple(
            sorted(
                (self.words(f) for f in QUESTION_FRAMES_OF_LANGUAGE.get(language or "en", ())),
                key=len,
                reverse=True,
            )
        )
        self.built_in_phrases: dict[tuple[str, ...], str] = {}
        own = BUILT_IN_PHRASES_OF_LANGUAGE.get(language or "en", {})
        for table in () if strict else (own, BUILT_IN_PHRASES):
            for intent_name, phrases in table.items():
                if intent_name in declared:
                    for phrase in phrases:
                        self.built_in_phrases.setdefault(self.words(phrase), intent_name)

    @classmethod
    def from_file(cls, path: Path = EN_US_MODEL_FILE, *, strict: bool = False) -> InteractionModel:
        document = json.loads(path.read_text(encoding="utf-8"))
        return cls(document, strict=strict, language=language_of_model_file(path))

    def words(self, text: str) -> tuple[str, ...]:
        return spoken_words(text, self.initialisms)

    def resolve(self, line: str) -> Resolution:
        """The request a device would send for ``line`` (see the module docstring)."""
        words = self.words(line)
        if words[:1] == (WAKE_WORD,):
            words = words[1:]
        if not words or len(words) > MAX_UTTERANCE_WORDS:
            return self._fallback()
        if self._is_launch(words):
            return Resolution("LaunchRequest")
        one_shot = self._one_shot_request(words)
        if one_shot is not None:
            words = one_shot
            if not words:
                return Resolution("LaunchRequest")
        return self._intent_for(words)

    # -- matching ------------------------------------------------------------------------

    def _is_launch(self, words: tuple[str, ...]) -> bool:
        name = self.invocation_words
        if words in {(verb,) for verb in OPEN_ALONE} or words == name:
            return True
        verb_phrases = [(verb,) for verb in LAUNCH_VERBS] + [("talk", "to")]
        return any(words == (*verb, *name) for verb in verb_phrases) or any(
            words == (*verb, "the", *name) for verb in verb_phrases
        )

    def _one_shot_request(self, words: tuple[str, ...]) -> tuple[str, ...] | None:
        """The request part of "ask <name> [to] <request>", or None for other lines."""
        name = self.invocation_words
        verb = next((v for v in ONE_SHOT_VERBS if words[: len(v)] == v), None)
        if verb is None:
            return None
        if words[len(verb) : len(verb) + len(name)] != name:
            return None
        rest = words[len(verb) + len(name) :]
        if rest[:1] and rest[0] in ONE_SHOT_CONNECTORS and len(rest) > 1:
            return rest[1:]
        return rest

    def _intent_for(self, words: tuple[str, ...]) -> Resolution:
        exact = self._intent_of_exact_sample.get(words)
        if exact is not None:
            return self._resolution(exact, ())
        built_in = self.built_in_phrases.get(words)
        if built_in is not None:
            return self._resolution(self._intent_named(built_in), ())
        literal = self._best_pattern(words)
        if self.strict:
            return self._fallback() if literal is None else self._resolution(*literal)
        # A sample with every slot filled by a value it knows is understood as written; one
        # whose slot took unknown words is left to the classifier (an article or a filler
        # the chosen samples leave out would otherwise be taken for the slot's value).
        if literal is not None and all(fill.value for fill in literal[1]):
            return self._resolution(*literal)
        for rest in (
            self._without_filler(words),
            self._asked_directly(words),
            self._said_again(words),
        ):
            if rest:
                # Heard without the filler (or the request around a question), unless only
                # the whole line is the skill's speech.
                resolution = self._intent_for(rest)
                if resolution.intent_name != FALLBACK_INTENT:
                    return resolution
        heard = self._statistical_intent(words)
        if heard.intent_name == FALLBACK_INTENT:
            return self._request_before_its_reason(words) or heard
        return heard

    def _request_before_its_reason(self, words: tuple[str, ...]) -> Resolution | None:
        """The request a line starts with, before the words that give its reason ("déjelo
        ya por hoy que viene mi hija": "déjelo ya por hoy"), or the one it ends with, after
        its reason ("... así que solo los estiramientos"), if that is the skill's speech."""
        for end in range(REQUEST_BEFORE_A_REASON_WORDS, len(words) - 1):
            if any(words[end : end + len(reason)] == reason for reason in self.reasons):
                resolution = self._intent_for(words[:end])
                if resolution.intent_name != FALLBACK_INTENT:
                    return resolution
        # The reason said first, the request after it.
        for start in range(1, len(words) - REQUEST_BEFORE_A_REASON_WORDS):
            for result in self.results:
                if words[start : start + len(result)] == result:
                    rest = words[start + len(result) :]
                    if len(rest) >= REQUEST_BEFORE_A_REASON_WORDS:
                        resolution = self._intent_for(rest)
                        if resolution.intent_name != FALLBACK_INTENT:
                            return resolution
        return None

    def _said_again(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The request a line says again after words that mark it so, or nothing: "nee ich
        mein pause nicht aufhören" as "pause", "no te he dicho una alarma te he dicho un
        recordatorio diario" as "un recordatorio diario" (see REPHRASINGS_OF_LANGUAGE)."""
        marks = []  # (start, end) of each marking phrase, left to right
        start = 0
        while start < len(words):
            found = next((r for r in self.rephrasings if words[start : start + len(r)] == r), None)
            # "olvida lo que te he dicho", "vergiss was ich gesagt habe": what was said, not
            # a request said again
            if found is not None and words[max(0, start - 2) : start] in (("lo", "que"),):
                found = None
            if found is None:
                start += 1
            else:
                marks.append((start, start + len(found)))
                start += len(found)
        if not marks:
            return ()
        segment = words[marks[-1][1] :]
        if not segment:
            before = marks[-2][1] if len(marks) > 1 and marks[-2][1] == marks[-1][0] else 0
            segment = words[before : marks[-1][0]]
            while segment[:1] and segment[0] in ("no", "que", "nein", "nee", "ne"):
                segment = segment[1:]  # "no que quiero hacer el puente te he dicho"
        instead = next((i for i, word in enumerate(segment) if word in _INSTEAD), None)
        if instead is not None:
            segment = segment[instead + 1 :]
        elif segment and segment[0] in _TURNED_DOWN:
            return ()
        else:
            down = next((i for i, word in enumerate(segment) if word in _TURNED_DOWN), None)
            segment = segment if down is None else segment[:down]
        return segment if segment != words else ()

    def _asked_directly(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The question a German request wraps, as asked directly, or nothing: "können sie
        mir sagen wie lange ich halten muss" as "wie lange muss ich halten", "weißt du ob ich
        ein kissen nehmen kann" as "kann ich ein kissen nehmen"."""
        frame = next((f for f in self.question_frames if words[: len(f)] == f), None)
        if frame is None:
            return ()
        clause = words[len(frame) :]
        while clause[:1] and clause[0] in ("bitte", "mal", "doch", "denn"):
            clause = clause[1:]
        if len(clause) < 3 or clause[0] not in _GERMAN_QUESTION_WORDS:
            return ()
        if clause[0] == "ob":  # a yes-or-no question: its verb comes first
            return (clause[-1], *clause[1:-1])
        lead = 2 if clause[0] in _TWO_WORD_QUESTIONS and len(clause) > 3 else 1
        if clause[0] == "wie" and clause[1] not in ("lange", "lang", "viele", "viel", "oft"):
            lead = 1
        return (*clause[:lead], clause[-1], *clause[lead:-1])

    def _without_filler(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The line without the filler it starts with ("a ver qué sigue": "qué sigue") or the
        please it ends with, or nothing if it has neither or is only a filler."""
        for filler in self.fillers:
            if words[: len(filler)] == filler and len(words) > len(filler):
                return words[len(filler) :]
        for filler in self.trailing_fillers:
            if words[-len(filler) :] == filler and len(words) > len(filler):
                return words[: -len(filler)]
        return ()

    def _best_pattern(
        self, words: tuple[str, ...]
    ) -> tuple[IntentSamples, tuple[SlotFill, ...]] | None:
        """The sample with slots that reads as ``words``, as rule 4 of the docstring ranks them."""
        best: tuple[tuple[int, int, int], IntentSamples, tuple[SlotFill, ...]] | None = None
        matches = self._pattern_tree.matches(words, 0, {}, self._longest_slot_value)
        for (order, intent, pattern), assignment in matches:
            fills = self._fills(intent, assignment)
            if fills is None:
                continue
            resolved = sum(1 for fill in fills if fill.value)
            fixed_words = sum(1 for part in pattern if isinstance(part, str))
            if resolved < len(fills) and fixed_words < MIN_FIXED_WORDS_FOR_UNKNOWN_VALUE:
                continue
            # Ties go to the sample listed first in the model.
            rank = (resolved - len(fills), fixed_words, -order)
            if best is None or rank > best[0]:
                best = (rank, intent, fills)
        return None if best is None else (best[1], best[2])

    # -- statistical resolution ----------------------------------------------------------

    def prepare(self) -> None:
        """Loads (or trains and caches) the statistical classifier now rather than on first use."""
        if not self.strict:
            _ = self.classifier

    @property
    def classifier(self) -> IntentClassifier:
        if self._classifier is None:
            source = json.dumps(self._language_model, sort_keys=True, ensure_ascii=False)
            out_of_domain = self.out_of_domain_file.read_text("utf-8")
            built_in = json.dumps(sorted(self.built_in_phrases.items()), ensure_ascii=False)
            key = hashlib.sha256((source + out_of_domain + built_in).encode())
            self._classifier = cached_classifier(key.hexdigest(), self.training_examples)
        return self._classifier

    def _knows_word(self, word: str) -> bool:
        """Whether any sample (not the out-of-domain lines) uses the word."""
        column = self.classifier.vocabulary.get(f"w {word}")
        return column is not None and bool(self.classifier.in_domain[column])

    def training_examples(self) -> list[tuple[tuple[str, ...], str]]:
        """Every sample (and phrase a built-in intent answers), its slots as their types' tokens."""
        examples = []
        for intent in self._language_model["intents"]:
            slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                tokens: list[str] = []
                for index, piece in enumerate(_SLOT_REFERENCE.split(sample)):
                    if index % 2:
                        tokens.append(slot_token(slot_types.get(piece, piece)))
                    else:
                        tokens.extend(self.tag(self.words(piece))[0])
                examples.append((tuple(tokens), intent["name"]))
        for phrase, intent_name in self.built_in_phrases.items():
            examples.append((self.tag(phrase)[0], intent_name))
        if FALLBACK_INTENT in {intent.name for intent in self.intents}:
            examples += [
                (self.tag(self.words(line))[0], FALLBACK_INTENT)
                for line in out_of_domain_lines(self.out_of_domain_file)
            ]
        return examples

    def tag(
        self,
        words: tuple[str, ...],
        *,
        numbers_first: bool = False,
        only: frozenset[str] | None = None,
    ) -> tuple[tuple[str, ...], tuple[TaggedSpan, ...]]:
        """The words with each span a slot type knows replaced by its token, longest first.

        A bare hour word is a time only after a word that leads to one ("a las ocho", "um
        acht") or alone: "una rutina corta" has no time in it. A bare number is both a time
        and a number ("ten", "diez"): it is read as a time unless ``numbers_first`` ("ten
        minutes" is read both ways, and the likelier reading kept).
        ``only`` limits the slot types looked for, to those of the intent the line was heard
        as: "el cojín" names an exercise's prop as well as a pillow, and "no encuentro el
        cojín" wants the pillow.
        """
        taggable = self._taggable_types
        if only is not None:
            taggable = tuple(pair for pair in taggable if pair[0] in only)
        if numbers_first:
            taggable = tuple(sorted(taggable, key=lambda pair: pair[0] != SpokenNumber.name))
        tokens: list[str] = []
        spans: list[TaggedSpan] = []
        start = 0
        while start < len(words):
            found = None
            for size in range(min(self._longest_slot_value, len(words) - start), 0, -1):
                span = words[start : start + size]
                found = next(
                    (
                        TaggedSpan(type_name, span, value)
                        for type_name, slot_type in taggable
                        if (value := slot_type.resolve(span)) is not None
                        and not (
                            isinstance(slot_type, SpokenTime)
                            and slot_type.needs_context(span)
                            and not slot_type.in_context(words[:start], words[start + 1 :], span)
                        )
                    ),
                    None,
                )
                if found is not None:
                    break
            if found is None:
                tokens.append(words[start])
                start += 1
            else:
                tokens.append(slot_token(found.slot_type))
                spans.append(found)
                start += len(found.words)
        return tuple(tokens), tuple(spans)

    def _statistical_intent(self, words: tuple[str, ...]) -> Resolution:
        classifier = self.classifier
        tokens, spans = self.tag(words)
        # A slot value the model names ("más despacio", "el puente") is the model's own word:
        # "vaya más despacio" is one unknown word beside a known value, not a foreign line.
        known = sum(token.startswith("<") or self._knows_word(token) for token in tokens)
        if 2 * known < len(tokens):
            return self._fallback()  # mostly words no sample uses: not this skill's speech
        guess = classifier.guess(tokens)
        for reading in (self.tag(words, numbers_first=True), *self._other_readings(words, spans)):
            if reading[0] != tokens:
                other_guess = classifier.guess(reading[0])
                if other_guess.confidence > guess.confidence:
                    guess, (tokens, spans) = other_guess, reading
        if guess.intent_name == FALLBACK_INTENT and guess.confidence >= CONFIDENCE_FLOOR:
            return self._fallback()
        if guess.confidence < CONFIDENCE_FLOOR:
            guess = self._slot_led_guess(tokens) or guess
        if guess.confidence < CONFIDENCE_FLOOR:
            return self._open_slot_intent(tokens)
        intent = self._intent_named(guess.intent_name)
        if intent.slot_types:
            # Slots are filled for the intent heard, from the spans its own slot types know.
            wanted = frozenset(intent.slot_types.values())
            tokens, spans = self.tag(words, only=wanted)
        fills = []
        for slot_name, slot_type in intent.slot_types.items():
            span = self._meant_span(tokens, spans, slot_type)
            if span is not None:
                fills.append(SlotFill(slot_name, slot_type, " ".join(span.words), span.value))
        return self._resolution(intent, tuple(fills))

    def _other_readings(
        self, words: tuple[str, ...], spans: tuple[TaggedSpan, ...]
    ) -> list[tuple[tuple[str, ...], tuple[TaggedSpan, ...]]]:
        """The line tagged without a slot type one of whose spans another type also knows.

        "la pelota" is an exercise (the ball squeeze) and holds "pelota", the equipment: the
        longest span wins the first tagging, so "puedo usar la pelota de mi nieto" would ask
        about an exercise. Read without the exercise type, it asks about a ball; as with a
        bare number, the likelier reading is kept.
        """
        custom = {
            name: slot_type
            for name, slot_type in self._taggable_types
            if isinstance(slot_type, SlotType)
        }
        shared = set()
        for span in spans:
            if span.slot_type not in custom:
                continue
            for type_name, slot_type in custom.items():
                if type_name == span.slot_type:
                    continue
                size = len(span.words)
                if any(
                    slot_type.resolve(span.words[start:stop]) is not None
                    for start in range(size)
                    for stop in range(start + 1, size + 1)
                ):
                    shared.add(span.slot_type)
        every = frozenset(name for name, _ in self._taggable_types)
        return [self.tag(words, only=every - {name}) for name in sorted(shared)]

    def _meant_span(
        self, tokens: tuple[str, ...], spans: tuple[TaggedSpan, ...], slot_type: str
    ) -> TaggedSpan | None:
        """The span of this slot type the speaker means: the first one named, unless the line
        sets one aside ("nicht die brücke die muschel", "statt dem ball ein kissen", "en vez
        de la pelota") or takes one back ("la almeja no perdón el puente", "die muschel nee
        ich meine die brücke"): then the one the speaker turned to."""
        at = [index for index, token in enumerate(tokens) if token.startswith("<")]
        of_type = [
            (index, span)
            for index, span in zip(at, spans, strict=True)
            if span.slot_type == slot_type
        ]
        if not of_type:
            return None
        kept = [(index, span) for index, span in of_type if not _set_aside(tokens, index)]
        kept = kept or of_type
        # A clock time is what a time slot wants; a part of the day said beside one ("trabajo
        # por las mañanas ... a las siete de la tarde") only sets the scene.
        clock = [(index, span) for index, span in kept if ":" in (span.value.value_id or "")]
        kept = clock or kept
        meant = kept[0][1]
        for (before, _), (after, span) in pairwise(kept):
            between = tokens[before + 1 : after]
            if any(
                between[start : start + len(marker)] == marker
                for marker in self.corrections
                for start in range(len(between))
            ):
                meant = span
        return meant

    def _slot_led_guess(self, tokens: tuple[str, ...]) -> IntentGuess | None:
        """An unsure line that names a custom slot's value ("ándale ponme el puente"), read
        among the intents that take that slot, as a joint intent-and-slot model weighs them:
        the likeliest of those, by its share of their probability, if they together outweigh
        the fallback."""
        named = {token for token in tokens if token in self._open_slot_tokens}
        if not named:
            return None
        probabilities = self.classifier.probabilities(tokens)
        intents = self.classifier.intents
        taking = [
            column
            for column, name in enumerate(intents)
            if name != FALLBACK_INTENT
            and named <= {slot_token(t) for t in self._intent_named(name).slot_types.values()}
        ]
        if not taking:
            return None
        together = float(probabilities[taking].sum())
        fallback = (
            float(probabilities[intents.index(FALLBACK_INTENT)])
            if FALLBACK_INTENT in intents
            else 0.0
        )
        best = max(taking, key=lambda column: probabilities[column])
        if together < 2 * fallback:
            return None
        return IntentGuess(intents[best], float(probabilities[best]) / together)

    def _open_slot_intent(self, tokens: tuple[str, ...]) -> Resolution:
        """A line the classifier is unsure of, read with a few of its words as a slot value no
        value or synonym names ("do the cartwheel"). Only when the classifier, shown those
        words as a slot of an intent that has one, is all but certain: then the slot is sent
        as heard, with no match, as Alexa does."""
        best: tuple[float, IntentSamples, SlotFill] | None = None
        for start in range(len(tokens)):
            if tokens[start] in ARTICLES:
                continue  # "the cartwheel": the slot takes the name, the article stays outside
            for stop in range(start + 1, min(len(tokens), start + OPEN_SLOT_WORDS) + 1):
                taken = tokens[start:stop]
                rest = len(tokens) - len(taken)
                if rest < MIN_FIXED_WORDS_FOR_UNKNOWN_VALUE or any(
                    token.startswith("<") for token in taken
                ):
                    continue
                for slot_type in self._open_slot_types:
                    if slot_token(slot_type) in tokens:
                        continue  # the line names a value of this type already ("el puente")
                    guess = self.classifier.guess(
                        (*tokens[:start], slot_token(slot_type), *tokens[stop:])
                    )
                    if guess.confidence < OPEN_SLOT_CONFIDENCE:
                        continue
                    if best is not None and guess.confidence <= best[0]:
                        continue
                    intent = self._intent_named(guess.intent_name)
                    slot_name = next(
                        (name for name, type_ in intent.slot_types.items() if type_ == slot_type),
                        None,
                    )
                    if slot_name is not None:
                        fill = SlotFill(slot_name, slot_type, " ".join(taken), None)
                        best = (guess.confidence, intent, fill)
        if best is None:
            return self._fallback()
        return self._resolution(best[1], (best[2],))

    def _fills(
        self, intent: IntentSamples, assignment: Mapping[str, tuple[str, ...]]
    ) -> tuple[SlotFill, ...] | None:
        """The slots of one way a pattern matched, or None if a slot took too much."""
        fills = []
        for slot_name, taken in assignment.items():
            slot_type_name = intent.slot_types[slot_name]
            slot_type = self.slot_types.get(slot_type_name)
            value = slot_type.resolve(taken) if slot_type else None
            if value is None and slot_type and len(taken) > slot_type.longest_form:
                return None
            if value is None and isinstance(slot_type, SpokenTime | SpokenNumber):
                return None  # Alexa fills a time or number slot only with a time or number
            fills.append(SlotFill(slot_name, slot_type_name, " ".join(taken), value))
        return tuple(fills)

    def nearest_samples(self, line: str, count: int = 3) -> list[NearSample]:
        """The samples most like ``line``, closest first, by difflib's similarity ratio.

        Only samples sharing at least half the line's words are compared character by
        character: a few hundred instead of every sample, so a miss is shown at once.
        """
        said = " ".join(self.words(line))
        said_words = frozenset(said.split())
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(said)
        scored = []
        for intent_name, sample, compared, words in self._samples:
            if 2 * len(words & said_words) < len(said_words):
                continue
            matcher.set_seq1(compared)
            if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
                continue
            scored.append(NearSample(intent_name, sample, round(matcher.ratio(), 2)))
        scored.sort(key=lambda near: -near.similarity)
        return scored[:count]

    def _intent_named(self, name: str) -> IntentSamples:
        return next(intent for intent in self.intents if intent.name == name)

    def _fallback(self) -> Resolution:
        return Resolution("IntentRequest", FALLBACK_INTENT)

    @staticmethod
    def _resolution(intent: IntentSamples, fills: tuple[SlotFill, ...]) -> Resolution:
        return Resolution("IntentRequest", intent.name, fills, tuple(intent.slot_types))

    # -- loading -------------------------------------------------------------------------

    def _slot_type(self, slot_type: Mapping[str, Any]) -> SlotType:
        values_by_words: dict[tuple[str, ...], SlotTypeValue] = {}
        for value in slot_type.get("values", []):
            name = value["name"]
            entry = SlotTypeValue(value.get("id") or name["value"], name["value"])
            for form in (name["value"], *name.get("synonyms", [])):
                values_by_words.setdefault(self.words(form), entry)
        longest = max((len(words) for words in values_by_words), default=1)
        return SlotType(slot_type["name"], values_by_words, longest)

    def _intent(self, intent: Mapping[str, Any]) -> IntentSamples:
        exact = set()
        patterns = []
        for sample in intent.get("samples", []):
            pattern = self._pattern(sample)
            if all(isinstance(part, str) for part in pattern):
                exact.add(tuple(str(part) for part in pattern))
            else:
                patterns.append(pattern)
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        return IntentSamples(intent["name"], slot_types, frozenset(exact), tuple(patterns))

    def _pattern(self, sample: str) -> Pattern:
        parts: list[str | SlotReference] = []
        for index, piece in enumerate(_SLOT_REFERENCE.split(sample)):
            # re.split puts the captured slot names at the odd positions.
            if index % 2:
                parts.append(SlotReference(piece))
            else:
                parts.extend(self.words(piece))
        return tuple(parts)


# Words that set aside the value said right after them (or after its article) when the line
# names another: a correction ("nicht die brücke die muschel", "not the bridge the clamshell")
# or a swap ("statt dem ball ein kissen", "en vez de la pelota", "instead of the ball").
SETTING_ASIDE: tuple[tuple[str, ...], ...] = (
    *(("not",), ("instead", "of"), ("nicht",), ("statt",), ("anstatt",), ("anstelle",)),
    *(("en", "vez", "de"), ("en", "lugar", "de")),
)


def _set_aside(tokens: tuple[str, ...], index: int) -> bool:
    """Whether the value at ``index`` is said right after a word that sets it aside, or one
    word (its article) after it."""
    for skip in (0, 1):
        end = index - skip
        if skip and (end < 1 or tokens[end].startswith("<")):
            continue
        if any(
            end >= len(words) and tokens[end - len(words) : end] == words for words in SETTING_ASIDE
        ):
            return True
    return False


_SampleEnd = tuple[int, "IntentSamples", Pattern]


@dataclass
class _PatternNode:
    """One point in the samples with slots: the words and slots that may follow it."""

    words: dict[str, _PatternNode] = field(default_factory=dict)
    slots: dict[str, _PatternNode] = field(default_factory=dict)
    ends: list[_SampleEnd] = field(default_factory=list)

    def add(self, pattern: Pattern, end: _SampleEnd) -> None:
        node = self
        for part in pattern:
            if isinstance(part, str):
                node = node.words.setdefault(part, _PatternNode())
            else:
                node = node.slots.setdefault(part.name, _PatternNode())
        node.ends.append(end)

    def matches(
        self,
        words: tuple[str, ...],
        start: int,
        taken: dict[str, tuple[str, ...]],
        longest_slot: int,
    ) -> Iterator[tuple[_SampleEnd, dict[str, tuple[str, ...]]]]:
        """Every sample that reads as ``words[start:]``, with the words each slot took."""
        if start == len(words):
            for end in self.ends:
                yield end, taken
            return
        following = self.words.get(words[start])
        if following is not None:
            yield from following.matches(words, start + 1, taken, longest_slot)
        for slot_name, following in self.slots.items():
            for stop in range(start + 1, min(len(words), start + longest_slot) + 1):
                # Skip a split the rest of the sample cannot read on from.
                if stop == len(words):
                    if not following.ends:
                        continue
                elif words[stop] not in following.words and not following.slots:
                    continue
                slot_words = {**taken, slot_name: words[start:stop]}
                yield from following.matches(words, stop, slot_words, longest_slot)
