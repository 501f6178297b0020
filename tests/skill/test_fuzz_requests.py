"""Bad input at scale: random request envelopes for lambda_handler and the web service.

Every input must get a valid Alexa response, or at the web layer a clear 4xx: never an
unhandled exception, never a 5xx. `make test` runs a modest number of cases; `make fuzz`
sets FUZZ_EXAMPLES to run many more and prints how many were tried.
"""

from __future__ import annotations

import importlib
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
EN_US = (
    Path(__file__).resolve().parents[2] / "interaction_model/interactionModels/custom/en-US.json"
)
MODEL_INTENTS = [
    intent["name"]
    for intent in json.loads(EN_US.read_text())["interactionModel"]["languageModel"]["intents"]
]
REQUEST_TYPES = [
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "CanFulfillIntentRequest",
    "System.ExceptionEncountered",
    "Connections.Response",
    "SessionResumedRequest",
    "AlexaSkillEvent.SkillEnabled",
    "Display.ElementSelected",
]
CONSENT_CAUSE = {
    "type": "ConnectionCompleted",
    "token": "daily-reminder@08:00",
    "status": {"code": "200", "message": "OK"},
    "result": {"status": "ACCEPTED"},
}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x2FFF), max_size=40),
    st.integers(1_000, 20_000).map(lambda n: "ünïcødé " * (n // 8)),
    st.sampled_from(["", " ", "<speak>", "]]>", "&amp;", "\x00", "bridge", "left", "slower"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)


@st.composite
def slots(draw: st.DrawFn) -> object:
    names = draw(st.lists(st.sampled_from(["exercise", "side", "pace"]) | texts, max_size=3))
    result = {}
    for name in names:
        value = draw(texts)
        status = draw(st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "bogus"]))
        value_id = draw(
            st.sampled_from(["bridge", "clamshell", "left", "none", "faster", "nope"]) | texts
        )
        resolution = {
            "resolutionsPerAuthority": [
                {
                    "authority": "x",
                    "status": {"code": status},
                    "values": [{"value": {"id": value_id, "name": value}}],
                }
            ]
        }
        slot = {"name": name, "value": value}
        if draw(st.booleans()):
            slot["resolutions"] = draw(st.just(resolution) | json_values)
        result[name] = slot
    return draw(st.just(result) | json_values)


@st.composite
def envelopes(draw: st.DrawFn) -> object:
    """A request envelope, mostly well-formed, with parts missing, mistyped or strange."""
    user = draw(st.sampled_from(["amzn1.ask.account.FUZZ", "amzn1.ask.account.OTHER"]) | texts)
    request: dict = {
        "type": draw(st.sampled_from(REQUEST_TYPES) | texts),
        "requestId": draw(st.just("amzn1.echo-api.request.1") | texts),
        "timestamp": draw(
            st.sampled_from(["2026-11-23T08:00:00Z", "2026-11-23T08:00:00"]) | texts | json_values
        ),
        "locale": draw(st.sampled_from(["en-US", "en-GB", "de-DE"]) | texts),
    }
    if draw(st.booleans()):
        request["intent"] = {
            "name": draw(st.sampled_from(MODEL_INTENTS) | texts),
            "slots": draw(slots()),
        }
    if draw(st.booleans()):
        # A consent task's answer (SessionResumedRequest), whole or strange.
        request["cause"] = draw(st.just(CONSENT_CAUSE) | json_values)
    envelope: dict = {
        "version": "1.0",
        "session": {
            "new": draw(st.booleans()),
            "sessionId": "amzn1.echo-api.session.fuzz",
            "application": {"applicationId": "amzn1.ask.skill.fuzz"},
            "user": {"userId": user},
            "attributes": draw(st.just({}) | st.dictionaries(texts, json_values, max_size=3)),
        },
        "context": {
            "System": {
                "application": {"applicationId": "amzn1.ask.skill.fuzz"},
                "user": {"userId": user},
                "device": {"deviceId": "amzn1.ask.device.fuzz"},
            }
        },
        "request": request,
    }
    for _ in range(draw(st.integers(0, 3))):
        section = draw(st.sampled_from(["session", "context", "request", "version"]))
        if draw(st.booleans()):
            envelope.pop(section, None)
        else:
            envelope[section] = draw(json_values)
    return draw(st.just(envelope) | json_values)


def assert_valid_alexa_response(response: object) -> None:
    assert isinstance(response, dict)
    assert response["version"] == "1.0"
    body = response["response"]
    assert isinstance(body, dict)
    speech = body.get("outputSpeech")
    if speech is not None:
        assert speech["type"] == "SSML"
        assert ET.fromstring(speech["ssml"]).tag == "speak"
    reprompt = body.get("reprompt")
    if reprompt is not None:
        assert ET.fromstring(reprompt["outputSpeech"]["ssml"]).tag == "speak"
    assert body.get("shouldEndSession") in (None, True, False)
    json.dumps(response)


@pytest.fixture
def lambda_handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.setenv("SI_COACH_DATA_DIR", str(tmp_path))
    import lambda_function

    return importlib.reload(lambda_function).lambda_handler


def test_fuzzed_envelopes_always_get_a_valid_alexa_response(lambda_handler, capsys) -> None:
    tried = []

    @FUZZ_SETTINGS
    @given(envelopes())
    def one_envelope(envelope: object) -> None:
        tried.append(1)
        assert_valid_alexa_response(lambda_handler(envelope, None))

    one_envelope()
    with capsys.disabled():
        print(f"\nlambda_handler: {len(tried)} fuzzed envelopes, all answered")
    assert len(tried) >= min(EXAMPLES, 50)


@pytest.fixture
def web_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.setenv("SI_COACH_DATA_DIR", str(tmp_path))
    from local.web_service import create_app

    return create_app(verify=False).test_client(), create_app().test_client()


def test_fuzzed_bodies_get_an_answer_or_a_clear_4xx_from_the_web_service(web_client, capsys):
    unverified, verified = web_client
    tried = []

    @FUZZ_SETTINGS
    @given(
        envelopes().map(lambda e: json.dumps(e).encode())
        | st.binary(max_size=200)
        | texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.booleans(),
        st.dictionaries(
            st.sampled_from(["Signature-256", "SignatureCertChainUrl", "Content-Type"]),
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
        ),
    )
    def one_body(body: bytes, verify: bool, headers: dict[str, str]) -> None:
        tried.append(1)
        client = verified if verify else unverified
        reply = client.post("/", data=body, headers=headers)
        assert reply.status_code < 500, reply.get_data(as_text=True)[:200]
        if reply.status_code == 200:
            assert_valid_alexa_response(reply.get_json())
        else:
            assert 400 <= reply.status_code < 500
            assert "error" in reply.get_json()

    one_body()
    with capsys.disabled():
        print(f"\nweb service: {len(tried)} fuzzed requests, none answered with a 5xx")
    assert len(tried) >= min(EXAMPLES, 50)
