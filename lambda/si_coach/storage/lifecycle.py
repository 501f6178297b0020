"""Whose record a request reads, and how long an unused record is kept.

Both adapters key a progress record by the Alexa user id, so the same user finds it on any
device, and both apply the same retention rule: every save stamps the record with an expiry
``RETENTION_DAYS`` after it (refreshed on use), and a record past its expiry reads as absent.
DynamoDB deletes it by itself through the table's time-to-live on the same attribute
(template.yaml); the embedded store purges it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

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


def user_id_key(request_envelope: RequestEnvelope) -> str:
    """The record's key: the request's Alexa user id, the same on every device of the user."""
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    user_id = getattr(getattr(system, "user", None), "user_id", None)
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException("The request carries no user id to key progress by")
    return user_id


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
