"""A store that accepts connections and never answers: every turn still answers, in time.

The skill runs as the Lambda runs it (lambda_function.lambda_handler, TABLE_NAME set) with
AWS_ENDPOINT_URL_DYNAMODB pointing at a server that never answers (tests/support/hung_store.py).
Storage has one time budget per request (si_coach.storage.budget): once a request has waited
on the store, it does not ask it again, so no turn can wait for it twice. How long a turn
takes is measured by `make bench`, not asserted here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import pytest

from local.envelopes import AlexaSession
from tests.support.hung_store import HungStore

UNREACHABLE = "I can't reach your saved progress just now."
NOT_SAVED = "I couldn't save your progress just now, sorry."


@pytest.fixture
def hung_store() -> Iterator[HungStore]:
    with HungStore() as store:
        yield store


@pytest.fixture
def skill_on_hung_store(
    aws_env: dict[str, str], hung_store: HungStore, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict, object], dict]:
    monkeypatch.setenv("TABLE_NAME", "ProgressTable")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", hung_store.endpoint)
    monkeypatch.delenv("SKILL_ID", raising=False)
    import lambda_function

    return importlib.reload(lambda_function).lambda_handler


class CountedSession:
    """An AlexaSession that notes the store operations each request made."""

    def __init__(self, handler: Callable[[dict, object], dict], store: HungStore) -> None:
        self.session = AlexaSession(handler)
        self.store = store
        self.asked: list[list[str]] = []

    def _counted(self, send: Callable[[], dict]) -> str:
        before = len(self.store.operations)
        send()
        self.asked.append(self.store.operations[before:])
        return self.session.text

    def launch(self) -> str:
        return self._counted(self.session.launch)

    def say(self, intent: str, **slots: tuple[str, str | None]) -> str:
        return self._counted(lambda: self.session.say(intent, **slots))


def test_a_launch_and_later_turns_answer_and_wait_on_the_store_once_a_turn(
    skill_on_hung_store, hung_store
) -> None:
    user = CountedSession(skill_on_hung_store, hung_store)
    assert user.launch().startswith(UNREACHABLE)
    assert user.asked[-1] == ["GetItem"], "the launch's save does not read the store again"

    assert user.say("StartRoutineIntent").startswith("First: hip abduction.")
    for _ in range(3):
        assert user.say("AMAZON.NextIntent")
        assert "something went wrong" not in user.session.text.lower()
    assert user.say("AMAZON.StopIntent").endswith(NOT_SAVED)
    assert user.session.last_response["response"]["shouldEndSession"] is True
    for asked in user.asked:
        assert len(asked) <= 1, f"a turn asked a hung store more than once: {user.asked}"
    assert any(asked == ["GetItem"] for asked in user.asked[1:]), "later turns try to save"


def test_a_first_request_that_must_save_answers_and_waits_on_the_store_once(
    skill_on_hung_store, hung_store
) -> None:
    user = CountedSession(skill_on_hung_store, hung_store)
    text = user.say("PaceIntent", pace=("slower", "slower"))
    assert text.startswith("Okay. I'll give you more rest between reps.")
    assert user.asked == [["GetItem"]], "the save's reread is within the spent budget"
