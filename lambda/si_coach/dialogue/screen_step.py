"""The screen's own step in answering: a response interceptor that adds, for a device with
APL, what the answer shows (screens.py) to the response the turn built.

The turn (turn.py) only speaks; this step reads what it said and its outcomes afterwards,
so the turn never imports the screen, and the screen's code is loaded for devices with a
screen only.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from si_coach.alexa.request import supports_apl
from si_coach.dialogue.turn import turn_of


class ScreenInterceptor(AbstractResponseInterceptor):
    """Adds the screen of every answer the turn spoke, on a device with APL."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        turn = turn_of(handler_input)
        if response is None or turn is None or turn.said is None:
            return
        if not supports_apl(handler_input):
            return
        from si_coach.dialogue.screens import screen_directives  # noqa: PLC0415

        directives = screen_directives(turn, turn.said)
        if directives:
            response.directives = [*(response.directives or []), *directives]
