"""The client the SDK's service clients use to call Alexa's APIs (the device time zone).

The SDK's DefaultApiClient does the same over `requests`, which costs a cold start about
a tenth of a second to import; this one uses urllib3, already loaded by botocore. It keeps
DefaultApiClient's rules: HTTPS only, and any failure raised as ApiClientException. Calls
time out quickly, because the whole turn must be answered within Alexa's eight seconds.
Answers are read within bounds (si_coach.reminders.bounded_answers): one too large, inflated
too far, nested too deep or in an unknown encoding is an ApiClientException too.
"""

from __future__ import annotations

import json

import urllib3
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

TIMEOUT = urllib3.Timeout(connect=1.0, read=1.5)


class AlexaApiClient(ApiClient):
    def __init__(self) -> None:
        self._pool: urllib3.PoolManager | None = None

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        if not (request.url or "").startswith("https://"):
            raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
        if not request.method:
            raise ApiClientException(f"Invalid request method: {request.method}")
        headers: dict[str, str] = {}
        for key, value in request.headers or []:
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body = request.body
        if body is not None and not isinstance(body, str | bytes):
            body = json.dumps(body)
        if self._pool is None:
            # Built on first use: most turns never call an Alexa API.
            self._pool = urllib3.PoolManager(timeout=TIMEOUT, retries=False)
        # Imported on first use too: the reminders package is not loaded by a cold start.
        from si_coach.reminders.bounded_answers import (  # noqa: PLC0415
            UnusableAnswerError,
            check_nesting,
            read_answer,
        )

        try:
            response = self._pool.request(
                request.method.upper(),
                request.url,
                headers=headers,
                body=body,
                # Read and inflated within bounds by read_answer, not by urllib3.
                preload_content=False,
                decode_content=False,
            )
            data = read_answer(response)
            # The SDK parses the body after this returns: it must not nest deep enough to
            # make that parse recurse without end.
            check_nesting(data)
        except UnusableAnswerError as error:
            raise ApiClientException(f"Unusable answer: {error}") from error
        except Exception as error:
            raise ApiClientException(f"Error executing the request: {error}") from error
        return ApiClientResponse(
            headers=list(response.headers.items()),
            status_code=response.status,
            body=data.decode("utf-8", "replace"),
        )
