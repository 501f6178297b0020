"""German grammar for the voice: number words (compounds such as "einundzwanzig"), counted
nouns with "ein"/"eine", durations, lists, articles by gender and the hour of a reminder.

The rules live here; the words it counts with ("Minute", "Minuten") and each noun's gender
come from the [forms] table of de.toml. A counted noun is said in the nominative (which is
also the accusative of every feminine and neuter noun): the lines of de.toml are written so
that a counted masculine noun stands where the nominative belongs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

from si_coach.voice.wording.grammar import Gender

MASCULINE = "m"
FEMININE = "f"
NEUTER = "n"

_UNITS = (
    *("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    *("zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn"),
    *("achtzehn", "neunzehn"),
)
_TENS = ("", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig")
_TENS = (*_TENS, "neunzig")
# Nominative articles: {gender: singular}; every plural takes "die".
_DEFINITE = {MASCULINE: "der", FEMININE: "die", NEUTER: "das"}
_INDEFINITE = {MASCULINE: "ein", FEMININE: "eine", NEUTER: "ein"}


@dataclass(frozen=True)
class GermanGrammar:
    forms: Mapping[str, tuple[str, str]]
    list_separator: str
    list_last: str
    duration_joiner: str
    # The gender of each counted word ("m", "f" or "n"), from the third item of its [forms] row.
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
        code = {Gender.MASCULINE: MASCULINE, Gender.FEMININE: FEMININE}.get(gender, NEUTER)
        return f"{self.article(code)} {noun}"

    def number(self, value: int, gender: str | None = None) -> str:
        """A whole number as German writes it ("einundzwanzig",
        "hunderteins"). Alone, one is "eins"; before a noun "ein" or "eine"."""
        if value < 0:
            raise ValueError(f"{value} is outside what the voice says")
        if value >= 1_000_000:
            millions, rest = divmod(value, 1_000_000)
            head = "eine Million" if millions == 1 else f"{self.number(millions)} Millionen"
            return head + (f" {self.number(rest, gender)}" if rest else "")
        if value >= 1000:
            thousands, rest = divmod(value, 1000)
            head = ("ein" if thousands == 1 else self.number(thousands)) + "tausend"
            return head + (self.number(rest, gender) if rest else "")
        if value == 1 and gender is not None:
            return _INDEFINITE[gender]
        hundreds, rest = divmod(value, 100)
        head = ""
        if hundreds:
            head = ("ein" if hundreds == 1 else _UNITS[hundreds]) + "hundert"
            if not rest:
                return head
        return head + _below_hundred(rest)

    def plural(self, value: int, form: str) -> str:
        singular, plural = self.forms[form]
        return singular if value == 1 else plural

    def gender(self, form: str) -> str:
        return self.genders.get(form, FEMININE)

    def count(self, value: int, form: str) -> str:
        """ "eine Übung", "ein Tag", "einundzwanzig Tage"."""
        return f"{self.number(value, self.gender(form))} {self.plural(value, form)}"

    def duration(self, seconds: int) -> str:
        """ "zwei Minuten", "eine Minute dreißig Sekunden", "fünfundvierzig Sekunden"."""
        minutes, rest = divmod(seconds, 60)
        parts = []
        if minutes:
            parts.append(self.count(minutes, "minute"))
        if rest or not minutes:
            parts.append(self.count(rest, "second"))
        return self.duration_joiner.join(parts)

    def join(self, items: Sequence[str]) -> str:
        """ "a, b und c"."""
        if len(items) <= 1:
            return "".join(items)
        return self.list_separator.join(items[:-1]) + self.list_last + items[-1]

    def article(self, gender: str, *, plural: bool = False, definite: bool = True) -> str:
        """ "der", "die", "das" (plural "die"); or "ein", "eine" (no plural article)."""
        if plural:
            return "die" if definite else ""
        return (_DEFINITE if definite else _INDEFINITE)[gender]

    def hour(self, value: int) -> str:
        """The hour of a clock time, said before "Uhr": "ein Uhr", "acht Uhr"."""
        return "ein" if value == 1 else self.number(value)


def _below_hundred(value: int) -> str:
    if value < 20:
        return _UNITS[value]
    tens, units = divmod(value, 10)
    if not units:
        return _TENS[tens]
    return ("ein" if units == 1 else _UNITS[units]) + "und" + _TENS[tens]
