"""Alexa request envelopes as plain JSON, and a session that threads them like a device does.

The one envelope builder of the project: tests, benchmarks and the local console all wrap
their requests with `AlexaDevice.envelope`, so every tool speaks the same request shape.
`AlexaSession` sends each request to a handler (usually `lambda_function.lambda_handler`),
carries the session attributes of each response into the next request, starts a new
session after one ends, and moves a simulated clock on by the time each response takes
to speak, so paced holds are answered when they would really be.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from si_coach.voice.speaker import cue_seconds

SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000001"

Handler = Callable[[dict, Any], dict]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolved_slot(name: str, spoken: str, value_id: str | None) -> dict:
    """A slot as Alexa sends it, with entity resolution matched to `value_id` (or no match)."""
    authority = {
        "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{name.upper()}",
        "status": {"code": "ER_SUCCESS_MATCH" if value_id else "ER_SUCCESS_NO_MATCH"},
    }
    if value_id:
        authority["values"] = [{"value": {"name": spoken, "id": value_id}}]
    return {
        "name": name,
        "value": spoken,
        "confirmationStatus": "NONE",
        "resolutions": {"resolutionsPerAuthority": [authority]},
    }


def speech_seconds(ssml: str, locale: str | None = None) -> float:
    """How long a response takes to say in a locale's language, by the same model the skill
    plans with."""
    pauses = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', ssml)) / 1000
    texts = re.split(r"<[^>]+>", ssml)
    return pauses + sum(cue_seconds(text, locale) for text in texts if text.strip())


def speech_text(response: dict) -> str:
    ssml = response["response"].get("outputSpeech", {}).get("ssml", "")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", ssml)).strip()


# supportedInterfaces of a device with a screen (an Echo Show reporting APL 1.6).
SCREEN_INTERFACES = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "1.6"}}}


@dataclass
class AlexaDevice:
    user_id: str = "amzn1.ask.account.TESTUSER"
    device_id: str = field(default_factory=lambda: f"amzn1.ask.device.{uuid.uuid4().hex}")
    application_id: str = SKILL_ID
    # The Alexa API the settings service is asked for the time zone; None leaves it out.
    api_endpoint: str | None = None
    locale: str = "en-US"
    # The device's supportedInterfaces, e.g. {"Alexa.Presentation.APL": {...}} for a screen.
    supported_interfaces: dict = field(default_factory=dict)
    # Permission scopes the user has answered, as Alexa reports them: scope -> "GRANTED" or
    # "DENIED" (context.System.user.permissions.scopes).
    permission_scopes: dict[str, str] = field(default_factory=dict)
    # The speaker Alexa recognised by voice (context.System.person); None: no one was.
    person_id: str | None = None

    def context(self) -> dict:
        user: dict[str, Any] = {"userId": self.user_id}
        if self.permission_scopes:
            user["permissions"] = {
                "consentToken": "test-consent-token",
                "scopes": {
                    scope: {"status": status} for scope, status in self.permission_scopes.items()
                },
            }
        system: dict[str, Any] = {
            "application": {"applicationId": self.application_id},
            "user": user,
            "device": {
                "deviceId": self.device_id,
                "supportedInterfaces": self.supported_interfaces,
            },
        }
        if self.person_id:
            system["person"] = {"personId": self.person_id}
        if self.api_endpoint:
            system["apiEndpoint"] = self.api_endpoint
            system["apiAccessToken"] = "test-access-token"
        return {"System": system}

    def envelope(
        self,
        request: dict,
        *,
        session_id: str | None,
        new: bool,
        attributes: dict,
        timestamp: datetime,
    ) -> dict:
        """`request` wrapped as this device sends it; with no `session_id`, out of session
        (no session object).

        requestId, timestamp and locale are filled in unless `request` gives its own, so a
        test can stamp one request with another time.
        """
        session = {
            "session": {
                "new": new,
                "sessionId": session_id,
                "application": {"applicationId": self.application_id},
                "user": {"userId": self.user_id},
                "attributes": attributes,
            }
        }
        return {
            "version": "1.0",
            **(session if session_id is not None else {}),
            "context": self.context(),
            "request": {
                "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                "timestamp": iso(timestamp),
                "locale": self.locale,
                **request,
            },
        }


@dataclass
class AlexaSession:
    handler: Handler
    device: AlexaDevice = field(default_factory=AlexaDevice)
    clock: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    # Seconds between the end of a response and the user's next words.
    reply_delay: float = 2.0
    session_id: str | None = None
    attributes: dict = field(default_factory=dict)
    last_response: dict | None = None
    # When the last request was sent: a barge-in is timed from it.
    last_sent: datetime | None = None

    def send(self, request: dict, *, in_session: bool = True) -> dict:
        """`request` sent in the open session, or a new one; with `in_session` False, out of
        session (the open session, if any, is left as it was)."""
        if not in_session:
            envelope = self.device.envelope(
                request, session_id=None, new=False, attributes={}, timestamp=self.clock
            )
            return self._sent(request, envelope, in_session=False)
        if self.session_id is None:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
            new = True
        else:
            new = False
        envelope = self.device.envelope(
            request,
            session_id=self.session_id,
            new=new,
            attributes=self.attributes,
            timestamp=self.clock,
        )
        return self._sent(request, envelope, in_session=True)

    def _sent(self, request: dict, envelope: dict, *, in_session: bool) -> dict:
        self.last_sent = self.clock
        response = self.handler(envelope, None)
        self.last_response = response
        body = response.get("response", {})
        self.clock += timedelta(
            seconds=speech_seconds(body.get("outputSpeech", {}).get("ssml", ""), self.device.locale)
            + self.reply_delay
        )
        if not in_session:
            return response
        self.attributes = response.get("sessionAttributes") or {}
        if body.get("shouldEndSession", True) and request["type"] != "SessionEndedRequest":
            self.session_id = None
        return response

    def barge_in(self, seconds: float) -> None:
        """The user's next words come `seconds` after the last request, cutting its answer
        off if that is shorter than the answer's speech ("Alexa, wait")."""
        if self.last_sent is None:
            raise ValueError("nothing has been said yet")
        self.clock = self.last_sent + timedelta(seconds=seconds)

    def launch(self) -> dict:
        return self.send({"type": "LaunchRequest"})

    def say(self, intent: str, **slots: tuple[str, str | None]) -> dict:
        """An IntentRequest; each slot is given as (spoken words, resolved id or None)."""
        intent_body: dict[str, Any] = {"name": intent, "confirmationStatus": "NONE"}
        if slots:
            intent_body["slots"] = {
                name: resolved_slot(name, spoken, value_id)
                for name, (spoken, value_id) in slots.items()
            }
        return self.send({"type": "IntentRequest", "intent": intent_body, "dialogState": None})

    def press(self, action: str, token: str = "si-coach-exercise") -> dict:
        """A touch on a screen's button: the UserEvent its SendEvent command sends."""
        return self.send(
            {
                "type": "Alexa.Presentation.APL.UserEvent",
                "token": token,
                "arguments": [action],
                "source": {"type": "TouchWrapper", "handler": "Press", "id": ""},
                "components": {},
            }
        )

    def resume_after_consent(
        self,
        status: str | None,
        token: str = "",
        code: str = "200",
        card_sent: bool = False,
        *,
        in_session: bool = True,
    ) -> dict:
        """Alexa's SessionResumedRequest once its voice-consent task (Connections.StartConnection
        to AMAZON.AskForPermissionsConsent/2) is done: the user's answer `status` (ACCEPTED,
        DENIED, NOT_ANSWERED; None leaves it out, as a failed task does), the directive's
        `token` as sent, and `code` "200" when the task ran."""
        result: dict[str, Any] = {"isCardThrown": card_sent}
        if status is not None:
            result["status"] = status
        cause = {
            "type": "ConnectionCompleted",
            "token": token,
            "status": {"code": code, "message": "OK" if code == "200" else "Failed"},
            "result": result,
        }
        return self.send({"type": "SessionResumedRequest", "cause": cause}, in_session=in_session)

    def answer_permission_request(
        self,
        status: str | None,
        token: str = "",
        code: str = "200",
        card_sent: bool = False,
        *,
        in_session: bool = True,
    ) -> dict:
        """Alexa's older Connections.Response to an AskFor directive: the user's answer `status`
        (ACCEPTED, DENIED, NOT_ANSWERED; None leaves it out), the directive's `token` as sent,
        and `code` "200" when voice consent ran."""
        payload: dict[str, Any] = {
            "permissionScopes": [
                {
                    "permissionScope": "alexa::alerts:reminders:skill:readwrite",
                    "consentLevel": "ACCOUNT",
                }
            ],
            "isCardThrown": card_sent,
        }
        if status is not None:
            payload["status"] = status
        return self.send(
            {
                "type": "Connections.Response",
                "name": "AskFor",
                "status": {"code": code, "message": "OK" if code == "200" else "Failed"},
                "token": token,
                "payload": payload,
            },
            in_session=in_session,
        )

    def end(self, reason: str = "USER_INITIATED") -> dict:
        response = self.send({"type": "SessionEndedRequest", "reason": reason})
        self.session_id = None
        return response

    def wait(self, **duration: float) -> None:
        """Time passes with the speaker silent; any open session has timed out."""
        self.clock += timedelta(**duration)
        self.session_id = None

    @property
    def text(self) -> str:
        return speech_text(self.last_response or {"response": {}})


def skill_disabled_event(
    device: AlexaDevice, moment: datetime, persistence: str = "NOT_PERSISTED"
) -> dict:
    """The AlexaSkillEvent.SkillDisabled event Alexa sends when the user disables the skill:
    out of session (no session object), no locale, the user's id in context.System.user."""
    return {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": device.application_id},
                "user": {"userId": device.user_id},
                "apiEndpoint": device.api_endpoint or "https://api.amazonalexa.com",
                "apiAccessToken": "test-access-token",
            }
        },
        "request": {
            "type": "AlexaSkillEvent.SkillDisabled",
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": iso(moment),
            "eventCreationTime": iso(moment),
            "eventPublishingTime": iso(moment),
            "body": {"userInformationPersistenceStatus": persistence},
        },
    }
