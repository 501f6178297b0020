"""Figure 4: the stored item's size by DynamoDB's documented rule, over a simulated year.

The rule (DynamoDB developer guide, "Item sizes and formats"): an item's size is the sum,
over its attributes, of the attribute name's UTF-8 length and the value's size. Strings and
binary: their length in bytes. Numbers: 1 byte per two significant digits, plus 1. Booleans
and null: 1 byte. Lists and maps: 3 bytes, plus for each element 1 byte and the element's
size (a map element also counts its key's UTF-8 length).

The key is counted at its worst case: Alexa documents a userId of at most 255 characters.
Beside the simulated year, `largest_possible_item` measures the record with every field at
the largest it can ever hold (see `largest_possible_record`): the bound for ever.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from local.envelopes import AlexaDevice, AlexaSession
from local.fake_aws import load_skill, moto_table
from si_coach.routine.catalogue import Side, default_catalogue
from si_coach.routine.pacing import Phase, RoutineState
from si_coach.routine.progress import (
    DEVICE_TAG_CHARACTERS,
    MAX_REMINDER_TOKEN_CHARACTERS,
    MAX_TIME_ZONE_CHARACTERS,
    ActiveDay,
    Progress,
    RoutineChoices,
)
from si_coach.storage.lifecycle import EXPIRY_ATTRIBUTE, expiry_after_save

LONGEST_USER_ID_CHARACTERS = 255
YEAR_USER_ID = "amzn1.ask.account." + "A" * (LONGEST_USER_ID_CHARACTERS - len("amzn1.ask.account."))
# The simulated year ends in the past: the skill dates a request stamped more than a day
# ahead of the server's clock by the server's own, which would fold a year running into the
# future onto today.
FIRST_DAY = datetime(2025, 1, 6, tzinfo=UTC)


def number_size(value: int | float | Decimal) -> int:
    digits = Decimal(str(value)).normalize().as_tuple().digits
    significant = len(str(int("".join(map(str, digits))))) if any(digits) else 1
    return math.ceil(significant / 2) + 1


def value_size(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, int | float | Decimal):
        return number_size(value)
    if isinstance(value, dict):
        return 3 + sum(1 + len(str(k).encode("utf-8")) + value_size(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return 3 + sum(1 + value_size(v) for v in value)
    raise TypeError(f"not a DynamoDB value: {value!r}")


def item_size(item: dict[str, Any]) -> int:
    """The DynamoDB size of an item: attribute names plus values (see the module docstring)."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


@dataclass(frozen=True)
class YearOfUse:
    """Item sizes after each simulated day, in bytes (day 1 first)."""

    sizes: list[int]
    days_active: int
    days_skipped: int

    @property
    def final(self) -> int:
        return self.sizes[-1]

    @property
    def largest(self) -> int:
        return max(self.sizes)

    @property
    def first(self) -> int:
        """The size after the first active day: the baseline the year is compared with."""
        return next((size for size in self.sizes if size), 0)


def simulate_days(handler, table, days: int, seed: int = 2026) -> YearOfUse:
    """Daily use through lambda_handler; the stored item is measured after every day.

    Each day (in the user's local date, UTC here) the user may skip; otherwise they launch
    at some hour, sometimes change the injured side or the pace, start or resume, do part or
    all of the routine, sometimes stop for pain, and leave by "stop", by walking away, or
    by the routine ending.
    """
    if FIRST_DAY + timedelta(days=days) > datetime.now(UTC):
        raise ValueError(f"{days} days from {FIRST_DAY:%Y-%m-%d} run past today")
    chance = random.Random(seed)
    device = AlexaDevice(user_id=YEAR_USER_ID, device_id="amzn1.ask.device.BENCHYEAR")
    sizes: list[int] = []
    skipped = 0
    for day in range(days):
        if chance.random() < 0.2:
            skipped += 1
        else:
            hour = chance.choice((6, 7, 8, 12, 18, 21))
            clock = FIRST_DAY + timedelta(days=day, hours=hour, minutes=chance.randrange(60))
            _one_day(AlexaSession(handler, device, clock=clock), chance)
        item = table.get_item(Key={"id": YEAR_USER_ID}).get("Item")
        sizes.append(item_size(item) if item else 0)
    return YearOfUse(sizes, days_active=days - skipped, days_skipped=skipped)


def _one_day(session: AlexaSession, chance: random.Random) -> None:
    session.launch()
    if chance.random() < 0.08:
        side = chance.choice((("left", "left"), ("right", "right"), ("neither", "none")))
        session.say("InjuredSideIntent", side=side)
    if chance.random() < 0.08:
        pace = chance.choice(("slower", "faster", "normal"))
        session.say("PaceIntent", pace=(pace, pace))
    if chance.random() < 0.1:
        session.say("HistoryIntent")
    session.say("StartRoutineIntent" if chance.random() < 0.5 else "AMAZON.YesIntent")
    nexts = 200 if chance.random() < 0.6 else chance.randrange(1, 30)
    pain_at = chance.randrange(1, 30) if chance.random() < 0.1 else None
    for number in range(1, nexts + 1):
        if session.session_id is None:
            return
        if number == pain_at:
            session.say("PainIntent")
            return
        if chance.random() < 0.03:
            session.say("SkipExerciseIntent")
        else:
            session.say("AMAZON.NextIntent")
    if session.session_id is None:
        return
    ending = chance.random()
    if ending < 0.6:
        session.say("AMAZON.StopIntent")
    elif ending < 0.8:
        session.end("EXCEEDED_MAX_REPROMPTS")
    else:
        session.wait(minutes=5)  # walked away; no SessionEndedRequest arrives


def simulate_year_on_moto(days: int = 365) -> YearOfUse:
    with moto_table() as table:
        return simulate_days(load_skill(table.name), table, days)


# A moment with as many significant digits as a float's repr can give (17).
_LONGEST_MOMENT = 4_102_444_799.999_999_5  # late 2099


def largest_possible_record() -> Progress:
    """The progress record with every field at the largest it can hold, for ever.

    Paused in a hold of the variant with the longest id, on a side, with the most reps of
    any variant done; every variant finished on both days kept and at its top level; counts
    of a century of daily use and a revision of a trillion writes; a million deletions; a
    reminder token of the longest length kept, a day a reminder was declined, and the longest
    time zone name kept with its device's tag; half the variants a short routine and half left
    out (a variant is stored in one of the two at most), each finished on the last day.
    """
    catalogue = default_catalogue()
    variants = catalogue.variants
    longest = max(variants, key=lambda v: len(v.id))
    most_reps = max(v.reps.max for v in variants)
    every = tuple(v.id for v in variants)
    routine = RoutineState(
        phase=Phase.PAUSED,
        variant_id=longest.id,
        side=Side.RIGHT,
        set_number=max(v.sets for v in variants),
        reps_done=most_reps,
        chunk_start=most_reps - 1,
        hold_ends_at=_LONGEST_MOMENT,
        paused_from=Phase.HOLDING,
        updated_at=_LONGEST_MOMENT,
    )
    return Progress(
        routine=routine,
        recent_days=(ActiveDay(date(2099, 12, 31), every), ActiveDay(date(2099, 12, 30), every)),
        streak_days=36_525,
        active_days=36_525,
        injured_side=Side.RIGHT,
        levels={v.id: v.top_level for v in variants},
        revision=999_999_999_999,
        reminder_token="t" * MAX_REMINDER_TOKEN_CHARACTERS,
        reminder_declined_on=date(2099, 12, 31),
        time_zone="z" * MAX_TIME_ZONE_CHARACTERS,
        time_zone_checked_on=date(2099, 12, 31),
        time_zone_device="d" * DEVICE_TAG_CHARACTERS,
        generation=999_999,
        choices=RoutineChoices(
            routine=every[: len(every) // 2],
            left_out=frozenset(every[len(every) // 2 :]),
            last_done=dict.fromkeys(every, date(2099, 12, 31)),
        ),
    )


def largest_possible_item(record: Progress | None = None) -> int:
    """The DynamoDB size of the item holding `record` (the largest possible one) under the
    longest user id."""
    attributes = (record or largest_possible_record()).to_dict(default_catalogue())
    item = {
        "id": YEAR_USER_ID,
        "attributes": attributes,
        EXPIRY_ATTRIBUTE: expiry_after_save(_LONGEST_MOMENT),
    }
    return item_size(item)
