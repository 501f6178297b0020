"""A light client for the Alexa Reminders API: one recurring daily reminder per user.

Create, read, change the time of, and delete the reminder at
`{apiEndpoint}/v1/alerts/reminders[/{alertToken}]`, authorised by the request's
`apiAccessToken`. Every call returns a value, never raises for the API's sake: a
`DailyReminder` (or `ReminderDeleted`) when the API confirmed what was asked, otherwise a
`ReminderError` whose `failure` the dialogue can speak about. An alert token is returned
only from a confirmed answer, so nothing untrue is stored.

Like si_coach.alexa.settings_api it uses urllib3 (already loaded by botocore), not `requests`, to
keep the cold start short; it calls HTTPS endpoints only, and times out quickly, because
the whole turn must be answered within Alexa's eight seconds. Answers are read within
bounds (si_coach.reminders.bounded_answers): one too large, inflated too far, nested too deep
or in an unknown encoding is a MALFORMED_ANSWER, like any answer that says nothing usable.
The JSON follows ask-sdk-model's ReminderRequest / Trigger / Recurrence / AlertInfo classes
(see docs/reminders.md).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import urllib3
from ask_sdk_model import RequestEnvelope

from si_coach.reminders.bounded_answers import UnusableAnswerError, json_answer, read_answer
from si_coach.reminders.time_of_day import TimeOfDay

log = logging.getLogger(__name__)

REMINDERS_PATH = "/v1/alerts/reminders"
# Connect fast or give up; the read allows for the API's own work (it stores the reminder
# and pushes it to the user's devices before it answers).
TIMEOUT = urllib3.Timeout(connect=1.0, read=2.5)
# Local date-times without an offset, as the API's examples write them: an offset or a "Z"
# is refused (the time zone travels separately, in timeZoneId).
_LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000"
_LOCALE = re.compile(r"[a-z]{2,3}-[A-Z]{2}")
_RULE_PART = re.compile(r"(?P<name>[A-Z]+)=(?P<value>[^;]*)")


class ReminderFailure(StrEnum):
    """Why a reminders call did not do what was asked; each has a spoken explanation."""

    # 401 or 403: the user has not granted the reminders permission, or has withdrawn it.
    PERMISSION_MISSING = "permission_missing"
    # The API's error code DEVICE_NOT_SUPPORTED: this device cannot hold reminders.
    DEVICE_NOT_SUPPORTED = "device_not_supported"
    # 404: no such reminder any more (deleted in the Alexa app, or expired).
    NOT_FOUND = "not_found"
    # 400, 409 and other 4xx: the API refused the request as written.
    REJECTED = "rejected"
    # 429: the skill is being throttled; try again in a moment.
    TOO_MANY_REQUESTS = "too_many_requests"
    # 5xx: the API is failing or unavailable.
    SERVICE_UNAVAILABLE = "service_unavailable"
    # No answer in time. For a create, a reminder may exist that the skill cannot name.
    TIMED_OUT = "timed_out"
    # No connection: refused, reset, TLS failure, name not resolved.
    UNREACHABLE = "unreachable"
    # A success status with a body that does not say what it must (no alert token, no time).
    MALFORMED_ANSWER = "malformed_answer"


@dataclass(frozen=True)
class ReminderError:
    failure: ReminderFailure
    status: int | None = None
    # The API's own error code and message, for the log; never spoken.
    code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class DailyReminder:
    """A reminder as the API confirmed it."""

    alert_token: str
    time: TimeOfDay
    time_zone_id: str | None
    # False once the API reports the reminder COMPLETED: it will not ring again, and the
    # Reminders guidelines say to create a new one rather than update it.
    active: bool = True


@dataclass(frozen=True)
class ReminderDeleted:
    alert_token: str
    # False when the API no longer knew the reminder (404): the outcome is the same.
    was_there: bool = True


def daily_reminder_request(
    time: TimeOfDay,
    *,
    time_zone_id: str,
    text: str,
    locale: str,
    now: datetime,
    push_notification: bool = True,
) -> dict[str, Any]:
    """The body of a create or update: a SCHEDULED_ABSOLUTE trigger in the device's time
    zone, recurring every day at `time` (an RFC 5545 rule in `recurrenceRules`), starting
    at its next occurrence after `now`, with `text` spoken in `locale`.

    Raises ValueError for an unknown time zone, an empty text or a malformed locale.
    """
    zone = _zone(time_zone_id)
    if not text.strip():
        raise ValueError("a reminder needs a spoken text")
    if not _LOCALE.fullmatch(locale):
        raise ValueError(f"not a locale: {locale!r}")
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    local_now = now.astimezone(zone).replace(tzinfo=None)
    first = local_now.replace(hour=time.hour, minute=time.minute, second=0, microsecond=0)
    if first <= local_now:
        first += timedelta(days=1)
    first_time = first.strftime(_LOCAL_TIME_FORMAT)
    return {
        "requestTime": local_now.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local_now.microsecond // 1000:03d}",
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": first_time,
            "timeZoneId": time_zone_id,
            "recurrence": {
                "startDateTime": first_time,
                "recurrenceRules": [daily_rule(time)],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text.strip()}]}},
        "pushNotification": {"status": "ENABLED" if push_notification else "DISABLED"},
    }


def daily_rule(time: TimeOfDay) -> str:
    """The recurrence rule of a reminder that rings every day at `time`."""
    return f"FREQ=DAILY;BYHOUR={time.hour};BYMINUTE={time.minute};BYSECOND=0;INTERVAL=1"


class RemindersClient:
    """The Reminders API as one user's request may use it (its endpoint and access token)."""

    def __init__(
        self,
        api_endpoint: str,
        access_token: str,
        *,
        timeout: urllib3.Timeout = TIMEOUT,
        pool: urllib3.PoolManager | None = None,
    ) -> None:
        if not api_endpoint.startswith("https://"):
            raise ValueError("Requests against non-HTTPS endpoints are not allowed.")
        if not access_token:
            raise ValueError("an access token is needed")
        self._base = api_endpoint.rstrip("/") + REMINDERS_PATH
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self._timeout = timeout
        self._pool = pool

    @classmethod
    def for_request(
        cls, request_envelope: RequestEnvelope, **options: Any
    ) -> RemindersClient | None:
        """A client for this request's user, or None when the request carries no usable API
        access (a skill event without a token, or an endpoint that is not HTTPS)."""
        system = getattr(getattr(request_envelope, "context", None), "system", None)
        endpoint = getattr(system, "api_endpoint", None)
        token = getattr(system, "api_access_token", None)
        if not (endpoint and token):
            return None
        try:
            return cls(str(endpoint), str(token), **options)
        except ValueError:
            log.warning("reminders: the request's API endpoint is not usable")
            return None

    # -- operations --------------------------------------------------------------------

    def create_daily(
        self,
        time: TimeOfDay,
        *,
        time_zone_id: str,
        text: str,
        locale: str,
        now: datetime | None = None,
        push_notification: bool = True,
    ) -> DailyReminder | ReminderError:
        """Create the daily reminder. Must be called in session (the API refuses to create
        with an out-of-session token). Raises ValueError, as `daily_reminder_request`, for
        a time zone, text or locale it cannot send. After TIMED_OUT a reminder may exist
        that the skill cannot name: `list_all` finds it."""
        body = daily_reminder_request(
            time,
            time_zone_id=time_zone_id,
            text=text,
            locale=locale,
            now=now or datetime.now(UTC),
            push_notification=push_notification,
        )
        answer = self._call("POST", self._base, body)
        if isinstance(answer, ReminderError):
            return answer
        token = _alert_token(answer)
        if token is None:
            return self._failed("POST", ReminderError(ReminderFailure.MALFORMED_ANSWER))
        return DailyReminder(token, _plain(time), time_zone_id, _is_active(answer))

    def get(self, alert_token: str) -> DailyReminder | ReminderError:
        """The reminder as the API holds it now ("when is my reminder")."""
        answer = self._call("GET", self._url(alert_token))
        if isinstance(answer, ReminderError):
            return answer
        reminder = _reminder_from(answer, alert_token)
        if reminder is None:
            return self._failed("GET", ReminderError(ReminderFailure.MALFORMED_ANSWER))
        return reminder

    def list_all(self) -> list[DailyReminder] | ReminderError:
        """Every reminder this skill holds for the user (the skill can see only its own).

        Useful when no token is stored, or after a create that timed out, so that a second
        reminder is not made by mistake. Entries that do not read as reminders are skipped.
        """
        answer = self._call("GET", self._base)
        if isinstance(answer, ReminderError):
            return answer
        alerts = answer.get("alerts")
        if not isinstance(alerts, list):
            return self._failed("GET", ReminderError(ReminderFailure.MALFORMED_ANSWER))
        found = [_reminder_from(alert, None) for alert in alerts if isinstance(alert, dict)]
        return [reminder for reminder in found if reminder is not None]

    def update_time(
        self,
        alert_token: str,
        time: TimeOfDay,
        *,
        time_zone_id: str,
        text: str,
        locale: str,
        now: datetime | None = None,
        push_notification: bool = True,
    ) -> DailyReminder | ReminderError:
        """Move the reminder to a new time ("change it to seven"). The whole reminder is
        sent again, as the API replaces it; a success keeps the token unless the API names
        another."""
        body = daily_reminder_request(
            time,
            time_zone_id=time_zone_id,
            text=text,
            locale=locale,
            now=now or datetime.now(UTC),
            push_notification=push_notification,
        )
        answer = self._call("PUT", self._url(alert_token), body)
        if isinstance(answer, ReminderError):
            return answer
        # The change is confirmed by the success status; the body adds nothing we need.
        token = _alert_token(answer) or alert_token
        return DailyReminder(token, _plain(time), time_zone_id, _is_active(answer))

    def delete(self, alert_token: str) -> ReminderDeleted | ReminderError:
        """Delete the reminder ("stop reminding me"). One that is already gone counts as
        deleted."""
        answer = self._call("DELETE", self._url(alert_token))
        if isinstance(answer, ReminderError):
            if answer.failure is ReminderFailure.NOT_FOUND:
                return ReminderDeleted(alert_token, was_there=False)
            return answer
        return ReminderDeleted(alert_token)

    # -- transport ---------------------------------------------------------------------

    def _url(self, alert_token: str) -> str:
        if not alert_token:
            raise ValueError("an alert token is needed")
        return f"{self._base}/{quote(alert_token, safe='')}"

    def _call(
        self, method: str, url: str, body: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | ReminderError:
        """The decoded JSON object of a 2xx answer (empty when it has no body), or the
        failure."""
        pool = self._pool or _shared_pool()
        try:
            response = pool.request(
                method,
                url,
                body=None if body is None else json.dumps(body).encode(),
                headers=self._headers,
                timeout=self._timeout,
                retries=False,
                redirect=False,
                # The body is read and inflated within bounds by read_answer, not by urllib3.
                preload_content=False,
                decode_content=False,
            )
            data = read_answer(response)
        except UnusableAnswerError as error:
            if not 200 <= response.status < 300:
                # An error's status says what went wrong; its unusable body adds nothing.
                failure = _failure_for(response.status, None)
                return self._failed(method, ReminderError(failure, response.status))
            failure = ReminderError(ReminderFailure.MALFORMED_ANSWER, response.status)
            return self._failed(method, replace(failure, message=str(error)))
        except (urllib3.exceptions.HTTPError, OSError) as error:
            failure = _failure_for_exception(error)
            return self._failed(method, ReminderError(failure, message=str(error)))
        status = response.status
        if 200 <= status < 300:
            if not data.strip():
                return {}
            decoded = _json_object(data)
            if decoded is None:
                return self._failed(method, ReminderError(ReminderFailure.MALFORMED_ANSWER, status))
            return decoded
        details = _json_object(data) or {}
        code = details.get("code") if isinstance(details.get("code"), str) else None
        message = details.get("message") if isinstance(details.get("message"), str) else ""
        failure = _failure_for(status, code)
        return self._failed(method, ReminderError(failure, status, code, message))

    @staticmethod
    def _failed(method: str, error: ReminderError) -> ReminderError:
        log.warning(
            "reminders %s failed: %s (status %s, code %s) %s",
            method,
            error.failure,
            error.status,
            error.code,
            error.message,
        )
        return error


@cache
def _shared_pool() -> urllib3.PoolManager:
    # One pool for the life of the Lambda container, built on first use: most turns never
    # call the Reminders API, and a warm container reuses its TLS connections.
    return urllib3.PoolManager(retries=False)


def _failure_for(status: int, code: str | None) -> ReminderFailure:
    if code == "DEVICE_NOT_SUPPORTED":
        return ReminderFailure.DEVICE_NOT_SUPPORTED
    if status in (401, 403):
        return ReminderFailure.PERMISSION_MISSING
    if status == 404:
        return ReminderFailure.NOT_FOUND
    if status == 429:
        return ReminderFailure.TOO_MANY_REQUESTS
    if status >= 500:
        return ReminderFailure.SERVICE_UNAVAILABLE
    if 400 <= status < 500:
        return ReminderFailure.REJECTED
    # 1xx and 3xx (redirects are not followed): nothing usable came back.
    return ReminderFailure.MALFORMED_ANSWER


def _failure_for_exception(error: Exception) -> ReminderFailure:
    # NewConnectionError first: urllib3 makes a refused connection a kind of connect timeout.
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        return ReminderFailure.UNREACHABLE
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return ReminderFailure.TIMED_OUT
    return ReminderFailure.UNREACHABLE


def _zone(time_zone_id: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone_id)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"not a time zone id: {time_zone_id!r}") from error


def _json_object(data: bytes) -> dict[str, Any] | None:
    try:
        decoded = json_answer(data)
    except UnusableAnswerError:
        return None
    return decoded if isinstance(decoded, dict) else None


def _alert_token(answer: Mapping[str, Any]) -> str | None:
    token = answer.get("alertToken")
    return token if isinstance(token, str) and token.strip() else None


def _is_active(answer: Mapping[str, Any]) -> bool:
    return answer.get("status") != "COMPLETED"


def _plain(time: TimeOfDay) -> TimeOfDay:
    # What the API holds is a plain time; whether it was a suggestion is the dialogue's.
    return TimeOfDay(time.hour, time.minute)


def _reminder_from(answer: Mapping[str, Any], alert_token: str | None) -> DailyReminder | None:
    """A reminder object of the API as a DailyReminder; None when its token or time can't
    be read. The time comes from the daily rule, else from the scheduled time."""
    token = _alert_token(answer) or alert_token
    trigger = answer.get("trigger")
    if token is None or not isinstance(trigger, dict):
        return None
    time = _rule_time(trigger.get("recurrence")) or _scheduled_time(trigger.get("scheduledTime"))
    if time is None:
        return None
    zone = trigger.get("timeZoneId")
    return DailyReminder(token, time, zone if isinstance(zone, str) else None, _is_active(answer))


def _rule_time(recurrence: object) -> TimeOfDay | None:
    if not isinstance(recurrence, dict) or not isinstance(recurrence.get("recurrenceRules"), list):
        return None
    for rule in recurrence["recurrenceRules"]:
        if not isinstance(rule, str):
            continue
        parts = {m["name"]: m["value"] for m in _RULE_PART.finditer(rule.upper())}
        if parts.get("FREQ") != "DAILY":
            continue
        try:
            return TimeOfDay(int(parts["BYHOUR"]), int(parts.get("BYMINUTE") or 0))
        except (KeyError, ValueError):
            continue
    return None


def _scheduled_time(value: object) -> TimeOfDay | None:
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?", value)
    if match is None:
        return None
    try:
        return TimeOfDay(int(match[1]), int(match[2]))
    except ValueError:
        return None
