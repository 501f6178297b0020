"""Whose record a request reads, and how long an unused record is kept.

Both adapters key a progress record by the Alexa user id, so the same user finds it on any
device, and within it by the recognised person, if any (`record_key`); both can list and
delete every record of an account at once. Both apply the same retention rule: every save
stamps the record with an expiry ``RETENTION_DAYS`` after it (refreshed on use), and a record
past its expiry reads as absent.
DynamoDB deletes it by itself through the table's time-to-live on the same attribute
(template.yaml); the embedded store purges it.
"""

from __future__ import annotations

import copy
import hashlib
import math
from typing import TYPE_CHECKING, NamedTuple

from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

RETENTION_DAYS = 400
RETENTION_SECONDS = RETENTION_DAYS * 24 * 60 * 60

EXPIRY_ATTRIBUTE = "expires_at"
"""Top-level item attribute: when the record expires, in whole epoch seconds (DynamoDB TTL)."""

EXPIRY_STEP_SECONDS = 10_000
"""Expiries are rounded up to a multiple of this (under three hours).

A DynamoDB number costs a byte per two significant digits: ten-digit epoch seconds ending
in four zeros cost 4 bytes instead of 6 in the record's one-kilobyte budget. A record then
lives between 400 days and 400 days and three hours after its last save.
"""


class RecordKey(NamedTuple):
    """Whose record a request reads: the Alexa account (`user_id`, the same on every device),
    and within it a recognised person (`person`, a tag of their person id), or None for the
    account's own record, used whenever no one is recognised."""

    user_id: str
    person: str | None = None


# The session attribute naming whose record the session uses (a person's tag, or "" for the
# account's): decided on the session's first request and kept for the rest of it.
SESSION_RECORD_OWNER = "record_owner"
PERSON_TAG_CHARACTERS = 12


def person_tag(person_id: object) -> str | None:
    """A short tag naming a recognised person in the store (never their person id)."""
    if not isinstance(person_id, str) or not person_id:
        return None
    return hashlib.sha256(person_id.encode()).hexdigest()[:PERSON_TAG_CHARACTERS]


def recognised_person_id(request_envelope: RequestEnvelope) -> str | None:
    """The person id Alexa sends for a recognised voice (context.System.person), or None."""
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    person_id = getattr(getattr(system, "person", None), "person_id", None)
    return person_id if isinstance(person_id, str) and person_id else None


def record_key(request_envelope: RequestEnvelope) -> RecordKey:
    """The record a request reads and writes.

    A session keeps the record it started with: the person recognised on its first request,
    or the account's when no one was. A later request of the same session without a person
    (Alexa may leave it out), or with another one, goes on with the session's record, so a
    routine is never split between two people's records half-way.
    """
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    user_id = getattr(getattr(system, "user", None), "user_id", None)
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException("The request carries no user id to key progress by")
    session = getattr(request_envelope, "session", None)
    attributes = getattr(session, "attributes", None) or {}
    owner = attributes.get(SESSION_RECORD_OWNER) if isinstance(attributes, dict) else None
    if isinstance(owner, str) and (owner == "" or _is_tag(owner)):
        return RecordKey(user_id, owner or None)
    return RecordKey(user_id, person_tag(recognised_person_id(request_envelope)))


def for_record(request_envelope: RequestEnvelope, key: RecordKey) -> RequestEnvelope:
    """A copy of the request that reads and writes the record of `key` (another record of the
    same account), for deleting every record of an account through the storage port."""
    from ask_sdk_model import Session  # noqa: PLC0415 - only deletions need it

    copied = copy.copy(request_envelope)
    session = copy.copy(getattr(request_envelope, "session", None)) or Session()
    session.attributes = {SESSION_RECORD_OWNER: key.person or ""}
    copied.session = session
    return copied


def _is_tag(text: str) -> bool:
    return len(text) == PERSON_TAG_CHARACTERS and all(c in "0123456789abcdef" for c in text)


def user_id_key(request_envelope: RequestEnvelope) -> str:
    """The account's user id, the same on every device of the user."""
    return record_key(request_envelope).user_id


def expiry_after_save(saved_at: float) -> int:
    """The expiry stamped on a record saved at ``saved_at`` (epoch seconds)."""
    return math.ceil((saved_at + RETENTION_SECONDS) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS


def has_expired(expires_at: object, now: float) -> bool:
    """Whether a record stamped ``expires_at`` is gone at ``now``; unstamped records never are.

    DynamoDB's time-to-live deletes an expired item only within a few days, so reads check
    the stamp themselves rather than trust that an expired item is already gone.
    """
    if isinstance(expires_at, bool) or not isinstance(expires_at, int | float):
        return False
    return expires_at <= now
