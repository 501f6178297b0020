"""What the requesting device can show: the APL version in the request's supported interfaces."""

from __future__ import annotations

from typing import Any


def apl_max_version(request_envelope: Any) -> str | None:
    """`runtime.maxVersion` of `supportedInterfaces["Alexa.Presentation.APL"]`, or None.

    Takes the SDK's `RequestEnvelope` (`handler_input.request_envelope`) or the raw JSON
    dict; a request from a speaker, or one missing any part of the path, gives None.
    """
    if isinstance(request_envelope, dict):
        interfaces = (
            request_envelope.get("context", {})
            .get("System", {})
            .get("device", {})
            .get("supportedInterfaces", {})
        )
        apl = interfaces.get("Alexa.Presentation.APL") if isinstance(interfaces, dict) else None
        runtime = apl.get("runtime") if isinstance(apl, dict) else None
        version = runtime.get("maxVersion") if isinstance(runtime, dict) else None
        return version if isinstance(version, str) else None
    device = getattr(
        getattr(getattr(request_envelope, "context", None), "system", None), "device", None
    )
    interfaces = getattr(device, "supported_interfaces", None)
    apl = getattr(interfaces, "alexa_presentation_apl", None)
    version = getattr(getattr(apl, "runtime", None), "max_version", None)
    return version if isinstance(version, str) else None
