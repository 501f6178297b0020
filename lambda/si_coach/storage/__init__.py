"""Where user progress is kept: the storage port and the choice of adapter.

The skill talks to storage only through the SDK's ``AbstractPersistenceAdapter``
(``get_attributes`` / ``save_attributes`` / ``delete_attributes``), one progress record per
Alexa user id, holding plain JSON types. Writes of a record with a ``revision`` are
conditional (see ``expected_revision``): a stale write raises ``StaleProgressError``. A
record not saved for 400 days expires (see ``si_coach.storage.lifecycle``).
``adapter_from_environment`` picks the adapter:

- ``TABLE_NAME`` set (as template.yaml does for the Lambda function): the DynamoDB table of
  that name (see ``si_coach.storage.dynamodb``). The region comes from ``AWS_REGION`` or
  ``AWS_DEFAULT_REGION`` (default us-east-1); ``AWS_ENDPOINT_URL_DYNAMODB`` points it at a
  local DynamoDB-compatible server.
- otherwise: the embedded SQLite store (see ``si_coach.storage.embedded``) in the file
  ``progress.sqlite3`` inside ``SI_COACH_DATA_DIR`` if set, else ``$XDG_DATA_HOME/si-coach``,
  else ``~/.local/share/si-coach``. The directory is created on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

from si_coach.storage.revisions import StaleProgressError, expected_revision, stored_revision

__all__ = [
    "StaleProgressError",
    "adapter_from_environment",
    "embedded_data_dir",
    "expected_revision",
    "stored_revision",
]


def embedded_data_dir(environ: Mapping[str, str]) -> Path:
    """The directory of the embedded store's file, from ``environ`` (see the module docstring)."""
    if environ.get("SI_COACH_DATA_DIR"):
        return Path(environ["SI_COACH_DATA_DIR"])
    if environ.get("XDG_DATA_HOME"):
        return Path(environ["XDG_DATA_HOME"]) / "si-coach"
    home = Path(environ["HOME"]) if environ.get("HOME") else Path.home()
    return home / ".local" / "share" / "si-coach"


def adapter_from_environment(environ: Mapping[str, str]) -> AbstractPersistenceAdapter:
    """The progress-record adapter that ``environ`` calls for (see the module docstring)."""
    table_name = environ.get("TABLE_NAME")
    if table_name:
        # Imported here: botocore costs start-up time the embedded store does not need.
        from si_coach.storage.dynamodb import progress_table_adapter  # noqa: PLC0415

        return progress_table_adapter(table_name, environ)
    # Imported here for the same reason: the Lambda never loads sqlite3.
    from si_coach.storage.embedded import DATABASE_FILE_NAME, EmbeddedProgressStore  # noqa: PLC0415

    return EmbeddedProgressStore(embedded_data_dir(environ) / DATABASE_FILE_NAME)
