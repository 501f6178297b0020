"""The Spanish and German sample dialogues in docs/languages.md are what the skill says.

As for the README's English one (tests/skill/test_readme_dialogue.py): each user line is
resolved by the locale's interaction model, as the console resolves it, and sent through
lambda_handler (DynamoDB under moto; Alexa's settings and Reminders APIs served over HTTPS by
the test). Each Alexa line's words must come, in that order, in the answer: "..." stands for
words left out, and italic notes in brackets are not speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from local.envelopes import SKILL_ID, AlexaDevice, AlexaSession
from local.utterances import InteractionModel, model_file_of
from si_coach.reminders import REMINDERS_PERMISSION
from tests.support.alexa_service import AlexaService
from tests.support.https_api import serve_https

LANGUAGES_DOC = Path(__file__).resolve().parents[2] / "docs" / "languages.md"
LINE = re.compile(r"^> \*\*(User|Alexa):\*\* (.*)$")
NOTE = re.compile(r"^> \*\((.*)\)\*$")
LOCALES = ("es-ES", "de-DE")


def sample_dialogue(locale: str) -> list[tuple[str, str]]:
    """("User" | "Alexa" | "note", text) for each turn of one locale's sample dialogue."""
    heading = f"## Sample dialogue: {locale}"
    section = LANGUAGES_DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    section = section.split("\n## ", 1)[0]
    turns: list[tuple[str, str]] = []
    for raw in section.splitlines():
        line = raw.rstrip()
        if match := LINE.match(line):
            turns.append((match.group(1), match.group(2)))
        elif match := NOTE.match(line):
            turns.append(("note", match.group(1)))
        elif line.startswith("> ") and turns and turns[-1][0] == "Alexa":
            turns[-1] = ("Alexa", f"{turns[-1][1]} {line[2:]}")
    return turns


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower())


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


@pytest.mark.parametrize("locale", LOCALES)
def test_the_sample_dialogue_has_both_sides(locale: str) -> None:
    turns = sample_dialogue(locale)
    assert sum(kind == "User" for kind, _ in turns) >= 8
    assert sum(kind == "Alexa" for kind, _ in turns) >= 8
    assert said_in_order(
        "Aguanta. *uno, dos* ... cuatro últimas.", "Aguanta. uno dos tres. Las cuatro últimas."
    )
    assert not said_in_order("Hör jetzt auf ... Halten.", "Halten. eins. Hör jetzt auf.")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_sample_dialogue_is_what_the_skill_says(skill, alexa_apis, locale: str) -> None:
    model = InteractionModel.from_file(model_file_of(locale))
    device = AlexaDevice(api_endpoint=alexa_apis, locale=locale)
    session = AlexaSession(skill, device)
    for kind, text in sample_dialogue(locale):
        if kind == "note":
            if "next day" in text:
                other = AlexaDevice(
                    device_id="amzn1.ask.device.OTHER", api_endpoint=alexa_apis, locale=locale
                )
                session = AlexaSession(skill, other, clock=session.clock + timedelta(days=1))
            else:
                session.wait(hours=10)
            continue
        if kind == "User":
            asked = [
                d
                for d in (session.last_response or {"response": {}})["response"].get(
                    "directives", []
                )
                if d.get("type") == "Connections.StartConnection"
            ]
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
        assert said_in_order(text, session.text), f"docs: {text}\nskill: {session.text}"
