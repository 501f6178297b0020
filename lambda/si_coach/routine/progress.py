"""A user's saved progress: routine position, recent days, streak, preferences and levels,
and the token of their daily reminder.

The record is what the storage port saves for each Alexa user. It is kept small and
bounded (it must fit one DynamoDB write unit, 1 KB, however long it is used): only the two
most recent active days keep their list of exercises, variants are stored by the short
codes of the catalogue (catalogue.toml, `code`), empty values and zero levels are left out,
and a reminder token is kept only up to MAX_REMINDER_TOKEN_CHARACTERS; the time zone of the
device that last asked for it is kept with the date it was checked and a short tag of that
device (another device asks for its own). It holds exercise progress and preferences only,
never symptoms or pain reports. Records of the previous schema (1: full variant ids, every
field written out) are still read.

Each stored field is decoded on its own: a damaged field is reset (with a log line) and the
rest is kept, so the next save repairs the record. `generation` counts the user's deletions:
a deleted record leaves a marker holding only its revision and generation, so a session
that read the record before the deletion can tell, and never writes the old data back.
`merge` combines two copies field by field, taking a setting from this session's copy only
when this session changed it (`Changes`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TypeVar

from si_coach.routine.catalogue import Catalogue, Pace, Side
from si_coach.routine.pacing import Coaching, RoutineState

RECORD_SCHEMA_VERSION = 2
GENERATION_KEY = "gen"
# Schemas this module can read: 1 named variants by their ids and wrote every field.
READABLE_SCHEMAS = frozenset({1, RECORD_SCHEMA_VERSION})
_E = TypeVar("_E", Side, Pace)
RECENT_DAYS_KEPT = 2
# Alexa's alert tokens are UUIDs (36 characters); a longer one is not stored, and the
# reminder is found through the Reminders API's list instead.
MAX_REMINDER_TOKEN_CHARACTERS = 64
# The device's time zone is asked of the Alexa settings API at most this often (a round
# trip at a session's start otherwise); a device moved to another zone is noticed within it.
ZONE_REFRESH_DAYS = 7
# IANA zone names are at most 32 characters ("America/Argentina/ComodRivadavia").
MAX_TIME_ZONE_CHARACTERS = 40
# The date each variant was last finished is kept as a day number from DAY_ZERO: four or five
# digits instead of a ten-character date.
DAY_ZERO = date(2020, 1, 1)
MAX_DAY_NUMBER = (date(2999, 12, 31) - DAY_ZERO).days
# A kept time zone names its device by this many hex digits of a hash of the device id:
# enough to tell a household's devices apart, and no device id in the record.
DEVICE_TAG_CHARACTERS = 6
# The largest count (days, streak, level) a record is read with; a larger stored count is
# damage. A century of daily use is 36,525 days; the voice says every count up to this.
MAX_COUNT = 999_999_999
# The largest revision or deletion generation read; beyond it a record counts as damaged.
MAX_REVISION = 10**15

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveDay:
    """A local date, and the variants completed on it in the order they were finished."""

    day: date
    completed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoutineChoices:
    """What the user chose about their routine: the variants of the routine under way when it
    is not the whole one (a short routine), the variants left out until they are asked back,
    and the local date each variant was last finished (the planner takes the oldest first)."""

    routine: tuple[str, ...] = ()
    left_out: frozenset[str] = frozenset()
    last_done: Mapping[str, date] = field(default_factory=dict)

    def to_dict(self, catalogue: Catalogue) -> dict:
        codes = catalogue.variant_codes
        stored: dict = {}
        # A variant left out is never in a short routine, so each code is stored once at most.
        routine = tuple(v for v in self.routine if v not in self.left_out)
        if routine:
            stored["r"] = [codes.get(v, v) for v in routine]
        if self.left_out:
            stored["o"] = sorted(codes.get(v, v) for v in self.left_out)
        if self.last_done:
            stored["l"] = {
                codes.get(v, v): (day - DAY_ZERO).days for v, day in self.last_done.items()
            }
        return stored

    @classmethod
    def from_dict(cls, raw: object, catalogue: Catalogue) -> RoutineChoices:
        """Each part read on its own: a damaged part is dropped with a log line."""
        if not isinstance(raw, Mapping):
            if raw is not None:
                log.warning("saved routine choices unusable; choices reset")
            return cls()
        choices = cls()
        try:
            choices = replace(choices, routine=_variant_ids(raw.get("r", []), catalogue))
        except TypeError:
            log.warning("saved short routine unusable; back to the whole routine")
        try:
            choices = replace(
                choices, left_out=frozenset(_variant_ids(raw.get("o", []), catalogue))
            )
        except TypeError:
            log.warning("saved left-out exercises unusable; none left out")
        last = raw.get("l", {})
        if not isinstance(last, Mapping):
            log.warning("saved last-done dates unusable; dates reset")
            last = {}
        done = {}
        for key, offset in last.items():
            variant_id = _variant_id(key, catalogue)
            if variant_id is None or isinstance(offset, bool) or not isinstance(offset, int):
                continue
            if 0 <= offset <= MAX_DAY_NUMBER:
                done[variant_id] = DAY_ZERO + timedelta(days=offset)
        return replace(choices, last_done=done)

    def finished(self, variant_ids: tuple[str, ...], today: date) -> RoutineChoices:
        done = dict(self.last_done)
        done.update(dict.fromkeys(variant_ids, today))
        return replace(self, last_done=done)


@dataclass(frozen=True)
class Progress:
    routine: RoutineState = field(default_factory=RoutineState)
    recent_days: tuple[ActiveDay, ...] = ()  # newest first
    streak_days: int = 0
    active_days: int = 0
    injured_side: Side | None = None
    pace: Pace = Pace.NORMAL
    levels: Mapping[str, int] = field(default_factory=dict)
    # Counts saved writes; a store can refuse a write made from an older copy.
    revision: int = 0
    # The alert token of the daily reminder, as the Reminders API confirmed it; None when
    # none is known to this record.
    reminder_token: str | None = None
    # The local date on which the user last said no to a reminder, so it is not offered
    # again for a while.
    reminder_declined_on: date | None = None
    # The device's time zone as the Alexa settings API last gave it, and the local date it
    # did: a session starts without asking again until it is ZONE_REFRESH_DAYS old.
    time_zone: str | None = None
    time_zone_checked_on: date | None = None
    # The tag of the device the kept time zone belongs to (see `device_tag`).
    time_zone_device: str | None = None
    # How many times the user's data was deleted; a write from a copy of an older
    # generation never replaces the record (see the module docstring).
    generation: int = 0
    # The stored revision was unusable (not a whole number): the next save replaces the
    # record outright. Not part of the record's value.
    revision_damaged: bool = field(default=False, compare=False)
    choices: RoutineChoices = field(default_factory=RoutineChoices)

    @property
    def is_new_user(self) -> bool:
        return self.active_days == 0 and self.routine == RoutineState()

    @property
    def last_active(self) -> ActiveDay | None:
        return self.recent_days[0] if self.recent_days else None

    def coaching(self) -> Coaching:
        return Coaching(
            injured_side=self.injured_side,
            pace=self.pace,
            levels=self.levels,
            routine=self.choices.routine,
            left_out=self.choices.left_out,
        )

    def mark_active(self, today: date) -> Progress:
        """Count today as an active day (once), extending or restarting the streak."""
        last = self.last_active
        if last is not None and last.day == today:
            return self
        continued = last is not None and (today - last.day).days == 1
        days = (ActiveDay(today), *self.recent_days)[:RECENT_DAYS_KEPT]
        return replace(
            self,
            recent_days=days,
            streak_days=self.streak_days + 1 if continued else 1,
            active_days=self.active_days + 1,
        )

    def complete(self, variant_ids: tuple[str, ...], today: date, catalogue: Catalogue) -> Progress:
        """Record finished variants; the first finish of a variant on a day raises its level.

        A day counts as exercised only when an exercise was finished on it.
        """
        if not variant_ids:
            return self
        progress = self.mark_active(today)
        progress = replace(progress, choices=progress.choices.finished(variant_ids, today))
        for variant_id in variant_ids:
            today_entry = progress.recent_days[0]
            if variant_id in today_entry.completed:
                continue
            top = catalogue.variant(variant_id).top_level
            levels = dict(progress.levels)
            level = min(top, levels.get(variant_id, 0) + 1)
            if level:  # a variant with a fixed dose has no level to keep
                levels[variant_id] = level
            entry = replace(today_entry, completed=(*today_entry.completed, variant_id))
            progress = replace(
                progress, levels=levels, recent_days=(entry, *progress.recent_days[1:])
            )
        return progress

    def known_time_zone(self, today: date, device: str | None = None) -> str | None:
        """The kept time zone, while it is fresh enough to trust without asking again and
        (when `device`, a device tag, is given) it is that device's."""
        checked = self.time_zone_checked_on
        if self.time_zone is None or checked is None:
            return None
        if device is not None and self.time_zone_device != device:
            return None
        return self.time_zone if 0 <= (today - checked).days < ZONE_REFRESH_DAYS else None

    def with_time_zone(self, zone: str, today: date, device: str | None = None) -> Progress:
        return replace(self, time_zone=zone, time_zone_checked_on=today, time_zone_device=device)

    def with_reminder(self, token: str | None) -> Progress:
        """This record knowing the reminder `token` (None: no reminder is known).

        A token too long to keep is not stored: the reminder exists, and is found again
        through the Reminders API when needed. Setting a reminder ends any "no" to one.
        """
        if token is not None and len(token) > MAX_REMINDER_TOKEN_CHARACTERS:
            token = None
        declined = None if token is not None else self.reminder_declined_on
        return replace(self, reminder_token=token, reminder_declined_on=declined)

    def to_dict(self, catalogue: Catalogue) -> dict:
        """The stored form: compact, with empty values left out (see the module docstring);
        variants by the catalogue's codes."""
        codes = catalogue.variant_codes
        routine = {k: v for k, v in self.routine.to_dict().items() if v is not None}
        record: dict = {
            "schema": RECORD_SCHEMA_VERSION,
            "revision": self.revision,
            "routine": routine,
            "days": [
                [d.day.isoformat(), [codes.get(v, v) for v in d.completed]]
                for d in self.recent_days
            ],
            "streak": self.streak_days,
            "active_days": self.active_days,
            "pace": self.pace.value,
            "levels": {codes.get(k, k): v for k, v in self.levels.items() if v},
        }
        if self.injured_side is not None:
            record["injured_side"] = self.injured_side.value
        if self.reminder_token is not None:
            record["reminder"] = self.reminder_token
        if self.reminder_declined_on is not None:
            record["declined"] = self.reminder_declined_on.isoformat()
        if self.time_zone is not None and self.time_zone_checked_on is not None:
            zone = [self.time_zone, self.time_zone_checked_on.isoformat()]
            record["tz"] = [*zone, self.time_zone_device] if self.time_zone_device else zone
        if self.generation:
            record[GENERATION_KEY] = self.generation
        choices = self.choices.to_dict(catalogue)
        if choices:
            record["plan"] = choices
        return record

    @classmethod
    def from_dict(cls, raw: object, catalogue: Catalogue) -> Progress:
        """Rebuild a saved record, each field on its own: a damaged field is reset and the
        reset logged; the rest is kept."""
        if not raw:
            return cls()
        if not isinstance(raw, Mapping):
            log.warning("progress record is a %s; starting afresh", type(raw).__name__)
            return cls()
        revision, damaged = _revision(raw.get("revision"))
        generation, _ = _revision(raw.get(GENERATION_KEY), "deletion generation")
        progress = cls(revision=revision, generation=generation, revision_damaged=damaged)
        schema = raw.get("schema")
        if isinstance(schema, int | float | None) and (
            isinstance(schema, bool) or schema not in READABLE_SCHEMAS
        ):
            log.warning("progress record has unknown schema %r; starting afresh", _schema(raw))
            # The revision is kept, so the fresh record can still replace the stored one.
            return progress
        if not isinstance(schema, int | float | None):
            log.warning("saved schema %r unusable; read as the current schema", schema)
            raw = {**raw, "schema": RECORD_SCHEMA_VERSION}
        fields = {
            "routine": lambda: RoutineState.from_dict(_routine_fields(raw), catalogue),
            "recent_days": lambda: _days(raw.get("days"), catalogue),
            "streak_days": lambda: _counted(raw.get("streak"), "streak"),
            "active_days": lambda: _counted(raw.get("active_days"), "active days"),
            "injured_side": lambda: _setting(Side, raw.get("injured_side"), None),
            "pace": lambda: _setting(Pace, raw.get("pace"), Pace.NORMAL),
            "levels": lambda: _levels(raw.get("levels"), catalogue),
            "reminder_token": lambda: _token(raw.get("reminder")),
            "reminder_declined_on": lambda: _date(raw.get("declined")),
        }
        decoded: dict = {}
        for name, decode in fields.items():
            try:
                decoded[name] = decode()
            except (KeyError, TypeError, ValueError, OverflowError) as error:
                log.warning("saved %s unusable (%s); reset", name, error)
        zone, checked, device = _time_zone(raw.get("tz"))
        return replace(
            progress,
            **decoded,
            time_zone=zone,
            time_zone_checked_on=checked,
            time_zone_device=device,
            choices=RoutineChoices.from_dict(raw.get("plan"), catalogue),
        )


def device_tag(device_id: object) -> str | None:
    """A short tag naming a device in the record (never the device id itself)."""
    if not isinstance(device_id, str) or not device_id:
        return None
    return hashlib.sha256(device_id.encode()).hexdigest()[:DEVICE_TAG_CHARACTERS]


# The fields a session can change, as `Changes` names them.
SIDE, PACE, REMINDER, TIME_ZONE, PLACE = "side", "pace", "reminder", "tz", "place"
LEFT_OUT = "left_out"
CHANGEABLE = frozenset({SIDE, PACE, REMINDER, TIME_ZONE, PLACE, LEFT_OUT})
Changes = frozenset[str]


def changes_of(names: Iterable[object]) -> Changes:
    """The known field names in `names` (anything else, from a damaged session, is dropped)."""
    return frozenset(n for n in names if isinstance(n, str) and n in CHANGEABLE)


def merge(
    stored: Progress,
    ours: Progress,
    base: Progress | None = None,
    changed: Changes | None = None,
) -> Progress:
    """Combine the stored copy of a user's record with this session's, losing nothing.

    `base` is the copy this session started from (None: it never read the store, and started
    from a fresh record); `changed` names the fields this session changed since `base`
    (None: every field that differs from `base`). Finished days and exercises are united:
    the days and levels this session added are added to the stored counts. Each setting,
    the reminder, the time zone and the place in the routine come from this session's copy
    only when it changed them, so a session that never read the store resets nothing.
    The short routine under way goes with the place; the exercises left out are a setting;
    each variant keeps its latest finish.
    """
    start = base if base is not None else Progress()
    if changed is None:
        changed = _differences(start, ours)
    stored_pairs = {(d.day, v) for d in stored.recent_days for v in d.completed}
    start_pairs = {(d.day, v) for d in start.recent_days for v in d.completed}
    ours_new = [
        (d.day, v)
        for d in reversed(ours.recent_days)
        for v in d.completed
        if (d.day, v) not in start_pairs and (d.day, v) not in stored_pairs
    ]
    days: dict[date, list[str]] = {}
    for copy in (stored, ours):
        for entry in copy.recent_days:
            done = days.setdefault(entry.day, [])
            done.extend(v for v in entry.completed if v not in done)
    recent = tuple(
        ActiveDay(day, tuple(days[day])) for day in sorted(days, reverse=True)[:RECENT_DAYS_KEPT]
    )
    stored_days = {d.day for d in stored.recent_days}
    new_days = {day for day, _ in ours_new if day not in stored_days}
    levels = dict(stored.levels)
    for _, variant_id in ours_new:
        levels[variant_id] = levels.get(variant_id, 0) + 1
    levels = {
        k: min(_top(k), max(levels.get(k, 0), ours.levels.get(k, 0)))
        for k in {*levels, *ours.levels}
    }
    place = stored.routine
    if PLACE in changed:
        stored_moved = base is not None and stored.routine != base.routine
        if not stored_moved or ours.routine.updated_at >= stored.routine.updated_at:
            place = ours.routine
    reminder = ours if REMINDER in changed else stored
    zoned = ours if TIME_ZONE in changed else stored
    last_done = {
        v: max(d for d in (stored.choices.last_done.get(v), ours.choices.last_done.get(v)) if d)
        for v in {*stored.choices.last_done, *ours.choices.last_done}
    }
    choices = RoutineChoices(
        ours.choices.routine if place is ours.routine else stored.choices.routine,
        ours.choices.left_out if LEFT_OUT in changed else stored.choices.left_out,
        last_done,
    )
    return replace(
        stored,
        routine=place,
        recent_days=recent,
        streak_days=max(stored.streak_days, ours.streak_days),
        active_days=max(stored.active_days + len(new_days), ours.active_days),
        injured_side=ours.injured_side if SIDE in changed else stored.injured_side,
        pace=ours.pace if PACE in changed else stored.pace,
        levels=levels,
        revision=max(stored.revision, ours.revision),
        reminder_token=reminder.reminder_token,
        reminder_declined_on=reminder.reminder_declined_on,
        time_zone=zoned.time_zone,
        time_zone_checked_on=zoned.time_zone_checked_on,
        time_zone_device=zoned.time_zone_device,
        choices=choices,
    )


_TOPS: dict[str, int] = {}


def _top(variant_id: str) -> int:
    """A variant's top level (levels are raised by one a day up to it)."""
    if not _TOPS:
        from si_coach.routine.catalogue import default_catalogue  # noqa: PLC0415

        _TOPS.update({v.id: v.top_level for v in default_catalogue().variants})
    return _TOPS.get(variant_id) or MAX_COUNT


def _differences(start: Progress, ours: Progress) -> Changes:
    """The fields `ours` changed since `start`."""
    changed = set()
    if ours.injured_side != start.injured_side:
        changed.add(SIDE)
    if ours.pace != start.pace:
        changed.add(PACE)
    if _reminder(ours) != _reminder(start):
        changed.add(REMINDER)
    if (ours.time_zone, ours.time_zone_checked_on) != (start.time_zone, start.time_zone_checked_on):
        changed.add(TIME_ZONE)
    if ours.routine != start.routine:
        changed.add(PLACE)
    if ours.choices.left_out != start.choices.left_out:
        changed.add(LEFT_OUT)
    return frozenset(changed)


def _time_zone(stored: object) -> tuple[str | None, date | None, str | None]:
    """A kept time zone, the date it was checked and its device's tag; nothing when unusable."""
    if stored is None:
        return None, None, None
    usable = (
        isinstance(stored, list)
        and len(stored) in (2, 3)
        and isinstance(stored[0], str)
        and 0 < len(stored[0]) <= MAX_TIME_ZONE_CHARACTERS
        and _date(stored[1]) is not None
    )
    device = stored[2] if usable and len(stored) == 3 else None
    if not usable or not (device is None or _is_tag(device)):
        log.warning("saved time zone unusable; reset")
        return None, None, None
    return stored[0], _date(stored[1]), device


def _is_tag(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= DEVICE_TAG_CHARACTERS


def _reminder(progress: Progress) -> tuple[str | None, date | None]:
    return progress.reminder_token, progress.reminder_declined_on


def _schema(raw: object) -> object:
    return raw.get("schema") if isinstance(raw, Mapping) else type(raw).__name__


def _variant_id(stored: object, catalogue: Catalogue) -> str | None:
    """The variant a stored name means: a code, or (schema 1) an id; None when unknown."""
    if not isinstance(stored, str):
        return None
    variant_id = catalogue.variants_by_code.get(stored, stored)
    return variant_id if variant_id in catalogue.variant_ids else None


def _variant_ids(stored: object, catalogue: Catalogue) -> tuple[str, ...]:
    if not isinstance(stored, list):
        raise TypeError("a day's exercises must be a list")
    found = (_variant_id(item, catalogue) for item in stored)
    return tuple(dict.fromkeys(v for v in found if v is not None))


def _days(stored: object, catalogue: Catalogue) -> tuple[ActiveDay, ...]:
    """The recent days, newest first; a damaged entry is dropped alone (and logged)."""
    if stored is None:
        return ()
    if not isinstance(stored, list):
        raise TypeError("the days must be a list")
    days: dict[date, ActiveDay] = {}
    for entry in stored:
        try:
            day, done = entry
            parsed = date.fromisoformat(day)
            days.setdefault(parsed, ActiveDay(parsed, _variant_ids(done, catalogue)))
        except (TypeError, ValueError) as error:
            log.warning("a saved day is unusable (%s); that day is dropped", error)
    newest = sorted(days, reverse=True)[:RECENT_DAYS_KEPT]
    return tuple(days[day] for day in newest)


def _levels(stored: object, catalogue: Catalogue) -> dict[str, int]:
    if stored is None:
        return {}
    if not isinstance(stored, Mapping):
        raise TypeError(f"levels must be a map, not a {type(stored).__name__}")
    levels = {}
    for key, value in stored.items():
        variant_id = _variant_id(key, catalogue)
        level = _counted(value, "level", quiet=True)
        if variant_id is not None and level:
            levels[variant_id] = min(level, catalogue.variant(variant_id).top_level or level)
    return levels


def _token(stored: object) -> str | None:
    if stored is None:
        return None
    if not (isinstance(stored, str) and stored.strip()):
        raise TypeError("the reminder token must be text")
    return stored if len(stored) <= MAX_REMINDER_TOKEN_CHARACTERS else None


def _setting(kind: type[_E], stored: object, default: _E | None) -> _E | None:
    if stored is None:
        return default
    try:
        return kind(stored)  # type: ignore[call-arg]
    except (TypeError, ValueError) as error:
        raise ValueError(f"{stored!r} is not a {kind.__name__.lower()}") from error


def _routine_fields(raw: Mapping) -> Mapping:
    """The stored routine with the empty fields the compact form leaves out put back."""
    routine = raw.get("routine")
    if routine is None:  # a deletion marker, or a record that never began the routine
        return RoutineState().to_dict()
    if raw.get("schema") == 1 or not isinstance(routine, Mapping):
        return routine
    empty = {"variant": None, "side": None, "hold_ends_at": None, "paused_from": None}
    return empty | dict(routine)


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _counted(value: object, name: str, *, quiet: bool = False) -> int:
    """A stored count: a whole number from 0 to MAX_COUNT; anything else is damage."""
    if value is None:
        return 0
    whole = _whole(value)
    if whole is None or whole > MAX_COUNT:
        if quiet:
            return 0
        raise ValueError(f"{name} {value!r} is not a count")
    return whole


def _revision(value: object, name: str = "revision") -> tuple[int, bool]:
    """A stored revision (or generation), and whether it was damaged (then 0)."""
    if value is None:
        return 0, False
    whole = _whole(value)
    if whole is None or whole > MAX_REVISION:
        log.warning("saved %s %r unusable; the next save replaces the record", name, value)
        return 0, True
    return whole, False


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if value >= 0 else None
