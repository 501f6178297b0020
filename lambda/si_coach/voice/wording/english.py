"""English grammar for the voice: number words, counted nouns, durations and lists.

One small helper per language; the words it counts with ("minute", "minutes") and how it
joins a list come from that language's wording data, so only the rules live here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_UNITS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# Short-scale names of each power of a thousand, from 10**3 up.
_SCALES = ("thousand", "million", "billion", "trillion", "quadrillion", "quintillion")


@dataclass(frozen=True)
class EnglishGrammar:
    forms: Mapping[str, tuple[str, str]]
    list_separator: str
    list_last: str
    duration_joiner: str

    def number(self, value: int) -> str:
        """A whole number as words ("twenty-five", "one thousand and one"), so speech has no
        digits: from 0 up to a thousand quintillion (far past any count a record holds)."""
        if not 0 <= value < 1000 ** (len(_SCALES) + 1):
            raise ValueError(f"{value} is outside what the voice says")
        if value >= 1000:
            groups = []
            rest = value
            while rest:
                rest, group = divmod(rest, 1000)
                groups.append(group)
            words = [
                f"{self.number(group)} {_SCALES[power - 1]}"
                for power, group in reversed(list(enumerate(groups)))
                if group and power
            ]
            if groups[0]:
                # "one thousand and five", but "one thousand two hundred".
                joiner = " and " if groups[0] < 100 else " "
                return " ".join(words) + joiner + self.number(groups[0])
            return " ".join(words)
        if value < 20:
            return _UNITS[value]
        if value < 100:
            tens, units = divmod(value, 10)
            return _TENS[tens] + (f"-{_UNITS[units]}" if units else "")
        hundreds, rest = divmod(value, 100)
        words = f"{_UNITS[hundreds]} hundred"
        return f"{words} and {self.number(rest)}" if rest else words

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
