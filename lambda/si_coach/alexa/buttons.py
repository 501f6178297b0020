"""Touch: a screen button's UserEvent becomes the IntentRequest its words would have sent.

`ButtonPressInterceptor` is registered before every other interceptor, so a press is handled
exactly as the spoken intent is: an interruption it may be is settled the same way, the same
handler answers it, and nothing anywhere handles buttons a second time. The screen code it
needs is loaded on the first press only: a speaker never pays for it.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, IntentRequest

log = logging.getLogger(__name__)

USER_EVENT = "Alexa.Presentation.APL.UserEvent"


class ButtonPressInterceptor(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        if get_request_type(handler_input) != USER_EVENT:
            return
        from si_coach.screen.events import intent_for_request  # noqa: PLC0415

        envelope = handler_input.request_envelope
        pressed = envelope.request
        intent_name = intent_for_request(pressed)
        if intent_name is None:
            return
        log.info("button press handled as %s", intent_name)
        envelope.request = IntentRequest(
            request_id=pressed.request_id,
            timestamp=pressed.timestamp,
            locale=pressed.locale,
            dialog_state=None,
            intent=Intent(name=intent_name, confirmation_status=IntentConfirmationStatus.NONE),
        )
