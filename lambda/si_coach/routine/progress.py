"""A user's saved progress: routine position, recent days, streak, preferences and levels,
and the token of their daily reminder.

The record is what the storage port saves for each Alexa user. It is kept small and
bounded (it must fit one DynamoDB write unit, 1 KB, however long it is used): only the two
most recent active days keep their list of exercises, variants are stored by the short
codes of the catalogue (catalogue.toml, `code`), empty values and zero levels are left out,
and a reminder token is kept only up to MAX_REMINDER_TOKEN_CHARACTERS; the device's time
zone is kept with the date it was last checked. It holds exercise progress and preferences
only, never symptoms or pain reports. Records of the previous schema (1: full variant ids,
every field written out) are still read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from si_coach.routine.catalogue import Catalogue, Pace, Side
from si_coach.routine.pacing import Coaching, RoutineState

RECORD_SCHEMA_VERSION = 2
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

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveDay:
    """A local date, and the variants completed on it in the order they were finished."""

    day: date
    completed: tuple[str, ...] = ()


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

    @property
    def is_new_user(self) -> bool:
        return self.active_days == 0 and self.routine == RoutineState()

    @property
    def last_active(self) -> ActiveDay | None:
        return self.recent_days[0] if self.recent_days else None

    def coaching(self) -> Coaching:
        return Coaching(injured_side=self.injured_side, pace=self.pace, levels=self.levels)

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

    def known_time_zone(self, today: date) -> str | None:
        """The kept time zone, while it is fresh enough to trust without asking again."""
        checked = self.time_zone_checked_on
        if self.time_zone is None or checked is None:
            return None
        return self.time_zone if 0 <= (today - checked).days < ZONE_REFRESH_DAYS else None

    def with_time_zone(self, zone: str, today: date) -> Progress:
        return replace(self, time_zone=zone, time_zone_checked_on=today)

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
            record["tz"] = [self.time_zone, self.time_zone_checked_on.isoformat()]
        return record

    @classmethod
    def from_dict(cls, raw: Mapping, catalogue: Catalogue) -> Progress:
        """Rebuild a saved record; parts that are damaged are reset, and the reset is logged."""
        if not raw:
            return cls()
        if not isinstance(raw, Mapping):
            log.warning("progress record is a %s; starting afresh", type(raw).__name__)
            return cls()
        schema = raw.get("schema")
        if isinstance(schema, bool) or schema not in READABLE_SCHEMAS:
            log.warning("progress record has unknown schema %r; starting afresh", _schema(raw))
            # The revision is kept, so the fresh record can still replace the stored one.
            return cls(revision=_count(raw.get("revision")))
        progress = cls(revision=_count(raw.get("revision")))
        try:
            progress = replace(
                progress, routine=RoutineState.from_dict(_routine_fields(raw), catalogue)
            )
        except (KeyError, ValueError) as error:
            log.warning("saved routine position unusable (%s); starting the routine afresh", error)
        try:
            days = tuple(
                ActiveDay(date.fromisoformat(d), _variant_ids(done, catalogue))
                for d, done in raw.get("days", [])
            )[:RECENT_DAYS_KEPT]
        except (TypeError, ValueError):
            log.warning("saved history unusable; history reset")
            days = ()
        levels = {}
        for key, value in (raw.get("levels") or {}).items():
            variant_id = _variant_id(key, catalogue)
            if variant_id is not None and _count(value):
                levels[variant_id] = _count(value)
        token = raw.get("reminder")
        zone, zone_checked = _time_zone(raw.get("tz"))
        return replace(
            progress,
            recent_days=days,
            streak_days=_count(raw.get("streak")),
            active_days=_count(raw.get("active_days")),
            injured_side=_enum(Side, raw.get("injured_side")),
            pace=_enum(Pace, raw.get("pace")) or Pace.NORMAL,
            levels=levels,
            reminder_token=token if isinstance(token, str) and token.strip() else None,
            reminder_declined_on=_date(raw.get("declined")),
            time_zone=zone,
            time_zone_checked_on=zone_checked,
        )


def merge(stored: Progress, ours: Progress, base: Progress | None = None) -> Progress:
    """Combine two copies of one user's record so that no completed exercise is lost.

    Days and their completed exercises are united; counts and levels take the higher value;
    the routine position and settings come from whichever copy moved last. The reminder
    (its token and any "no") is ours when this session changed it since `base`, the copy it
    started from (None: a fresh record), and the stored one's otherwise, so a reminder set
    or stopped on one device is not undone by another device's routine.
    """
    days: dict[date, list[str]] = {}
    for copy in (stored, ours):
        for entry in copy.recent_days:
            done = days.setdefault(entry.day, [])
            done.extend(v for v in entry.completed if v not in done)
    recent = tuple(
        ActiveDay(day, tuple(days[day])) for day in sorted(days, reverse=True)[:RECENT_DAYS_KEPT]
    )
    latest = ours if ours.routine.updated_at >= stored.routine.updated_at else stored
    levels = {
        k: max(stored.levels.get(k, 0), ours.levels.get(k, 0))
        for k in {*stored.levels, *ours.levels}
    }
    start = base if base is not None else Progress()
    reminder = ours if _reminder(ours) != _reminder(start) else stored
    zoned = max((stored, ours), key=lambda copy: copy.time_zone_checked_on or date.min)
    return replace(
        latest,
        recent_days=recent,
        streak_days=max(stored.streak_days, ours.streak_days),
        active_days=max(stored.active_days, ours.active_days),
        levels=levels,
        revision=max(stored.revision, ours.revision),
        reminder_token=reminder.reminder_token,
        reminder_declined_on=reminder.reminder_declined_on,
        time_zone=zoned.time_zone,
        time_zone_checked_on=zoned.time_zone_checked_on,
    )


def _time_zone(stored: object) -> tuple[str | None, date | None]:
    """A kept time zone and the date it was checked, or nothing when it is unusable."""
    if not (isinstance(stored, list) and len(stored) == 2 and isinstance(stored[0], str)):
        return None, None
    checked = _date(stored[1])
    if checked is None or not stored[0] or len(stored[0]) > MAX_TIME_ZONE_CHARACTERS:
        return None, None
    return stored[0], checked


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
    return tuple(v for v in found if v is not None)


def _routine_fields(raw: Mapping) -> Mapping:
    """The stored routine with the empty fields the compact form leaves out put back."""
    routine = raw["routine"]
    if raw.get("schema") == 1 or not isinstance(routine, Mapping):
        return routine
    empty = {"variant": None, "side": None, "hold_ends_at": None, "paused_from": None}
    return empty | dict(routine)


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _count(value: object) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
    return max(0, number)


def _enum(kind: type[_E], value: object) -> _E | None:
    try:
        return kind(value)  # type: ignore[call-arg]
    except ValueError:
        return None
