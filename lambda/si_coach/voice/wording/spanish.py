"""Spanish grammar for the voice: number words that agree with their noun, counted nouns,
durations, lists, articles by gender and the hour of a reminder.

The rules live here; the words it counts with ("minuto", "minutos") and each noun's gender
come from the [forms] table of es.toml, so "una serie", "veintiún días" and "dos veces" come
out right without a line of the wording having to know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

from si_coach.voice.wording.grammar import Gender

MASCULINE = "m"
FEMININE = "f"

_UNITS = (
    *("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    *("diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete"),
    *("dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós", "veintitrés"),
    *("veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve"),
)
_TENS = ("", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta")
_TENS = (*_TENS, "noventa")
_HUNDREDS = (
    *("", "ciento", "doscientos", "trescientos", "cuatrocientos", "quinientos"),
    *("seiscientos", "setecientos", "ochocientos", "novecientos"),
)
# Definite and indefinite articles: {gender: (singular, plural)}.
_DEFINITE = {MASCULINE: ("el", "los"), FEMININE: ("la", "las")}
_INDEFINITE = {MASCULINE: ("un", "unos"), FEMININE: ("una", "unas")}


@dataclass(frozen=True)
class SpanishGrammar:
    forms: Mapping[str, tuple[str, str]]
    list_separator: str
    list_last: str
    duration_joiner: str
    # The gender of each counted word ("m" or "f"), from the third item of its [forms] row.
    genders: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, forms: Mapping[str, tuple[str, ...]], table: Mapping[str, str]) -> Self:
        """The grammar from [forms] (singular, plural, gender) and [grammar]; names in the
        wording carry their own article, so [grammar]'s definite_article is unused."""
        return cls(
            forms={name: (row[0], row[1]) for name, row in forms.items()},
            list_separator=table["list_separator"],
            list_last=table["list_last"],
            duration_joiner=table["duration_joiner"],
            genders={name: row[2] for name, row in forms.items() if len(row) > 2},
        )

    def definite(self, noun: str, gender: Gender | None) -> str:
        """A name with its article: the wording's names carry theirs ("el puente"), so a
        name without a gender is said as written; one with a gender gets the article."""
        if gender is None:
            return noun
        code = {Gender.MASCULINE: MASCULINE, Gender.FEMININE: FEMININE}.get(gender, MASCULINE)
        return f"{self.article(code)} {noun}"

    def number(self, value: int, gender: str | None = None) -> str:
        """A whole number as words. Alone it is counted ("uno", "veintiuno"); before
        a masculine noun "un", "veintiún"; before a feminine one "una", "doscientas"."""
        if value < 0:
            raise ValueError(f"{value} is outside what the voice says")
        if value >= 1_000_000:
            millions, rest = divmod(value, 1_000_000)
            head = "un millón" if millions == 1 else f"{self.number(millions, MASCULINE)} millones"
            return head + (f" {self.number(rest, gender)}" if rest else "")
        if value >= 1000:
            thousands, rest = divmod(value, 1000)
            head = "mil" if thousands == 1 else f"{self.number(thousands, gender or MASCULINE)} mil"
            return head + (f" {self.number(rest, gender)}" if rest else "")
        hundreds, rest = divmod(value, 100)
        words = []
        if hundreds:
            word = "cien" if value == 100 else _HUNDREDS[hundreds]
            if gender == FEMININE and hundreds > 1:
                word = word[:-2] + "as"
            words.append(word)
        if rest or not hundreds:
            words.append(self._below_hundred(rest, gender))
        return " ".join(words)

    def _below_hundred(self, value: int, gender: str | None) -> str:
        if value < 30:
            word = _UNITS[value]
        else:
            tens, units = divmod(value, 10)
            word = _TENS[tens] + (f" y {_UNITS[units]}" if units else "")
        if word.endswith("uno") and gender is not None:
            if gender == FEMININE:
                return word[:-1] + "a"
            # "veintiún": the shortened form keeps the stress, and so its accent.
            return "veintiún" if word == "veintiuno" else word[:-1]
        return word

    def plural(self, value: int, form: str) -> str:
        singular, plural = self.forms[form]
        return singular if value == 1 else plural

    def gender(self, form: str) -> str:
        return self.genders.get(form, MASCULINE)

    def count(self, value: int, form: str) -> str:
        """ "una serie", "veintiún días", "dos veces"."""
        return f"{self.number(value, self.gender(form))} {self.plural(value, form)}"

    def duration(self, seconds: int) -> str:
        """ "dos minutos", "un minuto y treinta segundos", "cuarenta y cinco segundos"."""
        minutes, rest = divmod(seconds, 60)
        parts = []
        if minutes:
            parts.append(self.count(minutes, "minute"))
        if rest or not minutes:
            parts.append(self.count(rest, "second"))
        return self.duration_joiner.join(parts)

    def join(self, items: Sequence[str]) -> str:
        """ "a, b y c"; "y" becomes "e" before a word that starts with the sound i."""
        if len(items) <= 1:
            return "".join(items)
        last = self.list_last
        if last.strip() == "y" and _starts_with_i_sound(items[-1]):
            last = last.replace("y", "e")
        return self.list_separator.join(items[:-1]) + last + items[-1]

    def article(self, gender: str, *, plural: bool = False, definite: bool = True) -> str:
        """ "el", "la", "los", "las"; or "un", "una", "unos", "unas"."""
        table = _DEFINITE if definite else _INDEFINITE
        return table[gender][1 if plural else 0]

    def hour(self, value: int) -> str:
        """The hour of a clock time with its article: "la una", "las ocho"."""
        if value == 1:
            return f"{self.article(FEMININE)} {self.number(1, FEMININE)}"
        return f"{self.article(FEMININE, plural=True)} {self.number(value, FEMININE)}"


def _starts_with_i_sound(text: str) -> bool:
    word = text.split(maxsplit=1)[0].lower() if text.split() else ""
    if word.startswith("h"):
        word = word[1:]
    return word[:1] in ("i", "í") and word[1:2] not in ("a", "e", "o", "u")
