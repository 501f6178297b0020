"""The progress store: load a user's record, save it safely beside other devices, and
delete it when the user asks or disables the skill.

It wraps the storage port (the SDK's AbstractPersistenceAdapter; adapters in storage/).
Writes are conditional on the record's revision: when another device saved first, the
stored record is read again and merged with this session's, field by field, so neither
loses anything (see `si_coach.routine.progress.merge`).

Deleting a record ("delete my data", or the skill disabled) removes the item and writes in
its place a marker holding nothing of the user's: the next revision and a newer deletion
generation. Revisions therefore never repeat, so every session that read the record before
the deletion fails its conditional write, reads the marker (or the records written after
it), sees the newer generation, and drops its old copy instead of writing it back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from si_coach.routine.catalogue import Catalogue
from si_coach.routine.progress import (
    GENERATION_KEY,
    RECORD_SCHEMA_VERSION,
    Changes,
    Progress,
    merge,
)
from si_coach.storage import StaleProgressError
from si_coach.storage.lifecycle import for_record, record_key
from si_coach.storage.revisions import REVISION_KEY

log = logging.getLogger(__name__)


class ProgressStore:
    ATTEMPTS = 3

    def __init__(self, adapter: AbstractPersistenceAdapter, catalogue: Catalogue) -> None:
        self.adapter = adapter
        self.catalogue = catalogue

    def load(self, envelope: RequestEnvelope) -> Progress | None:
        """The stored progress (fresh for a new user), or None when the store can't be read."""
        record = self._read(envelope)
        return None if record is None else Progress.from_dict(record, self.catalogue)

    def _read(self, envelope: RequestEnvelope) -> dict | None:
        try:
            record = self.adapter.get_attributes(envelope)
        except Exception:
            log.exception("could not read saved progress")
            return None
        if not isinstance(record, Mapping):
            # Damaged beyond use: starting afresh beats never being able to save again.
            log.warning(
                "saved progress is a %s, not a record; starting afresh", type(record).__name__
            )
            return {}
        return dict(record)

    def save(
        self,
        envelope: RequestEnvelope,
        current: Progress,
        base: Progress | None,
        changed: Changes | None = None,
    ) -> Progress | None:
        """Write `current`, made from `base` (None: the stored record was never read), where
        this session changed the fields named in `changed` (None: whatever differs from `base`).

        Returns what was written, merged with the stored record where needed; the stored
        record itself when this session's copy is older than a deletion; or None when it
        could not be saved (the session keeps the progress for a later turn).
        """
        if base is None:
            stored = self.load(envelope)
            if stored is None:
                return None
            current, base = merge(stored, current, None, changed), stored
            if current == stored:
                return stored
        for _ in range(self.ATTEMPTS):
            if base.revision_damaged and not self._clear_damaged(envelope):
                return None
            record = current.to_dict(self.catalogue) | {REVISION_KEY: base.revision + 1}
            try:
                self.adapter.save_attributes(envelope, record)
                return Progress.from_dict(record, self.catalogue)
            except StaleProgressError:
                log.info("progress was saved elsewhere meanwhile; merging")
                stored = self.load(envelope)
                if stored is None:
                    return None
                if stored.generation > base.generation or (
                    stored.revision == 0 and base.revision > 0 and not stored.revision_damaged
                ):
                    log.info("progress was deleted meanwhile; this session's copy is dropped")
                    return stored
                current, base = merge(stored, current, base, changed), stored
                changed = None  # merged: what still differs from the stored copy is ours
            except Exception:
                log.exception("could not save progress; it stays in the session for a later turn")
                return None
        log.warning("progress still conflicting after %d attempts", self.ATTEMPTS)
        return None

    def _clear_damaged(self, envelope: RequestEnvelope) -> bool:
        """Remove a record whose revision is unusable, so the repaired one can be written."""
        log.warning("stored progress has an unusable revision; replacing the record")
        try:
            self.adapter.delete_attributes(envelope)
        except Exception:
            log.exception("could not replace the damaged progress record")
            return False
        return True

    def delete_account(self, envelope: RequestEnvelope) -> bool:
        """Delete every record of the request's account (the skill was disabled): the
        account's own and each recognised person's. False when any could not be deleted."""
        try:
            keys = account_record_keys(self.adapter, envelope)
        except Exception:
            log.exception("could not list the account's progress records")
            return False
        if record_key(envelope) not in keys:
            keys.append(record_key(envelope))
        return all(self.delete(for_record(envelope, key)) is not None for key in keys)

    def delete(self, envelope: RequestEnvelope) -> Progress | None:
        """Replace the user's record by the deletion marker (see the module docstring).

        Returns the marker, now what the store holds; None when the store could not be
        reached (nothing is deleted then).
        """
        for _ in range(self.ATTEMPTS):
            stored = self.load(envelope)
            if stored is None:
                return None
            if stored.revision_damaged and not self._clear_damaged(envelope):
                return None
            record = deletion_marker(stored)
            try:
                self.adapter.save_attributes(envelope, record)
                return Progress.from_dict(record, self.catalogue)
            except StaleProgressError:
                log.info("progress was saved elsewhere while deleting; deleting that too")
            except Exception:
                log.exception("could not delete the progress record")
                return None
        log.warning("progress still conflicting after %d attempts; not deleted", self.ATTEMPTS)
        return None


def account_record_keys(adapter: AbstractPersistenceAdapter, envelope: RequestEnvelope) -> list:
    """Every record of the request's account, as the adapter lists them in one read."""
    lister = getattr(adapter, "account_record_keys", None)
    return [record_key(envelope)] if lister is None else lister(envelope)


def deletion_marker(stored: Progress) -> dict:
    """What a deleted record leaves: its next revision and a newer deletion generation."""
    return {
        "schema": RECORD_SCHEMA_VERSION,
        REVISION_KEY: stored.revision + 1,
        GENERATION_KEY: stored.generation + 1,
    }


def worth_saving(saved: Progress, current: Progress, position_counts: bool = True) -> bool:
    """True when a change would be missed if the session ended now without a goodbye.

    Moving between reps is not saved on every turn; reaching a new side, set or exercise,
    pausing (which "it hurts" does too), finishing, choosing a short routine, and any change
    of history, settings, the exercises left out or the reminder are. With `position_counts`
    False (a session that does not own its place in the routine), a move alone is not.
    """

    def durable(progress: Progress) -> tuple:
        routine = progress.routine
        phase = "active" if routine.phase.active else routine.phase.value
        position = (routine.variant_id, routine.side, routine.set_number)
        return (
            phase if position_counts else None,
            position if position_counts else None,
            progress.recent_days,
            progress.streak_days,
            progress.active_days,
            progress.injured_side,
            progress.pace,
            sorted(progress.levels.items()),
            progress.reminder_token,
            progress.reminder_declined_on,
            sorted(progress.choices.left_out),
            progress.choices.routine if position_counts else None,
        )

    return durable(saved) != durable(current)
