"""The README's sample dialogue is what the skill says.

Each user line is resolved by the interaction model, as the console resolves it, and sent
through lambda_handler (DynamoDB under moto; Alexa's settings and Reminders APIs served over
HTTPS by the test). Each Alexa line's words must come, in that order, in the answer: "..."
stands for words left out, and italic notes in brackets are not speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from local.envelopes import SKILL_ID, AlexaDevice, AlexaSession
from local.utterances import InteractionModel
from si_coach.reminders import REMINDERS_PERMISSION
from tests.support.alexa_service import AlexaService
from tests.support.https_api import serve_https

README = Path(__file__).resolve().parents[2] / "README.md"
LINE = re.compile(r"^> \*\*(User|Alexa):\*\* (.*)$")
NOTE = re.compile(r"^> \*\((.*)\)\*$")


def sample_dialogue() -> list[tuple[str, str]]:
    """("User" | "Alexa" | "note", text) for each turn of the README's sample dialogue."""
    section = README.read_text(encoding="utf-8").split("## A sample dialogue", 1)[1]
    section = section.split("\n## ", 1)[0]
    turns: list[tuple[str, str]] = []
    for raw in section.splitlines():
        line = raw.rstrip()
        if match := LINE.match(line):
            turns.append((match.group(1), match.group(2)))
        elif match := NOTE.match(line):
            turns.append(("note", match.group(1)))
        elif line.startswith("> ") and turns and turns[-1][0] == "Alexa":
            turns[-1] = ("Alexa", f"{turns[-1][1]} {line[2:]}")  # a line carried over
    return turns


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def said_in_order(expected: str, heard: str) -> bool:
    """Every fragment of `expected` (split at "...") is in `heard`, in order."""
    expected = re.sub(r"\*\(.*?\)\*", " ", expected).replace("*", "")
    heard_words = words(heard)
    position = 0
    for fragment in expected.split("..."):
        wanted = words(fragment)
        if not wanted:
            continue
        for start in range(position, len(heard_words) - len(wanted) + 1):
            if heard_words[start : start + len(wanted)] == wanted:
                position = start + len(wanted)
                break
        else:
            return False
    return True


@pytest.fixture
def alexa_apis(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    service = AlexaService()
    with serve_https(service.handler(), monkeypatch) as base_url:
        yield base_url
    service.release.set()


def test_the_sample_dialogue_has_both_sides() -> None:
    turns = sample_dialogue()
    assert sum(kind == "User" for kind, _ in turns) >= 8
    assert sum(kind == "Alexa" for kind, _ in turns) >= 8
    assert said_in_order("Hold. *one, two* ... last four.", "Hold. one two three. The last four.")
    assert not said_in_order("last four ... Hold.", "Hold. one two. The last four.")


def test_the_sample_dialogue_is_what_the_skill_says(skill, alexa_apis) -> None:
    model = InteractionModel.from_file()
    device = AlexaDevice(api_endpoint=alexa_apis)
    session = AlexaSession(skill, device)
    for kind, text in sample_dialogue():
        if kind == "note":
            if "next day" in text:
                other = AlexaDevice(device_id="amzn1.ask.device.OTHER", api_endpoint=alexa_apis)
                session = AlexaSession(skill, other, clock=session.clock + timedelta(days=1))
            else:
                session.wait(hours=10)
            continue
        if kind == "User":
            asked = (
                [
                    d
                    for d in session.last_response["response"].get("directives", [])
                    if d.get("type") == "Connections.StartConnection"
                ]
                if session.last_response
                else []
            )
            if asked:
                # The user answers Alexa's own permission question.
                session.device.permission_scopes = {REMINDERS_PERMISSION: "GRANTED"}
                session.resume_after_consent("ACCEPTED", token=asked[0]["token"])
                continue
            resolution = model.resolve(text)
            assert resolution.intent_name != "AMAZON.FallbackIntent", text
            if resolution.is_launch:
                session.launch()
            else:
                session.send(resolution.request_body(SKILL_ID))
            continue
        assert said_in_order(text, session.text), f"README: {text}\nskill:  {session.text}"
