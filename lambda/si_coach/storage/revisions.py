"""Conditional writes: a progress record's revision, and the error a stale write raises."""

from __future__ import annotations

from collections.abc import Mapping

from ask_sdk_core.exceptions import PersistenceException

REVISION_KEY = "revision"


class StaleProgressError(PersistenceException):
    """The stored record moved on since it was read: read it again, merge, and retry."""


def expected_revision(record: Mapping) -> int | None:
    """The revision a write of ``record`` expects to replace, or None for an unconditional write.

    A record carrying a whole-number ``revision`` N >= 1 may only replace a stored record of
    revision N - 1 (a missing record, or one without a revision, counts as 0). Two devices
    saving from the same starting point cannot both succeed: the second learns it is stale.
    """
    revision = record.get(REVISION_KEY)
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        return None
    return revision - 1


def stored_revision(record: object) -> int:
    """A stored record's revision; 0 for a missing one, or a record that is not a map."""
    if not isinstance(record, Mapping):
        return 0
    revision = record.get(REVISION_KEY)
    return revision if isinstance(revision, int) and not isinstance(revision, bool) else 0
