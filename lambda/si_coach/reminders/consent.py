"""The reminders permission: whether it is granted, asking for it by voice, reading the
answer, and the Alexa-app card that asks for it where voice could not.

A skill needs the user's permission (scope `alexa::alerts:reminders:skill:readwrite`)
before it may create a reminder. The request says whether it is granted, in
`context.System.user.permissions.scopes`. If not, the skill hands the user to Alexa's
voice-forward consent task: a `Connections.StartConnection` directive whose `uri` is
`connection://AMAZON.AskForPermissionsConsent/2` and whose `input` names the scope.
Alexa asks the user in its own words ("Do you give ... permission to set reminders?"),
then resumes the skill with a `SessionResumedRequest` whose `cause` (type
`ConnectionCompleted`) carries the directive's `token` unchanged, a `status` (`code` "200"
when the task ran) and a `result` whose `status` is ACCEPTED, DENIED or NOT_ANSWERED. The
token carries the time the user had agreed to, so the skill can create that reminder as
soon as the permission is granted.

The older form of the same answer, a `Connections.Response` named `AskFor` (to a
`Connections.SendRequest`), is still answered: its `payload.status` holds the answer.

Where voice consent could not run (a failed task), the `status.code` is not "200"
(Amazon's sample skills read 400 as a manifest without the permission, 500 as a failed
consent flow), and no answer is given. No request field says beforehand whether a device
can do voice consent, so the skill learns it from the answer. Then, and after DENIED or
NOT_ANSWERED, the skill sends an `AskForPermissionsConsent` card so the user can grant the
permission in the Alexa app, unless the answer says Alexa already sent one (`isCardThrown`).

Everything here is pure: functions of the request that return ask-sdk-model objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ask_sdk_model import RequestEnvelope, SessionResumedRequest
from ask_sdk_model.connection_completed import ConnectionCompleted
from ask_sdk_model.interfaces.connections import ConnectionsResponse
from ask_sdk_model.interfaces.connections.v1 import StartConnectionDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard

from si_coach.reminders.time_of_day import TimeOfDay

REMINDERS_PERMISSION = "alexa::alerts:reminders:skill:readwrite"
# The voice-forward consent task, version 2, and its input's type.
CONSENT_TASK = "connection://AMAZON.AskForPermissionsConsent/2"
CONSENT_REQUEST_TYPE = "AskForPermissionsConsentRequest"
# The name of the older answer (Connections.Response to a Connections.SendRequest).
ASK_FOR = "AskFor"
# What our consent directive's token starts with; the time agreed to follows the "@".
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


def ask_for_permission(agreed_time: TimeOfDay | None = None) -> StartConnectionDirective:
    """The directive that has Alexa ask the user, by voice, for the reminders permission.

    `agreed_time`, the time the user has just confirmed, travels in the token and comes
    back in the answer. Send it without a reprompt: Alexa speaks next, and the user's
    answer arrives as a SessionResumedRequest.
    """
    token = CONSENT_TOKEN if agreed_time is None else f"{CONSENT_TOKEN}@{agreed_time.clock}"
    return StartConnectionDirective(
        uri=CONSENT_TASK,
        input={
            "@type": CONSENT_REQUEST_TYPE,
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
    """Whether `request` answers our permission question: a SessionResumedRequest after a
    completed connection (the skill starts no other), or the older Connections.Response
    to AskFor."""
    if isinstance(request, SessionResumedRequest):
        return isinstance(request.cause, ConnectionCompleted)
    return isinstance(request, ConnectionsResponse) and request.name == ASK_FOR


def read_consent_answer(request: SessionResumedRequest | ConnectionsResponse) -> ConsentAnswer:
    """The user's answer to our permission question.

    From a SessionResumedRequest: `cause.status.code` and `cause.result.status`. From the
    older Connections.Response: `status.code` and `payload.status`. In both, a status given
    only inside the `permissionScopes` entry for our scope is read too.
    """
    if isinstance(request, SessionResumedRequest):
        cause = request.cause
        status = getattr(cause, "status", None)
        token = getattr(cause, "token", None)
        body = getattr(cause, "result", None)
    else:
        status, token, body = request.status, request.token, request.payload
    code = str(status.code) if status is not None and status.code else None
    result: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    agreed_time = _agreed_time(token)
    card_sent = result.get("isCardThrown") is True
    if code not in (None, "200"):
        return ConsentAnswer(ConsentOutcome.FAILED, agreed_time, card_sent, code)
    outcome = _OUTCOMES.get(str(result.get("status", "")).upper())
    if outcome is None:
        outcome = _scope_outcome(result.get("permissionScopes"))
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
