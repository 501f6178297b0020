"""The progress store: load a user's record, save it safely beside other devices, and
delete it when the user asks or disables the skill.

It wraps the storage port (the SDK's AbstractPersistenceAdapter; adapters in storage/).
Writes are conditional on the record's revision: when another device saved first, the
stored record is read again and merged with this session's, so neither loses anything.
A record that has vanished since this session read it was deleted on purpose ("delete my
data" on another device): the session's old copy is dropped, never written back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from si_coach.routine.catalogue import Catalogue
from si_coach.routine.progress import Progress, merge
from si_coach.storage import StaleProgressError
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
        self, envelope: RequestEnvelope, current: Progress, base: Progress | None
    ) -> Progress | None:
        """Write `current`, made from `base` (None: the stored record was never read).

        Returns what was written, merged with the stored record where needed, or None when
        it could not be saved (the session keeps the progress for a later turn).
        """
        if base is None:
            stored = self.load(envelope)
            if stored is None:
                return None
            current, base = merge(stored, current), stored
        for _ in range(self.ATTEMPTS):
            record = current.to_dict(self.catalogue) | {REVISION_KEY: base.revision + 1}
            try:
                self.adapter.save_attributes(envelope, record)
                return Progress.from_dict(record, self.catalogue)
            except StaleProgressError:
                log.info("progress was saved elsewhere meanwhile; merging")
                stored = self.load(envelope)
                if stored is None:
                    return None
                if stored.revision == 0 and base.revision > 0:
                    log.info("progress was deleted meanwhile; this session starts afresh")
                    return Progress()
                current, base = merge(stored, current, base), stored
            except Exception:
                log.exception("could not save progress; it stays in the session for a later turn")
                return None
        log.warning("progress still conflicting after %d attempts", self.ATTEMPTS)
        return None

    def delete(self, envelope: RequestEnvelope) -> bool:
        """Delete the user's record; False when the store could not be reached."""
        try:
            self.adapter.delete_attributes(envelope)
        except Exception:
            log.exception("could not delete the progress record")
            return False
        return True


def worth_saving(saved: Progress, current: Progress) -> bool:
    """True when a change would be missed if the session ended now without a goodbye.

    Moving between reps is not saved on every turn; reaching a new side, set or exercise,
    pausing (which "it hurts" does too), finishing, and any change of history, settings or
    the reminder are.
    """

    def durable(progress: Progress) -> tuple:
        routine = progress.routine
        phase = "active" if routine.phase.active else routine.phase.value
        position = (routine.variant_id, routine.side, routine.set_number)
        return (
            phase,
            position,
            progress.recent_days,
            progress.streak_days,
            progress.active_days,
            progress.injured_side,
            progress.pace,
            sorted(progress.levels.items()),
            progress.reminder_token,
            progress.reminder_declined_on,
        )

    return durable(saved) != durable(current)
