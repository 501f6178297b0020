"""The proof of trust: a stateful property-based test of users on several devices.

Hypothesis drives two accounts, each with a device in Los Angeles and one in New York, through
lambda_handler on a ProgressTable served over HTTP by moto, with the Alexa settings API
served over HTTPS for each home. In each home, either no one is recognised by voice (the
account's record) or a person Alexa knows (their own record, in the same item), and the
voice may change in the middle of a session. Its steps open and end sessions, walk and
jump through the routine, change settings, barge in at random moments, delete one
person's data and disable the skill (every record of the account), move the clocks (a day
on, or a device clock years ahead), and make the store fail in every way: throttling,
time-outs, refused conditions, and a read that fails and then heals. After every step it
checks, against a simple model of what each record's owner did:

- a finished exercise is never lost unless it was deleted (or the loss was said out loud),
  and it is kept in the record of whoever began the session, never in someone else's;
- a deleted record never comes back, and deleting one person's leaves the others';
- settings change only when the user changes them;
- no request raises, or answers "something went wrong";
- the stored record is always readable.

`make test` runs a few hundred steps; `make fuzz` sets TRUST_STEPS (and TRUST_EXAMPLES)
for a long run. The counts (steps, sessions, faults, ...) are printed at the end.
"""

from __future__ import annotations

import json
import os
import re
import time
import types
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from local.envelopes import AlexaDevice, AlexaSession, skill_disabled_event
from si_coach.alexa.settings_api import AlexaApiClient
from si_coach.routine.catalogue import Pace, Side, default_catalogue
from si_coach.routine.progress import RECORD_SCHEMA_VERSION, Progress
from si_coach.skill import create_skill_builder, guarded_lambda_handler
from si_coach.storage.dynamodb import progress_table_adapter, record_attribute
from si_coach.storage.lifecycle import RecordKey, person_tag
from si_coach.voice.wording import wording_for
from tests.support.alexa_service import AlexaService
from tests.support.https_api import serve_https

CATALOGUE = default_catalogue()
WORDS = wording_for("en-US")
LEVELLED = frozenset(v.id for v in CATALOGUE.variants if v.top_level)
NAMES = {WORDS.variant(v.id).name: v.id for v in CATALOGUE.variants}
FINISHED = re.compile(r"You've finished the ([^.]+)\.")
SOMETHING_WRONG = "something went wrong"
COULD_NOT_SAVE = WORDS.line("answers.save_failed")
DELETED = "I've deleted your progress"
STEPS = int(os.environ.get("TRUST_STEPS", "300"))
EXAMPLES = int(os.environ.get("TRUST_EXAMPLES", "0")) or max(1, STEPS // 60)
START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
ZONES = {"west": "America/Los_Angeles", "east": "America/New_York"}
# Who speaks: no one Alexa recognises (the account's record), or a person it knows by voice.
PEOPLE = (None, "ana")
STATS: Counter[str] = Counter()
PROGRESS_EVERY = 2000

# DynamoDB's error answers, as botocore gets them over HTTP.
ERROR_ANSWERS = {
    "throttling": (400, "ProvisionedThroughputExceededException"),
    "unavailable": (503, "ServiceUnavailable"),
    "condition": (400, "ConditionalCheckFailedException"),
}
FAULT_KINDS = [*ERROR_ANSWERS, "time-out"]


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: object):
        yield self.content


class StoreFaults:
    """Fails chosen DynamoDB operations on the skill's client: for the next `count` calls
    (a read that fails, then heals), or until cleared."""

    def __init__(self, client) -> None:
        self.failing: dict[str, tuple[str, int]] = {}
        client.meta.events.register_first("before-send.dynamodb", self._before_send)

    def fail(self, operation: str, kind: str, count: int) -> None:
        self.failing[operation] = (kind, count)

    @property
    def active(self) -> bool:
        return bool(self.failing)

    def _before_send(self, request, event_name: str, **_: object) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        fault = self.failing.get(operation)
        if fault is None:
            return None
        kind, count = fault
        if count <= 1:
            del self.failing[operation]
        else:
            self.failing[operation] = (kind, count - 1)
        STATS[f"faults: {kind}"] += 1
        if kind == "time-out":
            raise ReadTimeoutError(endpoint_url=request.url)
        status, code = ERROR_ANSWERS[kind]
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "x"})
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
        return AWSResponse(request.url, status, headers, _Body(body.encode()))


@dataclass
class OpenSession:
    session: AlexaSession
    unread: bool
    # Finished exercises not yet known to be saved, and those of the last response (a
    # barge-in may take them back).
    pending: set[str] = field(default_factory=set)
    last_finished: set[str] = field(default_factory=set)
    paces: set[Pace] = field(default_factory=set)
    sides: set[Side | None] = field(default_factory=set)
    # A deletion happened while the session was open: what it holds may be dropped.
    orphaned: bool = False
    # Whose record the session keeps: the person recognised when it began (None: no one).
    owner: str | None = None


@dataclass
class UserModel:
    """What one record's owner did, as far as the skill promised to keep it."""

    # Finished exercises that must be kept (until a deletion).
    kept: set[str] = field(default_factory=set)
    # Finished exercises the record may hold: nothing deleted comes back.
    allowed: set[str] = field(default_factory=set)
    # Every value the user gave each setting since the last deletion; the default counts
    # until a value the user gave was saved (after that, only the user brings it back).
    paces: set[Pace] = field(default_factory=set)
    sides: set[Side | None] = field(default_factory=set)
    pace_saved: bool = False
    side_saved: bool = False

    def allowed_paces(self) -> set[Pace]:
        return self.paces if self.pace_saved else self.paces | {Pace.NORMAL}

    def allowed_sides(self) -> set[Side | None]:
        return self.sides if self.side_saved else self.sides | {None}


class TrustMachine(RuleBasedStateMachine):
    """Users on devices against the real handler; see the module docstring."""

    context: ClassVar[dict] = {}

    def __init__(self) -> None:
        super().__init__()
        STATS["examples"] += 1
        self.handler = self.context["handler"]
        self.faults: StoreFaults = self.context["faults"]
        self.table = self.context["table"]
        self.faults.failing.clear()
        self.accounts = [f"amzn1.ask.account.{uuid.uuid4().hex}" for _ in range(2)]
        self.person_ids = {
            (u, who): who and f"amzn1.ask.person.{who}{u}{uuid.uuid4().hex}"
            for u in range(2)
            for who in PEOPLE
        }
        self.users = {(u, who): UserModel() for u in range(2) for who in PEOPLE}
        self.devices = {
            (u, home): AlexaDevice(
                user_id=self.accounts[u],
                device_id=f"amzn1.ask.device.{home}-{uuid.uuid4().hex[:8]}",
                api_endpoint=self.context["endpoints"][home],
            )
            for u in range(2)
            for home in ZONES
        }
        self.clocks = {key: START for key in self.devices}
        self.speakers: dict[tuple[int, str], str | None] = dict.fromkeys(self.devices)
        self.open: dict[tuple[int, str], OpenSession] = {}

    def _owner(self, key: tuple[int, str]) -> UserModel:
        """The model of the record the device's open session keeps."""
        return self.users[(key[0], self.open[key].owner)]

    # -- sending ------------------------------------------------------------------------

    def _heard(self, key: tuple[int, str], response: dict) -> str:
        STATS["requests"] += 1
        text = " ".join(
            re.sub(
                r"<[^>]+>", " ", response["response"].get("outputSpeech", {}).get("ssml", "")
            ).split()
        )
        assert SOMETHING_WRONG not in text.lower(), text
        assert WORDS.line("answers.unreadable_request") not in text, text
        return text

    def _session(self, key: tuple[int, str]) -> OpenSession:
        """The device's open session, opened ("Alexa, open S.I. joint coach") if none is."""
        if key not in self.open:
            self.open_session(key, self.speakers[key])
        return self.open[key]

    def _say(self, key: tuple[int, str], intent: str, **slots) -> str:
        state = self._session(key)
        response = state.session.say(intent, **slots)
        return self._after(key, response)

    def _after(self, key: tuple[int, str], response: dict) -> str:
        state = self.open[key]
        self.clocks[key] = state.session.clock
        text = self._heard(key, response)
        finished = {NAMES[name] for name in FINISHED.findall(text) if name in NAMES}
        state.last_finished = finished
        state.pending |= finished
        self._owner(key).allowed |= finished
        if state.session.session_id is None:
            self._closed(key, said_lost=COULD_NOT_SAVE in text)
        return text

    def _closed(self, key: tuple[int, str], *, said_lost: bool) -> None:
        user = self._owner(key)
        state = self.open.pop(key)
        if said_lost or state.orphaned:
            return  # the loss was said out loud, or the copy predates a deletion
        user.kept |= state.pending
        user.pace_saved |= bool(state.paces)
        user.side_saved |= bool(state.sides)

    # -- sessions -----------------------------------------------------------------------

    keys = st.tuples(st.integers(0, 1), st.sampled_from(sorted(ZONES)))

    @rule(key=keys, who=st.sampled_from(PEOPLE))
    def open_session(self, key: tuple[int, str], who: str | None) -> None:
        if key in self.open:
            self._end(key, "USER_INITIATED")
        self._voice(key, who)
        session = AlexaSession(self.handler, self.devices[key], clock=self.clocks[key])
        response = session.launch()
        STATS["sessions"] += 1
        STATS["sessions of a recognised person"] += who is not None
        unread = WORDS.line("answers.store_unreachable") in self._heard(key, response)
        self.open[key] = OpenSession(session, unread, owner=who)
        self.clocks[key] = session.clock

    def _voice(self, key: tuple[int, str], who: str | None) -> None:
        self.speakers[key] = who
        self.devices[key].person_id = self.person_ids[(key[0], who)]

    @precondition(lambda self: self.open)
    @rule(data=st.data(), who=st.sampled_from(PEOPLE))
    def another_voice(self, data, who: str | None) -> None:
        """Someone else speaks in an open session: it keeps the record it began with."""
        key = data.draw(st.sampled_from(sorted(self.open)))
        STATS["voices changed"] += who != self.speakers[key]
        self._voice(key, who)

    def _end(self, key: tuple[int, str], reason: str) -> None:
        state = self.open[key]
        faulty = self.faults.active
        state.session.end(reason)
        STATS["requests"] += 1
        self.clocks[key] = state.session.clock
        # No one hears a SessionEndedRequest: a save it could not make is lost unsaid.
        self._closed(key, said_lost=faulty)

    @precondition(lambda self: self.open)
    @rule(data=st.data(), reason=st.sampled_from(["USER_INITIATED", "EXCEEDED_MAX_REPROMPTS"]))
    def session_ends(self, data, reason: str) -> None:
        self._end(data.draw(st.sampled_from(sorted(self.open))), reason)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def stop(self, data) -> None:
        key = data.draw(st.sampled_from(sorted(self.open)))
        self._say(key, "AMAZON.StopIntent")
        if key in self.open:  # stop always stops
            raise AssertionError("stop did not end the session")

    # -- the routine --------------------------------------------------------------------

    @rule(key=keys, turns=st.integers(1, 4))
    def walk(self, key: tuple[int, str], turns: int) -> None:
        self._session(key)
        for _ in range(turns):
            if key not in self.open:
                return
            self._say(key, "AMAZON.NextIntent")

    @rule(key=keys, variant=st.sampled_from([v.id for v in CATALOGUE.variants]))
    def go_to(self, key: tuple[int, str], variant: str) -> None:
        self._say(key, "GoToExerciseIntent", exercise=(WORDS.variant(variant).name, variant))

    @rule(
        key=keys,
        seconds=st.floats(0.5, 60),
        intent=st.sampled_from(
            ["AMAZON.PauseIntent", "AMAZON.NextIntent", "AMAZON.StopIntent", "HistoryIntent"]
        ),
    )
    def barge_in(self, key: tuple[int, str], seconds: float, intent: str) -> None:
        state = self._session(key)
        # The last response may be cut off: what it finished may be taken back.
        state.pending -= state.last_finished
        state.session.barge_in(seconds)
        STATS["barge-ins"] += 1
        self._say(key, intent)

    @rule(key=keys, pace=st.sampled_from(list(Pace)))
    def set_pace(self, key: tuple[int, str], pace: Pace) -> None:
        self._session(key).paces.add(pace)
        self._owner(key).paces.add(pace)
        self._say(key, "PaceIntent", pace=(pace.value, pace.value))

    @rule(key=keys, side=st.sampled_from(["left", "right", "none"]))
    def set_side(self, key: tuple[int, str], side: str) -> None:
        injured = None if side == "none" else Side(side)
        self._session(key).sides.add(injured)
        self._owner(key).sides.add(injured)
        self._say(key, "InjuredSideIntent", side=(side, side))

    # -- deletions ----------------------------------------------------------------------

    def _deleted(self, u: int, who: str | None) -> None:
        user = self.users[(u, who)]
        user.kept = set()
        user.allowed = set()
        user.paces = set()
        user.sides = set()
        user.pace_saved = user.side_saved = False
        for (account, _), state in self.open.items():
            if (account, state.owner) != (u, who):
                continue
            state.orphaned = True
            if state.unread:
                # A session that never read the store cannot know what it read before the
                # deletion: its own work may come back (never the deleted record's).
                user.allowed |= state.pending
                user.paces |= state.paces
                user.sides |= state.sides
            state.pending = set()
            state.paces = set()
            state.sides = set()

    @rule(key=keys, roll=st.integers(0, 3))
    def delete_my_data(self, key: tuple[int, str], roll: int) -> None:
        if roll:
            return  # deletions are rarer than exercise
        self._say(key, "DeleteMyDataIntent")
        if key not in self.open:
            return
        text = self._say(key, "AMAZON.YesIntent")
        if DELETED in text:
            STATS["deletions"] += 1
            # Only the record the session keeps: everyone else's stays.
            self._deleted(key[0], self.open[key].owner)
            self.open[key].orphaned = False  # it carries on from the deleted record
            self.open[key].unread = False

    @rule(u=st.integers(0, 1), home=st.sampled_from(sorted(ZONES)), roll=st.integers(0, 5))
    def skill_disabled(self, u: int, home: str, roll: int) -> None:
        if roll:
            return
        moment = self.clocks[(u, home)]
        faulty = self.faults.active
        generations = {who: self._generation(u, who) for who in PEOPLE}
        self.handler(skill_disabled_event(self.devices[(u, home)], moment), None)
        STATS["requests"] += 1
        STATS["skills disabled"] += 1
        # Every record of the account. Nobody hears the event's answer: with the store
        # failing, each deletion may have gone through on a retry or not at all, and only
        # the store can tell which.
        for who, generation in generations.items():
            if not faulty or self._generation(u, who) > generation:
                self._deleted(u, who)

    def _stored(self, u: int, who: str | None) -> object:
        """The record of the account's `who` as the store holds it (None: no record)."""
        item = self.table.get_item(Key={"id": self.accounts[u]}).get("Item") or {}
        attribute = record_attribute(
            RecordKey(self.accounts[u], person_tag(self.person_ids[(u, who)]))
        )
        if attribute not in item:
            return None
        return json.loads(json.dumps(item[attribute], default=_plain))

    def _generation(self, u: int, who: str | None) -> int:
        """How many times the store has deleted the record (its marker's count)."""
        record = self._stored(u, who)
        generation = record.get("gen", 0) if isinstance(record, dict) else 0
        return generation if isinstance(generation, int) else 0

    # -- the world ----------------------------------------------------------------------

    @rule(
        operation=st.sampled_from(["GetItem", "UpdateItem"]),
        kind=st.sampled_from(FAULT_KINDS),
        count=st.integers(1, 3),
    )
    def store_fails(self, operation: str, kind: str, count: int) -> None:
        if operation == "GetItem" and kind == "condition":
            kind = "throttling"
        self.faults.fail(operation, kind, count)

    @rule()
    def store_heals(self) -> None:
        self.faults.failing.clear()

    @rule(key=keys, hours=st.sampled_from([1, 9, 23, 25, 24 * 3]))
    def time_passes(self, key: tuple[int, str], hours: int) -> None:
        if key in self.open:
            self._end(key, "EXCEEDED_MAX_REPROMPTS")
        self.clocks[key] += timedelta(hours=hours)
        STATS["clock jumps"] += 1

    @rule(key=keys, roll=st.integers(0, 5))
    def device_clock_years_ahead(self, key: tuple[int, str], roll: int) -> None:
        if roll:
            return
        if key in self.open:
            self._end(key, "USER_INITIATED")
        wrong = AlexaSession(self.handler, self.devices[key], clock=START + timedelta(days=3000))
        response = wrong.launch()
        STATS["sessions"] += 1
        self._heard(key, response)
        wrong.say("AMAZON.StopIntent")

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def records_keep_their_promises(self) -> None:
        STATS["steps"] += 1
        if STATS["steps"] % PROGRESS_EVERY == 0:  # a long run shows how far it got
            print(f"\ntrust machine so far: {_counts()}", flush=True)
        for (u, who), user in self.users.items():
            raw = self._stored(u, who)
            if raw is None:
                assert not user.kept, f"finished exercises of {who} were lost"
                continue
            assert isinstance(raw, dict) and raw.get("schema") == RECORD_SCHEMA_VERSION, raw
            assert isinstance(raw.get("revision"), int) and raw["revision"] >= 1, raw
            saved = Progress.from_dict(raw, CATALOGUE)
            assert not saved.revision_damaged
            in_record = set(saved.levels) | {v for d in saved.recent_days for v in d.completed}
            lost = {v for v in user.kept & LEVELLED if saved.levels.get(v, 0) < 1}
            assert not lost, f"finished exercises of {who} lost: {lost}"
            back = in_record - user.allowed
            assert not back, f"exercises {who} did not finish, or deleted, are there: {back}"
            assert saved.pace in user.allowed_paces(), (saved.pace, user.paces)
            assert saved.injured_side in user.allowed_sides(), (saved.injured_side, user.sides)
            if user.kept:
                assert saved.active_days >= 1


def _counts() -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(STATS.items()))


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(value)


@pytest.fixture
def homes(monkeypatch) -> dict[str, str]:
    services = {home: AlexaService(time_zone=zone) for home, zone in ZONES.items()}
    with (
        serve_https(services["west"].handler(), monkeypatch) as west,
        serve_https(services["east"].handler(), monkeypatch) as east,
    ):
        yield {"west": west, "east": east}


def test_trust_holds_whatever_the_store_the_devices_and_the_clock_do(
    moto_dynamodb_table, homes, monkeypatch
) -> None:
    # botocore's retry back-off waits up to a second; the faults here are instant, so the
    # waits are skipped (botocore still retries, as it would against AWS).
    monkeypatch.setattr(
        botocore.endpoint, "time", types.SimpleNamespace(sleep=lambda _: None, time=time.time)
    )
    adapter = progress_table_adapter(moto_dynamodb_table.name)
    builder = create_skill_builder(adapter, api_client=AlexaApiClient())
    TrustMachine.context = {
        "handler": guarded_lambda_handler(builder, None),
        "faults": StoreFaults(adapter.client),
        "table": moto_dynamodb_table,
        "endpoints": homes,
    }
    STATS.clear()
    machine_settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=max(10, STEPS // EXAMPLES),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=os.environ.get("TRUST_STEPS") is None,
        database=None,
    )
    run_state_machine_as_test(TrustMachine, settings=machine_settings)
    print(f"\ntrust machine: {_counts()}")
