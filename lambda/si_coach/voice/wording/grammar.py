"""The grammar a language's voice needs, as a protocol each language implements.

A language is its wording file (`<language>.toml`) plus one class implementing `Grammar`,
named in `GRAMMARS` (si_coach/voice/wording/__init__.py) under the file's `language`; the
loader builds it with `from_tables` and the voice uses nothing else of it. The words the
grammar counts with come from the wording file, so a class holds only the language's rules:

- `number`: any whole number from zero up, as words ("twenty-five"): speech has no digits,
  and a count the progress record holds (days active, a streak) may grow without bound;
- `plural` and `count`: the form of a counted word (the file's [forms] table: a singular
  and a plural for each word of keys.FORMS) and the number with it ("three exercises");
- `duration`: seconds as minutes and seconds ("one minute thirty seconds");
- `join` and `list_separator`: a list as the language says it ("a, b and c"), from the
  [grammar] table (keys.GRAMMAR_FIELDS);
- `definite`: a noun with its definite article, which may depend on the noun's gender
  (the wording file's optional `gender` of each variant); a language without gendered
  articles ignores it ("the bridge").

english.py is the reference implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol, Self


class Gender(StrEnum):
    """A noun's grammatical gender, as a wording file names it."""

    MASCULINE = "masculine"
    FEMININE = "feminine"
    NEUTER = "neuter"


class Grammar(Protocol):
    """One language's rules for numbers, plurals, durations, lists and articles."""

    # Between the items of a list but the last pair ("a, b"): also joins "either a, b or c".
    list_separator: str

    @classmethod
    def from_tables(cls, forms: Mapping[str, tuple[str, ...]], table: Mapping[str, str]) -> Self:
        """The grammar from the wording file's [forms] and [grammar] tables (both checked
        by the loader against keys.FORMS and keys.GRAMMAR_FIELDS)."""
        ...

    def number(self, value: int) -> str:
        """A whole number of zero or more, as words; ValueError for a negative one."""
        ...

    def plural(self, value: int, form: str) -> str:
        """The word `form` (a key of [forms]) as it goes with `value`."""
        ...

    def count(self, value: int, form: str) -> str:
        """`value` in words with the word `form` that goes with it."""
        ...

    def duration(self, seconds: int) -> str:
        """A duration in minutes and seconds, as words."""
        ...

    def join(self, items: Sequence[str]) -> str:
        """A list of items as one phrase."""
        ...

    def definite(self, noun: str, gender: Gender | None) -> str:
        """`noun` with the definite article its gender takes (None: not given)."""
        ...
