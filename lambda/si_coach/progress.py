"""A user's saved progress: routine position, recent days, streak, preferences and levels.

The record is what the storage port saves for each Alexa user. It is kept small and
bounded (it must fit one DynamoDB write unit, 1 KB, however long it is used): only the two
most recent active days keep their list of exercises. It holds exercise progress and
preferences only, never symptoms or pain reports.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from si_coach.catalogue import Catalogue, Pace, Side
from si_coach.pacing import Coaching, RoutineState

RECORD_SCHEMA_VERSION = 1
_E = TypeVar("_E", Side, Pace)
RECENT_DAYS_KEPT = 2

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
            levels[variant_id] = min(top, levels.get(variant_id, 0) + 1)
            entry = replace(today_entry, completed=(*today_entry.completed, variant_id))
            progress = replace(
                progress, levels=levels, recent_days=(entry, *progress.recent_days[1:])
            )
        return progress

    def to_dict(self) -> dict:
        return {
            "schema": RECORD_SCHEMA_VERSION,
            "revision": self.revision,
            "routine": self.routine.to_dict(),
            "days": [[d.day.isoformat(), list(d.completed)] for d in self.recent_days],
            "streak": self.streak_days,
            "active_days": self.active_days,
            "injured_side": self.injured_side.value if self.injured_side else None,
            "pace": self.pace.value,
            "levels": dict(self.levels),
        }

    @classmethod
    def from_dict(cls, raw: Mapping, catalogue: Catalogue) -> Progress:
        """Rebuild a saved record; parts that are damaged are reset, and the reset is logged."""
        if not raw:
            return cls()
        if not isinstance(raw, Mapping):
            log.warning("progress record is a %s; starting afresh", type(raw).__name__)
            return cls()
        if raw.get("schema") != RECORD_SCHEMA_VERSION:
            log.warning("progress record has unknown schema %r; starting afresh", _schema(raw))
            # The revision is kept, so the fresh record can still replace the stored one.
            return cls(revision=_count(raw.get("revision")))
        progress = cls(revision=_count(raw.get("revision")))
        try:
            progress = replace(progress, routine=RoutineState.from_dict(raw["routine"], catalogue))
        except (KeyError, ValueError) as error:
            log.warning("saved routine position unusable (%s); starting the routine afresh", error)
        try:
            days = tuple(
                ActiveDay(date.fromisoformat(d), tuple(v for v in done if _known(v, catalogue)))
                for d, done in raw.get("days", [])
            )[:RECENT_DAYS_KEPT]
        except (TypeError, ValueError):
            log.warning("saved history unusable; history reset")
            days = ()
        levels = {
            k: _count(v)
            for k, v in (raw.get("levels") or {}).items()
            if isinstance(k, str) and _known(k, catalogue)
        }
        return replace(
            progress,
            recent_days=days,
            streak_days=_count(raw.get("streak")),
            active_days=_count(raw.get("active_days")),
            injured_side=_enum(Side, raw.get("injured_side")),
            pace=_enum(Pace, raw.get("pace")) or Pace.NORMAL,
            levels=levels,
        )


def merge(stored: Progress, ours: Progress) -> Progress:
    """Combine two copies of one user's record so that no completed exercise is lost.

    Days and their completed exercises are united; counts and levels take the higher value;
    the routine position and settings come from whichever copy moved last.
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
    return replace(
        latest,
        recent_days=recent,
        streak_days=max(stored.streak_days, ours.streak_days),
        active_days=max(stored.active_days, ours.active_days),
        levels=levels,
        revision=max(stored.revision, ours.revision),
    )


def _schema(raw: object) -> object:
    return raw.get("schema") if isinstance(raw, Mapping) else type(raw).__name__


def _known(variant_id: object, catalogue: Catalogue) -> bool:
    return isinstance(variant_id, str) and any(v.id == variant_id for v in catalogue.variants)


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
