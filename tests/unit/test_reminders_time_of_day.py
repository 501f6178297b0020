"""The reminder's time: read from AMAZON.TIME slot values, and said through the wording data.

Also checks the reminder lines of the wording data ([reminders]): a spoken explanation for
every failure, only the placeholders the dialogue fills, and a reminder text short enough
for a screen.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from si_coach.dialogue.reminder import FAILURE_LINES
from si_coach.reminders import ReminderFailure, TimeOfDay, parse_time_slot, say_time
from si_coach.voice.wording import wording_for
from si_coach.voice.wording.keys import LINE_PLACEHOLDERS

WORDS = wording_for("en-US")
CLOCK = WORDS.clock
# The [reminders] lines, by their key within the section.
WORDING = {
    key.split(".", 1)[1]: WORDS.line(key, **{name: "{" + name + "}" for name in names})
    for key, names in LINE_PLACEHOLDERS.items()
    if key.startswith("reminders.")
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08:00", TimeOfDay(8, 0)),
        ("20:30", TimeOfDay(20, 30)),
        ("8:05", TimeOfDay(8, 5)),
        ("00:00", TimeOfDay(0, 0)),
        ("23:59", TimeOfDay(23, 59)),
        ("24:00", TimeOfDay(0, 0)),
        ("07:15:00", TimeOfDay(7, 15)),
        ("T08", TimeOfDay(8, 0)),
        ("T19:45", TimeOfDay(19, 45)),
        ("07", TimeOfDay(7, 0)),
        (" 09:00 ", TimeOfDay(9, 0)),
    ],
)
def test_clock_values(value: str, expected: TimeOfDay) -> None:
    assert parse_time_slot(value) == expected
    assert not parse_time_slot(value).suggested


@pytest.mark.parametrize(
    ("value", "expected"),
    [("MO", (8, 0)), ("AF", (14, 0)), ("EV", (19, 0)), ("NI", (21, 0)), ("ev", (19, 0))],
)
def test_a_part_of_the_day_becomes_a_suggested_time(value: str, expected) -> None:
    time = parse_time_slot(value)
    assert (time.hour, time.minute) == expected
    assert time.suggested


@pytest.mark.parametrize(
    "value",
    [None, "", "?", "noon", "25:00", "12:60", "24:01", "8 pm", "08:00:61", "XX", "2026-11-23"],
)
def test_anything_else_is_not_a_time(value) -> None:
    assert parse_time_slot(value) is None


@given(st.text(max_size=12))
def test_no_slot_value_makes_the_parser_raise(value: str) -> None:
    time = parse_time_slot(value)
    assert time is None or (0 <= time.hour <= 23 and 0 <= time.minute <= 59)


def test_the_clock_form_round_trips() -> None:
    for hour in range(24):
        for minute in (0, 5, 59):
            time = TimeOfDay(hour, minute)
            assert TimeOfDay.from_clock(time.clock) == time
    with pytest.raises(ValueError):
        TimeOfDay.from_clock("8:00")
    with pytest.raises(ValueError):
        TimeOfDay(24, 0)


# -- said through the wording data -------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "spoken"),
    [
        (TimeOfDay(8, 0), "8 in the morning"),
        (TimeOfDay(19, 30), "7 30 in the evening"),
        (TimeOfDay(6, 5), "6 oh 5 in the morning"),
        (TimeOfDay(12, 0), "noon"),
        (TimeOfDay(0, 0), "midnight"),
        (TimeOfDay(12, 30), "12 30 in the afternoon"),
        (TimeOfDay(0, 15), "12 15 at night"),
        (TimeOfDay(21, 0), "9 at night"),
        (TimeOfDay(4, 59), "4 59 at night"),
        (TimeOfDay(17, 0), "5 in the evening"),
    ],
)
def test_times_are_said_from_the_clock_table(time: TimeOfDay, spoken: str) -> None:
    # str stands in for the language's number words.
    assert say_time(time, CLOCK, str) == spoken


def test_a_twenty_four_hour_locale_says_the_hour_as_it_is() -> None:
    clock = {**CLOCK, "twelve_hour": False, "periods": [[0, ""]]}
    assert say_time(TimeOfDay(19, 30), clock, str) == "19 30"


def test_every_time_of_day_is_said_without_a_stray_placeholder() -> None:
    for hour in range(24):
        for minute in range(60):
            spoken = say_time(TimeOfDay(hour, minute), CLOCK, str)
            assert spoken and "{" not in spoken and "  " not in spoken


# -- the wording file ---------------------------------------------------------------------


def placeholders(line: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(line) if name}


def test_every_failure_has_a_spoken_explanation() -> None:
    assert set(FAILURE_LINES) == set(ReminderFailure)
    for failure, key in FAILURE_LINES.items():
        assert key == f"reminders.failed_{failure.value}"
        assert WORDING[key.split(".", 1)[1]]


def test_lines_use_only_the_time_placeholder() -> None:
    for key, line in WORDING.items():
        assert placeholders(line) <= {"time"}, key
        assert line.strip() == line and line.endswith((".", "?")), key


def test_the_reminder_text_fits_a_small_screen_and_names_no_condition() -> None:
    text = WORDING["reminder_text"]
    assert len(text) <= 25
    assert not placeholders(text)
    for word in ("pain", "joint", "s.i.", "back", "hip"):
        assert word not in text.lower()


def test_the_confirmation_states_the_time_and_that_it_repeats_daily() -> None:
    for key in ("confirm", "confirm_reprompt", "confirm_suggested"):
        line = WORDING[key]
        assert "{time}" in line and "every day" in line.lower() and "?" in line
