"""The Reminders API client against the API played over HTTPS on 127.0.0.1 by the test.

Each test scripts what the API answers, and checks both what the client returns and what
it sent: the documented request body (time zone always set, the daily rule, the spoken
text and locale), the path, the method and the bearer token.
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import urllib3
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from local.envelopes import AlexaDevice
from si_coach.reminders import (
    DailyReminder,
    ReminderDeleted,
    ReminderError,
    ReminderFailure,
    RemindersClient,
    TimeOfDay,
    daily_reminder_request,
)
from tests.support.https_api import self_signed_certificate, serve_https

TOKEN = "test-access-token"
ALERT = "amzn1.alert-token.4d7f/9a+b=="
TEXT = "Time for your exercises."
# 06:30 UTC on the 23rd: 07:30 in London, 19:30 in Auckland.
NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


@dataclass
class Reply:
    status: int
    body: bytes | dict | list | None = None
    # Hold the answer until the test ends: the client's read time-out fires first.
    stall: bool = False
    # Sent as the Content-Encoding header (the body is sent as given, already encoded).
    encoding: str | None = None


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeRemindersApi:
    """The Reminders API's side of the conversation: scripted replies, recorded requests."""

    replies: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                api.received.append(
                    Received(
                        self.command,
                        self.path,
                        dict(self.headers.items()),
                        json.loads(raw) if raw else None,
                    )
                )
                reply = api.replies.pop(0) if api.replies else Reply(500)
                if reply.stall:
                    api.release.wait(10)
                    return
                data = reply.body
                if isinstance(data, dict | list):
                    data = json.dumps(data).encode()
                data = data or b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                if reply.encoding:
                    self.send_header("Content-Encoding", reply.encoding)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def do_DELETE(self) -> None:
                self._answer()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def reply(self, *replies: Reply) -> None:
        self.replies.extend(replies)


@pytest.fixture
def api() -> Iterator[FakeRemindersApi]:
    fake = FakeRemindersApi()
    yield fake
    fake.release.set()


@pytest.fixture
def endpoint(api: FakeRemindersApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve_https(api.handler(), monkeypatch) as base_url:
        yield base_url


@pytest.fixture
def client(endpoint: str) -> RemindersClient:
    # A pool of its own: the shared pool would outlive this test's server.
    return RemindersClient(endpoint, TOKEN, pool=urllib3.PoolManager(retries=False))


def reminder_object(
    token: str = ALERT, rule: str | None = None, status: str = "ON", scheduled: str | None = None
) -> dict:
    """A reminder as the API describes one (GET), in the shape of ask-sdk-model's Reminder."""
    trigger: dict[str, Any] = {"type": "SCHEDULED_ABSOLUTE", "timeZoneId": "Europe/London"}
    if scheduled:
        trigger["scheduledTime"] = scheduled
    if rule:
        trigger["recurrence"] = {"recurrenceRules": [rule]}
    return {
        "alertToken": token,
        "createdTime": "2026-11-23T06:30:00.000Z",
        "updatedTime": "2026-11-23T06:30:00.000Z",
        "status": status,
        "trigger": trigger,
        "alertInfo": {"spokenInfo": {"content": [{"locale": "en-GB", "text": TEXT}]}},
        "pushNotification": {"status": "ENABLED"},
        "version": "1",
    }


def created(token: str = ALERT) -> Reply:
    return Reply(
        200,
        {
            "alertToken": token,
            "createdTime": "2026-11-23T06:30:00.000Z",
            "updatedTime": "2026-11-23T06:30:00.000Z",
            "status": "ON",
            "version": "1",
            "href": f"/v1/alerts/reminders/{token}",
        },
    )


EIGHT = TimeOfDay(8, 0)


def create(client: RemindersClient, time: TimeOfDay = EIGHT, zone: str = "Europe/London"):
    return client.create_daily(time, time_zone_id=zone, text=TEXT, locale="en-GB", now=NOW)


# -- the request body -------------------------------------------------------------------


def test_the_create_body_has_the_documented_shape() -> None:
    body = daily_reminder_request(
        TimeOfDay(8, 0), time_zone_id="Europe/London", text=TEXT, locale="en-GB", now=NOW
    )
    assert body == {
        "requestTime": "2026-11-23T06:30:00.000",
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": "2026-11-23T08:00:00.000",
            "timeZoneId": "Europe/London",
            "recurrence": {
                "startDateTime": "2026-11-23T08:00:00.000",
                "recurrenceRules": ["FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": "en-GB", "text": TEXT}]}},
        "pushNotification": {"status": "ENABLED"},
    }


@pytest.mark.parametrize(
    ("zone", "time", "first"),
    [
        # Already 19:30 in Auckland: 08:00 today has passed, so the first is tomorrow's.
        ("Pacific/Auckland", TimeOfDay(8, 0), "2026-11-24T08:00:00.000"),
        ("Pacific/Auckland", TimeOfDay(20, 15), "2026-11-23T20:15:00.000"),
        # Still the 22nd in Los Angeles (22:30).
        ("America/Los_Angeles", TimeOfDay(23, 0), "2026-11-22T23:00:00.000"),
        # Exactly now is not in the future.
        ("UTC", TimeOfDay(6, 30), "2026-11-24T06:30:00.000"),
    ],
)
def test_the_first_ring_is_the_next_one_in_the_devices_own_time(zone, time, first) -> None:
    body = daily_reminder_request(time, time_zone_id=zone, text=TEXT, locale="en-US", now=NOW)
    assert body["trigger"]["scheduledTime"] == first
    assert body["trigger"]["recurrence"]["startDateTime"] == first
    assert body["trigger"]["timeZoneId"] == zone
    assert not body["trigger"]["scheduledTime"].endswith("Z")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"time_zone_id": "Mars/Olympus", "text": TEXT, "locale": "en-US"}, "time zone"),
        ({"time_zone_id": "", "text": TEXT, "locale": "en-US"}, "time zone"),
        ({"time_zone_id": "UTC", "text": "  ", "locale": "en-US"}, "spoken text"),
        ({"time_zone_id": "UTC", "text": TEXT, "locale": "english"}, "locale"),
    ],
)
def test_a_reminder_is_never_built_without_a_zone_a_text_and_a_locale(arguments, message):
    with pytest.raises(ValueError, match=message):
        daily_reminder_request(TimeOfDay(8), now=NOW, **arguments)


def test_now_must_be_an_aware_time() -> None:
    with pytest.raises(ValueError, match="time zone"):
        daily_reminder_request(
            TimeOfDay(8), time_zone_id="UTC", text=TEXT, locale="en-US", now=datetime(2026, 1, 1)
        )


# -- success ----------------------------------------------------------------------------


def test_create_posts_the_reminder_and_returns_the_confirmed_token(client, api) -> None:
    api.reply(created())
    result = create(client, TimeOfDay(19, 45, suggested=True))
    assert result == DailyReminder(ALERT, TimeOfDay(19, 45), "Europe/London", active=True)
    (request,) = api.received
    assert (request.method, request.path) == ("POST", "/v1/alerts/reminders")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    trigger = request.body["trigger"]
    assert trigger["timeZoneId"] == "Europe/London"
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=19;BYMINUTE=45;BYSECOND=0;INTERVAL=1"
    ]
    assert request.body["alertInfo"]["spokenInfo"]["content"] == [{"locale": "en-GB", "text": TEXT}]


def test_get_reads_the_time_from_the_daily_rule(client, api) -> None:
    api.reply(
        Reply(200, reminder_object(rule="FREQ=DAILY;BYHOUR=7;BYMINUTE=5;BYSECOND=0;INTERVAL=1"))
    )
    assert client.get(ALERT) == DailyReminder(ALERT, TimeOfDay(7, 5), "Europe/London")
    (request,) = api.received
    # The token travels escaped: it may hold characters a path cannot.
    assert (request.method, request.path) == (
        "GET",
        "/v1/alerts/reminders/amzn1.alert-token.4d7f%2F9a%2Bb%3D%3D",
    )


def test_get_falls_back_to_the_scheduled_time_and_reports_a_finished_reminder(client, api):
    api.reply(Reply(200, reminder_object(scheduled="2026-11-24T18:30:00.000", status="COMPLETED")))
    assert client.get(ALERT) == DailyReminder(ALERT, TimeOfDay(18, 30), "Europe/London", False)


def test_list_all_returns_the_skills_reminders_and_skips_unreadable_ones(client, api) -> None:
    rule = "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    api.reply(
        Reply(
            200,
            {
                "totalCount": "3",
                "alerts": [reminder_object("a1", rule=rule), {"alertToken": "a2"}, "junk"],
                "links": None,
            },
        )
    )
    assert client.list_all() == [DailyReminder("a1", TimeOfDay(21, 0), "Europe/London")]
    assert (api.received[0].method, api.received[0].path) == ("GET", "/v1/alerts/reminders")


def test_update_time_puts_the_whole_reminder_again(client, api) -> None:
    api.reply(created())
    result = client.update_time(
        ALERT, TimeOfDay(7, 0), time_zone_id="Europe/London", text=TEXT, locale="en-GB", now=NOW
    )
    assert result == DailyReminder(ALERT, TimeOfDay(7, 0), "Europe/London")
    (request,) = api.received
    assert request.method == "PUT"
    assert request.path.startswith("/v1/alerts/reminders/amzn1.alert-token.")
    assert request.body["trigger"]["timeZoneId"] == "Europe/London"
    assert request.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]


def test_an_update_confirmed_without_a_body_keeps_the_token(client, api) -> None:
    api.reply(Reply(200))
    result = client.update_time(
        ALERT, TimeOfDay(7), time_zone_id="UTC", text=TEXT, locale="en-US", now=NOW
    )
    assert result == DailyReminder(ALERT, TimeOfDay(7), "UTC")


def test_delete(client, api) -> None:
    api.reply(Reply(200))
    assert client.delete(ALERT) == ReminderDeleted(ALERT, was_there=True)
    assert api.received[0].method == "DELETE"
    assert api.received[0].body is None


def test_deleting_a_reminder_that_is_already_gone_counts_as_deleted(client, api) -> None:
    api.reply(Reply(404, {"code": "ALERT_NOT_FOUND", "message": "Alert not found"}))
    assert client.delete(ALERT) == ReminderDeleted(ALERT, was_there=False)


# -- every failure, for every operation -------------------------------------------------

OPERATIONS = {
    "create": create,
    "get": lambda client: client.get(ALERT),
    "list": lambda client: client.list_all(),
    "update": lambda client: client.update_time(
        ALERT, TimeOfDay(7), time_zone_id="UTC", text=TEXT, locale="en-US", now=NOW
    ),
    "delete": lambda client: client.delete(ALERT),
}

FAILURES = [
    (
        Reply(401, {"code": "UNAUTHORIZED", "message": "Invalid token"}),
        ReminderFailure.PERMISSION_MISSING,
    ),
    (
        Reply(403, {"code": "ACCESS_DENIED", "message": "Access denied"}),
        ReminderFailure.PERMISSION_MISSING,
    ),
    (
        Reply(403, {"code": "DEVICE_NOT_SUPPORTED", "message": "no"}),
        ReminderFailure.DEVICE_NOT_SUPPORTED,
    ),
    (Reply(400, {"code": "INVALID_TRIGGER", "message": "bad"}), ReminderFailure.REJECTED),
    (Reply(409, b""), ReminderFailure.REJECTED),
    (
        Reply(429, {"code": "TOO_MANY_REQUESTS", "message": "slow down"}),
        ReminderFailure.TOO_MANY_REQUESTS,
    ),
    (Reply(500, b"<html>oops</html>"), ReminderFailure.SERVICE_UNAVAILABLE),
    (Reply(503), ReminderFailure.SERVICE_UNAVAILABLE),
    (Reply(504), ReminderFailure.SERVICE_UNAVAILABLE),
    (Reply(302, b""), ReminderFailure.MALFORMED_ANSWER),
]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(("reply", "failure"), FAILURES, ids=lambda v: str(getattr(v, "status", v)))
def test_every_api_error_becomes_a_typed_failure(client, api, operation, reply, failure) -> None:
    api.reply(reply)
    result = OPERATIONS[operation](client)
    assert isinstance(result, ReminderError)
    assert result.failure is failure
    assert result.status == reply.status


def test_the_apis_own_error_code_is_kept_for_the_log(client, api) -> None:
    api.reply(Reply(429, {"code": "TOO_MANY_REQUESTS", "message": "Rate exceeded"}))
    assert create(client) == ReminderError(
        ReminderFailure.TOO_MANY_REQUESTS, 429, "TOO_MANY_REQUESTS", "Rate exceeded"
    )


@pytest.mark.parametrize("operation", ["create", "get", "list", "update"])
@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'"a string"', {"alertToken": ""}, {"status": "ON"}, {"alerts": 3}],
)
def test_a_success_status_with_an_unreadable_body(client, api, operation, body) -> None:
    api.reply(Reply(200, body))
    result = OPERATIONS[operation](client)
    if operation == "update" and isinstance(body, dict):
        # The PUT succeeded: its body is not needed to know that.
        assert isinstance(result, DailyReminder)
        return
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.MALFORMED_ANSWER


def test_no_alert_token_is_returned_unless_the_create_was_confirmed(client, api) -> None:
    for reply in (Reply(200, {}), Reply(201, b"{}"), Reply(500, created().body)):
        api.reply(reply)
        assert not isinstance(create(client), DailyReminder)


def test_a_get_whose_reminder_has_no_time_is_unreadable(client, api) -> None:
    api.reply(Reply(200, reminder_object(rule="FREQ=WEEKLY;BYDAY=MO")))
    result = client.get(ALERT)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.MALFORMED_ANSWER


# -- answers too large, inflated too far, nested too deep ---------------------------------


def nested(depth: int) -> bytes:
    """A JSON object holding a list nested `depth` deep, under 64 KB for any depth here."""
    return b'{"alertToken": "deep", "pad": ' + b"[" * depth + b"]" * depth + b"}"


def padded_token_answer(size: int) -> bytes:
    """A confirmed create's answer, padded with spaces to `size` bytes: valid JSON."""
    answer = json.dumps(created().body).encode()
    return answer[:-1] + b" " * (size - len(answer)) + b"}"


def gzip_bomb() -> bytes:
    """About 20 KB that inflate to 20 MB of a valid, confirmed create's answer."""
    return gzip.compress(padded_token_answer(20_000_000), compresslevel=9)


@pytest.mark.parametrize("operation", ["create", "get", "list", "update"])
def test_a_deeply_nested_answer_is_malformed_not_a_crash(client, api, operation) -> None:
    api.reply(Reply(200, nested(20_000)))
    result = OPERATIONS[operation](client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.MALFORMED_ANSWER


def test_a_deeply_nested_error_answer_keeps_its_status(client, api) -> None:
    api.reply(Reply(429, nested(20_000)))
    result = create(client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.TOO_MANY_REQUESTS


def test_an_answer_nested_as_deep_as_alexa_s_own_is_read(client, api) -> None:
    body = json.dumps({"alerts": [reminder_object(rule=daily_rule_for_eight())]}).encode()
    api.reply(Reply(200, body))
    assert client.list_all() == [DailyReminder(ALERT, EIGHT, "Europe/London")]


def daily_rule_for_eight() -> str:
    return "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0;INTERVAL=1"


def test_a_gzip_answer_that_inflates_without_end_is_refused(client, api) -> None:
    api.reply(Reply(200, gzip_bomb(), encoding="gzip"))
    result = create(client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.MALFORMED_ANSWER
    assert "inflated" in result.message


def test_an_answer_larger_than_any_alexa_sends_is_refused_unread(client, api) -> None:
    api.reply(Reply(200, padded_token_answer(1_000_000)))
    result = create(client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.MALFORMED_ANSWER
    # The connection the unread rest was on is dropped; the next call works on a new one.
    api.reply(created())
    assert create(client) == DailyReminder(ALERT, EIGHT, "Europe/London")


def test_an_oversized_error_answer_keeps_its_status(client, api) -> None:
    api.reply(Reply(503, b"x" * 1_000_000))
    result = create(client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.SERVICE_UNAVAILABLE


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
    ],
    ids=["gzip", "deflate", "raw deflate"],
)
def test_a_compressed_answer_of_a_usual_size_is_read(client, api, encoding, encode) -> None:
    api.reply(Reply(200, encode(json.dumps(created().body).encode()), encoding=encoding))
    assert create(client) == DailyReminder(ALERT, EIGHT, "Europe/London")


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("br", b"\x0b\x02\x80{}\x03"), ("gzip", b"not gzip at all"), ("gzip", b"\x1f\x8b\x08")],
    ids=["unknown encoding", "not gzip", "cut short"],
)
def test_an_answer_that_cannot_be_decoded_is_malformed(client, api, encoding, body) -> None:
    api.reply(Reply(200, body, encoding=encoding))
    result = create(client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.MALFORMED_ANSWER


# -- no answer --------------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_api_that_does_not_answer_in_time(endpoint, api, operation) -> None:
    api.reply(Reply(200, stall=True))
    impatient = RemindersClient(
        endpoint,
        TOKEN,
        timeout=urllib3.Timeout(connect=1.0, read=0.2),
        pool=urllib3.PoolManager(retries=False),
    )
    result = OPERATIONS[operation](impatient)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.TIMED_OUT


def test_an_endpoint_where_nothing_listens_is_unreachable() -> None:
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    client = RemindersClient("https://127.0.0.1:9", TOKEN, pool=urllib3.PoolManager(retries=False))
    result = create(client)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.UNREACHABLE


def test_an_endpoint_with_an_untrusted_certificate_is_unreachable(
    api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stranger = self_signed_certificate(tmp_path / "stranger")
    with serve_https(api.handler(), monkeypatch, certificate=stranger) as base_url:
        client = RemindersClient(base_url, TOKEN, pool=urllib3.PoolManager(retries=False))
        result = client.get(ALERT)
    assert isinstance(result, ReminderError)
    assert result.failure is ReminderFailure.UNREACHABLE
    assert api.received == []


# -- where the client comes from --------------------------------------------------------


def envelope(device: AlexaDevice) -> RequestEnvelope:
    body = {
        "version": "1.0",
        "context": device.context(),
        "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2026-11-23T06:30:00Z"},
    }
    return DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)


def test_a_client_is_built_from_the_requests_endpoint_and_token(api, endpoint) -> None:
    client = RemindersClient.for_request(
        envelope(AlexaDevice(api_endpoint=endpoint)), pool=urllib3.PoolManager(retries=False)
    )
    assert client is not None
    api.reply(Reply(200))
    assert client.delete(ALERT) == ReminderDeleted(ALERT)
    assert api.received[0].headers["Authorization"] == "Bearer test-access-token"


@pytest.mark.parametrize("api_endpoint", [None, "http://api.amazonalexa.com"])
def test_no_client_without_an_https_endpoint_and_a_token(api_endpoint) -> None:
    assert RemindersClient.for_request(envelope(AlexaDevice(api_endpoint=api_endpoint))) is None


@pytest.mark.parametrize("url", ["http://api.amazonalexa.com", "", "ftp://example"])
def test_only_https_endpoints_are_called(url: str) -> None:
    with pytest.raises(ValueError, match="non-HTTPS"):
        RemindersClient(url, TOKEN)
