"""Embedded store for progress records: one SQLite file, for running the skill locally.

Same contract as the DynamoDB adapter: one progress record per Alexa user id, stored as JSON
text, ``{}`` for a user never seen, and the same retention rule (see
``si_coach.storage.lifecycle``): every save stamps an expiry, and a record past it reads as
absent and is deleted then; each save also purges every other expired record. Every
operation opens its own short-lived connection, so one store may be shared by threads, and
several processes may use the same file: writes take the database lock up front
(``BEGIN IMMEDIATE``) and wait for it up to a busy timeout.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

from si_coach.storage.lifecycle import RecordKey, expiry_after_save, has_expired, record_key
from si_coach.storage.revisions import StaleProgressError, expected_revision, stored_revision

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope


log = logging.getLogger(__name__)

DATABASE_FILE_NAME = "progress.sqlite3"

BUSY_TIMEOUT_SECONDS = 5.0
"""How long a write waits for another writer; well under Alexa's 8 s response deadline."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS progress_record (
    user_id TEXT PRIMARY KEY NOT NULL,
    record_json TEXT NOT NULL,
    expires_at INTEGER
)
"""
# Files made before records expired lack the column; their records get a stamp when saved.
_ADD_EXPIRY = "ALTER TABLE progress_record ADD COLUMN expires_at INTEGER"
_EXPIRY_INDEX = "CREATE INDEX IF NOT EXISTS progress_record_expiry ON progress_record (expires_at)"


class EmbeddedProgressStore(AbstractPersistenceAdapter):
    """Progress records in a SQLite file, created with its directory on first use.

    ``clock`` gives the current time in epoch seconds (tests move it).
    """

    def __init__(
        self,
        database_path: Path,
        partition_keygen: Callable[[RequestEnvelope], str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database_path = Path(database_path)
        # The row key of a request's record: the account's user id, or for a recognised
        # person the user id, PERSON_SEPARATOR and their tag, so that every record of an
        # account is one range of the primary key.
        self.partition_keygen = partition_keygen or _row_key
        self.clock = clock
        self._schema_ready = False

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        user_id = self.partition_keygen(request_envelope)
        with self._connection("read the progress record") as connection:
            row = connection.execute(
                "SELECT record_json, expires_at FROM progress_record WHERE user_id = ?",
                (user_id,),
            ).fetchone()
            if row is None:
                return {}
            now = self.clock()
            if has_expired(row[1], now):
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(
                    "DELETE FROM progress_record WHERE user_id = ? AND expires_at <= ?",
                    (user_id, now),
                )
                connection.execute("COMMIT")
                return {}
        return _record(row[0], user_id)

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        user_id = self.partition_keygen(request_envelope)
        try:
            # allow_nan=False: NaN and Infinity are not JSON, and DynamoDB refuses them too.
            record_json = json.dumps(attributes, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise PersistenceException(f"Progress record is not plain JSON: {error}") from error
        expected = expected_revision(attributes)
        now = self.clock()
        with self._connection("save the progress record") as connection:
            connection.execute("BEGIN IMMEDIATE")
            # Expired records go first, this user's included: it then counts as absent.
            connection.execute("DELETE FROM progress_record WHERE expires_at <= ?", (now,))
            if expected is not None:
                row = connection.execute(
                    "SELECT record_json FROM progress_record WHERE user_id = ?", (user_id,)
                ).fetchone()
                found = stored_revision(_record(row[0], user_id)) if row else 0
                if found != expected:
                    connection.execute("ROLLBACK")
                    raise StaleProgressError(
                        f"stored progress is at revision {found}, not {expected}"
                    )
            connection.execute(
                "INSERT INTO progress_record (user_id, record_json, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET "
                "record_json = excluded.record_json, expires_at = excluded.expires_at",
                (user_id, record_json, expiry_after_save(now)),
            )
            connection.execute("COMMIT")

    def account_record_keys(self, request_envelope: RequestEnvelope) -> list[RecordKey]:
        """Every record of the request's account, by one range of the primary key."""
        user_id = record_key(request_envelope).user_id
        prefix = user_id + PERSON_SEPARATOR
        with self._connection("list the account's progress records") as connection:
            rows = connection.execute(
                "SELECT user_id, expires_at FROM progress_record "
                "WHERE user_id = ? OR (user_id > ? AND user_id < ?)",
                (user_id, prefix, prefix + "\U0010ffff"),
            ).fetchall()
        now = self.clock()
        keys = []
        for row_key, expires_at in rows:
            if has_expired(expires_at, now):
                continue
            person = row_key[len(prefix) :] if row_key.startswith(prefix) else None
            keys.append(RecordKey(user_id, person))
        return keys

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        user_id = self.partition_keygen(request_envelope)
        with self._connection("delete the progress record") as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM progress_record WHERE user_id = ?", (user_id,))
            connection.execute("COMMIT")

    @contextmanager
    def _connection(self, purpose: str) -> Iterator[sqlite3.Connection]:
        try:
            self._ensure_schema()
            # isolation_level=None: transactions are opened explicitly, so a write holds the
            # lock from its first statement instead of upgrading a read lock (which can fail
            # at once with "database is locked" when two writers meet).
            with closing(
                sqlite3.connect(
                    self.database_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
                )
            ) as connection:
                try:
                    yield connection
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
        except sqlite3.Error as error:
            raise PersistenceException(
                f"Could not {purpose} in {self.database_path}: {error}"
            ) from error

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
        # Switching a new file to WAL can fail at once with "database is locked" while
        # another process or thread sets it up too (the busy timeout does not cover it),
        # so the set-up is retried within the same time budget.
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                with closing(
                    sqlite3.connect(
                        self.database_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
                    )
                ) as connection:
                    # WAL lets readers carry on while one process writes; the mode is stored
                    # in the file, so it is switched only once.
                    if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        connection.execute("PRAGMA journal_mode=WAL")
                    # One writer at a time, so two processes never both add the column.
                    connection.execute("BEGIN IMMEDIATE")
                    connection.execute(_SCHEMA)
                    columns = {
                        row[1] for row in connection.execute("PRAGMA table_info(progress_record)")
                    }
                    if "expires_at" not in columns:
                        connection.execute(_ADD_EXPIRY)
                    connection.execute(_EXPIRY_INDEX)
                    connection.execute("COMMIT")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self._schema_ready = True


# Alexa user ids are made of letters, digits, dots and hyphens: "#" never appears in one.
PERSON_SEPARATOR = "#"


def _row_key(request_envelope: RequestEnvelope) -> str:
    key = record_key(request_envelope)
    return key.user_id if key.person is None else key.user_id + PERSON_SEPARATOR + key.person


def _record(record_json: str, user_id: str) -> Any:
    """A stored row's record; a row that is not JSON reads as no record (and is logged), so
    the next save replaces it."""
    try:
        return json.loads(record_json)
    except (TypeError, ValueError):
        log.warning("stored progress of a user is not JSON; it counts as no record")
        return {}
