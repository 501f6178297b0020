"""The reminders permission: reading it from the request, asking for it by voice, every
answer Alexa can give, and the Alexa-app card.

Requests are JSON envelopes as Alexa sends them (local/envelopes.py), turned into
the SDK's objects by the SDK's own deserializer, as in lambda_handler.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from local.envelopes import AlexaDevice, AlexaSession
from si_coach.reminders import (
    REMINDERS_PERMISSION,
    ConsentOutcome,
    PermissionState,
    TimeOfDay,
    ask_for_permission,
    is_consent_answer,
    permission_card,
    read_consent_answer,
    reminders_permission,
)

SERIALIZER = DefaultSerializer()


def deserialized(envelope: dict) -> RequestEnvelope:
    return SERIALIZER.deserialize(json.dumps(envelope), RequestEnvelope)


class Recorder:
    """A stand-in for lambda_handler that keeps each envelope and answers with nothing."""

    def __init__(self) -> None:
        self.envelopes: list[dict] = []

    def __call__(self, envelope: dict, context: object) -> dict:
        self.envelopes.append(envelope)
        return {"version": "1.0", "response": {"shouldEndSession": False}}


def raw_envelope(device: AlexaDevice, act) -> dict:
    """The JSON envelope a device would send for `act(session)`."""
    recorder = Recorder()
    session = AlexaSession(recorder, device, clock=datetime(2026, 11, 23, 8, tzinfo=UTC))
    act(session)
    return recorder.envelopes[-1]


def sent(device: AlexaDevice, act) -> RequestEnvelope:
    return deserialized(raw_envelope(device, act))


# -- is it granted ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scopes", "state"),
    [
        ({REMINDERS_PERMISSION: "GRANTED"}, PermissionState.GRANTED),
        ({REMINDERS_PERMISSION: "DENIED"}, PermissionState.DENIED),
        ({"alexa::alerts:timers:skill:readwrite": "GRANTED"}, PermissionState.NOT_GRANTED),
        ({}, PermissionState.NOT_GRANTED),
    ],
)
def test_the_permission_is_read_from_the_requests_scopes(scopes, state) -> None:
    envelope = sent(AlexaDevice(permission_scopes=scopes), lambda s: s.launch())
    assert reminders_permission(envelope) is state


def test_a_consent_token_alone_does_not_mean_reminders_are_granted() -> None:
    raw = raw_envelope(AlexaDevice(), lambda s: s.launch())
    raw["context"]["System"]["user"]["permissions"] = {"consentToken": "some-token"}
    assert reminders_permission(deserialized(raw)) is PermissionState.NOT_GRANTED


# -- asking by voice --------------------------------------------------------------------


def test_the_voice_consent_directive_has_the_documented_shape() -> None:
    # Amazon's Voice-Forward Consent API reference: StartConnection to the version-2 task.
    directive = SERIALIZER.serialize(ask_for_permission(TimeOfDay(19, 30)))
    assert directive == {
        "type": "Connections.StartConnection",
        "uri": "connection://AMAZON.AskForPermissionsConsent/2",
        "input": {
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [
                {
                    "permissionScope": "alexa::alerts:reminders:skill:readwrite",
                    "consentLevel": "ACCOUNT",
                }
            ],
        },
        "token": "daily-reminder@19:30",
    }


def test_without_an_agreed_time_the_token_names_only_the_reminder() -> None:
    assert ask_for_permission().token == "daily-reminder"


# -- every answer -----------------------------------------------------------------------

# The two forms of the answer: today's SessionResumedRequest, and the older
# Connections.Response to AskFor.
ANSWER_FORMS = {
    "resumed": AlexaSession.resume_after_consent,
    "connections-response": AlexaSession.answer_permission_request,
}


@pytest.mark.parametrize("form", ANSWER_FORMS)
@pytest.mark.parametrize(
    ("status", "outcome", "card"),
    [
        ("ACCEPTED", ConsentOutcome.GRANTED, False),
        ("DENIED", ConsentOutcome.DENIED, True),
        ("NOT_ANSWERED", ConsentOutcome.NOT_ANSWERED, True),
    ],
)
def test_each_answer_and_whether_a_card_should_follow(form, status, outcome, card) -> None:
    answer_with = ANSWER_FORMS[form]
    token = ask_for_permission(TimeOfDay(8)).token
    request = sent(AlexaDevice(), lambda s: answer_with(s, status, token=token)).request
    assert is_consent_answer(request)
    answer = read_consent_answer(request)
    assert answer.outcome is outcome
    assert answer.agreed_time == TimeOfDay(8, 0)
    assert answer.status_code == "200"
    assert answer.needs_card is card


@pytest.mark.parametrize("form", ANSWER_FORMS)
def test_no_second_card_when_alexa_sent_one(form) -> None:
    answer_with = ANSWER_FORMS[form]
    request = sent(AlexaDevice(), lambda s: answer_with(s, "DENIED", card_sent=True)).request
    answer = read_consent_answer(request)
    assert answer.outcome is ConsentOutcome.DENIED
    assert answer.card_sent_by_alexa
    assert not answer.needs_card


@pytest.mark.parametrize("form", ANSWER_FORMS)
@pytest.mark.parametrize("code", ["400", "500"])
def test_where_voice_consent_could_not_run_the_card_is_the_way(form, code) -> None:
    # 400: the manifest lacks the permission; 500: the consent task failed on this device.
    answer_with = ANSWER_FORMS[form]
    request = sent(AlexaDevice(), lambda s: answer_with(s, None, code=code)).request
    answer = read_consent_answer(request)
    assert answer.outcome is ConsentOutcome.FAILED
    assert answer.status_code == code
    assert answer.needs_card


def test_a_failed_task_that_still_names_a_status_is_a_failure() -> None:
    request = sent(AlexaDevice(), lambda s: s.resume_after_consent("ACCEPTED", code="500")).request
    assert read_consent_answer(request).outcome is ConsentOutcome.FAILED


def test_a_resumed_session_without_a_result_is_a_failure() -> None:
    raw = raw_envelope(AlexaDevice(), lambda s: s.resume_after_consent("ACCEPTED"))
    del raw["request"]["cause"]["result"]
    request = deserialized(raw).request
    assert is_consent_answer(request)
    assert read_consent_answer(request).outcome is ConsentOutcome.FAILED


def test_a_status_given_only_inside_the_scope_entry_is_read_too() -> None:
    raw = raw_envelope(AlexaDevice(), lambda s: s.answer_permission_request(None))
    raw["request"]["payload"]["permissionScopes"][0]["status"] = "ACCEPTED"
    answer = read_consent_answer(deserialized(raw).request)
    assert answer.outcome is ConsentOutcome.GRANTED


@pytest.mark.parametrize(
    "token", ["", "something-else", "daily-reminder@25:00", "daily-reminder@8"]
)
def test_a_token_that_carries_no_valid_time_gives_none(token) -> None:
    request = sent(AlexaDevice(), lambda s: s.answer_permission_request("ACCEPTED", token)).request
    answer = read_consent_answer(request)
    assert answer.outcome is ConsentOutcome.GRANTED
    assert answer.agreed_time is None


@pytest.mark.parametrize("form", ANSWER_FORMS)
def test_an_answer_without_a_status_is_a_failure(form) -> None:
    request = sent(AlexaDevice(), lambda s: ANSWER_FORMS[form](s, None)).request
    assert read_consent_answer(request).outcome is ConsentOutcome.FAILED


def test_other_requests_are_not_consent_answers() -> None:
    assert not is_consent_answer(sent(AlexaDevice(), lambda s: s.launch()).request)
    assert not is_consent_answer(sent(AlexaDevice(), lambda s: s.say("AMAZON.YesIntent")).request)


# -- the card ---------------------------------------------------------------------------


def test_the_permission_card_asks_for_reminders_only() -> None:
    assert SERIALIZER.serialize(permission_card()) == {
        "type": "AskForPermissionsConsent",
        "permissions": ["alexa::alerts:reminders:skill:readwrite"],
    }
