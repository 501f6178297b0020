"""The client for Alexa's APIs: HTTPS only, failures raised as the SDK expects."""

from __future__ import annotations

import pytest
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest

from si_coach.alexa.settings_api import AlexaApiClient


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
