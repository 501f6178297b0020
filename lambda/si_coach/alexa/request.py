"""Reading an Alexa request: resolved slot ids, the locale, the device's time zone, and
whether it has a screen."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest

log = logging.getLogger(__name__)

FALLBACK_TIME_ZONE = "UTC"


def slot_was_heard(handler_input: HandlerInput, slot_name: str) -> bool:
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return False
    slot = (request.intent.slots or {}).get(slot_name)
    return slot is not None and bool((slot.value or "").strip())


def slot_value(handler_input: HandlerInput, slot_name: str) -> str | None:
    """A slot's value as Alexa heard and normalised it (an AMAZON.TIME "08:00"), or None."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    slot = (request.intent.slots or {}).get(slot_name)
    value = (slot.value or "").strip() if slot is not None else ""
    return value or None


def resolved_slot_id(handler_input: HandlerInput, slot_name: str) -> str | None:
    """The entity-resolution id of a slot, or None when it is missing or did not resolve."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    slot = (request.intent.slots or {}).get(slot_name)
    if slot is None or slot.resolutions is None:
        return None
    for authority in slot.resolutions.resolutions_per_authority or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if getattr(status, "value", status) == "ER_SUCCESS_MATCH" and authority.values:
            return authority.values[0].value.id
    return None


def request_locale(handler_input: HandlerInput) -> str | None:
    return getattr(handler_input.request_envelope.request, "locale", None)


def known_device_time_zone(handler_input: HandlerInput) -> str | None:
    """The device's time zone from the Alexa settings API; None when it can't be had.

    Dates may fall back to UTC, but a reminder must not: it would ring at the wrong hour.
    """
    try:
        factory = handler_input.service_client_factory
    except ValueError:  # the SDK raises, rather than returning None, without an API client
        return None
    system = handler_input.request_envelope.context.system
    device = system.device
    if factory is None or not (system.api_access_token and system.api_endpoint):
        return None
    if device is None or not device.device_id:
        return None
    try:
        zone = factory.get_ups_service().get_system_time_zone(device.device_id)
        ZoneInfo(str(zone))
    except Exception:
        log.warning("device time zone unavailable", exc_info=True)
        return None
    return str(zone)


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device says it can show APL documents (a screen)."""
    device = handler_input.request_envelope.context.system.device
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None
