"""The skill's own words, for checks that something was NOT said.

A negative check against a copied literal goes silent when the line is reworded: the
literal is then never said, and the check passes whatever the skill says. Read from the
wording data, the check follows the line.
"""

from __future__ import annotations

from si_coach.voice.wording import Wording, wording_for

ENGLISH: Wording = wording_for("en-US")
# Every apology the skill can make to a user: a miss, an error, a request it cannot read, a
# save that failed.
APOLOGIES = (
    "answers.not_caught",
    "answers.error",
    "answers.unreadable_request",
    "answers.save_failed",
    "repair.missed_again",
)


def phrase(key: str, wording: Wording = ENGLISH) -> str:
    """The fixed start of a line, as said: its first sentence up to the first placeholder,
    without trailing punctuation ("Well done. You've finished the" for "... the {exercise}.")."""
    fixed = wording.lines[key][0].split("{", 1)[0].rstrip(" .,;:!?")
    if not fixed:
        raise ValueError(f"{key} starts with a placeholder: no fixed words to look for")
    return fixed


def apologies_in(text: str) -> list[str]:
    """The keys of the apologies said in `text`."""
    return [key for key in APOLOGIES if phrase(key) in text]
