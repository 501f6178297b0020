"""Session attributes through lambda_handler: a response carries only the skill's own.

Alexa sends a response's sessionAttributes back with the next request, so an attribute the
skill does not own, whoever added it, would otherwise be echoed on every turn, however large.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from local.envelopes import AlexaDevice, AlexaSession
from si_coach.dialogue.state import SESSION_KEYS

PADDING = "x" * 200_000


def test_an_unknown_attribute_is_dropped_and_the_session_carries_on(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    session.say("StartRoutineIntent")
    first_step = session.text
    session.attributes["padding"] = PADDING
    session.attributes["client_note"] = {"nested": [PADDING[:1000]]}

    response = session.say("AMAZON.RepeatIntent")

    assert session.text.startswith(first_step[:40]), "the owned attributes still coach"
    kept = response["sessionAttributes"]
    assert "padding" not in kept
    assert "client_note" not in kept
    assert set(kept) <= SESSION_KEYS
    assert len(json.dumps(response)) < 20_000
    session.say("AMAZON.NextIntent")
    assert "something went wrong" not in session.text.lower()


def test_unknown_attributes_on_a_session_s_first_request_are_not_echoed(skill) -> None:
    device = AlexaDevice()
    envelope = device.envelope(
        {"type": "LaunchRequest"},
        session_id="amzn1.echo-api.session.padded",
        new=True,
        attributes={"padding": PADDING},
        timestamp=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    )

    response = skill(envelope, None)

    assert "padding" not in response.get("sessionAttributes", {})
    assert len(json.dumps(response)) < 20_000
    assert response["response"]["outputSpeech"]["ssml"]


def test_every_attribute_the_skill_writes_in_a_session_is_one_it_owns(skill) -> None:
    session = AlexaSession(skill)
    session.launch()
    for intent in ("StartRoutineIntent", "AMAZON.NextIntent", "AMAZON.FallbackIntent"):
        response = session.say(intent)
        assert set(response["sessionAttributes"]) <= SESSION_KEYS
