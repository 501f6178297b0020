"""English grammar for the voice (the `Grammar` protocol of grammar.py): number words,
counted nouns, durations, lists and the definite article.

The words it counts with ("minute", "minutes"), how it joins a list and its article come
from the language's wording data; only the rules live here. English articles have no
gender, so a noun's gender is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

from si_coach.voice.wording.grammar import Gender

_UNITS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# Each a thousand times the one before; past the last, its name repeats ("a thousand
# quintillion"), so every whole number has words.
_SCALES = ("thousand", "million", "billion", "trillion", "quadrillion", "quintillion")


@dataclass(frozen=True)
class EnglishGrammar:
    forms: Mapping[str, tuple[str, str]]
    list_separator: str
    list_last: str
    duration_joiner: str
    definite_article: str

    @classmethod
    def from_tables(cls, forms: Mapping[str, tuple[str, ...]], table: Mapping[str, str]) -> Self:
        return cls(
            forms={name: (pair[0], pair[1]) for name, pair in forms.items()},
            list_separator=table["list_separator"],
            list_last=table["list_last"],
            duration_joiner=table["duration_joiner"],
            definite_article=table["definite_article"],
        )

    def number(self, value: int) -> str:
        """A whole number as words ("twenty-five", "one thousand and six"), so speech has
        no digits."""
        if value < 0:
            raise ValueError(f"{value} is outside what the voice says")
        if value < 1000:
            return _below_a_thousand(value)
        groups = []  # (the group's value, its scale's name), the highest first
        scale = 0
        while value:
            value, group = divmod(value, 1000)
            if group:
                names = [_SCALES[(scale - 1) % len(_SCALES)]] if scale else []
                names += [_SCALES[-1]] * ((scale - 1) // len(_SCALES)) if scale else []
                groups.insert(0, (group, " ".join(names)))
            scale += 1
        words = [f"{_below_a_thousand(g)} {name}".rstrip() for g, name in groups]
        last, last_name = groups[-1]
        if len(words) > 1 and not last_name and last < 100:
            # "one thousand and six", as "one hundred and six".
            return " ".join(words[:-1]) + " and " + words[-1]
        return " ".join(words)

    def plural(self, value: int, form: str) -> str:
        singular, plural = self.forms[form]
        return singular if value == 1 else plural

    def count(self, value: int, form: str) -> str:
        """ "three exercises", "one day"."""
        return f"{self.number(value)} {self.plural(value, form)}"

    def duration(self, seconds: int) -> str:
        """ "two minutes", "one minute thirty seconds", "forty-five seconds"."""
        minutes, rest = divmod(seconds, 60)
        parts = []
        if minutes:
            parts.append(self.count(minutes, "minute"))
        if rest or not minutes:
            parts.append(self.count(rest, "second"))
        return self.duration_joiner.join(parts)

    def join(self, items: Sequence[str]) -> str:
        """ "a, b and c"."""
        if len(items) <= 1:
            return "".join(items)
        return self.list_separator.join(items[:-1]) + self.list_last + items[-1]

    def definite(self, noun: str, gender: Gender | None) -> str:
        """ "the bridge", whatever the gender."""
        return f"{self.definite_article} {noun}"


def _below_a_thousand(value: int) -> str:
    if value < 20:
        return _UNITS[value]
    if value < 100:
        tens, units = divmod(value, 10)
        return _TENS[tens] + (f"-{_UNITS[units]}" if units else "")
    hundreds, rest = divmod(value, 100)
    words = f"{_UNITS[hundreds]} hundred"
    return f"{words} and {_below_a_thousand(rest)}" if rest else words
