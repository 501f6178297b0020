"""How long storage may take in one request: one time budget for every store call it makes.

The Lambda function times out after 7 s and Alexa gives up after 8. A store that accepts
connections and never answers must not hold a turn that long, however many calls the turn
makes (a first request reads the record, and its save reads it again) and however many of
them are retried. So each request gets ONE budget, ``STORAGE_SECONDS_PER_REQUEST``, shared
by every connect, read, retry and pause of every store call in it. Once it is spent, store
calls fail at once, and the skill coaches on from the session and saves on a later turn, as
it does for any other store fault.

The budget follows the request envelope: ``start_request_budget`` is called as a request
begins, and ``budget_for`` gives an adapter that request's budget when handed the same
envelope. A call outside a request (a tool, a test, a SnapStart hook) gets a longer budget
of its own. The budget lives in a context variable, so concurrent requests on threads of one
process (the web service) each keep their own.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

STORAGE_SECONDS_PER_REQUEST = 1.5
"""All the time one request may spend waiting on storage, across all its calls."""

STORAGE_SECONDS_OUTSIDE_A_REQUEST = 10.0
"""The budget of one store call made outside any request, where no Alexa deadline waits."""


class StorageTimeBudgetSpentError(TimeoutError):
    """The request's storage time is used up: the store is not asked again in this request."""


@dataclass(frozen=True)
class StorageBudget:
    """A deadline on the monotonic clock."""

    deadline: float

    @classmethod
    def starting_now(cls, seconds: float = STORAGE_SECONDS_PER_REQUEST) -> StorageBudget:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left; zero or less once spent."""
        return self.deadline - time.monotonic()


# The current request's envelope (compared by identity) and its budget.
_current: ContextVar[tuple[object, StorageBudget] | None] = ContextVar(
    "si_coach_storage_budget", default=None
)


def start_request_budget(
    request_envelope: object, seconds: float = STORAGE_SECONDS_PER_REQUEST
) -> StorageBudget:
    """Give the request carried by ``request_envelope`` a fresh budget of ``seconds``."""
    budget = StorageBudget.starting_now(seconds)
    _current.set((request_envelope, budget))
    return budget


def budget_for(request_envelope: object) -> StorageBudget:
    """The budget of the request carrying ``request_envelope``; a new one outside a request."""
    current = _current.get()
    if current is not None and current[0] is request_envelope:
        return current[1]
    return StorageBudget.starting_now(STORAGE_SECONDS_OUTSIDE_A_REQUEST)
