"""The reminders permission: whether it is granted, asking for it by voice, reading the
answer, and the Alexa-app card that asks for it where voice could not.

A skill needs the user's permission (scope `alexa::alerts:reminders:skill:readwrite`)
before it may create a reminder. The request says whether it is granted, in
`context.System.user.permissions.scopes`. If not, the skill sends a `Connections.SendRequest`
directive named `AskFor`; Alexa asks the user in its own words ("Do you give ... permission
to update your reminders?"), and the answer comes back as a `Connections.Response` request
whose `payload.status` is ACCEPTED, DENIED or NOT_ANSWERED. The directive's `token` comes
back unchanged, so it carries the time the user had agreed to, and the skill can create
that reminder as soon as the permission is granted.

Where voice consent could not run, the answer's `status.code` is not "200" (Amazon's
sample skills read 400 as a manifest without the permission, 500 as a failed consent
flow), and no status is given. No request field says beforehand whether a device can do
voice consent, so the skill learns it from the answer. Then, and after DENIED or
NOT_ANSWERED, the skill sends an `AskForPermissionsConsent` card so the user can grant the
permission in the Alexa app, unless the answer says Alexa already sent one
(`payload.isCardThrown`).

Everything here is pure: functions of the request that return ask-sdk-model objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ask_sdk_model import RequestEnvelope
from ask_sdk_model.interfaces.connections import ConnectionsResponse, SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from si_coach.reminders.time_of_day import TimeOfDay

REMINDERS_PERMISSION = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"
# What our AskFor directive's token starts with; the time agreed to follows the "@".
CONSENT_TOKEN = "daily-reminder"
_TOKEN = re.compile(re.escape(CONSENT_TOKEN) + r"(?:@(?P<clock>\d{2}:\d{2}))?")


class PermissionState(StrEnum):
    GRANTED = "granted"
    # The user said no to this skill's reminders (in the app, or by voice).
    DENIED = "denied"
    # Not asked yet, or the request does not say.
    NOT_GRANTED = "not_granted"


def reminders_permission(request_envelope: RequestEnvelope) -> PermissionState:
    """The reminders permission as this request reports it. A 401 or 403 from the API
    overrules a GRANTED here (the user may have withdrawn it a moment ago)."""
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    permissions = getattr(getattr(system, "user", None), "permissions", None)
    scopes = getattr(permissions, "scopes", None) or {}
    scope = scopes.get(REMINDERS_PERMISSION)
    status = getattr(getattr(scope, "status", None), "value", None)
    if status == "GRANTED":
        return PermissionState.GRANTED
    if status == "DENIED":
        return PermissionState.DENIED
    return PermissionState.NOT_GRANTED


def ask_for_permission(agreed_time: TimeOfDay | None = None) -> SendRequestDirective:
    """The directive that has Alexa ask the user, by voice, for the reminders permission.

    `agreed_time`, the time the user has just confirmed, travels in the token and comes
    back in the answer. Send it without a reprompt: Alexa speaks next, and the user's
    answer arrives as a Connections.Response request.
    """
    token = CONSENT_TOKEN if agreed_time is None else f"{CONSENT_TOKEN}@{agreed_time.clock}"
    return SendRequestDirective(
        name=ASK_FOR,
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [
                {"permissionScope": REMINDERS_PERMISSION, "consentLevel": "ACCOUNT"}
            ],
        },
        token=token,
    )


def permission_card() -> AskForPermissionsConsentCard:
    """The Alexa-app card through which the user can grant the reminders permission."""
    return AskForPermissionsConsentCard(permissions=[REMINDERS_PERMISSION])


class ConsentOutcome(StrEnum):
    GRANTED = "granted"  # ACCEPTED: granted now, or before
    DENIED = "denied"  # DENIED
    NOT_ANSWERED = "not_answered"  # NOT_ANSWERED: no answer Alexa understood, even after its retry
    # Voice consent did not run (status.code not 200) or the answer could not be read.
    FAILED = "failed"


_OUTCOMES = {
    "ACCEPTED": ConsentOutcome.GRANTED,
    "DENIED": ConsentOutcome.DENIED,
    "NOT_ANSWERED": ConsentOutcome.NOT_ANSWERED,
}


@dataclass(frozen=True)
class ConsentAnswer:
    outcome: ConsentOutcome
    # The time carried in our token: the reminder to create now that the answer is in.
    agreed_time: TimeOfDay | None = None
    # Alexa already sent the user a permission card.
    card_sent_by_alexa: bool = False
    # The answer's status.code ("200" when voice consent ran), for the log.
    status_code: str | None = None

    @property
    def needs_card(self) -> bool:
        """Whether the skill should send `permission_card()` with its answer."""
        return self.outcome is not ConsentOutcome.GRANTED and not self.card_sent_by_alexa


def is_consent_answer(request: object) -> bool:
    """Whether `request` answers an AskFor directive (the skill sends no other)."""
    return isinstance(request, ConnectionsResponse) and request.name == ASK_FOR


def read_consent_answer(request: ConnectionsResponse) -> ConsentAnswer:
    """The user's answer to our AskFor, from the Connections.Response request.

    Reads `payload.status` (both the version 1 and version 2 answers carry it there), and,
    failing that, a status inside the entry of `payload.permissionScopes` for our scope.
    """
    code = str(request.status.code) if request.status and request.status.code else None
    payload: Mapping[str, Any] = request.payload or {}
    agreed_time = _agreed_time(request.token)
    card_sent = payload.get("isCardThrown") is True
    if code not in (None, "200"):
        return ConsentAnswer(ConsentOutcome.FAILED, agreed_time, card_sent, code)
    outcome = _OUTCOMES.get(str(payload.get("status", "")).upper())
    if outcome is None:
        outcome = _scope_outcome(payload.get("permissionScopes"))
    return ConsentAnswer(outcome or ConsentOutcome.FAILED, agreed_time, card_sent, code)


def _scope_outcome(scopes: object) -> ConsentOutcome | None:
    if not isinstance(scopes, list):
        return None
    for entry in scopes:
        if isinstance(entry, Mapping) and entry.get("permissionScope") == REMINDERS_PERMISSION:
            return _OUTCOMES.get(str(entry.get("status", "")).upper())
    return None


def _agreed_time(token: str | None) -> TimeOfDay | None:
    match = _TOKEN.fullmatch(token or "")
    if match is None or match["clock"] is None:
        return None
    try:
        return TimeOfDay.from_clock(match["clock"])
    except ValueError:
        return None
