"""The skill package asks for what reminders need, and the SkillDisabled event is recognised.

skill.json must declare the reminders permission (without it Alexa refuses the voice
consent with a 400) and subscribe to SKILL_DISABLED at the skill's own Lambda.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from local.envelopes import AlexaDevice, AlexaSession, skill_disabled_event
from si_coach.alexa.events import SkillDisabled, skill_disabled
from si_coach.reminders import REMINDERS_PERMISSION

MANIFEST = json.loads(
    (Path(__file__).resolve().parents[2] / "interaction_model/skill.json").read_text()
)["manifest"]
MOMENT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_the_manifest_declares_the_reminders_permission() -> None:
    assert {"name": REMINDERS_PERMISSION} in MANIFEST["permissions"]
    assert REMINDERS_PERMISSION == "alexa::alerts:reminders:skill:readwrite"


def test_the_manifest_subscribes_to_skill_disabled_at_the_skills_own_lambda() -> None:
    events = MANIFEST["events"]
    assert {"eventName": "SKILL_DISABLED"} in events["subscriptions"]
    assert events["endpoint"]["uri"] == MANIFEST["apis"]["custom"]["endpoint"]["uri"]


def test_the_event_envelope_has_no_session_and_names_the_user() -> None:
    device = AlexaDevice(user_id="amzn1.ask.account.LEAVING")
    event = skill_disabled_event(device, MOMENT)
    assert "session" not in event
    assert event["context"]["System"]["user"]["userId"] == "amzn1.ask.account.LEAVING"
    # The SDK's model accepts it, as lambda_handler will.
    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    assert envelope.request.object_type == "AlexaSkillEvent.SkillDisabled"


@pytest.mark.parametrize(
    ("persistence", "kept"), [("NOT_PERSISTED", False), ("PERSISTED", True), ("OTHER", None)]
)
def test_skill_disabled_is_recognised_in_the_raw_event(persistence, kept) -> None:
    event = skill_disabled_event(AlexaDevice(user_id="amzn1.ask.account.X"), MOMENT, persistence)
    assert skill_disabled(event) == SkillDisabled("amzn1.ask.account.X", kept)


def test_skill_disabled_is_recognised_in_the_sdk_envelope() -> None:
    event = skill_disabled_event(AlexaDevice(user_id="amzn1.ask.account.Y"), MOMENT)
    envelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    # The SDK's model has no body, so whether Alexa keeps the id is not known there.
    assert skill_disabled(envelope) == SkillDisabled("amzn1.ask.account.Y", None)


def test_other_requests_and_events_without_a_user_are_not_skill_disabled() -> None:
    recorded: list[dict] = []

    def handler(envelope: dict, context: object) -> dict:
        recorded.append(envelope)
        return {"version": "1.0", "response": {}}

    AlexaSession(handler).launch()
    launch = recorded[0]
    assert skill_disabled(launch) is None
    assert (
        skill_disabled(DefaultSerializer().deserialize(json.dumps(launch), RequestEnvelope)) is None
    )

    nameless = skill_disabled_event(AlexaDevice(), MOMENT)
    del nameless["context"]["System"]["user"]["userId"]
    assert skill_disabled(nameless) is None
    enabled = skill_disabled_event(AlexaDevice(), MOMENT)
    enabled["request"]["type"] = "AlexaSkillEvent.SkillEnabled"
    assert skill_disabled(enabled) is None
    assert skill_disabled({}) is None
