"""The client for Alexa's APIs: HTTPS only, failures raised as the SDK expects."""

from __future__ import annotations

import gzip
from http.server import BaseHTTPRequestHandler

import pytest
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest

from si_coach.alexa.settings_api import AlexaApiClient
from tests.support.https_api import serve_https


@pytest.mark.parametrize(
    "url",
    ["http://api.amazonalexa.com/v2/devices/x/settings/System.timeZone", "", "ftp://example"],
)
def test_only_https_endpoints_are_called(url: str) -> None:
    with pytest.raises(ApiClientException, match="non-HTTPS"):
        AlexaApiClient().invoke(ApiClientRequest(url=url, method="GET", headers=[]))


def test_a_request_without_a_method_is_refused() -> None:
    with pytest.raises(ApiClientException, match="method"):
        AlexaApiClient().invoke(ApiClientRequest(url="https://127.0.0.1:9/", method=None))


def test_an_unreachable_endpoint_is_an_api_client_exception() -> None:
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    request = ApiClientRequest(url="https://127.0.0.1:9/v2/x", method="GET", headers=[("a", "1")])
    with pytest.raises(ApiClientException, match="Error executing the request"):
        AlexaApiClient().invoke(request)


# -- answers too large, inflated too far, nested too deep, over HTTPS ----------------------

TIME_ZONE_PATH = "/v2/devices/device-1/settings/System.timeZone"


def answering(body: bytes, encoding: str | None = None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def ask_time_zone(monkeypatch: pytest.MonkeyPatch, handler: type[BaseHTTPRequestHandler]):
    with serve_https(handler, monkeypatch) as base_url:
        request = ApiClientRequest(url=base_url + TIME_ZONE_PATH, method="GET", headers=[])
        return AlexaApiClient().invoke(request)


def test_a_usual_answer_is_read_plain_or_compressed(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = ask_time_zone(monkeypatch, answering(b'"Europe/London"'))
    assert (plain.status_code, plain.body) == (200, '"Europe/London"')
    compressed = ask_time_zone(monkeypatch, answering(gzip.compress(b'"Asia/Tokyo"'), "gzip"))
    assert compressed.body == '"Asia/Tokyo"'


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (gzip.compress(b'"' + b" " * 20_000_000 + b'"', compresslevel=9), "gzip"),
        (b'"' + b" " * 1_000_000 + b'"', None),
        (b"[" * 20_000 + b"]" * 20_000, None),
        (b'"Europe/London"', "br"),
    ],
    ids=["inflates without end", "too large", "nested too deep", "unknown encoding"],
)
def test_an_unusable_answer_is_an_api_client_exception(
    monkeypatch: pytest.MonkeyPatch, body: bytes, encoding: str | None
) -> None:
    with pytest.raises(ApiClientException, match="Unusable answer"):
        ask_time_zone(monkeypatch, answering(body, encoding))
